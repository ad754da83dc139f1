// A SPAN session that mirrors both VLANs of a router-on-a-stick (or a layer-3 switch's VLAN
// interfaces): every packet between the phones' VLAN and the servers' is captured twice, once on
// each VLAN, 60 us apart, the second copy with the router's MAC and a TTL one lower. A copy is not
// sent again. path-routed-span-healthy loses nothing and must raise nothing; in path-routed-span
// one refresh or keepalive of each phone is lost beyond the router (captured on the phones' VLAN
// only) and resent (captured on both): each resend is one retransmission, its copy none.
//
// Parameters (Ethernet, 802.1Q-tagged SPAN of VLANs 10 and 20, microsecond pcap,
// T0 = 2023-06-05 10:00:00.000000 UTC):
//   router      MAC 00:1b:54:0a:14:01, gateway 10.50.10.1 on VLAN 10, 10.50.20.1 on VLAN 20;
//               forwards each packet 60 us after it was seen on the sender's VLAN.
//   registrar / call manager  MAC 00:50:56:50:20:05, 10.50.20.5 (VLAN 20): SIP 5060 UDP and TCP,
//               SCCP 2000.
//   SIP/UDP     MAC 00:24:14:50:10:11, 10.50.10.11:5060, AOR sip:5011@10.50.20.5
//   SIP/TCP     MAC 00:24:14:50:10:12, 10.50.10.12:50512, AOR sip:5012@10.50.20.5, handshake at
//               T0 + 2 s (SYN/ACK 1 ms later, ACK 0.1 ms after it), ISNs 500000 / 900000
//   SCCP        MAC 00:1e:4a:50:10:13, 10.50.10.13:49513, SEP001E4A501013, handshake at T0 + 3 s
//               as above, RegisterReq R = T0 + 3.002 s, RegisterAck (30/60 s) 2 ms later.
//   Each packet is seen first on its sender's VLAN with the sender's TTL 64, then 60 us later on
//   the other VLAN with TTL 63; the phones' frames go to the router's MAC on VLAN 10, the
//   registrar's come from it, and on VLAN 20 the router stands for the phones.
//   ARP (VLAN 10, T0 + 0.1 s): each phone asks for 10.50.10.1, the router answers 0.2 ms later;
//   (VLAN 20, T0 + 0.2 s) the registrar asks for 10.50.20.1, the router answers likewise; then
//   the router asks for each phone (VLAN 10, T0 + 0.3 s) and for the registrar (VLAN 20,
//   T0 + 0.4 s), each answering 0.2 ms later: every address is owned by one MAC in its VLAN,
//   while its routed frames come from the router's MAC in the other.
// Timeline, attempts k = 1..4 (SIP) and keepalives j = 1..14 (SCCP):
//   SIP/UDP: REGISTER F(1) = T0 + 1 s, CSeq k, "Expires: 3600"; the 200 OK (";expires=120" on the
//     Contact) 10 ms after the delivered transmission; F(k+1) = OK(k) + 115 s. Lossy: attempt 2's
//     first transmission is lost beyond the router, resent (Timer E) 500 ms later.
//   SIP/TCP: REGISTER S(1) = T0 + 2.01 s in two segments, its first 300 bytes and 20 us later the
//     rest (the router's copy of the first comes after the second); the registrar's pure ACK
//     0.3 ms after delivery, its 200 OK 12 ms after delivery, the phone's ACK 0.2 ms after that;
//     S(k+1) = OK(k) + 115 s. Lossy: attempt 3's second segment is lost beyond the router (the
//     registrar ACKs the first 0.3 ms after S(3)) and retransmitted 200 ms after it was sent.
//   SCCP: KeepAliveReq at R + 30 j, KeepAliveAck 1 ms after delivery, the phone's ACK 0.2 ms after
//     it. Lossy: keepalive 5's segment is lost beyond the router, retransmitted 300 ms later.
// Derived (grant 120 s, delta 5 s, grace 15 s): every refresh and keepalive on time (lateness 0,
//   SCCP gap 30 s). Healthy: no expert info; margins 15 - 0.010 = 14.990 s (UDP, on each 200 OK)
//   and 15 - 0.00032 = 14.99968 s (TCP, on each registrar ACK of a whole REGISTER). Lossy: exactly
//   three retransmissions, all on VLAN 10: the UDP REGISTER 500 ms after its first transmission
//   (margin 14.490 s), the TCP REGISTER's second segment 200 ms after (margin 15 - 0.20032 =
//   14.79968 s), KeepAliveReq 5 300 ms after; nothing else.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void routed_span(ScenarioOutput& out, bool lossy) {
  const Mac router = "00:1b:54:0a:14:01";
  const Endpoint registrar{"00:50:56:50:20:05", "10.50.20.5", 5060};
  const Endpoint cm{registrar.mac, registrar.ip, 2000};
  const Endpoint udp_phone{"00:24:14:50:10:11", "10.50.10.11", 5060};
  const Endpoint tcp_phone{"00:24:14:50:10:12", "10.50.10.12", 50512};
  const Endpoint sccp_phone{"00:1e:4a:50:10:13", "10.50.10.13", 49513};
  const TimeNs t0 = utc("2023-06-05 10:00:00.000000");

  Capture cap;
  FlowOptions opt = FlowOptions::with_isns(500000, 900000);
  opt.points = routed_points(router, 10, 20, 60_us);

  const Endpoint gateway10{router, IpAddr("10.50.10.1"), 0}, gateway20{router, IpAddr("10.50.20.1"), 0};
  for (const Endpoint& phone : {udp_phone, tcp_phone, sccp_phone}) {
    add_arp_resolution(cap, t0 + 100_ms, phone, gateway10, 200_us, EthOptions{10, 0, true});
    add_arp_resolution(cap, t0 + 300_ms, gateway10, phone, 200_us, EthOptions{10, 0, true});
  }
  add_arp_resolution(cap, t0 + 200_ms, registrar, gateway20, 200_us, EthOptions{20, 0, true});
  add_arp_resolution(cap, t0 + 400_ms, gateway20, registrar, 200_us, EthOptions{20, 0, true});

  // SIP over UDP.
  UdpFlow udp(cap, udp_phone, registrar, opt);
  sip::Register reg = sip::phone_register(udp_phone, "5011", registrar.ip.str());
  reg.from_tag = "rs11";
  reg.call_id = "routed-span-5011@" + udp_phone.ip.str();
  reg.expires = 3600;
  const sip::Contact udp_contact = sip::cisco_phone_contact(sip::contact_uri("5011", udp_phone), udp_phone.mac, "540");
  reg.contacts = {udp_contact};
  sip::udp_refreshes(udp, reg, udp_contact, t0 + 1_s, 4, "z9hG4bKrs11", "rt11-", lossy ? 2 : 0);

  // SIP over TCP.
  TcpFlow tcp(cap, tcp_phone, registrar, opt);
  tcp.handshake(t0 + 2_s, 1_ms);
  sip::Register treg = sip::phone_register(tcp_phone, "5012", registrar.ip.str(), "TCP");
  treg.from_tag = "rs12";
  treg.call_id = "routed-span-5012@" + tcp_phone.ip.str();
  treg.expires = 3600;
  const sip::Contact tcp_contact =
      sip::cisco_phone_contact(sip::contact_uri("5012", tcp_phone, "tcp"), tcp_phone.mac, "540");
  treg.contacts = {tcp_contact};
  TimeNs first = t0 + 2010_ms;
  for (std::uint32_t k = 1; k <= 4; ++k) {
    treg.cseq = k;
    treg.branch = "z9hG4bKrs12" + std::to_string(k);
    // Two segments 20 us apart: the router's copy of the first follows the second.
    const Bytes bytes = treg.bytes();
    tcp.send(first, Dir::ToServer, Bytes(bytes.begin(), bytes.begin() + 300));
    const bool lost = lossy && k == 3;
    const Segment second = tcp.send(first + 20_us, Dir::ToServer, Bytes(bytes.begin() + 300, bytes.end()),
                                    lost ? Delivery::Lost : Delivery::Delivered);
    TimeNs delivered = first + 20_us;
    if (lost) {
      tcp.ack(first + 300_us, Dir::ToClient);  // the first segment's
      tcp.retransmit(delivered += 200_ms, second);
    }
    tcp.ack(delivered + 300_us, Dir::ToClient);
    const TimeNs ok_at = delivered + 12_ms;
    tcp.send(ok_at, Dir::ToClient, sip::ok(treg, "rt12-" + std::to_string(k), {sip::with_expires(tcp_contact, 120)}).bytes());
    tcp.ack(ok_at + 200_us, Dir::ToServer);
    first = ok_at + 115_s;
  }

  // SCCP.
  TcpFlow sccp(cap, sccp_phone, cm, opt);
  sccp.handshake(t0 + 3_s, 1_ms);
  const TimeNs r = t0 + 3002_ms;
  skinny::registration(sccp, r, skinny::phone_register_req(sccp_phone.mac, sccp_phone.ip));
  for (int j = 1; j <= 14; ++j) {
    const TimeNs t = r + j * 30_s;
    const TimeNs delivered = sccp.send_delivered(t, Dir::ToServer, skinny::keepalive_req(), lossy && j == 5 ? 300_ms : 0);
    sccp.send(delivered + 1_ms, Dir::ToClient, skinny::keepalive_ack());
    sccp.ack(delivered + 1200_us, Dir::ToServer);
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("path-routed-span", "SPAN of both VLANs of a router: each packet captured twice; one lost refresh or keepalive per phone, resent") {
  routed_span(out, true);
}

KA_SCENARIO("path-routed-span-healthy", "healthy twin of path-routed-span: every packet captured twice, nothing lost, nothing raised") {
  routed_span(out, false);
}
