// What the engine is given for one frame: its bytes and link type, which of the protocols the
// analysis follows Wireshark's dissectors recognised in it, and its decrypted TLS data. No field
// of another dissector is read: wanting fields would make tshark build a tree for every frame.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <epan/packet.h>

#include <string_view>
#include <vector>

#include "../core/decoder.h"

namespace kaws {

// Looks up the protocol ids of SIP, SKINNY, syslog, TLS, VXLAN and Ethernet pseudowires (at handoff,
// once all are registered).
void resolve_protocols();

// Fills `out` for the frame; `tls` keeps the decrypted TLS views `out` points to. The views are
// valid until the frame's dissection ends.
void raw_frame(tvbuff_t* tvb, packet_info* pinfo, ka::RawFrame& out, std::vector<std::string_view>& tls);

}  // namespace kaws
