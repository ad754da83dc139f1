// A SIP phone over UDP that keeps its flow alive between refreshes (RFC 5626 4.4): CRLF pings,
// then STUN Binding requests, then OPTIONS, each answered by the registrar. In
// sip-udp-keepalive-pings every REGISTER's first transmission is lost all the same (Timer E
// resends it after T1 = 0.5 s): the loss pattern's idle time is the time since the phone's last
// ping, not since its previous REGISTER. sip-udp-keepalive-pings-healthy is its healthy twin:
// nothing lost, nothing raised.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-01 09:00:00.000000 UTC):
//   phone      MAC 00:15:65:4a:7b:01  10.60.20.31:5060
//   registrar  MAC 00:50:56:8e:30:01  10.60.1.5:5060
//   SIP        AOR sip:2031@10.60.1.5, one Call-ID, REGISTER "Expires: 3600", Contact
//              <sip:2031@10.60.20.31:5060>;+sip.instance;reg-id=1; 200 OK: the Contact plus
//              ";expires=120".
//   Attempt k = 1..5: first transmission F(1) = T0; lossy: lost, resent at F(k) + 500 ms;
//     200 OK 10 ms after the delivered transmission, OK(k); F(k+1) = OK(k) + 115 s.
//   Pings after OK(k), k = 1..4: the phone's at OK(k) + 30, 60, 90 s, each answered 1 ms later:
//     k = 1, 2: "\r\n\r\n", answered by "\r\n" (RFC 5626 4.4.1 pong);
//     k = 3:    STUN Binding request, answered by a Binding success response;
//     k = 4:    OPTIONS sip:10.60.1.5 (CSeq 1..3 OPTIONS, a Call-ID of its own), answered 200 OK.
//   Frames, lossy: attempt k at 9(k-1) + 1 (lost), + 2 (resend), + 3 (200 OK), pings and answers
//   + 4 .. + 9; 39 frames. Healthy: attempt k at 8(k-1) + 1, 200 OK + 2, pings + 3 .. + 8; 34.
// Derived (grant 120 s, delta 5 s, grace 15 s, loss_pattern_min 3):
//   every refresh on time (lateness 0); idle before attempts 2..5 = 115 - 90 = 25 s (since the
//   phone's last ping; since its pong 24.999 s, since the previous REGISTER 115.51 s).
//   Lossy: retransmission on frames 2, 11, 20, 29, 38; loss_pattern on 20, 29, 38 (the 3rd, 4th
//   and 5th consecutive loss, after a CRLF, a STUN and an OPTIONS ping), each idle 25 s; margin
//   15 - 0.51 = 14.49 s. Healthy: no expert info; margin 14.99 s.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

// STUN (RFC 5389) Binding request, or its success response with the XOR-MAPPED-ADDRESS of `phone`.
Bytes stun(std::uint8_t id, const Endpoint* phone = nullptr) {
  constexpr std::uint32_t kCookie = 0x2112a442;
  Bytes b;
  put_be16(b, phone ? 0x0101 : 0x0001);
  put_be16(b, phone ? 12 : 0);
  put_be32(b, kCookie);
  for (std::uint8_t i = 0; i < 12; ++i) put_u8(b, static_cast<std::uint8_t>(0x5a + id + i));
  if (phone) {
    put_be16(b, 0x0020);  // XOR-MAPPED-ADDRESS
    put_be16(b, 8);
    put_u8(b, 0);
    put_u8(b, 0x01);  // IPv4
    put_be16(b, static_cast<std::uint16_t>(phone->port ^ (kCookie >> 16)));
    const Bytes ip = phone->ip.bytes();
    for (std::size_t i = 0; i < 4; ++i) put_u8(b, static_cast<std::uint8_t>(ip[i] ^ (kCookie >> (24 - 8 * i))));
  }
  return b;
}

void pinged(ScenarioOutput& out, bool lossy) {
  const Endpoint phone{"00:15:65:4a:7b:01", "10.60.20.31", 5060};
  const Endpoint registrar{"00:50:56:8e:30:01", "10.60.1.5", 5060};
  const TimeNs t0 = utc("2023-06-01 09:00:00.000000");

  Capture cap;
  UdpFlow udp(cap, phone, registrar);
  sip::Register reg;
  reg.request_uri = "sip:" + registrar.ip.str();
  reg.via_host = phone.ip.str();
  reg.via_params = {"rport"};
  reg.from_uri = "sip:2031@" + registrar.ip.str();
  reg.from_tag = "4a7b01-2031";
  reg.call_id = "4a7b01-reg-2031@" + phone.ip.str();
  reg.user_agent = "Yealink SIP-T46U 108.86.0.45";
  reg.expires = 3600;
  sip::Contact contact;
  contact.uri = "sip:2031@" + phone.ip.str() + ":5060";
  contact.params = {sip::instance_param("00000000-0000-1000-8000-0015654a7b01"), "reg-id=1"};
  reg.contacts = {contact};

  std::uint32_t options = 0;
  std::uint8_t stuns = 0;
  // The phone's ping of kind `k` (see above) at `t`, and the registrar's answer 1 ms later.
  auto ping = [&](int k, TimeNs t) {
    if (k <= 2) {
      udp.send(t, Dir::ToServer, to_bytes("\r\n\r\n"));
      udp.send(t + 1_ms, Dir::ToClient, to_bytes("\r\n"));
    } else if (k == 3) {
      const std::uint8_t id = ++stuns;
      udp.send(t, Dir::ToServer, stun(id));
      udp.send(t + 1_ms, Dir::ToClient, stun(id, &phone));
    } else {
      const std::string n = std::to_string(++options);
      const std::string via = "SIP/2.0/UDP " + phone.ip.str() + ":5060;branch=z9hG4bK4a7b0" + n + ";rport";
      const std::string common = "From: <sip:2031@" + registrar.ip.str() + ">;tag=4a7b01-opt" + n +
                                 "\r\nTo: <sip:" + registrar.ip.str() + ">\r\nCall-ID: 4a7b01-opt-" + n + "@" +
                                 phone.ip.str() + "\r\nCSeq: " + n + " OPTIONS\r\n";
      udp.send(t, Dir::ToServer,
               to_bytes("OPTIONS sip:" + registrar.ip.str() + " SIP/2.0\r\nVia: " + via + "\r\nMax-Forwards: 70\r\n" +
                        common + "User-Agent: " + reg.user_agent + "\r\nContent-Length: 0\r\n\r\n"));
      udp.send(t + 1_ms, Dir::ToClient,
               to_bytes("SIP/2.0 200 OK\r\nVia: " + via + "\r\n" + common + "Content-Length: 0\r\n\r\n"));
    }
  };

  TimeNs first = t0;
  for (int k = 1; k <= 5; ++k) {
    reg.cseq = static_cast<std::uint32_t>(k);
    reg.branch = "z9hG4bK4a7b" + std::to_string(100 + k);
    TimeNs sent = first;
    udp.send(sent, Dir::ToServer, reg.bytes(), lossy ? Delivery::Lost : Delivery::Delivered);
    if (lossy) udp.send(sent += 500_ms, Dir::ToServer, reg.bytes());
    const TimeNs ok_at = sent + 10_ms;
    udp.send(ok_at, Dir::ToClient, sip::ok(reg, "r5" + std::to_string(k), {sip::with_expires(contact, 120)}).bytes());
    if (k < 5)
      for (TimeNs after : {30_s, 60_s, 90_s}) ping(k, ok_at + after);
    first = ok_at + 115_s;
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-udp-keepalive-pings", "SIP/UDP phone pinging its registrar (CRLF, STUN, OPTIONS) between refreshes that each lose their first transmission") {
  pinged(out, true);
}

KA_SCENARIO("sip-udp-keepalive-pings-healthy", "healthy twin of sip-udp-keepalive-pings: the same pings, nothing lost") {
  pinged(out, false);
}
