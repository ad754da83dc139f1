// What the engine says about a frame: annotations (one per relationship the frame belongs to),
// each a set of numeric values and raised expert infos. Text is produced only when a frame is
// displayed (messages.h), so the per-frame cache holds numbers only.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <array>
#include <deque>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "time.h"

namespace ka {

// Values an annotation can carry. The first block is SPEC §4's public fields; the rest are
// details shown in the tree and used by messages. Units: Nanos for times, frame numbers as is.
enum class Field : std::uint8_t {
    ExpiresGranted,      // s
    RefreshExpected,     // absolute
    RefreshDeadline,     // absolute
    RefreshInterval,     // duration
    RefreshLateness,     // duration, signed
    RefreshPrev,         // frame
    RefreshMargin,       // duration, signed
    GraceOverrun,        // duration
    RetransCount,
    RetransOriginal,     // frame
    RetransGap,          // duration
    LossConsecutive,
    SccpInterval,        // s
    SccpGap,             // duration
    SccpAckLatency,      // duration
    SccpAckLatencyMean,  // duration
    SccpMissed,
    ArpIp,               // IPv4, host order
    ArpClaimedMac,       // Mac
    ArpOwnerMac,         // Mac
    ArpFrame,            // frame
    SyslogReason,
    SyslogLastSeen,      // frame
    // Details.
    RefreshNumber,       // 1-based attempt number of the binding
    DeliveryFrame,       // frame that proved delivery
    ForecastRefreshes,   // refreshes until the projected breach
    ForecastTime,        // absolute, projected breach
    ForecastGap,         // duration, projected retransmission gap at the breach
    IdleInterval,        // duration, idle time before each lost first transmission
    ArpClaims,           // addresses the claimed MAC answers for
    OwnerFrame,          // frame, a frame of the address owner
    SyslogAge,           // duration, message time - last keepalive/refresh
    ClockOffset,         // duration, other capture point - this one
    PeerInterface,       // interface id of the other capture point
    SessionEvent,        // SessionEvent value: what ended or changed an SCCP session / binding
    SyslogSignal,        // StringTable id of LastSignalReceived
    SyslogDeviceIp,      // StringTable id of the IPAddress of the syslog message
    SccpRequestFrame,    // frame, the KeepAliveReq an ack answers or a missed verdict is about
    PathFrame,           // frame, signalling to a server seen at one capture point only
    SccpLateness,        // duration, signed: SCCP keepalive gap - expected interval
    SyslogCopyOf,        // frame, the first sighting of the alarm this syslog message copies
    CaptureGap,          // duration the capture point recorded nothing (CaptureGaps)
    CaptureGapFrame,     // frame, the point's latest frame before that silence or clock step
    CaptureUnjudged,     // refreshes and keepalives due in that silence, or expected before the clock step
    ClockStep,           // duration, signed: the first frame on the clock's new time - the latest before;
                         // between two capture points (with PeerInterface): the change of t(peer) - t(here)
    ClockStepFrame,      // frame, the first frame stamped back
    SyslogProtocol,      // StringTable id of the Protocol of the syslog message (SCCP, SIP)
    SyslogTransientReason,  // EndPointTransientConnection's Reason_Code: an enumeration of its own
    DeliveryHeldBy,      // frame, a retransmission of bytes sent before the REGISTER on its connection
    Count
};
constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::Count);
static_assert(kFieldCount <= 64, "present-mask is 64 bits");

// SPEC §4 expert infos, and three of the capture's own, which say where it cannot answer:
// Truncated, a registration's message the snap length cut short; CaptureGap, a silence of the
// capture point in which refreshes and keepalives fell due; ClockStep, its clock stepped.
enum class Expert : std::uint8_t {
    Retransmission,
    RefreshLate,
    GraceBreach,
    BreachForecast,
    LossPattern,
    BackupKeepalive,
    Unregister,
    KeepaliveUnacked,
    Failover,
    ArpMismatch,
    Misdirected,
    EndpointUnregistered,
    PathLoss,
    Truncated,
    CaptureGap,
    ClockStep,
    Count
};
constexpr std::size_t kExpertCount = static_cast<std::size_t>(Expert::Count);

enum class Role : std::uint8_t { Unknown, Primary, Backup };
const char* role_name(Role r);  // "primary", "backup", "" for unknown

// What this frame is to the relationship the annotation describes.
enum class Subject : std::uint8_t {
    None,
    SipRefresh,          // first transmission of a refresh attempt (or the initial registration)
    SipRequest,          // a further REGISTER transaction of the same attempt (after 401/407)
    SipRetransmission,   // a REGISTER sent again (SIP resend or TCP retransmission)
    SipResponse,         // a response to a tracked REGISTER
    SipDeadline,         // the first frame past a binding's deadline with no delivery
    SccpRegister,
    SccpKeepalive,
    SccpKeepaliveAck,
    SccpRetransmission,
    SccpSessionEvent,    // RegisterAck/Reject, Unregister, RST/FIN (see Field::SessionEvent)
    SccpMissed,          // a keepalive interval passed without a keepalive or an ack
    Arp,
    Misdirected,
    Syslog,
    PathLoss,
    SipTruncated,        // a REGISTER or its response cut short by the snap length: not analysed
    CaptureGap,          // the first frame after a silence of the capture point (CaptureGaps)
    ClockStep,           // the frame a step of the capture point's clock is known at (CaptureGaps)
};

inline bool is_sip(Subject s) {
    return (s >= Subject::SipRefresh && s <= Subject::SipDeadline) || s == Subject::SipTruncated;
}

// NewCallId: a SIP binding refreshed under a new Call-ID, i.e. the phone restarted and re-registered;
// on a SipDeadline, the binding lapsed once its restarted phone registered a new Contact.
// RequestUnseen: a 2xx whose REGISTER the capture lacks. AnswerUnseen: a refresh after an attempt
// whose 2xx the capture lacks.
enum class SessionEvent : std::uint8_t {
    None, RegisterAck, RegisterReject, Unregister, UnregisterAck, Reset, Fin, NewCallId, RequestUnseen, AnswerUnseen,
    RegisteredElsewhere,  // an SCCP phone registered again on another connection: the old one is given up
    UnregisterRefused     // an UnregisterAck with status Error or NAK: the phone stays registered
};

class Annotation {
public:
    Subject subject = Subject::None;
    Role role = Role::Unknown;
    std::uint32_t endpoint = 0;  // StringTable id
    std::uint32_t server = 0;    // StringTable id

    void set(Field f, std::int64_t v) {
        values_[idx(f)] = v;
        present_ |= bit(f);
    }
    bool has(Field f) const { return (present_ & bit(f)) != 0; }
    std::int64_t get(Field f) const { return values_[idx(f)]; }
    std::int64_t get_or(Field f, std::int64_t d) const { return has(f) ? get(f) : d; }
    std::uint64_t present_mask() const { return present_; }

    void raise(Expert e) { experts_ |= 1u << static_cast<unsigned>(e); }
    bool raised(Expert e) const { return (experts_ >> static_cast<unsigned>(e) & 1u) != 0; }
    std::uint32_t experts() const { return experts_; }

private:
    friend class FindingStore;
    static std::size_t idx(Field f) { return static_cast<std::size_t>(f); }
    static std::uint64_t bit(Field f) { return std::uint64_t{1} << idx(f); }
    std::uint64_t present_ = 0;
    std::uint32_t experts_ = 0;
    std::array<std::int64_t, kFieldCount> values_{};
};

// A SIP annotation of a restart: SessionEvent NewCallId.
inline bool new_call_id(const Annotation& a) {
    return a.get_or(Field::SessionEvent, 0) == static_cast<std::int64_t>(SessionEvent::NewCallId);
}

// Interned strings (endpoint names, servers): annotations keep ids, not copies. Id 0 is "". Kept
// as valid UTF-8, as Wireshark's string fields carry text: each byte of an ill-formed sequence is
// U+FFFD, and looks up as such.
class StringTable {
public:
    StringTable();
    std::uint32_t intern(std::string_view s);
    std::uint32_t find(std::string_view s) const;  // 0 when absent
    const std::string& get(std::uint32_t id) const;
    std::size_t size() const { return strings_.size(); }
    std::size_t bytes() const;

private:
    std::deque<std::string> strings_;  // a deque never moves its elements: the index keys stay valid
    std::unordered_map<std::string_view, std::uint32_t> index_;
};

// Per-frame cache of annotations: written once on the first pass in frame order, read on every
// pass. Compact, because it holds something for nearly every frame of a capture: per frame, a
// count and the annotations in one byte arena, each value a variable-length integer relative to
// what it is usually near (links relative to the frame, a second time relative to the first).
class FindingStore {
public:
    void add(std::uint32_t frame, const Annotation& a);
    // Number of annotations of a frame and the i-th one.
    std::size_t count(std::uint32_t frame) const;
    Annotation get(std::uint32_t frame, std::size_t i) const;
    // The experts raised by any of a frame's annotations (bits as Annotation::experts()), without
    // decoding them.
    std::uint32_t experts(std::uint32_t frame) const;
    std::size_t bytes() const;
    void clear();
    bool empty() const { return last_frame_ == 0; }  // nothing annotated yet

    // Frame numbers are Wireshark's (consecutive from 1): the index is a plain array by frame.
    // A number further than this beyond the highest one so far is not kept.
    static constexpr std::uint32_t kMaxFrameJump = 1u << 20;
    static constexpr std::size_t kMaxPerFrame = 255;

private:
    // The arena is a list of chunks (4 KiB doubling to 1 MiB): growing never copies what is stored,
    // where a vector's reallocation holds two copies at once and its doubling leaves up to half
    // unused. A frame's annotations lie in one chunk. Positions are chunk << kChunkBits | offset.
    static constexpr unsigned kChunkBits = 20;
    static constexpr std::size_t kFirstChunk = 4096;
    static constexpr std::size_t kMaxChunks = (std::size_t{1} << (32 - kChunkBits)) - 1;
    const std::uint8_t* at(std::uint32_t pos) const {
        return chunks_[pos >> kChunkBits].get() + (pos & ((1u << kChunkBits) - 1));
    }
    bool next_chunk(std::size_t need);

    std::vector<std::uint32_t> offsets_;  // by frame: 1 + position of its count byte, 0 = none
    // By frame, one bit: an annotation raised an expert. Most annotated frames raise none, and
    // summary lines ask every frame.
    std::vector<std::uint64_t> raised_;
    std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
    std::size_t chunk_size_ = 0;          // of the last chunk
    std::size_t used_ = 0;                // bytes used in the last chunk
    std::size_t frame_at_ = 0;            // the last frame's count byte in the last chunk
    std::size_t chunk_bytes_ = 0;
    std::uint32_t last_frame_ = 0;        // the frame annotations are being appended to
    std::int64_t time_base_ = 0;          // the first absolute time stored
    bool has_time_base_ = false;
};

}  // namespace ka
