// Healthy twin of the SCCP family: a phone keeps a primary (30 s, KeepAliveAck) and a backup
// (60 s, TCP ACK only) call manager for 10 minutes. Nothing here may raise a warning or error.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-01 09:00:00.000000 UTC):
//   phone      SEP00235E1A2B3C  MAC 00:23:5e:1a:2b:3c  10.40.0.21 (ports 51001 primary, 51002 backup)
//   primary    MAC 00:50:56:a4:00:05  10.40.0.5:2000
//   backup     MAC 00:50:56:a4:00:06  10.40.0.6:2000
// Primary connection:
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK
//   T0+0.001 RegisterReq (SEP00235E1A2B3C); T0+0.003 RegisterAck keepAliveInterval=30
//            secondaryKeepAliveInterval=60; T0+0.0032 phone ACK
//   for k = 1..20: KeepAliveReq at T0 + 0.001 + 30k;
//                  KeepAliveAck (acks it) latency L(k) = 800 us + 100 us * (k mod 7) later;
//                  phone ACK 200 us after the KeepAliveAck
// Backup connection (no RegisterReq: the phone only keeps it alive):
//   T0+0.500 SYN, +0.5004 SYN/ACK, +0.5005 ACK
//   for j = 0..10: KeepAliveReq at T0 + 0.510 + 60j; call manager's pure TCP ACK 300 us later
// Derived: 20 primary keepalives (gap 30 s from the second on), 20 KeepAliveAcks whose running
// mean after k acks is sum(L(1..k)) / k; 11 backup keepalives (gap 60 s from the second on),
// role backup from the first (the phone already has a live primary). 91 frames.
//
// two-point-synced-healthy.pcapng, its healthy twin at two capture points whose clocks agree:
// interface 0 at the phone (the times above), interface 1 at the call managers, 100 us of transit
// (a phone->call manager segment is on interface 1 100 us after the time above, a call
// manager->phone one 100 us before it). Derived: as above, with the call managers' messages
// annotated on their interface-1 frames (ack latency L(k) - 100 us); nothing else. 182 frames.
//
// two-point-started-apart.pcapng: two-point-synced-healthy with the call managers' side's clock
// 120 s behind and its capture started 100 s after the phone side's (it holds no frame stamped
// before T0 - 20 s on its clock). Its frames come 120 s before the phone side's copies, so until
// a segment has been seen at both points (the phone side's copy of the first keepalive the call
// managers' side saw, K(4) at T0 + 120.001 s) they are on a clock of unknown offset. Derived: no
// warning or error (the call manager does not drop the phone); a keepalive seen on the other clock
// than the one before it has no gap; after that, every gap is the interval (within the transit).
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void build(Capture& cap, const FlowOptions& opt) {
  const Mac phone_mac = "00:23:5e:1a:2b:3c";
  const Endpoint primary_phone{phone_mac, "10.40.0.21", 51001};
  const Endpoint backup_phone{phone_mac, "10.40.0.21", 51002};
  const Endpoint primary{"00:50:56:a4:00:05", "10.40.0.5", 2000};
  const Endpoint backup{"00:50:56:a4:00:06", "10.40.0.6", 2000};
  const TimeNs t0 = utc("2023-06-01 09:00:00.000000");

  TcpFlow p(cap, primary_phone, primary, opt);
  p.handshake(t0, 400_us);
  skinny::RegisterReq reg = skinny::phone_register_req(phone_mac, primary_phone.ip);
  reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
  skinny::registration(p, t0 + 1_ms, reg);

  TcpFlow b(cap, backup_phone, backup, opt);
  b.handshake(t0 + 500_ms, 400_us);

  for (int k = 1; k <= 20; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(30 * k);
    skinny::acked_keepalive(p, t, 800_us + 100_us * (k % 7));
  }
  for (int j = 0; j <= 10; ++j) {
    const TimeNs t = t0 + 510_ms + seconds(60 * j);
    b.send(t, Dir::ToServer, skinny::keepalive_req());
    b.ack(t + 300_us, Dir::ToClient);
  }
}

// The capture at the phone (interface 0) and at the call managers (interface 1), 100 us of transit
// apart, the call managers' side's clock `skew` ahead.
Capture at_two_points(TimeNs skew = 0) {
  Capture cap = Capture::merged();
  FlowOptions opt;
  opt.points = merged_points(100_us, skew);
  build(cap, opt);
  return cap;
}

}  // namespace

KA_SCENARIO("skinny-primary-backup-healthy",
            "SCCP primary 30 s acked + backup 60 s TCP-ACK-only keepalives for 10 min, no problem") {
  Capture cap;
  build(cap, FlowOptions{});
  out.save_pcap(cap);
}

KA_SCENARIO("two-point-synced-healthy",
            "skinny-primary-backup-healthy at two capture points with synchronised clocks (pcapng)") {
  out.save_pcapng(at_two_points());
}

KA_SCENARIO("two-point-clock-step",
            "two-point-synced-healthy, the call managers' side's clock set back 60 s after 5 minutes (as mergecap merges)") {
  const Capture cap = at_two_points();
  out.save_pcapng_as_given(cap, merged_with_clock_step(cap, 1, utc("2023-06-01 09:05:00.500000"), 60_s));
}

KA_SCENARIO("two-point-started-apart",
            "two-point-synced-healthy, the call managers' side's clock 120 s behind and its capture started 100 s later") {
  const Capture cap = at_two_points(-120_s);
  const TimeNs from = utc("2023-06-01 09:00:00.000000") + 100_s - 120_s;  // on that side's clock
  Capture later = Capture::merged();
  for (const Frame& f : cap.sorted_frames())
    if (f.iface == 0 || f.time >= from) later.add(f.time, f.data, f.iface, f.comment);
  out.save_pcapng(later);
}
