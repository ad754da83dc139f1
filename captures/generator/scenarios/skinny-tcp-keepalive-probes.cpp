// Healthy twin with TCP keep-alive probes: a primary SCCP session (30 s, KeepAliveAck) whose idle
// connection both TCP stacks probe between keepalives. Nothing here may raise a warning or error.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-02 10:00:00.000000 UTC):
//   phone      SEP00235E4D5E6F  MAC 00:23:5e:4d:5e:6f  10.40.4.21:51101
//   primary    MAC 00:50:56:a4:04:05  10.40.4.5:2000
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK
//   T0+0.001 RegisterReq; T0+0.003 RegisterAck keepAliveInterval=30 secondaryKeepAliveInterval=60;
//            T0+0.0032 phone ACK
//   for k = 1..8: KeepAliveReq at T0 + 0.001 + 30k; KeepAliveAck 1 ms later; phone ACK 0.2 ms
//                 after that; then, at 15 s after the KeepAliveReq:
//     k odd:  the phone's stack probes with one byte (seq = next - 1, the byte 0x00 that ended
//             the KeepAliveReq: BSD-derived stacks, as in phones, send one); the call manager
//             answers with a pure ACK 0.3 ms later
//     k even: the call manager's stack probes without data (Linux); the phone answers with an ACK
// Derived: 8 keepalives (gap 30 s from the second on, lateness 0), 8 KeepAliveAcks of latency
// 1 ms (running mean 1 ms), missed 0 throughout. 3 + 3 + 8 * 5 = 46 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("skinny-tcp-keepalive-probes",
            "SCCP primary 30 s acked, its idle TCP connection probed by both stacks, no problem") {
  const Mac phone_mac = "00:23:5e:4d:5e:6f";
  const Endpoint phone{phone_mac, "10.40.4.21", 51101};
  const Endpoint primary{"00:50:56:a4:04:05", "10.40.4.5", 2000};
  const TimeNs t0 = utc("2023-06-02 10:00:00.000000");

  Capture cap;
  TcpFlow p(cap, phone, primary);
  p.handshake(t0, 400_us);
  skinny::registration(p, t0 + 1_ms, skinny::phone_register_req(phone_mac, phone.ip));

  for (int k = 1; k <= 8; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(30 * k);
    skinny::acked_keepalive(p, t);
    if (k % 2 == 1) {
      p.keepalive(t + 15_s, Dir::ToServer, Bytes{0x00});
      p.ack(t + 15_s + 300_us, Dir::ToClient);
    } else {
      p.keepalive(t + 15_s, Dir::ToClient);
      p.ack(t + 15_s + 300_us, Dir::ToServer);
    }
  }
  out.save_pcap(cap);
}
