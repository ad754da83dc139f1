// Rendering: a frame's cached annotations as tree items, expert infos, Info-column tag and tap record.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <epan/packet.h>

#include "../core/engine.h"

namespace kaws {

// Returns the number of annotations rendered.
int render_frame(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, const ka::Engine& engine);

}  // namespace kaws
