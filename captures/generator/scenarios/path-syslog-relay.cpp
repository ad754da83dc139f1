// CUCM syslog captured on a syslog relay: each alarm on both legs, CUCM -> relay and relay ->
// collector, the second under the relay's own header (path-syslog-relay); and its twin, a device
// that really unregisters twice within two seconds, then twice a minute apart, every alarm relayed
// (path-syslog-flapping). Only syslog: the relay sees no phone traffic.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-16 09:00:00 UTC, all UDP 514 -> 514):
//   CUCM 11 node uc-ucm-01   MAC 00:50:56:a1:30:05  10.10.30.5
//   CUCM 6 node ccm6-pub     MAC 00:50:56:a1:31:05  10.10.31.5
//   relay relay01            MAC 00:50:56:a1:30:40  10.10.30.40 (the capture host)
//   collector                MAC 00:50:56:a1:40:50  10.10.40.50
//   phones SEP001E4A303031 (10.10.30.31) and SEP001E4A303032 (10.10.31.32), SCCP, type 434
//   CUCM's message: <187>SEQ: NODE: May 16 2023 HH:MM:SS.mmm UTC :  ALARM
//   the relay's:    <187>May 16 HH:MM:SS relay01 ALARM   (the same ALARM text)
//
// path-syslog-relay (4 frames):
//   1  T0+10.000000  uc-ucm-01 -> relay  EndPointUnregistered SEP001E4A303031 Reason=13
//                                        LastSignalReceived=StationKeepAlive, seq 2001
//   2  T0+10.001200  relay -> collector  the same alarm
//   3  T0+12.000000  ccm6-pub -> relay   pre-8.0 DeviceUnregistered SEP001E4A303032
//                                        Reason Code [Optional].:12, seq 512
//   4  T0+12.000900  relay -> collector  the same alarm
//   => endpoint_unregistered on 1 (reason 13) and 3 (reason 12) only; 2 copies 1, 4 copies 3.
//
// path-syslog-flapping (8 frames), SEP001E4A303031 from uc-ucm-01, each relayed 1 ms later:
//   1/2  T0+10.000   Reason=6 (ConnectivityError), seq 3001
//   3/4  T0+11.500   the same alarm text again, seq 3002: 1.5 s later, it re-registered and dropped
//   5/6  T0+71.500   Reason=13 (KeepAliveTimeout), seq 3003
//   7/8  T0+131.500  the same alarm text again, seq 3004
//   => endpoint_unregistered on 1, 3, 5 and 7; each even frame copies the frame before it.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

const Endpoint kUcm{"00:50:56:a1:30:05", "10.10.30.5", cucm::kSyslogPort};
const Endpoint kCcm6{"00:50:56:a1:31:05", "10.10.31.5", cucm::kSyslogPort};
const Endpoint kRelay{"00:50:56:a1:30:40", "10.10.30.40", cucm::kSyslogPort};
const Endpoint kCollector{"00:50:56:a1:40:50", "10.10.40.50", cucm::kSyslogPort};
const char* const kRelayHost = "relay01";

cucm::EndpointUnregistered phone(const char* name, const char* ip, unsigned reason, const char* node) {
  cucm::EndpointUnregistered e;
  e.device_name = name;
  e.ip_address = ip;
  e.protocol = "SCCP";
  e.device_type = 434;
  e.reason = reason;
  e.last_signal_received = "StationKeepAlive";
  e.node_id = node;
  return e;
}

// One alarm from `node` to the relay at t, and from the relay to the collector at t + forward.
void relay(Capture& cap, const Endpoint& node, const std::string& node_name, const cucm::Alarm& alarm, unsigned seq,
           TimeNs t, TimeNs forward) {
  UdpFlow in(cap, node, kRelay);
  UdpFlow forwarded(cap, kRelay, kCollector);
  in.send(t, Dir::ToServer, cucm::syslog_payload(t, alarm, seq, node_name));
  forwarded.send(t + forward, Dir::ToServer, cucm::relayed_payload(t + forward, alarm, kRelayHost));
}

}  // namespace

KA_SCENARIO("path-syslog-relay", "CUCM alarms (one pre-8.0) captured on a syslog relay: each on both legs, reported once") {
  const TimeNs t0 = utc("2023-05-16 09:00:00.000000");
  Capture cap;
  relay(cap, kUcm, "uc-ucm-01", cucm::endpoint_unregistered(phone("SEP001E4A303031", "10.10.30.31", 13, "uc-ucm-01")),
        2001, t0 + 10_s, 1200_us);
  cucm::Alarm old = cucm::device_unregistered(phone("SEP001E4A303032", "10.10.31.32", 12, "ccm6-pub"));
  relay(cap, kCcm6, "ccm6-pub", old, 512, t0 + 12_s, 900_us);
  out.save_pcap(cap);
}

KA_SCENARIO("path-syslog-flapping", "A device unregistering twice in 1.5 s, then twice a minute apart, on a syslog relay") {
  const TimeNs t0 = utc("2023-05-16 09:00:00.000000");
  Capture cap;
  const cucm::Alarm dropped = cucm::endpoint_unregistered(phone("SEP001E4A303031", "10.10.30.31", 6, "uc-ucm-01"));
  const cucm::Alarm timeout = cucm::endpoint_unregistered(phone("SEP001E4A303031", "10.10.30.31", 13, "uc-ucm-01"));
  relay(cap, kUcm, "uc-ucm-01", dropped, 3001, t0 + 10_s, 1_ms);
  relay(cap, kUcm, "uc-ucm-01", dropped, 3002, t0 + 11500_ms, 1_ms);
  relay(cap, kUcm, "uc-ucm-01", timeout, 3003, t0 + 71500_ms, 1_ms);
  relay(cap, kUcm, "uc-ucm-01", timeout, 3004, t0 + 131500_ms, 1_ms);
  out.save_pcap(cap);
}
