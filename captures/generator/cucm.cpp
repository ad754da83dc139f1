#include "cucm.h"

#include <cstdio>

namespace kagen::cucm {

std::string Alarm::str() const {
  std::string s = "%" + facility + "-" + std::to_string(severity) + "-" + name + ": ";
  if (labelled) {
    s += text;
    for (const auto& f : fields) s += " " + f.first + ":" + f.second;
    return s;
  }
  s += "%";
  for (const auto& f : fields) s += "[" + f.first + "=" + f.second + "]";
  return s + ": " + text;
}

Alarm endpoint_unregistered(const EndpointUnregistered& e) {
  Alarm a;
  a.fields = {
      {"DeviceName", e.device_name},
      {"IPAddress", e.ip_address},
      {"Protocol", e.protocol},
      {"DeviceType", std::to_string(e.device_type)},
      {"Description", e.description},
      {"Reason", std::to_string(e.reason)},
      {"IPAddrAttributes", std::to_string(e.ip_addr_attributes)},
      {"LastSignalReceived", e.last_signal_received},
      {"AppID", e.app_id},
      {"ClusterID", e.cluster_id},
      {"NodeID", e.node_id},
  };
  return a;
}

Alarm device_unregistered(const EndpointUnregistered& e) {
  Alarm a;
  a.facility = "CCM_CALLMANAGER-CALLMANAGER";
  a.name = "DeviceUnregistered";
  a.text = "Device unregistered.";
  a.labelled = true;
  a.fields = {
      {"Device name.", e.device_name},
      {"Device IP address.", e.ip_address},
      {"Protocol.", e.protocol},
      {"Device type. [Optional]", std::to_string(e.device_type)},
      {"Device description [Optional].", e.description},
      {"Reason Code [Optional].", std::to_string(e.reason)},
      {"App ID", e.app_id},
      {"Cluster ID", e.cluster_id},
      {"Node ID", e.node_id},
  };
  return a;
}

namespace {

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string syslog_message(TimeNs t, const Alarm& alarm, unsigned seq, const std::string& host, int pri) {
  const CivilTime c = to_civil(t);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%s %02d %04d %02d:%02d:%02d.%03d UTC", kMonths[c.month - 1], c.day, c.year,
                c.hour, c.minute, c.second, static_cast<int>(c.nanos / 1000000));
  return "<" + std::to_string(pri) + ">" + std::to_string(seq) + ": " + host + ": " + stamp + " :  " + alarm.str();
}

std::string relayed_message(TimeNs t, const Alarm& alarm, const std::string& relay, int pri) {
  const CivilTime c = to_civil(t);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%s %2d %02d:%02d:%02d", kMonths[c.month - 1], c.day, c.hour, c.minute, c.second);
  return "<" + std::to_string(pri) + ">" + stamp + " " + relay + " " + alarm.str();
}

}  // namespace kagen::cucm
