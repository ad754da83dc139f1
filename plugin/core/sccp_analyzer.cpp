// SCCP (Skinny) keepalive analysis (SPEC §3.3).
//
// A session is one TCP connection (tcp.stream), created by the first of the SKINNY messages
// below. Seen at two capture points, it is one session on the clock of the point that saw it
// first (TcpInfo::home); what the other point sees first counts, its copies do not. The phone is
// the side that sends KeepAliveReq / RegisterReq / UnregisterReq: directions come from messages,
// never from ports, so Decode As on any port works.
//
// Role: primary once the session carries a RegisterAck or a KeepAliveAck. Backup when the phone
// keeps a live primary session elsewhere, or once a keepalive was TCP-acknowledged by the call
// manager and the next keepalive came without a KeepAliveAck. Unknown before either (e.g. a
// capture that starts mid-session): no expectation, no warning. A keepalive on an ended session
// is counted but expects nothing; a new registration revives the session.
//
// Verdicts on a primary, each reported once, on the first frame where it is known:
//  - unacknowledged (warning): no KeepAliveAck before the session's next keepalive (reported on
//    that keepalive) or before one interval has passed (reported on the first frame of the same
//    capture point past that time, as Subject::SccpMissed);
//  - failover (error): sccp_missed_threshold consecutive unacknowledged keepalives (the phone's
//    delayed failover), or no keepalive at all for threshold x interval (the call manager's
//    KeepAliveTimeout). Once per outage: a KeepAliveAck ends the outage.
// A session ends with UnregisterReq, UnregisterAck, RegisterReject, RST or FIN; each is annotated.
// An UnregisterAck refusing the UnregisterReq (status Error or NAK) resumes a primary.
// The first of them on a live session raises keepalive.unregister (a note: the call manager no
// longer has this phone on this connection); the rest of an orderly shutdown (UnregisterAck, the
// FINs after an UnregisterReq) raises nothing.
// It also ends, silently, when its device registers with the same call manager on another
// connection: the call manager keeps one registration per device, so the old connection (left
// half-open by an outage, or on the phone's former DHCP address) is no longer kept alive. The two
// are tied by the device's name, by the phone's address, or by its Ethernet address when a name
// proves that address the device's own (SEP00235E3C4D5E is MAC 00:23:5e:3c:4d:5e; behind a router
// every phone's frames carry the router's).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "sccp_analyzer.h"

#include "capture_points.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>
#include <vector>

#include "ascii.h"
#include "flat_map.h"
#include "quad_heap.h"

namespace ka {

namespace {

constexpr std::size_t kMaxSessions = 1u << 17;  // a fleet of phones, each with a primary and a backup
constexpr std::size_t kMaxPhones = 1u << 17;
constexpr std::size_t kTransmissions = 4;      // recent KeepAliveReq segments kept for retransmissions

Nanos mul_sat(Nanos a, std::uint32_t n) {
    Nanos r;
    if (__builtin_mul_overflow(a, static_cast<Nanos>(n), &r)) return std::numeric_limits<Nanos>::max();
    return r;
}

bool phone_message(std::uint32_t id) {
    return id == skinny::kKeepAliveReq || id == skinny::kRegisterReq || id == skinny::kUnregisterReq;
}

bool manager_message(std::uint32_t id) {
    return id == skinny::kKeepAliveAck || id == skinny::kRegisterAck || id == skinny::kRegisterReject ||
           id == skinny::kUnregisterAck;
}

// RegisterReq carries a fixed 16-byte name; a malformed message yields garbage, not a device.
bool plausible_device_name(std::string_view s) {
    if (s.empty() || s.size() > 16) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// The entry of `key` in a table of at most kMaxPhones, another dropped to make room when it is full.
template <class Map, class Key>
auto& bounded_entry(Map& map, const Key& key) {
    if (map.size() >= kMaxPhones && !map.contains(key)) map.erase_any();
    return map[key];
}

// The MAC address in a device name: three capital letters, then the MAC in hex (SEP for phones,
// ATA for analogue adapters). 0 for other names.
Mac mac_in_name(std::string_view name) {
    if (name.size() != 15 || !std::all_of(name.begin(), name.begin() + 3, [](char c) { return c >= 'A' && c <= 'Z'; }))
        return 0;
    Mac mac = 0;
    for (char c : name.substr(3)) {
        const char l = ascii::lower(c);
        const int d = l >= '0' && l <= '9' ? l - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
        if (d < 0) return 0;
        mac = mac << 4 | static_cast<Mac>(d);
    }
    return mac;
}

// One KeepAliveReq segment and its TCP retransmissions.
struct Transmission {
    std::uint32_t seq = 0, len = 0, frame = 0, count = 0;
    Nanos last = 0;  // time of the latest transmission
};

constexpr std::uint8_t kNoPoint = 0xff;  // Session::foreign_point: none
constexpr Nanos kUntimed = std::numeric_limits<Nanos>::max();  // Session::quiet_since: no start
// Session::ack_interval of a RegisterAck that gives none (cut short, or 0): the preference's applies.
constexpr std::uint32_t kNoAckInterval = std::numeric_limits<std::uint32_t>::max();

// Fields ordered so that the small ones fill the gaps the large ones leave.
struct Session {
    IpAddr phone_ip;
    // The capture point of a frame seen first there before the offset between its clock and the
    // session's was known (Frame::tcp::unplaced), and the latest time one came (foreign_last, on
    // that clock): activity the silence clock cannot place yet. Until place() can, the session is
    // not reported silent. kNoPoint: none.
    std::uint8_t foreign_point = kNoPoint;
    std::uint16_t phone_port = 0;
    std::uint32_t server = 0;    // StringTable id
    std::uint32_t endpoint = 0;  // device name once known, else the phone IP
    bool named = false;
    bool live = true;
    Role role = Role::Unknown;
    // Its latest frame was such a frame: its times are on that point's clock, which compares with
    // nothing of the session's own, and it is not timed until a frame on its own clock comes.
    bool unplaced = false;
    std::uint32_t ack_interval = 0;  // s, keepAliveInterval of this session's RegisterAck; kNoAckInterval

    // Keepalive state. `pending`: the last KeepAliveReq has no KeepAliveAck yet; `judged`: it has
    // already been reported unacknowledged.
    bool have_keepalive = false, pending = false, judged = false, tcp_acked = false;
    Nanos last_keepalive = 0;
    // Last keepalive or registration: the call manager's silence clock. kUntimed: it has no start
    // (forget_due()) until the session's next keepalive.
    Nanos quiet_since = 0;
    Nanos foreign_last = 0;
    std::uint32_t last_keepalive_frame = 0;
    std::uint32_t pending_end = 0;  // relative seq just after the pending keepalive's segment
    std::uint32_t missed = 0;
    bool failover_reported = false;
    // Ended by replace_registration(), as the connection its device gave up for another.
    bool superseded = false;
    // Since the last keepalive the capture's clock stepped (forget_clock()), or a silence outlasted
    // the call manager's KeepAliveTimeout (forget_due()): the next keepalive's gap is not known.
    bool gap_unknown = false;
    std::uint8_t tx_next = 0;  // of tx
    Nanos latency_sum = 0;
    std::array<Transmission, kTransmissions> tx{};
    std::uint32_t latency_count = 0;

    // Timer: the heap entry carrying `timer_gen` is the valid one, due at `armed`. It may fire
    // early (state changed since), never late.
    std::uint32_t timer_gen = 0;
    Nanos armed = std::numeric_limits<Nanos>::max();
    Nanos last_activity = 0;
};

// Learnt per phone IP from its sessions, shared by all of them.
struct Phone {
    std::uint32_t device = 0;  // StringTable id; 0 when unknown or several devices share the IP
    bool shared = false;
    std::uint32_t secondary_interval = 0;  // secondaryKeepAliveInterval of the latest RegisterAck, s
    bool has_primary = false;
    std::uint64_t primary = 0;  // key of the latest session that became primary
};

struct Timer {
    Nanos deadline;
    std::uint64_t key;
    std::uint32_t gen;
    bool operator>(const Timer& o) const { return deadline != o.deadline ? deadline > o.deadline : key > o.key; }
};

// Verdicts that fell due, reported on the current frame.
struct Verdict {
    bool unacked = false, failover = false;
    bool elsewhere = false;  // the unacked keepalive's connection was given up before its interval ran out
    bool any() const { return unacked || failover; }
};

std::uint64_t session_key(const Frame& f) { return std::uint64_t(point_of(f)) << 32 | f.tcp.stream; }

using TimerHeap = QuadHeap<Timer>;

}  // namespace

struct SccpAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
    FlatMap<std::uint64_t, Session> sessions;
    FlatMap<IpAddr, Phone, IpAddrHash> phones;
    FlatMap<std::uint32_t, std::uint64_t> registrations;  // device name => its latest registered session
    FlatMap<Mac, std::uint64_t> by_mac;  // the phone side's MAC => the latest session registered from it
    std::array<TimerHeap, kClocks> timers;  // by ctx.clock(the session's point)

    void on_frame(const Frame& f);
    void on_session_frame(std::uint64_t key, Session& s, const Frame& f);
    Session* create(std::uint64_t key, const Frame& f);
    void evict();
    Phone& phone(const IpAddr& ip);
    const Phone* find_phone(const IpAddr& ip) const;
    void make_primary(std::uint64_t key, Session& s);
    bool has_live_primary_elsewhere(std::uint64_t key, const Session& s) const;
    void sweep(TimerHeap& heap, Nanos now);

    void on_keepalive(std::uint64_t key, Session& s, const Frame& f, Verdict v);
    void on_keepalive_ack(std::uint64_t key, Session& s, const Frame& f);
    void pair_ack(std::uint64_t key, Session& s, const Frame& f);
    void on_register(Session& s, const Frame& f, const SkinnyMessage& m);
    void on_register_ack(std::uint64_t key, Session& s, const Frame& f, const SkinnyMessage& m);
    void replace_registration(std::uint64_t key, const Session& s, const Frame& f);
    bool names_mac(const Session& s, Mac mac) const;
    void retire(Session* old, const Session& s, Nanos now);
    void on_retransmission(Session& s, const Frame& f);
    void on_end(Session& s, SessionEvent e);
    void on_refused(std::uint64_t key, Session& s);

    Verdict settle(Session& s, Nanos now);
    void miss(Session& s, Verdict& v);
    void emit_missed(Session& s, Verdict v, Nanos now);
    void rearm(std::uint64_t key, Session& s);
    // The pending keepalive counts as answered (its ack, or one the capture cannot show): the run of
    // unacknowledged keepalives, and the outage it made, end.
    static void answered(Session& s) {
        s.pending = false;
        s.missed = 0;
        s.failover_reported = false;
    }
    // Its silence clock has a start: a keepalive, or a RegisterAck (also one that gives no
    // interval, cut short or 0: the preference's applies).
    static bool timed(const Session& s) {
        return (s.have_keepalive || s.ack_interval != 0) && s.quiet_since != kUntimed;
    }
    // Its times before `now` do not compare with those from then on (a clock stepped, or the
    // frames came from another clock): the pending keepalive's ack and the next keepalive's gap are
    // not judged, and the call manager's silence clock starts again at `now`.
    static void restart_times(Session& s, Nanos now) {
        s.pending = false;
        s.gap_unknown = true;
        s.quiet_since = now;
    }
    std::uint32_t interval(const Session& s) const;
    std::uint32_t threshold() const { return std::max(1u, ctx.config.sccp_missed_threshold); }
    Annotation annotation(Session& s, Subject subject);
    void report(Annotation& a, const Session& s, Verdict v);
};

Phone& SccpAnalyzer::Impl::phone(const IpAddr& ip) {
    return bounded_entry(phones, ip);
}

const Phone* SccpAnalyzer::Impl::find_phone(const IpAddr& ip) const {
    return phones.find(ip);
}

void SccpAnalyzer::Impl::make_primary(std::uint64_t key, Session& s) {
    s.role = Role::Primary;
    Phone& p = phone(s.phone_ip);
    p.has_primary = true;
    p.primary = key;
}

// The phone keeps a connection to its primary call manager and one to its backup: a keepalive-only
// session to another call manager next to a live primary of the same phone is the backup, before
// any ack says so. One to the same call manager is another device of the address, or the phone
// registering there again: its role waits for the call manager.
bool SccpAnalyzer::Impl::has_live_primary_elsewhere(std::uint64_t key, const Session& s) const {
    const Phone* p = find_phone(s.phone_ip);
    if (!p || !p->has_primary || p->primary == key) return false;
    const Session* primary = sessions.find(p->primary);
    return primary && primary->live && primary->role == Role::Primary && primary->server != s.server;
}

// Primary: this session's RegisterAck. Backup: the secondary interval of the phone's RegisterAck,
// wherever it was captured. Else the preferences.
std::uint32_t SccpAnalyzer::Impl::interval(const Session& s) const {
    switch (s.role) {
    case Role::Primary: return s.ack_interval && s.ack_interval != kNoAckInterval ? s.ack_interval : ctx.config.sccp_interval;
    case Role::Backup: {
        const Phone* p = find_phone(s.phone_ip);
        return p && p->secondary_interval ? p->secondary_interval : ctx.config.sccp_backup_interval;
    }
    case Role::Unknown: break;
    }
    return 0;
}

Annotation SccpAnalyzer::Impl::annotation(Session& s, Subject subject) {
    if (!s.named) {
        const Phone* p = find_phone(s.phone_ip);
        if (p && p->device) {
            s.endpoint = p->device;
            s.named = true;
        }
    }
    Annotation a;
    a.subject = subject;
    a.role = s.role;
    a.endpoint = s.endpoint;
    a.server = s.server;
    return a;
}

// Verdicts and the keepalive count they rest on.
void SccpAnalyzer::Impl::report(Annotation& a, const Session& s, Verdict v) {
    if (v.unacked) a.raise(Expert::KeepaliveUnacked);
    if (v.failover) a.raise(Expert::Failover);
    a.set(Field::SccpMissed, s.missed);
}

// Judges what fell due strictly before `now`. The caller re-arms the timer when a verdict fell due.
Verdict SccpAnalyzer::Impl::settle(Session& s, Nanos now) {
    Verdict v;
    if (s.role != Role::Primary || !s.live || !timed(s) || s.unplaced) return v;
    Nanos step = seconds(interval(s));
    if (step <= 0) return v;
    if (s.pending && !s.judged && add_sat(s.last_keepalive, step) < now) {
        s.judged = true;
        ++s.missed;
        v.unacked = true;
    }
    if (!s.failover_reported &&
        (s.missed >= threshold() ||
         (s.foreign_point == kNoPoint && add_sat(s.quiet_since, mul_sat(step, threshold())) < now))) {
        s.failover_reported = true;
        v.failover = true;
    }
    return v;
}

// The pending keepalive of a primary will get no KeepAliveAck.
void SccpAnalyzer::Impl::miss(Session& s, Verdict& v) {
    s.judged = true;
    ++s.missed;
    v.unacked = true;
    if (s.missed >= threshold() && !s.failover_reported) {
        s.failover_reported = true;
        v.failover = true;
    }
}

// A verdict that is not part of a keepalive's annotation stands on its own.
void SccpAnalyzer::Impl::emit_missed(Session& s, Verdict v, Nanos now) {
    Annotation a = annotation(s, Subject::SccpMissed);
    a.set(Field::SccpInterval, interval(s));
    a.set(Field::SccpGap, elapsed(now, s.quiet_since));
    if (s.last_keepalive_frame) a.set(Field::SccpRequestFrame, s.last_keepalive_frame);  // 0: none yet
    if (v.elsewhere) a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::RegisteredElsewhere));
    report(a, s, v);
    ctx.sink.emit(a);
}

// Makes sure a heap entry fires no later than the session's next possible verdict. An earlier
// entry is kept: when it fires, settle() finds nothing and the session is re-armed.
void SccpAnalyzer::Impl::rearm(std::uint64_t key, Session& s) {
    if (s.role != Role::Primary || !s.live || !timed(s) || s.unplaced) return;
    Nanos step = seconds(interval(s));
    if (step <= 0) return;
    Nanos deadline = std::numeric_limits<Nanos>::max();
    if (s.pending && !s.judged) deadline = add_sat(s.last_keepalive, step);
    if (!s.failover_reported && s.foreign_point == kNoPoint)
        deadline = std::min(deadline, add_sat(s.quiet_since, mul_sat(step, threshold())));
    if (deadline >= s.armed) return;
    // Superseded entries stay in the heap until their time; when timestamps run backwards they
    // can pile up: rebuild then.
    TimerHeap& heap = timers[ctx.clock(static_cast<std::uint32_t>(key >> 32))];
    if (heap.size() > 4 * sessions.size() + 1024) {
        std::vector<Timer> live;
        live.reserve(sessions.size());
        while (!heap.empty()) {
            const Timer& t = heap.top();
            const Session* owner = sessions.find(t.key);
            if (owner && owner->timer_gen == t.gen) live.push_back(t);
            heap.pop();
        }
        for (const Timer& t : live) heap.push(t);
    }
    s.armed = deadline;
    heap.push({deadline, key, ++s.timer_gen});
}

void SccpAnalyzer::Impl::sweep(TimerHeap& heap, Nanos now) {
    while (!heap.empty() && heap.top().deadline < now) {
        Timer t = heap.top();
        heap.pop();
        Session* found = sessions.find(t.key);
        if (!found || found->timer_gen != t.gen) continue;
        Session& s = *found;
        s.armed = std::numeric_limits<Nanos>::max();  // its entry is gone
        Verdict v = settle(s, now);
        if (v.any()) emit_missed(s, v, now);
        rearm(t.key, s);
    }
}

void SccpAnalyzer::Impl::evict() {
    // Ended sessions go first; if that is not enough, the least recently active half.
    std::vector<std::uint64_t> ended;
    sessions.for_each([&](std::uint64_t key, const Session& s) {
        if (!s.live) ended.push_back(key);
    });
    for (std::uint64_t key : ended) sessions.erase(key);
    if (sessions.size() < kMaxSessions * 3 / 4) return;
    erase_oldest(sessions, sessions.size() / 2, [](const Session& s) { return s.last_activity; });
}

Session* SccpAnalyzer::Impl::create(std::uint64_t key, const Frame& f) {
    // The first message that tells the phone's side opens the session.
    bool from_phone = false;
    bool known = false;
    for (const SkinnyMessage& m : f.skinny) {
        if (phone_message(m.id) || manager_message(m.id)) {
            from_phone = phone_message(m.id);
            known = true;
            break;
        }
    }
    if (!known) return nullptr;
    if (sessions.size() >= kMaxSessions) evict();
    Session& s = sessions[key];
    s.phone_ip = from_phone ? f.src_ip : f.dst_ip;
    s.phone_port = from_phone ? f.src_port : f.dst_port;
    s.server = from_phone ? ctx.server_id(f.dst_ip, f.dst_port, f.transport)  // TCP, or TLS on 2443
                          : ctx.server_id(f.src_ip, f.src_port, f.transport);
    s.endpoint = ctx.strings.intern(s.phone_ip.to_string());
    return &s;
}

void SccpAnalyzer::Impl::on_frame(const Frame& f) {
    if (f.tcp.present && !f.tcp.copy && (!f.skinny.empty() || !sessions.empty())) {
        std::uint64_t key = session_key(f);
        Session* s = sessions.find(key);
        if (!s && !f.skinny.empty()) s = create(key, f);
        if (s) on_session_frame(key, *s, f);
    }
    TimerHeap& heap = timers[ctx.clock(timed_at(f))];
    if (!heap.empty() && heap.top().deadline < f.time) sweep(heap, f.time);
}

void SccpAnalyzer::Impl::on_session_frame(std::uint64_t key, Session& s, const Frame& f) {
    s.last_activity = f.time;
    bool from_phone = f.src_port == s.phone_port && f.src_ip == s.phone_ip;
    if (f.tcp.unplaced != s.unplaced) {  // this frame's time and the session's are on different clocks
        s.unplaced = f.tcp.unplaced;
        restart_times(s, f.time);
    }
    if (f.tcp.unplaced && f.interface_id < kNoPoint) {
        s.foreign_point = static_cast<std::uint8_t>(f.interface_id);
        s.foreign_last = f.time;
    }

    // A retransmitted segment repeats a keepalive; its messages are those of new bytes after it, if any.
    if (from_phone && f.tcp.retransmission && f.tcp.resent > 0) {
        on_retransmission(s, f);
        if (f.skinny.empty()) return;
    }
    // TCP-level delivery of the pending keepalive: the evidence that makes a silent session a backup.
    if (!from_phone && s.pending && f.tcp.has(TcpInfo::kAck) && !seq_before(f.tcp.ack, s.pending_end))
        s.tcp_acked = true;
    // The phone acknowledges the primary's answer to its pending keepalive, which the capture
    // dropped (a SPAN session or capture host under load), or the call manager sends a TLS record
    // that cannot be decrypted (after a record the capture dropped): it was acknowledged, time
    // unknown. A phone's such record may be a keepalive: the session is not silent.
    const bool unread_answer = from_phone ? f.tcp.acks_unseen : f.tcp.opaque;
    if (unread_answer && s.role == Role::Primary && s.pending && !s.judged) answered(s);
    if (from_phone && f.tcp.opaque && s.live) {
        s.quiet_since = f.time;
        rearm(key, s);
    }

    bool carries_keepalive = from_phone && std::any_of(f.skinny.begin(), f.skinny.end(), [](const SkinnyMessage& m) {
                                 return m.id == skinny::kKeepAliveReq;
                             });
    // What fell due before this frame: on the session's next keepalive it is part of that
    // keepalive's annotation; otherwise it stands on its own, before this frame's messages.
    // (Its timer entry, due by then, re-arms the session in the sweep that follows.)
    Verdict due = settle(s, f.time);
    if (due.any() && !carries_keepalive) emit_missed(s, due, f.time);

    for (const SkinnyMessage& m : f.skinny) {
        if (from_phone) {
            switch (m.id) {
            case skinny::kKeepAliveReq:
                on_keepalive(key, s, f, due);
                due = Verdict{};
                break;
            case skinny::kRegisterReq: on_register(s, f, m); break;
            case skinny::kUnregisterReq: on_end(s, SessionEvent::Unregister); break;
            default: break;
            }
        } else {
            switch (m.id) {
            case skinny::kKeepAliveAck: on_keepalive_ack(key, s, f); break;
            case skinny::kRegisterAck: on_register_ack(key, s, f, m); break;
            case skinny::kRegisterReject: on_end(s, SessionEvent::RegisterReject); break;
            case skinny::kUnregisterAck:
                if (m.has_status && m.status != 0) on_refused(key, s);
                else on_end(s, SessionEvent::UnregisterAck);
                break;
            default: break;
            }
        }
    }
    if (f.tcp.has(TcpInfo::kRst)) on_end(s, SessionEvent::Reset);
    else if (f.tcp.has(TcpInfo::kFin)) on_end(s, SessionEvent::Fin);
}

void SccpAnalyzer::Impl::on_keepalive(std::uint64_t key, Session& s, const Frame& f, Verdict v) {
    // A connection taken for given up, when another of its address was answered by the same call
    // manager, is still in use: two devices share the address (a gateway's analog ports and media
    // resources, each registered on a connection of its own), and neither replaces the other.
    if (s.superseded) {
        Phone& p = phone(s.phone_ip);
        p.shared = true;
        p.device = 0;  // the name its RegisterReq gave the address is one device's only
        s.superseded = false;
        s.live = true;
    }
    // Keepalives on an ended registration are a backup's (to the call manager the phone unregistered
    // from when it fell back to its primary): the role is learnt again.
    if (!s.live && s.role == Role::Primary) {
        s.role = Role::Unknown;
        s.missed = 0;  // the run of unacknowledged keepalives was the ended registration's
        s.failover_reported = false;
    }
    if (s.role == Role::Unknown && has_live_primary_elsewhere(key, s)) s.role = Role::Backup;
    if (s.pending && !s.judged) {
        // The previous keepalive got no KeepAliveAck before this one.
        if (s.role == Role::Unknown && s.tcp_acked) s.role = Role::Backup;
        if (s.role == Role::Primary) miss(s, v);
    }

    Annotation a = annotation(s, Subject::SccpKeepalive);
    const bool has_gap = s.have_keepalive && !s.gap_unknown;
    if (has_gap) a.set(Field::SccpGap, elapsed(f.time, s.last_keepalive));
    // The call manager's KeepAliveTimeout with no keepalive to measure from (the first after the
    // RegisterAck, or after a clock step): the silence it counts, as on a keepalive overdue.
    else if (v.failover) a.set(Field::SccpGap, elapsed(f.time, s.quiet_since));
    if (s.role != Role::Unknown) {
        const std::uint32_t expected = interval(s);
        a.set(Field::SccpInterval, expected);
        // The phone's timer runs from its latest keepalive, or from a registration since (a failover
        // to the backup's connection: not from the last keepalive it sent there as a backup). An
        // interval of 0 (preferences set so) expects no time, so nothing is late against it.
        if (has_gap && expected > 0)
            a.set(Field::SccpLateness,
                  sub_sat(elapsed(f.time, std::max(s.last_keepalive, s.quiet_since)), seconds(expected)));
    }
    if (v.any() && s.last_keepalive_frame) a.set(Field::SccpRequestFrame, s.last_keepalive_frame);  // 0: none yet
    a.set(Field::RetransCount, 0);
    report(a, s, v);
    ctx.sink.emit(a);

    s.have_keepalive = true;
    s.gap_unknown = false;
    s.pending = true;
    s.judged = false;
    s.tcp_acked = false;
    s.last_keepalive = f.time;
    s.quiet_since = f.time;
    s.last_keepalive_frame = f.number;
    s.pending_end = f.tcp.seq + f.tcp.len;
    s.tx[s.tx_next] = Transmission{f.tcp.seq, f.tcp.len, f.number, 0, f.time};
    s.tx_next = static_cast<std::uint8_t>((s.tx_next + 1) % kTransmissions);
    if (s.role != Role::Backup)  // a backup's keepalives are not the registration's (EndpointDirectory)
        ctx.directory.touch(s.phone_ip, {f.time, f.number, s.named ? s.endpoint : 0, timed_at(f), s.server});
    rearm(key, s);
}

void SccpAnalyzer::Impl::on_keepalive_ack(std::uint64_t key, Session& s, const Frame& f) {
    // The phone's record is written last, once its cache line has loaded.
    phones.prefetch(s.phone_ip);
    // Answered as primary on a new connection to the same call manager: the device registered
    // again there, in a RegisterAck the capture lacks.
    if (s.role != Role::Primary) replace_registration(key, s, f);
    s.role = Role::Primary;  // make_primary() sets it too, but the pairing reports the primary's interval
    if (s.pending) pair_ack(key, s, f);  // else its KeepAliveReq is not in the capture
    make_primary(key, s);
}

void SccpAnalyzer::Impl::pair_ack(std::uint64_t key, Session& s, const Frame& f) {
    Nanos latency = elapsed(f.time, s.last_keepalive);
    s.latency_sum = add_sat(s.latency_sum, latency);
    ++s.latency_count;
    answered(s);

    Annotation a = annotation(s, Subject::SccpKeepaliveAck);
    a.set(Field::SccpInterval, interval(s));
    a.set(Field::SccpAckLatency, latency);
    a.set(Field::SccpAckLatencyMean, s.latency_sum / s.latency_count);
    a.set(Field::SccpRequestFrame, s.last_keepalive_frame);
    for (const Transmission& t : s.tx)
        if (t.frame == s.last_keepalive_frame) a.set(Field::RetransCount, t.count);
    ctx.sink.emit(a);
    rearm(key, s);
}

void SccpAnalyzer::Impl::on_register(Session& s, const Frame& f, const SkinnyMessage& m) {
    s.live = true;
    if (plausible_device_name(m.device_name)) {
        std::uint32_t name = ctx.strings.intern(m.device_name);
        s.endpoint = name;
        s.named = true;
        Phone& p = phone(s.phone_ip);
        if (p.device && p.device != name) p.shared = true;
        p.device = p.shared ? 0 : name;
    }
    Annotation a = annotation(s, Subject::SccpRegister);
    ctx.sink.emit(a);
    ctx.directory.touch(s.phone_ip, {f.time, f.number, s.named ? s.endpoint : 0, timed_at(f), s.server});
}

void SccpAnalyzer::Impl::on_register_ack(std::uint64_t key, Session& s, const Frame& f, const SkinnyMessage& m) {
    // A registration starts afresh: an earlier keepalive (e.g. sent as a backup) is no longer
    // judged, though a KeepAliveAck that follows still pairs with it.
    replace_registration(key, s, f);
    s.live = true;
    s.superseded = false;
    s.judged = true;
    s.missed = 0;
    s.failover_reported = false;
    // The phone's normal-failover wait averages this registration's acks, not an earlier one's.
    s.latency_sum = 0;
    s.latency_count = 0;
    s.quiet_since = f.time;
    make_primary(key, s);
    if (m.has_keepalive_interval) s.ack_interval = m.keepalive_interval;
    if (s.ack_interval == 0) s.ack_interval = kNoAckInterval;
    if (m.has_secondary_interval) phone(s.phone_ip).secondary_interval = m.secondary_interval;
    Annotation a = annotation(s, Subject::SccpSessionEvent);
    a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::RegisterAck));
    a.set(Field::SccpInterval, interval(s));
    ctx.sink.emit(a);
    rearm(key, s);
}

// The device's previous registration with this call manager, on another connection, ends here.
// It is found by the device's name, or, when one of the two RegisterReqs is not in the capture (it
// began before, or the capture dropped it), as the primary session of the phone's address, unless
// devices share that address, or as the latest registration from the phone's MAC, when a name
// proves that MAC the device's own or the MAC announced the phone's new address by ARP (a new DHCP
// address; a soft phone's name carries no MAC). `f` comes from the call manager.
void SccpAnalyzer::Impl::replace_registration(std::uint64_t key, const Session& s, const Frame& f) {
    if (const std::uint64_t* previous = s.named ? registrations.find(s.endpoint) : nullptr; previous && *previous != key)
        retire(sessions.find(*previous), s, f.time);
    if (const Phone* p = find_phone(s.phone_ip); p && p->has_primary && p->primary != key && !p->shared) {
        Session* old = sessions.find(p->primary);
        if (old && (!old->named || !s.named || old->endpoint == s.endpoint)) retire(old, s, f.time);
    }
    if (f.has_eth && f.eth_dst) {
        const Mac mac = f.eth_dst;
        if (const std::uint64_t* previous = by_mac.find(mac); previous && *previous != key) {
            Session* old = sessions.find(*previous);
            // At the same address the address decides, above: devices may share it.
            if (old && old->phone_ip != s.phone_ip && (!old->named || !s.named) &&
                (names_mac(s, mac) || names_mac(*old, mac) || ctx.announcements.by(point_of(f), s.phone_ip, mac)))
                retire(old, s, f.time);
        }
        bounded_entry(by_mac, mac) = key;
    }
    if (!s.named) return;
    bounded_entry(registrations, s.endpoint) = key;
}

bool SccpAnalyzer::Impl::names_mac(const Session& s, Mac mac) const {
    return s.named && mac_in_name(ctx.strings.get(s.endpoint)) == mac;
}

// What fell due on the old session before is reported, and its pending keepalive, which no ack
// answers now, is unacknowledged (the phone gave that connection up).
void SccpAnalyzer::Impl::retire(Session* old, const Session& s, Nanos now) {
    if (!old || !old->live || old->server != s.server) return;
    Verdict v = settle(*old, now);
    if (old->role == Role::Primary && old->pending && !old->judged) {
        miss(*old, v);
        v.elsewhere = true;
    }
    if (v.any()) emit_missed(*old, v, now);
    old->live = false;
    old->pending = false;
    old->superseded = true;
}

void SccpAnalyzer::Impl::on_retransmission(Session& s, const Frame& f) {
    std::uint32_t end = f.tcp.seq + f.tcp.resent;
    for (std::uint32_t i = 0; i < kTransmissions; ++i) {
        // Newest first: a retransmission repeats the latest keepalive it overlaps.
        Transmission& t = s.tx[(s.tx_next + kTransmissions - 1 - i) % kTransmissions];
        if (t.frame == 0 || t.len == 0) continue;
        if (!seq_before(f.tcp.seq, t.seq + t.len) || !seq_before(t.seq, end)) continue;
        // A copy of the segment is none: the decoder marked it (tcp.copy) and on_frame() skipped it.
        ++t.count;
        Annotation a = annotation(s, Subject::SccpRetransmission);
        a.set(Field::RetransCount, t.count);
        a.set(Field::RetransOriginal, t.frame);
        a.set(Field::RetransGap, sub_sat(f.time, t.last));
        a.raise(Expert::Retransmission);
        ctx.sink.emit(a);
        t.last = f.time;
        return;
    }
}

// An ended session expects nothing: its timer entry, if any, finds nothing when it fires.
void SccpAnalyzer::Impl::on_end(Session& s, SessionEvent e) {
    Annotation a = annotation(s, Subject::SccpSessionEvent);
    a.set(Field::SessionEvent, static_cast<std::int64_t>(e));
    // A backup's end is reported, but the phone was not registered there (SPEC §4: a real one).
    if (s.live && s.role != Role::Backup) a.raise(Expert::Unregister);
    ctx.sink.emit(a);
    s.live = false;
    s.pending = false;
}

// The call manager refused the UnregisterReq (a call is up, say): the registration goes on. (A
// primary ended by it keeps its role until its next keepalive.) A session whose role the capture
// has not yet shown goes on too: a phone unregisters only where it is registered.
void SccpAnalyzer::Impl::on_refused(std::uint64_t key, Session& s) {
    Annotation a = annotation(s, Subject::SccpSessionEvent);
    a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::UnregisterRefused));
    ctx.sink.emit(a);
    if (s.role == Role::Backup || s.superseded) return;
    s.live = true;
    rearm(key, s);  // a timer that came due while it was ended was not renewed
}

SccpAnalyzer::SccpAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
SccpAnalyzer::~SccpAnalyzer() = default;

void SccpAnalyzer::on_frame(const Frame& f) { impl_->on_frame(f); }

void SccpAnalyzer::prefetch(const Frame& f) const {
    if (f.tcp.present) impl_->sessions.prefetch(session_key(f));
}

// A primary whose keepalive's ack, or whose next keepalive, fell due by the silence's end: the
// capture may lack them. The pending keepalive is taken as answered, and the call manager's
// silence clock starts again at `until`. When the call manager's KeepAliveTimeout fell in the
// silence too, whether it dropped the phone is unknown (what follows may be another day's capture,
// or another place's): the session is not timed again until its next keepalive, as a SIP binding
// waits for its next 2xx.
std::uint32_t SccpAnalyzer::forget_due(std::uint32_t clock, Nanos until) {
    Impl& m = *impl_;
    std::uint32_t n = 0;
    m.sessions.for_each([&](std::uint64_t key, Session& s) {
        if (!s.live || s.role != Role::Primary || !m.timed(s) || m.ctx.clock(static_cast<std::uint32_t>(key >> 32)) != clock)
            return;
        const Nanos step = seconds(m.interval(s));
        const Nanos since = s.have_keepalive ? s.last_keepalive : s.quiet_since;  // else its registration
        if (add_sat(since, step) > until) return;  // nothing due in it
        bool due = false;
        if (s.pending && !s.judged) {
            m.answered(s);
            due = true;
        }
        if (!s.failover_reported) {
            if (add_sat(s.quiet_since, mul_sat(step, m.threshold())) <= until) {
                s.quiet_since = kUntimed;
                s.gap_unknown = true;  // its next keepalive's gap spans the silence
            } else {
                s.quiet_since = std::max(s.quiet_since, until);
            }
            due = true;
        }
        n += due;
    });
    return n;
}

std::uint32_t SccpAnalyzer::forget_clock(std::uint32_t clock, std::uint32_t since, Nanos now) {
    Impl& m = *impl_;
    std::uint32_t n = 0;
    m.sessions.for_each([&](std::uint64_t key, Session& s) {
        if (!s.live || !m.timed(s) || s.last_keepalive_frame >= since ||
            m.ctx.clock(static_cast<std::uint32_t>(key >> 32)) != clock)
            return;
        n += s.role == Role::Primary && ((s.pending && !s.judged) || !s.failover_reported);
        // That keepalive's ack is not judged, so no run of unacknowledged keepalives goes on
        // through it; a capture gap takes it as answered for the same reason (forget_due()).
        if (s.pending && !s.judged) m.answered(s);
        m.restart_times(s, now);
        m.rearm(key, s);
    });
    return n;
}

void SccpAnalyzer::split_clocks() {
    Impl& m = *impl_;
    for (TimerHeap& heap : m.timers) heap = TimerHeap();
    m.sessions.for_each([&](std::uint64_t key, Session& s) {
        s.armed = std::numeric_limits<Nanos>::max();
        m.rearm(key, s);
    });
}

void SccpAnalyzer::place(const CapturePoints& points) {
    Impl& m = *impl_;
    m.sessions.for_each([&](std::uint64_t key, Session& s) {
        const auto home = static_cast<std::uint32_t>(key >> 32);
        Nanos offset;
        if (s.foreign_point == kNoPoint || !points.clock_offset(s.foreign_point, home, offset)) return;
        if (!s.unplaced) s.quiet_since = std::max(s.quiet_since, add_sat(s.foreign_last, offset));
        s.foreign_point = kNoPoint;
        m.rearm(key, s);
    });
}

std::size_t SccpAnalyzer::state_bytes() const {
    std::size_t n = sizeof(Impl) + impl_->sessions.bytes() + impl_->phones.bytes() + impl_->registrations.bytes() +
                    impl_->by_mac.bytes();
    for (const TimerHeap& heap : impl_->timers) n += heap.size() * sizeof(Timer);
    return n;
}

}  // namespace ka
