// Robustness: phones that change IP address (DHCP gave them a new lease) and carry on. The Cisco
// SIP phone keeps its device, +sip.instance and AOR and refreshes on schedule from the new address
// with a new Call-ID; a third-party SIP phone, whose Contact has no +sip.instance, keeps its
// Call-ID (RFC 3261 10.2: one per boot cycle); another restarts on its new address, announces it
// by gratuitous ARP and registers under a new Call-ID; the SCCP phone closes its TCP session and
// registers again from the new address. The old address going silent is not a missed refresh: no
// warning and no error.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 16:00:00 UTC):
//   registrar/call manager MAC 00:50:56:36:00:01, 10.36.0.1 (SIP 5060/UDP, SCCP 2000)
//   SIP phone MAC 00:24:14:36:00:11, SEP002414360011, AOR sip:4071@10.36.0.1, instance from MAC:
//     REGISTER k = 0..7 at R_k = T0 + k * 115.010 s, 200 OK (;expires=120) 10 ms later;
//     k = 0..3 from 10.36.0.11:5060 (Call-ID ipchange-a@10.36.0.11, CSeq k + 1),
//     k = 4..7 from 10.36.0.99:5060 (Call-ID ipchange-b@10.36.0.99, CSeq k - 3), Contact URI
//     with the current address.
//   third-party SIP phone MAC 00:15:65:36:00:15, AOR sip:4072@10.36.0.1, Contact URI only:
//     REGISTER k = 0..7 at T0 + 2 s + k * 115.010 s, 200 OK (;expires=120) 10 ms later, Call-ID
//     ipchange-c@10.36.0.15, CSeq k + 1; k = 0..3 from 10.36.0.15:5060, k = 4..7 from
//     10.36.0.97:5060, Contact URI with the current address.
//   restarting third-party SIP phone MAC 00:15:65:36:00:17, AOR sip:4073@10.36.0.1, Contact URI
//     only: REGISTER k = 0..7 at T0 + 3 s + k * 115.010 s, 200 OK (;expires=120) 10 ms later;
//     k = 0..3 from 10.36.0.17:5060 (Call-ID ipchange-d@10.36.0.17, CSeq k + 1), then a
//     gratuitous ARP for 10.36.0.96 from its MAC 1 s before k = 4, and k = 4..7 from
//     10.36.0.96:5060 (Call-ID ipchange-e@10.36.0.96, CSeq k - 3).
//   SCCP phone MAC 00:1e:4a:36:00:13, SEP001E4A360013, call manager RegisterAck 30/60 s:
//     session 1 from 10.36.0.13:49336: handshake at T0 + 1 s, RegisterReq +1 ms, RegisterAck
//     +3 ms, KeepAliveReq every 30 s after the RegisterReq (k = 1..6) acked 2 ms later, then
//     the phone's FIN at RegisterReq + 190 s and the call manager's FIN 1 ms later;
//     session 2 from 10.36.0.98:49337: handshake at RegisterReq_1 + 191 s, then the same
//     (RegisterReq +1 ms, RegisterAck +3 ms, KeepAliveReq k = 1..21 every 30 s, acks 2 ms later:
//     beyond the SIP phone's last refresh, so that the phone is never silent).
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

// A third-party SIP phone (Contact URI only) as above: REGISTER k = 0..7 at start + k * 115.010 s,
// k = 4..7 from `after`. Tags, Call-IDs and branches are named after `id`; `restarts`: from k = 4
// under the next letter's Call-ID, CSeq from 1 again, after a gratuitous ARP for the new address.
void third_party_phone(Capture& cap, const Endpoint& registrar, const std::string& user, const Endpoint& before,
                       const Endpoint& after, TimeNs start, char id, bool restarts) {
  UdpFlow from_before(cap, before, registrar);
  UdpFlow from_after(cap, after, registrar);
  for (int k = 0; k < 8; ++k) {
    const bool moved = k >= 4;
    UdpFlow& udp = moved ? from_after : from_before;
    const char name = restarts && moved ? static_cast<char>(id + 1) : id;
    sip::Register reg = sip::phone_register(udp.client(), user, registrar.ip.str());
    reg.from_tag = std::string("ip") + name;
    reg.call_id = std::string("ipchange-") + name + "@" + (restarts ? udp.client() : before).ip.str();
    reg.cseq = static_cast<std::uint32_t>(restarts && moved ? k - 3 : k + 1);
    reg.branch = std::string("z9hG4bKip") + id + std::to_string(k);
    reg.expires = 3600;
    sip::Contact c;
    c.uri = sip::contact_uri(user, udp.client());
    reg.contacts = {c};
    const TimeNs t = start + k * 115010_ms;
    if (restarts && k == 4) cap.add(t - 1_s, gratuitous_arp(after.mac, after.ip));
    udp.send(t, Dir::ToServer, reg.bytes());
    udp.send(t + 10_ms, Dir::ToClient, sip::ok(reg, std::string("okip") + id, {sip::with_expires(c, 120)}).bytes());
  }
}

}  // namespace

KA_SCENARIO("bad-phone-ip-change", "Robustness: a SIP and an SCCP phone moving to a new IP address mid-capture") {
  const TimeNs t0 = utc("2023-05-15 16:00:00.000000");
  const Mac server_mac("00:50:56:36:00:01");
  const IpAddr server_ip("10.36.0.1");
  const Mac sip_mac("00:24:14:36:00:11");
  Capture cap;

  const Endpoint old_ep{sip_mac, "10.36.0.11", 5060};
  const Endpoint new_ep{sip_mac, "10.36.0.99", 5060};
  const Endpoint reg_ep{server_mac, server_ip, 5060};
  UdpFlow before(cap, old_ep, reg_ep);
  UdpFlow after(cap, new_ep, reg_ep);
  for (int k = 0; k < 8; ++k) {
    const bool moved = k >= 4;
    const Endpoint& ep = moved ? new_ep : old_ep;
    sip::Register reg = sip::phone_register(ep, "4071", server_ip.str());
    reg.from_tag = moved ? "ipb" : "ipa";
    reg.call_id = std::string(moved ? "ipchange-b@" : "ipchange-a@") + ep.ip.str();
    reg.cseq = static_cast<std::uint32_t>(moved ? k - 3 : k + 1);
    reg.branch = "z9hG4bKip" + std::to_string(k);
    reg.expires = 3600;
    const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("4071", ep), sip_mac, "437");
    reg.contacts = {c};
    UdpFlow& udp = moved ? after : before;
    const TimeNs t = t0 + k * 115010_ms;
    udp.send(t, Dir::ToServer, reg.bytes());
    udp.send(t + 10_ms, Dir::ToClient, sip::ok(reg, "okip", {sip::with_expires(c, 120)}).bytes());
  }

  third_party_phone(cap, reg_ep, "4072", {"00:15:65:36:00:15", "10.36.0.15", 5060},
                    {"00:15:65:36:00:15", "10.36.0.97", 5060}, t0 + 2_s, 'c', false);
  third_party_phone(cap, reg_ep, "4073", {"00:15:65:36:00:17", "10.36.0.17", 5060},
                    {"00:15:65:36:00:17", "10.36.0.96", 5060}, t0 + 3_s, 'd', true);

  const Mac sccp_mac("00:1e:4a:36:00:13");
  const Endpoint cm{server_mac, server_ip, 2000};
  const Endpoint first{sccp_mac, "10.36.0.13", 49336};
  TcpFlow s1(cap, first, cm);
  const TimeNs reg1 = skinny::session(s1, skinny::phone_register_req(sccp_mac, first.ip), t0 + 1_s, 6);
  s1.fin(reg1 + 190_s, Dir::ToServer);
  s1.fin(reg1 + 190_s + 1_ms, Dir::ToClient);
  const Endpoint second{sccp_mac, "10.36.0.98", 49337};
  TcpFlow s2(cap, second, cm);
  skinny::session(s2, skinny::phone_register_req(sccp_mac, second.ip), reg1 + 191_s, 21);
  out.save_pcap(cap);
}
