// Analysis parameters: the protocol preferences of SPEC §4, in engine units.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>

#include "time.h"

namespace ka {

struct Config {
    Nanos refresh_delta = seconds(5);        // phone refreshes this long before the grant expires
    Nanos grace_window = seconds(15);        // registrar waits this long past the expected refresh
    Nanos late_tolerance = millis(1000);     // lateness above this is a late refresh
    std::uint32_t sccp_interval = 30;        // s, primary keepalive interval without RegisterAck
    std::uint32_t sccp_backup_interval = 60; // s, backup keepalive interval without RegisterAck
    std::uint32_t sccp_missed_threshold = 3; // consecutive misses that make the phone fail over
    std::uint32_t loss_pattern_min = 3;      // consecutive lost first transmissions that form a pattern
};

}  // namespace ka
