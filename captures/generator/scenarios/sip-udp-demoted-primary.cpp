// A Cisco SIP phone captured at its call manager, which it demotes from primary to backup and
// later promotes back: healthy throughout, the old grant must neither breach nor make the return
// late.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-18 07:00:00.000000 UTC):
//   phone    SEP00AABB445566 (model "437")  MAC 00:aa:bb:44:55:66  10.60.98.220:5060
//   CM       MAC 00:50:56:8e:30:01  10.60.1.10:5060
//   SIP      AOR sip:6099@10.60.1.10, Cisco Contact <sip:6099@10.60.98.220:5060>,
//            Call-ID "00aabb44-cm1@10.60.98.220" throughout, CSeq 1, 2, ... in frame order.
//   Primary: REGISTER "Expires: 3600" at R_k (k = 0..2), 200 OK (Contact ;expires=120) at
//     R_k + 10 ms; R_0 = T0, R_(k+1) = R_k + 10 ms + 115 s.
//   Demoted: REGISTER "Expires: 0", Contact ;expires=0;cisco-keep-alive at
//     B_j = R_2 + 10 ms + 60 s * (j + 1) (j = 0..4), 200 OK (no Contact) at B_j + 6 ms.
//   Promoted: REGISTER "Expires: 3600" at P_k (k = 0..2), 200 OK (Contact ;expires=120) at
//     P_k + 10 ms; P_0 = B_4 + 60 s, P_(k+1) = P_k + 10 ms + 115 s.
// Frames: 1-6 primary, 7-16 backup keepalives (REGISTER on odd frames), 17-22 promoted.
// Derived: primary refreshes (frames 3, 5) lateness 0, margin 14.99 s. The 200 OK of frame 6
//   sets deadline R_2 + 130.01 s, which B_1 (R_2 + 120.01 s) precedes and B_2 passes: no breach,
//   the binding expects no refresh once demoted. Keepalives: role backup, backup_keepalive each;
//   frame 7 interval 60 s, frames 9-15 interval 60 s - 6 ms; no lateness, no margin on their
//   200 OKs. Frame 17 (P_0): role primary, no lateness; frame 18 grants 120 s, expected
//   P_0 + 10 ms + 115 s. Frames 19, 21: interval 115 s, lateness 0, prev 18, 20; margins on 20,
//   22: 14.99 s. Experts: backup_keepalive on frames 7, 9, 11, 13, 15 and nothing else.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-udp-demoted-primary",
            "Cisco SIP phone demotes its primary CUCM to backup keepalives, then promotes it back: silent") {
  const Endpoint phone{"00:aa:bb:44:55:66", "10.60.98.220", 5060};
  const Endpoint cm{"00:50:56:8e:30:01", "10.60.1.10", 5060};
  const TimeNs t0 = utc("2023-05-18 07:00:00.000000");

  Capture cap;
  UdpFlow flow(cap, phone, cm);
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("6099", phone), phone.mac, "437");
  sip::Contact keep_contact = sip::with_expires(contact, 0);
  keep_contact.params.push_back("cisco-keep-alive");
  sip::Register reg = sip::phone_register(phone, "6099", cm.ip.str());
  reg.from_tag = "00aabb445566-6099";
  reg.call_id = "00aabb44-cm1@" + phone.ip.str();
  reg.user_agent = "Cisco-CP7975G/9.4.2";

  std::uint32_t cseq = 0;
  const auto primary = [&](TimeNs at) {
    reg.cseq = ++cseq;
    reg.branch = "z9hG4bKd" + std::to_string(cseq);
    reg.expires = 3600;
    reg.contacts = {contact};
    flow.send(at, Dir::ToServer, reg.bytes());
    flow.send(at + 10_ms, Dir::ToClient, sip::ok(reg, "d" + std::to_string(cseq), {sip::with_expires(contact, 120)}).bytes());
    return at + 10_ms;
  };
  TimeNs ok = t0;
  for (int k = 0; k < 3; ++k) ok = primary(k ? ok + 115_s : t0);
  TimeNs b = ok;
  for (int j = 0; j < 5; ++j) {
    b += 60_s;
    reg.cseq = ++cseq;
    reg.branch = "z9hG4bKd" + std::to_string(cseq);
    reg.expires = 0;
    reg.contacts = {keep_contact};
    flow.send(b, Dir::ToServer, reg.bytes());
    flow.send(b + 6_ms, Dir::ToClient, sip::ok(reg, "d" + std::to_string(cseq)).bytes());
  }
  ok = primary(b + 60_s);
  for (int k = 1; k < 3; ++k) ok = primary(ok + 115_s);
  out.save_pcap(cap);
}
