// Field extraction: what the SIP, SKINNY, TCP, ARP and syslog dissectors decoded, as engine events.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <epan/packet.h>

#include "../core/events.h"

namespace kaws {

// The fields the post-dissector asks Wireshark to keep in the tree (looked up once).
GArray* wanted_hfids();

// Fill `out` (cleared first) from the frame's tree. String views point into the tree's memory:
// valid until the frame's dissection ends.
void extract_frame(packet_info* pinfo, proto_tree* tree, ka::Frame& out);

}  // namespace kaws
