// What every analyser of one capture shares: configuration, interned strings, the directory of
// endpoints, and the sink that records annotations for the frame being processed.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config.h"
#include "events.h"
#include "findings.h"
#include "flat_map.h"
#include "hash.h"

namespace ka {

// Collects the current frame's annotations into the per-frame cache.
class Sink {
public:
    explicit Sink(FindingStore& store) : store_(store) {}
    void begin_frame(std::uint32_t frame) { frame_ = frame; }
    void emit(const Annotation& a) { store_.add(frame_, a); }
    std::uint32_t frame() const { return frame_; }

private:
    FindingStore& store_;
    std::uint32_t frame_ = 0;
};

// The last keepalive or refresh of each endpoint, by device name and by IP, so that a call
// manager's syslog verdict can point at it (SPEC §3.5), and the one before: a verdict captured at
// another capture point than the endpoint's latest sign may precede that sign on its own clock.
// Keepalives to a backup are left out: they say nothing about the registration whose loss the call
// manager reports.
//
// Every refresh and primary keepalive touches it, so a touch writes one entry: the address's (and
// its left() entry when the address changes server, which is rare). A
// device name is attached to the address it was last active at and reads its activity there; the
// name's own entry is written only when that changes (the device moved, another device took the
// address, an unnamed touch came from it), and then keeps the name's last activity until it
// attaches again.
class EndpointDirectory {
public:
    struct Activity {
        Nanos time = 0;
        std::uint32_t frame = 0;
        std::uint32_t name = 0;    // device name id last seen at the address (0 = unknown)
        std::uint32_t point = 0;   // the capture point on whose clock `time` is (timed_at())
        std::uint32_t server = 0;  // StringTable id of the server the keepalive/refresh went to
    };
    // A keepalive or refresh from `ip` (invalid: unknown); what.name is the device name's id, 0 when
    // unknown (the address then keeps the last name seen there).
    void touch(const IpAddr& ip, const Activity& what);
    // Starts loading the entry a touch() of `ip` soon after will write.
    void prefetch(const IpAddr& ip) const { by_ip_.prefetch(ip); }
    // The last activity and the one before it (nullptr: none known). An address's are its last and,
    // before it, the previous one of the device the last is of, wherever it was (the address's own
    // for an unnamed touch). A name's are those of the address it is attached to; detached, it
    // keeps its last only.
    struct Recent {
        const Activity* last = nullptr;
        const Activity* before = nullptr;
    };
    Recent recent_by_name(std::uint32_t name) const;
    Recent recent_by_ip(const IpAddr& ip) const;
    const Activity* by_name(std::uint32_t name) const { return recent_by_name(name).last; }
    const Activity* by_ip(const IpAddr& ip) const { return recent_by_ip(ip).last; }
    // The latest activity from `ip` to another server than its latest one: what went to the call
    // manager or registrar the endpoint left (a failover, a fallback), whose verdict a syslog
    // message may be. Written only when an address changes server.
    const Activity* left(const IpAddr& ip) const { return left_.find(ip); }
    // What the path analysers call an endpoint they only know by address: its device name id if a
    // keepalive/refresh named it, else the address interned.
    std::uint32_t endpoint_of(const IpAddr& ip, StringTable& strings) const;
    std::size_t bytes() const;

private:
    struct AddressEntry {
        Activity last, before;
        bool holds_name = false;  // last.name is attached here: this is also the name's activity
    };
    struct NameEntry {
        Activity last;  // while detached
        IpAddr at;      // the address attached to (invalid: detached)
    };
    void detach(AddressEntry& e);
    // Returns the name's last activity before this touch, which the address keeps as `before`.
    Activity attach(std::uint32_t name, const IpAddr& ip, AddressEntry& e);
    void release(const NameEntry& n, std::uint32_t name);

    FlatMap<std::uint32_t, NameEntry> by_name_;
    FlatMap<IpAddr, AddressEntry, IpAddrHash> by_ip_;
    FlatMap<IpAddr, Activity, IpAddrHash> left_;
};

// The MAC each IPv4 address was last announced from by ARP, per capture point: a request or a
// gratuitous ARP gives its sender's own address and MAC (an ARP probe, from no address yet, gives
// none). A host that took a new address says so; a router never does for the phones behind it.
// What ties a phone's registration from a new address to its old one (SipAnalyzer, SccpAnalyzer).
class Announcements {
public:
    void note(const Frame& f);
    // `mac` announced `ip` at capture point `point`.
    bool by(std::uint32_t point, const IpAddr& ip, Mac mac) const;
    std::size_t bytes() const { return by_address_.bytes(); }

private:
    struct Entry {
        Mac mac = 0;
        Nanos time = 0;
    };
    FlatMap<std::uint64_t, Entry> by_address_;
};

// Each capture point of a merged capture has its own clock (SPEC §3.6): an analyser's timers are
// kept per point, in one of kClocks queues, and checked against that point's frames only
// (Context::clock); so are its silences and clock steps (CaptureGaps). Captures with more points
// than this share the last queue: points whose clocks differ then judge each other's timers. As
// many as a mask of clocks holds (CapturePoints::clock_stepped).
constexpr std::uint32_t kClocks = 32;

// The point whose view a frame's state belongs to, and on whose clock its time is: a TCP
// connection's home (the point that saw its first segment; Engine::process moves a segment first
// seen at another point onto the home's clock), else the frame's own interface (a copy from
// another point included: the analysers skip it, but its time still tells its own point's clock).
inline std::uint32_t point_of(const Frame& f) { return f.tcp.present && !f.tcp.copy ? f.tcp.home : f.interface_id; }

// The point on whose clock `f`'s time is: its point_of(), unless it was seen first at another point
// before the offset between the two was known (Frame::tcp::unplaced): then its own interface's.
// Timers due on that clock are checked at the frame.
inline std::uint32_t timed_at(const Frame& f) { return f.tcp.unplaced ? f.interface_id : point_of(f); }

// The path `f` took, in its direction only: its addresses, ports and capture point `point`.
inline std::uint64_t direction_key(const Frame& f, std::uint32_t point) {
    std::uint64_t key = hash::mix(hash::kSeed, point);
    key = hash::mix(key, std::uint64_t{f.src_ip.family} << 40 | std::uint64_t{f.dst_ip.family} << 32 |
                             std::uint64_t{f.src_port} << 16 | f.dst_port);
    key = hash::bytes(key, f.src_ip.bytes, sizeof f.src_ip.bytes);
    return hash::finish(hash::bytes(key, f.dst_ip.bytes, sizeof f.dst_ip.bytes));
}

struct Context {
    Config config;
    StringTable strings;
    EndpointDirectory directory;
    Announcements announcements;
    Sink sink;

    // Set by the engine once the capture's interfaces turn out to be capture points.
    bool separate_clocks = false;
    // One more than the highest interface id seen so far.
    std::uint32_t interfaces = 1;

    explicit Context(const Config& c, FindingStore& store) : config(c), sink(store) {}
    // The timer queue of a capture point: its own once the points have clocks of their own, else
    // the one queue of all interfaces (NICs of one machine).
    std::uint32_t clock(std::uint32_t point) const { return !separate_clocks ? 0 : point < kClocks ? point : kClocks - 1; }
    // "ip:port/transport", [v6]:port/transport: the keepalive.server string.
    std::uint32_t server_id(const IpAddr& ip, std::uint16_t port, Transport t);
    // The address of a server_id(); nullptr for another id.
    const IpAddr* server_ip(std::uint32_t id) const { return server_ips_.find(id); }
    // Memory held by the strings, the directory, the announcements and the server ids.
    std::size_t bytes() const;

private:
    // Server ids by address, port and transport: formatting an address costs more than a lookup,
    // and a capture has few servers.
    struct ServerKey {
        IpAddr ip;
        std::uint16_t port = 0;
        Transport transport = Transport::None;
        bool operator==(const ServerKey& o) const { return port == o.port && transport == o.transport && ip == o.ip; }
    };
    struct ServerKeyHash {
        std::size_t operator()(const ServerKey& k) const;
    };
    FlatMap<ServerKey, std::uint32_t, ServerKeyHash> servers_;
    FlatMap<std::uint32_t, IpAddr> server_ips_;
};

}  // namespace ka
