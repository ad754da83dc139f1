// Two SIP phones whose refreshes are on the registrar's right side of the
// deadline: one refreshes at half the grant (early, as many SIP stacks do), the
// other refreshes late but inside the grace window.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-16 10:00:00.000000 UTC,
// registrar MAC 00:50:56:8e:50:01 10.70.1.10:5060, 200 OK 20 ms after each REGISTER
// with the phone's Contact plus ";expires=120", REGISTER "Expires: 3600"):
//   phone A  SEP00CCDD000001  MAC 00:cc:dd:00:00:01  10.70.2.1:5060, AOR sip:7001@10.70.1.10
//            CSeq 1..6, R_0 = T0, R_(k+1) = R_k + 20 ms + 60 s (half the grant).
//   phone B  SEP00CCDD000002  MAC 00:cc:dd:00:00:02  10.70.2.2:5060, AOR sip:7002@10.70.1.10
//            CSeq 1..4, S_0 = T0 + 5 s, S_(k+1) = S_k + 20 ms + 115 s + L_(k+1),
//            L_1 = 4 s, L_2 = 9 s, L_3 = 14 s.
// Derived (delta 5 s, grace 15 s, tolerance 1 s):
//   phone A: interval 60 s, lateness -55 s, margin on each 200 OK 69.98 s; nothing raised.
//   phone B: refresh k (k = 1..3) interval 115 s + L_k, lateness L_k (a late warning each),
//            margin 15 - L_k - 0.02 s = 10.98, 5.98, 0.98 s; no grace breach.
//   Frames interleave by time; A's REGISTERs and 200 OKs are frames with source/destination 10.70.2.1.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

struct Phone {
  Endpoint ep;
  std::string number;
};

}  // namespace

KA_SCENARIO("sip-udp-refresh-timing", "SIP/UDP: one phone refreshing at half the grant, one late but inside the grace") {
  const Endpoint registrar{"00:50:56:8e:50:01", "10.70.1.10", 5060};
  const TimeNs t0 = utc("2023-05-16 10:00:00.000000");
  const Phone a{{"00:cc:dd:00:00:01", "10.70.2.1", 5060}, "7001"};
  const Phone b{{"00:cc:dd:00:00:02", "10.70.2.2", 5060}, "7002"};

  Capture cap;
  auto run = [&](const Phone& p, TimeNs first, std::uint32_t count, const std::vector<TimeNs>& gaps) {
    UdpFlow udp(cap, p.ep, registrar);
    const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri(p.number, p.ep), p.ep.mac, "437");
    sip::Register reg = sip::phone_register(p.ep, p.number, registrar.ip.str());
    reg.from_tag = "tag" + p.number;
    reg.call_id = "call-" + p.number + "@" + p.ep.ip.str();
    reg.expires = 3600;
    reg.contacts = {contact};
    TimeNs t = first;
    for (std::uint32_t k = 0; k < count; ++k) {
      reg.cseq = k + 1;
      reg.branch = "z9hG4bK" + p.number + "x" + std::to_string(k + 1);
      udp.send(t, Dir::ToServer, reg.bytes());
      udp.send(t + 20_ms, Dir::ToClient, sip::ok(reg, "ok" + std::to_string(k + 1), {sip::with_expires(contact, 120)}).bytes());
      if (k + 1 < count) t += 20_ms + gaps[k];
    }
  };
  run(a, t0, 6, std::vector<TimeNs>(5, 60_s));
  run(b, t0 + 5_s, 4, {115_s + 4_s, 115_s + 9_s, 115_s + 14_s});
  out.save_pcap(cap);
}
