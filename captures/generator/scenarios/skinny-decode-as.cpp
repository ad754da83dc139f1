// SCCP on a non-default port (2001): Wireshark decodes it only with Decode As
// (`-d tcp.port==2001,skinny`); the analysis must then work exactly as on port 2000.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-06 14:00:00.000000 UTC):
//   phone      SEP00235E445566  MAC 00:23:5e:44:55:66  10.40.5.21:51501
//   call mgr   MAC 00:50:56:a4:05:05  10.40.5.5:2001
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK
//   T0+0.001 one segment: RegisterReq + the first KeepAliveReq K(0)
//   T0+0.003 one segment: RegisterAck (keepAliveInterval=20, secondary=40) + KeepAliveAck for K(0)
//   T0+0.0032 phone ACK
//   for k = 1..4: K(k) at T0 + 0.001 + 20k; KeepAliveAck 2.5 ms later; phone ACK 200 us after it
//   k = 5: K(5) at T0 + 100.001, never acknowledged (pure TCP ACK 500 us later)
//   T0+120.001 K(6) (reports K(5) unacknowledged, 1 missed); pure TCP ACK 500 us later
// Derived: interval 20 s from the RegisterAck; K(0) latency 2 ms; K(1..4) 2.5 ms; means
// 2 ms, 2.25 ms, 2.333333333 ms, 2.375 ms, 2.4 ms. 6 + 4 * 3 + 2 * 2 = 22 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("skinny-decode-as", "SCCP on TCP port 2001 (needs Decode As), several messages per segment") {
  const Mac phone_mac = "00:23:5e:44:55:66";
  const Endpoint phone{phone_mac, "10.40.5.21", 51501};
  const Endpoint manager{"00:50:56:a4:05:05", "10.40.5.5", 2001};
  const TimeNs t0 = utc("2023-06-06 14:00:00.000000");

  Capture cap;
  TcpFlow p(cap, phone, manager);
  p.handshake(t0, 400_us);
  skinny::RegisterReq reg = skinny::phone_register_req(phone_mac, phone.ip);
  p.send(t0 + 1_ms, Dir::ToServer, concat(skinny::register_req(reg), skinny::keepalive_req()));
  skinny::RegisterAck ack;
  ack.keepalive_interval = 20;
  ack.secondary_keepalive_interval = 40;
  p.send(t0 + 3_ms, Dir::ToClient, concat(skinny::register_ack(ack), skinny::keepalive_ack()));
  p.ack(t0 + 3200_us, Dir::ToServer);
  for (int k = 1; k <= 6; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(20 * k);
    p.send(t, Dir::ToServer, skinny::keepalive_req());
    if (k <= 4) {
      p.send(t + 2500_us, Dir::ToClient, skinny::keepalive_ack());
      p.ack(t + 2700_us, Dir::ToServer);
    } else {
      p.ack(t + 500_us, Dir::ToClient);
    }
  }
  out.save_pcap(cap);
}
