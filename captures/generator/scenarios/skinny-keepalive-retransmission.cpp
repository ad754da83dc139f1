// Keepalives whose first transmission is lost between the phone and the call manager: TCP
// retransmits them (Wireshark does not hand the retransmitted segment to SKINNY) and the primary
// then acknowledges them. Retransmissions are notes, not problems: no warning or error.
//
// Parameters (Ethernet, microsecond pcap, capture at the phone's switch port,
// T0 = 2023-06-04 12:00:00.000000 UTC):
//   phone      SEP00235EABCDEF  MAC 00:23:5e:ab:cd:ef  10.40.3.21:51301
//   primary    MAC 00:50:56:a4:03:05  10.40.3.5:2000
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK
//   T0+0.001 RegisterReq; T0+0.003 RegisterAck keepAliveInterval=30 secondary=60; T0+0.0032 phone ACK
//   for k = 1..5: KeepAliveReq K(k) at t(k) = T0 + 0.001 + 30k
//     k = 1, 2, 5: KeepAliveAck 1.2 ms later, phone ACK 200 us after it
//     k = 3: lost; retransmitted at t(3) + 0.3 s; KeepAliveAck 1.2 ms after the retransmission
//     k = 4: lost twice; retransmitted at t(4) + 0.3 s (lost) and t(4) + 0.9 s; KeepAliveAck
//            1.2 ms after the second retransmission
// Derived: K(3) retransmission 1, gap 300 ms; K(4) retransmissions 1 (gap 300 ms) and 2 (gap
// 600 ms); their acks report latencies 301.2 ms and 901.2 ms and the totals 1 and 2.
// 6 + 5 * 3 + 3 = 24 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("skinny-keepalive-retransmission", "SCCP keepalives lost and retransmitted by TCP, then acknowledged") {
  const Mac phone_mac = "00:23:5e:ab:cd:ef";
  const Endpoint phone{phone_mac, "10.40.3.21", 51301};
  const Endpoint primary{"00:50:56:a4:03:05", "10.40.3.5", 2000};
  const TimeNs t0 = utc("2023-06-04 12:00:00.000000");

  Capture cap;
  TcpFlow p(cap, phone, primary);
  p.handshake(t0, 400_us);
  skinny::registration(p, t0 + 1_ms, skinny::phone_register_req(phone_mac, phone.ip));
  for (int k = 1; k <= 5; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(30 * k);
    TimeNs delivered = t;
    if (k == 4) {
      const Segment ka = p.send(t, Dir::ToServer, skinny::keepalive_req(), Delivery::Lost);
      p.retransmit(t + 300_ms, ka, Delivery::Lost);
      delivered = t + 900_ms;
      p.retransmit(delivered, ka);
    } else {
      delivered = p.send_delivered(t, Dir::ToServer, skinny::keepalive_req(), k == 3 ? 300_ms : 0);
    }
    p.send(delivered + 1200_us, Dir::ToClient, skinny::keepalive_ack());
    p.ack(delivered + 1400_us, Dir::ToServer);
  }
  out.save_pcap(cap);
}
