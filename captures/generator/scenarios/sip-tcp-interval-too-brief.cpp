// A SIP phone over TCP asking for a shorter expiry than the registrar's minimum: 423 Interval Too
// Brief with Min-Expires 120, and the retry asking for 120 is accepted (RFC 3261 10.2.8). The
// registrar ACKs each REGISTER on its own before answering it.
//
// Parameters (phone-side capture, Ethernet, microsecond pcap, T0 = 2023-05-22 08:00:00.000000 UTC):
//   phone      MAC 00:aa:bb:42:30:01  10.42.0.30:50630, TCP ISN 7000000
//   registrar  MAC 00:50:56:8e:42:10  10.42.1.10:5060, TCP ISN 4200
//   SIP        AOR sip:4230@10.42.1.10, Contact <sip:4230@10.42.0.30:50630;transport=tcp>
//              ;+sip.instance="<urn:uuid:00000000-0000-0000-0000-00aabb423001>", one Call-ID
//              "itb-4230@10.42.0.30", CSeq 1, 2, ... one per REGISTER; 200 OK: the Contact plus
//              ";expires=120".
//   Frames 1-3: handshake at T0 - 3 ms, T0 - 2 ms, T0 - 1.9 ms.
//   A refused attempt from S: REGISTER "Expires: 60" at S, the registrar's ACK at S + 5 ms,
//   423 "Min-Expires: 120" at S + 6 ms, REGISTER "Expires: 120" at S + 10 ms, its ACK at
//   S + 15 ms, 200 OK at OK = S + 20 ms, the phone's ACK at OK + 0.2 ms (7 frames).
//   An accepted attempt from S: REGISTER "Expires: 120" at S, its ACK at S + 5 ms, 200 OK at
//   OK = S + 20 ms, the phone's ACK at OK + 0.2 ms (4 frames).
//   Attempts k = 0..4: S_0 = T0, S_(k+1) = OK_k + 115 s, so each refresh is on time (lateness 0)
//   and its deadline is S_k + 15 s.
//
// sip-tcp-interval-too-brief: the phone asks for 60 s every time, every attempt is refused once.
//   Attempt k in frames 4 + 7k .. 10 + 7k. For k >= 1 the one margin is on the retry's ACK
//   (frame 8 + 7k): 15 s - 15 ms; the refused REGISTER's ACK (5 + 7k) carries none. Silent.
// sip-tcp-interval-too-brief-once: only the initial registration is refused (frames 4-10); the
//   phone then asks for 120 s. Attempt k >= 1 in frames 7 + 4k .. 10 + 4k: its ACK (8 + 4k) may
//   precede a refusal, the 200 OK (9 + 4k) proves it did not: margin 15 s - 5 ms there, delivery
//   frame 8 + 4k. Silent.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void interval_too_brief(ScenarioOutput& out, bool every_time) {
  const Endpoint phone{"00:aa:bb:42:30:01", "10.42.0.30", 50630};
  const Endpoint registrar{"00:50:56:8e:42:10", "10.42.1.10", 5060};
  const TimeNs t0 = utc("2023-05-22 08:00:00.000000");

  Capture cap;
  TcpFlow tcp(cap, phone, registrar, FlowOptions::with_isns(7000000u, 4200u));
  tcp.handshake(t0 - 3_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "4230", registrar.ip.str(), "TCP");
  reg.from_tag = "itb4230";
  reg.call_id = "itb-4230@" + phone.ip.str();
  reg.cseq = 0;
  sip::Contact c;
  c.uri = sip::contact_uri("4230", phone, "tcp");
  c.params = {sip::instance_param(sip::cisco_instance_uuid(phone.mac))};
  reg.contacts = {c};
  const auto next = [&reg](std::uint32_t expires) {
    ++reg.cseq;
    reg.branch = "z9hG4bKitb" + std::to_string(reg.cseq);
    reg.expires = expires;
  };

  TimeNs s = t0;
  for (std::uint32_t k = 0; k < 5; ++k) {
    const std::string tag = "itbt" + std::to_string(k);
    if (k == 0 || every_time) {
      next(60);
      tcp.send(s, Dir::ToServer, reg.bytes());
      tcp.ack(s + 5_ms, Dir::ToClient);
      sip::Response brief = sip::respond(reg, 423, tag);
      brief.extra_headers = {{"Min-Expires", "120"}};
      tcp.send(s + 6_ms, Dir::ToClient, brief.bytes());
      next(120);
      tcp.send(s + 10_ms, Dir::ToServer, reg.bytes());
      tcp.ack(s + 15_ms, Dir::ToClient);
    } else {
      next(120);
      tcp.send(s, Dir::ToServer, reg.bytes());
      tcp.ack(s + 5_ms, Dir::ToClient);
    }
    const TimeNs ok = s + 20_ms;
    tcp.send(ok, Dir::ToClient, sip::ok(reg, tag, {sip::with_expires(c, 120)}).bytes());
    tcp.ack(ok + 200_us, Dir::ToServer);
    s = ok + 115_s;
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-tcp-interval-too-brief",
            "SIP/TCP refreshes each refused once with 423 Interval Too Brief and retried: one margin each, silent") {
  interval_too_brief(out, true);
}

KA_SCENARIO("sip-tcp-interval-too-brief-once",
            "SIP/TCP registration refused with 423 once, its refreshes accepted at once: silent") {
  interval_too_brief(out, false);
}
