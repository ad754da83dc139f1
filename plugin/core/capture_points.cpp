// SPDX-License-Identifier: GPL-2.0-or-later
//
// A merged capture holds each TCP segment once per capture point that saw it. Sightings of one
// segment (addresses, ports, raw sequence number, length) at different interfaces are paired; the
// time differences of the pairs give the clock offset between the points. A sighting of signalling
// to a server (a keepalive, a REGISTER, any message) at the point nearer the client left without a
// partner past its expected arrival at the other point (plus kTolerance) was lost between the
// points; that is known on the first frame of the other point past that moment (before it, the
// other capture may simply have ended). Waiting sightings are queued by the point whose frames
// decide them, so that one waiting on a point that stopped blocks no other.
//
// Segments are tracked from the start; a capture with a single interface for kProbation stops it.
// A format that records no interfaces (classic pcap) holds one capture point: never tracked.
// The segment table is a ring with an open-addressing index that grows by doubling up to kRing:
// no allocation per frame, bounded memory. What the ring forgot (and what passed while tracking
// was off) is "blind" time: a sighting whose partner would have fallen into it is never reported
// as lost.
#include "capture_points.h"

#include "capture_gaps.h"
#include "flat_map.h"
#include "hash.h"
#include "path_analyzer.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <queue>
#include <vector>

namespace ka {

namespace {

constexpr Nanos kTolerance = seconds(2);     // transit time and jitter beyond the clock offset
constexpr Nanos kProbation = seconds(120);  // a second interface must show up by then
constexpr std::size_t kRing = std::size_t{1} << 15;  // segments remembered at most
constexpr std::size_t kFirstRing = 1024;
// Keepalives awaiting their copy; each waits, paired or not, until the other point's clock passes its
// deadline. As many as the ring remembers segments: the copy of a forgotten one cannot pair anyway.
constexpr std::size_t kMaxPending = kRing;
constexpr std::size_t kMaxFlows = std::size_t{1} << 16;
constexpr int kSightings = 4;                       // transmissions of one segment remembered
constexpr std::int8_t kNoPartner = -1;
constexpr std::int8_t kForgottenPartner = -2;  // paired with a sighting past kSightings, not remembered
constexpr std::size_t kSamples = 31;                // offset samples per direction (sliding)
constexpr std::uint16_t kNoIface = 0xffff;
constexpr std::uint16_t kDefaultServerPorts[] = {2000, 2443, 5060, 5061};
constexpr std::size_t kMaxLearnedPorts = 16;
constexpr std::size_t kMaxPairs = 16;  // pairs of interfaces whose clock offset is estimated
constexpr std::size_t kMaxIfaces = 64;  // interfaces whose capture progress is followed
// An offset moved by step() that the next pair corrects by this much or more: what was timed across
// the correction no longer compares (a millisecond: below any tolerance of the analysis).
constexpr Nanos kSettle = millis(1);

using hash::mix;

std::uint64_t hash_ip(std::uint64_t h, const IpAddr& a) { return mix(h, IpAddrHash{}(a)); }

// Both directions of a connection (its addresses and ports, the lower port first).
std::uint64_t flow_key(const Frame& f) {
    bool fwd = f.src_port != f.dst_port ? f.src_port < f.dst_port : f.src_ip.v4_host_order() < f.dst_ip.v4_host_order();
    return fwd ? mix(hash_ip(hash_ip(1, f.src_ip), f.dst_ip), std::uint64_t{f.src_port} << 16 | f.dst_port)
               : mix(hash_ip(hash_ip(1, f.dst_ip), f.src_ip), std::uint64_t{f.dst_port} << 16 | f.src_port);
}

struct Sighting {
    Nanos time = 0;
    std::uint32_t frame = 0;
    std::uint16_t iface = kNoIface;
    std::int8_t partner = kNoPartner;  // the sighting at the other point it is paired with
    bool reported = false;     // as lost
};

struct Segment {
    std::uint64_t key = 0;  // 0: free
    std::uint64_t flow = 0;
    bool to_server = false;
    bool keepalive = false;  // signalling towards the server: a loss is worth reporting
    std::int8_t n = 0;
    std::uint32_t end = 0;  // sequence number past its bytes
    Sighting s[kSightings];
};

// Time differences t(b) - t(a) of paired sightings between interfaces a < b, per direction.
struct PairStats {
    std::uint16_t a = 0, b = 0;
    std::array<Nanos, kSamples> diff[2]{};  // [0] towards the server, [1] towards the client
    std::size_t count[2] = {0, 0};
    // A sample CaptureGaps::kMinStep or more off the estimate, kept out of it: one of the clocks may
    // have stepped, which a second such sample, off by as much, confirms. stray_dir -1: none.
    Nanos stray = 0;
    int stray_dir = -1;
    bool shifted = false;  // by a step one point's timeline showed (step()): the next sample restarts it

    void push(int k, Nanos d) { diff[k][count[k]++ % kSamples] = d; }
    enum class Change { None, Step, Settled };
    // Adds a sample. Step: it confirms a step, and the estimate starts again from the two samples
    // across it. Settled: the first sample after step() moved the estimate by kSettle or more.
    // `before`: the offset before, then.
    Change add(bool to_server, Nanos d, Nanos& before) {
        const int k = to_server ? 0 : 1;
        if (shifted) {
            shifted = false;
            offset(before);
            count[0] = count[1] = 0;
            push(k, d);
            Nanos after = before;
            offset(after);
            const Nanos moved = sub_sat(after, before);
            return moved >= kSettle || moved <= -kSettle ? Change::Settled : Change::None;
        }
        Nanos e;
        const Nanos shift = estimate(k, e) ? sub_sat(d, e) : 0;
        if (shift > -CaptureGaps::kMinStep && shift < CaptureGaps::kMinStep) {
            stray_dir = -1;
            push(k, d);
            return Change::None;
        }
        Nanos stray_e;
        const Nanos apart = stray_dir >= 0 && estimate(stray_dir, stray_e) ? sub_sat(shift, sub_sat(stray, stray_e)) : kTolerance;
        if (apart >= kTolerance || apart <= -kTolerance) {
            stray = d;
            stray_dir = k;
            return Change::None;
        }
        offset(before);
        count[0] = count[1] = 0;
        push(stray_dir, stray);
        push(k, d);
        stray_dir = -1;
        return Change::Step;
    }
    // t(b) - t(a) moved by `by`, as far as the stepping point's own timeline tells: the estimate is
    // moved with it until the next pair tells exactly.
    void step(Nanos by) {
        for (int k = 0; k < 2; ++k)
            for (std::size_t i = 0; i < std::min(count[k], kSamples); ++i) diff[k][i] = add_sat(diff[k][i], by);
        stray_dir = -1;
        shifted = true;
    }
    bool median(int k, Nanos& out) const {
        std::size_t n = std::min(count[k], kSamples);
        if (n == 0) return false;
        std::array<Nanos, kSamples> v = diff[k];
        std::nth_element(v.begin(), v.begin() + n / 2, v.begin() + n);
        out = v[n / 2];
        return true;
    }
    // Clock offset t(b) - t(a): the transit time is added towards one side and subtracted towards
    // the other, so the mean of the two directions cancels it.
    bool offset(Nanos& out) const {
        Nanos up, down;
        bool u = median(0, up), d = median(1, down);
        if (u && d) out = add_sat(up, sub_sat(down, up) / 2);
        else if (u) out = up;
        else if (d) out = down;
        return u || d;
    }
    // Expected t(b) - t(a) of a segment of direction k.
    bool estimate(int k, Nanos& out) const { return median(k, out) || offset(out); }
    // Whether `i` is the point nearer the server: a client's segments reach it after the other
    // point, the server's before it (the transit time lengthens one direction's time difference and
    // shortens the other's). Not known until both directions have paired.
    bool nearer_server(std::uint16_t i) const {
        Nanos up, down;
        if (!median(0, up) || !median(1, down) || up == down) return false;
        return (up > down) == (i == b);
    }
    // Expected t(to) - t(from) of a segment of this direction.
    bool expected(std::uint16_t from, bool to_server, Nanos& out) const {
        Nanos d;
        if (!estimate(to_server ? 0 : 1, d)) return false;
        out = from == a ? d : sub_sat(0, d);
        return true;
    }
};

struct Flow {
    std::uint16_t a = kNoIface, b = kNoIface;  // the two interfaces whose sightings paired
    std::uint32_t server_ack = 0;              // the server's highest ACK, at either point (acked)
    Nanos last = 0;                            // when its sightings last paired
    bool acked = false;
    // A client's segment paired: both points record that direction (a capture filter, or a SPAN
    // of one port's transmissions, may leave it out at one).
    bool client_paired = false;
    std::uint16_t peer(std::uint16_t i) const { return i == a ? b : i == b ? a : kNoIface; }
};

// A sighting of signalling to a server (a keepalive, a REGISTER, any message) waiting for its copy
// at the other point.
struct Pending {
    Nanos deadline;
    std::uint32_t slot;
    std::uint64_t key;
    int sighting;
    IpAddr src, dst;
    std::uint16_t dst_port;
    bool operator>(const Pending& o) const { return deadline > o.deadline; }
};

}  // namespace

struct CapturePoints::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;

    enum class State : std::uint8_t { Start, Probation, Tracking, Off } state = State::Start;
    std::uint32_t first_iface = 0;
    Nanos probation_end = 0;
    Nanos blind_until = std::numeric_limits<Nanos>::min();

    std::vector<Segment> ring;          // grows up to kRing
    std::vector<std::uint32_t> index;   // slot + 1, 0 = empty; twice the ring's size
    std::size_t next = 0;               // ring slot to (re)use next
    FlatMap<std::uint64_t, Flow> flows;
    std::vector<PairStats> pairs;
    using Queue = std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>>;
    std::array<Queue, kMaxIfaces> pending;  // by the other point, whose frames decide them
    std::size_t pending_count = 0;
    std::vector<std::uint16_t> server_ports{std::begin(kDefaultServerPorts), std::end(kDefaultServerPorts)};
    bool stepped = false;  // `step` not yet taken (take_offset_step())
    CapturePoints::OffsetStep step;

    bool server_port(std::uint16_t p) const {
        return std::find(server_ports.begin(), server_ports.end(), p) != server_ports.end();
    }
    bool to_server_port(const Frame& f) const {
        return server_port(f.dst_port) || (!server_port(f.src_port) && f.dst_port < f.src_port);
    }
    PairStats* pair(std::uint16_t x, std::uint16_t y) {
        std::uint16_t a = std::min(x, y), b = std::max(x, y);
        for (PairStats& p : pairs)
            if (p.a == a && p.b == b) return &p;
        if (pairs.size() == kMaxPairs) return nullptr;
        pairs.emplace_back();
        pairs.back().a = a;
        pairs.back().b = b;
        return &pairs.back();
    }
    const PairStats* find_pair(std::uint16_t x, std::uint16_t y) const {
        std::uint16_t a = std::min(x, y), b = std::max(x, y);
        for (const PairStats& p : pairs)
            if (p.a == a && p.b == b) return &p;
        return nullptr;
    }
    bool offset_between(std::uint16_t from, std::uint16_t to, Nanos& out) const {
        const PairStats* ps = find_pair(from, to);
        if (!ps || !ps->offset(out)) return false;
        if (from != ps->a) out = sub_sat(0, out);
        return true;
    }

    std::size_t mask() const { return index.size() - 1; }
    std::size_t home(std::uint64_t key) const { return static_cast<std::size_t>(key) & mask(); }
    std::size_t find_slot(std::uint64_t key) const;  // index position, or index.size()
    void unindex(std::size_t pos);
    void place(std::uint64_t key, std::size_t slot);
    Segment& insert(std::uint64_t key);

    void track(Nanos blind);
    void stop();
    void learn_ports(const Frame& f);
    bool misfit(const Segment& seg, const Sighting& s, std::uint16_t iface, Nanos t, Nanos& err) const;
    void expect(const Segment& seg, std::uint32_t slot, int i, const Frame& f);
    bool arrived(const Segment& seg, const Sighting& s) const;
    void on_segment(Frame& f);
    void check(const Frame& f);
};

std::size_t CapturePoints::Impl::find_slot(std::uint64_t key) const {
    for (std::size_t i = home(key);; i = (i + 1) & mask()) {
        if (index[i] == 0) return index.size();
        if (ring[index[i] - 1].key == key) return i;
    }
}

// Linear-probing deletion: shift later entries of the cluster back so lookups still find them.
void CapturePoints::Impl::unindex(std::size_t pos) {
    std::size_t hole = pos;
    for (std::size_t j = (pos + 1) & mask(); index[j] != 0; j = (j + 1) & mask()) {
        std::size_t h = home(ring[index[j] - 1].key);
        bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
        if (movable) {
            index[hole] = index[j];
            hole = j;
        }
    }
    index[hole] = 0;
}

void CapturePoints::Impl::place(std::uint64_t key, std::size_t slot) {
    std::size_t i = home(key);
    while (index[i] != 0) i = (i + 1) & mask();
    index[i] = static_cast<std::uint32_t>(slot + 1);
}

Segment& CapturePoints::Impl::insert(std::uint64_t key) {
    if (next == ring.size() && ring.size() < kRing) {  // full for the first time: grow, re-index
        ring.resize(ring.size() * 2);
        index.assign(ring.size() * 2, 0);
        for (std::size_t i = 0; i < next; ++i) place(ring[i].key, i);
    }
    next %= ring.size();
    Segment& seg = ring[next];
    if (seg.key != 0) {  // the ring is full: forget the oldest segment
        unindex(find_slot(seg.key));
        for (int i = 0; i < seg.n; ++i) blind_until = std::max(blind_until, seg.s[i].time);
    }
    seg = Segment{};
    seg.key = key;
    place(key, next++);
    return seg;
}

void CapturePoints::Impl::track(Nanos blind) {
    blind_until = blind;
    ring.assign(kFirstRing, Segment{});
    index.assign(kFirstRing * 2, 0);
    next = 0;
}

void CapturePoints::Impl::stop() {
    state = State::Off;
    ring = std::vector<Segment>();  // release the memory, not just the elements
    index = std::vector<std::uint32_t>();
    flows = decltype(flows)();
    pairs = std::vector<PairStats>();
    pending = decltype(pending)();
    pending_count = 0;
}

// Only signalling whose direction is certain tells the server's port: SCCP (station and call manager
// messages have distinct ids) and REGISTER transactions. A call manager also sends SIP requests
// (NOTIFY, INVITE, OPTIONS) over the phone's own connection, towards the phone's port.
void CapturePoints::Impl::learn_ports(const Frame& f) {
    if (server_ports.size() >= std::size(kDefaultServerPorts) + kMaxLearnedPorts) return;
    const bool to_server = towards_server(f);
    if (!f.sip.empty() && (to_server ? f.sip.front().method : f.sip.front().cseq_method) != "REGISTER") return;
    std::uint16_t port = to_server ? f.dst_port : f.src_port;
    if (!server_port(port)) server_ports.push_back(port);
}

void CapturePoints::Impl::on_segment(Frame& f) {
    const TcpInfo& t = f.tcp;
    // The server's ACKs tell which of the client's segments it received (arrived()); its SYN-ACK
    // starts a connection anew on the same addresses and ports.
    if (t.has(TcpInfo::kAck) && !flows.empty() && !to_server_port(f)) {
        Flow* flow = flows.find(flow_key(f));
        if (flow && (!flow->acked || t.has(TcpInfo::kSyn) || seq_before(flow->server_ack, t.ack))) {
            flow->server_ack = t.ack;
            flow->acked = true;
        }
    }
    const std::uint16_t flags = t.flags & (TcpInfo::kSyn | TcpInfo::kFin);
    if (t.len == 0 && flags == 0) return;  // pure ACKs repeat sequence numbers: not matchable
    if (t.copy) return;                    // captured again here: one sighting
    if (f.interface_id >= kNoIface) return;
    const auto iface = static_cast<std::uint16_t>(f.interface_id);
    if (f.has_signalling()) learn_ports(f);

    std::uint64_t key = hash_ip(hash_ip(0x6b61, f.src_ip), f.dst_ip);
    key = mix(mix(mix(mix(key, f.src_port), f.dst_port), t.seq), std::uint64_t{t.len} << 8 | flags);
    if (key == 0) key = 1;
    std::size_t pos = find_slot(key);
    std::uint32_t slot;
    Segment* seg;
    if (pos == index.size()) {
        seg = &insert(key);
        slot = static_cast<std::uint32_t>(seg - ring.data());
        seg->flow = flow_key(f);
        seg->to_server = to_server_port(f);
        seg->end = t.seq + t.len;
    } else {
        slot = index[pos] - 1;
        seg = &ring[slot];
    }

    if (seg->to_server && t.len > 0 && (f.has_signalling() || server_port(f.dst_port))) seg->keepalive = true;
    // One sighting more than kSightings is not remembered, but it still pairs with an unpaired one
    // at the other point, which was then not lost: the copy of a retransmission that got through
    // after the original and several retransmissions did not.
    const bool full = seg->n == kSightings;
    const int me = seg->n;
    if (!full) seg->s[seg->n++] = Sighting{f.time, f.number, iface, kNoPartner, false};

    // Pair with the other point's sighting closest to where this one is expected. A paired one is
    // taken over when this fits it better (a retransmission's copy arriving after the copy of a
    // lost original was matched to it); its former partner then waits for a copy again.
    int best = -1;
    Nanos best_err = 0;
    for (int i = 0; i < me; ++i) {
        const Sighting& c = seg->s[i];
        if (c.iface == iface) continue;
        Nanos err;
        const bool estimated = misfit(*seg, c, iface, f.time, err);
        if (c.partner >= 0) {
            // Only an estimate can tell that this one fits better; a takeover needs this one remembered.
            Nanos current;
            if (full || !estimated || !misfit(*seg, c, iface, seg->s[c.partner].time, current) || err >= current) continue;
        } else if (!estimated) {
            err = sub_sat(c.time, f.time);  // no estimate yet: the earliest
        }
        if (best < 0 || err < best_err) {
            best = i;
            best_err = err;
        }
    }
    if (best < 0) {
        if (!full) expect(*seg, slot, me, f);
        return;
    }
    // Wireshark flags the other point's copy of a transmission as a retransmission: it is a copy,
    // not sent again, whichever transmission of the segment it is.
    f.tcp.copy = true;
    Sighting& c = seg->s[best];
    const int dropped = c.partner;
    c.partner = full ? kForgottenPartner : static_cast<std::int8_t>(me);
    if (!full) seg->s[me].partner = static_cast<std::int8_t>(best);
    if (dropped >= 0) {
        seg->s[dropped].partner = kNoPartner;
        expect(*seg, slot, dropped, f);
        return;
    }
    if (PairStats* ps = pair(c.iface, iface)) {
        Nanos before = 0, after = 0;
        const PairStats::Change change =
            ps->add(seg->to_server, c.iface == ps->a ? sub_sat(f.time, c.time) : sub_sat(c.time, f.time), before);
        if (change != PairStats::Change::None && ps->offset(after)) {
            // As t(c.iface) - t(iface): the other point's clock against this frame's.
            const bool ahead = c.iface == ps->b;
            step = CapturePoints::OffsetStep{iface, c.iface, ahead ? sub_sat(after, before) : sub_sat(before, after),
                                             ahead ? after : sub_sat(0, after), change == PairStats::Change::Settled};
            stepped = true;
        }
    }
    Flow* flow = flows.find(seg->flow);
    if (!flow) {
        // More flows than the table holds (a long capture of a busy link): those paired longest ago
        // go, so that connections opened later are still followed.
        make_room_in(flows, kMaxFlows, [](const Flow& fl) { return fl.last; });
        flow = &flows[seg->flow];
        *flow = Flow{c.iface, iface};
    }
    flow->last = f.time;
    if (seg->to_server) flow->client_paired = true;
}

// How far time t at `iface` is from where sighting s's copy is expected there; false without an
// estimate of the offset between the two points.
bool CapturePoints::Impl::misfit(const Segment& seg, const Sighting& s, std::uint16_t iface, Nanos t, Nanos& err) const {
    const PairStats* ps = find_pair(s.iface, iface);
    Nanos e;
    if (!ps || !ps->expected(s.iface, seg.to_server, e)) return false;
    err = sub_sat(t, add_sat(s.time, e));
    if (err < 0) err = sub_sat(0, err);
    return true;
}

// A sighting of signalling to a server without a copy: expect one at the other point of its flow,
// if that point records the flow's client segments and is the one nearer the server. A sighting at
// the point nearer the server got past the other one, whose capture missed it: the path did not.
// `f` is a frame of the same segment (same addresses and ports).
void CapturePoints::Impl::expect(const Segment& seg, std::uint32_t slot, int i, const Frame& f) {
    if (!seg.keepalive) return;
    const Sighting& s = seg.s[i];
    const Flow* flow = flows.find(seg.flow);
    if (!flow || !flow->client_paired) return;
    const std::uint16_t peer = flow->peer(s.iface);
    const PairStats* ps = peer == kNoIface ? nullptr : find_pair(s.iface, peer);
    Nanos e;
    // An offset moved by a step as one point's timeline showed it may be off by how long that point
    // was quiet before: nothing is expected until a pair across the step sets it again.
    if (!ps || ps->shifted || ps->nearer_server(s.iface) || !ps->expected(s.iface, true, e)) return;
    const Nanos arrival = add_sat(s.time, e);
    if (peer >= kMaxIfaces || arrival <= add_sat(blind_until, kTolerance) || pending_count >= kMaxPending) return;
    pending[peer].push(Pending{add_sat(arrival, kTolerance), slot, seg.key, i, f.src_ip, f.dst_ip, f.dst_port});
    ++pending_count;
}

// Not sent again since, and the server acknowledged its bytes: it arrived. The other point's
// capture dropped its copy (a SPAN session under load), not the path between the points, which
// would have made the client send it again.
bool CapturePoints::Impl::arrived(const Segment& seg, const Sighting& s) const {
    for (const Sighting* later = &s + 1; later < seg.s + seg.n; ++later)
        if (later->iface == s.iface) return false;
    const Flow* flow = flows.find(seg.flow);
    return flow && flow->acked && !seq_before(flow->server_ack, seg.end);
}

// Silence at a point that stopped capturing (its file ended earlier) is not a loss: a sighting
// waits for a frame of the other point past its deadline, and is reported there. `f` is a frame of
// that point.
void CapturePoints::Impl::check(const Frame& f) {
    const auto peer = static_cast<std::uint16_t>(f.interface_id);
    Queue& q = pending[peer];
    while (!q.empty() && q.top().deadline < f.time) {
        const Pending p = q.top();
        q.pop();
        --pending_count;
        Segment& seg = ring[p.slot];
        if (seg.key != p.key || seg.s[p.sighting].partner != kNoPartner || seg.s[p.sighting].reported) continue;
        Sighting& s = seg.s[p.sighting];
        if (arrived(seg, s)) continue;
        s.reported = true;
        Annotation a;
        a.subject = Subject::PathLoss;
        a.endpoint = ctx.directory.endpoint_of(p.src, ctx.strings);
        a.server = ctx.server_id(p.dst, p.dst_port, Transport::Tcp);
        a.set(Field::PathFrame, s.frame);
        a.set(Field::PeerInterface, peer);
        Nanos offset;
        if (offset_between(s.iface, peer, offset)) a.set(Field::ClockOffset, offset);
        a.raise(Expert::PathLoss);
        ctx.sink.emit(a);
    }
}

CapturePoints::CapturePoints(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
CapturePoints::~CapturePoints() = default;

void CapturePoints::on_frame(Frame& f) {
    Impl& m = *impl_;
    if (f.tcp.present && f.interface_known) {
        using State = Impl::State;
        if (m.state == State::Start) {
            m.state = State::Probation;
            m.first_iface = f.interface_id;
            m.probation_end = add_sat(f.time, kProbation);
            m.track(std::numeric_limits<Nanos>::min());
        } else if (m.state != State::Tracking && f.interface_id != m.first_iface) {
            if (m.state == State::Off) m.track(f.time);  // nothing before was recorded
            m.state = State::Tracking;
        } else if (m.state == State::Probation && f.time > m.probation_end) {
            m.stop();
        }
        if (m.state == State::Probation || m.state == State::Tracking) m.on_segment(f);
    }
    if (f.interface_id < kMaxIfaces && !m.pending[f.interface_id].empty()) m.check(f);
}

bool CapturePoints::clock_offset(std::uint32_t from, std::uint32_t to, Nanos& out) const {
    if (from >= kNoIface || to >= kNoIface) return false;
    return impl_->offset_between(static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to), out);
}

Nanos CapturePoints::to_clock(Nanos t, std::uint32_t from, std::uint32_t to) const {
    Nanos offset;
    return from != to && clock_offset(from, to, offset) ? add_sat(t, offset) : t;
}

bool CapturePoints::separate_clocks() const { return !impl_->pairs.empty(); }

std::size_t CapturePoints::clock_pairs() const { return impl_->pairs.size(); }

static_assert(kClocks <= 32, "clock_stepped() returns its clocks as 32 bits");

std::uint32_t CapturePoints::clock_stepped(std::uint32_t clock, Nanos by) {
    std::uint32_t peers = 0;
    for (PairStats& p : impl_->pairs) {
        const std::uint32_t a = impl_->ctx.clock(p.a), b = impl_->ctx.clock(p.b);
        if ((a == clock) == (b == clock)) continue;
        p.step(b == clock ? by : sub_sat(0, by));
        peers |= 1u << (a == clock ? b : a);
    }
    return peers;
}

bool CapturePoints::take_offset_step(OffsetStep& out) {
    if (!impl_->stepped) return false;
    impl_->stepped = false;
    out = impl_->step;
    return true;
}

std::uint32_t CapturePoints::forget_due(std::uint32_t clock, Nanos from, Nanos to) {
    Impl& m = *impl_;
    std::uint32_t n = 0;
    std::vector<Pending> keep;
    for (std::size_t peer = 0; peer < kMaxIfaces; ++peer) {
        Impl::Queue& q = m.pending[peer];
        if (q.empty() || m.ctx.clock(static_cast<std::uint32_t>(peer)) != clock) continue;
        // Each copy that was to arrive before the gap's end: in the gap, unknown; before it, the
        // point was recording, and check() reports it as ever.
        while (!q.empty() && sub_sat(q.top().deadline, kTolerance) < to) {
            const Pending p = q.top();
            q.pop();
            if (sub_sat(p.deadline, kTolerance) > from) {
                --m.pending_count;
                ++n;
            } else {
                keep.push_back(p);
            }
        }
        for (const Pending& p : keep) q.push(p);
        keep.clear();
    }
    return n;
}

std::size_t CapturePoints::state_bytes() const {
    const Impl& m = *impl_;
    return sizeof(Impl) + m.ring.capacity() * sizeof(Segment) + m.index.capacity() * sizeof(std::uint32_t) +
           m.flows.bytes() +
           m.pairs.capacity() * sizeof(PairStats) + m.pending_count * sizeof(Pending);
}

}  // namespace ka
