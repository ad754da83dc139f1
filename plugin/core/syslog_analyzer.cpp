// SPDX-License-Identifier: GPL-2.0-or-later
#include "syslog_analyzer.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "ascii.h"
#include "hash.h"

namespace ka {

namespace {

// Syslog datagrams are at most a few KiB; anything past this is not a CUCM alarm header.
constexpr std::size_t kMaxScan = 8192;
constexpr std::size_t kMaxValue = 128;       // longer values are garbage, not names or addresses
constexpr std::size_t kMaxInterned = 100000;  // a flood of distinct names must not grow the table forever

// A capture on a syslog relay holds each alarm twice, CUCM -> relay and relay -> collector, the
// second with the same alarm body under a syslog header of its own (sequence number, time stamp,
// host name). The same body on another leg (addresses, ports, capture point) within kCopyWindow
// of its first sighting is a copy; so is the same body on one leg at once (captured_again: a
// datagram captured twice). On a leg that already carried it, later, it is the alarm raised
// again: a relay forwards each message once.
constexpr Nanos kCopyWindow = 2 * kSecond;
constexpr std::size_t kRecentAlarms = 64;  // remembered for copies; a flood pushes out the oldest
constexpr std::size_t kCopyLegs = 4;       // legs one alarm is followed on: a relay chain's hops

// Key names compared case-insensitively, ignoring '_': CUCM spells EndPointUnregistered's keys
// "DeviceName", "IPAddress", "Reason" and EndPointTransientConnection's "Device_name",
// "Device_IP_address", "Reason_Code". A key its alarm catalog lacks comes with a qualifier
// ("UNKNOWN_PARAMNAME:LastSignalReceived"): the name is what follows the last ':'.
bool key_is(std::string_view key, std::string_view want) {
    if (std::size_t colon = key.rfind(':'); colon != std::string_view::npos) key.remove_prefix(colon + 1);
    std::size_t j = 0;
    for (char c : key) {
        if (c == '_') continue;
        if (j == want.size()) return false;
        if (ascii::lower(c) != want[j++]) return false;
    }
    return j == want.size();
}

bool parse_uint(std::string_view s, std::uint32_t& out) {
    if (s.empty() || s.size() > 9) return false;
    std::uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    out = v;
    return true;
}

IpAddr parse_ip(std::string_view s) {
    char buf[64];
    if (s.empty() || s.size() >= sizeof buf) return {};
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    std::uint8_t b[16];
    if (inet_pton(AF_INET, buf, b) == 1)
        return IpAddr::v4(std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3]);
    if (inet_pton(AF_INET6, buf, b) == 1) return IpAddr::v6(b);
    return {};
}

// The ']' that closes the pair opened before `from`: the first one followed by the next pair, else
// the last one followed by the ':' before the alarm's text or by the end of the message. Free-text
// values (Description=Bldg [A]: Lobby) and lists (StationPID=[1,100,64,2]) hold brackets of their
// own; the alarm's text after the list holds none.
std::size_t pair_end(std::string_view text, std::size_t from) {
    std::size_t list_end = std::string_view::npos;
    for (std::size_t close = text.find(']', from); close != std::string_view::npos; close = text.find(']', close + 1)) {
        const char next = close + 1 < text.size() ? text[close + 1] : ':';
        if (next == '[') return close;
        if (next == ':' || next == '\r') list_end = close;
    }
    return list_end;
}

// The value of a "Label.:value" item of CUCM before 8.0, which writes each alarm parameter under
// its catalog name: "Device name.:SEP... Device IP address.:10.1.1.1 Protocol.:SCCP Device type.
// [Optional]:8 Device description [Optional].:Lobby Reason Code [Optional].:12 App ID:...". A label
// is `name`, then " [Optional]" and '.' in either order, then ':'. The value runs to the next
// space: those read here hold none (the description, free text, is not read).
std::string_view labelled_value(std::string_view text, std::string_view name) {
    constexpr std::string_view kOptional = " [Optional]";
    for (std::size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
        std::size_t pos = at + name.size();
        for (;;) {
            if (text.substr(pos, kOptional.size()) == kOptional) pos += kOptional.size();
            else if (pos < text.size() && text[pos] == '.') ++pos;
            else break;
        }
        if (pos >= text.size() || text[pos] != ':') continue;
        std::string_view value = text.substr(pos + 1);
        value = value.substr(0, value.find_first_of(" \t\r"));
        return value.size() > kMaxValue ? std::string_view{} : value;
    }
    return {};
}

void parse_pairs(std::string_view text, std::size_t pos, CucmAlarm& out) {
    // [Key=Value][Key=Value]...: stops at the first character that does not open another pair,
    // or at a pair cut off by truncation.
    while (pos < text.size() && text[pos] == '[') {
        std::size_t close = pair_end(text, pos + 1);
        if (close == std::string_view::npos) break;
        std::string_view pair = text.substr(pos + 1, close - pos - 1);
        pos = close + 1;
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        if (value.size() > kMaxValue) continue;
        if (key_is(key, "devicename")) out.device = value;
        else if ((key_is(key, "ipaddress") || key_is(key, "deviceipaddress")) && !value.empty()) out.ip = value;
        else if (key_is(key, "ipv6address") && out.ip.empty()) out.ip = value;  // an IPv6-only phone
        else if (key_is(key, "protocol")) out.protocol = value;
        else if (key_is(key, "lastsignalreceived")) out.signal = value;
        else if (key_is(key, "reason") || key_is(key, "reasoncode")) out.has_reason = parse_uint(value, out.reason);
    }
}

void parse_labels(std::string_view text, CucmAlarm& out) {
    out.device = labelled_value(text, "Device name");
    out.ip = labelled_value(text, "Device IP address");
    out.protocol = labelled_value(text, "Protocol");
    out.has_reason = parse_uint(labelled_value(text, "Reason Code"), out.reason);
}

}  // namespace

bool parse_cucm_alarm(std::string_view text, CucmAlarm& out) {
    using Kind = CucmAlarm::Kind;
    static constexpr std::pair<std::string_view, Kind> kAlarms[] = {
        {"EndPointUnregistered", Kind::EndPointUnregistered},
        {"EndPointTransientConnection", Kind::EndPointTransientConnection},
        {"DeviceUnregistered", Kind::DeviceUnregistered},
    };
    out = CucmAlarm{};
    text = text.substr(0, kMaxScan);
    std::size_t at = std::string_view::npos, name_len = 0;
    for (const auto& [name, kind] : kAlarms) {
        if ((at = text.find(name)) == std::string_view::npos) continue;
        out.kind = kind;
        name_len = name.size();
        at += name_len;
        break;
    }
    if (at == std::string_view::npos) return false;
    out.body = text.substr(at - name_len);
    out.body = out.body.substr(0, out.body.find_last_not_of(" \t\r") + 1);
    // CUCM 8.0 on: "Name: %[Key=Value]...". Before: "Name: Device unregistered. Label.:value ...".
    const std::size_t list = text.find_first_not_of(": ", at);
    if (list != std::string_view::npos && (text[list] == '%' || text[list] == '['))
        parse_pairs(text, text.find('[', list), out);
    else
        parse_labels(text.substr(at), out);
    return true;
}

struct SyslogAnalyzer::Impl {
    Impl(Context& c, const CapturePoints& p) : ctx(c), points(p) {}
    Context& ctx;
    const CapturePoints& points;
    std::size_t interned = 0;

    // Interned id of a value, 0 when empty or when the interning budget is spent.
    std::uint32_t intern(std::string_view s) {
        if (s.empty()) return 0;
        std::uint32_t id = ctx.strings.find(s);
        if (id != 0 || interned >= kMaxInterned) return id;
        ++interned;
        return ctx.strings.intern(s);
    }

    // An alarm's first sighting, and the legs it was seen on since.
    struct Sighting {
        std::uint64_t leg = 0;
        Nanos time = 0;
    };
    struct Alarm {
        std::uint64_t body = 0;   // hash of CucmAlarm::body
        Nanos time = 0;           // on the clock of capture point `point`
        std::uint32_t frame = 0;  // 0: an empty slot
        std::uint32_t point = 0;
        std::array<Sighting, kCopyLegs> legs{};
        std::size_t leg_count = 0;
    };
    std::array<Alarm, kRecentAlarms> recent{};  // a ring
    std::size_t recent_next = 0;

    std::uint32_t copy_of(const Frame& f, std::string_view body);
    void on_message(const Frame& f, std::string_view text);
};

// The frame of the alarm that the message in `f` copies, or 0 when it is an alarm of its own (then
// remembered in place of the oldest).
std::uint32_t SyslogAnalyzer::Impl::copy_of(const Frame& f, std::string_view body) {
    const std::uint64_t hash = hash::finish(hash::bytes(hash::kSeed, body.data(), body.size()));
    const std::uint64_t leg = direction_key(f, f.interface_id);
    const std::uint32_t point = timed_at(f);
    Alarm* original = nullptr;
    bool new_leg = false;
    for (Alarm& r : recent) {
        if (r.frame == 0 || r.body != hash || (original && r.frame < original->frame)) continue;
        // A sighting at another capture point: its time on this point's clock, if known.
        const Nanos gap = sub_sat(f.time, points.to_clock(r.time, r.point, point));
        if (gap > kCopyWindow || gap < -kCopyWindow) continue;
        const auto end = r.legs.begin() + r.leg_count;
        const auto seen = std::find_if(r.legs.begin(), end, [leg](const Sighting& s) { return s.leg == leg; });
        if (seen != end && !captured_again(f.time, seen->time)) continue;
        original = &r;
        new_leg = seen == end;
    }
    if (original) {
        if (new_leg && original->leg_count < kCopyLegs) original->legs[original->leg_count++] = {leg, f.time};
        return original->frame;
    }
    Alarm& r = recent[recent_next];
    recent_next = (recent_next + 1) % kRecentAlarms;
    r = Alarm{hash, f.time, f.number, point, {{{leg, f.time}}}, 1};
    return 0;
}

void SyslogAnalyzer::Impl::on_message(const Frame& f, std::string_view text) {
    CucmAlarm alarm;
    if (!parse_cucm_alarm(text, alarm) || (alarm.device.empty() && alarm.ip.empty())) return;
    Annotation a;
    a.subject = Subject::Syslog;
    a.endpoint = intern(alarm.device.empty() ? alarm.ip : alarm.device);
    // A transient connection's Reason_Code is an enumeration of its own, not the unregistration reasons.
    const bool transient = alarm.kind == CucmAlarm::Kind::EndPointTransientConnection;
    if (alarm.has_reason) a.set(transient ? Field::SyslogTransientReason : Field::SyslogReason, alarm.reason);
    if (std::uint32_t id = intern(alarm.signal)) a.set(Field::SyslogSignal, id);
    if (std::uint32_t id = intern(alarm.ip)) a.set(Field::SyslogDeviceIp, id);
    if (std::uint32_t id = intern(alarm.protocol)) a.set(Field::SyslogProtocol, id);

    // The endpoint's last keepalive or refresh before the message: from the address the alarm
    // names if the device was seen there (it may have moved since), else by device name, else by
    // address unless another device name was seen there (the address now belongs to another phone).
    using Activity = EndpointDirectory::Activity;
    const std::uint32_t name = alarm.device.empty() ? 0 : ctx.strings.find(alarm.device);
    const IpAddr ip = parse_ip(alarm.ip);
    const auto of_device = [&](const Activity* at) {
        return at && (alarm.device.empty() || at->name == 0 || at->name == name) ? at : nullptr;
    };
    // A frame of another capture point: its time on this message's clock, if known. Over TCP that
    // is its connection's home point's, whichever point saw the message first (Engine::process).
    const auto age = [&](const Activity* at) {
        return sub_sat(f.time, points.to_clock(at->time, at->point, timed_at(f)));
    };
    // A sign captured at another point can precede the message in the capture though it was sent
    // after it: the one before it is the last before the message.
    const auto before_message = [&](EndpointDirectory::Recent r) {
        return r.last && age(r.last) < 0 ? r.before : r.last;
    };
    const EndpointDirectory::Recent at_ip = ip.valid() ? ctx.directory.recent_by_ip(ip) : EndpointDirectory::Recent{};
    const Activity* last = nullptr;
    if (name != 0 && at_ip.last && at_ip.last->name == name) last = before_message(at_ip);
    else if (name != 0) last = before_message(ctx.directory.recent_by_name(name));
    if (!last) last = of_device(before_message(at_ip));
    // After a failover or a fallback the endpoint keeps alive with another call manager; the one
    // it left reports losing it: its last keepalive there is the one that counts.
    const auto sent_to_sender = [&](const Activity* at) {
        const IpAddr* server = at ? ctx.server_ip(at->server) : nullptr;
        return server && *server == f.src_ip;
    };
    if (last && ip.valid() && !sent_to_sender(last))
        if (const auto* left = of_device(ctx.directory.left(ip)); left && sent_to_sender(left)) last = left;
    if (last && last->frame < f.number && age(last) >= 0) {
        a.server = last->server;  // the call manager the endpoint kept alive with
        a.set(Field::SyslogLastSeen, last->frame);
        a.set(Field::SyslogAge, age(last));
    }
    // A copy is reported by its original. A transient connection is a registration that did not
    // complete: worth seeing, not an error.
    if (std::uint32_t original = copy_of(f, alarm.body)) a.set(Field::SyslogCopyOf, original);
    else if (!transient) a.raise(Expert::EndpointUnregistered);
    ctx.sink.emit(a);
}

SyslogAnalyzer::SyslogAnalyzer(Context& ctx, const CapturePoints& points) : impl_(std::make_unique<Impl>(ctx, points)) {}
SyslogAnalyzer::~SyslogAnalyzer() = default;

// A relay may forward several messages in one datagram, one a line.
void SyslogAnalyzer::on_frame(const Frame& f) {
    for (std::string_view s : f.syslog) {
        while (!s.empty()) {
            const std::size_t eol = std::min(s.find('\n'), s.size());
            impl_->on_message(f, s.substr(0, eol));
            s.remove_prefix(std::min(eol + 1, s.size()));
        }
    }
}

std::size_t SyslogAnalyzer::state_bytes() const { return sizeof(Impl); }

}  // namespace ka
