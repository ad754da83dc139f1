// What one annotation counts for in the statistics (SPEC §4 "Statistics"): the stats tree adds
// these up per endpoint and server, so its numbers equal the counts of the matching filters.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>

#include "findings.h"

namespace ka {

enum class Counter : unsigned char {
    Refreshes,        // SIP refresh attempts (first REGISTER of each)
    Keepalives,       // SCCP KeepAliveReq
    Acknowledged,     // SCCP KeepAliveAck
    Late,             // keepalive.refresh_late
    Retransmissions,  // keepalive.retransmission
    Breaches,         // keepalive.grace_breach
    Forecasts,        // keepalive.breach_forecast
    Unacknowledged,   // keepalive.keepalive_unacked
    Failovers,        // keepalive.failover
    ArpMismatches,    // keepalive.arp_mismatch
    Misdirected,      // keepalive.misdirected
    Unregistered,     // keepalive.endpoint_unregistered
    PathLoss,         // keepalive.path_loss
    Truncated,        // keepalive.truncated
    CaptureGaps,      // keepalive.capture_gap
    ClockSteps,       // keepalive.clock_step
    Restarts,         // SIP re-registrations under a new Call-ID (keepalive.event 7)
    Count
};
constexpr std::size_t kCounterCount = static_cast<std::size_t>(Counter::Count);

const char* counter_name(Counter c);
bool counts(const Annotation& a, Counter c);

}  // namespace ka
