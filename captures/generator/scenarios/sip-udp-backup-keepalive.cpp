// A Cisco SIP phone registered to its primary CUCM and sending keepalive
// REGISTERs (Expires 0 + cisco-keep-alive) to the backup CUCM, then really
// de-registering from the primary while the backup keepalives go on.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 07:00:00.000000 UTC):
//   phone    SEP00AABB112233 (model "437")  MAC 00:aa:bb:11:22:33  10.60.98.210:5060
//   primary  MAC 00:50:56:8e:30:01  10.60.1.10:5060
//   backup   MAC 00:50:56:8e:30:02  10.60.1.11:5060
//   SIP      AOR sip:6098@10.60.1.10 (To of both), Cisco Contact <sip:6098@10.60.98.210:5060>
//   Primary, Call-ID "00aabb11-prim@10.60.98.210": REGISTER "Expires: 3600" CSeq 1..5 at R_k,
//     200 OK (Contact ;expires=120) at R_k + 10 ms; R_0 = T0, R_(k+1) = R_k + 10 ms + 115 s.
//     De-registration: CSeq 6 at D = R_4 + 10 ms + 60 s with "Expires: 0" and Contact
//     ;expires=0 (no cisco-keep-alive), 200 OK (no Contact) at D + 10 ms.
//   Backup, Call-ID "00aabb11-back@10.60.98.210": REGISTER "Expires: 0", Contact
//     ;expires=0;cisco-keep-alive, CSeq 1..7 at B_j = T0 + 1 s + j * 120 s (j = 0..6),
//     200 OK (no Contact) at B_j + 6 ms.
// Derived: primary refreshes 2..5 on time (interval 115 s, lateness 0, margin 14.99 s);
//   D is refresh number 6 of the primary: one de-registration; afterwards no deadline
//   (the one of R_4's 200 OK, R_4 + 130.01 s, passes before B_5 but is void).
//   Backup: 7 keepalives, role backup, interval B_j - (B_(j-1) + 6 ms) = 119.994 s for j >= 1;
//   no expected time, no breach. No warning or error at all.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-udp-backup-keepalive",
            "Cisco SIP phone: primary registration, cisco-keep-alive REGISTERs to the backup, real de-registration") {
  const Endpoint phone{"00:aa:bb:11:22:33", "10.60.98.210", 5060};
  const Endpoint primary{"00:50:56:8e:30:01", "10.60.1.10", 5060};
  const Endpoint backup{"00:50:56:8e:30:02", "10.60.1.11", 5060};
  const TimeNs t0 = utc("2023-05-15 07:00:00.000000");

  Capture cap;
  UdpFlow to_primary(cap, phone, primary);
  UdpFlow to_backup(cap, phone, backup);
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("6098", phone), phone.mac, "437");
  sip::Register reg = sip::phone_register(phone, "6098", primary.ip.str());
  reg.from_tag = "00aabb112233-6098";
  reg.call_id = "00aabb11-prim@" + phone.ip.str();
  reg.user_agent = "Cisco-CP7975G/9.4.2";
  reg.expires = 3600;
  reg.contacts = {contact};

  TimeNs r = t0;
  for (std::uint32_t cseq = 1; cseq <= 5; ++cseq) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bKp" + std::to_string(cseq);
    to_primary.send(r, Dir::ToServer, reg.bytes());
    to_primary.send(r + 10_ms, Dir::ToClient, sip::ok(reg, "p" + std::to_string(cseq), {sip::with_expires(contact, 120)}).bytes());
    if (cseq < 5) r += 10_ms + 115_s;
  }
  const TimeNs d = r + 10_ms + 60_s;
  reg.cseq = 6;
  reg.branch = "z9hG4bKp6";
  reg.expires = 0;
  reg.contacts = {sip::with_expires(contact, 0)};
  to_primary.send(d, Dir::ToServer, reg.bytes());
  to_primary.send(d + 10_ms, Dir::ToClient, sip::ok(reg, "p6").bytes());

  sip::Register keep = reg;
  keep.request_uri = "sip:" + backup.ip.str();
  keep.call_id = "00aabb11-back@" + phone.ip.str();
  sip::Contact keep_contact = sip::with_expires(contact, 0);
  keep_contact.params.push_back("cisco-keep-alive");
  keep.contacts = {keep_contact};
  for (std::uint32_t j = 0; j <= 6; ++j) {
    keep.cseq = j + 1;
    keep.branch = "z9hG4bKb" + std::to_string(j + 1);
    const TimeNs b = t0 + 1_s + static_cast<TimeNs>(j) * 120_s;
    to_backup.send(b, Dir::ToServer, keep.bytes());
    to_backup.send(b + 6_ms, Dir::ToClient, sip::ok(keep, "b" + std::to_string(j + 1)).bytes());
  }
  out.save_pcap(cap);
}
