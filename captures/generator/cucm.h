// Cisco Unified CM alarm messages as sent by syslog (UDP 514), e.g.
//   <187>42: uc-ucm-01: May 09 2023 23:10:24.120 UTC :  %UC_CALLMANAGER-3-EndPointUnregistered:
//   %[DeviceName=SEP...][IPAddress=...]...[NodeID=uc-ucm-01]: An endpoint has unregistered
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bytes.h"
#include "timebase.h"

namespace kagen::cucm {

constexpr std::uint16_t kSyslogPort = 514;

/// An alarm: `%FACILITY-SEVERITY-NAME: %[K=V][K=V]...: text`, or before CUCM 8.0
/// (`labelled`) `%FACILITY-SEVERITY-NAME: text K:V K:V ...` with the parameters' catalog
/// names as keys ("Device name.", "Reason Code [Optional].").
struct Alarm {
  std::string facility = "UC_CALLMANAGER";
  int severity = 3;
  std::string name = "EndPointUnregistered";
  std::vector<std::pair<std::string, std::string>> fields;  ///< the bracketed fields, in order
  std::string text = "An endpoint has unregistered";
  bool labelled = false;

  std::string str() const;
};

/// The fields of EndPointUnregistered in CUCM's order. Reason codes: 1 Unknown,
/// 6 ConnectivityError, 8 DeviceInitiatedReset, 9 CallManagerReset,
/// 10 DeviceUnregistered, 11 MalformedRegisterMsg, 12 SCCPDeviceThrottling,
/// 13 KeepAliveTimeout, 14 ConfigurationMismatch, 16 DuplicateRegistration,
/// 17 CallManagerApplyConfig, 18 DeviceNoResponse.
struct EndpointUnregistered {
  std::string device_name;                 ///< "SEPE0D1730A8137"
  std::string ip_address;                  ///< "10.60.98.210"
  std::string protocol = "SIP";            ///< "SIP" or "SCCP"
  unsigned device_type = 592;
  std::string description = "Phone";
  unsigned reason = 13;
  unsigned ip_addr_attributes = 0;
  std::string last_signal_received = "SIPStationDPrimaryLineTimeout";
  std::string app_id = "Cisco CallManager";
  std::string cluster_id = "StandAloneCluster";
  std::string node_id = "uc-ucm-01";
};
Alarm endpoint_unregistered(const EndpointUnregistered& e);

/// CUCM 5.x/6.x's DeviceUnregistered, as Cisco's note on reason code 12 quotes it:
///   %CCM_CALLMANAGER-CALLMANAGER-3-DeviceUnregistered: Device unregistered. Device name.:SEP...
///   Device IP address.:... Protocol.:SCCP Device type. [Optional]:8 Device description
///   [Optional].:... Reason Code [Optional].:12
/// followed here by the application ids. Its reason codes are EndpointUnregistered's.
Alarm device_unregistered(const EndpointUnregistered& e);

/// The syslog datagram text: `<PRI>SEQ: HOST: Mon DD YYYY HH:MM:SS.mmm UTC :  ALARM`.
/// PRI 187 = local7.err, what CUCM uses for severity-3 alarms.
std::string syslog_message(TimeNs t, const Alarm& alarm, unsigned seq, const std::string& host, int pri = 187);
inline Bytes syslog_payload(TimeNs t, const Alarm& alarm, unsigned seq, const std::string& host, int pri = 187) {
  return to_bytes(syslog_message(t, alarm, seq, host, pri));
}

/// The same alarm forwarded by a syslog relay under its own RFC 3164 header:
/// `<PRI>Mon DD HH:MM:SS RELAY ALARM` (CUCM's sequence number, host and time stamp dropped).
std::string relayed_message(TimeNs t, const Alarm& alarm, const std::string& relay, int pri = 187);
inline Bytes relayed_payload(TimeNs t, const Alarm& alarm, const std::string& relay, int pri = 187) {
  return to_bytes(relayed_message(t, alarm, relay, pri));
}

}  // namespace kagen::cucm
