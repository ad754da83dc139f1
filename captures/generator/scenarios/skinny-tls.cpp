// SPDX-License-Identifier: GPL-2.0-or-later
// SCCP over TLS (a phone with an encrypted security profile: port 2443), decrypted by Wireshark
// with the scenario's key log. Three scenarios, one session each:
//   skinny-tls-healthy         every keepalive acknowledged
//   skinny-tls-stops-acking    keepalives 4..6 only get the call manager's TCP ACK; the phone closes
//                              the connection one interval after the last one (a failover)
//   skinny-tls-retransmission  keepalive 3 is lost once and retransmitted by TCP (a segment
//                              Wireshark does not decrypt again), then acknowledged
// Each writes NAME.pcap and its key log NAME.keys (`-o tls.keylog_file:NAME.keys`).
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-05 10:00:00.000000 UTC):
//   phone  SEP00235E4D7A01  MAC 00:23:5e:4d:7a:01  10.40.2.31:51201
//   CUCM   MAC 00:50:56:a4:02:05  10.40.2.5:2443
//   TCP    handshake at T0 - 40 ms, T0 - 39 ms, T0 - 38.9 ms
//   TLS    1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, tls::SessionParams::from_seed(20230605);
//          ClientHello T0 - 38.8 ms, ServerHello + ServerHelloDone T0 - 37 ms,
//          ClientKeyExchange + CCS + Finished T0 - 20 ms, CCS + Finished T0 - 10 ms.
//          Each SKINNY message is one application_data record in one segment.
//   T0       RegisterReq; T0 + 2 ms RegisterAck keepAliveInterval=30 secondary=60;
//            T0 + 2.2 ms phone ACK
//   K(k), k = 1..6: KeepAliveReq at T0 + 30k s;
//     acknowledged: KeepAliveAck 1 ms later, phone ACK 200 us after it
//     not (stops-acking, k >= 4): the call manager's pure TCP ACK 500 us later
//     retransmission, k = 3: lost, the same segment again 300 ms later, acknowledged 1 ms after
//     that (latency 301 ms), phone ACK 200 us after the ack
//   stops-acking only: phone FIN at T0 + 210.1 s, FIN/ACK 300 us later, phone ACK 100 us after.
// Frames: 3 TCP + 4 TLS handshake + 3 registration + 3 per acknowledged keepalive, 2 per
// unacknowledged one (+ 3 closing, + 1 retransmission): 28, 28 and 29.
// Derived (threshold 3), stops-acking: K(5) reports K(4) unacknowledged (1 missed), K(6) reports K(5)
// (2 missed); K(6) is still unacknowledged one interval later (T0 + 210 s): the phone's FIN, the
// first frame past that time, reports it (3 missed) and the failover.
#include "scenario.h"
#include "tls.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

enum class Variant { Healthy, StopsAcking, Retransmission };

void skinny_tls(ScenarioOutput& out, Variant variant) {
  const bool stops_acking = variant == Variant::StopsAcking;
  const Mac phone_mac = "00:23:5e:4d:7a:01";
  const Endpoint phone{phone_mac, "10.40.2.31", 51201};
  const Endpoint cucm{"00:50:56:a4:02:05", "10.40.2.5", 2443};
  const TimeNs t0 = utc("2023-06-05 10:00:00.000000");

  Capture cap;
  TcpFlow tcp(cap, phone, cucm);
  tls::Session tls(tls::SessionParams::from_seed(20230605));
  tls::open_session(tcp, tls, t0);

  tcp.send(t0, Dir::ToServer, tls.application_data(Dir::ToServer, skinny::register_req(skinny::phone_register_req(phone_mac, phone.ip))));
  tcp.send(t0 + 2_ms, Dir::ToClient, tls.application_data(Dir::ToClient, skinny::register_ack(skinny::RegisterAck{})));
  tcp.ack(t0 + 2200_us, Dir::ToServer);
  for (int k = 1; k <= 6; ++k) {
    const bool lost = variant == Variant::Retransmission && k == 3;
    const TimeNs t = tcp.send_delivered(t0 + seconds(30 * k), Dir::ToServer,
                                        tls.application_data(Dir::ToServer, skinny::keepalive_req()), lost ? 300_ms : 0);
    if (stops_acking && k >= 4) {
      tcp.ack(t + 500_us, Dir::ToClient);
    } else {
      tcp.send(t + 1_ms, Dir::ToClient, tls.application_data(Dir::ToClient, skinny::keepalive_ack()));
      tcp.ack(t + 1200_us, Dir::ToServer);
    }
  }
  if (stops_acking) {
    tcp.fin(t0 + 210100_ms, Dir::ToServer);
    tcp.fin(t0 + 210100300_us, Dir::ToClient);
    tcp.ack(t0 + 210100400_us, Dir::ToServer);
  }
  out.save_pcap(cap);
  tls::write_keylog(out.path(out.name() + ".keys"), tls.keylog_line());
}

}  // namespace

KA_SCENARIO("skinny-tls-healthy", "SCCP over TLS on 2443, every keepalive acknowledged") {
  skinny_tls(out, Variant::Healthy);
}

KA_SCENARIO("skinny-tls-stops-acking", "SCCP over TLS on 2443: keepalives 4-6 unacknowledged, failover") {
  skinny_tls(out, Variant::StopsAcking);
}

KA_SCENARIO("skinny-tls-retransmission", "SCCP over TLS on 2443: keepalive 3 retransmitted by TCP, then acknowledged") {
  skinny_tls(out, Variant::Retransmission);
}
