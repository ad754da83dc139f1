// SPDX-License-Identifier: GPL-2.0-or-later
#include "messages.h"

#include <algorithm>
#include <iterator>

#include "events.h"

namespace ka {

namespace {

std::string frame_ref(std::int64_t frame) { return "frame " + std::to_string(frame); }

const char* what_is_sent(const Annotation& a) {
    switch (a.subject) {
    case Subject::SccpKeepalive:
    case Subject::SccpRetransmission:
    case Subject::SccpMissed: return "KeepAliveReq";
    default: return "REGISTER";
    }
}

// "back 60.0 s", "ahead 3.0 s": which way and how far a clock stepped.
std::string step_words(std::int64_t step) {
    return step < 0 ? "back " + format_duration(sub_sat(0, step)) : "ahead " + format_duration(step);
}

std::string plural(std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "1 keepalive", "3 consecutive keepalives": a run of one is not consecutive.
std::string run_of(std::int64_t n, const char* one, const char* many) {
    return n == 1 ? plural(n, one, many) : std::to_string(n) + " consecutive " + many;
}

const char* session_event_name(std::int64_t e) {
    for (const SessionEventName& n : kSessionEventNames)
        if (static_cast<std::int64_t>(n.event) == e) return n.word;
    return "";
}

// "refresh 6", "refresh 6 resent", "de-registration": what a SIP annotation is about.
std::string sip_subject(const Annotation& a) {
    // A backup binding's REGISTERs are keepalives, not refreshes.
    std::string what = std::string(a.role == Role::Backup ? "keepalive" : "refresh") +
                       (a.has(Field::RefreshNumber) ? " " + std::to_string(a.get(Field::RefreshNumber)) : "");
    switch (a.subject) {
    case Subject::SipRefresh:
        if (a.raised(Expert::Unregister)) return "de-registration";
        if (new_call_id(a)) return what + " (re-registration, new Call-ID)";
        break;
    case Subject::SipRequest: return what + " REGISTER retry";
    case Subject::SipRetransmission: return what + " resent";
    case Subject::SipDeadline:
        // Past the deadline without a breach: the phone registered a new Contact (its successor).
        if (!a.raised(Expert::GraceBreach))
            return what + " superseded: re-registered from a new Contact" + (new_call_id(a) ? " under a new Call-ID" : "");
        return what + " deadline passed";
    default: break;
    }
    // What the capture lacks, and so what the analysis cannot tell.
    if (a.has(Field::SessionEvent)) {
        const auto e = static_cast<SessionEvent>(a.get(Field::SessionEvent));
        if (e == SessionEvent::RequestUnseen || e == SessionEvent::AnswerUnseen)
            return what + " (" + session_event_name(a.get(Field::SessionEvent)) + ")";
    }
    return what;
}

}  // namespace

const SessionEventName kSessionEventNames[11] = {
    {SessionEvent::RegisterAck, "RegisterAck", "RegisterAck"},
    {SessionEvent::RegisterReject, "RegisterReject", "RegisterReject"},
    {SessionEvent::Unregister, "UnregisterReq", "UnregisterReq"},
    {SessionEvent::UnregisterAck, "UnregisterAck", "UnregisterAck"},
    {SessionEvent::Reset, "TCP reset", "TCP reset"},
    {SessionEvent::Fin, "TCP FIN", "TCP FIN"},
    {SessionEvent::NewCallId, "SIP re-registration with a new Call-ID", "new Call-ID"},
    {SessionEvent::RequestUnseen, "REGISTER not captured", "REGISTER not captured"},
    {SessionEvent::AnswerUnseen, "previous 2xx not captured", "previous 2xx not captured"},
    {SessionEvent::RegisteredElsewhere, "SCCP phone registered again on another connection",
     "registered again on another connection"},
    {SessionEvent::UnregisterRefused, "UnregisterAck refusing the unregistration (Error, NAK)", "UnregisterAck refusing it"},
};

static_assert(std::size(kSessionEventNames) == static_cast<std::size_t>(SessionEvent::UnregisterRefused),
              "a name for every SessionEvent but None");

const ReasonName kReasonNames[23] = {
    {1, "Unknown"},
    {6, "ConnectivityError"},
    {8, "DeviceInitiatedReset"},
    {9, "CallManagerReset"},
    {10, "DeviceUnregistered"},
    {11, "MalformedRegisterMsg"},
    {12, "SCCPDeviceThrottling"},
    {13, "KeepAliveTimeout"},
    {14, "ConfigurationMismatch"},
    {15, "CallManagerRestart"},
    {16, "DuplicateRegistration"},
    {17, "CallManagerApplyConfig"},
    {18, "DeviceNoResponse"},
    {19, "EMLoginLogout"},
    {20, "EMCCLoginLogout"},
    {21, "PowerSavePlus"},
    {22, "CallManagerForcedRestart"},
    {23, "SourceIPAddrChanged"},
    {24, "SourcePortChanged"},
    {25, "RegistrationSequenceError"},
    {26, "InvalidCapabilities"},
    {28, "FallbackInitiated"},
    {29, "DeviceSwitch"},
};

const char* reason_name(std::uint32_t code) {
    for (const ReasonName& r : kReasonNames)
        if (r.code == code) return r.name;
    return nullptr;
}

const char* info_tag(Expert e) {
    switch (e) {
    case Expert::GraceBreach: return "grace breach";
    case Expert::Failover: return "failover";
    case Expert::EndpointUnregistered: return "unregistered";
    case Expert::BreachForecast: return "breach forecast";
    case Expert::LossPattern: return "loss pattern";
    case Expert::RefreshLate: return "late";
    case Expert::KeepaliveUnacked: return "unacked";
    case Expert::ArpMismatch: return "ARP mismatch";
    case Expert::Misdirected: return "misdirected";
    case Expert::PathLoss: return "path loss";
    case Expert::Retransmission: return "retransmission";
    case Expert::BackupKeepalive: return "backup keepalive";
    case Expert::Unregister: return "unregister";
    case Expert::Truncated: return "cut short";
    case Expert::CaptureGap: return "capture gap";
    case Expert::ClockStep: return "clock step";
    case Expert::Count: break;
    }
    return "";
}

std::string expert_message(Expert e, const Annotation& a, const StringTable& strings, const Config& config) {
    const std::string& endpoint = strings.get(a.endpoint);
    switch (e) {
    case Expert::Retransmission: {
        std::string m = std::string(what_is_sent(a)) + " sent again";
        if (a.has(Field::RetransCount)) m += " (retransmission " + std::to_string(a.get(Field::RetransCount));
        else m += " (";
        if (a.has(Field::RetransGap)) m += ", " + format_duration(a.get(Field::RetransGap)) + " after the previous transmission";
        if (a.has(Field::RetransOriginal)) m += ", first sent in " + frame_ref(a.get(Field::RetransOriginal));
        return m + ")";
    }
    case Expert::RefreshLate: {
        std::string m = "Refresh started " + format_duration(a.get_or(Field::RefreshLateness, 0)) + " late";
        if (a.has(Field::RefreshExpected)) m += " (expected " + format_clock(a.get(Field::RefreshExpected));
        else m += " (";
        m += ", tolerance " + format_duration(config.late_tolerance) + ")";
        if (a.has(Field::RefreshDeadline)) m += "; deadline " + format_clock(a.get(Field::RefreshDeadline));
        return m;
    }
    case Expert::GraceBreach: {
        std::string grace = format_duration(config.grace_window);
        std::string deadline = a.has(Field::RefreshDeadline) ? " (deadline " + format_clock(a.get(Field::RefreshDeadline)) + ")" : "";
        if (!a.has(Field::DeliveryFrame))
            return "No refresh delivered within the " + grace + " grace window" + deadline + ": " +
                   format_duration(a.get_or(Field::GraceOverrun, 0)) + " past it, registrar likely unregistered " +
                   (endpoint.empty() ? "the phone" : endpoint);
        return "Refresh delivered " + format_duration(a.get_or(Field::GraceOverrun, 0)) + " after the " + grace +
               " grace window" + deadline + ", registrar likely unregistered " + (endpoint.empty() ? "the phone" : endpoint);
    }
    case Expert::BreachForecast: {
        std::string m = "Retransmission back-off grows geometrically: projected to breach the grace window in " +
                        plural(a.get_or(Field::ForecastRefreshes, 0), "refresh", "refreshes");
        if (a.has(Field::ForecastTime)) m += " (about " + format_clock(a.get(Field::ForecastTime)) + ")";
        if (a.has(Field::ForecastGap)) m += ", projected retransmission gap " + format_duration(a.get(Field::ForecastGap));
        return m;
    }
    case Expert::LossPattern: {
        const std::int64_t n = a.get_or(Field::LossConsecutive, 0);
        std::string m = n == 1 ? "1 refresh lost its first transmission"
                               : std::to_string(n) + " consecutive refreshes lost their first transmission";
        // What ages out must be shorter than the idle time, which the phone's pings between
        // refreshes make shorter than the refresh interval.
        const bool idle = a.has(Field::IdleInterval);
        if (idle) m += " after " + format_duration(a.get(Field::IdleInterval)) + " idle";
        return m + ": state in the path ages out (switch port security or MAC aging, NAT or firewall timeout shorter than the " +
               (idle ? "idle time?)" : "refresh interval?)");
    }
    case Expert::BackupKeepalive: {
        std::string m = "Keepalive to the backup registrar (Expires 0 with cisco-keep-alive)";
        if (a.has(Field::RefreshInterval))
            m += ", " + format_duration(a.get(Field::RefreshInterval)) + " after the previous one was answered";
        return m + ": not a de-registration";
    }
    case Expert::Unregister:
        // A SIP de-registration's event (a new Call-ID, an answer the capture lacks) is not why it ended.
        if (!is_sip(a.subject) && a.has(Field::SessionEvent)) {
            switch (static_cast<SessionEvent>(a.get(Field::SessionEvent))) {
            case SessionEvent::Unregister: return "Phone unregistered (UnregisterReq): the call manager stops expecting its keepalives";
            case SessionEvent::RegisterReject: return "Call manager rejected the registration (RegisterReject): session ended";
            case SessionEvent::Reset: return "TCP reset ended the SCCP session without unregistration";
            case SessionEvent::Fin: return "TCP FIN ended the SCCP session without unregistration";
            default: return std::string("Session ended: ") + session_event_name(a.get(Field::SessionEvent));
            }
        }
        return "De-registration (Expires 0): the binding no longer expects refreshes";
    case Expert::KeepaliveUnacked: {
        std::string m = "KeepAliveReq to the primary";
        if (a.has(Field::SccpRequestFrame)) m += " in " + frame_ref(a.get(Field::SccpRequestFrame));
        m += a.subject == Subject::SccpKeepalive ? " got no KeepAliveAck before this one" : " not acknowledged";
        if (a.subject != Subject::SccpKeepalive && a.get_or(Field::SccpInterval, 0) > 0) {
            // Judged before its interval ran out when the phone gave the connection up.
            if (a.get_or(Field::SessionEvent, 0) == static_cast<std::int64_t>(SessionEvent::RegisteredElsewhere))
                m += " before the phone registered again on another connection";
            else
                m += " within the " + std::to_string(a.get(Field::SccpInterval)) + " s interval";
        }
        if (a.has(Field::SccpMissed)) m += " (" + run_of(a.get(Field::SccpMissed), "keepalive", "keepalives") + " without ack)";
        return m;
    }
    case Expert::Failover: {
        std::int64_t missed = a.get_or(Field::SccpMissed, 0);
        std::uint32_t threshold = std::max(1u, config.sccp_missed_threshold);  // as the analysis uses it
        // An interval of 0 (preferences) is none: the run alone made the verdict.
        const std::int64_t interval = a.get_or(Field::SccpInterval, 0);
        std::string seconds = interval > 0 ? std::to_string(interval) + " s" : "";
        if (missed >= threshold)
            return "Delayed failover threshold reached: " + run_of(missed, "keepalive", "keepalives") +
                   " unacknowledged" + (seconds.empty() ? "" : " at a " + seconds + " interval") +
                   "; the phone fails over to its backup call manager";
        // No keepalive at all for the threshold: what the call manager sees. On a keepalive its
        // silence is the lateness's, counted from a registration since the previous keepalive
        // (the gap is not); else the gap is that silence.
        const Nanos silence = a.has(Field::SccpLateness) && interval > 0
                                  ? add_sat(a.get(Field::SccpLateness), ka::seconds(interval))
                                  : a.get_or(Field::SccpGap, 0);
        return "No keepalive for " + format_duration(silence) + ", more than " +
               plural(threshold, "interval", "intervals") + (seconds.empty() ? "" : " of " + seconds) +
               ": the call manager drops the phone (KeepAliveTimeout, reason 13)";
    }
    case Expert::ArpMismatch: {
        std::string ip = IpAddr::v4(static_cast<std::uint32_t>(a.get_or(Field::ArpIp, 0))).to_string();
        std::string m = "ARP says " + ip + " is at " + format_mac(static_cast<Mac>(a.get_or(Field::ArpClaimedMac, 0))) +
                        " but " + ip + "'s own frames come from " + format_mac(static_cast<Mac>(a.get_or(Field::ArpOwnerMac, 0))) +
                        ": proxy ARP or spoofing";
        if (a.get_or(Field::ArpClaims, 0) > 1)
            m += " (" + format_mac(static_cast<Mac>(a.get(Field::ArpClaimedMac))) + " answers for " +
                 std::to_string(a.get(Field::ArpClaims)) + " addresses)";
        if (a.has(Field::ArpFrame)) m += "; the claim: ARP " + frame_ref(a.get(Field::ArpFrame));
        if (a.has(Field::OwnerFrame)) m += "; " + ip + "'s own " + frame_ref(a.get(Field::OwnerFrame));
        return m;
    }
    case Expert::Misdirected: {
        std::string ip = IpAddr::v4(static_cast<std::uint32_t>(a.get_or(Field::ArpIp, 0))).to_string();
        std::string m = "Signalling to " + ip + " sent to MAC " + format_mac(static_cast<Mac>(a.get_or(Field::ArpClaimedMac, 0))) +
                        ", not to " + ip + "'s own MAC " + format_mac(static_cast<Mac>(a.get_or(Field::ArpOwnerMac, 0)));
        if (a.has(Field::ArpFrame)) m += "; that MAC claimed " + ip + " in ARP " + frame_ref(a.get(Field::ArpFrame));
        if (a.has(Field::OwnerFrame)) m += "; " + ip + "'s own " + frame_ref(a.get(Field::OwnerFrame));
        return m;
    }
    case Expert::EndpointUnregistered: {
        std::string m = "Call manager unregistered " + (endpoint.empty() ? std::string("an endpoint") : endpoint);
        const char* sep = ": ";  // before the first of reason and last signal, a release may omit either
        if (a.has(Field::SyslogReason)) {
            const char* name = reason_name(static_cast<std::uint32_t>(a.get(Field::SyslogReason)));
            m += sep + std::string("reason ") + std::to_string(a.get(Field::SyslogReason)) +
                 (name ? std::string(" ") + name : std::string());
            sep = ", ";
        }
        if (a.has(Field::SyslogSignal))
            m += sep + std::string("last signal ") + strings.get(static_cast<std::uint32_t>(a.get(Field::SyslogSignal)));
        if (a.has(Field::SyslogLastSeen))
            m += "; its last keepalive/refresh in the capture: " + frame_ref(a.get(Field::SyslogLastSeen)) +
                 (a.has(Field::SyslogAge) ? ", " + format_duration(a.get(Field::SyslogAge)) + " earlier" : "");
        else
            m += "; no keepalive or refresh of it in the capture";
        return m;
    }
    case Expert::PathLoss: {
        std::string m = "Signalling to the server";
        if (a.has(Field::PathFrame)) m += " in " + frame_ref(a.get(Field::PathFrame));
        m += " never seen at the other capture point";
        if (a.has(Field::PeerInterface)) m += " (interface " + std::to_string(a.get(Field::PeerInterface)) + ")";
        m += ": lost between the two points";
        if (a.has(Field::ClockOffset)) {
            std::int64_t off = a.get(Field::ClockOffset);
            m += " (clock offset " + std::string(off >= 0 ? "+" : "") + format_duration(off) + ")";
        }
        return m;
    }
    case Expert::Truncated:
        // One text for every such frame: the expert dialog shows them as one line with a count.
        return "Cut short by the capture's snap length: not analysed (capture whole frames, e.g. tcpdump -s 0)";
    case Expert::CaptureGap: {
        // Under Wireshark's 240-character item label.
        std::string m = "Nothing captured for " + format_duration(a.get_or(Field::CaptureGap, 0));
        if (a.has(Field::CaptureGapFrame)) m += " after " + frame_ref(a.get(Field::CaptureGapFrame));
        const std::int64_t n = a.get_or(Field::CaptureUnjudged, 0);
        return m + " of steady traffic: the capture missed frames (merged files, a capture restarted or stalled); " +
               plural(n, "refresh or keepalive", "refreshes and keepalives") + " due then not judged";
    }
    case Expert::ClockStep: {
        const std::int64_t step = a.get_or(Field::ClockStep, 0);
        std::string m;
        if (a.has(Field::PeerInterface)) {  // between two capture points (CapturePoints::OffsetStep)
            const std::int64_t off = a.get_or(Field::ClockOffset, 0);
            m = "The clock of capture point " + std::to_string(a.get(Field::PeerInterface)) + " stepped " +
                step_words(step) + " against this frame's point (offset now " + (off >= 0 ? "+" : "") +
                format_duration(off) + ")";
        } else {
            const std::string at = frame_ref(a.get_or(Field::ClockStepFrame, 0));
            const std::string before = frame_ref(a.get_or(Field::CaptureGapFrame, 0));
            m = step < 0 ? "The capture's clock stepped back: " + at + " is stamped " + format_duration(sub_sat(0, step)) + " before " +
                               before
                         : "The capture's clock, set back at " + at + ", jumped " + format_duration(step) + " ahead after " +
                               before + ", past where it stood";
        }
        return m + "; times on either side do not compare: " +
               plural(a.get_or(Field::CaptureUnjudged, 0), "refresh or keepalive", "refreshes and keepalives") +
               " expected then not timed across it";
    }
    case Expert::Count: break;
    }
    return "";
}

std::string summary(const Annotation& a, const StringTable& strings) {
    // "<endpoint> <what>, <detail>, <detail>"
    std::string s = strings.get(a.endpoint);
    int parts = 0;
    auto add = [&s, &parts](const std::string& part) {
        if (!s.empty()) s += parts == 0 ? " " : ", ";
        s += part;
        ++parts;
    };
    switch (a.subject) {
    case Subject::SipRefresh:
    case Subject::SipRequest:
    case Subject::SipRetransmission:
    case Subject::SipResponse:
    case Subject::SipDeadline: add(sip_subject(a)); break;
    case Subject::SccpRegister: add("register"); break;
    case Subject::SccpKeepalive: add("keepalive"); break;
    case Subject::SccpKeepaliveAck: add("keepalive ack"); break;
    case Subject::SccpRetransmission: add("keepalive resent"); break;
    case Subject::SccpSessionEvent: add(session_event_name(a.get_or(Field::SessionEvent, 0))); break;
    case Subject::SccpMissed: add("keepalive overdue"); break;
    case Subject::Arp:  // on a frame of the owner, the claim it contradicts is in another frame
        add(a.has(Field::ArpFrame) ? "ARP claim in " + frame_ref(a.get(Field::ArpFrame)) : std::string("ARP"));
        break;
    case Subject::Misdirected: add("misdirected"); break;
    case Subject::Syslog:
        add("syslog");
        if (a.has(Field::SyslogReason)) {
            const char* name = reason_name(static_cast<std::uint32_t>(a.get(Field::SyslogReason)));
            add("reason " + std::to_string(a.get(Field::SyslogReason)) + (name ? std::string(" ") + name : std::string()));
        }
        if (a.has(Field::SyslogTransientReason))
            add("transient connection, reason " + std::to_string(a.get(Field::SyslogTransientReason)));
        if (a.has(Field::SyslogCopyOf)) add("copy of " + frame_ref(a.get(Field::SyslogCopyOf)));
        break;
    case Subject::PathLoss: add("path loss"); break;
    case Subject::SipTruncated: add("cut short, not analysed"); break;
    case Subject::CaptureGap: add("capture gap of " + format_duration(a.get_or(Field::CaptureGap, 0))); break;
    case Subject::ClockStep: {
        const std::int64_t step = a.get_or(Field::ClockStep, 0);
        add("clock stepped " + step_words(step));
        break;
    }
    case Subject::None: break;
    }
    if (a.role == Role::Backup) add("backup");
    // Late as refresh_late says: not a phone a millisecond behind, within the tolerance.
    if (a.raised(Expert::RefreshLate)) add(format_duration(a.get_or(Field::RefreshLateness, 0)) + " late");
    if (a.has(Field::RefreshMargin)) add("margin " + format_duration(a.get(Field::RefreshMargin)));
    if (a.has(Field::DeliveryHeldBy)) add("held behind the retransmission in " + frame_ref(a.get(Field::DeliveryHeldBy)));
    if (a.has(Field::GraceOverrun)) add("grace overrun " + format_duration(a.get(Field::GraceOverrun)));
    if (a.has(Field::RetransCount) && a.get(Field::RetransCount) > 0) {
        // On a message sent again the count is its rank; on a delivery, the attempt's total.
        const std::int64_t n = a.get(Field::RetransCount);
        const bool resent = a.subject == Subject::SipRetransmission || a.subject == Subject::SccpRetransmission;
        add(resent ? "retransmission " + std::to_string(n) : plural(n, "retransmission", "retransmissions"));
    }
    if (a.has(Field::SccpAckLatency)) add("latency " + format_duration(a.get(Field::SccpAckLatency)));
    if (a.has(Field::SccpAckLatencyMean)) add("mean " + format_duration(a.get(Field::SccpAckLatencyMean)));
    if (a.has(Field::SccpMissed) && a.get(Field::SccpMissed) > 0) add(std::to_string(a.get(Field::SccpMissed)) + " missed");
    if (a.raised(Expert::Failover)) add("failover");
    if (a.raised(Expert::ArpMismatch)) add("proxy ARP or spoofing");
    return s;
}

}  // namespace ka
