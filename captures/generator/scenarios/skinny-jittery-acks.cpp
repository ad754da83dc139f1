// A primary call manager behind a path whose transit time jumps between 0.1 ms and 600 ms
// (SPEC §2.1, delayed failover): every keepalive is acknowledged well within the 30 s interval,
// so nothing may be reported as a problem.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-03 11:00:00.000000 UTC):
//   phone      SEP00235E7A8B9C  MAC 00:23:5e:7a:8b:9c  10.40.2.21:51201
//   primary    MAC 00:50:56:a4:02:05  10.40.2.5:2000
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK
//   T0+0.001 RegisterReq; T0+0.003 RegisterAck keepAliveInterval=30 secondary=60; T0+0.0032 phone ACK
//   for k = 1..20: KeepAliveReq at T0 + 0.001 + 30k; KeepAliveAck L(k) later, phone ACK 200 us
//   after it. When L(k) > 200 ms the call manager's TCP stack first sends a pure ACK 40 ms after
//   the keepalive (delayed ACK), and the KeepAliveAck follows at L(k).
//   L(1..20), ms: 0.1 600 12 0.4 450 1.5 599.9 80 0.1 300 2 600 33.3 0.2 520 7 150 0.1 599 60
// Derived: ack latency L(k) on each KeepAliveAck, running mean sum(L(1..k)) / k; 7 latencies
// above 200 ms, so 6 + 20 * 3 + 7 = 73 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("skinny-jittery-acks", "SCCP primary, KeepAliveAck latency jumping between 0.1 ms and 600 ms, no alarm") {
  const Mac phone_mac = "00:23:5e:7a:8b:9c";
  const Endpoint phone{phone_mac, "10.40.2.21", 51201};
  const Endpoint primary{"00:50:56:a4:02:05", "10.40.2.5", 2000};
  const TimeNs t0 = utc("2023-06-03 11:00:00.000000");
  const TimeNs latency_us[20] = {100,    600000, 12000, 400,  450000, 1500, 599900, 80000,  100,    300000,
                                 2000,   600000, 33300, 200,  520000, 7000, 150000, 100,    599000, 60000};

  Capture cap;
  TcpFlow p(cap, phone, primary);
  p.handshake(t0, 400_us);
  skinny::registration(p, t0 + 1_ms, skinny::phone_register_req(phone_mac, phone.ip));
  for (int k = 1; k <= 20; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(30 * k);
    const TimeNs latency = latency_us[k - 1] * 1_us;
    p.send(t, Dir::ToServer, skinny::keepalive_req());
    if (latency > 200_ms) p.ack(t + 40_ms, Dir::ToClient);
    p.send(t + latency, Dir::ToClient, skinny::keepalive_ack());
    p.ack(t + latency + 200_us, Dir::ToServer);
  }
  out.save_pcap(cap);
}
