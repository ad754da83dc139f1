// SPDX-License-Identifier: GPL-2.0-or-later
//
// Who owns an IPv4 address on a segment is decided by the Ethernet source of the address's own IP
// frames, never by ARP: an address behind a router is "owned" by the router's MAC (every frame from
// it carries that MAC), and a host on the segment by its NIC. An ARP claim by another MAC is then
// either a false claim (proxy ARP, spoofing) or a genuine change of MAC; one in-order pass decides:
// - a reply claiming X for P while X's frames came from O != P within kOwnerLive: a mismatch, known
//   at once and reported on the ARP frame;
// - otherwise (no owner seen yet, the owner silent for a while, or a gratuitous announcement, which
//   is how a host that changed MAC or address, or a standby taking over an address, introduces
//   itself) the claim waits up to kOwnerLive after P's latest ARP frame, the same "in use" window,
//   and P's further replies join it. A real change of MAC leaves the old one silent, a duplicate
//   address keeps both in use: X's next frame from another MAC O (not one O had in flight)
//   confirms the mismatch, reported on that frame, where it becomes known; X's frames from P
//   explain it (P is the new owner) once no other MAC has sent as X within kOwnerLive. A MAC that
//   announced itself after another's claim that is still waiting (two announcements, no frame of
//   the older MAC since) does not confirm it: the older MAC's own next frame decides, and until
//   it ages out the newer claim waits too.
//   A claim older than that is a MAC no longer in use (an old NIC's announcement), not a rival.
// State is kept per segment (capture interface and VLAN): a merged capture or a trunk holds several.
#include "path_analyzer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "flat_map.h"
#include "hash.h"

namespace ka {

namespace {

// A MAC that sent a frame (an owner) or an ARP claim this recently is still in use: a claim by
// another MAC contradicts an owner in use, and an owner's frame a claim in use.
constexpr Nanos kOwnerLive = seconds(120);
// A frame from the address's known source MAC sooner than this after another MAC's claim is one
// it had queued or in flight when the claimer took over (a planned switchover), not a rival's.
constexpr Nanos kInFlight = seconds(1);
static_assert(kInFlight <= Nanos{UINT32_MAX}, "Claim::repeated holds it");
constexpr std::size_t kMaxHosts = std::size_t{1} << 16;
constexpr std::size_t kMaxMacs = std::size_t{1} << 14;
constexpr std::size_t kMaxServers = 4096;
constexpr int kClaims = 3;  // different MACs claiming one address that are remembered

// VRRP (IPv4, IPv6), HSRP v1/v2 and GLBP virtual router MACs are shared by design: whichever router
// is active answers for the gateway with them, and HSRP hellos carry them with a real router IP.
bool virtual_router_mac(Mac m) {
    return (m >> 8) == 0x00005e0001 || (m >> 8) == 0x00005e0002 || (m >> 8) == 0x00000c07ac ||
           (m >> 12) == 0x00000c9ff || (m >> 16) == 0x0007b400;
}

bool unicast_mac(Mac m) { return m != 0 && (m >> 40 & 0x01) == 0; }

bool unicast_ip(std::uint32_t ip) {
    std::uint32_t first = ip >> 24;
    return ip != 0 && ip != 0xffffffffu && first != 0 && first != 127 && (first & 0xf0) != 0xe0;
}

// An Ethernet segment: a capture interface, and a VLAN on it. A trunk carries several, and with
// overlapping address spaces (VRFs) one address is a different host in each: its own tables.
std::uint32_t segment(const Frame& f) { return (f.interface_id & 0xff) << 24 | f.vlan; }
std::uint64_t host_key(std::uint32_t seg, std::uint32_t ip) { return std::uint64_t{seg} << 32 | ip; }
// The interface as segment() keeps it, so that a claimer's key can be made from an address's.
std::uint64_t mac_key(std::uint32_t iface, Mac m) { return std::uint64_t{iface & 0xff} << 48 | m; }
std::uint32_t iface_of(std::uint64_t host_key) { return static_cast<std::uint32_t>(host_key >> 56); }
std::uint64_t server_key(std::uint32_t iface, std::uint32_t ip, std::uint16_t port) {
    return std::uint64_t{iface & 0xffff} << 48 | std::uint64_t{ip} << 16 | port;
}

struct Source {
    Mac mac = 0;
    Nanos time = 0;
    std::uint32_t frame = 0;  // the latest frame from the address with this source MAC
};

enum class ClaimState : std::uint8_t { Pending, Mismatch, Explained };

struct Claim {
    Mac mac = 0;
    Nanos time = 0;               // of the latest ARP frame with this claim
    Nanos announced_at = 0;       // of its latest announcement (gratuitous ARP), to all hosts
    std::uint32_t frame = 0;      // the latest ARP frame with this claim
    std::uint32_t announced = 0;  // the latest announcement's frame; 0: none
    // How long, up to kInFlight, it had been waiting at its latest ARP frame: the owner's frames
    // in flight count from the takeover, not from each repetition.
    std::uint32_t repeated = 0;
    ClaimState state = ClaimState::Pending;

    // `older` was made before this MAC announced itself: a host that changed MAC (the old one
    // then silent) or a duplicate address (both in use), which only the older MAC's next frame
    // tells apart.
    bool announced_since(const Claim& older) const { return announced != 0 && announced_at > older.time; }
};

// A claimer's latest reply to one requester for one address: what drew that requester's frames to
// the claimer. A proxy answers every host that asks, so this is kept per requester, in a table of
// its own keyed by a hash of all four, which the entry repeats to be checked.
struct ReplyTo {
    std::uint64_t address = 0;  // host_key() of the address claimed
    Mac claimer = 0;
    std::uint32_t requester = 0;
    std::uint32_t frame = 0;
    Nanos time = 0;
    bool is(std::uint64_t addr, Mac m, std::uint32_t req) const {
        return address == addr && claimer == m && requester == req;
    }
};
std::uint64_t reply_key(std::uint64_t address, Mac m, std::uint32_t requester) {
    return hash::finish(hash::mix(hash::mix(address, m), requester));
}
constexpr std::size_t kMaxReplies = std::size_t{1} << 14;

// Read on every frame from the address: the ARP claims, rare, live in a table of their own.
struct Host {
    Source src[2];  // [0]: the source MAC of the address's latest frame; [1]: the one before
    Nanos claimed_at = 0;     // of the latest ARP claim for the address
    bool has_claims = false;  // an entry in host_claims
    bool sent_to_source = false;  // signalling to the address went to a source's MAC or a virtual router's

    bool sourced_by(Mac m) const { return src[0].mac == m || src[1].mac == m; }
    // No MAC but the latest frame's sent as the address within kOwnerLive.
    bool one_owner(Nanos now) const { return src[1].mac == 0 || sub_sat(now, src[1].time) > kOwnerLive; }
    // Whether the latest frame's MAC is an owner that a claim by `claimer` contradicts. Frames from
    // two other MACs at once (a load balancer's real servers answering for its address) leave no
    // single owner, unless signalling to the address goes to them or through a virtual router: a
    // router pair that both route its frames onto the segment is then the way to it. Frames from
    // the claimer and another MAC at once are the conflict itself (a duplicate address).
    bool stands_against(Mac claimer, Nanos now) const {
        return src[1].mac == claimer || sent_to_source || one_owner(now);
    }
};

struct Claims {
    Claim claims[kClaims];
    int n = 0;

    Claim* of(Mac m) {
        for (int i = 0; i < n; ++i)
            if (claims[i].mac == m) return &claims[i];
        return nullptr;
    }
    // The claim heard from longest ago, a false one last: hosts may still send to a proxy they
    // asked long ago, and those frames are misdirected.
    Claim& least_worth_keeping() {
        Claim* least = &claims[0];
        for (int i = 1; i < n; ++i) {
            const Claim& o = claims[i];
            if (std::make_pair(o.state == ClaimState::Mismatch, o.time) <
                std::make_pair(least->state == ClaimState::Mismatch, least->time))
                least = &claims[i];
        }
        return *least;
    }
    // A claim `c` announced itself after, still waiting and in use: until that one is settled or
    // ages out, c's MAC is not known to be the only one.
    bool supersedes_waiting(const Claim& c, Nanos now) const {
        for (int i = 0; i < n; ++i) {
            const Claim& o = claims[i];
            if (o.mac != c.mac && o.state == ClaimState::Pending && sub_sat(now, o.time) <= kOwnerLive &&
                c.announced_since(o))
                return true;
        }
        return false;
    }
};

}  // namespace

bool towards_server(const Frame& f) { return !f.sip.empty() ? f.sip.front().is_request : f.skinny.front().id < 0x80; }

struct PathAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
    FlatMap<std::uint64_t, Host> hosts;               // (interface, IPv4)
    FlatMap<std::uint64_t, Claims> host_claims;       // (interface, IPv4) of hosts claimed
    FlatMap<std::uint64_t, std::uint32_t> claimed;    // (interface, MAC) -> addresses it claimed
    FlatMap<std::uint64_t, Nanos> servers;            // (interface, IPv4, port) -> its latest signalling
    FlatMap<std::uint64_t, ReplyTo> replies;          // reply_key() -> the claimer's latest reply to a requester

    // Null only when absent and not to be created.
    Host* host(std::uint32_t seg, std::uint32_t ip, bool create) {
        if (Host* h = hosts.find(host_key(seg, ip))) return h;
        if (!create) return nullptr;
        if (hosts.size() >= kMaxHosts) make_room();
        return &hosts[host_key(seg, ip)];
    }

    // More addresses than the table holds (a scan, an ARP flood, a long capture of a busy segment):
    // the eighth heard longest ago goes, so that addresses heard later are still learnt. Addresses
    // claimed in ARP go last, with their claims: a claim waits for the owner's frames.
    void make_room() {
        erase_oldest(hosts, kMaxHosts / 8, [](const Host& h) {
            return std::make_pair(h.has_claims, std::max(h.src[0].time, h.claimed_at));
        });
        std::vector<std::uint64_t> gone;
        host_claims.for_each([&](std::uint64_t key, const Claims& cl) {
            if (hosts.contains(key)) return;
            gone.push_back(key);
            for (int i = 0; i < cl.n; ++i) unclaim(iface_of(key), cl.claims[i].mac);
        });
        for (std::uint64_t key : gone) host_claims.erase(key);
    }

    // `m` no longer claims one of the addresses it was counted for.
    void unclaim(std::uint32_t iface, Mac m) {
        std::uint32_t* n = claimed.find(mac_key(iface, m));
        if (n && *n > 0) --*n;
    }

    Claims* claims_on(std::uint32_t seg, std::uint32_t ip, const Host& h) {
        return h.has_claims ? host_claims.find(host_key(seg, ip)) : nullptr;
    }

    // Addresses a claimer claims, the reported one included: one at least, also when a flood of
    // claiming MACs left it uncounted.
    std::uint32_t claims_of(std::uint32_t iface, Mac m) const {
        const std::uint32_t* n = claimed.find(mac_key(iface, m));
        return n && *n > 0 ? *n : 1;
    }

    void record_reply(std::uint64_t address, Mac m, std::uint32_t requester, const Frame& f) {
        const std::uint64_t key = reply_key(address, m, requester);
        if (!replies.contains(key)) make_room_in(replies, kMaxReplies, [](const ReplyTo& r) { return r.time; });
        replies[key] = ReplyTo{address, m, requester, f.number, f.time};
    }

    // The ARP frame that drew `requester`'s frames to the claimer of `address`: its latest reply
    // to it or its latest announcement, whichever came later, else (the reply forgotten in a
    // flood) its latest claim.
    std::uint32_t drew(std::uint64_t address, const Claim& c, std::uint32_t requester) const {
        const ReplyTo* r = replies.find(reply_key(address, c.mac, requester));
        const std::uint32_t latest = std::max(r && r->is(address, c.mac, requester) ? r->frame : 0u, c.announced);
        return latest != 0 ? latest : c.frame;
    }

    void on_arp(const Frame& f, const ArpPacket& a);
    void observe_source(const Frame& f);
    void learn_server(const Frame& f, bool to_server);
    void check_destination(const Frame& f);
    void report_mismatch(const Frame& f, std::uint32_t ip, const Claim& c, const Source& owner, bool deferred);
};

void PathAnalyzer::Impl::report_mismatch(const Frame& f, std::uint32_t ip, const Claim& c, const Source& owner,
                                         bool deferred) {
    Annotation a;
    a.subject = Subject::Arp;
    a.endpoint = ctx.strings.intern(IpAddr::v4(ip).to_string());
    a.set(Field::ArpIp, ip);
    a.set(Field::ArpClaimedMac, static_cast<std::int64_t>(c.mac));
    a.set(Field::ArpOwnerMac, static_cast<std::int64_t>(owner.mac));
    a.set(Field::ArpClaims, claims_of(f.interface_id, c.mac));
    // Reported on the owner's frame: point back at the claim, not at this frame itself.
    if (deferred) a.set(Field::ArpFrame, c.frame);
    else a.set(Field::OwnerFrame, owner.frame);
    a.raise(Expert::ArpMismatch);
    ctx.sink.emit(a);
}

void PathAnalyzer::Impl::on_arp(const Frame& f, const ArpPacket& a) {
    const bool gratuitous = a.gratuitous || a.sender_ip == a.target_ip;
    if (a.opcode != 2 && !gratuitous) return;  // an ordinary request claims nothing for others
    const std::uint32_t ip = a.sender_ip;
    const Mac p = a.sender_mac;
    if (!unicast_ip(ip) || !unicast_mac(p) || virtual_router_mac(p)) return;
    Host* h = host(segment(f), ip, true);

    h->has_claims = true;
    h->claimed_at = f.time;
    Claims& cl = host_claims[host_key(segment(f), ip)];
    Claim* c = cl.of(p);
    bool waiting = false;
    if (c) {
        waiting = c->state == ClaimState::Pending && sub_sat(f.time, c->time) <= kOwnerLive;
    } else {
        if (cl.n == kClaims) {  // forget a claimer, and that it claimed this address
            c = &cl.least_worth_keeping();
            unclaim(f.interface_id, c->mac);
        } else {
            c = &cl.claims[cl.n++];
        }
        *c = Claim{};
        c->mac = p;
        if (std::uint32_t* n = claimed.find(mac_key(f.interface_id, p))) ++*n;
        else if (claimed.size() < kMaxMacs) claimed[mac_key(f.interface_id, p)] = 1;
    }
    const Nanos waited = waiting ? std::clamp(c->repeated + sub_sat(f.time, c->time), Nanos{0}, kInFlight) : 0;
    c->repeated = static_cast<std::uint32_t>(waited);
    c->time = f.time;
    c->frame = f.number;
    if (gratuitous) {
        c->announced = f.number;
        c->announced_at = f.time;
    } else {
        record_reply(host_key(segment(f), ip), p, a.target_ip, f);
    }
    // A claim still waiting for its verdict (a takeover's gratuitous ARP, then the new owner's
    // replies to requests) goes on waiting: the old owner's next frames, not this reply, decide it.
    if (waiting) return;
    if (h->sourced_by(p)) {
        c->state = ClaimState::Explained;
        return;
    }
    const Source& owner = h->src[0];
    if (owner.mac != 0 && !gratuitous && sub_sat(f.time, owner.time) <= kOwnerLive && h->stands_against(p, f.time)) {
        c->state = ClaimState::Mismatch;
        report_mismatch(f, ip, *c, owner, false);
    } else if (c->state != ClaimState::Mismatch) {
        // A claimer found false stays so when it claims again while the owner is quiet: the
        // signalling it draws no longer reaches the owner, which then has nothing to answer.
        c->state = ClaimState::Pending;
    }
}

void PathAnalyzer::Impl::observe_source(const Frame& f) {
    const Mac m = f.eth_src;
    const std::uint32_t ip = f.src_ip.v4_host_order();
    if (!unicast_mac(m) || virtual_router_mac(m) || !unicast_ip(ip)) return;
    Host* h = host(segment(f), ip, true);
    const bool known = h->sourced_by(m);
    if (h->src[0].mac != m) {
        if (h->src[1].mac == m) std::swap(h->src[0], h->src[1]);
        else h->src[1] = h->src[0];
        h->src[0].mac = m;
    }
    h->src[0].frame = f.number;
    h->src[0].time = f.time;
    Claims* cl = claims_on(segment(f), ip, *h);
    const Claim* own = cl ? cl->of(m) : nullptr;
    for (int i = 0; cl && i < cl->n; ++i) {
        Claim& c = cl->claims[i];
        if (c.state != ClaimState::Pending || sub_sat(f.time, c.time) > kOwnerLive) continue;
        if (c.mac == m) {
            // The claimer's own frames: it is the (new) owner once no other MAC is in use. Until
            // then the other's next frame still contradicts the claim: a duplicate address, where
            // a host that changed MAC leaves the old one silent.
            if (h->one_owner(f.time) && !cl->supersedes_waiting(c, f.time)) c.state = ClaimState::Explained;
        } else if (known && sub_sat(f.time, c.time) < kInFlight - c.repeated) {
            continue;
        } else if (own && own->announced_since(c)) {
            continue;  // the host announced a new MAC since c's claim: c's MAC's own next frame decides
        } else if (h->stands_against(c.mac, f.time)) {
            c.state = ClaimState::Mismatch;
            report_mismatch(f, ip, c, h->src[0], true);
        }
    }
}

void PathAnalyzer::Impl::learn_server(const Frame& f, bool to_server) {
    const IpAddr& ip = to_server ? f.dst_ip : f.src_ip;
    std::uint16_t port = to_server ? f.dst_port : f.src_port;
    if (ip.family != 4) return;
    const std::uint64_t key = server_key(f.interface_id, ip.v4_host_order(), port);
    if (Nanos* t = servers.find(key)) {
        *t = f.time;
        return;
    }
    // More ports than the table holds (a proxy's requests to every phone's port): those heard from
    // longest ago go, so that a registrar first heard later is still checked.
    make_room_in(servers, kMaxServers, [](Nanos t) { return t; });
    servers[key] = f.time;
}

void PathAnalyzer::Impl::check_destination(const Frame& f) {
    const std::uint32_t x = f.dst_ip.v4_host_order();
    Host* h = host(segment(f), x, false);
    if (!h) return;
    const Source& owner = h->src[0];
    const Mac p = f.eth_dst;
    if (owner.mac == 0) return;
    if (h->sourced_by(p) || virtual_router_mac(p)) h->sent_to_source = true;
    if (p == owner.mac) return;
    Claims* cl = claims_on(segment(f), x, *h);
    const Claim* c = cl ? cl->of(p) : nullptr;
    if (!c || c->state != ClaimState::Mismatch) return;
    Annotation a;
    a.subject = Subject::Misdirected;
    a.endpoint = ctx.directory.endpoint_of(f.src_ip, ctx.strings);
    a.server = ctx.server_id(f.dst_ip, f.dst_port, f.transport);
    a.set(Field::ArpIp, x);
    a.set(Field::ArpClaimedMac, static_cast<std::int64_t>(p));
    a.set(Field::ArpOwnerMac, static_cast<std::int64_t>(owner.mac));
    a.set(Field::ArpFrame, drew(host_key(segment(f), x), *c, f.src_ip.v4_host_order()));
    a.set(Field::ArpClaims, claims_of(f.interface_id, p));
    a.set(Field::OwnerFrame, owner.frame);
    a.raise(Expert::Misdirected);
    ctx.sink.emit(a);
}

PathAnalyzer::PathAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
PathAnalyzer::~PathAnalyzer() = default;

void PathAnalyzer::on_frame(const Frame& f) {
    Impl& m = *impl_;
    if (!f.arp.empty()) {
        for (const ArpPacket& a : f.arp) m.on_arp(f, a);
        return;
    }
    if (!f.has_eth || f.src_ip.family != 4) return;
    m.observe_source(f);
    bool to_server;
    if (f.has_signalling()) {
        to_server = towards_server(f);
        m.learn_server(f, to_server);
    } else {
        to_server = f.tcp.present && f.tcp.len > 0 &&
                    m.servers.contains(server_key(f.interface_id, f.dst_ip.v4_host_order(), f.dst_port));
    }
    if (to_server) m.check_destination(f);
}

void PathAnalyzer::prefetch(const Frame& f) const {
    if (f.src_ip.family == 4) impl_->hosts.prefetch(host_key(segment(f), f.src_ip.v4_host_order()));
}

std::size_t PathAnalyzer::state_bytes() const {
    const Impl& m = *impl_;
    return sizeof(Impl) + m.hosts.bytes() + m.host_claims.bytes() + m.claimed.bytes() + m.servers.bytes() +
           m.replies.bytes();
}

}  // namespace ka
