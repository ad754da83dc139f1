// Robustness: Expires 0 everywhere, without cisco-keep-alive. Phone 1 sends REGISTER Expires 0
// with Contact ;expires=0 every 115 s and gets 200 OK with ;expires=0 (a de-registration each
// time, never a binding to refresh); phone 2 asks for 3600 s and is granted ;expires=0 and
// "Expires: 0". Nothing may be late or breached: a de-registered binding expects nothing.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 11:00:00 UTC):
//   registrar MAC 00:50:56:31:00:01, 10.31.0.1:5060 (UDP)
//   phone p (p = 1, 2): MAC 00:24:14:31:00:1p, 10.31.0.1p:5060, SEP00241431001p,
//     AOR sip:402p@10.31.0.1, Call-ID zero-p@10.31.0.1p, Cisco Contact
//   Transaction k (k = 0..5): REGISTER at T0 + (p - 1) * 1 s + k * 115.010 s, CSeq k + 1,
//   200 OK 10 ms later. 24 frames.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-expires-zero", "Robustness: Expires 0 in every REGISTER and 200 OK, without cisco-keep-alive") {
  const Endpoint reg_ep{"00:50:56:31:00:01", "10.31.0.1", 5060};
  const TimeNs t0 = utc("2023-05-15 11:00:00.000000");
  Capture cap;
  for (int p = 1; p <= 2; ++p) {
    const std::string n = std::to_string(p);
    const Endpoint phone{Mac("00:24:14:31:00:1" + n), IpAddr("10.31.0.1" + n), 5060};
    UdpFlow udp(cap, phone, reg_ep);
    sip::Register reg = sip::phone_register(phone, "402" + n, reg_ep.ip.str());
    reg.from_tag = "z" + n;
    reg.call_id = "zero-" + n + "@" + phone.ip.str();
    reg.expires = p == 1 ? 0 : 3600;
    const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("402" + n, phone), phone.mac, "437");
    reg.contacts = {p == 1 ? sip::with_expires(c, 0) : c};
    for (int k = 0; k < 6; ++k) {
      const TimeNs t = t0 + seconds(p - 1) + k * 115010_ms;
      reg.cseq = static_cast<std::uint32_t>(k + 1);
      reg.branch = "z9hG4bKz" + n + std::to_string(k);
      udp.send(t, Dir::ToServer, reg.bytes());
      sip::Response ok = sip::ok(reg, "okz" + n, {sip::with_expires(c, 0)});
      ok.expires = 0;
      udp.send(t + 10_ms, Dir::ToClient, ok.bytes());
    }
  }
  out.save_pcap(cap);
}
