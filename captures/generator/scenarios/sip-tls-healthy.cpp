// SPDX-License-Identifier: GPL-2.0-or-later
// Healthy SIP over TLS: a phone registering to CUCM on port 5061, refreshing every
// 115 s against a 120 s grant; nothing lost, every REGISTER ACKed at once.
// Writes sip-tls-healthy.pcap and its key log sip-tls-healthy.keys (decrypt with
// `-o tls.keylog_file:sip-tls-healthy.keys`).
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-17 09:00:00.000000 UTC):
//   phone  SEP001B54C28A78 (model "540")  MAC 00:1b:54:c2:8a:78  10.147.230.78:49833
//   CUCM   MAC 00:1b:54:c2:8a:40  178.215.139.22:5061
//   TCP    handshake at T0 - 40 ms, T0 - 39 ms, T0 - 38.9 ms; ISN phone 1500000000, CUCM 2500000000
//   TLS    1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, randoms and master secret from
//          tls::SessionParams::from_seed(20230517); ClientHello T0 - 38.8 ms,
//          ServerHello + ServerHelloDone T0 - 37 ms, ClientKeyExchange + CCS + Finished T0 - 20 ms,
//          CCS + Finished T0 - 10 ms. Each SIP message is one application_data record in one segment.
//   SIP    AOR sip:4078@178.215.139.22, one Call-ID, CSeq 1..8, REGISTER "Expires: 3600" (Via TLS),
//          Contact <sip:4078@10.147.230.78:49833;transport=tls> with the Cisco
//          +sip.instance / devicename / model parameters;
//          200 OK: that Contact plus ";expires=120", no Expires header.
//   Transaction k (k = 0..7): REGISTER at R_k, CUCM pure ACK at R_k + 0.3 ms,
//     200 OK at R_k + 12 ms, phone ACK at R_k + 12.2 ms; R_0 = T0, R_(k+1) = R_k + 12 ms + 115 s.
//   Frames: 1-3 TCP handshake, 4-7 TLS handshake, then 4 per transaction from 8 + 4k:
//     REGISTER, ACK (delivery), 200 OK, phone ACK.  39 frames.
//
// Derived: interval exactly 115 s, lateness 0, margin on each ACK
// = deadline - delivery = (R_k + 15 s) - (R_k + 0.3 ms) = 14.9997 s, no retransmission.
#include <string>

#include "scenario.h"
#include "tls.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-tls-healthy", "SIP/TLS phone on 5061 refreshing every 115 s against a 120 s grant, no loss") {
  const Endpoint phone{"00:1b:54:c2:8a:78", "10.147.230.78", 49833};
  const Endpoint cucm{"00:1b:54:c2:8a:40", "178.215.139.22", 5061};
  const TimeNs t0 = utc("2023-05-17 09:00:00.000000");
  constexpr int kTransactions = 8;

  Capture cap;
  TcpFlow tcp(cap, phone, cucm, FlowOptions::with_isns(1500000000u, 2500000000u));
  tls::Session tls(tls::SessionParams::from_seed(20230517));
  tls::open_session(tcp, tls, t0);

  sip::Register reg = sip::cisco_tls_register(phone, cucm, "4078", "001b54c28a78-78", "001b54c2-8a780001-5e6f7a8b@" + phone.ip.str());

  TimeNs t = t0;
  for (std::uint32_t cseq = 1; cseq <= kTransactions; ++cseq) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK78" + std::to_string(cseq);
    const Bytes request = tls.application_data(Dir::ToServer, reg.bytes());
    sip::Response ok = sip::ok(reg, "78" + std::to_string(cseq), {sip::with_expires(reg.contacts[0], 120)});
    ok.server = "Cisco-CUCM11.5";
    t = sip::tcp_transaction(tcp, t, request, 12_ms, tls.application_data(Dir::ToClient, ok.bytes())) + 115_s;
  }
  out.save_pcap(cap);
  tls::write_keylog(out.path(out.name() + ".keys"), tls.keylog_line());
}
