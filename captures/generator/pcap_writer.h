// Low-level capture file writers: classic pcap and pcapng, always written
// little-endian so the output is byte-identical on every host. Scenarios
// normally use Capture (capture.h), which sorts frames and calls these.
#pragma once

#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "bytes.h"
#include "packet.h"
#include "timebase.h"

namespace kagen {

/// Timestamp resolution of a classic pcap file (magic a1b2c3d4 / a1b23c4d).
enum class TsResolution { Micro, Nano };

constexpr std::uint32_t kDefaultSnaplen = 262144;

/// Classic pcap (version 2.4). Microsecond files store floor(t / 1000).
class PcapWriter {
 public:
  PcapWriter(const std::string& path, LinkType link, TsResolution res = TsResolution::Micro,
             std::uint32_t snaplen = kDefaultSnaplen);
  /// Writes to a caller-owned stream (e.g. a std::ostringstream in a test).
  PcapWriter(std::ostream& out, LinkType link, TsResolution res = TsResolution::Micro,
             std::uint32_t snaplen = kDefaultSnaplen);

  /// Appends one record; `t` must be >= 0. Frames longer than the snaplen throw.
  void write(TimeNs t, const Bytes& frame);
  /// Flushes and checks the stream; throws std::runtime_error on I/O failure.
  void finish();

 private:
  void header(LinkType link);
  std::ofstream file_;
  std::ostream* out_;
  TsResolution res_;
  std::uint32_t snaplen_;
};

/// pcapng with one Section Header Block and one Interface Description Block per
/// interface (if_name, optional if_description, if_tsresol = 9, i.e. ns).
/// Every interface must be added before the first packet.
class PcapngWriter {
 public:
  explicit PcapngWriter(const std::string& path, const std::string& application = "ka-gen");
  explicit PcapngWriter(std::ostream& out, const std::string& application = "ka-gen");

  /// Returns the new interface id (0, 1, ...).
  std::uint32_t add_interface(LinkType link, const std::string& name, const std::string& description = {},
                              std::uint32_t snaplen = kDefaultSnaplen);
  /// Enhanced Packet Block; `comment` becomes an opt_comment when not empty.
  void write(std::uint32_t iface, TimeNs t, const Bytes& frame, const std::string& comment = {});
  void finish();

 private:
  void section_header(const std::string& application);
  void block(std::uint32_t type, const Bytes& body);
  std::ofstream file_;
  std::ostream* out_;
  std::uint32_t interfaces_ = 0;
  std::vector<std::uint32_t> snaplens_;
  bool packets_written_ = false;
};

}  // namespace kagen
