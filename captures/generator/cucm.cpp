#include "cucm.h"

#include <cstdio>

namespace kagen::cucm {

std::string Alarm::str() const {
  std::string s = "%" + facility + "-" + std::to_string(severity) + "-" + name + ": %";
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

std::string syslog_message(TimeNs t, const Alarm& alarm, unsigned seq, const std::string& host, int pri) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const CivilTime c = to_civil(t);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%s %02d %04d %02d:%02d:%02d.%03d UTC", kMonths[c.month - 1], c.day, c.year,
                c.hour, c.minute, c.second, static_cast<int>(c.nanos / 1000000));
  return "<" + std::to_string(pri) + ">" + std::to_string(seq) + ": " + host + ": " + stamp + " :  " + alarm.str();
}

}  // namespace kagen::cucm
