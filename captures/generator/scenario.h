// Scenario registry. A scenario is one .cpp file in scenarios/ that builds a
// Capture from known parameters and saves it under its own name:
//
//   #include "scenario.h"
//   using namespace kagen;
//   using namespace kagen::literals;
//
//   // Parameters: ... (state every value a test needs to derive expectations)
//   KA_SCENARIO("sip-udp-example", "One REGISTER and its 200 OK over UDP") {
//     Capture cap;                                        // Ethernet, interface 0
//     Endpoint phone{"00:24:14:2d:df:24", "10.0.0.10", 5060};
//     Endpoint cucm{"00:50:56:aa:bb:cc", "10.0.0.1", 5060};
//     UdpFlow udp(cap, phone, cucm);
//     const TimeNs t0 = utc("2023-05-09 10:00:00");
//     sip::Register reg;  /* ...fill in... */
//     udp.send(t0, Dir::ToServer, reg.bytes());
//     udp.send(t0 + 12_ms, Dir::ToClient, sip::ok(reg, "tag1").bytes());
//     out.save_pcap(cap);                                 // <outdir>/sip-udp-example.pcap
//   }
//
// The body receives `kagen::ScenarioOutput& out`. Names are lower-case
// [a-z0-9-]; ka-gen lists scenarios sorted by name. KA_SCENARIO_HEAVY defines
// a scenario too large to write at every build (benchmark fleets): ka-gen
// writes it only when it is named explicitly. Everything must be derived
// from constants or a seeded Rng so the output is byte-for-byte reproducible.
#pragma once

#include <string>
#include <vector>

#include "kagen.h"

namespace kagen {

/// Where a scenario writes its capture(s).
class ScenarioOutput {
 public:
  ScenarioOutput(std::string dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {}

  const std::string& dir() const { return dir_; }
  const std::string& name() const { return name_; }
  /// `<dir>/<file_name>`
  std::string path(const std::string& file_name) const;

  /// Writes `<dir>/<name>.pcap`.
  void save_pcap(const Capture& cap, TsResolution res = TsResolution::Micro);
  /// Writes `<dir>/<name>.pcapng`.
  void save_pcapng(const Capture& cap);
  /// Writes `<dir>/<name>.pcap` (Ethernet, microseconds) with `frames` in the order given: a
  /// capture whose timestamps are deliberately out of order.
  void save_pcap_as_given(const std::vector<Frame>& frames);
  /// Writes `<dir>/<name>.pcapng` with `cap`'s interfaces and `frames` in the order given.
  void save_pcapng_as_given(const Capture& cap, const std::vector<Frame>& frames);
  /// Records a file the scenario wrote itself as path(file_name), e.g. with a PcapWriter
  /// to cut frames short.
  void add_written(const std::string& file_name, std::size_t frames) { written_.emplace_back(path(file_name), frames); }
  /// Files written so far, with their frame counts.
  const std::vector<std::pair<std::string, std::size_t>>& written() const { return written_; }

 private:
  std::string dir_;
  std::string name_;
  std::vector<std::pair<std::string, std::size_t>> written_;
};

using ScenarioFn = void (*)(ScenarioOutput& out);

struct Scenario {
  std::string name;
  std::string description;
  ScenarioFn fn;
  bool heavy = false;  ///< written only on request, not by `ka-gen OUTDIR`
};

/// All registered scenarios, sorted by name.
std::vector<Scenario> all_scenarios();
/// nullptr when unknown.
const Scenario* find_scenario(const std::string& name);

/// Registers a scenario at static-initialisation time (used by KA_SCENARIO).
/// A malformed or duplicate name aborts the program with a message.
struct ScenarioRegistrar {
  ScenarioRegistrar(const char* name, const char* description, ScenarioFn fn, bool heavy = false);
};

}  // namespace kagen

#define KA_SCENARIO_CAT2_(a, b) a##b
#define KA_SCENARIO_CAT_(a, b) KA_SCENARIO_CAT2_(a, b)

/// Defines and registers a scenario; the braces that follow are its body, which
/// sees `kagen::ScenarioOutput& out`.
#define KA_SCENARIO_DEFINE_(NAME, DESCRIPTION, HEAVY)                                           \
  static void KA_SCENARIO_CAT_(ka_scenario_body_, __LINE__)(::kagen::ScenarioOutput & out);     \
  static const ::kagen::ScenarioRegistrar KA_SCENARIO_CAT_(ka_scenario_registrar_, __LINE__)(   \
      NAME, DESCRIPTION, &KA_SCENARIO_CAT_(ka_scenario_body_, __LINE__), HEAVY);                \
  static void KA_SCENARIO_CAT_(ka_scenario_body_, __LINE__)(::kagen::ScenarioOutput & out)
#define KA_SCENARIO(NAME, DESCRIPTION) KA_SCENARIO_DEFINE_(NAME, DESCRIPTION, false)
/// A scenario written only when named on the ka-gen command line.
#define KA_SCENARIO_HEAVY(NAME, DESCRIPTION) KA_SCENARIO_DEFINE_(NAME, DESCRIPTION, true)
