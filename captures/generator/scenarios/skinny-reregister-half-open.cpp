// A network outage leaves the phone's connection to its call manager half-open: the phone gives it
// up, opens a new one and registers again, and never closes the old one in the capture. The call
// manager keeps one registration per device: the old connection's silence is no failover.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-07 14:00:00.000000 UTC):
//   phone          SEP00235E3C4D5E  MAC 00:23:5e:3c:4d:5e  10.40.3.21 (ports 51301, then 51302)
//   call manager   MAC 00:50:56:a4:03:05  10.40.3.5:2000; RegisterAck keepAliveInterval 30,
//                  secondaryKeepAliveInterval 60
// Old connection (51301):
//   T0+0.000 SYN, +0.0004 SYN/ACK, +0.0005 ACK; T0+0.001 RegisterReq, T0+0.003 RegisterAck,
//   T0+0.0032 phone ACK; for k = 1..4: KeepAliveReq K(k) at T0 + 0.001 + 30k
//     k = 1..3: KeepAliveAck 1 ms later, phone ACK 200 us after it
//     k = 4: skinny-reregister-half-open: no answer (the outage);
//            skinny-reregister-half-open-healthy: answered like the others
// New connection (51302):
//   T0+125.000 SYN, +125.0004 SYN/ACK, +125.0005 ACK; T0+125.010 RegisterReq, T0+125.012
//   RegisterAck, T0+125.0122 phone ACK; for m = 1..6: KeepAliveReq at T0 + 125.010 + 30m,
//   KeepAliveAck 1 ms later, phone ACK 200 us after it
// Derived: the new RegisterAck (T0 + 125.012) replaces the old registration. With K(4) unanswered
// it is reported there, unacknowledged (1 consecutive), 5.011 s after K(4) and before its 30 s
// interval ran out; no failover, though the old connection stays silent for the rest of the capture
// (305 s). The healthy twin raises nothing. 3 + 3 + 9 + 1 (+ 2) + 3 + 3 + 18 = 40 (42) frames.
// skinny-new-address-half-open (and -healthy): the same, but DHCP gave the phone a new address
// before it registered again: the new connection comes from 10.40.3.77:51302. The same findings.
// skinny-softphone-new-address-healthy: skinny-new-address-half-open-healthy from a soft phone
// (Cisco IP Communicator, device type 30016) named by hand, CIPCJSMITH: its name carries no MAC.
// It announces its new address by gratuitous ARP at T0 + 124 s, as a host taking an address does.
// Derived: silent, as its SEP twin. 43 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

// `soft`: a soft phone named by hand, which announces its new address by ARP.
void build(Capture& cap, bool outage, const char* new_address = "10.40.3.21", bool soft = false) {
  const Mac phone_mac = "00:23:5e:3c:4d:5e";
  const Endpoint old_phone{phone_mac, "10.40.3.21", 51301};
  const Endpoint new_phone{phone_mac, new_address, 51302};
  const Endpoint cm{"00:50:56:a4:03:05", "10.40.3.5", 2000};
  const TimeNs t0 = utc("2023-06-07 14:00:00.000000");

  skinny::RegisterReq reg = skinny::phone_register_req(phone_mac, old_phone.ip);
  if (soft) {
    reg.device_name = "CIPCJSMITH";
    reg.device_type = 30016;
    cap.add(t0 + 124_s, gratuitous_arp(phone_mac, new_phone.ip));
  }

  TcpFlow c1(cap, old_phone, cm);
  c1.handshake(t0, 400_us);
  skinny::registration(c1, t0 + 1_ms, reg);
  for (int k = 1; k <= 4; ++k) {
    const TimeNs t = t0 + 1_ms + seconds(30 * k);
    if (k == 4 && outage) c1.send(t, Dir::ToServer, skinny::keepalive_req());  // never answered
    else skinny::acked_keepalive(c1, t);
  }

  TcpFlow c2(cap, new_phone, cm);
  c2.handshake(t0 + 125_s, 400_us);
  skinny::registration(c2, t0 + 125010_ms, reg);
  for (int m = 1; m <= 6; ++m) skinny::acked_keepalive(c2, t0 + 125010_ms + seconds(30 * m));
}

}  // namespace

KA_SCENARIO("skinny-reregister-half-open",
            "SCCP phone registers again on a new connection after an outage; the old one stays half-open") {
  Capture cap;
  build(cap, true);
  out.save_pcap(cap);
}

KA_SCENARIO("skinny-reregister-half-open-healthy",
            "skinny-reregister-half-open without the outage's lost keepalive: silent") {
  Capture cap;
  build(cap, false);
  out.save_pcap(cap);
}

KA_SCENARIO("skinny-new-address-half-open",
            "skinny-reregister-half-open with the phone registering again from a new DHCP address") {
  Capture cap;
  build(cap, true, "10.40.3.77");
  out.save_pcap(cap);
}

KA_SCENARIO("skinny-new-address-half-open-healthy",
            "skinny-reregister-half-open-healthy with the phone registering again from a new DHCP address: silent") {
  Capture cap;
  build(cap, false, "10.40.3.77");
  out.save_pcap(cap);
}

KA_SCENARIO("skinny-softphone-new-address-healthy",
            "skinny-new-address-half-open-healthy from a soft phone named by hand, which announces its new address by ARP: silent") {
  Capture cap;
  build(cap, false, "10.40.3.77", true);
  out.save_pcap(cap);
}
