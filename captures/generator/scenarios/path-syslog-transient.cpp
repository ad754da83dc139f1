// CUCM syslog alone: a transient connection, whose Reason_Code 13 is no KeepAliveTimeout, and an
// unregistration for a reason past SPEC's list.
//
// path-syslog-transient (Ethernet, microsecond pcap, T0 = 2023-05-16 09:00:00 UTC, UDP 514 -> 514,
// uc-ucm-01 10.10.30.5 MAC 00:50:56:a1:30:05 -> collector 10.10.40.50 MAC 00:50:56:a1:40:50):
//   1  T0+10 s  EndPointTransientConnection SEP001E4A303031 10.10.30.31 SIP Reason_Code=13, seq 3001
//   2  T0+12 s  EndPointUnregistered SEP001E4A303032 10.10.30.32 SIP Reason=23 (SourceIPAddrChanged),
//               LastSignalReceived SIPStationDPrimaryLine, seq 3002
//   => frame 1: transient reason 13, no unregistration reason, no expert info; frame 2: reason 23
//      and endpoint_unregistered. No keepalive of either phone in the capture.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("path-syslog-transient",
            "A CUCM transient connection with Reason_Code 13 and an unregistration for reason 23, syslog only") {
  const Endpoint ucm{"00:50:56:a1:30:05", "10.10.30.5", cucm::kSyslogPort};
  const Endpoint collector{"00:50:56:a1:40:50", "10.10.40.50", cucm::kSyslogPort};
  const TimeNs t0 = utc("2023-05-16 09:00:00.000000");
  Capture cap;
  UdpFlow syslog(cap, ucm, collector);

  cucm::Alarm transient;
  transient.name = "EndPointTransientConnection";
  transient.fields = {{"Device_IP_address", "10.10.30.31"}, {"Device_Port", "5060"},
                      {"Device_name", "SEP001E4A303031"},   {"Protocol", "SIP"},
                      {"Device_type", "592"},               {"Reason_Code", "13"},
                      {"Connecting_Port", "5060"},          {"AppID", "Cisco CallManager"},
                      {"ClusterID", "StandAloneCluster"},   {"NodeID", "uc-ucm-01"}};
  transient.text = "An endpoint attempted to register but did not complete registration";
  syslog.send(t0 + 10_s, Dir::ToServer, cucm::syslog_payload(t0 + 10_s, transient, 3001, "uc-ucm-01"));

  cucm::EndpointUnregistered moved;
  moved.device_name = "SEP001E4A303032";
  moved.ip_address = "10.10.30.32";
  moved.reason = 23;
  moved.last_signal_received = "SIPStationDPrimaryLine";
  syslog.send(t0 + 12_s, Dir::ToServer,
              cucm::syslog_payload(t0 + 12_s, cucm::endpoint_unregistered(moved), 3002, "uc-ucm-01"));
  out.save_pcap(cap);
}
