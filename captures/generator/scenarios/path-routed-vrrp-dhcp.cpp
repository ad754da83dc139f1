// Healthy path changes that must raise no ARP alarm: an SCCP phone reaches a routed call manager
// through a VRRP gateway that fails over, the phone's DHCP address changes, a local server's NIC
// is replaced (the old MAC goes silent) and the phone's old address is leased to a PC.
//
// Parameters (Ethernet, microsecond pcap, SPAN of the voice VLAN, T0 = 2023-05-15 14:00:00 UTC):
//   phone      SEP001E4A3456AB  MAC 00:1e:4a:34:56:ab  10.20.30.40 (ports 50001, later 50002),
//              from 150.5 s 10.20.30.41
//   gateway    10.20.30.1, VRRP VRID 10, virtual MAC 00:00:5e:00:01:0a
//   R1         10.20.30.2  MAC 00:1a:2b:00:00:02 (master until 100 s)
//   R2         10.20.30.3  MAC 00:1a:2b:00:00:03 (master from 100 s)
//   CM         10.1.1.10:2000, behind the gateway: its frames carry the master's real MAC
//   TFTP       10.20.30.20:69, MAC 00:25:b5:00:00:20, replaced by 00:25:b5:00:00:21
//   PC         MAC 3c:52:82:aa:bb:cc, 10.20.30.40 from 300 s, talks to DNS 10.1.1.53:53
// Timeline (offset from T0):
//   VRRP advertisements (224.0.0.18, virtual MAC as source) every 30 s from 0 s: R1's address
//     until 90 s, R2's from 100 s (300 s included)
//   0.100000  ARP request who has .1 (phone); 0.100200 reply .1 is at the virtual MAC
//   0.200000  phone -> TFTP 10.20.30.20:69 (UDP, 20 bytes); 0.201000 TFTP -> phone from the old MAC
//   session 1 (phone 10.20.30.40:50001): handshake 1.000/1.0004/1.0005, RegisterReq 1.001,
//     RegisterAck 30/60 1.003, ACK 1.0032; KeepAliveReq at 1.001 + 30k (k = 1..4), KeepAliveAck
//     1 ms later, phone ACK 200 us after it. Phone frames to the virtual MAC; the CM's from R1,
//     from R2 after the failover.
//   100.000000 VRRP failover: gratuitous ARP .1 at the virtual MAC (sent by R2)
//   150.000000 phone FIN, 150.0003 CM FIN/ACK, 150.0004 phone ACK (DHCP lease change)
//   150.500000 gratuitous ARP 10.20.30.41 at the phone's MAC
//   session 2 (phone 10.20.30.41:50002): handshake 151.000/151.0004/151.0005, RegisterReq
//     151.001, RegisterAck 151.003, ACK 151.0032, keepalives at 151.001 + 30k (k = 1..5) as above
//   250.000000 ARP request who has .20 (phone); 250.000300 reply from the new TFTP MAC (the old
//     one has been silent since 0.201 s); 250.001 read request, 250.002 data from the new MAC
//   300.000000 gratuitous ARP 10.20.30.40 at the PC's MAC; 300.500 PC -> DNS query (via the
//     virtual MAC), 300.501 NXDOMAIN answer (from R2)
//   66 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("path-routed-vrrp-dhcp",
            "Routed SCCP call manager via a VRRP gateway that fails over, DHCP address change, NIC swap: no alarm") {
  const Mac phone_mac = "00:1e:4a:34:56:ab";
  const Mac vmac = "00:00:5e:00:01:0a";
  const Mac r1 = "00:1a:2b:00:00:02";
  const Mac r2 = "00:1a:2b:00:00:03";
  const IpAddr gw = "10.20.30.1";
  const IpAddr r1_ip = "10.20.30.2";
  const IpAddr r2_ip = "10.20.30.3";
  const Mac tftp_old = "00:25:b5:00:00:20";
  const Mac tftp_new = "00:25:b5:00:00:21";
  const Mac pc = "3c:52:82:aa:bb:cc";
  const TimeNs t0 = utc("2023-05-15 14:00:00.000000");

  Capture cap(LinkType::Ethernet, "voice-vlan-span");

  // VRRPv2 advertisement for VRID 10 / 10.20.30.1, 1 s advertisement interval.
  auto advert = [&](TimeNs t, const IpAddr& from, std::uint8_t priority) {
    Bytes v{0x21, 10, priority, 1, 0, 1, 0, 0};
    append(v, gw.bytes());
    put_zeros(v, 8);
    const std::uint16_t sum = internet_checksum(v);
    v[6] = static_cast<std::uint8_t>(sum >> 8);
    v[7] = static_cast<std::uint8_t>(sum);
    IpOptions o;
    o.ttl = 255;
    LinkAddressing a;
    a.src = vmac;
    a.dst = "01:00:5e:00:00:12";
    cap.add(t, link_frame(LinkType::Ethernet, a, ethertype::IPv4, ipv4(from, "224.0.0.18", 112, v, o)));
  };
  for (int k = 0; k <= 10; ++k) {
    const TimeNs t = t0 + seconds(30 * k);
    if (t < t0 + 100_s) advert(t, r1_ip, 200);
    else advert(t, r2_ip, 150);
  }

  add_arp_resolution(cap, t0 + 100_ms, Endpoint{phone_mac, "10.20.30.40"}, Endpoint{vmac, gw}, 200_us);

  // TFTP read request: opcode 1, file name, mode.
  const Bytes rrq = concat(Bytes{0, 1}, std::string_view("SEP001E4A3456AB.cnf.xml"), Bytes{0},
                           std::string_view("octet"), Bytes{0});
  const Bytes data = concat(Bytes{0, 3, 0, 1}, std::string_view("<device/>"));  // block 1, last
  UdpFlow tftp(cap, Endpoint{phone_mac, "10.20.30.40", 50069}, Endpoint{tftp_old, "10.20.30.20", 69});
  tftp.send(t0 + 200_ms, Dir::ToServer, rrq);
  tftp.send(t0 + 201_ms, Dir::ToClient, data);

  skinny::RegisterReq reg = skinny::phone_register_req(phone_mac, "10.20.30.40");
  reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
  const Endpoint cm{r1, "10.1.1.10", 2000};

  // Session 1 from 10.20.30.40; the call manager's frames come from the VRRP master's real MAC.
  TcpFlow s1(cap, Endpoint{phone_mac, "10.20.30.40", 50001}, cm, FlowOptions::with_isns(410000000u, 510000000u));
  s1.set_macs(Dir::ToServer, phone_mac, vmac);
  s1.handshake(t0 + 1000_ms, 400_us);
  skinny::registration(s1, t0 + 1001_ms, reg);
  for (int k = 1; k <= 4; ++k) {
    const TimeNs t = t0 + 1001_ms + seconds(30 * k);
    if (k == 4) {
      cap.add(t0 + 100_s, gratuitous_arp(vmac, gw));
      s1.set_macs(Dir::ToClient, r2, phone_mac);
    }
    skinny::acked_keepalive(s1, t);
  }
  s1.fin(t0 + 150_s, Dir::ToServer);
  s1.fin(t0 + 150_s + 300_us, Dir::ToClient);
  s1.ack(t0 + 150_s + 400_us, Dir::ToServer);

  // DHCP gave the phone a new address: it announces it and registers again.
  cap.add(t0 + 150500_ms, gratuitous_arp(phone_mac, "10.20.30.41"));
  TcpFlow s2(cap, Endpoint{phone_mac, "10.20.30.41", 50002}, Endpoint{r2, "10.1.1.10", 2000},
             FlowOptions::with_isns(420000000u, 520000000u));
  s2.set_macs(Dir::ToServer, phone_mac, vmac);
  s2.handshake(t0 + 151000_ms, 400_us);
  reg.station_ip = "10.20.30.41";
  skinny::registration(s2, t0 + 151001_ms, reg);
  for (int k = 1; k <= 5; ++k) skinny::acked_keepalive(s2, t0 + 151001_ms + seconds(30 * k));

  // The TFTP server's NIC was replaced while it was silent: the new MAC answers the phone's ARP.
  add_arp_resolution(cap, t0 + 250_s, Endpoint{phone_mac, "10.20.30.41"}, Endpoint{tftp_new, "10.20.30.20"}, 300_us);
  UdpFlow tftp2(cap, Endpoint{phone_mac, "10.20.30.41", 50070}, Endpoint{tftp_new, "10.20.30.20", 69});
  tftp2.send(t0 + 250001_ms, Dir::ToServer, rrq);
  tftp2.send(t0 + 250002_ms, Dir::ToClient, data);

  // The phone's old address now belongs to a PC.
  cap.add(t0 + 300_s, gratuitous_arp(pc, "10.20.30.40"));
  UdpFlow dns(cap, Endpoint{pc, "10.20.30.40", 53001}, Endpoint{r2, "10.1.1.53", 53});
  dns.set_macs(Dir::ToServer, pc, vmac);
  // A query for "cucm" type A, and the server's NXDOMAIN answer.
  const Bytes question = concat(Bytes{4}, std::string_view("cucm"), Bytes{0, 0, 1, 0, 1});
  dns.send(t0 + 300500_ms, Dir::ToServer, concat(Bytes{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}, question));
  dns.send(t0 + 300501_ms, Dir::ToClient, concat(Bytes{0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0}, question));

  out.save_pcap(cap);
}
