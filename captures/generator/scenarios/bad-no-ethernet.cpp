// Robustness: captures without Ethernet (raw IP as from a tunnel interface, Linux cooked as from
// tcpdump -i any) and over IPv6. Each holds the same healthy trio, which must be analysed as on
// Ethernet: annotated, no warning, no error, and no ARP/MAC reasoning without MAC addresses.
//
// Trio (T0 = 2023-05-15 18:00:00 UTC, microsecond pcap):
//   server S: SIP registrar on 5060 (UDP and TCP) and SCCP call manager on 2000
//   SIP/UDP phone A (port 5060), SEP0024143800AA, AOR sip:4081@S: REGISTER (Expires 3600, Cisco
//     Contact) at T0 + k * 115.010 s, k = 0..5, CSeq k + 1, 200 OK (;expires=120) 10 ms later.
//   SIP/TCP phone B (port 50582), SEP0024143800BB, AOR sip:4082@S: handshake at T0 + 1 s
//     (+0.4 ms, +0.5 ms), then REGISTERs as A's but 2 s later.
//   SCCP phone C (port 49383), SEP001E4A3800CC: handshake at T0 + 3 s, RegisterReq +1 ms,
//     RegisterAck (30/60 s) +3 ms, KeepAliveReq every 30 s after the RegisterReq (k = 1..20),
//     KeepAliveAck 2 ms later.
//   12 + 3 + 12 + 3 + 2 + 40 = 72 frames.
// Addresses:
//   bad-rawip  (LINKTYPE_RAW, IPv4): S 10.38.0.1, A 10.38.0.11, B 10.38.0.12, C 10.38.0.13
//   bad-sll    (LINKTYPE_LINUX_SLL, IPv4, captured on the phones' side: their frames "outgoing",
//              the server's "to us"): the same addresses
//   bad-ipv6   (Ethernet, IPv6): S 2001:db8:38::1, A 2001:db8:38::11, B 2001:db8:38::12,
//              C 2001:db8:38::13; MACs S 00:50:56:38:00:01, A 00:24:14:38:00:aa,
//              B 00:24:14:38:00:bb, C 00:1e:4a:38:00:cc
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

struct Hosts {
  IpAddr server, a, b, c;
};

void sip_phone(Capture& cap, const Endpoint& phone, const Endpoint& server, bool tcp, TimeNs first,
               const std::string& user, const Mac& id_mac) {
  UdpFlow udp(cap, phone, server);
  TcpFlow flow(cap, phone, server);
  if (tcp) flow.handshake(first - 1_s, 400_us);
  sip::Register reg = sip::phone_register(phone, user, server.ip.uri_host(), tcp ? "TCP" : "UDP");
  reg.from_tag = "nl" + user;
  reg.call_id = "no-ethernet-" + user + "@" + phone.ip.uri_host();
  reg.expires = 3600;
  const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri(user, phone), id_mac, "437");
  reg.contacts = {c};
  for (int k = 0; k < 6; ++k) {
    const TimeNs t = first + k * 115010_ms;
    reg.cseq = static_cast<std::uint32_t>(k + 1);
    reg.branch = "z9hG4bKnl" + user + std::to_string(k);
    const Bytes ok = sip::ok(reg, "oknl" + user, {sip::with_expires(c, 120)}).bytes();
    if (tcp) {
      flow.send(t, Dir::ToServer, reg.bytes());
      flow.send(t + 10_ms, Dir::ToClient, ok);
    } else {
      udp.send(t, Dir::ToServer, reg.bytes());
      udp.send(t + 10_ms, Dir::ToClient, ok);
    }
  }
}

void trio(Capture& cap, const Hosts& h, const Mac& ms, const Mac& ma, const Mac& mb, const Mac& mc) {
  const TimeNs t0 = utc("2023-05-15 18:00:00.000000");
  const Mac id_a("00:24:14:38:00:aa"), id_b("00:24:14:38:00:bb"), id_c("00:1e:4a:38:00:cc");
  sip_phone(cap, Endpoint{ma, h.a, 5060}, Endpoint{ms, h.server, 5060}, false, t0, "4081", id_a);
  sip_phone(cap, Endpoint{mb, h.b, 50582}, Endpoint{ms, h.server, 5060}, true, t0 + 2_s, "4082", id_b);

  const Endpoint phone{mc, h.c, 49383};
  TcpFlow sccp(cap, phone, Endpoint{ms, h.server, 2000});
  skinny::RegisterReq rr;
  rr.device_name = "SEP" + id_c.hex();
  if (h.c.is_v4()) rr.station_ip = h.c;
  else rr.station_ipv6 = h.c;
  rr.mac = id_c;
  skinny::session(sccp, rr, t0 + 3_s, 20);
}

const Hosts kV4{"10.38.0.1", "10.38.0.11", "10.38.0.12", "10.38.0.13"};

}  // namespace

KA_SCENARIO("bad-rawip", "Robustness: healthy SIP/UDP, SIP/TCP and SCCP phones in a raw-IP capture") {
  Capture cap(LinkType::RawIp, "tun0");
  trio(cap, kV4, Mac(), Mac(), Mac(), Mac());
  out.save_pcap(cap);
}

KA_SCENARIO("bad-sll", "Robustness: healthy SIP/UDP, SIP/TCP and SCCP phones in a Linux cooked capture") {
  Capture cap(LinkType::LinuxSll, "any");
  trio(cap, kV4, "00:50:56:38:00:01", "00:24:14:38:00:aa", "00:24:14:38:00:bb", "00:1e:4a:38:00:cc");
  out.save_pcap(cap);
}

KA_SCENARIO("bad-ipv6", "Robustness: healthy SIP/UDP, SIP/TCP and SCCP phones over IPv6") {
  Capture cap;
  trio(cap, Hosts{"2001:db8:38::1", "2001:db8:38::11", "2001:db8:38::12", "2001:db8:38::13"}, "00:50:56:38:00:01",
       "00:24:14:38:00:aa", "00:24:14:38:00:bb", "00:1e:4a:38:00:cc");
  out.save_pcap(cap);
}
