// A trunk's mirror with two VLANs that reuse one address plan (two VRFs, two tenants): in each,
// a phone 10.20.30.40 ARPs for its call manager 10.20.30.10 and registers over SCCP. The two call
// managers have different MACs; each answers ARP in its own VLAN only. No ARP alarm: one address
// in two VLANs is two hosts.
//
// Parameters (Ethernet, microsecond pcap, 802.1Q-tagged SPAN of a trunk, T0 = 2023-05-15 15:00:00 UTC):
//   VLAN 10   phone SEP001E4A00000A  MAC 00:1e:4a:00:00:0a  10.20.30.40:50010
//             CM    MAC 00:50:56:00:00:10  10.20.30.10:2000
//   VLAN 20   phone SEP001E4A000014  MAC 00:1e:4a:00:00:14  10.20.30.40:50020
//             CM    MAC 00:50:56:00:00:20  10.20.30.10:2000
// Timeline (offset from T0; VLAN 10 at o = 0 s, VLAN 20 at o = 5 s):
//   o+0.100000  ARP request who has .10 (phone); o+0.100200 reply .10 is at the VLAN's CM MAC
//   o+1.000000/1.000400/1.000500 handshake, RegisterReq o+1.001, RegisterAck 30/60 o+1.003,
//     ACK o+1.0032; KeepAliveReq at o+1.001 + 30k (k = 1..4), KeepAliveAck 1 ms later, phone
//     ACK 200 us after it.
//   VLAN 20's ARP reply (5.1002 s) comes 4.0972 s after VLAN 10's call manager last sent (its
//   RegisterAck, 1.003 s): one VLAN's owner of .10 in use, the other VLAN's claim of .10.
//   2 x (2 + 3 + 3 + 4 x 3) = 40 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("path-trunk-overlap", "Two VLANs reusing one address plan on a trunk's mirror: no ARP alarm") {
  const IpAddr phone_ip = "10.20.30.40";
  const IpAddr cm_ip = "10.20.30.10";
  const TimeNs t0 = utc("2023-05-15 15:00:00.000000");

  Capture cap(LinkType::Ethernet, "trunk-span");

  struct Tenant {
    std::uint16_t vlan;
    Mac phone;
    Mac cm;
    std::uint16_t port;
    TimeNs offset;
    std::uint32_t isn;
  };
  const Tenant tenants[] = {
      {10, "00:1e:4a:00:00:0a", "00:50:56:00:00:10", 50010, 0_s, 610000000u},
      {20, "00:1e:4a:00:00:14", "00:50:56:00:00:20", 50020, 5_s, 620000000u},
  };

  for (const Tenant& v : tenants) {
    const TimeNs o = t0 + v.offset;
    const EthOptions eth{v.vlan, 0, true};
    add_arp_resolution(cap, o + 100_ms, Endpoint{v.phone, phone_ip}, Endpoint{v.cm, cm_ip}, 200_us, eth);

    FlowOptions opt = FlowOptions::with_isns(v.isn, v.isn + 100000000u);
    opt.vlan = v.vlan;
    TcpFlow s(cap, Endpoint{v.phone, phone_ip, v.port}, Endpoint{v.cm, cm_ip, 2000}, opt);
    s.handshake(o + 1000_ms, 400_us);
    skinny::RegisterReq reg = skinny::phone_register_req(v.phone, phone_ip);
    reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
    skinny::registration(s, o + 1001_ms, reg);
    for (int k = 1; k <= 4; ++k) skinny::acked_keepalive(s, o + 1001_ms + seconds(30 * k));
  }

  out.save_pcap(cap);
}
