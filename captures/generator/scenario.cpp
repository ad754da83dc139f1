#include "scenario.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace kagen {

namespace {

std::vector<Scenario>& registry() {
  static std::vector<Scenario> r;  // function-local: safe during static initialisation
  return r;
}

bool valid_name(const std::string& n) {
  if (n.empty()) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

std::string ScenarioOutput::path(const std::string& file_name) const {
  return dir_.empty() ? file_name : dir_ + "/" + file_name;
}

void ScenarioOutput::save_pcap(const Capture& cap, TsResolution res) {
  const std::string p = path(name_ + ".pcap");
  cap.write_pcap(p, res);
  written_.emplace_back(p, cap.size());
}

void ScenarioOutput::save_pcap_as_given(const std::vector<Frame>& frames) {
  const std::string p = path(name_ + ".pcap");
  PcapWriter w(p, LinkType::Ethernet);
  for (const Frame& f : frames) w.write(f.time, f.data);
  w.finish();
  written_.emplace_back(p, frames.size());
}

void ScenarioOutput::save_pcapng_as_given(const Capture& cap, const std::vector<Frame>& frames) {
  const std::string p = path(name_ + ".pcapng");
  PcapngWriter w(p);
  for (int i = 0; i < cap.interface_count(); ++i) w.add_interface(cap.iface(i).link, cap.iface(i).name, cap.iface(i).description);
  for (const Frame& f : frames) w.write(static_cast<std::uint32_t>(f.iface), f.time, f.data, f.comment);
  w.finish();
  written_.emplace_back(p, frames.size());
}

void ScenarioOutput::save_pcapng(const Capture& cap) {
  const std::string p = path(name_ + ".pcapng");
  cap.write_pcapng(p);
  written_.emplace_back(p, cap.size());
}

ScenarioRegistrar::ScenarioRegistrar(const char* name, const char* description, ScenarioFn fn, bool heavy) {
  const std::string n = name ? name : "";
  if (!valid_name(n)) {
    std::fprintf(stderr, "ka-gen: invalid scenario name '%s' (use [a-z0-9-])\n", n.c_str());
    std::abort();
  }
  if (find_scenario(n)) {
    std::fprintf(stderr, "ka-gen: scenario '%s' is defined twice\n", n.c_str());
    std::abort();
  }
  registry().push_back(Scenario{n, description ? description : "", fn, heavy});
}

std::vector<Scenario> all_scenarios() {
  std::vector<Scenario> v = registry();
  std::sort(v.begin(), v.end(), [](const Scenario& a, const Scenario& b) { return a.name < b.name; });
  return v;
}

const Scenario* find_scenario(const std::string& name) {
  for (const Scenario& s : registry()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace kagen
