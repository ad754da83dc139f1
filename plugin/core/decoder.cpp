// SPDX-License-Identifier: GPL-2.0-or-later
#include "decoder.h"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flat_map.h"
#include "hash.h"
#include "sip_parse.h"
#include "skinny_parse.h"
#include "syslog_parse.h"

namespace ka {

namespace {

// A TCP connection's endpoints in a fixed order, so that both directions find the same stream.
struct ConnKey {
    IpAddr a, b;
    std::uint16_t port_a = 0, port_b = 0;
    bool operator==(const ConnKey& o) const {
        return port_a == o.port_a && port_b == o.port_b && a == o.a && b == o.b;
    }
};

struct ConnKeyHash {
    std::size_t operator()(const ConnKey& k) const {
        IpAddrHash h;
        return hash::mix(hash::mix(h(k.a), h(k.b)), std::uint64_t{k.port_a} << 16 | k.port_b);
    }
};

bool before(const IpAddr& ip1, std::uint16_t p1, const IpAddr& ip2, std::uint16_t p2) {
    if (p1 != p2) return p1 < p2;
    if (ip1.family != ip2.family) return ip1.family < ip2.family;
    for (int i = 0; i < 16; ++i)
        if (ip1.bytes[i] != ip2.bytes[i]) return ip1.bytes[i] < ip2.bytes[i];
    return false;
}

enum class Kind : std::uint8_t { Unknown, Sip, Skinny, Syslog };

// Syslog over TCP (RFC 6587): rsyslog's and CUCM's port, and syslog-ng's; over TLS (RFC 5425).
// Wireshark dissects syslog on UDP only unless told (Decode As; 4.4 and later also on TLS 6514),
// so the port decides, when the stream is first seen (place()).
bool syslog_port(std::uint16_t port) { return port == 514 || port == 601 || port == 6514; }

// Bytes kept between segments; one pointer until they are needed. Every connection has two such
// buffers and most never use them: out of line, they leave the connection's per-segment state
// small enough to live in its table slot.
class LazyBytes {
public:
    bool empty() const { return !s_ || s_->empty(); }
    std::size_t size() const { return s_ ? s_->size() : 0; }
    std::size_t bytes() const { return s_ ? sizeof(std::string) + s_->capacity() : 0; }
    void clear() {
        if (s_) s_->clear();
    }
    void append(std::string_view b) {
        if (!b.empty()) get().append(b);
    }
    void assign(std::string_view b) {
        if (b.empty()) clear();
        else get().assign(b);
    }
    operator std::string_view() const { return s_ ? std::string_view(*s_) : std::string_view(); }

private:
    std::string& get() {
        if (!s_) s_ = std::make_unique<std::string>();
        return *s_;
    }
    std::unique_ptr<std::string> s_;
};

// TLS records (RFC 5246 6.2, RFC 8446 5.1): a header of content type, version and length, then at
// most 2^14 + 2048 bytes.
constexpr std::uint8_t kTlsHeader = 5;
constexpr std::uint32_t kMaxTlsRecord = (1u << 14) + 2048;
constexpr std::uint8_t kChangeCipherSpec = 20, kHeartbeat = 24, kApplicationData = 23;

// Whether `b` may be byte `k` of a record header: a content type, then version 3.x (SSL 3.0 to
// TLS 1.3's legacy 3.3); any length, checked once read.
bool tls_header_byte(std::uint8_t k, std::uint8_t b) {
    if (k == 0) return b >= kChangeCipherSpec && b <= kHeartbeat;
    if (k == 1) return b == 3;
    return k != 2 || b <= 4;
}

// One direction of a TLS connection: the decrypted start of a message whose end is in a later
// record, and where the records lie in the TCP byte stream. Wireshark hands over a record's
// plaintext in the frame where the record ends; the sequence numbers of a message's bytes are
// those of the records that carry it. Made for TLS connections only.
struct TlsHalf {
    std::string pending;
    // The record holding `pending`'s first byte: where it begins and the frame that carried that
    // (pending_placed: known).
    std::uint32_t pending_seq = 0, pending_frame = 0;
    bool pending_placed = false;
    // Records are followed in order from a segment that begins with one; a hole or bytes that
    // cannot be a header lose them until such a segment comes.
    bool synced = false;
    // After its ChangeCipherSpec the direction's records are encrypted (TLS 1.2); TLS 1.3's are
    // application data records.
    bool encrypted = false;
    std::uint8_t type = 0;  // of the current record
    std::uint8_t got = 0;   // header bytes of the current record read; 0: between records
    std::uint32_t next = 0;  // sequence number of the next byte to read
    std::uint32_t start = 0, start_frame = 0;  // the current record's first byte, and its frame
    std::uint32_t left = 0;  // the current record's length once read, less the bytes read since
};

// One direction of a connection: what Wireshark's TCP sequence analysis keeps, plus the bytes of
// a message that has not ended yet.
struct Half {
    // Members ordered by size: no padding between them.
    Nanos next_seq_time = 0;
    Nanos last_ack_time = 0;
    // The latest segment with data, SYN or FIN, when first seen at its capture point: copies of it
    // and of the segments before it follow within kCaptureCopyWindow.
    Nanos sent_time = 0;
    LazyBytes pending;              // start of a message whose end has not been captured yet
    std::unique_ptr<TlsHalf> tls;   // the same for decrypted TLS data, once the connection is TLS
    std::uint32_t base_seq = 0; // first sequence number seen (the ISN when the SYN was captured)
    std::uint32_t next_seq = 0; // highest seq + len (+1 for SYN/FIN) so far
    // The end of what was seen without a hole (Wireshark's maxseqtobeacked): an ACK beyond it
    // acknowledges bytes the capture lacks, also when later bytes were captured.
    std::uint32_t contiguous = 0;
    std::uint32_t last_ack = 0;  // highest ACK this direction sent
    std::uint32_t dupacks = 0;   // duplicate ACKs in a row: the peer's fast retransmission follows
    std::uint32_t pending_seq = 0;  // sequence number just after `pending`
    std::uint32_t pending_frame = 0;  // the frame that carried `pending`'s first byte
    std::uint32_t sent_seq = 0, sent_end = 0, sent_point = 0;
    std::uint16_t sent_ip_id = 0;
    std::uint16_t window = 0;    // of the last ACK
    bool seen = false;          // base_seq and next_seq are set
    bool has_ack = false;
    bool sent_syn = false;
    // Whether its segments' IPv4 identifications tell packets apart: none sent yet, one seen, or
    // two segments had different ones.
    enum class Ids : std::uint8_t { None, One, Vary } ids = Ids::None;
};

struct Stream {
    std::uint32_t id = 0;
    Kind kind = Kind::Unknown;
    bool tls = false;  // Wireshark saw TLS on it (not on retransmissions, which it does not dissect)
    // Where each direction ([0]: sent by ConnKey::a) was seen: kAtHome, kElsewhere (TcpInfo::split).
    std::uint8_t points[2] = {0, 0};
    Nanos syn_time = -1;
    Nanos first_rtt = 0;  // SYN to the ACK of the SYN/ACK: Wireshark's out-of-order threshold
    Half half[2];         // [0]: sent by ConnKey::a
    std::uint32_t last_frame = 0;  // of its latest segment: the table at its bound forgets the oldest
    std::uint32_t home = 0;        // interface of its first segment (TcpInfo::home)
};

constexpr std::uint8_t kAtHome = 1, kElsewhere = 2;  // Stream::points: at its home interface, at another
constexpr Nanos kDefaultOooThreshold = 3 * kMillisecond;
constexpr Nanos kFastRetransmissionWindow = 20 * kMillisecond;  // after the last duplicate ACK
// What an unclassified connection may keep: a RegisterReq is about 140 bytes, a REGISTER 0.5-2 KB.
constexpr std::size_t kMaxUnclassified = 4096;

// A TCP segment's payload bytes from sequence number `seq` on: those captured, and how many there
// were on the wire.
struct Segment {
    std::uint32_t seq = 0;
    std::string_view payload;
    std::uint32_t payload_len = 0;
};

// A TLS record that ended in this frame's segment: its first byte (and the frame that carried it)
// and its end.
struct Record {
    std::uint32_t start = 0, start_frame = 0, end = 0;
};

// A SIP message's place in the TCP byte stream, as Wireshark's SIP item gives it: it spans
// [begin, end) of the data that the segment ending at `segment_end` completed; `start_frame`
// carried its first byte when an earlier segment did.
void set_position(SipMessage& m, std::uint32_t begin, std::uint32_t end, std::uint32_t segment_end,
                  std::uint32_t start_frame) {
    m.length = end - begin;
    m.tail = segment_end - end;
    m.start_frame = start_frame;
}

// The SIP, SKINNY or syslog message at the start of a byte stream, parsed into `out` when it is
// whole. `skip`: SIP's keep-alive CRLFs before it; `length`: its own.
struct Cut {
    enum Status : std::uint8_t { Invalid, Incomplete, Whole } status = Invalid;
    std::size_t skip = 0, length = 0;
    bool parsed_sip = false;  // out.sip.back() is this message
};

// Whether a message of `kind` may begin `data` (SIP for a stream not yet named).
bool may_begin(Kind kind, std::string_view data) {
    switch (kind) {
    case Kind::Skinny: return skinny::plausible_start(data);
    case Kind::Syslog: return syslog::framed_message(data).status != syslog::Framed::Invalid;
    default: return sip::message_extent(data).kind != sip::Extent::NotSip;
    }
}

Cut cut_message(Kind kind, std::string_view data, Frame& out) {
    if (kind == Kind::Syslog) {
        const syslog::Framed m = syslog::framed_message(data);
        if (m.status == syslog::Framed::Invalid) return {};
        if (m.status == syslog::Framed::Incomplete) return {Cut::Incomplete, m.skip};
        if (!m.text.empty()) out.syslog.push_back(m.text);
        return {Cut::Whole, m.skip, m.length};
    }
    if (kind == Kind::Skinny) {
        const std::size_t n = skinny::pdu_length(data);
        if (n == skinny::kBad) return {};
        if (n == 0) return {Cut::Incomplete};
        SkinnyMessage m;
        if (skinny::parse_pdu(data.substr(0, n), m)) out.skinny.push_back(m);
        return {Cut::Whole, 0, n};
    }
    const sip::Extent e = sip::message_extent(data);
    if (e.kind == sip::Extent::NotSip) return {};
    // Keep-alive CRLFs before an unfinished message are skipped all the same: a connection that
    // only pings between refreshes keeps none of them.
    if (e.kind == sip::Extent::Incomplete) return {Cut::Incomplete, e.skip};
    return {Cut::Whole, e.skip, e.length, sip::parse_message(data.substr(e.skip, e.length), out)};
}

}  // namespace

struct Decoder::Impl {
    // Looked up once per segment: a stream lives in its slot, one cache miss away, not two.
    FlatMap<ConnKey, Stream, ConnKeyHash> streams;
    std::uint32_t next_id = 0;
    wire::Packet packet;
    // The TCP stream of the frame between decode_headers() and decode_payload().
    Stream* frame_stream = nullptr;
    bool frame_from_a = true;
    std::string scratch;    // pending bytes + this frame's bytes while messages are cut out
    // The records that ended in this frame's TLS segment and that Wireshark decrypts (follow_records()).
    std::vector<Record> ended;
    // First sightings of recent segments sent without an IP identification (IPv6, or a stack that
    // sends 0), where a copy of a burst's earlier segment, overtaken by the later ones, has no
    // older identification to tell it by. Direct-mapped and bounded: a sighting overwritten
    // within kCaptureCopyWindow leaves its copy counted as sent again, as without the table.
    struct Sighting {
        Nanos time = 0;
        std::uint32_t half = 0, seq = 0, end = 0, point = 0;  // half: 2 * stream id + direction
    };
    static_assert(sizeof(Sighting) * kSightings == kSightingsBytes);
    std::unique_ptr<Sighting[]> sightings;  // made on the first such segment
    // A tap's two ports captured as two interfaces (TcpInfo::split): per pair of hosts, where
    // their latest split connection is kept and the interface that saw its other direction. The
    // next connection between them seen first at either is kept at the same home, whichever side
    // spoke first: a phone's new connection, after a capture begun mid-connection with the
    // registrar's segment, finds the phone's state where the old one left it.
    struct SplitHome {
        std::uint32_t home = 0, other = 0, last_frame = 0;
    };
    FlatMap<std::uint64_t, SplitHome> split_homes;

    Stream* stream_for(const wire::Packet& p, std::uint32_t interface_id, bool& from_a);
    Sighting& sighting(std::uint32_t half, std::uint32_t seq) {
        if (!sightings) sightings = std::make_unique<Sighting[]>(kSightings);
        return sightings[hash::finish(hash::mix(half, seq)) & (kSightings - 1)];
    }
    bool overtaken_copy(std::uint32_t half, const Half& rev, const wire::Packet& p, std::uint32_t end, Nanos now,
                        std::uint32_t point);
    void analyse_sequence(Stream& s, std::uint32_t half, Half& fwd, Half& rev, const wire::Packet& p, Nanos now,
                          std::uint32_t point, TcpInfo& t);
    void cut_messages(Stream& s, Half& h, const Segment& p, Frame& out);
    void follow_records(TlsHalf& h, const wire::Packet& p, const TcpInfo& t, std::size_t decrypted,
                        std::uint32_t frame);
    void cut_tls(Kind kind, TlsHalf& h, const RawFrame& raw, std::uint32_t segment_end, Frame& out);
    static void hold_unclassified(Half& h, const Segment& p, Frame& out);
    void place(Stream& s, const wire::Packet& p, std::uint32_t interface_id, bool from_a) const;
    void note_split(const Stream& s, const wire::Packet& p, std::uint32_t other, std::uint32_t frame);
};

namespace {
std::uint64_t host_pair(const IpAddr& x, const IpAddr& y) {
    const IpAddrHash h;
    const std::uint64_t a = h(x), b = h(y);
    return hash::finish(hash::mix(hash::mix(hash::kSeed, std::min(a, b)), std::max(a, b)));
}
}  // namespace

// A new stream's home: the interface of its first segment, or its hosts' split home. On a syslog
// port it is syslog until Wireshark names another protocol.
void Decoder::Impl::place(Stream& s, const wire::Packet& p, std::uint32_t interface_id, bool from_a) const {
    if (syslog_port(p.src_port) || syslog_port(p.dst_port)) s.kind = Kind::Syslog;
    s.home = interface_id;
    if (split_homes.empty()) return;
    const SplitHome* h = split_homes.find(host_pair(p.src_ip, p.dst_ip));
    if (!h || interface_id != h->other) return;
    s.home = h->home;
    // Its first direction is seen away from home, the other expected there: split from the start.
    s.points[from_a ? 1 : 0] = kAtHome;
}

void Decoder::Impl::note_split(const Stream& s, const wire::Packet& p, std::uint32_t other, std::uint32_t frame) {
    make_room_in(split_homes, kMaxStreams, [](const SplitHome& h) { return h.last_frame; });
    split_homes[host_pair(p.src_ip, p.dst_ip)] = {s.home, other, frame};
}

Decoder::Decoder() : impl_(new Impl) {}
Decoder::~Decoder() = default;

Stream* Decoder::Impl::stream_for(const wire::Packet& p, std::uint32_t interface_id, bool& from_a) {
    ConnKey key;
    from_a = before(p.src_ip, p.src_port, p.dst_ip, p.dst_port);
    if (from_a) {
        key = ConnKey{p.src_ip, p.dst_ip, p.src_port, p.dst_port};
    } else {
        key = ConnKey{p.dst_ip, p.src_ip, p.dst_port, p.src_port};
    }
    Stream* s = streams.find(key);
    const bool syn_only = (p.flags & (TcpInfo::kSyn | TcpInfo::kAck)) == TcpInfo::kSyn;
    if (s) {
        Half& fwd = s->half[from_a ? 0 : 1];
        // Port numbers reused: a SYN with another ISN starts a new stream, as in Wireshark.
        if (!(syn_only && fwd.seen && p.seq != fwd.base_seq)) return s;
        *s = Stream{};
        s->id = next_id++;
        place(*s, p, interface_id, from_a);
        return s;
    }
    // A long capture at a call manager sees more connections than the bound: the least recently
    // active go (a connection seen again after that restarts as a new stream), so that new
    // connections are still told apart. Those that carry no signalling go first: a SYN flood or a
    // port scan must not take a phone's connection, idle between its keepalives.
    make_room_in(streams, kMaxStreams, [](const Stream& st) {
        const bool signalling = st.kind != Kind::Unknown || st.tls;
        return std::uint64_t{signalling} << 32 | st.last_frame;
    });
    s = &streams[key];
    s->id = next_id++;
    place(*s, p, interface_id, from_a);
    return s;
}

// Without an IP identification: the segment repeats one first seen at this point less than
// kCaptureCopyWindow ago, and the peer has not asked for it since (an ACK of its first byte after
// that sighting: the duplicate ACKs of a fast retransmission, a SACK that makes a stack resend it
// early). Anything else that resends a segment waits for a timer of 200 ms or more.
bool Decoder::Impl::overtaken_copy(std::uint32_t half, const Half& rev, const wire::Packet& p, std::uint32_t end,
                                   Nanos now, std::uint32_t point) {
    if (!sightings) return false;
    const Sighting& at = sighting(half, p.seq);
    return at.half == half && at.seq == p.seq && at.end == end && at.point == point && captured_again(now, at.time) &&
           !(rev.has_ack && rev.last_ack == p.seq && rev.last_ack_time >= at.time);
}

// Wireshark 4.0's tcp_analyze_sequence_number, for what the analysers need: whether a segment
// repeats data (retransmission, spurious retransmission) rather than being new, out of order or a
// keep-alive, in its order: a keep-alive is none; bytes the peer had acknowledged are a spurious
// retransmission; then a fast retransmission (the segment two or more duplicate ACKs asked for,
// within 20 ms of the last), even within the out-of-order threshold; then out of order (a SYN or
// FIN counting as a byte); then a retransmission. Before all that: whether the segment is one just
// sent, seen again at its capture point (a copy).
void Decoder::Impl::analyse_sequence(Stream& s, std::uint32_t half, Half& fwd, Half& rev, const wire::Packet& p,
                                     Nanos now, std::uint32_t point, TcpInfo& t) {
    const bool syn = p.flags & TcpInfo::kSyn, fin = p.flags & TcpInfo::kFin, rst = p.flags & TcpInfo::kRst;
    // A SYN/ACK with another ISN than this direction began with answers the connection's new
    // incarnation (a phone rebooted onto the same port, whose new SYN started the stream afresh but
    // was answered first by a challenge ACK on the old numbers): this direction starts afresh too,
    // or everything it sends would read as sent before. (Wireshark 4.0 reads it so.)
    if (syn && (p.flags & TcpInfo::kAck) && fwd.seen && p.seq != fwd.base_seq) fwd = Half{};
    const std::uint32_t len = p.payload_len;
    const std::uint32_t end = p.seq + len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    const bool sends = len > 0 || syn || fin;
    const bool fast = rev.dupacks >= 2 && rev.last_ack == p.seq && now - rev.last_ack_time < kFastRetransmissionWindow;
    // Sent data again at once in an IP packet no newer than the latest segment's: the same segment
    // captured again. A stack numbers its packets one after the other, so a copy of a burst's
    // earlier segment, overtaken by the later ones, has an older IPv4 identification, and a resend
    // that may follow within milliseconds (a tail-loss probe, a fast retransmission) a newer one.
    // With the same identification only the latest segment itself is a copy. Duplicate ACKs that
    // came after the latest segment ask for a fast retransmission, never for a copy (a router's
    // copy follows its segment before the peer can answer): they tell the resend where there is
    // no identification (IPv6, a stack that sends 0) or where it is random and may look older.
    // A sender whose identifications vary gives each packet its own, a resend too: the latest
    // segment again with its identification is a copy however late, as from a capture point
    // merged into this interface whose clock is seconds off; so is a SYN again after data followed
    // it, as no stack resends one then. A copy leaves the connection as its first sighting left it.
    const auto id_age = static_cast<std::int16_t>(static_cast<std::uint16_t>(p.ip_id - fwd.sent_ip_id));
    const bool asked_again = fast && rev.last_ack_time >= fwd.sent_time;
    const bool same_packet =
        !asked_again && (id_age < 0 || (id_age == 0 && p.seq == fwd.sent_seq && end == fwd.sent_end));
    const bool repeats = sends && fwd.seen && !seq_before(fwd.next_seq, end);
    const bool no_newer_ack = !(p.flags & TcpInfo::kAck) || (fwd.has_ack && !seq_before(fwd.last_ack, p.ack));
    const bool late_syn = syn && fwd.sent_syn && p.seq == fwd.base_seq && seq_before(end, fwd.next_seq);
    if (repeats && no_newer_ack &&
        ((point == fwd.sent_point &&
          (late_syn || (same_packet && (captured_again(now, fwd.sent_time) ||
                                        (id_age == 0 && p.ip_id != 0 && fwd.ids == Half::Ids::Vary))))) ||
         (p.ip_id == 0 && overtaken_copy(half, rev, p, end, now, point)))) {
        t.copy = true;
        return;
    }
    bool retrans = false, keepalive = false;
    if (sends) {
        keepalive = fwd.seen && len <= 1 && !syn && !fin && !rst && fwd.next_seq - 1 == p.seq;
        // More than a byte from one before the next expected one on (the data after a zero-window
        // probe) is new data.
        const bool not_advanced =
            fwd.seen && seq_before(p.seq, fwd.next_seq) && !(len > 1 && fwd.next_seq - 1 == p.seq);
        // Bytes the peer had acknowledged: a spurious retransmission, however soon (checked first).
        t.spurious = !keepalive && len > 0 && rev.has_ack && !seq_before(rev.last_ack, p.seq + len);
        const Nanos threshold = s.first_rtt > 0 ? s.first_rtt : kDefaultOooThreshold;
        const bool out_of_order = not_advanced && now - fwd.next_seq_time < threshold && fwd.next_seq != end;
        retrans = !keepalive && (t.spurious || (not_advanced && (fast || !out_of_order)));
        if (retrans) t.resent = not_advanced && seq_before(fwd.next_seq, p.seq + len) ? fwd.next_seq - p.seq : len;
    }
    // A pure ACK repeating the last one (same ACK, window and sequence number) is a duplicate.
    const bool dupack = len == 0 && !syn && !fin && !rst && (p.flags & TcpInfo::kAck) && fwd.has_ack &&
                        p.window != 0 && p.window == fwd.window && p.ack == fwd.last_ack && p.seq == fwd.next_seq;
    // The run of duplicates ends when the ACK moves, not at the peer's own data (Wireshark 4.0).
    if (dupack) ++fwd.dupacks;
    else if (!fwd.has_ack || p.ack != fwd.last_ack) fwd.dupacks = 0;
    t.acks_unseen = (p.flags & TcpInfo::kAck) && rev.seen && seq_before(rev.contiguous, p.ack) &&
                    (!fwd.has_ack || seq_before(fwd.last_ack, p.ack));
    // That hole is told once: the peer has everything up to the ACK, and what was captured past it.
    if (t.acks_unseen) rev.contiguous = seq_before(rev.next_seq, p.ack) ? p.ack : rev.next_seq;
    if (!fwd.seen) {
        fwd.seen = true;
        fwd.base_seq = p.seq;
        fwd.next_seq = p.seq;
        fwd.contiguous = p.seq;
        fwd.next_seq_time = now;
    }
    if (sends) {
        if (p.ip_id == 0 && !repeats) sighting(half, p.seq) = Sighting{now, half, p.seq, end, point};
        if (fwd.ids == Half::Ids::None) fwd.ids = Half::Ids::One;
        else if (p.ip_id != fwd.sent_ip_id) fwd.ids = Half::Ids::Vary;
        fwd.sent_seq = p.seq;
        fwd.sent_end = end;
        fwd.sent_point = point;
        fwd.sent_ip_id = p.ip_id;
        fwd.sent_time = now;
    }
    if (seq_before(fwd.next_seq, end)) {
        fwd.next_seq = end;
        fwd.next_seq_time = now;
    }
    // A segment that reaches the end of what came without a hole extends it (past a hole it filled,
    // to everything seen).
    if (!seq_before(fwd.contiguous, p.seq) && seq_before(fwd.contiguous, end)) fwd.contiguous = fwd.next_seq;
    if (p.flags & TcpInfo::kAck) {
        if (!fwd.has_ack || seq_before(fwd.last_ack, p.ack)) fwd.last_ack = p.ack;
        fwd.has_ack = true;
        fwd.last_ack_time = now;
        fwd.window = p.window;
        if (!syn && fwd.sent_syn && s.first_rtt == 0 && s.syn_time >= 0 && now > s.syn_time) s.first_rtt = now - s.syn_time;
    }
    if (syn && !(p.flags & TcpInfo::kAck)) {
        s.syn_time = now;
        fwd.sent_syn = true;
    }
    t.retransmission = retrans;
    t.keep_alive = keepalive;
}

void Decoder::decode(const RawFrame& raw, Frame& out) {
    decode_headers(raw, out);
    decode_payload(raw, out);
}

void Decoder::decode_headers(const RawFrame& raw, Frame& out) {
    out.clear();
    out.number = raw.number;
    out.time = raw.time;
    out.interface_id = raw.interface_id;
    out.interface_known = raw.interface_known;
    Impl& d = *impl_;
    d.frame_stream = nullptr;
    wire::Packet& p = d.packet;
    bool decoded = wire::decode(raw.link, raw.data, raw.captured, p, raw.wlan_body);
    // An MPLS pseudowire's Ethernet frame, with a control word or not as Wireshark found it.
    if (!p.mpls_payload.empty() && (raw.saw_pw_eth_cw || raw.saw_pw_eth_nocw))
        decoded = wire::decode_pw_ethernet(p, raw.saw_pw_eth_cw) || decoded;
    if (!decoded) return;
    if (p.fragment && !raw.reassembled_ip.empty())
        wire::decode_transport(p.ip_proto, raw.reassembled_ip, static_cast<std::uint32_t>(raw.reassembled_ip.size()), p);
    if (raw.saw_vxlan) wire::decode_vxlan_payload(p);  // VXLAN on another port (Decode As)
    out.has_eth = p.has_eth;
    out.eth_src = p.eth_src;
    out.eth_dst = p.eth_dst;
    out.vlan = p.vlan;
    out.src_ip = p.src_ip;
    out.dst_ip = p.dst_ip;
    if (p.has_arp) out.arp.push_back(p.arp);
    if (p.unreachable.present) out.unreachable = p.unreachable;
    out.transport = p.transport;
    if (p.transport == Transport::None) return;
    out.src_port = p.src_port;
    out.dst_port = p.dst_port;
    if (p.transport == Transport::Udp) return;

    Stream& s = *d.stream_for(p, raw.interface_id, d.frame_from_a);
    s.last_frame = raw.number;
    d.frame_stream = &s;
    Half& fwd = s.half[d.frame_from_a ? 0 : 1];
    Half& rev = s.half[d.frame_from_a ? 1 : 0];
    TcpInfo& t = out.tcp;
    t.present = true;
    t.stream = s.id;
    t.home = s.home;
    std::uint8_t& here = s.points[d.frame_from_a ? 0 : 1];
    const std::uint8_t there = s.points[d.frame_from_a ? 1 : 0];
    const bool first_here = here == 0;
    here |= raw.interface_id == s.home ? kAtHome : kElsewhere;
    t.split = (here == kAtHome && there == kElsewhere) || (here == kElsewhere && there == kAtHome);
    // Split from this frame on: the first of its direction, away from home (the first segment's).
    if (t.split && first_here) d.note_split(s, p, raw.interface_id, raw.number);
    t.seq = p.seq;
    t.len = p.payload_len;
    t.ack = p.ack;
    t.flags = p.flags;
    d.analyse_sequence(s, 2 * s.id + (d.frame_from_a ? 0 : 1), fwd, rev, p, raw.time, raw.interface_id, t);
    if (raw.saw_tls) s.tls = true;
    if (s.tls) out.transport = Transport::Tls;
    if (raw.saw_sip) s.kind = Kind::Sip;
    else if (raw.saw_skinny) s.kind = Kind::Skinny;
    else if (raw.saw_syslog && s.kind == Kind::Unknown) s.kind = Kind::Syslog;
}

void Decoder::decode_payload(const RawFrame& raw, Frame& out) {
    Impl& d = *impl_;
    const wire::Packet& p = d.packet;
    if (p.transport == Transport::Udp) {
        if (raw.saw_sip) {
            if (p.payload.size() < p.payload_len) sip::parse_truncated_message(p.payload, out);
            else sip::parse_message(p.payload, out);
        } else {
            out.sip_ping = sip::keepalive_ping(p.payload);  // Wireshark shows a ping as data or STUN
        }
        if (raw.saw_syslog) {
            std::string_view text = syslog::message_text(p.payload);
            if (!text.empty()) out.syslog.push_back(text);
        }
        return;
    }
    if (!d.frame_stream) return;
    Stream& s = *d.frame_stream;
    Half& fwd = s.half[d.frame_from_a ? 0 : 1];
    if (out.transport == Transport::Tls) {
        if (p.payload_len == 0) return;
        if (!fwd.tls) fwd.tls = std::make_unique<TlsHalf>();
        TlsHalf& tls = *fwd.tls;
        d.follow_records(tls, p, out.tcp, raw.tls_data_count, out.number);
        if (raw.tls_data_count > 0) d.cut_tls(s.kind, tls, raw, p.seq + p.payload_len, out);
        // Nothing decrypted: a sign of a record the capture lost, unless no record that Wireshark
        // decrypts ended here (the segment ends inside one, decrypted in a later frame).
        else out.tcp.opaque = !out.tcp.retransmission && !out.tcp.copy && !out.tcp.keep_alive &&
                              !(tls.synced && d.ended.empty());
        // A record begun here and not ended, with no message under way: its bytes begin one.
        if (tls.synced && tls.got > 0 && tls.start_frame == out.number && tls.pending.empty())
            out.tcp.begins_message = true;
        return;
    }
    // A keep-alive's byte was sent before: joined to the stream it would shift every later message.
    // The data of a RST is its reason, if anything; Wireshark hands it to no protocol.
    if (p.payload.empty() || out.tcp.copy || out.tcp.keep_alive || out.tcp.has(TcpInfo::kRst)) return;
    // Nor does it hand a retransmission to one; but bytes after those sent before are new (a resend
    // that takes along what waited behind the lost segment: the next keepalives of a phone whose
    // call manager stopped acknowledging) and are read as the segment that would have sent them.
    const std::uint32_t skip = out.tcp.retransmission ? out.tcp.resent : 0;
    if (skip >= p.payload_len) return;
    const Segment seg{p.seq + skip, p.payload.substr(std::min<std::size_t>(skip, p.payload.size())), p.payload_len - skip};
    if (s.kind != Kind::Unknown) d.cut_messages(s, fwd, seg, out);
    else Impl::hold_unclassified(fwd, seg, out);
}

// A connection is SIP or SKINNY once Wireshark names the protocol in one of its frames, so that its
// ports, heuristics and Decode As decide, as for UDP. It names SIP only on the segment where a
// message ends, and not always SKINNY on the first segment of a PDU (not when it builds a tree):
// keep the start of what may be an unfinished message until a frame says what it is.
void Decoder::Impl::hold_unclassified(Half& h, const Segment& p, Frame& out) {
    const bool continues = !h.pending.empty() && h.pending_seq == p.seq;
    const bool starts = !continues && ((skinny::plausible_start(p.payload) && skinny::pdu_length(p.payload) == 0) ||
                                       (sip::looks_like_sip(p.payload) &&
                                        sip::message_extent(p.payload).kind == sip::Extent::Incomplete) ||
                                       sip::start_line_prefix(p.payload));
    if ((!continues && !starts) || p.payload.size() < p.payload_len ||
        (continues ? h.pending.size() : 0) + p.payload.size() > kMaxUnclassified) {
        h.pending.clear();
        return;
    }
    if (starts) {
        h.pending.clear();
        h.pending_frame = out.number;
        out.tcp.begins_message = true;
    }
    h.pending.append(p.payload);
    h.pending_seq = p.seq + p.payload_len;
}

// Cuts the messages that end in this segment out of the direction's byte stream.
// A message's position is reported as Wireshark's SIP item gives it: its length and how many bytes
// of the segment follow it.
void Decoder::Impl::cut_messages(Stream& s, Half& h, const Segment& p, Frame& out) {
    // Data missed in between (a capture gap or a lost segment not captured): start afresh here.
    if (!h.pending.empty() && h.pending_seq != p.seq) h.pending.clear();
    // A segment the snap length cut short cannot be joined to anything: like Wireshark, read what
    // was captured of the message that begins it (a SIP start line, SKINNY fields).
    if (p.payload.size() < p.payload_len) {
        if (h.pending.empty() && s.kind == Kind::Sip) sip::parse_truncated_message(p.payload, out);
        if (h.pending.empty() && s.kind == Kind::Skinny) skinny::parse_truncated(p.payload, out.skinny);
        h.pending.clear();
        return;
    }
    std::string_view data = p.payload;
    std::uint32_t data_seq = p.seq;
    // Bytes before `held` came from earlier segments: they begin with a message (CRLFs skipped)
    // that the frame `pending_frame` began.
    std::size_t held = 0;
    // A segment read afresh may begin inside a PDU whose start the capture lacks: like Wireshark,
    // take it for SKINNY only if it begins with a header, or its bytes would swallow later PDUs.
    // Kept bytes too short to tell are checked once joined to the next segment's.
    const bool unchecked = h.pending.size() < skinny::kCheckedBytes;
    if (!h.pending.empty()) {
        scratch.assign(h.pending);
        scratch.append(p.payload);
        data = scratch;
        data_seq = p.seq - static_cast<std::uint32_t>(h.pending.size());
        held = h.pending.size();
        h.pending.clear();
    }
    if (s.kind == Kind::Skinny && unchecked && data.size() >= skinny::kCheckedBytes && !skinny::plausible_start(data))
        return;
    const std::uint32_t segment_end = p.seq + p.payload_len;
    std::size_t at = 0;
    while (at < data.size()) {
        const Cut c = cut_message(s.kind, data.substr(at), out);
        if (c.status == Cut::Invalid) {
            // Syslog read from inside a message: read on from where the next one may begin.
            if (s.kind != Kind::Syslog) return;
            at += syslog::next_start(data.substr(at));
            continue;
        }
        at += c.skip;
        const bool began_before = at < held;
        at += c.length;
        if (c.status == Cut::Incomplete) break;
        if (c.parsed_sip) {
            const std::uint32_t end = data_seq + static_cast<std::uint32_t>(at);
            set_position(out.sip.back(), end - static_cast<std::uint32_t>(c.length), end, segment_end,
                         began_before ? h.pending_frame : 0);
        }
    }
    // Keep the start of an unfinished message for the next segment, unless it is too long to be a
    // signalling message.
    if (at < data.size() && data.size() - at <= kMaxPending) {
        if (at >= held) {
            h.pending_frame = out.number;
            out.tcp.begins_message = true;
        }
        h.pending.assign(data.substr(at));
        h.pending_seq = segment_end;
    }
}

// Follows the TLS records in the direction's new bytes of this segment, in order. `ended` gets
// those that end here and that Wireshark decrypts (any after the direction's ChangeCipherSpec,
// application data before it; not an empty one), up to one more than it decrypted in this frame:
// more cannot be matched with them.
void Decoder::Impl::follow_records(TlsHalf& h, const wire::Packet& p, const TcpInfo& t, std::size_t decrypted,
                                   std::uint32_t frame) {
    ended.clear();
    const std::uint32_t end = p.seq + p.payload_len;
    if (h.synced && seq_before(h.next, p.seq)) h.synced = false;  // bytes the capture lacks
    if (!h.synced) {
        // Tried afresh on new data only: a resend's first bytes may be anywhere in a record.
        if (t.retransmission || t.copy || t.keep_alive) return;
        h.synced = true;
        h.next = p.seq;
        h.got = 0;
    }
    if (!seq_before(h.next, end)) return;
    if (p.payload.size() < p.payload_len) {  // cut short by the snap length: headers unread
        h.synced = false;
        return;
    }
    for (std::size_t i = h.next - p.seq; i < p.payload.size();) {
        if (h.got < kTlsHeader) {
            const auto b = static_cast<std::uint8_t>(p.payload[i]);
            if (!tls_header_byte(h.got, b)) {
                h.synced = false;
                return;
            }
            if (h.got == 0) {
                h.type = b;
                h.start = p.seq + static_cast<std::uint32_t>(i);
                h.start_frame = frame;
                h.left = 0;
            }
            if (h.got >= 3) h.left = h.left << 8 | b;
            ++i;
            if (++h.got < kTlsHeader) continue;
            if (h.left > kMaxTlsRecord) {
                h.synced = false;
                return;
            }
        }
        const std::size_t n = std::min<std::size_t>(h.left, p.payload.size() - i);
        i += n;
        h.left -= static_cast<std::uint32_t>(n);
        if (h.left > 0) break;
        const std::uint32_t stop = p.seq + static_cast<std::uint32_t>(i);
        if (stop - h.start > kTlsHeader && (h.encrypted || h.type == kApplicationData) && ended.size() <= decrypted)
            ended.push_back({h.start, h.start_frame, stop});
        if (h.type == kChangeCipherSpec) h.encrypted = true;
        h.got = 0;
    }
    h.next = end;
}

// Decrypted TLS records arrive whole and in order: the messages are cut out of them as out of a
// TCP stream. Handshake records are decrypted data sources too; one that cannot start
// a message where a message would start is skipped. The buffer's room is reserved first:
// appending never moves the bytes that messages already cut out point to.
// When the records that ended in this segment are as many as Wireshark decrypted here, each is
// the other's: a SIP message's bytes are then those from the start of the record holding its
// first byte to the end of the record holding its last, the same TCP bytes a resend repeats.
void Decoder::Impl::cut_tls(Kind kind, TlsHalf& h, const RawFrame& raw, std::uint32_t segment_end, Frame& out) {
    const bool placed = h.synced && ended.size() == raw.tls_data_count;
    std::size_t total = h.pending.size();
    for (std::size_t i = 0; i < raw.tls_data_count; ++i) total += raw.tls_data[i].size();
    scratch.clear();
    scratch.reserve(total);
    scratch.append(h.pending);
    h.pending.clear();
    // The record holding the first byte of the message at `at`: this frame's `ended[first]`, or
    // the pending bytes' (kHeld).
    constexpr std::size_t kHeld = ~std::size_t{0};
    std::size_t at = 0, first = kHeld;
    for (std::size_t i = 0; i < raw.tls_data_count; ++i) {
        const std::string_view record = raw.tls_data[i];
        if (at == scratch.size() && !may_begin(kind, record)) continue;
        const std::size_t from = scratch.size();
        scratch.append(record);
        const std::string_view data = scratch;
        while (at < data.size()) {
            const Cut c = cut_message(kind, data.substr(at), out);
            if (c.status == Cut::Invalid) at = data.size();  // no message of its kind from here on: drop it
            at += c.skip;
            if (at >= from) first = i;
            at += c.length;
            if (c.status != Cut::Whole) break;
            if (!c.parsed_sip || !placed || (first == kHeld && !h.pending_placed)) continue;
            const Record& last = ended[i];
            const std::uint32_t begin = first == kHeld ? h.pending_seq : ended[first].start;
            const std::uint32_t begin_frame = first == kHeld ? h.pending_frame : ended[first].start_frame;
            set_position(out.sip.back(), begin, last.end, segment_end, begin_frame == out.number ? 0 : begin_frame);
        }
    }
    if (scratch.size() - at > kMaxPending) return;
    h.pending.assign(std::string_view(scratch).substr(at));
    if (first == kHeld || h.pending.empty()) return;  // the same message as before, or none
    h.pending_placed = placed;
    if (!placed) return;
    h.pending_seq = ended[first].start;
    h.pending_frame = ended[first].start_frame;
    // Begun in a record that began here (else the segment that began that record told it).
    if (h.pending_frame == out.number) out.tcp.begins_message = true;
}

std::size_t Decoder::state_bytes() const {
    std::size_t n = sizeof(Impl) + impl_->scratch.capacity() + impl_->ended.capacity() * sizeof(Record) +
                    impl_->streams.bytes() + impl_->split_homes.bytes() + (impl_->sightings ? kSightingsBytes : 0);
    impl_->streams.for_each([&](const ConnKey&, const Stream& s) {
        for (const Half& h : s.half) n += h.pending.bytes() + (h.tls ? sizeof(TlsHalf) + h.tls->pending.capacity() : 0);
    });
    return n;
}

}  // namespace ka
