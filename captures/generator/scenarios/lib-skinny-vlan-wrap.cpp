// Library self-check: every SKINNY builder, 802.1Q, nanosecond pcap, TCP
// sequence wrap-around, split segments, several messages in one segment, a lost
// and retransmitted keepalive, TCP keep-alive probe, FIN and RST, IPv6, and
// gratuitous ARP (request and reply forms).
//
// Parameters (Ethernet, VLAN 120 priority 3 on every frame, nanosecond pcap,
// T0 = 2023-05-12 07:30:00.000000000 UTC):
//   phone  SEP00AA11BB22CC  MAC 00:aa:11:bb:22:cc  10.30.0.21:51000  2001:db8:30::21:51002
//   CM     MAC 00:50:56:9c:30:05  10.30.0.5:2000  2001:db8:30::5:2000
// Connection 1 (IPv4), ISN phone 0xFFFFFF80, CM 0xFFFFFFF0 (both wrap):
//   T0+0.000    gratuitous ARP request  10.30.0.5 is-at 00:50:56:9c:30:05
//   T0+0.001    gratuitous ARP reply    (same claim, reply form)
//   T0+1.000    SYN; +1.0005 SYN/ACK; +1.0006 ACK
//   T0+1.010    RegisterReq (136 bytes) split in 64+64+8 byte segments, 100 us apart
//   T0+1.012    one segment: RegisterAck (keepAliveInterval 30, secondary 60) + CapabilitiesReq (0x009b)
//   T0+31.010   KeepAliveReq, lost; T0+31.310 its retransmission; T0+31.311 KeepAliveAck
//   T0+45.000   TCP keep-alive probe from the phone; T0+45.0002 ACK from CM
//   T0+61.010   UnregisterReq (unRegReasonCode 10); T0+61.011 UnregisterAck (status 0)
//   T0+61.020   FIN phone; +61.0202 FIN CM; +61.0203 ACK phone
// Connection 2 (IPv6), ISN phone 500, CM 700000:
//   T0+70.000   SYN; +70.0004 SYN/ACK; +70.0005 ACK
//   T0+70.001   RegisterReq, legacy 36-byte body
//   T0+70.002   RegisterReject "Unknown device"; T0+70.003 RST from CM
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("lib-skinny-vlan-wrap",
            "Library check: all SKINNY messages, VLAN, seq wrap, split/combined segments, IPv6, FIN/RST") {
  const Mac phone_mac = "00:aa:11:bb:22:cc";
  const Mac cm_mac = "00:50:56:9c:30:05";
  const std::string device = "SEP" + phone_mac.hex();
  const TimeNs t0 = utc("2023-05-12 07:30:00.000000000");
  EthOptions eth;
  eth.vlan = 120;
  eth.vlan_priority = 3;
  eth.pad = true;

  Capture cap;
  cap.add(t0, gratuitous_arp(cm_mac, "10.30.0.5", ArpOp::Request, eth));
  cap.add(t0 + 1_ms, gratuitous_arp(cm_mac, "10.30.0.5", ArpOp::Reply, eth));

  FlowOptions opt = FlowOptions::with_isns(0xFFFFFF80u, 0xFFFFFFF0u);
  opt.vlan = 120;
  TcpFlow c1(cap, Endpoint{phone_mac, "10.30.0.21", 51000}, Endpoint{cm_mac, "10.30.0.5", 2000}, opt);
  c1.handshake(t0 + 1_s, 500_us);

  skinny::RegisterReq reg;
  reg.device_name = device;
  reg.station_ip = "10.30.0.21";
  reg.device_type = 434;
  reg.mac = phone_mac;
  reg.station_ipv6 = IpAddr("2001:db8:30::21");
  reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
  c1.send_split(t0 + 1010_ms, Dir::ToServer, skinny::register_req(reg), 64, 100_us);
  c1.send(t0 + 1012_ms, Dir::ToClient,
          concat(skinny::register_ack(skinny::RegisterAck{}), skinny::message(0x009b /* CapabilitiesReq */)));

  c1.send_delivered(t0 + 31010_ms, Dir::ToServer, skinny::keepalive_req(), 300_ms);
  c1.send(t0 + 31311_ms, Dir::ToClient, skinny::keepalive_ack());

  c1.keepalive(t0 + 45_s, Dir::ToServer);
  c1.ack(t0 + 45000200_us, Dir::ToClient);

  c1.send(t0 + 61010_ms, Dir::ToServer, skinny::unregister_req(10));
  c1.send(t0 + 61011_ms, Dir::ToClient, skinny::unregister_ack(0));
  c1.fin(t0 + 61020_ms, Dir::ToServer);
  c1.fin(t0 + 61020200_us, Dir::ToClient);
  c1.ack(t0 + 61020300_us, Dir::ToServer);

  FlowOptions opt6 = FlowOptions::with_isns(500, 700000);
  opt6.vlan = 120;
  TcpFlow c2(cap, Endpoint{phone_mac, "2001:db8:30::21", 51002}, Endpoint{cm_mac, "2001:db8:30::5", 2000}, opt6);
  c2.handshake(t0 + 70_s, 400_us);
  skinny::RegisterReq legacy;
  legacy.device_name = device;
  legacy.station_ip = "10.30.0.21";
  legacy.extended = false;
  c2.send(t0 + 70001_ms, Dir::ToServer, skinny::register_req(legacy));
  c2.send(t0 + 70002_ms, Dir::ToClient, skinny::register_reject("Unknown device"));
  c2.rst(t0 + 70003_ms, Dir::ToClient);

  out.save_pcap(cap, TsResolution::Nano);
}
