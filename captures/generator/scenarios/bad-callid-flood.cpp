// Robustness: 100,000 REGISTERs from one address, each with a new Call-ID, none answered (a phone
// in a reboot loop, or a scanner). Memory must stay bounded: the analysis may not keep a
// transaction per Call-ID forever.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 17:00:00 UTC):
//   registrar MAC 00:50:56:37:00:01, 10.37.0.1:5060 (UDP)
//   phone MAC 00:24:14:37:00:66, 10.37.0.66:5060, SEP002414370066, AOR sip:4666@10.37.0.1,
//     Cisco Contact, REGISTER Expires 3600.
//   REGISTER n (n = 0..99999) at T0 + n ms, Call-ID flood-<n>@10.37.0.66, CSeq 1,
//   branch z9hG4bKflood<n>. 100,000 frames.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-callid-flood", "Robustness: 100,000 unanswered REGISTERs with distinct Call-IDs from one address") {
  const TimeNs t0 = utc("2023-05-15 17:00:00.000000");
  const Endpoint reg_ep{"00:50:56:37:00:01", "10.37.0.1", 5060};
  const Endpoint phone{"00:24:14:37:00:66", "10.37.0.66", 5060};
  Capture cap;
  UdpFlow udp(cap, phone, reg_ep);
  sip::Register reg = sip::phone_register(phone, "4666", reg_ep.ip.str());
  reg.from_tag = "flood";
  reg.expires = 3600;
  reg.contacts = {sip::cisco_phone_contact(sip::contact_uri("4666", phone), phone.mac, "437")};
  for (int n = 0; n < 100000; ++n) {
    reg.call_id = "flood-" + std::to_string(n) + "@" + phone.ip.str();
    reg.branch = "z9hG4bKflood" + std::to_string(n);
    udp.send(t0 + millis(n), Dir::ToServer, reg.bytes());
  }
  out.save_pcap(cap);
}
