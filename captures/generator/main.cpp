// ka-gen: writes the registered scenario captures.
//   ka-gen --list              name and description of every scenario
//   ka-gen OUTDIR              all scenarios into OUTDIR, except heavy ones (benchmarks)
//   ka-gen OUTDIR NAME...      only the named ones (heavy ones included)
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "scenario.h"

namespace {

void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: ka-gen --list\n"
               "       ka-gen OUTDIR [SCENARIO...]\n"
               "Writes deterministic scenario captures (<name>.pcap or <name>.pcapng) into OUTDIR.\n"
               "Heavy scenarios (marked in --list) are written only when named.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return 2;
  }
  if (args[0] == "-h" || args[0] == "--help") {
    usage(stdout);
    return 0;
  }
  const auto scenarios = kagen::all_scenarios();
  if (args[0] == "--list" || args[0] == "-l") {
    std::size_t width = 0;
    for (const auto& s : scenarios) width = std::max(width, s.name.size());
    for (const auto& s : scenarios) {
      std::printf("%-*s  %s%s\n", static_cast<int>(width), s.name.c_str(), s.heavy ? "[heavy] " : "",
                  s.description.c_str());
    }
    return 0;
  }
  if (args[0].rfind("-", 0) == 0) {
    usage(stderr);
    return 2;
  }

  const std::string outdir = args[0];
  std::vector<const kagen::Scenario*> chosen;
  if (args.size() == 1) {
    for (const auto& s : scenarios)
      if (!s.heavy) chosen.push_back(kagen::find_scenario(s.name));
  } else {
    for (std::size_t i = 1; i < args.size(); ++i) {
      const kagen::Scenario* s = kagen::find_scenario(args[i]);
      if (!s) {
        std::fprintf(stderr, "ka-gen: unknown scenario '%s' (see ka-gen --list)\n", args[i].c_str());
        return 2;
      }
      chosen.push_back(s);
    }
  }

  try {
    std::filesystem::create_directories(outdir);
    for (const kagen::Scenario* s : chosen) {
      kagen::ScenarioOutput out(outdir, s->name);
      s->fn(out);
      if (out.written().empty()) {
        std::fprintf(stderr, "ka-gen: scenario '%s' wrote nothing\n", s->name.c_str());
        return 1;
      }
      for (const auto& w : out.written()) std::printf("%s: %zu frames\n", w.first.c_str(), w.second);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ka-gen: %s\n", e.what());
    return 1;
  }
  return 0;
}
