// An in-memory capture: frames with timestamps and interfaces, written out as
// pcap or pcapng in timestamp order.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bytes.h"
#include "packet.h"
#include "pcap_writer.h"
#include "timebase.h"

namespace kagen {

/// One capture point of a capture file (an IDB in pcapng).
struct Interface {
  LinkType link = LinkType::Ethernet;
  std::string name;         ///< e.g. "phone-side"
  std::string description;  ///< optional free text
};

struct Frame {
  TimeNs time = 0;
  int iface = 0;
  Bytes data;            ///< the complete link-layer frame
  std::string comment;   ///< pcapng only (opt_comment)
};

/// Collects frames in any order. On writing they are sorted by timestamp; frames
/// with equal timestamps keep the order in which they were added.
class Capture {
 public:
  /// A capture with a single interface 0.
  explicit Capture(LinkType link = LinkType::Ethernet, std::string name = "eth0");
  /// A capture with several interfaces (ids 0, 1, ... in this order), e.g. a
  /// phone-side and a call-manager-side capture merged like mergecap does.
  explicit Capture(std::vector<Interface> interfaces);
  /// The phone's switch port (interface 0) and the call manager's (interface 1), merged.
  static Capture merged();

  int interface_count() const { return static_cast<int>(interfaces_.size()); }
  const Interface& iface(int id) const;
  LinkType link(int iface = 0) const { return this->iface(iface).link; }

  /// Adds a complete link-layer frame (built for link(iface)).
  void add(TimeNs t, Bytes frame, int iface = 0, std::string comment = {});

  std::size_t size() const { return frames_.size(); }
  /// Frames in file order (sorted by time, stable).
  std::vector<Frame> sorted_frames() const;

  /// Classic pcap; only for single-interface captures. Microsecond files
  /// truncate timestamps to whole microseconds.
  void write_pcap(const std::string& path, TsResolution res = TsResolution::Micro) const;
  /// pcapng, nanosecond timestamps, one IDB per interface.
  void write_pcapng(const std::string& path) const;

 private:
  std::vector<Interface> interfaces_;
  std::vector<Frame> frames_;
};

/// `cap`'s frames as mergecap merges the capture points' own files when interface `iface`'s clock
/// was set back `by` at `at` (its frames from then on stamped `by` earlier): each point's frames in
/// their own order, the earliest of the files' next frames first.
std::vector<Frame> merged_with_clock_step(const Capture& cap, int iface, TimeNs at, TimeNs by);

/// An ARP resolution on interface 0: `asker` asks at `t` who has `owner`'s address, and `owner`
/// answers `reply_after` later (padded frames, tagged as `eth` says; the ports are not used).
void add_arp_resolution(Capture& cap, TimeNs t, const Endpoint& asker, const Endpoint& owner, TimeNs reply_after,
                        EthOptions eth = EthOptions{std::nullopt, 0, true});

}  // namespace kagen
