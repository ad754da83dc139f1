// SPDX-License-Identifier: GPL-2.0-or-later
#include "sip_analyzer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ascii.h"
#include "capture_points.h"
#include "flat_map.h"
#include "hash.h"
#include "quad_heap.h"
#include "sip_contact.h"

namespace ka {

namespace {

// Bounds: a flood of contacts, Call-IDs or connections must not grow the state without limit.
constexpr std::size_t kMaxBindings = 65536;
constexpr std::uint32_t kNoBinding = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kTxnsPerBinding = 4;   // REGISTER transactions remembered per binding
// Bindings a Call-ID is followed for: those of one REGISTER's Contacts, of one phone's lines that
// share a Call-ID (RFC 3261 10.2), of a "Contact: *" removal. A flood of contacts under one Call-ID
// must not make each of its messages scan all of them.
constexpr std::uint32_t kMaxPerCall = 64;
// The newest bindings of an AOR looked at for one that took over from a lapsing one (successor()).
constexpr std::uint32_t kSuccessorScan = 16;
constexpr std::size_t kMaxStreams = 65536;
constexpr std::size_t kMaxFlows = 65536;
// Removals awaiting their answer: a phone's "Contact: *", or a scanner's never accepted.
constexpr std::size_t kMaxRemovals = 1024;
// Contacts one REGISTER of someone else's removes (Removal); more are rare enough to stop at once.
constexpr std::uint8_t kMaxRemovedContacts = 4;
constexpr Nanos kNever = std::numeric_limits<Nanos>::min();  // no datagram known on a flow
constexpr std::uint8_t kOwnClock = 0xff;  // Binding::grant_on: the binding's own point's clock
// A break in the capture point's timeline that a binding's expectation went through.
enum class Break : std::uint8_t { None, Gap, Step };
// Requests followed per TCP connection, for their retransmissions and the ACK that delivers them.
// Delivered requests give way first, so the bound is on requests in flight together: the lines of
// a multi-line phone registering at once. Eight packed references fill one cache line that every
// ACK of the connection scans; more in flight (a proxy's or an SBC's REGISTERs queued behind one
// lost segment) move to the heap, up to a window's worth (64 KB of 500-byte REGISTERs).
constexpr std::size_t kRefsPerStream = 8;
constexpr std::size_t kMaxRefsPerStream = 128;
constexpr std::uint32_t kDefaultExpires = 3600;  // RFC 3261 10.2.1.1: registrar's default
// A challenge's retry follows its REGISTER at once, and over UDP an unanswered REGISTER is resent
// after T1 (RFC 3261 17.1.2.2: 500 ms by default): a REGISTER this long after one whose answer the
// capture lacks is neither (end_answered_attempt()).
constexpr Nanos kResendWindow = 4 * kSecond;
// RFC 3261 17.1.2.2: a non-INVITE client transaction without a final response times out after
// Timer F, 64 T1 (32 s with the default T1 of 500 ms).
constexpr Nanos kTimerF = 32 * kSecond;
// RFC 4320 4.1: over UDP a server answers a non-INVITE with 100 only once it has held the request
// as long as a client's Timer E takes to reach T2: 0.5 + 1 + 2 = 3.5 s with the default T1 of
// 500 ms. A 100 that long after a REGISTER's first transmission, and sooner than that after its
// second, shows the first arrived: the resends were the server's slowness, not loss. The slack
// is the timers' and the capture's jitter.
constexpr Nanos kHeldUntilT2 = 3500 * kMillisecond;
constexpr Nanos kTimerSlack = 50 * kMillisecond;
// Breach forecast: the retransmission gap must have grown by this ratio on this many consecutive
// attempts; breaches further away than the horizon are not worth a warning.
constexpr double kGrowthRatio = 1.5;
constexpr std::uint32_t kGrowthRun = 3;
constexpr std::uint32_t kForecastHorizon = 10;

enum class Kind : std::uint8_t { Register, Unregister, Backup };
// What first shows that the registrar received a REGISTER: a TCP ACK or a 1xx, a 2xx, a refusal.
enum class Evidence : std::uint8_t { Receipt, Success, Refusal };

using hash::finish;
using hash::kSeed;
using hash::mix;

// Call-IDs, AORs and URIs are only ever compared for equality, so the state keeps a 64-bit hash of
// them instead of a copy: two distinct strings compare equal with probability 2^-64 per pair.
// The empty string hashes to 0 (a default-constructed field); any other string never does.
std::uint64_t text_hash(std::string_view s) {
    if (s.empty()) return 0;
    std::uint64_t h = finish(hash::bytes(kSeed, s.data(), s.size()));
    return h ? h : 1;
}

// The k-th binding with transactions under a Call-ID at a capture point (point_of()).
std::uint64_t call_key(std::uint32_t iface, std::uint64_t call_id, std::uint32_t k) {
    return finish(mix(mix(mix(kSeed, iface), call_id), k));
}

// A removal's transaction: its sender's address, Call-ID and CSeq at a capture point.
std::uint64_t removal_key(std::uint32_t iface, const IpAddr& sender, std::uint64_t call_id, std::uint32_t cseq) {
    return finish(mix(mix(hash::bytes(mix(kSeed, iface), sender.bytes, sizeof sender.bytes), call_id), cseq));
}

// A registrar (interface, address, port, transport) and an AOR, unfinished: a binding's key adds
// its contact's identity; on its own, once finished, it keys the bindings a "Contact: *" removes.
std::uint64_t registrar_aor(std::uint32_t iface, const IpAddr& registrar, std::uint16_t port, Transport transport,
                            std::uint64_t aor) {
    std::uint64_t key = mix(kSeed, iface);
    key = mix(key, std::uint64_t{registrar.family} << 24 | std::uint64_t{port} << 8 |
                       static_cast<std::uint64_t>(transport));
    key = hash::bytes(key, registrar.bytes, sizeof registrar.bytes);
    return mix(key, aor);
}

// One past the message's last Contact in f.contacts (a malformed count stops at the frame's).
std::uint32_t contacts_end(const Frame& f, const SipMessage& m) {
    return std::min<std::uint32_t>(m.first_contact + m.contact_count, static_cast<std::uint32_t>(f.contacts.size()));
}

std::uint32_t exact_hash(std::string_view uri) { return static_cast<std::uint32_t>(text_hash(uri)); }

// A Contact address (without parameters), its scheme and host compared without case, its user part
// with (RFC 3261 19.1.4): a registrar may write the host as the phone did not.
std::uint64_t address_hash(std::string_view address) {
    char lowered[256];
    if (address.size() > sizeof lowered) return text_hash(address);
    const std::size_t colon = address.find(':'), at = address.find('@');
    const bool has_user = colon != std::string_view::npos && at != std::string_view::npos && colon < at;
    for (std::size_t i = 0; i < address.size(); ++i)
        lowered[i] = has_user && i > colon && i < at ? address[i] : ascii::lower(address[i]);
    return text_hash(std::string_view(lowered, address.size()));
}

std::uint64_t stream_key(std::uint32_t iface, std::uint32_t stream) { return std::uint64_t{iface} << 32 | stream; }

// A response or an ACK cannot come before the request it answers was first sent: stamped before it
// (two capture points or NICs merged into one interface, their clocks apart), it is timed at the
// request. Returns `f`, or its copy in `later` (seldom: a copy costs the frame's lists).
const Frame& not_before(const Frame& f, Nanos sent, std::optional<Frame>& later) {
    if (f.time >= sent) return f;
    later.emplace(f).time = sent;
    return *later;
}

// A REGISTER needs the Call-ID and the CSeq of its own method that name its transaction (RFC 3261
// 8.1.1): two without them from one phone, minutes apart, would be one transaction sent again, and
// one whose CSeq names another method would have its answer never matched. A registrar refuses it.
bool registrable(const SipMessage& m) { return !m.call_id.empty() && m.cseq_method == "REGISTER"; }

// UDP datagrams from `phone` to a registrar (address, port) at a capture point.
std::uint64_t udp_path_key(std::uint32_t iface, const IpAddr& phone, const IpAddr& registrar, std::uint16_t port) {
    std::uint64_t key = mix(mix(kSeed, iface), std::uint64_t{phone.family} << 24 | std::uint64_t{registrar.family} << 16 | port);
    key = hash::bytes(key, phone.bytes, sizeof phone.bytes);
    return finish(hash::bytes(key, registrar.bytes, sizeof registrar.bytes));
}

// One REGISTER (Call-ID, CSeq) and all its transmissions. Fields ordered by size: one per binding
// slot, thousands of bindings.
struct Txn {
    std::uint64_t call_id = 0;  // text_hash(); the interface is the binding's
    Nanos first_time = 0;
    Nanos last_time = 0;             // latest transmission
    Nanos last_gap = 0;              // from the one before it to the latest transmission
    // Latest transmission before the delivery evidence, or over TCP the latest retransmission of
    // earlier bytes it waited behind (held_by).
    Nanos sent_before_delivery = 0;
    std::uint32_t id = 0;            // 0: free slot
    std::uint32_t cseq = 0;
    std::uint32_t attempt = 0;       // refresh number
    std::uint32_t requested = 0;     // expiry the REGISTER asked for
    std::uint32_t first_frame = 0;
    std::uint32_t retrans = 0;
    std::uint32_t delivery_frame = 0;
    // TCP: when sent_before_delivery is the client's retransmission of bytes sent before this
    // REGISTER that the server still lacked, that frame (0: none): TCP delivered the REGISTER
    // only behind them (head-of-line blocking). Its own bytes were not resent, so it counts no
    // retransmission (SPEC 3.2 attributes one by the bytes it repeats) nor a lost first
    // transmission; its delay is that retransmission's, which the forecast follows. Kept per
    // REGISTER: a later retransmission on the connection may be of bytes after it.
    std::uint32_t held_by = 0;
    // Byte range of the request in its TCP stream; the stream's interface is the binding's.
    std::uint32_t stream = 0;
    std::uint32_t start = 0, end = 0;
    // A REGISTER split over segments: its bytes before `head_end` were first sent `head_back`
    // frames before first_frame, the one that completed it (0: not split).
    std::uint32_t head_end = 0;
    // TCP: where the bytes of its latest retransmission's latest segment end.
    std::uint32_t resend_end = 0;
    // Class (status / 100) of the latest response since the latest transmission: the same again
    // at once over UDP is a copy of it (kCaptureCopyWindow). A byte, where there was padding.
    std::uint8_t answered = 0;
    // Milliseconds from the first transmission to the second (UDP: T1 of the phone's Timer E), for
    // a 100 to tell which of them its server held (held_since_first()). Fits the padding.
    std::uint16_t resent_after_ms = 0;
    std::uint16_t head_back = 0;
    bool has_range = false;
    bool first_of_attempt = false;
    bool delivered = false;
    bool final = false;  // a final response arrived
    bool refusable = false;      // may be refused and retried: its receipt is not taken for the delivery
    bool margin_due = false;     // received (at Binding::delivered_at), its margin awaits the 2xx
    bool lone_contact = false;  // the REGISTER listed this binding's contact alone
    // TCP: the phone acknowledged registrar bytes the capture lacks while this awaited its final
    // response: most likely that response.
    bool answer_unseen = false;
    bool reset = false;  // TCP: its connection was reset before its final response
    bool unreceived = false;  // TCP: past its binding's deadline, the registrar still lacked its bytes
};

// Over UDP, sent again until its transaction timed out (Timer F): the phone never had an answer.
bool resent_until_timeout(const Txn& t) {
    return t.retrans != 0 && elapsed(t.last_time, t.first_time) >= kTimerF - kResendWindow;
}

// Fields ordered by size to leave no padding; strings are text_hash()es.
struct Binding {
    std::array<Txn, kTxnsPerBinding> txns;

    std::uint64_t key = 0;
    Mac mac = 0;  // Ethernet source of its latest REGISTER (0: none)
    std::uint64_t aor = 0, identity = 0;          // identity: +sip.instance, else the Contact URI
    std::uint64_t contact_uri = 0, instance = 0;  // to find the binding's contact in a 2xx
    Nanos last_activity = 0;
    Nanos last_sent = 0;  // UDP: its previous REGISTER transaction, first sent (has_last_sent)
    // The current (or last) attempt.
    std::uint64_t call_id = 0;
    Nanos idle = 0;  // idle time before the attempt's first transmission (has_idle)
    // Expectation set by the last 2xx.
    Nanos expected = 0, deadline = 0;
    // When the binding's one heap entry is due (none: max). It may be due before `deadline`, which
    // only moves it later: it is then pushed again when it comes up.
    Nanos armed = std::numeric_limits<Nanos>::max();
    Nanos ok_time = 0;
    Nanos delivered_at = 0;  // the delivery of the transaction whose margin is due
    // History across attempts.
    Nanos last_gap = 0;

    std::uint32_t iface = 0;
    // The other bindings of the same AOR at the same registrar, as a list (aor_heads holds its
    // first): what "Contact: *" removes, found without a scan of every binding.
    std::uint32_t aor_prev = kNoBinding, aor_next = kNoBinding;
    std::uint32_t endpoint = 0, server = 0, device = 0;  // StringTable ids
    std::uint32_t attempts = 0;
    std::uint32_t generation = 0;
    std::uint32_t ok_frame = 0;
    std::uint32_t first_frame = 0;  // its first REGISTER's
    std::uint32_t growth_run = 0;
    std::uint32_t loss_run = 0;
    std::uint16_t port = 0;
    IpAddr registrar;
    IpAddr phone;  // sender of its latest request, where the responses go
    Transport transport = Transport::None;
    Role role = Role::Primary;
    Kind kind = Kind::Register;
    std::uint8_t latest = 0;
    std::uint8_t next_slot = 0;
    // The capture point on whose clock ok_time, expected and deadline are, when not `iface`'s: a
    // 2xx seen first at another point before the offset between the two was known.
    std::uint8_t grant_on = kOwnClock;
    bool live = false;
    bool has_last_sent = false;
    bool open = false;
    bool first_retransmitted = false;
    bool has_idle = false;
    bool expecting = false;
    bool breach_reported = false;
    bool has_ok = false;
    // Gap: its expectation was forgotten in a capture gap (forget_due()). Step: it was moved by a
    // step of the capture's clock (retime()), and its next refresh's lateness and margin would
    // compare times on either side of the step.
    Break broken = Break::None;
    // The registrar has refused a REGISTER of this binding in a way the phone answers with a retry
    // in the same attempt: a challenge (401/407) or a too brief expiry (423, RFC 3261 10.2.8).
    bool retry_refused = false;
    // Its Contact URI with the parameters, hashed to 32 bits (the struct's tail padding): among a
    // 2xx's contacts that match contact_uri, it tells this one from an older contact of the same
    // phone that differs only in a parameter (a soft phone's ";rinstance=", RFC 3261 19.1.4).
    std::uint32_t contact_exact = 0;

    const Txn* txn(std::uint64_t call, std::uint32_t cseq) const {
        for (const Txn& t : txns)
            if (t.id && t.call_id == call && t.cseq == cseq) return &t;
        return nullptr;
    }
    Txn* txn(std::uint64_t call, std::uint32_t cseq) {
        return const_cast<Txn*>(static_cast<const Binding*>(this)->txn(call, cseq));
    }
    // `f` is sent to this binding's registrar (interface, address, port, transport).
    bool sent_to(const Frame& f) const {
        return live && iface == point_of(f) && registrar == f.dst_ip && port == f.dst_port && transport == f.transport;
    }
    // Half the refresh period the last grant set (0 when none is expected): a message the capture
    // lacks is taken for a refresh's when what follows it comes at least this late.
    Nanos half_period() const { return expecting ? sub_sat(expected, ok_time) / 2 : 0; }
    bool same_registrar(const Binding& o) const {
        return live && iface == o.iface && registrar == o.registrar && port == o.port && transport == o.transport;
    }
    // The capture point on whose clock its deadline is, and whose frames tell when it has passed.
    std::uint32_t deadline_point() const { return grant_on != kOwnClock ? grant_on : iface; }
    // `f`'s time compares with the deadline. Until a segment seen at two points shows that they
    // have clocks of their own, one queue serves every interface (a machine's NICs share a clock);
    // but a time seen first at another point than the deadline's, before the offset between the
    // two is known, is on another clock.
    bool judged_at(const Frame& f) const {
        return timed_at(f) == deadline_point() || (!f.tcp.unplaced && grant_on == kOwnClock);
    }
    // The binding of `aor` at the registrar `f` is sent to.
    bool at(const Frame& f, std::uint64_t of_aor) const { return sent_to(f) && aor == of_aor; }
    // Such a binding, identified by its Contact URI (no +sip.instance), registering, whose latest
    // REGISTER came from another address than `f`: its phone may have moved to `f`'s.
    bool left_for(const Frame& f, std::uint64_t of_aor) const {
        return at(f, of_aor) && !instance && kind == Kind::Register && phone != f.src_ip;
    }
    // Or from `f`'s address on another TCP connection: a phone whose Contact carries its
    // connection's port has a new Contact on each connection.
    bool reconnected_for(const Frame& f, std::uint64_t of_aor) const {
        if (!at(f, of_aor) || instance || kind != Kind::Register || phone != f.src_ip || !f.tcp.present) return false;
        const Txn& t = txns[latest];
        return t.id && t.has_range && t.stream != f.tcp.stream;
    }
    bool has_call(std::uint64_t call) const {
        for (const Txn& t : txns)
            if (t.id && t.call_id == call) return true;
        return false;
    }
};

// Bindings in fixed-size chunks: growing never moves them (no transient second copy of every
// binding, as a vector's reallocation makes) and leaves at most one chunk partly used.
class BindingStore {
public:
    std::uint32_t size() const { return size_; }
    Binding& operator[](std::uint32_t i) { return chunks_[i >> kShift][i & kMask]; }
    const Binding& operator[](std::uint32_t i) const { return chunks_[i >> kShift][i & kMask]; }
    std::uint32_t add() {
        if ((size_ & kMask) == 0) chunks_.push_back(std::make_unique<Binding[]>(kChunk));
        return size_++;
    }
    std::size_t bytes() const {
        return chunks_.size() * kChunk * sizeof(Binding) + chunks_.capacity() * sizeof(chunks_[0]);
    }

private:
    static constexpr std::uint32_t kShift = 8;
    static constexpr std::uint32_t kChunk = 1u << kShift;
    static constexpr std::uint32_t kMask = kChunk - 1;
    std::vector<std::unique_ptr<Binding[]>> chunks_;
    std::uint32_t size_ = 0;
};

struct StreamRef {
    std::uint32_t txn = 0;  // Txn::id; 0: none
    std::uint16_t binding = 0;
    std::uint8_t slot = 0;
};
static_assert(kMaxBindings - 1 <= std::numeric_limits<std::uint16_t>::max(), "a binding index fits a StreamRef");

// A connection's references: kRefsPerStream in place, all of them on the heap while more are in
// flight together.
class StreamRefs {
public:
    StreamRef* begin() { return more_ ? more_->data() : in_place_.data(); }
    StreamRef* end() { return begin() + size(); }
    const StreamRef* begin() const { return more_ ? more_->data() : in_place_.data(); }
    const StreamRef* end() const { return begin() + size(); }
    std::size_t size() const { return more_ ? more_->size() : in_place_.size(); }

    // Adds `ref` when every place is taken; false when kMaxRefsPerStream are.
    bool add(const StreamRef& ref) {
        if (size() >= kMaxRefsPerStream) return false;
        if (!more_) more_ = std::make_unique<std::vector<StreamRef>>(in_place_.begin(), in_place_.end());
        more_->push_back(ref);
        return true;
    }
    // Drops the references `unused` tells, back in place once the rest fit there.
    template <class Unused>
    void compact(Unused unused) {
        if (!more_) return;
        more_->erase(std::remove_if(more_->begin(), more_->end(), unused), more_->end());
        if (more_->size() > kRefsPerStream) return;
        in_place_ = {};
        std::copy(more_->begin(), more_->end(), in_place_.begin());
        more_.reset();
    }

private:
    std::array<StreamRef, kRefsPerStream> in_place_{};
    std::unique_ptr<std::vector<StreamRef>> more_;
};

// Fields ordered to fill the padding.
struct Stream {
    IpAddr client;
    std::uint16_t client_port = 0;
    StreamRefs refs;
    bool has_last_client = false;
    // A REGISTER on it, received and spared at its binding's deadline, awaits its answer: the
    // client's next segment past Timer F tells whether one came (await_answer()).
    bool awaiting = false;
    // The client's latest segment that began a message a later segment ends (0: none), and its
    // idle time before it (kNever: unknown).
    std::uint32_t head_frame = 0;
    Nanos head_idle = kNever;
    Nanos last_client = 0;  // the client's latest segment
    Nanos last_use = 0;

    // The client's idle time before the segment `frame` that began a message (kNever: unknown).
    Nanos idle_before(std::uint32_t frame) const { return frame == head_frame ? head_idle : kNever; }
};

// The bindings holding transactions under one Call-ID.
struct CallBindings {
    std::array<std::uint32_t, kMaxPerCall> idx;
    std::uint32_t n = 0;
    const std::uint32_t* begin() const { return idx.data(); }
    const std::uint32_t* end() const { return idx.data() + n; }
};
// Entry 0 of a Call-ID packs the count above the binding index.
constexpr unsigned kCallCountShift = 16;
static_assert(kMaxBindings <= std::size_t{1} << kCallCountShift, "binding index fits below the count");


// UDP bindings spared at their deadline (sent_in_time(), or received and awaiting an answer) on one
// path, so that an ICMP unreachable about that path that comes later tells their lapse; a phone's
// lines share its path.
struct Spared {
    static constexpr int kMax = 4;
    Nanos at = 0;  // the latest deadline spared on the path
    std::array<std::uint32_t, kMax> binding{}, generation{};
    std::uint8_t n = 0;
};

// A removal sent at `sent`, of the bindings under registrar_aor() `at_registrar`: every one
// ("Contact: *", n 0), or those of the `n` identities its Expires 0 names (someone else's).
struct Removal {
    std::uint64_t at_registrar = 0;
    Nanos sent = 0;
    std::array<std::uint64_t, kMaxRemovedContacts> identities{};
    std::uint8_t n = 0;

    bool names(std::uint64_t identity) const {
        return n == 0 || std::find(identities.begin(), identities.begin() + n, identity) != identities.begin() + n;
    }
};

struct Deadline {
    Nanos at;
    std::uint32_t binding;
    std::uint32_t generation;
    bool operator>(const Deadline& o) const {
        if (at != o.at) return at > o.at;
        return binding > o.binding;
    }
};

}  // namespace

struct SipAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
    BindingStore bindings;
    std::vector<std::uint32_t> free_bindings;
    std::vector<std::uint32_t> removed;  // reused by each accepted removal
    // removal_key() of a REGISTER with Expires 0 -> what it removes once accepted: "Contact: *",
    // or someone else's removal of a phone's contact (defer_removal()).
    FlatMap<std::uint64_t, Removal> removals;
    std::size_t live_bindings = 0;
    FlatMap<std::uint64_t, std::uint32_t> binding_index;
    // finish(registrar_aor()) -> the first binding of that AOR at that registrar.
    FlatMap<std::uint64_t, std::uint32_t> aor_heads;
    // Transactions by Call-ID: call_key(iface, Call-ID, k) -> the k-th binding holding one under
    // it, k from 0; entry 0 also holds their number. A binding keeps its Call-ID from
    // refresh to refresh, so a REGISTER or its response costs one probe here and no update; the
    // binding's own slots then tell the CSeq.
    FlatMap<std::uint64_t, std::uint32_t> call_index;
    FlatMap<std::uint64_t, Stream> streams;
    // UDP: direction_key() of a phone's REGISTERs -> its latest datagram on that flow (note_flow()).
    FlatMap<std::uint64_t, Nanos> flows;
    // udp_path_key() -> the latest ICMP destination unreachable about a datagram on that path.
    FlatMap<std::uint64_t, Nanos> unreachable;
    // udp_path_key() -> the bindings spared at their deadline on that path.
    FlatMap<std::uint64_t, Spared> spared;
    // By ctx.clock(Binding::deadline_point()): a deadline passes on the clock it is on.
    std::array<QuadHeap<Deadline>, kClocks> deadlines;
    std::vector<Deadline> not_now;  // check_deadlines(): entries the frame cannot judge, pushed back
    std::uint32_t next_id = 1;

    void on_frame(const Frame& f);
    void on_register(const Frame& f, const SipMessage& m);
    void new_request(const Frame& f, const SipMessage& m, std::uint64_t call_id, std::uint32_t idx,
                     std::uint32_t requested, Kind kind, Nanos flow_prev);
    void on_response(const Frame& f, const SipMessage& m);
    bool defer_removal(const Frame& f, const SipMessage& m, std::uint64_t call_id, const Binding& b);
    bool answers_removal(const Frame& f, const SipMessage& m, std::uint64_t call_id);
    void on_truncated(const Frame& f, const SipMessage& m);
    void on_tcp(const Frame& f);
    void received(Binding& b, Txn& t, const Frame& f);
    void on_unseen_answer(const Frame& f);
    void note_flow(const Frame& f);
    void note_unreachable(const Frame& f);
    Nanos register_on_flow(const Frame& f);
    void check_deadlines(QuadHeap<Deadline>& heap, const Frame& f);
    template <typename Each>
    void forget_idle(std::uint32_t clock, Each&& each);
    void move_grant(Binding& b, std::uint32_t idx, Nanos by);

    Annotation base(const Binding& b, Subject s) const;
    std::uint32_t binding_for(const Frame& f, std::uint64_t aor, const sip::ContactFacts& c, const CallBindings& near,
                              std::uint64_t call_id, bool only_contact);
    std::uint32_t moved_binding(const Frame& f, std::uint64_t aor, const CallBindings& near, std::uint64_t call_id) const;
    std::uint32_t restarted_binding(const Frame& f, std::uint64_t aor) const;
    // The newest binding of registrar_aor() `at_registrar`, from which aor_next lists the others.
    std::uint32_t aor_first(std::uint64_t at_registrar) const {
        const std::uint32_t* head = aor_heads.find(finish(at_registrar));
        return head ? *head : kNoBinding;
    }
    void move_binding(std::uint32_t idx, std::uint64_t key, std::uint64_t address);
    std::uint32_t allocate_binding();
    void release(std::uint32_t idx);
    void evict_idle();
    CallBindings bindings_of_call(std::uint32_t iface, std::uint64_t call_id) const;
    void link_call(std::uint32_t iface, std::uint64_t call_id, std::uint32_t idx);
    void unlink_call(std::uint32_t iface, std::uint64_t call_id, std::uint32_t idx);
    Txn& new_txn(std::uint32_t idx, Binding& b, std::uint64_t call_id, std::uint32_t cseq);
    Stream& stream_for(const Frame& f);
    Txn* ref_txn(const StreamRef& r, std::uint64_t key);
    void follow(Stream& s, std::uint64_t key, const StreamRef& ref);
    void track_bytes(Stream& stream, std::uint32_t idx, std::uint8_t slot, Txn& t, const Frame& f, const SipMessage& m);

    void transmitted_again(Binding& b, Txn& t, const Frame& f);
    void held_since_first(Binding& b, Txn& t, Nanos at);
    void deliver(Annotation& a, Binding& b, Txn& t, const Frame& f, Evidence e);
    // A retransmission in `frame`, of bytes the server lacked up to `end`, that `t` was sent before
    // and lies behind: `t` waits for it.
    static bool waits_behind(const Txn& t, std::uint32_t frame, std::uint32_t end) {
        return frame > t.first_frame && !seq_before(t.start, end);
    }
    void granted(Annotation& a, std::uint32_t idx, Binding& b, Txn& t, const Frame& f, const SipMessage& m);
    void forecast(Annotation& a, const Binding& b, Nanos gap, Nanos prev_gap, Nanos lateness, std::uint32_t grant) const;
    Nanos refresh_period(std::uint32_t grant) const;
    void settle_deadline(Binding& b, const Frame& f, bool delivered_now);
    void breach(Binding& b, const Frame& f, bool delivered_now);
    bool overdue(const Binding& b, const Frame& f, bool delivered_now) const;
    bool lapse_if_overdue(std::uint32_t idx, const Frame& f);
    void spare(std::uint32_t idx, const Binding& b);
    void await_answer(QuadHeap<Deadline>& heap, std::uint32_t idx, Binding& b, const Frame& f);
    bool unanswered(const Binding& b, const Txn& t, const Frame& f) const;
    void check_awaiting(Stream& s, std::uint64_t key, const Frame& f);
    Annotation at_deadline(const Binding& b) const;
    std::uint32_t successor(std::uint32_t idx) const;
    bool end_answered_attempt(Binding& b, Nanos now);
    bool answered_udp(const Binding& b, const Txn& t) const;
    bool sent_in_time(const Binding& b, const Txn& t) const;
    Txn* unseen_request(std::uint32_t idx, Binding& b, std::uint64_t call_id, const Frame& f, const SipMessage& m,
                        const CallBindings& near);
    int own_contact(const Binding& b, const Frame& f, const SipMessage& m, bool lone, sip::ContactFacts& mine) const;
    void note_in_directory(const Binding& b, const Frame& f);
    void arm(Binding& b, std::uint32_t idx);
};

Annotation SipAnalyzer::Impl::base(const Binding& b, Subject s) const {
    Annotation a;
    a.subject = s;
    a.role = b.role;
    a.endpoint = b.endpoint;
    a.server = b.server;
    return a;
}

void SipAnalyzer::Impl::on_frame(const Frame& f) {
    // A copy of a TCP segment another capture point saw first tells nothing new.
    if (!f.tcp.copy) {
        // Before the frame's own REGISTER, which may be the next refresh after that answer.
        if (f.tcp.acks_unseen && !streams.empty()) on_unseen_answer(f);
        // A REGISTER notes its own flow; any other SIP message, or a ping, may be the phone's on
        // that flow too. A response to a REGISTER is the registrar's.
        bool on_flow = f.sip_ping;
        for (const SipMessage& m : f.sip) {
            if (m.truncated) {
                if ((m.is_request ? m.method : m.cseq_method) == "REGISTER") on_truncated(f, m);
                on_flow = true;
            } else if (m.is_request && m.method == "REGISTER" && registrable(m)) on_register(f, m);
            else if (!m.is_request && m.status >= 100 && m.cseq_method == "REGISTER") on_response(f, m);
            else on_flow = true;
        }
        if (on_flow && f.transport == Transport::Udp && !flows.empty()) note_flow(f);
        if (f.unreachable.present) note_unreachable(f);
        if (f.tcp.present && !streams.empty()) on_tcp(f);
    }
    QuadHeap<Deadline>& heap = deadlines[ctx.clock(timed_at(f))];
    if (!heap.empty() && heap.top().at < f.time) check_deadlines(heap, f);
}

// ---- bindings, transactions, streams -------------------------------------------------------------

std::uint32_t SipAnalyzer::Impl::allocate_binding() {
    if (free_bindings.empty() && bindings.size() >= kMaxBindings) evict_idle();
    std::uint32_t idx;
    if (!free_bindings.empty()) {
        idx = free_bindings.back();
        free_bindings.pop_back();
    } else {
        idx = bindings.add();
    }
    ++live_bindings;
    return idx;
}

void SipAnalyzer::Impl::release(std::uint32_t idx) {
    Binding& b = bindings[idx];
    const std::uint32_t* at = binding_index.find(b.key);
    if (at && *at == idx) binding_index.erase(b.key);
    if (b.aor_prev != kNoBinding) {
        bindings[b.aor_prev].aor_next = b.aor_next;
    } else {
        const std::uint64_t list = finish(registrar_aor(b.iface, b.registrar, b.port, b.transport, b.aor));
        if (b.aor_next == kNoBinding) aor_heads.erase(list);
        else if (std::uint32_t* head = aor_heads.find(list)) *head = b.aor_next;
    }
    if (b.aor_next != kNoBinding) bindings[b.aor_next].aor_prev = b.aor_prev;
    for (const Txn& t : b.txns)
        if (t.id) unlink_call(b.iface, t.call_id, idx);  // a second time finds nothing
    b = Binding{};
    free_bindings.push_back(idx);
    --live_bindings;
}

// An eighth goes: first bindings that await no refresh (never granted, as a scanner's; removed;
// their lapse reported), so that a flood of them does not take the deadline of a phone that
// refreshes hourly; then the least recently active: those phones left the capture.
void SipAnalyzer::Impl::evict_idle() {
    std::vector<std::tuple<bool, Nanos, std::uint32_t>> order;
    order.reserve(bindings.size());
    for (std::uint32_t i = 0; i < bindings.size(); ++i) {
        const Binding& b = bindings[i];
        if (b.live) order.emplace_back(b.expecting && !b.breach_reported, b.last_activity, i);
    }
    std::size_t n = std::max<std::size_t>(1, order.size() / 8);
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n - 1), order.end());
    for (std::size_t i = 0; i < n && i < order.size(); ++i) release(std::get<2>(order[i]));
}

// The one binding left for `f`'s address or connection (Binding::left_for(), reconnected_for())
// whose latest attempt was under `call_id`: a phone that took a new address or connection and kept
// its Call-ID (RFC 3261 10.2: one per boot cycle) registering its new Contact. A Call-ID is one
// phone's, so the binding moves with it. kNoBinding if none, or several.
std::uint32_t SipAnalyzer::Impl::moved_binding(const Frame& f, std::uint64_t aor, const CallBindings& near,
                                               std::uint64_t call_id) const {
    std::uint32_t found = kNoBinding;
    for (std::uint32_t i : near) {
        const Binding& b = bindings[i];
        if (!(b.left_for(f, aor) || b.reconnected_for(f, aor)) || b.call_id != call_id) continue;
        if (found != kNoBinding) return kNoBinding;
        found = i;
    }
    return found;
}

// The one binding left for `f`'s address (Binding::left_for()) whose latest REGISTER came from the
// MAC `f` comes from, when that MAC announced `f`'s address by ARP: the same host, which restarted
// on a new address (a new Call-ID). A router carries every remote phone's REGISTERs with its own
// MAC, but announces none of their addresses.
std::uint32_t SipAnalyzer::Impl::restarted_binding(const Frame& f, std::uint64_t aor) const {
    if (!f.has_eth || !ctx.announcements.by(point_of(f), f.src_ip, f.eth_src)) return kNoBinding;
    std::uint32_t found = kNoBinding;
    for (std::uint32_t i = aor_first(registrar_aor(point_of(f), f.dst_ip, f.dst_port, f.transport, aor));
         i != kNoBinding; i = bindings[i].aor_next) {
        const Binding& b = bindings[i];
        if (!b.left_for(f, aor) || b.mac != f.eth_src) continue;
        if (found != kNoBinding) return kNoBinding;
        found = i;
    }
    return found;
}

// The binding's contact is now `address` (its identity), under `key`.
void SipAnalyzer::Impl::move_binding(std::uint32_t idx, std::uint64_t key, std::uint64_t address) {
    Binding& b = bindings[idx];
    if (const std::uint32_t* at = binding_index.find(b.key); at && *at == idx) binding_index.erase(b.key);
    b.key = key;
    b.identity = b.contact_uri = address;
    binding_index[key] = idx;
}

// `near`: the bindings of the REGISTER's Call-ID, where a refresh finds its own without the index.
// `only_contact`: the REGISTER lists no other.
std::uint32_t SipAnalyzer::Impl::binding_for(const Frame& f, std::uint64_t aor, const sip::ContactFacts& c,
                                             const CallBindings& near, std::uint64_t call_id, bool only_contact) {
    const std::uint64_t address = address_hash(c.address);
    const std::uint64_t instance = text_hash(c.instance);
    const std::uint64_t identity = c.instance.empty() ? address : instance;
    const auto same = [&](const Binding& b) { return b.at(f, aor) && b.identity == identity; };
    for (std::uint32_t i : near) {
        Binding& b = bindings[i];
        if (same(b)) {
            b.contact_uri = address;  // a phone may have changed address
            return i;
        }
    }
    const std::uint64_t at_registrar = registrar_aor(point_of(f), f.dst_ip, f.dst_port, f.transport, aor);
    const std::uint64_t key = finish(mix(at_registrar, identity));

    if (const std::uint32_t* at = binding_index.find(key)) {
        Binding& b = bindings[*at];
        if (same(b)) {
            b.contact_uri = address;
            return *at;
        }
    }
    if (only_contact && !instance) {
        std::uint32_t moved = moved_binding(f, aor, near, call_id);
        if (moved == kNoBinding) moved = restarted_binding(f, aor);
        if (moved != kNoBinding) {
            move_binding(moved, key, address);
            return moved;
        }
    }
    std::uint32_t idx = allocate_binding();
    Binding& b = bindings[idx];
    b.live = true;
    b.key = key;
    b.iface = point_of(f);
    b.registrar = f.dst_ip;
    b.port = f.dst_port;
    b.transport = f.transport;
    b.aor = aor;
    b.identity = identity;
    b.contact_uri = address;
    b.instance = instance;
    b.phone = f.src_ip;
    b.first_frame = f.number;
    b.server = ctx.server_id(f.dst_ip, f.dst_port, f.transport);
    binding_index[key] = idx;
    const std::uint64_t list = finish(at_registrar);
    if (std::uint32_t* head = aor_heads.find(list)) {
        b.aor_next = *head;
        bindings[*head].aor_prev = idx;
        *head = idx;
    } else {
        aor_heads[list] = idx;
    }
    return idx;
}

CallBindings SipAnalyzer::Impl::bindings_of_call(std::uint32_t iface, std::uint64_t call_id) const {
    CallBindings out;
    const std::uint32_t* first = call_index.find(call_key(iface, call_id, 0));
    if (!first) return out;
    out.n = *first >> kCallCountShift;
    out.idx[0] = *first & ((1u << kCallCountShift) - 1);
    for (std::uint32_t k = 1; k < out.n; ++k) out.idx[k] = *call_index.find(call_key(iface, call_id, k));
    return out;
}

void SipAnalyzer::Impl::link_call(std::uint32_t iface, std::uint64_t call_id, std::uint32_t idx) {
    std::uint32_t& first = call_index[call_key(iface, call_id, 0)];
    const std::uint32_t n = first >> kCallCountShift;
    if (n == 0) {
        first = 1u << kCallCountShift | idx;
    } else if (n < kMaxPerCall) {
        first += 1u << kCallCountShift;
        call_index[call_key(iface, call_id, n)] = idx;  // after the last use of `first`
    }
}

// The last entry takes the place of the one removed, so entries stay numbered 0 .. n-1.
void SipAnalyzer::Impl::unlink_call(std::uint32_t iface, std::uint64_t call_id, std::uint32_t idx) {
    CallBindings all = bindings_of_call(iface, call_id);
    std::uint32_t k = 0;
    while (k < all.n && all.idx[k] != idx) ++k;
    if (k == all.n) return;
    const std::uint32_t last = all.n - 1;
    if (last == 0) {
        call_index.erase(call_key(iface, call_id, 0));
        return;
    }
    if (k != last) all.idx[k] = all.idx[last];
    call_index.erase(call_key(iface, call_id, last));
    call_index[call_key(iface, call_id, 0)] = last << kCallCountShift | all.idx[0];
    if (k != 0 && k != last) call_index[call_key(iface, call_id, k)] = all.idx[k];
}

Txn& SipAnalyzer::Impl::new_txn(std::uint32_t idx, Binding& b, std::uint64_t call_id, std::uint32_t cseq) {
    const bool linked = b.has_call(call_id);
    std::uint8_t slot = b.next_slot;
    b.next_slot = static_cast<std::uint8_t>((slot + 1) % kTxnsPerBinding);
    Txn& t = b.txns[slot];
    const bool overwrites = t.id != 0;
    const std::uint64_t old = t.call_id;
    t = Txn{};
    t.id = next_id++;
    t.call_id = call_id;
    t.cseq = cseq;
    // A phone keeps its Call-ID: the index changes only when it restarts, and when its last
    // transaction under the old Call-ID leaves the slots.
    if (overwrites && old != call_id && !b.has_call(old)) unlink_call(b.iface, old, idx);
    if (!linked) link_call(b.iface, call_id, idx);
    b.latest = slot;
    return t;
}

Stream& SipAnalyzer::Impl::stream_for(const Frame& f) {
    std::uint64_t key = stream_key(point_of(f), f.tcp.stream);
    if (Stream* s = streams.find(key)) return *s;
    make_room_in(streams, kMaxStreams, [](const Stream& s) { return s.last_use; });
    Stream& s = streams[key];
    s.client = f.src_ip;
    s.client_port = f.src_port;
    return s;
}

Txn* SipAnalyzer::Impl::ref_txn(const StreamRef& r, std::uint64_t key) {
    if (r.txn == 0 || r.binding >= bindings.size()) return nullptr;
    Binding& b = bindings[r.binding];
    Txn& t = b.txns[r.slot];
    return b.live && t.id == r.txn && t.has_range && stream_key(b.iface, t.stream) == key ? &t : nullptr;
}

// A reference for a new request: a free or stale one, else that of a request the connection no
// longer holds back, answered before merely delivered, oldest first. When all still wait for their
// delivery, one reference more, up to kMaxRefsPerStream; past that the new request is not
// followed, and only its response delivers it.
void SipAnalyzer::Impl::follow(Stream& s, std::uint64_t key, const StreamRef& ref) {
    s.refs.compact([&](const StreamRef& r) { return !ref_txn(r, key); });
    StreamRef* victim = nullptr;
    int victim_rank = 3;  // 0 stale, 1 answered, 2 delivered, 3 awaiting delivery
    for (StreamRef& r : s.refs) {
        const Txn* t = ref_txn(r, key);
        const int rank = !t ? 0 : !t->delivered ? 3 : t->final ? 1 : 2;
        if (rank < victim_rank || (rank == victim_rank && victim && r.txn < victim->txn)) {
            victim = &r;
            victim_rank = rank;
            if (rank == 0) break;
        }
    }
    if (victim) *victim = ref;
    else s.refs.add(ref);
}

// ---- deadlines ------------------------------------------------------------------------------------

void SipAnalyzer::Impl::arm(Binding& b, std::uint32_t idx) {
    // A refresh moves the deadline later: the pending entry stays and is pushed again when it
    // comes up, so the heap holds one entry per binding instead of one per refresh.
    if (b.armed <= b.deadline) return;
    b.armed = b.deadline;
    b.generation = next_id++;
    const std::uint32_t clock = ctx.clock(b.deadline_point());
    QuadHeap<Deadline>& heap = deadlines[clock];
    heap.push({b.deadline, idx, b.generation});
    // Entries of released bindings or of deadlines moved earlier stay until their time passes;
    // rebuild when they dominate.
    if (heap.size() > 4 * live_bindings + 1024) {
        std::vector<Deadline> keep;
        for (std::uint32_t i = 0; i < bindings.size(); ++i) {
            Binding& o = bindings[i];
            if (!o.live || o.armed == std::numeric_limits<Nanos>::max() || ctx.clock(o.deadline_point()) != clock) continue;
            if (o.expecting && !o.breach_reported) keep.push_back({o.armed, i, o.generation});
            else o.armed = std::numeric_limits<Nanos>::max();
        }
        heap = QuadHeap<Deadline>(std::move(keep));
    }
}

// Reports a breach when the binding's deadline has passed without delivery. A REGISTER that
// reached the registrar in time and still awaits its final response is given the benefit of the
// doubt until that response refuses it or its transaction times out unanswered (unanswered()); so
// is one sent in time and not sent again (sent_in_time()), until it is.
void SipAnalyzer::Impl::settle_deadline(Binding& b, const Frame& f, bool delivered_now) {
    if (overdue(b, f, delivered_now)) breach(b, f, delivered_now);
}

// The grace breach of an overdue binding, told on `f`.
void SipAnalyzer::Impl::breach(Binding& b, const Frame& f, bool delivered_now) {
    Annotation a = at_deadline(b);
    a.set(Field::GraceOverrun, sub_sat(f.time, b.deadline));
    if (delivered_now) a.set(Field::DeliveryFrame, f.number);
    a.raise(Expert::GraceBreach);
    ctx.sink.emit(a);
    b.breach_reported = true;
}

// What a binding expected, told when its deadline has passed.
Annotation SipAnalyzer::Impl::at_deadline(const Binding& b) const {
    Annotation a = base(b, Subject::SipDeadline);
    a.set(Field::RefreshNumber, b.open ? b.attempts : b.attempts + 1);
    a.set(Field::RefreshExpected, b.expected);
    a.set(Field::RefreshDeadline, b.deadline);
    a.set(Field::RefreshPrev, b.ok_frame);
    return a;
}

// The binding's deadline has passed at `f` and no REGISTER is left to give the benefit of the
// doubt (settle_deadline()).
bool SipAnalyzer::Impl::overdue(const Binding& b, const Frame& f, bool delivered_now) const {
    if (!b.expecting || b.breach_reported || f.time <= b.deadline || !b.judged_at(f)) return false;
    const Txn& latest = b.txns[b.latest];
    const bool reached = (latest.delivered && !unanswered(b, latest, f)) || sent_in_time(b, latest);
    return delivered_now || !(b.open && latest.id && latest.attempt == b.attempts && reached && !latest.final);
}

// `t`, received by the registrar, gets no final response: its connection was reset, or the phone's
// transaction timed out (Timer F) unanswered. Over UDP the phone resent it until then; over TCP
// the phone's segment `f` on its connection, past Timer F, acknowledges no registrar bytes the
// capture lacks (as it would the answer's, even one the capture lost).
bool SipAnalyzer::Impl::unanswered(const Binding& b, const Txn& t, const Frame& f) const {
    if (t.final || t.answer_unseen) return false;
    if (t.reset) return true;
    if (f.time <= add_sat(t.first_time, kTimerF)) return false;
    if (b.transport == Transport::Udp) return resent_until_timeout(t);
    return t.has_range && f.tcp.present && !f.tcp.copy && !f.tcp.acks_unseen && f.src_ip == b.phone &&
           stream_key(point_of(f), f.tcp.stream) == stream_key(b.iface, t.stream);
}

// Binding `idx`, identified by its Contact URI, was taken over by a new Contact of its phone: one
// of the same AOR at the same registrar, from the same address and MAC, first registered after
// `idx`'s latest REGISTER and granted before its deadline. Under another Call-ID the phone
// restarted (a new connection's port in its Contact, a new UDP port); under the same one it
// learnt a new public port from a NAT (RFC 3581 rport) and left the old Contact to lapse. A restart
// is seen only in hindsight, when the old Contact lapses: until then a second device behind the
// same address (a NAT) with the same AOR (a shared line) looks the same, and refreshes its own.
// Returns such a Contact's binding, else kNoBinding.
std::uint32_t SipAnalyzer::Impl::successor(std::uint32_t idx) const {
    const Binding& b = bindings[idx];
    if (b.instance || b.kind != Kind::Register) return kNoBinding;
    const Txn& latest = b.txns[b.latest];
    const std::uint32_t last_request = std::max(latest.first_frame, b.ok_frame);
    // The AOR's newest bindings come first (binding_for() puts a new one at the head): a successor
    // is among them, and a flood of contacts for one AOR costs a bounded walk per deadline.
    std::uint32_t seen = 0;
    for (std::uint32_t i = aor_first(registrar_aor(b.iface, b.registrar, b.port, b.transport, b.aor));
         i != kNoBinding && seen++ < kSuccessorScan; i = bindings[i].aor_next) {
        const Binding& s = bindings[i];
        if (i == idx || !s.same_registrar(b) || s.aor != b.aor || s.instance || s.phone != b.phone || s.mac != b.mac)
            continue;
        if (s.kind != Kind::Register || !s.has_ok || s.grant_on != b.grant_on || s.ok_time > b.deadline) continue;
        if (s.first_frame > last_request) return i;
    }
    return kNoBinding;
}

// Ends the open attempt when its latest REGISTER was answered, in a response the capture lacks,
// and `now` is as late as the next refresh would come had that been a 2xx: half the binding's
// refresh period on, where a challenge's retry comes at once. Answered: over TCP, the phone
// acknowledged registrar bytes the capture lacks; over UDP, the phone never sent it again. That
// attempt's grant, and so what to expect of the next, is unknown.
bool SipAnalyzer::Impl::end_answered_attempt(Binding& b, Nanos now) {
    const Txn& t = b.txns[b.latest];
    if (!b.open || !t.id || t.attempt != b.attempts || t.final) return false;
    if (!t.answer_unseen && !answered_udp(b, t)) return false;
    if (elapsed(now, t.last_time) < std::max(kResendWindow, b.half_period())) return false;
    b.open = false;
    b.expecting = false;
    return true;
}

// Over UDP, a REGISTER its phone stopped sending before the transaction timed out had its answer,
// whether or not the capture has it: its sender resends until answered, or until Timer F
// (unanswered()). Asked once no resend has come for kResendWindow. Unless the network told the
// phone it was not delivered (ICMP unreachable): a transport error ends the transaction without a
// resend (RFC 3261 18.4).
bool SipAnalyzer::Impl::answered_udp(const Binding& b, const Txn& t) const {
    if (b.transport != Transport::Udp || resent_until_timeout(t)) return false;
    if (unreachable.empty()) return true;
    const Nanos* at = unreachable.find(udp_path_key(b.iface, b.phone, b.registrar, b.port));
    return !at || *at < t.last_time;
}

// Sent before the binding's deadline, not sent again, and no evidence of its delivery yet: the
// capture may lack its answer (UDP, answered_udp()) or the registrar's ACK of it (TCP, which would
// resend bytes not acknowledged: the ACK rode in a 2xx the capture lacks), but not the resend.
// Not over a connection reset since, nor once the registrar showed it lacked the bytes past the
// deadline. Evidence that comes late is late (deliver()).
bool SipAnalyzer::Impl::sent_in_time(const Binding& b, const Txn& t) const {
    if (t.retrans != 0 || t.first_time > b.deadline || t.delivery_frame != 0) return false;
    return b.transport == Transport::Udp ? answered_udp(b, t) : !t.reset && !t.unreceived;
}

// When the deadline of binding `idx` has passed at `f` with no REGISTER left to give the benefit of
// the doubt (overdue()): a breach, unless the phone is registered by a new Contact (successor()),
// and the old one's lapse is told here, where it becomes known. Returns whether it was overdue.
bool SipAnalyzer::Impl::lapse_if_overdue(std::uint32_t idx, const Frame& f) {
    Binding& b = bindings[idx];
    if (!overdue(b, f, false)) return false;
    const std::uint32_t next = successor(idx);
    if (next == kNoBinding) {
        breach(b, f, false);
        return true;
    }
    Annotation a = at_deadline(b);
    if (bindings[next].call_id != b.call_id) a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::NewCallId));
    ctx.sink.emit(a);
    b.expecting = false;
    return true;
}

// A UDP binding whose REGISTER was spared at the deadline: an ICMP unreachable about its path that
// comes later will tell its lapse (note_unreachable()).
void SipAnalyzer::Impl::spare(std::uint32_t idx, const Binding& b) {
    const std::uint64_t key = udp_path_key(b.iface, b.phone, b.registrar, b.port);
    Spared* s = spared.find(key);
    if (!s) {
        make_room_in(spared, kMaxFlows, [](const Spared& e) { return e.at; });
        s = &spared[key];
    }
    for (int i = 0; i < s->n; ++i)
        if (s->binding[i] == idx && s->generation[i] == b.generation) return;  // spared already
    const int slot = s->n < Spared::kMax ? s->n++ : static_cast<int>(idx % Spared::kMax);  // full: replace one
    s->binding[slot] = idx;
    s->generation[slot] = b.generation;
    s->at = b.deadline;
}

void SipAnalyzer::Impl::check_deadlines(QuadHeap<Deadline>& heap, const Frame& f) {
    while (!heap.empty() && heap.top().at < f.time) {
        Deadline d = heap.top();
        heap.pop();
        Binding& b = bindings[d.binding];
        if (!b.live || b.generation != d.generation) continue;
        if (!b.judged_at(f)) {
            not_now.push_back(d);
            continue;
        }
        b.armed = std::numeric_limits<Nanos>::max();  // its entry is gone
        if (d.at == b.deadline) {
            if (!lapse_if_overdue(d.binding, f) && b.expecting && !b.breach_reported) await_answer(heap, d.binding, b, f);
        } else if (b.expecting && !b.breach_reported) {
            // The deadline moved later, or Timer F's check came (await_answer()): the deadline
            // takes its place in the order (it may be due now too).
            b.armed = b.deadline;
            heap.push({b.deadline, d.binding, d.generation});
        }
    }
    for (const Deadline& d : not_now) heap.push(d);
    not_now.clear();
}

// Binding `idx`, spared at its deadline (overdue()), awaits what tells its lapse: over UDP an ICMP
// unreachable about its path (spare()) or, for a REGISTER the registrar received (a 100), Timer F
// running out, checked again then; over TCP a reset, or the phone's next segment on the connection
// past Timer F (check_awaiting()).
void SipAnalyzer::Impl::await_answer(QuadHeap<Deadline>& heap, std::uint32_t idx, Binding& b, const Frame& f) {
    const Txn& t = b.txns[b.latest];
    if (b.transport == Transport::Udp) {
        spare(idx, b);
        const Nanos timeout = add_sat(t.first_time, kTimerF);
        if (t.delivered && !t.final && timeout >= f.time) {
            b.armed = timeout;
            heap.push({timeout, idx, b.generation});
        }
    } else if (t.delivered && !t.final && t.has_range) {
        if (Stream* s = streams.find(stream_key(b.iface, t.stream))) s->awaiting = true;
    }
}

// The phone's segment `f` on a connection whose REGISTER awaits its answer past its deadline.
void SipAnalyzer::Impl::check_awaiting(Stream& s, std::uint64_t key, const Frame& f) {
    bool waiting = false;
    for (const StreamRef& r : s.refs) {
        const Txn* t = ref_txn(r, key);
        if (!t || !t->delivered || t->final) continue;
        Binding& b = bindings[r.binding];
        if (!lapse_if_overdue(r.binding, f))
            waiting |= b.expecting && !b.breach_reported && t == &b.txns[b.latest] && !t->answer_unseen;
    }
    s.awaiting = waiting;
}

// ---- REGISTER ----------------------------------------------------------------------------------------

void SipAnalyzer::Impl::transmitted_again(Binding& b, Txn& t, const Frame& f) {
    // A second copy of one datagram (a SPAN session mirroring it twice, a router between two
    // mirrored VLANs, merged copies of a capture), not something sent again. The decoder judges
    // TCP segments itself, by their IP packets too (tcp.copy, skipped in on_frame()): a segment
    // it calls resent is one, however soon.
    if (f.transport == Transport::Udp && captured_again(f.time, t.last_time)) return;
    if (b.transport == Transport::Udp) note_flow(f);
    // A REGISTER longer than a segment is resent in as many: a resent segment that goes on where
    // the previous one of this retransmission ended is more of it, not another retransmission.
    const bool more_of_it = f.tcp.retransmission && t.retrans > 0 && f.tcp.seq == t.resend_end;
    if (f.tcp.retransmission) t.resend_end = f.tcp.seq + f.tcp.resent;
    if (!more_of_it) {
        ++t.retrans;
        t.last_gap = elapsed(f.time, t.last_time);
        t.last_time = f.time;
        // Sent again by the phone's SIP after it was refused: the refusal was lost on its way to
        // the phone, which then gets it again, or the phone answered a challenge with the same CSeq
        // (against RFC 3261 22.2), which the registrar may grant. Either way it awaits a final
        // response again. Bytes resent by TCP are no new request: the registrar's SIP never sees them.
        if (t.final && t.answered >= 3 && !f.tcp.retransmission) t.final = false;
        t.answered = 0;
    }
    Annotation a = base(b, Subject::SipRetransmission);
    a.set(Field::RefreshNumber, t.attempt);
    a.set(Field::RetransCount, t.retrans);
    // The first transmission of the bytes it repeats: a split REGISTER's head went in an earlier segment.
    const bool head = t.head_back != 0 && f.tcp.present && seq_before(f.tcp.seq, t.head_end);
    if (t.first_frame) a.set(Field::RetransOriginal, t.first_frame - (head ? t.head_back : 0));  // none: known from its 2xx only
    a.set(Field::RetransGap, t.last_gap);
    if (!t.delivered) {
        t.sent_before_delivery = f.time;
        t.held_by = 0;  // delivered by its own bytes again, not behind earlier ones
    }
    b.last_activity = f.time;
    if (more_of_it) {
        ctx.sink.emit(a);
        return;
    }
    a.raise(Expert::Retransmission);
    if (t.retrans == 1)
        t.resent_after_ms = static_cast<std::uint16_t>(std::min<Nanos>(elapsed(f.time, t.first_time) / kMillisecond, 0xffff));
    // Lost only if nothing showed the registrar received it: a resend after a 100 (Timer E still
    // fires in Proceeding) or after a response lost on its way back is no lost first transmission.
    if (t.first_of_attempt && t.retrans == 1 && t.attempt == b.attempts && !t.delivered) {
        b.first_retransmitted = true;
        ++b.loss_run;
        if (b.loss_run >= std::max<std::uint32_t>(1, ctx.config.loss_pattern_min)) {
            a.set(Field::LossConsecutive, b.loss_run);
            if (b.has_idle) a.set(Field::IdleInterval, b.idle);
            a.raise(Expert::LossPattern);
        }
    }
    ctx.sink.emit(a);
    note_in_directory(b, f);
    // Sent again: it went unanswered, which breaches a deadline it was sent before.
    settle_deadline(b, f, false);
}

// A REGISTER of `b` sent in `f` (or its 2xx, when the capture lacks it), for the call manager's
// syslog verdicts to point at; a backup keepalive is not the registration's (EndpointDirectory).
void SipAnalyzer::Impl::note_in_directory(const Binding& b, const Frame& f) {
    if (b.role != Role::Backup) ctx.directory.touch(b.phone, {f.time, f.number, b.device, timed_at(f), b.server});
}

// Transaction `t` (slot `slot` of binding `idx`) sent in `f`, on `stream`: its bytes there, which
// TCP retransmissions repeat and the server's ACK covers.
void SipAnalyzer::Impl::track_bytes(Stream& stream, std::uint32_t idx, std::uint8_t slot, Txn& t, const Frame& f,
                                    const SipMessage& m) {
    t.has_range = true;
    t.stream = f.tcp.stream;
    t.head_back = 0;
    if (m.length > 0) {  // the message's own bytes (over TLS its records'); unknown: the segment's
        t.end = f.tcp.seq + f.tcp.len - m.tail;
        t.start = t.end - m.length;
        // Begun in an earlier segment: a retransmission of that part names it. The REGISTER
        // is still timed here, where it is read.
        if (m.start_frame != 0 && f.number - m.start_frame <= 0xffff) {
            t.head_back = static_cast<std::uint16_t>(f.number - m.start_frame);
            t.head_end = f.tcp.seq;
        }
    } else {
        t.start = f.tcp.seq;
        t.end = f.tcp.seq + f.tcp.len;
    }
    follow(stream, stream_key(point_of(f), f.tcp.stream), {t.id, static_cast<std::uint16_t>(idx), slot});
    stream.last_use = f.time;
}

void SipAnalyzer::Impl::on_register(const Frame& f, const SipMessage& m) {
    const std::uint64_t call_id = text_hash(m.call_id);
    const CallBindings near = bindings_of_call(point_of(f), call_id);
    bool resent = false;  // SIP-level resend (UDP) or a resend on a new connection
    for (std::uint32_t i : near) {
        Binding& b = bindings[i];
        // The same request to another server is a proxy forwarding it: the next hop's own binding.
        if (!b.sent_to(f)) continue;
        if (Txn* t = b.txn(call_id, m.cseq)) {
            // From another address it is the request's copy after a NAT on the capture host (one
            // capture on both of its sides), not the phone sending it again.
            if (f.src_ip == b.phone) {
                transmitted_again(b, *t, f);
                // Sent again on a new connection (the first one failed): its bytes are followed there.
                if (f.tcp.present && f.transport != Transport::Udp && !f.tcp.retransmission && t->has_range &&
                    t->stream != f.tcp.stream)
                    track_bytes(stream_for(f), i, static_cast<std::uint8_t>(t - b.txns.data()), *t, f, m);
            }
            resent = true;
        }
    }
    if (resent) return;
    // Read once: each binding of a REGISTER listing several contacts was idle as long.
    const Nanos flow_prev = f.transport == Transport::Udp ? register_on_flow(f) : kNever;
    const auto unusable = [](const sip::ContactFacts& c) {
        return (c.address.empty() && c.instance.empty()) || c.address == "*";
    };
    const std::uint32_t end = contacts_end(f, m);
    const std::uint64_t aor = text_hash(m.to_addr);
    // The first usable Contact; none: a query or a removal.
    sip::ContactFacts c;
    std::uint32_t first = m.first_contact;
    for (; first < end; ++first) {
        c = sip::contact_facts(f, f.contacts[first]);
        if (!unusable(c)) break;
    }
    if (first >= end) {
        // Without a contact a REGISTER only queries; "Contact: *" with Expires 0 removes every
        // binding of the AOR at this registrar (RFC 3261 10.2.2), once a 2xx accepts it.
        if (!m.has_expires || m.expires != 0) return;
        make_room_in(removals, kMaxRemovals, [](const Removal& r) { return r.sent; });
        removals[removal_key(point_of(f), f.src_ip, call_id, m.cseq)] =
            Removal{registrar_aor(point_of(f), f.dst_ip, f.dst_port, f.transport, aor), f.time};
        return;
    }
    // Each Contact is a binding of its own (SPEC 3.1), as many as a Call-ID is followed for; a
    // contact listed twice is one.
    CallBindings done;
    for (std::uint32_t i = first; i < end && done.n < kMaxPerCall; ++i) {
        if (i != first) c = sip::contact_facts(f, f.contacts[i]);
        if (unusable(c)) continue;
        const std::uint32_t bi = binding_for(f, aor, c, near, call_id, end - first == 1);
        if (std::find(done.begin(), done.end(), bi) != done.end()) continue;
        done.idx[done.n++] = bi;
        Binding& b = bindings[bi];
        const std::uint32_t requested = c.has_expires ? c.expires : m.has_expires ? m.expires : kDefaultExpires;
        const Kind kind = requested != 0 ? Kind::Register : c.keep_alive ? Kind::Backup : Kind::Unregister;
        if (kind == Kind::Unregister && defer_removal(f, m, call_id, b)) continue;
        b.contact_exact = exact_hash(c.uri);
        if (!b.device && !c.device_name.empty()) b.endpoint = b.device = ctx.strings.intern(c.device_name);
        if (!b.endpoint) {
            // By its AOR, else the phone's address; the bindings of a REGISTER listing several
            // Contacts by their contact too, so that they can be told apart.
            std::string name = !m.to_addr.empty() ? std::string(m.to_addr) : f.src_ip.to_string();
            if (end - m.first_contact > 1) name.append(" <").append(c.address).append(">");
            b.endpoint = ctx.strings.intern(name);
        }
        new_request(f, m, call_id, bi, requested, kind, flow_prev);
    }
}

// A REGISTER transaction of binding `idx`: the first transmission of an attempt, or a further
// request of the open one (after a challenge, a 423 or a failure).
// `flow_prev`: the phone's previous datagram on the REGISTER's UDP flow (register_on_flow()).
void SipAnalyzer::Impl::new_request(const Frame& f, const SipMessage& m, std::uint64_t call_id, std::uint32_t idx,
                                    std::uint32_t requested, Kind kind, Nanos flow_prev) {
    Binding& b = bindings[idx];
    b.phone = f.src_ip;
    b.mac = f.has_eth ? f.eth_src : 0;
    // Idle time before this transmission: since the phone's previous frame on the connection (TCP;
    // before the segment that began it, if an earlier one did) or datagram on the flow (UDP,
    // note_flow()), else since its previous REGISTER (sent from another port, or its flow forgotten).
    Stream* stream = nullptr;
    bool has_idle = b.has_last_sent;
    Nanos idle = elapsed(f.time, b.last_sent);
    if (f.tcp.present && f.transport != Transport::Udp) {
        stream = &stream_for(f);
        has_idle = stream->has_last_client;
        idle = elapsed(f.time, stream->last_client);
        if (m.start_frame) {
            idle = stream->idle_before(m.start_frame);
            has_idle = idle != kNever;
        }
    } else if (flow_prev != kNever) {
        idle = elapsed(f.time, has_idle ? std::max(b.last_sent, flow_prev) : flow_prev);
        has_idle = true;
    }

    const bool answer_missed = call_id == b.call_id && end_answered_attempt(b, f.time);
    bool new_attempt = !b.open || kind != b.kind || call_id != b.call_id;
    bool restarted = false;
    Annotation a = base(b, new_attempt ? Subject::SipRefresh : Subject::SipRequest);
    // After an answer or a capture gap the capture lacks, the grant this refresh follows is unknown.
    const bool after_gap = !answer_missed && new_attempt && b.broken == Break::Gap;
    if (after_gap) b.broken = Break::None;
    if (answer_missed || after_gap) a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
    if (new_attempt) {
        settle_deadline(b, f, false);
        if (b.attempts > 0 && !b.first_retransmitted) b.loss_run = 0;
        ++b.attempts;
        // A binding refreshed under another Call-ID: the phone restarted (SPEC 3.1).
        restarted = kind == Kind::Register && b.attempts > 1 && call_id != b.call_id;
        if (restarted) a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::NewCallId));
        b.open = true;
        b.kind = kind;
        b.call_id = call_id;
        b.first_retransmitted = false;
        b.has_idle = has_idle;
        b.idle = idle;
        b.role = kind == Kind::Backup ? Role::Backup : Role::Primary;
        a.role = b.role;
        const bool retimed = b.broken == Break::Step;
        if (b.expecting && !retimed) {
            a.set(Field::RefreshExpected, b.expected);
            a.set(Field::RefreshDeadline, b.deadline);
            a.set(Field::RefreshInterval, elapsed(f.time, b.ok_time));
            a.set(Field::RefreshPrev, b.ok_frame);
            if (kind == Kind::Register) {
                Nanos lateness = sub_sat(f.time, b.expected);
                a.set(Field::RefreshLateness, lateness);
                if (lateness > ctx.config.late_tolerance) a.raise(Expert::RefreshLate);
            }
        } else if (kind == Kind::Backup && b.has_ok && !retimed) {
            a.set(Field::RefreshInterval, elapsed(f.time, b.ok_time));
            a.set(Field::RefreshPrev, b.ok_frame);
        }
        if (kind == Kind::Unregister) a.raise(Expert::Unregister);
        if (kind == Kind::Backup) a.raise(Expert::BackupKeepalive);
        // Dropped (de-registration) or demoted to backup: no primary refresh is due until a later
        // 2xx grants one, so an earlier grant's deadline neither breaches nor measures lateness.
        if (kind != Kind::Register) b.expecting = false;
    }
    a.set(Field::RefreshNumber, b.attempts);
    a.set(Field::RetransCount, 0);

    Txn& t = new_txn(idx, b, call_id, m.cseq);
    t.attempt = b.attempts;
    t.first_of_attempt = new_attempt;
    // A challenge or a 423 refuses an attempt's first REGISTER: likely when the registrar has done
    // so to this binding before, or when a restarted phone has no credentials to send yet.
    t.refusable = new_attempt && (b.retry_refused || restarted);
    t.lone_contact = m.contact_count == 1;
    t.requested = requested;
    t.first_frame = f.number;
    t.first_time = t.last_time = t.sent_before_delivery = f.time;
    if (stream) track_bytes(*stream, idx, b.latest, t, f, m);
    // A further transaction after the deadline: the earlier ones were not accepted in time.
    if (!new_attempt) settle_deadline(b, f, false);
    b.has_last_sent = true;
    b.last_sent = f.time;
    b.last_activity = f.time;
    ctx.sink.emit(a);
    note_in_directory(b, f);
}

// ---- responses and delivery --------------------------------------------------------------------------

// A 100 at `at` answering a REGISTER sent again over UDP: the first transmission was delivered if
// the server held it until then (kHeldUntilT2). The attempt then lost nothing: it breaks a loss
// pattern, and its delivery took no resend.
void SipAnalyzer::Impl::held_since_first(Binding& b, Txn& t, Nanos at) {
    const Nanos held = elapsed(at, t.first_time);
    const Nanos held_from_second = held - t.resent_after_ms * kMillisecond;
    if (held < kHeldUntilT2 - kTimerSlack || held_from_second >= kHeldUntilT2 - kTimerSlack) return;
    t.sent_before_delivery = t.first_time;
    if (t.first_of_attempt && t.attempt == b.attempts && b.first_retransmitted) {
        b.first_retransmitted = false;
        b.loss_run = 0;
    }
}

// First evidence that the registrar received the transaction. The margin belongs to the delivery
// of the REGISTER that ends the attempt in 2xx (SPEC 3.1): a refusal (401, 407, 403 ...) carries
// none. A receipt (TCP ACK, 1xx) is reported as that delivery at once, unless the REGISTER is
// likely to be refused and retried: then the margin waits for the 2xx that proves it, and links
// back here.
void SipAnalyzer::Impl::deliver(Annotation& a, Binding& b, Txn& t, const Frame& f, Evidence e) {
    t.delivery_frame = f.number;
    a.set(Field::RetransCount, t.retrans);
    if (e == Evidence::Refusal || !b.expecting || t.attempt != b.attempts) {
        t.delivered = true;
        return;
    }
    if (e == Evidence::Receipt && t.refusable) {
        // Received past the deadline, the attempt breaches whichever REGISTER ends it: told now,
        // before the receipt gives the transaction the benefit of the doubt.
        settle_deadline(b, f, false);
        t.delivered = true;
        t.margin_due = true;
        b.delivered_at = f.time;
        return;
    }
    t.delivered = true;
    if (b.broken != Break::Step) a.set(Field::RefreshMargin, sub_sat(b.deadline, f.time));
    if (t.held_by) a.set(Field::DeliveryHeldBy, t.held_by);
    if (f.time > b.deadline) settle_deadline(b, f, true);
}

// From a 2xx to the refresh it expects. A phone cannot refresh before it is granted: a
// refresh_delta at or above the grant (a short grant, a large preference) means at once.
Nanos SipAnalyzer::Impl::refresh_period(std::uint32_t grant) const {
    return std::max<Nanos>(0, sub_sat(seconds(grant), ctx.config.refresh_delta));
}

void SipAnalyzer::Impl::forecast(Annotation& a, const Binding& b, Nanos gap, Nanos prev_gap, Nanos lateness,
                                 std::uint32_t grant) const {
    const double ratio = static_cast<double>(gap) / static_cast<double>(prev_gap);
    const Nanos grace = sub_sat(b.deadline, b.expected);
    // The slack a refresh sent as late (or early) as this attempt's leaves its retransmissions.
    const Nanos slack = sub_sat(grace, lateness);
    const Nanos period = refresh_period(grant);
    Nanos expected = b.expected;
    double projected = static_cast<double>(gap);
    for (std::uint32_t n = 1; n <= kForecastHorizon; ++n) {
        projected *= ratio;
        if (projected > 9e18) return;
        const Nanos g = std::llround(projected);
        if (g > slack) {
            a.set(Field::ForecastRefreshes, n);
            a.set(Field::ForecastTime, add_sat(expected, grace));
            a.set(Field::ForecastGap, g);
            a.raise(Expert::BreachForecast);
            return;
        }
        // The refresh after that one is expected one period after its (late) delivery.
        expected = add_sat(add_sat(add_sat(expected, lateness), g), period);
    }
}

// The binding's own contact among those a 2xx lists, into `mine`: the one with its +sip.instance
// and URI (ranks 5, 4), else its instance (3: the URI rewritten, e.g. behind NAT), else its URI
// (2, 1). Of the URI's ranks the higher is the URI with its parameters as the binding's REGISTER
// sent it, the lower one differing only in parameters present on one side. The other contacts
// listed carry their own remaining time, the stale ones the same phone registered before a
// restart (another port or ";rinstance=", same instance) too. A registrar may also rewrite
// the one contact it was sent (`lone`): a lone one in the 2xx is then the binding's (rank 1);
// when several were sent, a lone one that is not this binding's is another's. 0: none.
int SipAnalyzer::Impl::own_contact(const Binding& b, const Frame& f, const SipMessage& m, bool lone,
                                   sip::ContactFacts& mine) const {
    int rank = 0;
    const int best = b.instance ? 5 : 2;
    const std::uint32_t end = contacts_end(f, m);
    for (std::uint32_t i = m.first_contact; i < end && rank < best; ++i) {
        sip::ContactFacts c = sip::contact_facts(f, f.contacts[i]);
        const int same_uri = address_hash(c.address) != b.contact_uri ? 0 : exact_hash(c.uri) == b.contact_exact ? 2 : 1;
        const int r = b.instance && text_hash(c.instance) == b.instance ? 3 + same_uri : same_uri;
        if (r > rank) {
            mine = c;
            rank = r;
        }
    }
    if (rank == 0 && lone && m.contact_count == 1 && m.first_contact < f.contacts.size()) {
        mine = sip::contact_facts(f, f.contacts[m.first_contact]);
        rank = 1;
    }
    return rank;
}

void SipAnalyzer::Impl::granted(Annotation& a, std::uint32_t idx, Binding& b, Txn& t, const Frame& f,
                                const SipMessage& m) {
    // The expectation the attempt was timed against, if any (the forecast's cadence, below).
    const bool was_timed = b.expecting && b.broken != Break::Step;
    const Nanos was_expected = b.expected;
    b.open = false;
    b.has_ok = true;
    b.broken = Break::None;  // the next refresh follows this grant
    b.ok_frame = f.number;
    b.ok_time = f.time;
    const std::uint8_t on = f.tcp.unplaced && f.interface_id < kOwnClock ? static_cast<std::uint8_t>(f.interface_id) : kOwnClock;
    if (on != b.grant_on) b.armed = std::numeric_limits<Nanos>::max();  // its entry is in another point's queue
    b.grant_on = on;
    if (t.delivery_frame != f.number) a.set(Field::DeliveryFrame, t.delivery_frame);
    if (b.kind != Kind::Register) return;

    // Granted expiry: the binding's own contact in the 2xx, else the Expires header, else the request.
    sip::ContactFacts mine;
    own_contact(b, f, m, t.lone_contact, mine);
    std::uint32_t grant = t.requested;
    if (mine.has_expires) grant = mine.expires;
    else if (m.has_expires) grant = m.expires;
    a.set(Field::ExpiresGranted, grant);

    const bool breached = b.breach_reported && b.expecting;
    if (grant == 0) {
        b.expecting = false;
        return;
    }
    b.expected = add_sat(f.time, refresh_period(grant));
    b.deadline = add_sat(b.expected, ctx.config.grace_window);
    b.expecting = true;
    b.breach_reported = false;
    a.set(Field::RefreshExpected, b.expected);
    a.set(Field::RefreshDeadline, b.deadline);
    arm(b, idx);

    // Retransmission back-off over connection-oriented transports: each attempt inherits the
    // doubled timeout of the previous one (SPEC 2.5).
    if (b.transport == Transport::Udp) return;
    // The attempt's gap, not that of the REGISTER the 2xx answers: under a challenge the challenged
    // first REGISTER may have waited for a retransmission, the retry, or both, one after the other
    // (SPEC 3.2): their waits add up; over TCP a REGISTER held behind a retransmission of earlier
    // bytes waited for that one. Its lateness, its first REGISTER's against the expectation it
    // was timed against: the phone's cadence, which the forecast assumes it keeps.
    Nanos gap = 0, lateness = 0;
    for (const Txn& o : b.txns) {
        if (!o.id || o.attempt != t.attempt) continue;
        gap = add_sat(gap, elapsed(o.sent_before_delivery, o.first_time));
        if (was_timed && o.first_of_attempt && o.first_frame) lateness = sub_sat(o.first_time, was_expected);
    }
    const Nanos prev_gap = b.last_gap;
    b.last_gap = gap;
    if (gap > 0 && prev_gap > 0 && static_cast<double>(gap) >= kGrowthRatio * static_cast<double>(prev_gap)) ++b.growth_run;
    else b.growth_run = 0;
    if (b.growth_run >= kGrowthRun && !breached) forecast(a, b, gap, prev_gap, lateness, grant);
}

// A 2xx to a REGISTER the capture lacks (a SPAN session or a capture host dropping frames): the
// registrar granted the binding a refresh all the same, delivered no later than the 2xx. It ends
// the open attempt (a challenge's retry the capture lacks), else a new one, as late as a refresh
// comes: half the refresh period on. Taken only for a binding of the 2xx's AOR, registered at its
// sender under its Call-ID, that the 2xx lists (or that lists none), and for a CSeq newer than any
// the binding sent under it: an older one answers a transaction already forgotten. Nor when
// bindings of the AOR under the Call-ID were last refreshed by different REGISTERs (contacts
// registered one by one): which one the 2xx answers is unknown.
Txn* SipAnalyzer::Impl::unseen_request(std::uint32_t idx, Binding& b, std::uint64_t call_id, const Frame& f,
                                       const SipMessage& m, const CallBindings& near) {
    if (m.status < 200 || m.status >= 300 || b.kind != Kind::Register || b.call_id != call_id ||
        f.src_ip != b.registrar || f.transport != b.transport || text_hash(m.to_addr) != b.aor)
        return nullptr;
    if (!b.open && !(b.expecting && elapsed(f.time, b.ok_time) >= b.half_period())) return nullptr;
    for (const Txn& t : b.txns)
        if (t.id && t.call_id == call_id && t.cseq >= m.cseq) return nullptr;
    const Txn& prev = b.txns[b.latest];
    for (std::uint32_t i : near) {
        const Binding& o = bindings[i];
        if (i == idx || !o.same_registrar(b) || o.aor != b.aor) continue;
        const std::uint32_t cseq = o.txns[o.latest].cseq;  // m.cseq: taken for this 2xx already
        if (cseq != prev.cseq && cseq != m.cseq) return nullptr;
        // It answers another contact's REGISTER the capture has, listing every binding of the
        // AOR (RFC 3261 10.3) with its remaining time: nothing this binding sent.
        const Txn* answered = o.txn(call_id, m.cseq);
        if (answered && answered->first_frame != 0) return nullptr;
    }
    sip::ContactFacts mine;
    if (m.contact_count > 0 && own_contact(b, f, m, prev.lone_contact, mine) == 0) return nullptr;
    const std::uint32_t requested = prev.requested;
    const bool lone = prev.lone_contact;
    end_answered_attempt(b, f.time);
    const bool new_attempt = !b.open;
    if (new_attempt) {
        ++b.attempts;
        b.open = true;
        b.first_retransmitted = false;
        b.has_idle = false;
    }
    Txn& t = new_txn(idx, b, call_id, m.cseq);
    t.attempt = b.attempts;
    t.first_of_attempt = new_attempt;
    t.requested = requested;
    t.lone_contact = lone;
    t.first_time = t.last_time = t.sent_before_delivery = f.time;  // first_frame 0: none captured
    return &t;
}

// An Expires 0 for binding `b`'s contact sent by someone else (true): from another address under
// another Call-ID, a scanner that learnt the contact or a management tool. It takes effect once a
// 2xx accepts it (answers_removal()), as "Contact: *" does; till then the binding is left as it is.
// The phone's own removal stops the binding at once: its answer is often lost as the phone shuts
// down. A new binding (a scanner's contact) is the sender's own.
bool SipAnalyzer::Impl::defer_removal(const Frame& f, const SipMessage& m, std::uint64_t call_id, const Binding& b) {
    if (b.phone == f.src_ip || b.call_id == call_id) return false;
    const std::uint64_t key = removal_key(point_of(f), f.src_ip, call_id, m.cseq);
    Removal* r = removals.find(key);
    const bool again = r && r->names(b.identity);  // the request sent again
    if (!r) {
        make_room_in(removals, kMaxRemovals, [](const Removal& x) { return x.sent; });
        r = &removals[key];
        r->at_registrar = registrar_aor(b.iface, b.registrar, b.port, b.transport, b.aor);
    }
    r->sent = f.time;
    if (again) return true;
    if (r->n == kMaxRemovedContacts) return false;
    r->identities[r->n++] = b.identity;
    return true;
}

// An answer to a removal (true): a 2xx de-registers the bindings it names at the registrar, here,
// where the removal becomes known; a refusal (a scanner's, a challenge) removes nothing
// (RFC 3261 10.3).
bool SipAnalyzer::Impl::answers_removal(const Frame& f, const SipMessage& m, std::uint64_t call_id) {
    const std::uint64_t key = removal_key(point_of(f), f.dst_ip, call_id, m.cseq);
    const Removal* found = removals.find(key);
    if (!found) return false;
    if (m.status < 200) return true;
    const Removal r = *found;
    removals.erase(key);
    if (m.status >= 300) return true;
    removed.clear();
    for (std::uint32_t i = aor_first(r.at_registrar); i != kNoBinding; i = bindings[i].aor_next) {
        const Binding& b = bindings[i];
        if (b.live && registrar_aor(b.iface, b.registrar, b.port, b.transport, b.aor) == r.at_registrar && r.names(b.identity))
            removed.push_back(i);
    }
    std::sort(removed.begin(), removed.end());  // the frame's annotations in binding order, not the list's
    for (std::uint32_t i : removed) {
        Binding& b = bindings[i];
        Annotation a = base(b, Subject::SipResponse);
        a.set(Field::RefreshNumber, b.attempts);
        a.raise(Expert::Unregister);
        b.expecting = false;
        b.last_activity = f.time;
        ctx.sink.emit(a);
    }
    return true;
}

void SipAnalyzer::Impl::on_response(const Frame& f, const SipMessage& m) {
    const std::uint64_t call_id = text_hash(m.call_id);
    if (!removals.empty() && answers_removal(f, m, call_id)) return;
    CallBindings near = bindings_of_call(point_of(f), call_id);
    // A tap's two ports captured as two interfaces of one machine show a REGISTER at one and its
    // answer at the other. While the interfaces share one clock, a UDP response that no binding of
    // its own interface awaits is looked for at the others seen so far (the first kClocks).
    const auto awaits = [&](const CallBindings& c) {
        return std::any_of(c.begin(), c.end(), [&](std::uint32_t i) { return bindings[i].phone == f.dst_ip; });
    };
    if (!ctx.separate_clocks && f.transport == Transport::Udp && !awaits(near))
        for (std::uint32_t p = 0; p < std::min(kClocks, ctx.interfaces); ++p) {
            if (p == point_of(f)) continue;
            if (CallBindings other = bindings_of_call(p, call_id); awaits(other)) {
                near = other;
                break;
            }
        }
    // A response goes back to the request's sender (RFC 3261 18.2.2): a proxy that forwarded the
    // REGISTER holds the same transaction with the next hop, answered to the proxy, and a phone may
    // send the same request on to the next registrar (RFC 3263 4.3). Among the bindings holding the
    // transaction, the response is theirs whose registrar it comes from, and of those, theirs whose
    // registrar's port it comes from (RFC 3581 symmetric response, or the connection itself): hops
    // on one host differ only in port. When none is, it matches by transaction, as a multi-homed
    // registrar may answer from another of its addresses.
    const auto fit = [&](const Binding& b) {
        return b.registrar != f.src_ip ? 0 : b.port != f.src_port ? 1 : 2;
    };
    int best = 0;
    for (std::uint32_t idx : near) {
        const Binding& b = bindings[idx];
        if (b.phone == f.dst_ip && b.txn(call_id, m.cseq)) best = std::max(best, fit(b));
    }
    for (std::uint32_t idx : near) {
        Binding& b = bindings[idx];
        if (f.dst_ip != b.phone || fit(b) < best) continue;
        Txn* tp = b.txn(call_id, m.cseq);
        const bool request_unseen = !tp && (tp = unseen_request(idx, b, call_id, f, m, near)) != nullptr;
        if (!tp) continue;
        Txn& t = *tp;
        // A second copy of the response, as of a REGISTER (transmitted_again()): nothing new. Its
        // first sighting is the binding's latest activity, or came before it within the window.
        const auto status_class = static_cast<std::uint8_t>(std::min<std::uint32_t>(m.status / 100, 0xff));
        if (f.transport == Transport::Udp && status_class == t.answered && captured_again(f.time, b.last_activity)) continue;
        t.answered = status_class;
        Annotation a = base(b, Subject::SipResponse);
        a.set(Field::RefreshNumber, t.attempt);
        if (request_unseen) {
            a.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::RequestUnseen));
            note_in_directory(b, f);  // the refresh's latest sign, in place of its REGISTER
        }
        const bool success = m.status >= 200 && m.status < 300;
        if (m.status == 401 || m.status == 407 || m.status == 423) b.retry_refused = true;
        std::optional<Frame> later;
        const Frame& at = not_before(f, t.first_time, later);
        if (!t.delivered) {
            if (m.status == 100 && f.transport == Transport::Udp && t.retrans != 0 && t.first_frame != 0)
                held_since_first(b, t, f.time);
            deliver(a, b, t, at, success ? Evidence::Success : m.status >= 300 ? Evidence::Refusal : Evidence::Receipt);
        } else if (t.margin_due && success) {
            t.margin_due = false;
            if (b.expecting && b.broken != Break::Step && t.attempt == b.attempts) {
                a.set(Field::RefreshMargin, sub_sat(b.deadline, b.delivered_at));
                if (t.held_by) a.set(Field::DeliveryHeldBy, t.held_by);
            }
        }
        if (!t.final && m.status >= 200) {
            t.final = true;
            // An attempt open across a capture gap (forget_due()) that this answers ended here.
            if (t.attempt == b.attempts && (b.open || b.broken == Break::Gap)) {
                if (success) granted(a, idx, b, t, at, m);
                else settle_deadline(b, at, false);  // a refusal after the deadline: no refresh made it
            }
        }
        b.last_activity = f.time;
        ctx.sink.emit(a);
    }
}

// A REGISTER, or a response whose CSeq names REGISTER, that the capture's snap length cut short:
// its binding and what it asks or grants lie past the captured bytes. Said on the frame, so that
// silence about a phone (or a deadline reported later) is not taken for a healthy registration.
void SipAnalyzer::Impl::on_truncated(const Frame& f, const SipMessage& m) {
    Annotation a;
    a.subject = Subject::SipTruncated;
    if (m.is_request) {
        a.endpoint = ctx.directory.endpoint_of(f.src_ip, ctx.strings);
        a.server = ctx.server_id(f.dst_ip, f.dst_port, f.transport);
    } else {
        a.endpoint = ctx.directory.endpoint_of(f.dst_ip, ctx.strings);
        a.server = ctx.server_id(f.src_ip, f.src_port, f.transport);
    }
    a.raise(Expert::Truncated);
    ctx.sink.emit(a);
}

// ---- TCP: retransmissions Wireshark keeps from SIP, and the registrar's ACKs ------------------------

// The phone acknowledges registrar bytes the capture lacks: the answer to what it awaits, which
// shows the registrar received it (the ACK of its bytes may have been in that answer).
void SipAnalyzer::Impl::on_unseen_answer(const Frame& f) {
    const std::uint64_t key = stream_key(point_of(f), f.tcp.stream);
    Stream* s = streams.find(key);
    if (!s || f.src_ip != s->client || f.src_port != s->client_port) return;
    for (const StreamRef& r : s->refs) {
        Txn* t = ref_txn(r, key);
        if (!t || t->final) continue;
        Binding& b = bindings[r.binding];
        if (t != &b.txns[b.latest]) continue;
        t->answer_unseen = true;
        if (t->delivered) continue;
        // Past a deadline it was sent in time for, this ACK says nothing of when it was received.
        if (b.expecting && f.time > b.deadline && sent_in_time(b, *t)) t->delivered = true;
        else received(b, *t, f);
    }
}

// `f` shows that the registrar received `t`.
void SipAnalyzer::Impl::received(Binding& b, Txn& t, const Frame& f) {
    Annotation a = base(b, Subject::SipResponse);
    a.set(Field::RefreshNumber, t.attempt);
    std::optional<Frame> later;
    deliver(a, b, t, not_before(f, t.first_time, later), Evidence::Receipt);
    ctx.sink.emit(a);
}

void SipAnalyzer::Impl::on_tcp(const Frame& f) {
    std::uint64_t key = stream_key(point_of(f), f.tcp.stream);
    Stream* found = streams.find(key);
    if (!found) return;
    Stream& s = *found;
    const bool from_client = f.src_ip == s.client && f.src_port == s.client_port;
    const bool to_client = f.dst_ip == s.client && f.dst_port == s.client_port;
    if (f.tcp.has(TcpInfo::kRst)) {
        for (const StreamRef& r : s.refs) {
            Txn* t = ref_txn(r, key);
            if (!t || t->final) continue;
            t->reset = true;
            // A REGISTER spared at its binding's deadline (sent in time, no resend yet, or received
            // and awaiting its answer) will neither be sent again nor answered on this connection:
            // the lapse is known now.
            lapse_if_overdue(r.binding, f);
        }
    }
    // A reset's ACK field is no receipt: it echoes the end of the segment it refuses, or what a
    // stack closing with unread data discards (RFC 9293 3.10.7, RFC 1122 4.2.2.13), and its
    // receiver ignores it. Wireshark's TCP analysis takes it for an ACK; delivery cannot.
    if (to_client && (f.tcp.flags & (TcpInfo::kAck | TcpInfo::kRst)) == TcpInfo::kAck) {
        for (const StreamRef& r : s.refs) {
            Txn* t = ref_txn(r, key);
            if (!t || t->delivered) continue;
            Binding& b = bindings[r.binding];
            if (!seq_before(f.tcp.ack, t->end)) {
                received(b, *t, f);
            } else if (!f.tcp.retransmission && b.expecting && b.judged_at(f) && f.time > b.deadline && t == &b.txns[b.latest]) {
                // The registrar's segment, sent past the deadline, acknowledges bytes short of the
                // REGISTER's end: it was not delivered in time, resent or not (sent_in_time()).
                t->unreceived = true;
                lapse_if_overdue(r.binding, f);
            }
        }
    } else if (from_client) {
        if (f.tcp.retransmission && f.tcp.resent > 0) {
            const std::uint32_t seg_end = f.tcp.seq + f.tcp.resent;
            // Bytes the registrar still lacks (not all of them acknowledged already): the REGISTERs
            // sent after them wait for them.
            const bool fills = !f.tcp.spurious;
            for (const StreamRef& r : s.refs) {
                Txn* t = ref_txn(r, key);
                if (!t) continue;
                if (seq_before(f.tcp.seq, t->end) && seq_before(t->start, seg_end))
                    transmitted_again(bindings[r.binding], *t, f);
                else if (fills && !t->delivered && waits_behind(*t, f.number, seg_end)) {
                    t->sent_before_delivery = f.time;  // its delay, for the forecast (granted())
                    t->held_by = f.number;
                }
            }
        }
        if (s.awaiting) check_awaiting(s, key, f);
        // Every client segment keeps the path's state alive, data or not: an RFC 5626 CRLF ping
        // (the decoder skips its bytes), an ACK, and a TCP keep-alive probe (no data, or one byte
        // already sent), which a NAT or firewall counts as activity of the connection and which
        // refreshes the switch's entry for the phone's MAC all the same.
        if (f.tcp.begins_message) {
            s.head_frame = f.number;
            s.head_idle = s.has_last_client ? elapsed(f.time, s.last_client) : kNever;
        }
        s.has_last_client = true;
        s.last_client = f.time;
    }
    s.last_use = f.time;
}

// ---- UDP: the phone's datagrams on the flow of its REGISTERs ----------------------------------------

// What counts as activity before a lost first transmission (the loss pattern's idle time): the
// phone's datagrams to the registrar on the addresses and ports of its REGISTERs. They refresh what
// ages out on the path: the switch learns the phone's MAC from them, and a NAT or firewall keeps a
// UDP mapping open for outbound traffic (RFC 4787 REQ-6); REGISTERs, their resends, other SIP
// messages (an OPTIONS ping) and keep-alive pings (RFC 5626 4.4: CRLF, STUN) alike. The registrar's
// answers (a CRLF pong) do not count: a switch learns only the sender's MAC, and a NAT need not
// refresh on inbound traffic. Only REGISTERs add flows, so a ping costs one look-up and no state.
void SipAnalyzer::Impl::note_flow(const Frame& f) {
    if (Nanos* last = flows.find(direction_key(f, point_of(f)))) *last = f.time;
}

// An ICMP destination unreachable about a datagram to a registrar: what the phone sent last on that
// path will not be sent again (answered_udp()). Any datagram: which one is not known.
void SipAnalyzer::Impl::note_unreachable(const Frame& f) {
    const Unreachable& u = f.unreachable;
    const std::uint64_t key = udp_path_key(point_of(f), u.src, u.dst, u.dst_port);
    make_room_in(unreachable, kMaxFlows, [](Nanos t) { return t; });
    unreachable[key] = f.time;
    // Bindings spared at a deadline already passed will not see their REGISTER sent again either.
    if (const Spared* s = spared.find(key)) {
        const Spared was = *s;
        spared.erase(key);
        for (int i = 0; i < was.n; ++i) {
            if (was.binding[i] >= bindings.size()) continue;
            const Binding& b = bindings[was.binding[i]];
            if (b.live && b.generation == was.generation[i]) lapse_if_overdue(was.binding[i], f);
        }
    }
}

// A UDP REGISTER other than a resend adds its flow, or notes it as note_flow() does; returns the
// flow's previous datagram (kNever: none known).
Nanos SipAnalyzer::Impl::register_on_flow(const Frame& f) {
    const std::uint64_t key = direction_key(f, point_of(f));
    if (Nanos* last = flows.find(key)) return std::exchange(*last, f.time);
    make_room_in(flows, kMaxFlows, [](Nanos t) { return t; });
    flows[key] = f.time;
    return kNever;
}

// ---- public ------------------------------------------------------------------------------------------

SipAnalyzer::SipAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
SipAnalyzer::~SipAnalyzer() = default;

void SipAnalyzer::on_frame(const Frame& f) { impl_->on_frame(f); }

void SipAnalyzer::split_clocks() {
    Impl& s = *impl_;
    for (QuadHeap<Deadline>& heap : s.deadlines) heap = QuadHeap<Deadline>();
    for (std::uint32_t i = 0; i < s.bindings.size(); ++i) {
        Binding& b = s.bindings[i];
        b.armed = std::numeric_limits<Nanos>::max();
        if (b.live && b.expecting && !b.breach_reported) s.arm(b, i);
    }
}

void SipAnalyzer::place_grants(const CapturePoints& points) {
    Impl& s = *impl_;
    for (std::uint32_t i = 0; i < s.bindings.size(); ++i) {
        Binding& b = s.bindings[i];
        Nanos offset;
        if (!b.live || b.grant_on == kOwnClock || !points.clock_offset(b.grant_on, b.iface, offset)) continue;
        b.grant_on = kOwnClock;
        b.armed = std::numeric_limits<Nanos>::max();  // its entry is in the other point's queue
        s.move_grant(b, i, offset);
    }
}

// A binding whose refresh fell due by the silence's end (its deadline too, or only its expected
// time: the refresh may have come in the gap, in its last instant too) expects nothing more until
// its next 2xx; the attempt open across the gap may have ended in it. What any phone sent in the
// silence is unknown too: a loss after it has no idle time to tell (new_request()).
std::uint32_t SipAnalyzer::forget_due(std::uint32_t clock, Nanos until) {
    Impl& s = *impl_;
    std::uint32_t n = 0;
    s.forget_idle(clock, [&](Binding& b, std::uint32_t) {
        if (!b.expecting || b.breach_reported || b.expected > until) return;
        b.expecting = false;
        b.open = false;
        b.broken = Break::Gap;
        ++n;
    });
    return n;
}

// The clock moved at least `step` back (or at most `step` forward again), so an expectation moved
// by `step` falls due no earlier than the phone's refresh: a phone on time is never reported, one
// silent from the step on still is. The attempt under way goes on (its REGISTER or 2xx may be on
// the new time already).
std::uint32_t SipAnalyzer::retime(std::uint32_t clock, std::uint32_t since, Nanos step, Nanos until) {
    Impl& s = *impl_;
    std::uint32_t n = 0;
    s.forget_idle(clock, [&](Binding& b, std::uint32_t idx) {
        if (!b.expecting || b.breach_reported || b.ok_frame >= since || b.deadline > until) return;
        s.move_grant(b, idx, step);
        b.broken = Break::Step;
        ++n;
    });
    return n;
}

// The binding's grant (its 2xx time, expected time and deadline) moved by `by` onto another clock.
void SipAnalyzer::Impl::move_grant(Binding& b, std::uint32_t idx, Nanos by) {
    b.ok_time = add_sat(b.ok_time, by);
    b.expected = add_sat(b.expected, by);
    b.deadline = add_sat(b.deadline, by);
    // Later: its heap entry comes up first and is pushed again (check_deadlines()); earlier: a new one.
    if (b.expecting && !b.breach_reported) arm(b, idx);
}

// What a phone sent before a break in the capture point's timeline is forgotten: a loss after it
// has no idle time to tell (new_request()). `each` sees every live binding of `clock`.
template <typename Each>
void SipAnalyzer::Impl::forget_idle(std::uint32_t clock, Each&& each) {
    for (std::uint32_t i = 0; i < bindings.size(); ++i) {
        Binding& b = bindings[i];
        if (!b.live || ctx.clock(b.iface) != clock) continue;
        b.has_last_sent = false;
        each(b, i);
    }
    streams.for_each([&](std::uint64_t key, Stream& st) {
        if (ctx.clock(static_cast<std::uint32_t>(key >> 32)) == clock) st.has_last_client = false;
    });
    // A flow's key does not tell its point: every flow's, which only costs an idle time.
    flows.for_each([](std::uint64_t, Nanos& last) { last = kNever; });
}

void SipAnalyzer::prefetch(const Frame& f) const {
    const Impl& s = *impl_;
    if (f.tcp.present) s.streams.prefetch(stream_key(point_of(f), f.tcp.stream));
    // The next deadline comes up every few frames, and its binding was last touched at its refresh,
    // long out of the caches: check_deadlines() would wait for it.
    if (const QuadHeap<Deadline>& heap = s.deadlines[s.ctx.clock(timed_at(f))]; !heap.empty()) {
        const Binding& b = s.bindings[heap.top().binding];
        __builtin_prefetch(&b.deadline);  // the fields it reads span three cache lines
        __builtin_prefetch(&b.generation);
        __builtin_prefetch(&b.live);
    }
}

std::size_t SipAnalyzer::state_bytes() const {
    const Impl& s = *impl_;
    std::size_t n = sizeof(Impl) + s.bindings.bytes() +
                    s.free_bindings.capacity() * sizeof(std::uint32_t) +
                    s.binding_index.bytes() + s.aor_heads.bytes() + s.call_index.bytes() + s.streams.bytes() +
                    s.flows.bytes() + s.unreachable.bytes() + s.spared.bytes() + s.removals.bytes() +
                    s.removed.capacity() * sizeof(std::uint32_t);
    for (const QuadHeap<Deadline>& heap : s.deadlines) n += heap.size() * sizeof(Deadline);
    return n;
}

}  // namespace ka
