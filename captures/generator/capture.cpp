#include "capture.h"

#include <algorithm>
#include <stdexcept>

namespace kagen {

Capture::Capture(LinkType link, std::string name) { interfaces_.push_back(Interface{link, std::move(name), {}}); }

Capture::Capture(std::vector<Interface> interfaces) : interfaces_(std::move(interfaces)) {
  if (interfaces_.empty()) throw std::invalid_argument("a capture needs at least one interface");
}

Capture Capture::merged() {
  return Capture({Interface{LinkType::Ethernet, "phone-side", "switch port of the phone"},
                  Interface{LinkType::Ethernet, "cucm-side", "switch port of the call manager"}});
}

const Interface& Capture::iface(int id) const {
  if (id < 0 || id >= interface_count()) throw std::out_of_range("no interface " + std::to_string(id));
  return interfaces_[static_cast<std::size_t>(id)];
}

void Capture::add(TimeNs t, Bytes frame, int iface, std::string comment) {
  (void)this->iface(iface);  // validates the id
  if (t < 0) throw std::invalid_argument("capture timestamps must not precede 1970");
  frames_.push_back(Frame{t, iface, std::move(frame), std::move(comment)});
}

std::vector<Frame> Capture::sorted_frames() const {
  std::vector<Frame> out = frames_;
  std::stable_sort(out.begin(), out.end(), [](const Frame& a, const Frame& b) { return a.time < b.time; });
  return out;
}

void Capture::write_pcap(const std::string& path, TsResolution res) const {
  if (interface_count() != 1) throw std::logic_error("classic pcap holds one interface; use write_pcapng");
  PcapWriter w(path, link(0), res);
  for (const Frame& f : sorted_frames()) w.write(f.time, f.data);
  w.finish();
}

void Capture::write_pcapng(const std::string& path) const {
  PcapngWriter w(path);
  for (const Interface& i : interfaces_) w.add_interface(i.link, i.name, i.description);
  for (const Frame& f : sorted_frames()) w.write(static_cast<std::uint32_t>(f.iface), f.time, f.data, f.comment);
  w.finish();
}

std::vector<Frame> merged_with_clock_step(const Capture& cap, int iface, TimeNs at, TimeNs by) {
  std::vector<std::vector<Frame>> files(static_cast<std::size_t>(cap.interface_count()));
  for (Frame f : cap.sorted_frames()) {
    if (f.iface == iface && f.time >= at) f.time -= by;
    files[static_cast<std::size_t>(f.iface)].push_back(std::move(f));
  }
  std::vector<Frame> out;
  std::vector<std::size_t> next(files.size(), 0);
  for (std::size_t n = 0; n < cap.size(); ++n) {
    std::size_t pick = files.size();
    for (std::size_t i = 0; i < files.size(); ++i)
      if (next[i] < files[i].size() && (pick == files.size() || files[i][next[i]].time < files[pick][next[pick]].time))
        pick = i;
    out.push_back(files[pick][next[pick]++]);
  }
  return out;
}

void add_arp_resolution(Capture& cap, TimeNs t, const Endpoint& asker, const Endpoint& owner, TimeNs reply_after,
                        EthOptions eth) {
  cap.add(t, arp_request(asker.mac, asker.ip, owner.ip, eth));
  cap.add(t + reply_after, arp_reply(owner.mac, owner.ip, asker.mac, asker.ip, eth));
}

}  // namespace kagen
