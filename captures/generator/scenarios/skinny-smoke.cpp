// SCCP phone registering and keeping alive over TCP 2000, on one capture point
// (skinny-smoke.pcap) and on two (two-point-smoke.pcapng).
//
// Parameters (T0 = 2023-05-11 08:00:00.000000 UTC):
//   phone  SEP001E4A345678  MAC 00:1e:4a:34:56:78  10.10.20.31:49320  (device type 434, Cisco 7942)
//   CUCM   uc-ucm-01        MAC 00:50:56:a1:20:05  10.10.20.5:2000
//   syslog collector        MAC 00:50:56:a1:20:32  10.10.20.50:514 (CUCM sends from port 514)
//   TCP ISNs: phone 1234567890, CUCM 987654321; Ethernet, no VLAN.
// Timeline (offset from T0, phone clock):
//   0.000000  ARP request: who has 10.10.20.5, tell 10.10.20.31
//   0.000350  ARP reply:   10.10.20.5 is at 00:50:56:a1:20:05
//   0.001000  SYN,  0.001400 SYN/ACK,  0.001450 ACK
//   0.002000  RegisterReq (128-byte body)
//   0.004000  RegisterAck keepAliveInterval=30 secondaryKeepAliveInterval=60 (acks the RegisterReq)
//   0.004200  phone ACK
//   for k = 1, 2, 3:
//     0.002000 + 30k       KeepAliveReq
//     0.002000 + 30k + 1.2 ms  KeepAliveAck (acks it)
//     0.002000 + 30k + 1.4 ms  phone ACK
//   181.000000  syslog EndPointUnregistered DeviceName=SEP001E4A345678 Protocol=SCCP
//               DeviceType=434 Reason=13 LastSignalReceived=StationKeepAlive
//               (the phone went silent after its third keepalive at 90.002 s)
//   => skinny-smoke.pcap: 18 frames, Ethernet, microsecond timestamps.
//
// two-point-smoke.pcapng: interface 0 "phone-side", interface 1 "cucm-side",
// both Ethernet, nanosecond timestamps. Every TCP segment is on interface 0 at
// the time above and, with identical bytes, on interface 1 exactly 5.3 s later
// (the call manager's clock runs 5.3 s ahead; transit time is folded into it).
// The ARP pair is only on interface 0 (local to the phone's port); the syslog
// datagram only on interface 1, at 181.000000 + 5.3 s. 33 frames: 2 ARP + 15 TCP
// on interface 0, 15 TCP + 1 syslog on interface 1. Wireshark's TCP analysis
// flags the interface-1 copies as retransmissions, as it does on mergecap output.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

const Endpoint kPhone{"00:1e:4a:34:56:78", "10.10.20.31", 49320};
const Endpoint kCucm{"00:50:56:a1:20:05", "10.10.20.5", 2000};
const Endpoint kCucmSyslog{"00:50:56:a1:20:05", "10.10.20.5", cucm::kSyslogPort};
const Endpoint kCollector{"00:50:56:a1:20:32", "10.10.20.50", cucm::kSyslogPort};
const char* const kDevice = "SEP001E4A345678";

void build(Capture& cap, bool two_points) {
  const TimeNs t0 = utc("2023-05-11 08:00:00.000000");
  const TimeNs skew = 5300_ms;

  FlowOptions opt = FlowOptions::with_isns(1234567890u, 987654321u);
  if (two_points) {
    opt.points = merged_points(0, skew);
  }

  add_arp_resolution(cap, t0, kPhone, kCucm, 350_us);

  TcpFlow tcp(cap, kPhone, kCucm, opt);
  tcp.handshake(t0 + 1_ms, t0 + 1400_us, t0 + 1450_us);

  skinny::RegisterReq reg = skinny::phone_register_req(kPhone.mac, kPhone.ip);
  reg.max_lines = 2;
  reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
  const TimeNs t_reg = t0 + 2_ms;
  skinny::registration(tcp, t_reg, reg);
  for (int k = 1; k <= 3; ++k) skinny::acked_keepalive(tcp, t_reg + seconds(30 * k), 1200_us);

  cucm::EndpointUnregistered e;
  e.device_name = kDevice;
  e.ip_address = kPhone.ip.str();
  e.protocol = "SCCP";
  e.device_type = 434;
  e.reason = 13;
  e.last_signal_received = "StationKeepAlive";
  const TimeNs t_log = t0 + 181_s + (two_points ? skew : 0);
  FlowOptions log_opt;
  log_opt.points = {CapturePoint{two_points ? 1 : 0, Side::Client, 0, 0, std::nullopt, std::nullopt}};
  UdpFlow syslog(cap, kCucmSyslog, kCollector, log_opt);
  syslog.send(t_log, Dir::ToServer, cucm::syslog_payload(t_log, cucm::endpoint_unregistered(e), 1001, "uc-ucm-01"));
}

}  // namespace

KA_SCENARIO("skinny-smoke", "SCCP RegisterReq/Ack (30/60 s), 3 keepalive pairs 30 s apart, ARP pair, CUCM syslog") {
  Capture cap(LinkType::Ethernet, "phone-side");
  build(cap, false);
  out.save_pcap(cap);
}

KA_SCENARIO("two-point-smoke",
            "skinny-smoke seen at two capture points (pcapng, interface 1 = call manager, clock +5.3 s)") {
  Capture cap = Capture::merged();
  build(cap, true);
  out.save_pcapng(cap);
}
