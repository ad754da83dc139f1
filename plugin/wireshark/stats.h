// Statistics > Keepalive Analysis and `tshark -z keepalive,tree`, fed by the `keepalive` tap.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "../core/findings.h"

namespace kaws {

// What the dissector queues on the `keepalive` tap for one frame (in pinfo->pool).
struct TapRecord {
    const ka::Annotation* items;
    unsigned count;
    const ka::StringTable* strings;
};

void register_stats();

}  // namespace kaws
