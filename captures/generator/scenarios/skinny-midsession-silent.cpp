// A capture that starts in the middle of an SCCP session (no RegisterReq/RegisterAck captured, so
// the interval comes from the preferences) whose call manager stops acknowledging, after which
// the phone goes silent. Unrelated traffic continues, so time-based verdicts land on its frames.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-05 13:00:00.000000 UTC):
//   phone      MAC 00:23:5e:11:22:33  10.40.4.21:52000 (device name never seen)
//   call mgr   MAC 00:50:56:a4:04:05  10.40.4.5:2000
//   other      10.40.4.50:40000 -> 10.40.4.51:40000, MACs 00:50:56:a4:04:50 / :51
//   SKINNY connection already established (no handshake in the capture); the phone's real
//   keepalive interval is 20 s:
//   for k = 0..5: KeepAliveReq K(k) at T0 + 20k
//     k = 0..3: KeepAliveAck 2 ms later, phone ACK 200 us after it
//     k = 4, 5: only a pure TCP ACK from the call manager, 500 us later
//   afterwards the phone sends nothing more.
//   Unrelated UDP datagram (8 bytes) at T0 + 0.5 + i, i = 0..200.
// Derived with the defaults (sccp_interval 30, sccp_missed_threshold 3): K(0) has no role yet
// (its ack makes the session primary); K(5) reports K(4) unacknowledged (1 missed); K(5) itself is
// reported on the first frame past K(5) + 30 s (the datagram at T0 + 130.5: 2 missed); the
// call manager's view, no keepalive for 3 x 30 s after K(5), on the datagram at T0 + 190.5
// (failover). With sccp_interval 20: 2 missed at T0 + 120.5, failover at T0 + 160.5.
// With sccp_missed_threshold 2: failover together with the 2nd miss at T0 + 130.5.
// 6 + 4 * 2 + 2 + 201 = 217 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("skinny-midsession-silent",
            "SCCP capture starting mid-session: acks stop, then the phone goes silent; unrelated UDP traffic") {
  const Endpoint phone{"00:23:5e:11:22:33", "10.40.4.21", 52000};
  const Endpoint manager{"00:50:56:a4:04:05", "10.40.4.5", 2000};
  const TimeNs t0 = utc("2023-06-05 13:00:00.000000");

  Capture cap;
  TcpFlow p(cap, phone, manager);
  for (int k = 0; k <= 5; ++k) {
    const TimeNs t = t0 + seconds(20 * k);
    p.send(t, Dir::ToServer, skinny::keepalive_req());
    if (k <= 3) {
      p.send(t + 2_ms, Dir::ToClient, skinny::keepalive_ack());
      p.ack(t + 2200_us, Dir::ToServer);
    } else {
      p.ack(t + 500_us, Dir::ToClient);
    }
  }
  UdpFlow other(cap, Endpoint{"00:50:56:a4:04:50", "10.40.4.50", 40000},
                Endpoint{"00:50:56:a4:04:51", "10.40.4.51", 40000});
  for (int i = 0; i <= 200; ++i) other.send(t0 + 500_ms + seconds(i), Dir::ToServer, Bytes(8, 0x55));
  out.save_pcap(cap);
}
