// A SIP phone over TCP that refreshes a presence subscription right before each registration
// refresh, on the same connection, through a switch that drops the first frame after the idle
// time (case study B, SPEC 2.5): the SUBSCRIBE is lost, not the REGISTER. The registrar receives
// the REGISTER out of order and acknowledges only up to the hole; TCP delivers it to SIP only when
// the SUBSCRIBE's retransmission fills the hole, after a doubling delay, until the grace window
// is breached. The REGISTER's own bytes are never resent.
//
// Parameters (phone-side capture, Ethernet, microsecond pcap, T0 = 2023-05-22 08:00:00.000000 UTC):
//   phone      MAC 00:aa:bb:33:44:55  10.96.0.30:50610, TCP ISN 7000000
//   registrar  MAC 00:50:56:8e:96:10  10.96.1.10:5060, TCP ISN 1200
//   SIP        AOR sip:9630@10.96.1.10, Contact <sip:9630@10.96.0.30:50610;transport=tcp>
//              ;+sip.instance="<urn:uuid:00000000-0000-0000-0000-00aabb334455>", one Call-ID
//              "hb-9630@10.96.0.30", REGISTER "Expires: 3600", CSeq k + 1; 200 OK: the Contact
//              plus ";expires=120". SUBSCRIBE sip:9631@10.96.1.10 (Event: presence, Expires: 3600),
//              Call-ID "hbs-9630@10.96.0.30", CSeq k + 1.
//   Frames 1-3: handshake at T0 - 3 ms, T0 - 2 ms, T0 - 1.9 ms.
//   Attempt k (k = 0..5) from S_k, with delay G_k: SUBSCRIBE at S_k, REGISTER at S_k + 1 ms.
//     G_k = 0: the registrar ACKs both at S_k + 1.3 ms.
//     G_k > 0: the SUBSCRIBE is lost; the registrar ACKs up to it at S_k + 1.3 ms (a duplicate
//       ACK); the phone resends the SUBSCRIBE at S_k + G_k; the registrar ACKs both at
//       D_k = S_k + G_k + 0.3 ms.
//   Then the SUBSCRIBE's 200 OK at S_k + G_k + 10 ms, the REGISTER's 200 OK at
//   OK_k = S_k + G_k + 12 ms, the phone's ACK at OK_k + 0.2 ms. S_(k+1) = OK_k + 115 s.
//
// sip-tcp-held-behind-healthy: G_k = 0. Attempt k in frames 4 + 6k .. 9 + 6k: SUBSCRIBE,
//   REGISTER, ACK (delivery), 200 OK, 200 OK, ACK. Refreshes 2-6: interval 115 s, lateness
//   1 ms; margin on each ACK 15 s - 1.3 ms. No expert info at all.
// sip-tcp-held-behind: G = 0, 1, 2, 4, 8, 16 s. Attempt 0 in frames 4-9; attempt k >= 1 in
//   frames 2 + 8k .. 9 + 8k: SUBSCRIBE, REGISTER, duplicate ACK, SUBSCRIBE retransmission, ACK
//   (delivery), 200 OK, 200 OK, ACK. The REGISTER counts no retransmission; its delivery (frame
//   6 + 8k) is held behind the retransmission (frame 5 + 8k), and its margin is the deadline
//   S_k + 15 s less D_k: 15 s - G_k - 0.3 ms. Its wait, S_k + 1 ms to S_k + G_k, grows 2x on
//   attempts 2, 3 and 4: the 200 OK of attempt 4 (frame 40) forecasts a 16 s wait, more than the
//   15 s grace less the 1 ms lateness, 1 refresh ahead, at OK_4 + 130 s. Attempt 5 (G = 16 s)
//   breaches: its REGISTER was sent in time and never resent, so the breach is told on its
//   delivery, overrun 1.0003 s. No loss pattern: no REGISTER lost its first transmission.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

Bytes subscribe(const Endpoint& phone, const Endpoint& registrar, std::uint32_t cseq) {
  const std::string at = registrar.ip.str();
  return to_bytes("SUBSCRIBE sip:9631@" + at + " SIP/2.0\r\n" +
                  "Via: SIP/2.0/TCP " + phone.ip.str() + ":" + std::to_string(phone.port) +
                  ";branch=z9hG4bKhbs" + std::to_string(cseq) + "\r\n" +
                  "From: <sip:9630@" + at + ">;tag=hbs9630\r\nTo: <sip:9631@" + at + ">\r\n" +
                  "Call-ID: hbs-9630@" + phone.ip.str() + "\r\nCSeq: " + std::to_string(cseq) + " SUBSCRIBE\r\n" +
                  "Contact: <sip:9630@" + phone.ip.str() + ":" + std::to_string(phone.port) + ";transport=tcp>\r\n" +
                  "Event: presence\r\nAccept: application/pidf+xml\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n");
}

Bytes subscribe_ok(const Endpoint& phone, const Endpoint& registrar, std::uint32_t cseq) {
  const std::string at = registrar.ip.str();
  return to_bytes("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP " + phone.ip.str() + ":" + std::to_string(phone.port) +
                  ";branch=z9hG4bKhbs" + std::to_string(cseq) + "\r\n" +
                  "From: <sip:9630@" + at + ">;tag=hbs9630\r\nTo: <sip:9631@" + at + ">;tag=p9631\r\n" +
                  "Call-ID: hbs-9630@" + phone.ip.str() + "\r\nCSeq: " + std::to_string(cseq) + " SUBSCRIBE\r\n" +
                  "Expires: 3600\r\nContent-Length: 0\r\n\r\n");
}

void held_behind(ScenarioOutput& out, bool lossy) {
  const Endpoint phone{"00:aa:bb:33:44:55", "10.96.0.30", 50610};
  const Endpoint registrar{"00:50:56:8e:96:10", "10.96.1.10", 5060};
  const TimeNs t0 = utc("2023-05-22 08:00:00.000000");

  Capture cap;
  TcpFlow tcp(cap, phone, registrar, FlowOptions::with_isns(7000000u, 1200u));
  tcp.handshake(t0 - 3_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "9630", registrar.ip.str(), "TCP");
  reg.from_tag = "hb9630";
  reg.call_id = "hb-9630@" + phone.ip.str();
  reg.expires = 3600;
  sip::Contact c;
  c.uri = sip::contact_uri("9630", phone, "tcp");
  c.params = {sip::instance_param(sip::cisco_instance_uuid(phone.mac))};
  reg.contacts = {c};

  const TimeNs gaps[] = {0, 1_s, 2_s, 4_s, 8_s, 16_s};
  TimeNs s = t0;
  for (std::uint32_t k = 0; k < 6; ++k) {
    const TimeNs g = lossy ? gaps[k] : 0;
    reg.cseq = k + 1;
    reg.branch = "z9hG4bKhb" + std::to_string(reg.cseq);
    const Segment sub = tcp.send(s, Dir::ToServer, subscribe(phone, registrar, k + 1),
                                 g > 0 ? Delivery::Lost : Delivery::Delivered);
    tcp.send(s + 1_ms, Dir::ToServer, reg.bytes());
    tcp.ack(s + 1300_us, Dir::ToClient);
    if (g > 0) {
      tcp.retransmit(s + g, sub);
      tcp.ack(s + g + 300_us, Dir::ToClient);
    }
    tcp.send(s + g + 10_ms, Dir::ToClient, subscribe_ok(phone, registrar, k + 1));
    const TimeNs ok = s + g + 12_ms;
    tcp.send(ok, Dir::ToClient, sip::ok(reg, "hbt" + std::to_string(k), {sip::with_expires(c, 120)}).bytes());
    tcp.ack(ok + 200_us, Dir::ToServer);
    s = ok + 115_s;
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-tcp-held-behind-healthy",
            "SIP/TCP refreshes each right behind a SUBSCRIBE on the same connection, nothing lost: silent") {
  held_behind(out, false);
}

KA_SCENARIO("sip-tcp-held-behind",
            "SIP/TCP refreshes held back behind a lost SUBSCRIBE until its doubling retransmission: breach") {
  held_behind(out, true);
}
