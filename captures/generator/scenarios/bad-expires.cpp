// Robustness: Expires values that are not numbers or do not fit. Three SIP/UDP phones refresh
// on a 115 s schedule against one registrar; none of them may raise a warning or an error, and
// no expected time or deadline may wrap around.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 10:00:00 UTC):
//   registrar MAC 00:50:56:30:00:01, 10.30.0.1:5060
//   phone p (p = 1, 2, 3): MAC 00:24:14:30:00:1p, 10.30.0.1p:5060, SEP00241430001p,
//     AOR sip:401p@10.30.0.1, Call-ID bad-expires-p@10.30.0.1p, Cisco Contact (instance from MAC)
//     p = 1 non-numeric: REGISTER "Expires: soon", Contact ;expires=abc;
//                        200 OK "Expires: never", Contact ;expires=abc
//     p = 2 beyond 32 bits: REGISTER "Expires: 99999999999999999999", Contact ;expires=99999999999999999999;
//                        200 OK "Expires: 4294967296", Contact ;expires=99999999999999999999
//     p = 3 largest valid: REGISTER Expires 4294967295; 200 OK Contact ;expires=4294967295
//   Transaction k (k = 0..4) of phone p: REGISTER at T0 + (p - 1) * 1 s + k * 115.010 s,
//   CSeq k + 1, 200 OK 10 ms later. 30 frames.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-expires", "Robustness: non-numeric, 64-bit and maximal Expires values on three SIP/UDP phones") {
  const Endpoint reg_ep{"00:50:56:30:00:01", "10.30.0.1", 5060};
  const TimeNs t0 = utc("2023-05-15 10:00:00.000000");
  Capture cap;
  struct Variant {
    const char* req_expires;
    const char* req_param;
    const char* ok_expires;
    const char* ok_param;
  };
  const Variant variants[] = {
      {"soon", "expires=abc", "never", "expires=abc"},
      {"99999999999999999999", "expires=99999999999999999999", "4294967296", "expires=99999999999999999999"},
      {"4294967295", nullptr, nullptr, "expires=4294967295"},
  };
  for (int p = 1; p <= 3; ++p) {
    const Variant& v = variants[p - 1];
    const std::string n = std::to_string(p);
    const Endpoint phone{Mac("00:24:14:30:00:1" + n), IpAddr("10.30.0.1" + n), 5060};
    UdpFlow udp(cap, phone, reg_ep);
    sip::Register reg = sip::phone_register(phone, "401" + n, reg_ep.ip.str());
    reg.from_tag = "be" + n;
    reg.call_id = "bad-expires-" + n + "@" + phone.ip.str();
    reg.extra_headers = {{"Expires", v.req_expires}};
    sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("401" + n, phone), phone.mac, "437");
    sip::Contact req_contact = c;
    if (v.req_param) req_contact.params.push_back(v.req_param);
    reg.contacts = {req_contact};
    sip::Contact ok_contact = c;
    ok_contact.params.push_back(v.ok_param);
    for (int k = 0; k < 5; ++k) {
      const TimeNs t = t0 + seconds(p - 1) + k * 115010_ms;
      reg.cseq = static_cast<std::uint32_t>(k + 1);
      reg.branch = "z9hG4bKbe" + n + std::to_string(k);
      udp.send(t, Dir::ToServer, reg.bytes());
      sip::Response ok = sip::ok(reg, "okbe" + n, {ok_contact});
      if (v.ok_expires) ok.extra_headers = {{"Expires", v.ok_expires}};
      udp.send(t + 10_ms, Dir::ToClient, ok.bytes());
    }
  }
  out.save_pcap(cap);
}
