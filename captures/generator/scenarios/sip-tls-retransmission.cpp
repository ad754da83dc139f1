// SPDX-License-Identifier: GPL-2.0-or-later
// SIP over TLS with TCP retransmissions: one refresh's TLS record is lost once and
// retransmitted; a later refresh is lost through a 25 s outage of the path, TCP
// retransmits it with a doubling back-off and the retransmission that finally gets
// through arrives after CUCM's grace window. Writes sip-tls-retransmission.pcap and
// its key log sip-tls-retransmission.keys.
//
// Parameters (phone-side capture, Ethernet, microsecond pcap, T0 = 2023-05-18 11:00:00.000000 UTC):
//   phone  SEP001B54C28A79 (model "540")  MAC 00:1b:54:c2:8a:79  10.147.230.79:49901
//   CUCM   MAC 00:1b:54:c2:8a:40  178.215.139.22:5061
//   TCP    handshake at T0 - 40 ms, T0 - 39 ms, T0 - 38.9 ms; ISN phone 1600000000, CUCM 2600000000
//   TLS    1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, randoms and master secret from
//          tls::SessionParams::from_seed(20230518); ClientHello T0 - 38.8 ms,
//          ServerHello + ServerHelloDone T0 - 37 ms, ClientKeyExchange + CCS + Finished T0 - 20 ms,
//          CCS + Finished T0 - 10 ms. Each SIP message is one application_data record in one segment.
//   SIP    AOR sip:4079@178.215.139.22, one Call-ID, CSeq 1..6, REGISTER "Expires: 3600" (Via TLS),
//          Contact <sip:4079@10.147.230.79:49901;transport=tls> with the Cisco
//          +sip.instance / devicename / model parameters;
//          200 OK: that Contact plus ";expires=120", no Expires header.
//   Attempt k (k = 0..5): first transmission of the REGISTER at R_k; R_0 = T0,
//     R_(k+1) = OK_k + 115 s (always on time).
//     Retransmissions at R_k + offsets (the last one is delivered, the earlier ones are lost):
//       k = 2: 0.41 s
//       k = 4: 0.4, 1.2, 2.8, 6.0, 12.4, 25.2 s (gaps 0.4, 0.8, 1.6, 3.2, 6.4, 12.8 s)
//       others: none (the first transmission is delivered).
//     D_k = the delivered transmission's time; CUCM pure ACK at D_k + 0.3 ms (delivery),
//     200 OK at OK_k = D_k + 12 ms, phone ACK at D_k + 12.2 ms.
//   Frames: 1-3 TCP handshake, 4-7 TLS handshake, then per attempt: REGISTER, its
//     retransmissions, ACK, 200 OK, phone ACK:
//     k=0: 8-11, k=1: 12-15, k=2: 16 (lost), 17 (retransmission), 18-20, k=3: 21-24,
//     k=4: 25 (lost), 26-31 (retransmissions, 31 delivered), 32-34, k=5: 35-38.  38 frames.
//
// Derived (grant 120 s, delta 5 s, grace 15 s): expected_k = OK_(k-1) + 115 s = R_k, lateness 0,
//   deadline_k = R_k + 15 s; margin_k = deadline_k - (D_k + 0.3 ms):
//   k = 2: 15 - 0.4103 = 14.5897 s;  k = 4: 15 - 25.2003 = -10.2003 s (breach);  others 14.9997 s.
//   Attempt 4's deadline passes with nothing delivered; the first frame past it is frame 31
//   (R_4 + 25.2 s; frame 30 is at R_4 + 12.4 s): grace breach there, overrun 10.2 s.
#include <string>
#include <vector>

#include "scenario.h"
#include "tls.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-tls-retransmission",
            "SIP/TLS phone on 5061: a refresh retransmitted once, then one delivered past the grace window") {
  const Endpoint phone{"00:1b:54:c2:8a:79", "10.147.230.79", 49901};
  const Endpoint cucm{"00:1b:54:c2:8a:40", "178.215.139.22", 5061};
  const TimeNs t0 = utc("2023-05-18 11:00:00.000000");
  // Retransmission offsets from each attempt's first transmission; the last one is delivered.
  const std::vector<std::vector<TimeNs>> retransmissions = {
      {}, {}, {410_ms}, {}, {400_ms, 1200_ms, 2800_ms, 6000_ms, 12400_ms, 25200_ms}, {}};

  Capture cap(LinkType::Ethernet, "phone-side");
  TcpFlow tcp(cap, phone, cucm, FlowOptions::with_isns(1600000000u, 2600000000u));
  tls::Session tls(tls::SessionParams::from_seed(20230518));
  tls::open_session(tcp, tls, t0);

  sip::Register reg = sip::cisco_tls_register(phone, cucm, "4079", "001b54c28a79-79", "001b54c2-8a790001-6f7a8b9c@" + phone.ip.str());

  TimeNs r = t0;
  std::uint32_t cseq = 1;
  for (const std::vector<TimeNs>& resend : retransmissions) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK79" + std::to_string(cseq);
    const Segment s =
        tcp.send(r, Dir::ToServer, tls.application_data(Dir::ToServer, reg.bytes()),
                 resend.empty() ? Delivery::Delivered : Delivery::Lost);
    for (std::size_t i = 0; i < resend.size(); ++i) {
      tcp.retransmit(r + resend[i], s, i + 1 == resend.size() ? Delivery::Delivered : Delivery::Lost);
    }
    const TimeNs delivered = resend.empty() ? r : r + resend.back();
    sip::Response ok = sip::ok(reg, "79" + std::to_string(cseq), {sip::with_expires(reg.contacts[0], 120)});
    ok.server = "Cisco-CUCM11.5";
    r = sip::tcp_answer(tcp, delivered, 12_ms, tls.application_data(Dir::ToClient, ok.bytes())) + 115_s;
    ++cseq;
  }
  out.save_pcap(cap);
  tls::write_keylog(out.path(out.name() + ".keys"), tls.keylog_line());
}
