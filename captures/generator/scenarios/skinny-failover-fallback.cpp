// The primary call manager restarts (it resets the phone's connection); the phone registers with
// its backup, and when the primary is back it falls back: it unregisters from the backup and
// registers with the primary on a new connection. The connection to the backup stays open and
// carries backup keepalives again, TCP-acknowledged only: nothing is unacknowledged.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-05 09:00:00.000000 UTC):
//   phone      SEP00235E7A8B9C  MAC 00:23:5e:7a:8b:9c  10.40.2.21 (ports 51201, 51202, 51203)
//   primary    MAC 00:50:56:a4:02:05  10.40.2.5:2000
//   backup     MAC 00:50:56:a4:02:06  10.40.2.6:2000
//   every RegisterAck: keepAliveInterval 30, secondaryKeepAliveInterval 60
// Primary connection 1 (51201):
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK; T0+0.001 RegisterReq, T0+0.003 RegisterAck,
//   T0+0.0032 phone ACK; for k = 1..3: KeepAliveReq at T0 + 0.001 + 30k, KeepAliveAck 1 ms later,
//   phone ACK 200 us after it; T0+100.000 the primary's RST.
// Backup connection (51202):
//   T0+0.500 SYN, +0.5004 SYN/ACK, +0.5005 ACK
//   for j = 0..1: KeepAliveReq at T0 + 0.510 + 60j, pure TCP ACK 300 us later
//   T0+100.500 RegisterReq (the failover), T0+100.502 RegisterAck, T0+100.5022 phone ACK
//   for m = 1..4: KeepAliveReq at T0 + 100.500 + 30m, KeepAliveAck 1 ms later, phone ACK 200 us after
//   T0+230.000 UnregisterReq, T0+230.002 UnregisterAck, T0+230.0022 phone ACK (the fallback)
//   for n = 0..5: KeepAliveReq at T0 + 250.500 + 60n, pure TCP ACK 300 us later
// Primary connection 2 (51203):
//   T0+200.000 SYN, +200.0004 SYN/ACK, +200.0005 ACK
//   T0+200.010 KeepAliveReq, pure TCP ACK 300 us later (a backup keepalive: the backup is primary)
//   T0+230.010 RegisterReq, T0+230.012 RegisterAck, T0+230.0122 phone ACK
//   for k = 1..12: KeepAliveReq at T0 + 230.010 + 30k, KeepAliveAck 1 ms later, phone ACK 200 us after
// Derived: the RST of a registered connection and the UnregisterReq are notes (keepalive.unregister),
// nothing else is raised. The backup keepalives after the fallback are the backup's: role backup,
// interval 60, gap 30 s for n = 0 (after the last as primary, T0 + 220.500) and 60 s after.
// 3 + 3 + 9 + 1 = 16 frames on connection 1; 3 + 4 + 3 + 12 + 3 + 12 = 37 on the backup connection;
// 3 + 2 + 3 + 36 = 44 on connection 2: 97 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("skinny-failover-fallback",
            "SCCP failover to the backup and fallback to the primary; the backup connection stays open") {
  const Mac phone_mac = "00:23:5e:7a:8b:9c";
  const Endpoint phone1{phone_mac, "10.40.2.21", 51201};
  const Endpoint phone_b{phone_mac, "10.40.2.21", 51202};
  const Endpoint phone2{phone_mac, "10.40.2.21", 51203};
  const Endpoint primary{"00:50:56:a4:02:05", "10.40.2.5", 2000};
  const Endpoint backup{"00:50:56:a4:02:06", "10.40.2.6", 2000};
  const TimeNs t0 = utc("2023-06-05 09:00:00.000000");
  Capture cap;

  const skinny::RegisterReq reg = skinny::phone_register_req(phone_mac, phone1.ip);
  // A keepalive the call manager answers with KeepAliveAck (primary) or a TCP ACK only (backup).
  auto keepalive = [](TcpFlow& flow, TimeNs t, bool acked) {
    if (acked) {
      skinny::acked_keepalive(flow, t);
    } else {
      flow.send(t, Dir::ToServer, skinny::keepalive_req());
      flow.ack(t + 300_us, Dir::ToClient);
    }
  };

  TcpFlow p1(cap, phone1, primary);
  p1.handshake(t0, 400_us);
  skinny::registration(p1, t0 + 1_ms, reg);
  for (int k = 1; k <= 3; ++k) keepalive(p1, t0 + 1_ms + seconds(30 * k), true);
  p1.rst(t0 + 100_s, Dir::ToClient);

  TcpFlow b(cap, phone_b, backup);
  b.handshake(t0 + 500_ms, 400_us);
  for (int j = 0; j <= 1; ++j) keepalive(b, t0 + 510_ms + seconds(60 * j), false);
  skinny::registration(b, t0 + 100500_ms, reg);
  for (int m = 1; m <= 4; ++m) keepalive(b, t0 + 100500_ms + seconds(30 * m), true);
  b.send(t0 + 230_s, Dir::ToServer, skinny::unregister_req());
  b.send(t0 + 230002_ms, Dir::ToClient, skinny::unregister_ack());
  b.ack(t0 + 230002200_us, Dir::ToServer);
  for (int n = 0; n <= 5; ++n) keepalive(b, t0 + 250500_ms + seconds(60 * n), false);

  TcpFlow p2(cap, phone2, primary);
  p2.handshake(t0 + 200_s, 400_us);
  keepalive(p2, t0 + 200010_ms, false);
  skinny::registration(p2, t0 + 230010_ms, reg);
  for (int k = 1; k <= 12; ++k) keepalive(p2, t0 + 230010_ms + seconds(30 * k), true);
  out.save_pcap(cap);
}
