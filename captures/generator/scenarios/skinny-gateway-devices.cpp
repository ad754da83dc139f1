// An IOS voice gateway registers three SCCP devices with one call manager (two analog FXS ports
// and a media termination point), each on a connection of its own from the gateway's one address.
// The capture starts mid-session: no RegisterReq, so nothing names the devices, and the three
// keepalives of each round go out within a millisecond, one device's ack coming while another's
// keepalive still awaits its own. Three registrations at one address are not one phone
// re-registering on a new connection: in skinny-gateway-devices nothing is raised. In
// skinny-gateway-devices-one-stops the call manager stops acknowledging the second device only
// (its TCP stack still ACKs): that device's misses and failover, nothing for the others.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-07-10 09:00:00.000000 UTC):
//   gateway        MAC 00:1e:f7:5a:01:39  10.180.110.57, devices D1, D2, D3 on ports 39439,
//                  58866, 40213 (connections already established: no handshake in the capture)
//   call manager   MAC 00:50:56:8e:44:06  172.27.44.6:2000
//   Round k = 0..7 at R(k) = T0 + 30k (the default sccp_interval): KeepAliveReq of D1 at R(k), of
//   D2 at R(k) + 0.4 ms, of D3 at R(k) + 0.8 ms; KeepAliveAck of D2 at R(k) + 1.4 ms, of D3 at
//   R(k) + 2.8 ms, of D1 at R(k) + 5 ms; the gateway's ACK of each 200 us after it.
//   one-stops: from round 4 on, D2's keepalives get only a pure TCP ACK 500 us later.
//   Frames per round: 9 (3 requests, 3 acks, 3 ACKs); one-stops rounds 4..7: 8.
// Derived (sccp_interval 30, sccp_missed_threshold 3): every keepalive of rounds 1..7 30 s after
// the device's previous one (lateness 0), every ack paired with its own device's keepalive, each
// session primary from its first ack on. Healthy: no expert info. One-stops: D2's keepalive of
// round 5 reports round 4's unacknowledged (1 missed), round 6's reports round 5's (2 missed),
// round 7's reports round 6's (3 missed) and the failover; D1 and D3 raise nothing.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void gateway(ScenarioOutput& out, bool one_stops) {
  const Mac gateway_mac = "00:1e:f7:5a:01:39";
  const Endpoint manager{"00:50:56:8e:44:06", "172.27.44.6", 2000};
  const TimeNs t0 = utc("2023-07-10 09:00:00.000000");
  const std::uint16_t ports[3] = {39439, 58866, 40213};
  const TimeNs sent[3] = {0_us, 400_us, 800_us};
  const TimeNs acked[3] = {5000_us, 1400_us, 2800_us};

  Capture cap;
  TcpFlow d1(cap, Endpoint{gateway_mac, "10.180.110.57", ports[0]}, manager);
  TcpFlow d2(cap, Endpoint{gateway_mac, "10.180.110.57", ports[1]}, manager);
  TcpFlow d3(cap, Endpoint{gateway_mac, "10.180.110.57", ports[2]}, manager);
  TcpFlow* devices[3] = {&d1, &d2, &d3};
  for (int k = 0; k <= 7; ++k) {
    const TimeNs round = t0 + seconds(30 * k);
    for (int d = 0; d < 3; ++d) {
      TcpFlow& flow = *devices[d];
      flow.send(round + sent[d], Dir::ToServer, skinny::keepalive_req());
      if (one_stops && d == 1 && k >= 4) {
        flow.ack(round + sent[d] + 500_us, Dir::ToClient);
      } else {
        flow.send(round + acked[d], Dir::ToClient, skinny::keepalive_ack());
        flow.ack(round + acked[d] + 200_us, Dir::ToServer);
      }
    }
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("skinny-gateway-devices", "three SCCP devices of one gateway address on their own connections, mid-session: silent") {
  gateway(out, false);
}

KA_SCENARIO("skinny-gateway-devices-one-stops", "skinny-gateway-devices, the call manager no longer acknowledging one device: its failover only") {
  gateway(out, true);
}
