// A SIP proxy (SBC) registering six phones at once over one TCP connection to the registrar,
// one REGISTER per segment: more REGISTERs in flight together than a phone has lines.
//
// Parameters (Ethernet, microsecond pcap, captured on the proxy's side,
// T0 = 2023-05-19 09:00:00.000000 UTC):
//   proxy      MAC 00:50:56:8e:71:05  10.91.0.5:5070, TCP ISN 3000000000
//   registrar  MAC 00:50:56:8e:71:10  10.91.1.10:5060, TCP ISN 200
//   phones     k = 1..6: AOR sip:910k@10.91.1.10, Contact <sip:910k@10.91.0.5:5070;transport=tcp>
//              ;+sip.instance="<urn:uuid:00000000-0000-0000-0000-00000000910k>",
//              Call-ID "pb-910k@10.91.0.5", CSeq 1, REGISTER "Expires: 3600";
//              200 OK: the Contact plus ";expires=120".
// Frames 1-3: handshake at T0 - 3 ms, T0 - 2 ms, T0 - 1.9 ms; frames 4-9: REGISTER of phone k
// at T0 + (k - 1) ms.
//
// sip-tcp-proxy-burst-healthy: frame 10, T0 + 5.3 ms: the registrar ACKs all six; frames 11-16:
//   200 OK of phone k at T0 + (9 + k) ms; frame 17: proxy ACK at T0 + 15.2 ms.
//   Derived: frame 10 delivers all six (retransmissions 0 each), each 200 OK grants 120 s with
//   delivery frame 10. No expert info at all.
// sip-tcp-proxy-burst: phone 1's segment (frame 4) is lost; frame 10, T0 + 300 ms: its exact
//   TCP retransmission; frame 11, T0 + 300.3 ms: the registrar ACKs all six; frames 12-17:
//   200 OK of phone k at T0 + (304 + k) ms; frame 18: proxy ACK at T0 + 310.2 ms.
//   Derived: frame 10 repeats phone 1's REGISTER only (retransmission 1, original frame 4, gap
//   300 ms); frame 11 delivers all six (retransmissions: 1 for phone 1, 0 for the others); each
//   200 OK grants 120 s with delivery frame 11. Only the retransmission note of frame 10.
// sip-tcp-proxy-fast-retransmit: phone 1's segment (frame 4) is lost and the registrar answers
//   each later segment with a duplicate ACK (ack = frame 4's seq), as a stack without SACK does:
//   frame 5 REGISTER 2 at T0 + 1 ms, frame 6 dup ACK at T0 + 1.3 ms, frames 7/8 at T0 + 2/2.3 ms,
//   frames 9/10 at T0 + 3/3.3 ms; frame 11, T0 + 3.4 ms: the proxy's fast retransmission of
//   frame 4 after the third; frame 12, T0 + 3.7 ms: the registrar ACKs phones 1-4; frames 13-14:
//   REGISTER 5 and 6 at T0 + 4 and 5 ms; frame 15, T0 + 5.3 ms: ACK of all six; frames 16-21:
//   200 OK of phone k at T0 + (9 + k) ms; frame 22: proxy ACK at T0 + 15.2 ms.
//   Derived: frame 11 repeats phone 1's REGISTER (retransmission 1, original frame 4, gap
//   3.4 ms); frame 12 delivers phones 1-4 (retransmissions 1, 0, 0, 0), frame 15 phones 5 and 6;
//   each 200 OK grants 120 s. Only the retransmission note of frame 11.
#include <string>
#include <vector>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

enum class Loss { None, Timeout, FastRetransmit };

void burst(ScenarioOutput& out, Loss loss) {
  const Endpoint proxy{"00:50:56:8e:71:05", "10.91.0.5", 5070};
  const Endpoint registrar{"00:50:56:8e:71:10", "10.91.1.10", 5060};
  const TimeNs t0 = utc("2023-05-19 09:00:00.000000");

  Capture cap;
  TcpFlow tcp(cap, proxy, registrar, FlowOptions::with_isns(3000000000u, 200u));
  tcp.handshake(t0 - 3_ms, 1_ms);

  std::vector<sip::Register> regs;
  for (int k = 1; k <= 6; ++k) {
    const std::string number = "910" + std::to_string(k);
    sip::Register reg = sip::phone_register(proxy, number, registrar.ip.str(), "TCP");
    reg.from_tag = "pb" + number;
    reg.call_id = "pb-" + number + "@" + proxy.ip.str();
    reg.cseq = 1;
    reg.branch = "z9hG4bKpb" + number;
    reg.expires = 3600;
    sip::Contact c;
    c.uri = sip::contact_uri(number, proxy, "tcp");
    c.params = {sip::instance_param("00000000-0000-0000-0000-00000000" + number)};
    reg.contacts = {c};
    regs.push_back(reg);
  }
  Segment first;
  for (std::size_t k = 0; k < regs.size(); ++k) {
    const TimeNs at = t0 + static_cast<TimeNs>(k) * 1_ms;
    const Segment s = tcp.send(at, Dir::ToServer, regs[k].bytes(), k == 0 && loss != Loss::None ? Delivery::Lost : Delivery::Delivered);
    if (k == 0) first = s;
    if (loss == Loss::FastRetransmit && k >= 1 && k <= 3) {
      tcp.ack(at + 300_us, Dir::ToClient);  // still asks for phone 1's bytes: a duplicate ACK
      if (k == 3) {
        tcp.retransmit(at + 400_us, first);
        tcp.ack(at + 700_us, Dir::ToClient);
      }
    }
  }
  TimeNs t = t0 + 5300_us;
  if (loss == Loss::Timeout) {
    tcp.retransmit(t0 + 300_ms, first);
    t = t0 + 300300_us;
  }
  tcp.ack(t, Dir::ToClient);
  const TimeNs oks = t + 4700_us;
  for (std::size_t k = 0; k < regs.size(); ++k)
    tcp.send(oks + static_cast<TimeNs>(k) * 1_ms,
             Dir::ToClient, sip::ok(regs[k], "ok" + regs[k].from_tag, {sip::with_expires(regs[k].contacts[0], 120)}).bytes());
  tcp.ack(oks + 5200_us, Dir::ToServer);
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-tcp-proxy-burst-healthy", "SIP proxy: six phones' REGISTERs in flight together on one TCP connection") {
  burst(out, Loss::None);
}

KA_SCENARIO("sip-tcp-proxy-burst", "SIP proxy: six REGISTERs in flight, the first one's segment lost and retransmitted") {
  burst(out, Loss::Timeout);
}

KA_SCENARIO("sip-tcp-proxy-fast-retransmit", "SIP proxy: six REGISTERs in flight, the first one's segment lost and fast-retransmitted") {
  burst(out, Loss::FastRetransmit);
}
