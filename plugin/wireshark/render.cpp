// SPDX-License-Identifier: GPL-2.0-or-later
#include "render.h"

#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include <cstring>
#include <new>

#include "../core/messages.h"
#include "ids.h"
#include "stats.h"

namespace kaws {

namespace {

using ka::Field;

enum class Kind { Uint, AbsTime, RelTime, Frame, Ipv4, Ether, StringId };

struct FieldSpec {
    Field field;
    Kind kind;
    Subtree group;
};

// Display order and subtree of each field: timing, retransmissions, SCCP, path, syslog, capture.
const FieldSpec kFields[] = {
    {Field::RefreshNumber, Kind::Uint, ett_timing},
    {Field::ExpiresGranted, Kind::Uint, ett_timing},
    {Field::RefreshExpected, Kind::AbsTime, ett_timing},
    {Field::RefreshDeadline, Kind::AbsTime, ett_timing},
    {Field::RefreshInterval, Kind::RelTime, ett_timing},
    {Field::RefreshLateness, Kind::RelTime, ett_timing},
    {Field::RefreshPrev, Kind::Frame, ett_timing},
    {Field::RefreshMargin, Kind::RelTime, ett_timing},
    {Field::DeliveryFrame, Kind::Frame, ett_timing},
    {Field::DeliveryHeldBy, Kind::Frame, ett_timing},
    {Field::GraceOverrun, Kind::RelTime, ett_timing},
    {Field::RetransCount, Kind::Uint, ett_retrans},
    {Field::RetransOriginal, Kind::Frame, ett_retrans},
    {Field::RetransGap, Kind::RelTime, ett_retrans},
    {Field::LossConsecutive, Kind::Uint, ett_retrans},
    {Field::IdleInterval, Kind::RelTime, ett_retrans},
    {Field::ForecastRefreshes, Kind::Uint, ett_retrans},
    {Field::ForecastTime, Kind::AbsTime, ett_retrans},
    {Field::ForecastGap, Kind::RelTime, ett_retrans},
    {Field::SccpInterval, Kind::Uint, ett_sccp},
    {Field::SccpGap, Kind::RelTime, ett_sccp},
    {Field::SccpLateness, Kind::RelTime, ett_sccp},
    {Field::SccpAckLatency, Kind::RelTime, ett_sccp},
    {Field::SccpAckLatencyMean, Kind::RelTime, ett_sccp},
    {Field::SccpMissed, Kind::Uint, ett_sccp},
    {Field::SccpRequestFrame, Kind::Frame, ett_sccp},
    {Field::SessionEvent, Kind::Uint, ett_sccp},
    {Field::ArpIp, Kind::Ipv4, ett_path},
    {Field::ArpClaimedMac, Kind::Ether, ett_path},
    {Field::ArpOwnerMac, Kind::Ether, ett_path},
    {Field::ArpFrame, Kind::Frame, ett_path},
    {Field::ArpClaims, Kind::Uint, ett_path},
    {Field::OwnerFrame, Kind::Frame, ett_path},
    {Field::ClockOffset, Kind::RelTime, ett_path},
    {Field::PathFrame, Kind::Frame, ett_path},
    {Field::PeerInterface, Kind::Uint, ett_path},
    {Field::SyslogReason, Kind::Uint, ett_syslog},
    {Field::SyslogTransientReason, Kind::Uint, ett_syslog},
    {Field::SyslogSignal, Kind::StringId, ett_syslog},
    {Field::SyslogDeviceIp, Kind::StringId, ett_syslog},
    {Field::SyslogProtocol, Kind::StringId, ett_syslog},
    {Field::SyslogLastSeen, Kind::Frame, ett_syslog},
    {Field::SyslogAge, Kind::RelTime, ett_syslog},
    {Field::SyslogCopyOf, Kind::Frame, ett_syslog},
    {Field::CaptureGap, Kind::RelTime, ett_capture},
    {Field::CaptureGapFrame, Kind::Frame, ett_capture},
    {Field::CaptureUnjudged, Kind::Uint, ett_capture},
    {Field::ClockStep, Kind::RelTime, ett_capture},
    {Field::ClockStepFrame, Kind::Frame, ett_capture},
};

// A 2xx sets the next refresh's expectation, while its margin and refresh number are those of
// the attempt it ends: side by side, a margin of seconds would sit next to a deadline minutes away.
// A SIP binding's event (a restart, a message the capture lacks) is about its timing.
Subtree group_of(const FieldSpec& spec, const ka::Annotation& a) {
    const bool next = spec.field == Field::ExpiresGranted || spec.field == Field::RefreshExpected ||
                      spec.field == Field::RefreshDeadline;
    if (next && a.has(Field::ExpiresGranted)) return ett_next;
    return spec.field == Field::SessionEvent && ka::is_sip(a.subject) ? ett_timing : spec.group;
}

nstime_t to_nstime(ka::Nanos t) {
    nstime_t n;
    n.secs = static_cast<time_t>(t / ka::kSecond);
    n.nsecs = static_cast<int>(t % ka::kSecond);  // same sign as secs: how Wireshark shows negative times
    return n;
}

// Text is built by C++ code and copied into pinfo->pool before any Wireshark call, so that no
// object with a destructor is alive if Wireshark unwinds with longjmp.
const char* pool_copy(packet_info* pinfo, const std::string& s) { return wmem_strdup(pinfo->pool, s.c_str()); }

const char* summary_text(packet_info* pinfo, const ka::Annotation& a, const ka::Engine& engine) {
    try {
        return pool_copy(pinfo, ka::summary(a, engine.strings()));
    } catch (...) {
        return "";
    }
}

const char* expert_text(packet_info* pinfo, ka::Expert e, const ka::Annotation& a, const ka::Engine& engine) {
    try {
        return pool_copy(pinfo, ka::expert_message(e, a, engine.strings(), engine.config()));
    } catch (...) {
        return "";
    }
}

void add_field(proto_tree* tree, tvbuff_t* tvb, const FieldSpec& spec, const ka::Annotation& a, const ka::Engine& engine) {
    int hf = hf_field[static_cast<std::size_t>(spec.field)];
    std::int64_t v = a.get(spec.field);
    proto_item* it = nullptr;
    switch (spec.kind) {
    case Kind::Uint:
    case Kind::Frame:
        it = proto_tree_add_uint(tree, hf, tvb, 0, 0, static_cast<guint32>(v));
        break;
    case Kind::AbsTime:
    case Kind::RelTime: {
        nstime_t t = to_nstime(v);
        it = proto_tree_add_time(tree, hf, tvb, 0, 0, &t);
        break;
    }
    case Kind::Ipv4:
        it = proto_tree_add_ipv4(tree, hf, tvb, 0, 0, g_htonl(static_cast<guint32>(v)));
        break;
    case Kind::Ether: {
        guint8 mac[6];
        for (int i = 0; i < 6; ++i) mac[i] = static_cast<guint8>(static_cast<std::uint64_t>(v) >> (40 - 8 * i));
        it = proto_tree_add_ether(tree, hf, tvb, 0, 0, mac);
        break;
    }
    case Kind::StringId:
        it = proto_tree_add_string(tree, hf, tvb, 0, 0, engine.strings().get(static_cast<std::uint32_t>(v)).c_str());
        break;
    }
    proto_item_set_generated(it);
}

void add_experts(packet_info* pinfo, proto_item* item, const ka::Annotation& a, const ka::Engine& engine) {
    for (std::size_t e = 0; e < ka::kExpertCount; ++e) {
        auto ex = static_cast<ka::Expert>(e);
        if (a.raised(ex)) expert_add_info_format(pinfo, item, &ei[e], "%s", expert_text(pinfo, ex, a, engine));
    }
}

void render_annotation(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, const ka::Annotation& a,
                       const ka::Engine& engine) {
    proto_item* top = proto_tree_add_item(tree, proto_keepalive, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(top);
    proto_tree* sub = proto_item_add_subtree(top, ett[ett_keepalive]);
    // The summary is text for a person: build it only for a tree that is shown, not for summary
    // lines, -T fields or filtering (measured: 1% of tshark's instructions on the fleet capture).
    if (top && PTREE_DATA(tree)->visible) proto_item_append_text(top, ": %s", summary_text(pinfo, a, engine));

    const ka::StringTable& strings = engine.strings();
    if (a.endpoint) proto_item_set_generated(proto_tree_add_string(sub, hf_endpoint, tvb, 0, 0, strings.get(a.endpoint).c_str()));
    if (a.server) proto_item_set_generated(proto_tree_add_string(sub, hf_server, tvb, 0, 0, strings.get(a.server).c_str()));
    if (a.role != ka::Role::Unknown)
        proto_item_set_generated(proto_tree_add_string(sub, hf_role, tvb, 0, 0, ka::role_name(a.role)));

    proto_tree* groups[ett_count] = {};
    for (const FieldSpec& spec : kFields) {
        if (!a.has(spec.field)) continue;
        const Subtree group = group_of(spec, a);
        proto_tree*& g = groups[group];
        if (!g) {
            // Generated like everything under it, as TCP's [SEQ/ACK analysis] and [Timestamps] are.
            proto_item* title = proto_tree_add_item(sub, hf_group[group], tvb, 0, 0, ENC_NA);
            proto_item_set_generated(title);
            g = proto_item_add_subtree(title, ett[group]);
        }
        add_field(g, tvb, spec, a, engine);
    }

    add_experts(pinfo, top, a, engine);
}

}  // namespace

int render_frame(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, const ka::Engine& engine) {
    std::size_t n = engine.count(pinfo->num);
    if (n == 0) return 0;
    // Summary lines without a tap of ours: only expert infos (and the Info tag they bring) show.
    // Most annotated frames raise none, and need not be decoded at all.
    if (!tree && !have_tap_listener(keepalive_tap) && engine.experts(pinfo->num) == 0) return static_cast<int>(n);

    auto* items = static_cast<ka::Annotation*>(wmem_alloc(pinfo->pool, n * sizeof(ka::Annotation)));
    int worst = 0;
    ka::Expert worst_expert = ka::Expert::Count;
    for (std::size_t i = 0; i < n; ++i) {
        new (&items[i]) ka::Annotation(engine.get(pinfo->num, i));  // trivially destructible
        // Without a tree (summary lines) only the experts' taps, the Info column and our tap remain.
        if (tree) render_annotation(tvb, pinfo, tree, items[i], engine);
        else if (items[i].experts()) add_experts(pinfo, nullptr, items[i], engine);
        for (std::size_t e = 0; e < ka::kExpertCount; ++e) {
            auto ex = static_cast<ka::Expert>(e);
            if (items[i].raised(ex) && expert_severity(ex) > worst) {
                worst = expert_severity(ex);
                worst_expert = ex;
            }
        }
    }
    if (pref_info_column && worst >= PI_WARN) col_append_fstr(pinfo->cinfo, COL_INFO, " [KA: %s]", ka::info_tag(worst_expert));

    if (have_tap_listener(keepalive_tap)) {
        auto* rec = wmem_new(pinfo->pool, TapRecord);
        rec->items = items;
        rec->count = static_cast<unsigned>(n);
        rec->strings = &engine.strings();
        tap_queue_packet(keepalive_tap, pinfo, rec);
    }
    return static_cast<int>(n);
}

}  // namespace kaws
