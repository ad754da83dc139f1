// The "Keepalive Analysis" post-dissector: registration, and per frame the TRANSUM pattern:
// analyse on the first pass, cache per frame (in the engine), render from the cache on every pass.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "protocol.h"

#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/unit_strings.h>

#include <iterator>
#include <new>
#include <tuple>
#include <type_traits>

#include "../core/engine.h"
#include "../core/messages.h"
#include "extract.h"
#include "ids.h"
#include "render.h"
#include "stats.h"

namespace kaws {

int proto_keepalive = -1;
int keepalive_tap = -1;
int hf_endpoint = -1;
int hf_server = -1;
int hf_role = -1;
int hf_field[ka::kFieldCount];
int ett[ett_count];
int hf_group[ett_count];
expert_field ei[ka::kExpertCount];
bool pref_info_column = true;

namespace {

dissector_handle_t keepalive_handle;

// Preferences, in the units users set them in.
unsigned pref_refresh_delta = 5;
unsigned pref_grace_window = 15;
unsigned pref_late_tolerance_ms = 1000;
unsigned pref_sccp_interval = 30;
unsigned pref_sccp_backup_interval = 60;
unsigned pref_sccp_missed_threshold = 3;
unsigned pref_loss_pattern_min = 3;
// A boolean preference's variable: a gboolean up to Wireshark 4.2, a bool in 4.4. The type is
// taken from the header's declaration, so the glue builds against either.
template <class F>
struct LastParameter;
template <class R, class... A>
struct LastParameter<R (*)(A...)> {
    using type = std::remove_pointer_t<std::tuple_element_t<sizeof...(A) - 1, std::tuple<A...>>>;
};
using PrefBool = LastParameter<decltype(&prefs_register_bool_preference)>::type;
PrefBool pref_info_column_var = TRUE;

// One engine per open capture: created by the init routine (file open, re-dissection after a
// preference change), destroyed by the cleanup routine.
ka::Engine* engine = nullptr;
// Reused for every frame.
ka::RawFrame raw;
std::vector<std::string_view> tls_data;

ka::Config current_config() {
    ka::Config c;
    c.refresh_delta = ka::seconds(pref_refresh_delta);
    c.grace_window = ka::seconds(pref_grace_window);
    c.late_tolerance = ka::millis(pref_late_tolerance_ms);
    c.sccp_interval = pref_sccp_interval;
    c.sccp_backup_interval = pref_sccp_backup_interval;
    c.sccp_missed_threshold = pref_sccp_missed_threshold;
    c.loss_pattern_min = pref_loss_pattern_min;
    return c;
}

void init_engine() {
    pref_info_column = pref_info_column_var != 0;
    try {
        delete engine;
        engine = nullptr;
        engine = new ka::Engine(current_config());
    } catch (...) {
        engine = nullptr;  // out of memory: the protocol stays silent rather than crash
    }
}

void cleanup_engine() {
    delete engine;
    engine = nullptr;
}

// Never let a C++ exception reach Wireshark's C (longjmp) world.
void analyse_first_pass(tvbuff_t* tvb, packet_info* pinfo) {
    try {
        raw_frame(tvb, pinfo, raw, tls_data);
        engine->process(raw);
    } catch (...) {
        // A frame the engine could not take (e.g. out of memory) stays unannotated.
    }
}

int dissect_keepalive(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void*) {
    if (!engine) return 0;
    if (!PINFO_FD_VISITED(pinfo)) analyse_first_pass(tvb, pinfo);
    return render_frame(tvb, pinfo, tree, *engine);
}

// The fields' value strings, from the engine's tables: one list of names each.
value_string reason_names[std::size(ka::kReasonNames) + 1];
value_string session_event_names[std::size(ka::kSessionEventNames) + 1];

int& hf(ka::Field f) { return hf_field[static_cast<std::size_t>(f)]; }
expert_field& expert(ka::Expert e) { return ei[static_cast<std::size_t>(e)]; }

using E = ka::Expert;
// Expert infos of SPEC §4, and keepalive.truncated, keepalive.capture_gap and keepalive.clock_step
// (a capture that cannot answer is a warning, as Wireshark's own "previous segment not captured"
// is): the one place that says their names, groups and severities.
ei_register_info eis[] = {
    {&expert(E::Retransmission), {"keepalive.retransmission", PI_SEQUENCE, PI_NOTE, "REGISTER / KeepAliveReq sent again", EXPFILL}},
    {&expert(E::RefreshLate), {"keepalive.refresh_late", PI_SEQUENCE, PI_WARN, "Refresh started later than expected", EXPFILL}},
    {&expert(E::GraceBreach), {"keepalive.grace_breach", PI_SEQUENCE, PI_ERROR, "Registrar deadline passed before delivery", EXPFILL}},
    {&expert(E::BreachForecast), {"keepalive.breach_forecast", PI_SEQUENCE, PI_WARN, "Retransmission back-off will breach the grace window", EXPFILL}},
    {&expert(E::LossPattern), {"keepalive.loss_pattern", PI_SEQUENCE, PI_WARN, "Consecutive attempts lost their first transmission", EXPFILL}},
    {&expert(E::BackupKeepalive), {"keepalive.backup_keepalive", PI_SEQUENCE, PI_CHAT, "Keepalive REGISTER to a backup (Expires 0, cisco-keep-alive)", EXPFILL}},
    {&expert(E::Unregister), {"keepalive.unregister", PI_SEQUENCE, PI_NOTE, "De-registration", EXPFILL}},
    {&expert(E::KeepaliveUnacked), {"keepalive.keepalive_unacked", PI_SEQUENCE, PI_WARN, "SCCP keepalive to the primary not acknowledged", EXPFILL}},
    {&expert(E::Failover), {"keepalive.failover", PI_SEQUENCE, PI_ERROR, "Missed-keepalive threshold reached", EXPFILL}},
    {&expert(E::ArpMismatch), {"keepalive.arp_mismatch", PI_SEQUENCE, PI_WARN, "ARP claim contradicts the owner's Ethernet source", EXPFILL}},
    {&expert(E::Misdirected), {"keepalive.misdirected", PI_SEQUENCE, PI_WARN, "Signalling sent to a MAC that is not the server's", EXPFILL}},
    {&expert(E::EndpointUnregistered), {"keepalive.endpoint_unregistered", PI_RESPONSE_CODE, PI_ERROR, "CUCM EndPointUnregistered", EXPFILL}},
    {&expert(E::PathLoss), {"keepalive.path_loss", PI_SEQUENCE, PI_WARN, "Seen at one capture point, never at the other", EXPFILL}},
    {&expert(E::Truncated), {"keepalive.truncated", PI_UNDECODED, PI_WARN, "Registration message cut short by the snap length: not analysed", EXPFILL}},
    {&expert(E::CaptureGap), {"keepalive.capture_gap", PI_SEQUENCE, PI_WARN, "Capture recorded nothing while refreshes or keepalives fell due", EXPFILL}},
    {&expert(E::ClockStep), {"keepalive.clock_step", PI_SEQUENCE, PI_WARN, "Capture clock stepped: what was expected before it is not timed across it", EXPFILL}},
};

}  // namespace

int expert_severity(ka::Expert e) {
    for (const ei_register_info& r : eis)
        if (r.ids == &expert(e)) return r.eiinfo.severity;
    return 0;
}

void register_protocol() {
    for (int& id : hf_field) id = -1;
    for (int& id : ett) id = -1;
    for (int& id : hf_group) id = -1;
    for (std::size_t i = 0; i < std::size(ka::kReasonNames); ++i)
        reason_names[i] = {ka::kReasonNames[i].code, ka::kReasonNames[i].name};
    reason_names[std::size(ka::kReasonNames)] = {0, nullptr};
    for (std::size_t i = 0; i < std::size(ka::kSessionEventNames); ++i)
        session_event_names[i] = {guint32(ka::kSessionEventNames[i].event), ka::kSessionEventNames[i].label};
    session_event_names[std::size(ka::kSessionEventNames)] = {0, nullptr};

    using F = ka::Field;
    // Field table: names are the public interface of SPEC §4.
    static hf_register_info hfs[] = {
        {&hf_endpoint, {"Endpoint", "keepalive.endpoint", FT_STRING, BASE_NONE, nullptr, 0x0,
                        "Device name (SEP...) if known, else AOR, else IP", HFILL}},
        {&hf_server, {"Server", "keepalive.server", FT_STRING, BASE_NONE, nullptr, 0x0,
                      "Registrar or call manager: ip:port/transport", HFILL}},
        {&hf_role, {"Role", "keepalive.role", FT_STRING, BASE_NONE, nullptr, 0x0, "primary or backup", HFILL}},
        {&hf(F::ExpiresGranted), {"Granted expiry", "keepalive.expires.granted", FT_UINT32, BASE_DEC | BASE_UNIT_STRING,
                                  &units_second_seconds, 0x0, "Expiry granted by the registrar's 2xx", HFILL}},
        {&hf(F::RefreshExpected), {"Refresh expected", "keepalive.refresh.expected", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL,
                                   nullptr, 0x0, "2xx time + granted expiry - refresh delta", HFILL}},
        {&hf(F::RefreshDeadline), {"Refresh deadline", "keepalive.refresh.deadline", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL,
                                   nullptr, 0x0, "Expected refresh + grace window", HFILL}},
        {&hf(F::RefreshInterval), {"Refresh interval", "keepalive.refresh.interval", FT_RELATIVE_TIME, BASE_NONE, nullptr,
                                   0x0, "Time since the previous 2xx", HFILL}},
        {&hf(F::RefreshLateness), {"Refresh lateness", "keepalive.refresh.lateness", FT_RELATIVE_TIME, BASE_NONE, nullptr,
                                   0x0, "Time after the expected refresh (negative: early)", HFILL}},
        {&hf(F::RefreshPrev), {"Expectation set in", "keepalive.refresh.prev", FT_FRAMENUM, BASE_NONE,
                               FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, "The 2xx that set the expected refresh", HFILL}},
        {&hf(F::RefreshMargin), {"Margin", "keepalive.refresh.margin", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
                                 "Deadline - delivery time (negative: breach)", HFILL}},
        {&hf(F::GraceOverrun), {"Grace window overrun", "keepalive.grace.overrun", FT_RELATIVE_TIME, BASE_NONE, nullptr,
                                0x0, "How long after the deadline", HFILL}},
        {&hf(F::RetransCount), {"Retransmissions", "keepalive.retrans.count", FT_UINT32, BASE_DEC, nullptr, 0x0,
                                "Transmissions before this one; on the delivery frame the total", HFILL}},
        {&hf(F::RetransOriginal), {"First transmission", "keepalive.retrans.original", FT_FRAMENUM, BASE_NONE,
                                   FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0, nullptr, HFILL}},
        {&hf(F::RetransGap), {"Gap to previous transmission", "keepalive.retrans.gap", FT_RELATIVE_TIME, BASE_NONE,
                              nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::LossConsecutive), {"Consecutive lost first transmissions", "keepalive.loss.consecutive", FT_UINT32,
                                   BASE_DEC, nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::SccpInterval), {"Keepalive interval", "keepalive.sccp.interval", FT_UINT32, BASE_DEC | BASE_UNIT_STRING,
                                &units_second_seconds, 0x0, "Expected SCCP keepalive interval", HFILL}},
        {&hf(F::SccpGap), {"Time since previous keepalive", "keepalive.sccp.gap", FT_RELATIVE_TIME, BASE_NONE, nullptr,
                           0x0, "On a keepalive overdue: since the call manager's silence clock started (last keepalive, "
                                "RegisterAck, or the end of a capture gap or clock step)", HFILL}},
        {&hf(F::SccpAckLatency), {"Ack latency", "keepalive.sccp.ack_latency", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
                                  "KeepAliveReq to KeepAliveAck", HFILL}},
        {&hf(F::SccpAckLatencyMean), {"Mean ack latency", "keepalive.sccp.ack_latency_mean", FT_RELATIVE_TIME, BASE_NONE,
                                      nullptr, 0x0, "Running mean: the phone's normal-failover wait", HFILL}},
        {&hf(F::SccpMissed), {"Consecutive unacknowledged", "keepalive.sccp.missed", FT_UINT32, BASE_DEC, nullptr, 0x0,
                              "Keepalives unacknowledged before this one", HFILL}},
        {&hf(F::ArpIp), {"Address", "keepalive.arp.ip", FT_IPv4, BASE_NONE, nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::ArpClaimedMac), {"Claimed by MAC", "keepalive.arp.claimed_mac", FT_ETHER, BASE_NONE, nullptr, 0x0,
                                 "MAC that ARP says owns the address", HFILL}},
        {&hf(F::ArpOwnerMac), {"Owner MAC", "keepalive.arp.owner_mac", FT_ETHER, BASE_NONE, nullptr, 0x0,
                               "Ethernet source of the address's own frames", HFILL}},
        {&hf(F::ArpFrame), {"ARP claim in", "keepalive.arp.frame", FT_FRAMENUM, BASE_NONE,
                            FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, "The ARP reply that caused it", HFILL}},
        {&hf(F::SyslogReason), {"Unregistration reason", "keepalive.syslog.reason", FT_UINT32, BASE_DEC,
                                VALS(reason_names), 0x0, nullptr, HFILL}},
        {&hf(F::SyslogLastSeen), {"Last keepalive/refresh in", "keepalive.syslog.last_seen", FT_FRAMENUM, BASE_NONE,
                                  FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, nullptr, HFILL}},
        {&hf(F::RefreshNumber), {"Refresh number", "keepalive.refresh.number", FT_UINT32, BASE_DEC, nullptr, 0x0,
                                 "1 = the registration, then each refresh attempt", HFILL}},
        {&hf(F::DeliveryFrame), {"Delivered in", "keepalive.delivery.frame", FT_FRAMENUM, BASE_NONE,
                                 FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, "First evidence the server received it", HFILL}},
        {&hf(F::ForecastRefreshes), {"Breach expected in (refreshes)", "keepalive.forecast.refreshes", FT_UINT32,
                                     BASE_DEC, nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::ForecastTime), {"Breach expected at", "keepalive.forecast.time", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL,
                                nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::ForecastGap), {"Projected retransmission gap", "keepalive.forecast.gap", FT_RELATIVE_TIME, BASE_NONE,
                               nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::IdleInterval), {"Idle before loss", "keepalive.loss.idle", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
                                "Idle time before the lost first transmission", HFILL}},
        {&hf(F::ArpClaims), {"Addresses claimed by that MAC", "keepalive.arp.claims", FT_UINT32, BASE_DEC, nullptr, 0x0,
                             nullptr, HFILL}},
        {&hf(F::OwnerFrame), {"Owner's frame", "keepalive.arp.owner_frame", FT_FRAMENUM, BASE_NONE,
                              FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, "A frame sent by the address's owner", HFILL}},
        {&hf(F::SyslogAge), {"Time since last keepalive/refresh", "keepalive.syslog.age", FT_RELATIVE_TIME, BASE_NONE,
                             nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::ClockOffset), {"Clock offset to other capture point", "keepalive.path.clock_offset", FT_RELATIVE_TIME,
                               BASE_NONE, nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::PeerInterface), {"Other capture point (interface)", "keepalive.path.peer_interface", FT_UINT32, BASE_DEC,
                                 nullptr, 0x0, nullptr, HFILL}},
        {&hf(F::SessionEvent), {"Session event", "keepalive.event", FT_UINT8, BASE_DEC, VALS(session_event_names), 0x0,
                                nullptr, HFILL}},
        {&hf(F::SyslogSignal), {"Last signal received", "keepalive.syslog.last_signal", FT_STRING, BASE_NONE, nullptr,
                                0x0, nullptr, HFILL}},
        {&hf(F::SyslogDeviceIp), {"Device address", "keepalive.syslog.ip", FT_STRING, BASE_NONE, nullptr, 0x0, nullptr,
                                  HFILL}},
        {&hf(F::SyslogProtocol), {"Device protocol", "keepalive.syslog.protocol", FT_STRING, BASE_NONE, nullptr, 0x0,
                                  "The signalling protocol the call manager names (SCCP, SIP)", HFILL}},
        {&hf(F::SyslogTransientReason), {"Transient connection reason", "keepalive.syslog.transient_reason", FT_UINT32,
                                         BASE_DEC, nullptr, 0x0,
                                         "EndPointTransientConnection's Reason_Code, whose codes are not the unregistration reasons'",
                                         HFILL}},
        {&hf(F::DeliveryHeldBy), {"Held behind the retransmission in", "keepalive.delivery.held_by", FT_FRAMENUM,
                                  BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
                                  "A retransmission of bytes sent before the REGISTER on its TCP connection, which "
                                  "the registrar had to receive first",
                                  HFILL}},
        {&hf(F::SccpRequestFrame), {"KeepAliveReq in", "keepalive.sccp.request", FT_FRAMENUM, BASE_NONE,
                                    FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
                                    "The keepalive this ack answers, or that went unacknowledged", HFILL}},
        {&hf(F::SccpLateness), {"Keepalive lateness", "keepalive.sccp.lateness", FT_RELATIVE_TIME, BASE_NONE, nullptr,
                                0x0, "Time since the previous keepalive - expected interval (negative: early)", HFILL}},
        {&hf(F::PathFrame), {"Seen at one capture point only", "keepalive.path.frame", FT_FRAMENUM, BASE_NONE,
                             FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
                             "The signalling to the server (keepalive, REGISTER or other) that never appeared at the other capture point", HFILL}},
        {&hf(F::SyslogCopyOf), {"Copy of the alarm in", "keepalive.syslog.copy_of", FT_FRAMENUM, BASE_NONE,
                                FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
                                "The same alarm seen first, e.g. on the other leg of a syslog relay", HFILL}},
        {&hf(F::CaptureGap), {"Capture silent for", "keepalive.capture.gap", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
                              "How long the capture point recorded no frame before this one", HFILL}},
        {&hf(F::CaptureGapFrame), {"Latest frame before", "keepalive.capture.gap_from", FT_FRAMENUM, BASE_NONE,
                                   FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
                                   "The capture point's latest frame before the gap or the clock's step", HFILL}},
        {&hf(F::CaptureUnjudged), {"Not judged", "keepalive.capture.unjudged", FT_UINT32, BASE_DEC, nullptr, 0x0,
                                   "Refreshes and keepalives that fell due while nothing was captured, or were "
                                   "expected before the capture's clock stepped",
                                   HFILL}},
        {&hf(F::ClockStep), {"Clock stepped by", "keepalive.capture.clock_step", FT_RELATIVE_TIME, BASE_NONE, nullptr,
                             0x0,
                             "The first frame on the capture clock's new time less the latest before it "
                             "(negative: set back); between two capture points, how far the other one's "
                             "clock moved against this frame's",
                             HFILL}},
        {&hf(F::ClockStepFrame), {"Clock stepped back at", "keepalive.capture.clock_step_frame", FT_FRAMENUM, BASE_NONE,
                                  FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0, "The first frame stamped back", HFILL}},
        // The field groups, named as TCP's [SEQ/ACK analysis] is (tcp.analysis), so that a filter,
        // or tshark -j, can select a group as a whole.
        {&hf_group[ett_timing], {"Timing", "keepalive.timing", FT_NONE, BASE_NONE, nullptr, 0x0,
                                 "The refresh attempt's timing", HFILL}},
        {&hf_group[ett_next], {"Next refresh, from this grant", "keepalive.next_refresh", FT_NONE, BASE_NONE, nullptr,
                               0x0, "What the 2xx's grant expects of the next refresh", HFILL}},
        {&hf_group[ett_retrans], {"Retransmissions", "keepalive.retrans", FT_NONE, BASE_NONE, nullptr, 0x0,
                                  "Transmissions, lost first transmissions and the breach forecast", HFILL}},
        {&hf_group[ett_sccp], {"SCCP keepalive", "keepalive.sccp", FT_NONE, BASE_NONE, nullptr, 0x0, nullptr, HFILL}},
        {&hf_group[ett_path], {"Path", "keepalive.path", FT_NONE, BASE_NONE, nullptr, 0x0,
                               "ARP and two capture points: where the signalling went", HFILL}},
        {&hf_group[ett_syslog], {"Call manager syslog", "keepalive.syslog", FT_NONE, BASE_NONE, nullptr, 0x0, nullptr,
                                 HFILL}},
        {&hf_group[ett_capture], {"Capture", "keepalive.capture", FT_NONE, BASE_NONE, nullptr, 0x0,
                                  "Gaps and clock steps of the capture itself", HFILL}},
    };

    static int* etts[] = {&ett[ett_keepalive], &ett[ett_timing], &ett[ett_next],   &ett[ett_retrans],
                          &ett[ett_sccp],      &ett[ett_path],   &ett[ett_syslog], &ett[ett_capture]};


    proto_keepalive = proto_register_protocol("Keepalive Analysis", "KEEPALIVE", "keepalive");
    proto_register_field_array(proto_keepalive, hfs, G_N_ELEMENTS(hfs));
    proto_register_subtree_array(etts, G_N_ELEMENTS(etts));
    expert_module_t* em = expert_register_protocol(proto_keepalive);
    expert_register_field_array(em, eis, G_N_ELEMENTS(eis));

    module_t* prefs = prefs_register_protocol(proto_keepalive, nullptr);
    prefs_register_uint_preference(prefs, "refresh_delta", "Refresh delta (s)",
                                   "The phone refreshes this long before the granted expiry (Cisco SIP profile default 5 s)",
                                   10, &pref_refresh_delta);
    prefs_register_uint_preference(prefs, "grace_window", "Grace window (s)",
                                   "How long the registrar waits past the expected refresh before it unregisters the phone (CUCM: 15 s)",
                                   10, &pref_grace_window);
    prefs_register_uint_preference(prefs, "late_tolerance_ms", "Late tolerance (ms)",
                                   "A refresh later than expected by more than this is reported as late", 10,
                                   &pref_late_tolerance_ms);
    prefs_register_uint_preference(prefs, "sccp_interval", "SCCP keepalive interval (s)",
                                   "Keepalive interval to the primary call manager when no RegisterAck is captured, "
                                   "or it gives none",
                                   10, &pref_sccp_interval);
    prefs_register_uint_preference(prefs, "sccp_backup_interval", "SCCP backup keepalive interval (s)",
                                   "Keepalive interval to the backup call manager when no RegisterAck is captured", 10,
                                   &pref_sccp_backup_interval);
    prefs_register_uint_preference(prefs, "sccp_missed_threshold", "SCCP missed-keepalive threshold",
                                   "Consecutive unacknowledged keepalives after which the phone fails over (delayed failover: 3)",
                                   10, &pref_sccp_missed_threshold);
    prefs_register_uint_preference(prefs, "loss_pattern_min", "Loss pattern minimum",
                                   "Consecutive refresh attempts whose first transmission was lost that form a loss pattern",
                                   10, &pref_loss_pattern_min);
    prefs_register_bool_preference(prefs, "info_column", "Tag the Info column",
                                   "Append a short tag such as [KA: grace breach] to the Info column of frames with a warning or error",
                                   &pref_info_column_var);

    register_init_routine(init_engine);
    register_cleanup_routine(cleanup_engine);
    keepalive_tap = register_tap("keepalive");
}

void register_handoff() {
    keepalive_handle = create_dissector_handle(dissect_keepalive, proto_keepalive);
    register_postdissector(keepalive_handle);
    resolve_protocols();
}

}  // namespace kaws
