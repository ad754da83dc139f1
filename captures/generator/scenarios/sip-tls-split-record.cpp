// SPDX-License-Identifier: GPL-2.0-or-later
// SIP over TLS with a REGISTER too long for one TCP segment: each REGISTER is one TLS record that
// the phone sends in two segments, and Wireshark decrypts it in the frame of the second. On two
// refreshes the first segment is lost (the second arrives and waits behind the hole) and TCP
// retransmits it: those retransmissions are the REGISTER's, naming the first segment as its first
// transmission. Writes sip-tls-split-record.pcap and its key log sip-tls-split-record.keys.
//
// Parameters (phone-side capture, Ethernet, microsecond pcap, T0 = 2023-05-19 08:00:00.000000 UTC):
//   phone  SEP001B54C28A7A (model "540")  MAC 00:1b:54:c2:8a:7a  10.147.230.80:49902
//   CUCM   MAC 00:1b:54:c2:8a:40  178.215.139.22:5061
//   TCP    handshake at T0 - 40 ms, T0 - 39 ms, T0 - 38.9 ms; ISN phone 1700000000, CUCM 2700000000;
//          MSS 1460
//   TLS    1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, randoms and master secret from
//          tls::SessionParams::from_seed(20230519); ClientHello T0 - 38.8 ms,
//          ServerHello + ServerHelloDone T0 - 37 ms, ClientKeyExchange + CCS + Finished T0 - 20 ms,
//          CCS + Finished T0 - 10 ms.
//   SIP    AOR sip:4080@178.215.139.22, one Call-ID, CSeq 1..4, REGISTER "Expires: 3600" (Via TLS),
//          Contact <sip:4080@10.147.230.80:49902;transport=tls> with the Cisco
//          +sip.instance / devicename / model parameters, Cisco's Supported list and the
//          multipart remotecc body Cisco phones register with (optionsind):
//          REGISTER 1,784 bytes (926 of them body), its application_data record 1,813 (5 header,
//          8 nonce, 16 tag), sent as 1,460 + 353 bytes, the second segment 120 us after the first
//          (PSH on it only).
//          200 OK: that Contact plus ";expires=120", no Expires header, one segment.
//   Attempt k (k = 0..3): the REGISTER's first segment at R_k, its second at R_k + 120 us;
//     R_0 = T0, R_(k+1) = OK_k + 115 s (always on time).
//     Retransmissions of the first segment at R_k + offsets (the last one delivered, the earlier
//     ones lost; the second segment is always delivered):
//       k = 1: 0.4 s
//       k = 3: 0.4, 1.2 s
//       others: none (both segments delivered).
//     D_k = when CUCM has the whole record: the second segment (R_k + 120 us) or the delivered
//     retransmission. CUCM sends one pure ACK at D_k + 0.3 ms covering both segments (delivery;
//     none for the segment held behind the hole), 200 OK at OK_k = D_k + 12 ms, phone ACK at
//     D_k + 12.2 ms.
//   Frames: 1-3 TCP handshake, 4-7 TLS handshake, then per attempt: the REGISTER's two segments,
//     the retransmissions, ACK, 200 OK, phone ACK:
//     k=0: 8-9, 10-12; k=1: 13 (lost), 14, 15 (retransmission), 16-18; k=2: 19-20, 21-23;
//     k=3: 24 (lost), 25, 26 (lost), 27 (delivered), 28-30.  30 frames.
//
// Derived (grant 120 s, delta 5 s, grace 15 s): expected_k = OK_(k-1) + 115 s = R_k, deadline_k =
//   R_k + 15 s. The REGISTER is read in its second segment (R_k + 120 us): lateness 120 us,
//   interval 115.00012 s. A retransmission's gap runs from the previous transmission of the
//   REGISTER, the first from the second segment: k = 1: 0.39988 s; k = 3: 0.39988 s, 0.8 s.
//   Each retransmission names the first segment as the first transmission: frame 15 -> 13 (count 1),
//   frames 26, 27 -> 24 (counts 1, 2). Delivery (CUCM's ACK) margin_k = deadline_k - (D_k + 0.3 ms):
//   k = 1 (frame 16): 15 - 0.4003 = 14.5997 s; k = 3 (frame 28): 15 - 1.2003 = 13.7997 s;
//   k = 2 (frame 21): 15 - 0.00042 = 14.99958 s. No loss pattern (no two attempts in a row lose),
//   no breach, nothing held behind an earlier retransmission.
#include <string>
#include <vector>

#include "scenario.h"
#include "tls.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

// The remote call control options a Cisco phone announces in its REGISTER (its first one also asks
// for every line's registration, bulkregisterreq, which a refresh leaves out).
const char* const kRemoteccBody =
    "--uniqueBoundary\r\n"
    "Content-Type: application/x-cisco-remotecc-request+xml\r\n"
    "Content-Disposition: session;handling=required\r\n"
    "\r\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
    "<x-cisco-remotecc-request>\r\n"
    "<optionsind>\r\n"
    "<combine max=\"6\">\r\n"
    "<service-control></service-control>\r\n"
    "</combine>\r\n"
    "<dialog usage=\"hold reversion\">\r\n"
    "<unot></unot>\r\n"
    "<sub></sub>\r\n"
    "</dialog>\r\n"
    "<dialog usage=\"transfer\">\r\n"
    "<unot></unot>\r\n"
    "<sub></sub>\r\n"
    "</dialog>\r\n"
    "<dialog usage=\"conference\">\r\n"
    "<unot></unot>\r\n"
    "<sub></sub>\r\n"
    "</dialog>\r\n"
    "<dialog usage=\"shared line\">\r\n"
    "<unot></unot>\r\n"
    "<sub></sub>\r\n"
    "</dialog>\r\n"
    "<presence usage=\"blf speed dial\">\r\n"
    "<unot></unot>\r\n"
    "<sub></sub>\r\n"
    "</presence>\r\n"
    "<joinreq></joinreq>\r\n"
    "<cfwdall-anyline></cfwdall-anyline>\r\n"
    "<coaching></coaching>\r\n"
    "<oosalarm></oosalarm>\r\n"
    "<x-cisco-number></x-cisco-number>\r\n"
    "<bfcp></bfcp>\r\n"
    "<ix></ix>\r\n"
    "<gatewayrecording></gatewayrecording>\r\n"
    "<conferencing></conferencing>\r\n"
    "</optionsind>\r\n"
    "</x-cisco-remotecc-request>\r\n"
    "\r\n"
    "--uniqueBoundary--\r\n";

}  // namespace

KA_SCENARIO("sip-tls-split-record",
            "SIP/TLS phone whose REGISTER record spans two segments: the first segment lost and resent") {
  const Endpoint phone{"00:1b:54:c2:8a:7a", "10.147.230.80", 49902};
  const Endpoint cucm{"00:1b:54:c2:8a:40", "178.215.139.22", 5061};
  const TimeNs t0 = utc("2023-05-19 08:00:00.000000");
  const std::size_t mss = 1460;
  const TimeNs spacing = 120_us;  // the second segment after the first, back to back
  // Retransmission offsets of the first segment; the last one is delivered.
  const std::vector<std::vector<TimeNs>> retransmissions = {{}, {400_ms}, {}, {400_ms, 1200_ms}};

  Capture cap(LinkType::Ethernet, "phone-side");
  TcpFlow tcp(cap, phone, cucm, FlowOptions::with_isns(1700000000u, 2700000000u));
  tls::Session tls(tls::SessionParams::from_seed(20230519));
  tls::open_session(tcp, tls, t0);

  sip::Register reg = sip::cisco_tls_register(phone, cucm, "4080", "001b54c28a7a-7a", "001b54c2-8a7a0001-7b8c9d0e@" + phone.ip.str());
  reg.extra_headers = {
      {"Supported",
       "replaces,join,sdp-anat,norefersub,resource-priority,extended-refer,X-cisco-callinfo,X-cisco-serviceuri,"
       "X-cisco-escapecodes,X-cisco-service-control,X-cisco-srtp-fallback,X-cisco-monrec,X-cisco-config,"
       "X-cisco-sis-7.0.0,X-cisco-xsi-8.5.1"},
      {"Mime-Version", "1.0"}};
  reg.content_type = "multipart/mixed; boundary=uniqueBoundary";
  reg.body = kRemoteccBody;

  TimeNs r = t0;
  std::uint32_t cseq = 1;
  for (const std::vector<TimeNs>& resend : retransmissions) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK7a" + std::to_string(cseq);
    const Bytes record = tls.application_data(Dir::ToServer, reg.bytes());
    // Two segments, so that the frame numbers above hold (send_split checks the count).
    const std::vector<Segment> segs = tcp.send_split(
        r, Dir::ToServer, record, mss, spacing,
        {resend.empty() ? Delivery::Delivered : Delivery::Lost, Delivery::Delivered});
    for (std::size_t i = 0; i < resend.size(); ++i) {
      tcp.retransmit(r + resend[i], segs[0], i + 1 == resend.size() ? Delivery::Delivered : Delivery::Lost);
    }
    const TimeNs delivered = resend.empty() ? r + spacing : r + resend.back();
    sip::Response ok = sip::ok(reg, "7a" + std::to_string(cseq), {sip::with_expires(reg.contacts[0], 120)});
    ok.server = "Cisco-CUCM11.5";
    r = sip::tcp_answer(tcp, delivered, 12_ms, tls.application_data(Dir::ToClient, ok.bytes())) + 115_s;
    ++cseq;
  }
  out.save_pcap(cap);
  tls::write_keylog(out.path(out.name() + ".keys"), tls.keylog_line());
}
