// The primary call manager stops answering keepalives (its TCP stack still ACKs them); after three
// unacknowledged intervals the phone fails over: it registers with its backup and closes the
// primary connection.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-02 10:00:00.000000 UTC):
//   phone      SEP00235E4D5E6F  MAC 00:23:5e:4d:5e:6f  10.40.1.21 (ports 51101 primary, 51102 backup)
//   primary    MAC 00:50:56:a4:01:05  10.40.1.5:2000
//   backup     MAC 00:50:56:a4:01:06  10.40.1.6:2000
// Primary connection:
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK
//   T0+0.001 RegisterReq; T0+0.003 RegisterAck keepAliveInterval=30 secondary=60; T0+0.0032 phone ACK
//   for k = 1..7: KeepAliveReq K(k) at T0 + 0.001 + 30k
//     k = 1..4: KeepAliveAck 1 ms later, phone ACK 200 us after it
//     k = 5..7: only the call manager's pure TCP ACK, 500 us later
//   T0+240.200 phone FIN; +240.2003 call manager FIN/ACK; +240.2004 phone ACK
// Backup connection:
//   T0+0.500 SYN, +0.5004 SYN/ACK, +0.5005 ACK
//   for j = 0..3: KeepAliveReq at T0 + 0.510 + 60j, pure TCP ACK 300 us later
//   T0+240.101 RegisterReq (the failover); T0+240.103 RegisterAck 30/60; T0+240.1032 phone ACK
//   for m = 1..4: KeepAliveReq at T0 + 240.101 + 30m, KeepAliveAck 1 ms later, phone ACK 200 us after
// Derived (threshold 3): K(5) is the first keepalive without ack. K(6) reports it (1 missed), K(7)
// reports K(6) (2 missed). K(7) is still unacknowledged one interval later (T0 + 240.001): the
// first frame past that time is the backup RegisterReq at T0 + 240.101, which reports K(7)
// unacknowledged (3 missed) and the failover, 30.1 s after K(7). The phone's FIN then ends the
// primary session without unregistration (a note). 27 + 26 = 53 frames.
//
// two-point-synced-stops-acking.pcapng: the same at two capture points whose clocks agree, as NTP
// keeps them: interface 0 at the phone (the times above), interface 1 at the call managers, 200 us
// of transit between them. A phone->call manager segment is on interface 1 200 us after the time
// above, a call manager->phone segment 200 us before it. So each connection's first frames (the
// phone's SYN) are on interface 0, the call managers' messages are seen first on interface 1 and
// the phone's on interface 0, and Wireshark flags every later copy as a retransmission. Derived:
// the verdicts of the single capture, on the same phone-side frames; the RegisterAck and
// KeepAliveAcks annotated on their interface-1 frames (ack latency 1 ms - 200 us = 800 us); no
// copy counted as a retransmission. 106 frames.
//
// skinny-failover-syslog: the same, and the primary's EndPointUnregistered alarm (Reason 13
// KeepAliveTimeout, LastSignalReceived StationKeepAlive) at T0 + 275.000, sent from
// 10.40.1.5:514 to a collector at 10.40.1.50:514, after the phone's first keepalive to the
// backup as its primary (T0 + 270.101). Derived: the alarm is the primary's, so its last
// keepalive is K(7) at T0 + 210.001, 64.999 s earlier, to 10.40.1.5:2000/tcp. 54 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void build(Capture& cap, const FlowOptions& opt) {
  const Mac phone_mac = "00:23:5e:4d:5e:6f";
  const Endpoint primary_phone{phone_mac, "10.40.1.21", 51101};
  const Endpoint backup_phone{phone_mac, "10.40.1.21", 51102};
  const Endpoint primary{"00:50:56:a4:01:05", "10.40.1.5", 2000};
  const Endpoint backup{"00:50:56:a4:01:06", "10.40.1.6", 2000};
  const TimeNs t0 = utc("2023-06-02 10:00:00.000000");

  skinny::RegisterReq reg = skinny::phone_register_req(phone_mac, primary_phone.ip);
  reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";

  TcpFlow p(cap, primary_phone, primary, opt);
  p.handshake(t0, 400_us);
  skinny::registration(p, t0 + 1_ms, reg);
  for (int k = 1; k <= 7; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(30 * k);
    if (k <= 4) {
      skinny::acked_keepalive(p, t);
    } else {
      p.send(t, Dir::ToServer, skinny::keepalive_req());
      p.ack(t + 500_us, Dir::ToClient);
    }
  }
  p.fin(t0 + 240200_ms, Dir::ToServer);
  p.fin(t0 + 240200300_us, Dir::ToClient);
  p.ack(t0 + 240200400_us, Dir::ToServer);

  TcpFlow b(cap, backup_phone, backup, opt);
  b.handshake(t0 + 500_ms, 400_us);
  for (int j = 0; j <= 3; ++j) {
    const TimeNs t = t0 + 510_ms + seconds(60 * j);
    b.send(t, Dir::ToServer, skinny::keepalive_req());
    b.ack(t + 300_us, Dir::ToClient);
  }
  const TimeNs t_failover = t0 + 240101_ms;
  reg.station_ip = backup_phone.ip;
  skinny::registration(b, t_failover, reg);
  for (int m = 1; m <= 4; ++m) skinny::acked_keepalive(b, t_failover + seconds(30 * m));
}

}  // namespace

KA_SCENARIO("skinny-primary-stops-acking",
            "SCCP primary stops sending KeepAliveAck: 3 unacked intervals, failover to the backup") {
  Capture cap;
  build(cap, FlowOptions{});
  out.save_pcap(cap);
}

KA_SCENARIO("skinny-failover-syslog",
            "skinny-primary-stops-acking and the primary's syslog alarm after the phone failed over") {
  Capture cap;
  build(cap, FlowOptions{});
  cucm::EndpointUnregistered e;
  e.device_name = "SEP00235E4D5E6F";
  e.ip_address = "10.40.1.21";
  e.protocol = "SCCP";
  e.device_type = 434;
  e.reason = 13;
  e.last_signal_received = "StationKeepAlive";
  const TimeNs t_log = utc("2023-06-02 10:04:35.000000");
  UdpFlow syslog(cap, Endpoint{"00:50:56:a4:01:05", "10.40.1.5", 514}, Endpoint{"00:50:56:a4:01:50", "10.40.1.50", 514});
  syslog.send(t_log, Dir::ToServer, cucm::syslog_payload(t_log, cucm::endpoint_unregistered(e), 3101, "cucm-pub"));
  out.save_pcap(cap);
}

KA_SCENARIO("two-point-synced-stops-acking",
            "skinny-primary-stops-acking at two capture points with synchronised clocks (pcapng)") {
  Capture cap = Capture::merged();
  FlowOptions opt;
  opt.points = merged_points(200_us);
  build(cap, opt);
  out.save_pcapng(cap);
}
