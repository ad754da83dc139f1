// Robustness: every frame captured twice (a SPAN session mirroring both directions of the
// phone's port, or two merged copies of the same capture): identical bytes, identical time.
// A copy is not a retransmission that took time: no warning and no error may come of it.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 13:00:00 UTC):
//   registrar/call manager MAC 00:50:56:33:00:01, 10.33.0.1 (SIP 5060 UDP and TCP, SCCP 2000)
//   SIP/UDP phone MAC 00:24:14:33:00:11, 10.33.0.11:5060, SEP002414330011, AOR sip:4041@10.33.0.1
//   SIP/TCP phone MAC 00:24:14:33:00:12, 10.33.0.12:50412, SEP002414330012, AOR sip:4042@10.33.0.1,
//     handshake at T0 (SYN, +0.4 ms SYN/ACK, +0.5 ms ACK), ISNs 100000 / 200000
//   SIP refreshes k = 0..5 of each: REGISTER at T0 + 1 s + k * 115.010 s (TCP phone +2 s),
//     CSeq k + 1, 200 OK 10 ms later granting ;expires=120, REGISTER Expires 3600.
//   SCCP phone MAC 00:1e:4a:33:00:13, 10.33.0.13:49313, SEP001E4A330013: handshake at T0 + 3 s,
//     RegisterReq +1 ms, RegisterAck (30/60 s) +3 ms, KeepAliveReq every 30 s after the RegisterReq
//     (k = 1..20), KeepAliveAck 2 ms later.
//   Every frame written twice in a row: 2 * (12 + 3 + 12 + 3 + 2 + 40) = 144 frames.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-duplicates", "Robustness: SIP/UDP, SIP/TCP and SCCP phones with every frame captured twice") {
  const TimeNs t0 = utc("2023-05-15 13:00:00.000000");
  const Mac server_mac("00:50:56:33:00:01");
  const IpAddr server_ip("10.33.0.1");
  Capture once;

  for (int p = 1; p <= 2; ++p) {
    const bool tcp = p == 2;
    const std::string n = std::to_string(p);
    const Endpoint phone{Mac("00:24:14:33:00:1" + n), IpAddr("10.33.0.1" + n),
                         static_cast<std::uint16_t>(tcp ? 50412 : 5060)};
    const Endpoint reg_ep{server_mac, server_ip, 5060};
    FlowOptions opt = FlowOptions::with_isns(100000, 200000);
    UdpFlow udp(once, phone, reg_ep);
    TcpFlow flow(once, phone, reg_ep, opt);
    if (tcp) flow.handshake(t0, 400_us);
    sip::Register reg = sip::phone_register(phone, "404" + n, server_ip.str(), tcp ? "TCP" : "UDP");
    reg.from_tag = "dup" + n;
    reg.call_id = "bad-duplicates-" + n + "@" + phone.ip.str();
    reg.expires = 3600;
    const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("404" + n, phone), phone.mac, "437");
    reg.contacts = {c};
    for (int k = 0; k < 6; ++k) {
      const TimeNs t = t0 + seconds(p) + k * 115010_ms;
      reg.cseq = static_cast<std::uint32_t>(k + 1);
      reg.branch = "z9hG4bKdup" + n + std::to_string(k);
      const Bytes ok = sip::ok(reg, "okdup" + n, {sip::with_expires(c, 120)}).bytes();
      if (tcp) {
        flow.send(t, Dir::ToServer, reg.bytes());
        flow.send(t + 10_ms, Dir::ToClient, ok);
      } else {
        udp.send(t, Dir::ToServer, reg.bytes());
        udp.send(t + 10_ms, Dir::ToClient, ok);
      }
    }
  }

  const Endpoint phone{"00:1e:4a:33:00:13", "10.33.0.13", 49313};
  const Endpoint cm{server_mac, server_ip, 2000};
  TcpFlow sccp(once, phone, cm);
  skinny::session(sccp, skinny::phone_register_req(phone.mac, phone.ip), t0 + 3_s, 20);

  Capture twice;
  for (const kagen::Frame& f : once.sorted_frames()) {
    twice.add(f.time, f.data);
    twice.add(f.time, f.data);
  }
  out.save_pcap(twice);
}
