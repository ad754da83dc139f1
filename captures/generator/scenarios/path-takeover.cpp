// A registrar's virtual address moves to a standby without a virtual MAC (keepalived's default):
// the standby announces it with gratuitous ARP, the old master sends one answer it had in flight,
// a phone's later ARP request is answered by the standby. Healthy: the old MAC goes silent.
// path-duplicate-address: the same, but the old master goes on using the address (a duplicate
// address): its next answer after the new MAC's own frames is the mismatch, and a phone's
// REGISTER to the new MAC after it is misdirected.
//
// Parameters (Ethernet, microsecond pcap, SPAN of the voice VLAN, T0 = 2023-05-22 09:00:00 UTC):
//   registrar  10.40.0.1:5060 (UDP), node1 MAC 52:54:00:40:00:01, node2 MAC 52:54:00:40:00:02
//   phone A    00:24:14:40:00:0a  10.40.0.10:5060  user 4010, Call-ID a@10.40.0.10
//   phone B    00:24:14:40:00:0b  10.40.0.11:5060  user 4011, Call-ID b@10.40.0.11
//   phone C    00:24:14:40:00:0c  10.40.0.12:5060  user 4012, Call-ID c@10.40.0.12
//   Every 200 OK grants 120 s and comes 2 ms after its REGISTER, but B's first (5 ms).
// Timeline (offset from T0), frame numbers in brackets:
//   [1] 0.000000 A's ARP request for 10.40.0.1; [2] 0.000200 node1's reply
//   [3, 4] 1.000000 A's REGISTER (CSeq 1) to node1, its 200 OK from node1
//   [5, 6] 50.000000 C's REGISTER (CSeq 1) to node1, its 200 OK from node1
//   [7] 99.999000 B's REGISTER (CSeq 1) to node1
//   [8, 9] 100.000000, 100.001000 node2's gratuitous ARP requests for 10.40.0.1
//   [10] 100.004000 node1's 200 OK to B, in flight at the switchover
//   [11] 107.000000 B's ARP request; [12] 107.000200 node2's reply
//   [13, 14] 107.001000 B's REGISTER (CSeq 2) to node2, its 200 OK from node2
//   [15, 16] 116.000000 A's REGISTER (CSeq 2) to node2 (A took the announcement), 200 OK from node2
//   path-duplicate-address only:
//   [17, 18] 117.000000 C's REGISTER (CSeq 2) to node1 (C did not), its 200 OK from node1
//   [19, 20] 117.500000 A's REGISTER (CSeq 3) to node2, its 200 OK from node2
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void takeover(ScenarioOutput& out, bool duplicate) {
  const Mac node1 = "52:54:00:40:00:01", node2 = "52:54:00:40:00:02";
  const IpAddr vip = "10.40.0.1";
  const TimeNs t0 = utc("2023-05-22 09:00:00.000000");

  Capture cap(LinkType::Ethernet, "voice-vlan-span");
  struct Phone {
    UdpFlow udp;
    sip::Register reg;
    sip::Contact contact;
  };
  const auto phone = [&](const char* mac, const char* ip, const std::string& user, const std::string& name) {
    const Endpoint ep{mac, ip, 5060};
    Phone p{UdpFlow(cap, ep, Endpoint{node1, vip, 5060}), sip::phone_register(ep, user, vip.str()), {}};
    p.contact = sip::cisco_phone_contact(sip::contact_uri(user, ep), ep.mac, "8845");
    p.reg.from_tag = "t" + name;
    p.reg.call_id = name + "@" + ep.ip.str();
    p.reg.cseq = 0;  // each request() counts up
    p.reg.expires = 120;
    p.reg.contacts = {p.contact};
    return p;
  };
  Phone a = phone("00:24:14:40:00:0a", "10.40.0.10", "4010", "a");
  Phone b = phone("00:24:14:40:00:0b", "10.40.0.11", "4011", "b");
  Phone c = phone("00:24:14:40:00:0c", "10.40.0.12", "4012", "c");
  const auto request = [&](Phone& p, TimeNs t) {
    ++p.reg.cseq;
    p.reg.branch = p.reg.from_tag + std::to_string(p.reg.cseq);
    p.udp.send(t, Dir::ToServer, p.reg.bytes());
  };
  const auto answer = [&](Phone& p, TimeNs t) {
    p.udp.send(t, Dir::ToClient, sip::ok(p.reg, "ok" + p.reg.from_tag, {sip::with_expires(p.contact, 120)}).bytes());
  };
  const auto to_node2 = [&](Phone& p) {
    p.udp.set_macs(Dir::ToServer, p.udp.client().mac, node2);
    p.udp.set_macs(Dir::ToClient, node2, p.udp.client().mac);
  };

  add_arp_resolution(cap, t0, Endpoint{a.udp.client().mac, a.udp.client().ip}, Endpoint{node1, vip}, 200_us);
  request(a, t0 + 1_s);
  answer(a, t0 + 1002_ms);
  request(c, t0 + 50_s);
  answer(c, t0 + 50002_ms);
  request(b, t0 + 99999_ms);
  cap.add(t0 + 100_s, gratuitous_arp(node2, vip));
  cap.add(t0 + 100001_ms, gratuitous_arp(node2, vip));
  answer(b, t0 + 100004_ms);
  add_arp_resolution(cap, t0 + 107_s, Endpoint{b.udp.client().mac, b.udp.client().ip}, Endpoint{node2, vip}, 200_us);
  to_node2(b);
  request(b, t0 + 107001_ms);
  answer(b, t0 + 107003_ms);
  to_node2(a);
  request(a, t0 + 116_s);
  answer(a, t0 + 116002_ms);
  if (duplicate) {
    request(c, t0 + 117_s);
    answer(c, t0 + 117002_ms);
    request(a, t0 + 117500_ms);
    answer(a, t0 + 117502_ms);
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("path-takeover",
            "A standby takes over a registrar's address with gratuitous ARP, the old master silent after one in-flight answer: no alarm") {
  takeover(out, false);
}

KA_SCENARIO("path-duplicate-address",
            "A second MAC takes over a registrar's address while the old one goes on answering: ARP mismatch, misdirected") {
  takeover(out, true);
}
