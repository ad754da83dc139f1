// Healthy twin of the path family for a long capture: addresses announced or answered for by a
// MAC that then went silent are used an hour later by another MAC (a replaced phone, a DHCP lease
// given to a new device). No ARP alarm: the old MAC is no longer in use (SPEC §3.4).
//
// Parameters (Ethernet, microsecond pcap, SPAN of the voice VLAN, T0 = 2023-05-20 08:00:00 UTC):
//   gateway  10.20.40.1  MAC 00:1a:2b:00:40:01
//   A        10.20.40.50: old phone MAC 00:1e:4a:00:40:50, new phone MAC 00:1e:4a:00:40:51
//   B        10.20.40.60: old NIC MAC 00:25:b5:00:40:60, new NIC MAC 00:25:b5:00:40:61
//   DNS      10.1.1.53, behind the gateway
// Timeline (offset from T0):
//   0.000000  gratuitous ARP: 10.20.40.50 is at the old phone's MAC (it boots, then is unplugged)
//   1.000000  ARP request (gateway) who has 10.20.40.60; 1.000300 reply from B's old MAC
//   every 600 s from 0 to 3600: the gateway's ARP request for 10.20.40.99 (nobody answers), to
//            keep the capture going
//   3600.000000  new phone at 10.20.40.50: DNS query via the gateway; 3600.001000 the answer
//   3601.000000  B's new NIC: DNS query via the gateway; 3601.001000 the answer
//   14 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("path-address-reused-late",
            "ARP by MACs that went silent, the addresses used by other MACs an hour later: no alarm") {
  const Mac gw_mac = "00:1a:2b:00:40:01";
  const IpAddr gw = "10.20.40.1";
  const Mac phone_old = "00:1e:4a:00:40:50", phone_new = "00:1e:4a:00:40:51";
  const Mac nic_old = "00:25:b5:00:40:60", nic_new = "00:25:b5:00:40:61";
  const TimeNs t0 = utc("2023-05-20 08:00:00.000000");

  Capture cap(LinkType::Ethernet, "voice-vlan-span");
  cap.add(t0, gratuitous_arp(phone_old, "10.20.40.50"));
  add_arp_resolution(cap, t0 + 1_s, Endpoint{gw_mac, gw}, Endpoint{nic_old, "10.20.40.60"}, 300_us);
  for (int k = 0; k <= 6; ++k) cap.add(t0 + seconds(600 * k) + 2_s, arp_request(gw_mac, gw, "10.20.40.99"));

  // A query for "cucm" type A, and the server's answer (NXDOMAIN).
  const Bytes question = concat(Bytes{4}, std::string_view("cucm"), Bytes{0, 0, 1, 0, 1});
  const Bytes query = concat(Bytes{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}, question);
  const Bytes answer = concat(Bytes{0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0}, question);
  UdpFlow a(cap, Endpoint{phone_new, "10.20.40.50", 53050}, Endpoint{gw_mac, "10.1.1.53", 53});
  a.send(t0 + 3600_s, Dir::ToServer, query);
  a.send(t0 + 3600_s + 1_ms, Dir::ToClient, answer);
  UdpFlow b(cap, Endpoint{nic_new, "10.20.40.60", 53060}, Endpoint{gw_mac, "10.1.1.53", 53});
  b.send(t0 + 3601_s, Dir::ToServer, query);
  b.send(t0 + 3601_s + 1_ms, Dir::ToClient, answer);
  out.save_pcap(cap);
}
