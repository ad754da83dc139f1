// A SIP proxy (SBC) carrying the registrations of two phones over one TCP
// connection to the registrar: both REGISTERs in one segment that is lost and
// retransmitted, both 200 OKs in one segment; then one refresh split across two
// segments with a partial ACK in between.
//
// Parameters (Ethernet, microsecond pcap, captured on the proxy's side,
// T0 = 2023-05-18 11:00:00.000000 UTC):
//   proxy      MAC 00:50:56:8e:70:05  10.90.0.5:5070, TCP ISN 2000000000
//   registrar  MAC 00:50:56:8e:70:10  10.90.1.10:5060, TCP ISN 100
//   phones     AOR sip:9001@10.90.1.10 and sip:9002@10.90.1.10, Contact
//              <sip:900N@10.90.0.5:5070;transport=tcp>;+sip.instance="<urn:uuid:00000000-0000-0000-0000-00000000900N>",
//              Call-IDs "px-9001@10.90.0.5" / "px-9002@10.90.0.5", REGISTER "Expires: 3600";
//              200 OK: the Contact plus ";expires=120".
// Frames:
//   1-3  handshake at T0 - 3 ms, T0 - 2 ms, T0 - 1.9 ms
//   4    T0             one segment: REGISTER 9001 CSeq 1 + REGISTER 9002 CSeq 1 (lost)
//   5    T0 + 250 ms    its exact TCP retransmission
//   6    T0 + 250.3 ms  registrar ACK of both
//   7    T0 + 260 ms    one segment: 200 OK 9001 + 200 OK 9002 (OK1)
//   8    T0 + 260.2 ms  proxy ACK
//   R = OK1 + 115 s:
//   9    R              REGISTER 9001 CSeq 2, first segment (half its bytes, rounded up)
//   10   R + 0.5 ms     registrar ACK of that first segment only
//   11   R + 1 ms       second segment: the REGISTER is complete
//   12   R + 1.3 ms     registrar ACK of all of it
//   13   R + 5 ms       REGISTER 9002 CSeq 2 (one segment)
//   14   R + 5.3 ms     registrar ACK
//   15   R + 20 ms      200 OK 9001;  16  R + 25 ms  200 OK 9002;  17  R + 25.2 ms  proxy ACK
// Derived: frame 5 repeats both REGISTERs (retransmission 1 each, original frame 4, gap
//   250 ms); frame 6 delivers both (total 1 each); frame 7 grants 120 s to both (delivery
//   frame 6). Refresh 2 of 9001 is sent when its last segment completes it (frame 11,
//   lateness 1 ms); the partial ACK (frame 10) does not deliver it, frame 12 does: margin
//   15 s - 1.3 ms = 14.9987 s. Refresh 2 of 9002: lateness 5 ms, delivered by frame 14,
//   margin 14.9947 s. Only the two retransmission notes; no warning or error.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-tcp-proxy-multiplex",
            "SIP proxy: two phones' REGISTERs in one lost and retransmitted TCP segment, a REGISTER split in two") {
  const Endpoint proxy{"00:50:56:8e:70:05", "10.90.0.5", 5070};
  const Endpoint registrar{"00:50:56:8e:70:10", "10.90.1.10", 5060};
  const TimeNs t0 = utc("2023-05-18 11:00:00.000000");

  Capture cap;
  TcpFlow tcp(cap, proxy, registrar, FlowOptions::with_isns(2000000000u, 100u));
  tcp.handshake(t0 - 3_ms, 1_ms);

  auto phone = [&](const std::string& number) {
    sip::Register reg = sip::phone_register(proxy, number, registrar.ip.str(), "TCP");
    reg.from_tag = "px" + number;
    reg.call_id = "px-" + number + "@" + proxy.ip.str();
    reg.expires = 3600;
    sip::Contact c;
    c.uri = sip::contact_uri(number, proxy, "tcp");
    c.params = {sip::instance_param("00000000-0000-0000-0000-00000000" + number)};
    reg.contacts = {c};
    return reg;
  };
  sip::Register a = phone("9001"), b = phone("9002");
  auto ok = [](const sip::Register& reg) {
    return sip::ok(reg, "ok" + reg.call_id.substr(3, 4) + std::to_string(reg.cseq),
                   {sip::with_expires(reg.contacts[0], 120)}).bytes();
  };

  a.cseq = b.cseq = 1;
  a.branch = "z9hG4bKa1";
  b.branch = "z9hG4bKb1";
  tcp.send_delivered(t0, Dir::ToServer, concat(a.bytes(), b.bytes()), 250_ms);
  tcp.ack(t0 + 250300_us, Dir::ToClient);
  const TimeNs ok1 = t0 + 260_ms;
  tcp.send(ok1, Dir::ToClient, concat(ok(a), ok(b)));
  tcp.ack(ok1 + 200_us, Dir::ToServer);

  const TimeNs r = ok1 + 115_s;
  a.cseq = b.cseq = 2;
  a.branch = "z9hG4bKa2";
  b.branch = "z9hG4bKb2";
  const Bytes split = a.bytes();
  // Two segments 1 ms apart; the registrar acknowledges the first before the second arrives.
  const Segment first = tcp.send(r, Dir::ToServer, Bytes(split.begin(), split.begin() + (split.size() + 1) / 2));
  tcp.ack_to(r + 500_us, Dir::ToClient, first.end_seq());
  tcp.send(r + 1_ms, Dir::ToServer, Bytes(split.begin() + (split.size() + 1) / 2, split.end()));
  tcp.ack(r + 1300_us, Dir::ToClient);
  tcp.send(r + 5_ms, Dir::ToServer, b.bytes());
  tcp.ack(r + 5300_us, Dir::ToClient);
  tcp.send(r + 20_ms, Dir::ToClient, ok(a));
  tcp.send(r + 25_ms, Dir::ToClient, ok(b));
  tcp.ack(r + 25200_us, Dir::ToServer);
  out.save_pcap(cap);
}
