// SPDX-License-Identifier: GPL-2.0-or-later
#include "tally.h"

namespace ka {

const char* counter_name(Counter c) {
    switch (c) {
    case Counter::Refreshes: return "Refreshes";
    case Counter::Keepalives: return "Keepalives";
    case Counter::Acknowledged: return "Acknowledged";
    case Counter::Late: return "Late";
    case Counter::Retransmissions: return "Retransmissions";
    case Counter::Breaches: return "Grace breaches";
    case Counter::Forecasts: return "Breach forecasts";
    case Counter::Unacknowledged: return "Unacknowledged";
    case Counter::Failovers: return "Failovers";
    case Counter::ArpMismatches: return "ARP mismatches";
    case Counter::Misdirected: return "Misdirected";
    case Counter::Unregistered: return "Unregistered (syslog)";
    case Counter::PathLoss: return "Lost between capture points";
    case Counter::Truncated: return "Cut short, not analysed";
    case Counter::CaptureGaps: return "Capture gaps";
    case Counter::ClockSteps: return "Clock steps";
    case Counter::Restarts: return "Restarts (new Call-ID)";
    case Counter::Count: break;
    }
    return "";
}

bool counts(const Annotation& a, Counter c) {
    switch (c) {
    // A SIP REGISTER to a backup (Expires 0 with cisco-keep-alive) keeps it alive: a keepalive.
    case Counter::Refreshes: return a.subject == Subject::SipRefresh && a.role != Role::Backup;
    case Counter::Keepalives:
        return a.subject == Subject::SccpKeepalive || (a.subject == Subject::SipRefresh && a.role == Role::Backup);
    case Counter::Acknowledged: return a.subject == Subject::SccpKeepaliveAck;
    case Counter::Late: return a.raised(Expert::RefreshLate);
    case Counter::Retransmissions: return a.raised(Expert::Retransmission);
    case Counter::Breaches: return a.raised(Expert::GraceBreach);
    case Counter::Forecasts: return a.raised(Expert::BreachForecast);
    case Counter::Unacknowledged: return a.raised(Expert::KeepaliveUnacked);
    case Counter::Failovers: return a.raised(Expert::Failover);
    case Counter::ArpMismatches: return a.raised(Expert::ArpMismatch);
    case Counter::Misdirected: return a.raised(Expert::Misdirected);
    case Counter::Unregistered: return a.raised(Expert::EndpointUnregistered);
    case Counter::PathLoss: return a.raised(Expert::PathLoss);
    case Counter::Truncated: return a.raised(Expert::Truncated);
    case Counter::CaptureGaps: return a.raised(Expert::CaptureGap);
    case Counter::ClockSteps: return a.raised(Expert::ClockStep);
    // One per restart: on the refresh that kept its binding, or where its old Contact lapsed.
    case Counter::Restarts:
        return is_sip(a.subject) && new_call_id(a);
    case Counter::Count: break;
    }
    return false;
}

}  // namespace ka
