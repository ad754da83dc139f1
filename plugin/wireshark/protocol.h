// Registration of the "Keepalive Analysis" post-dissector and its per-frame entry point.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace kaws {

void register_protocol();  // fields, subtrees, expert infos, preferences, tap
void register_handoff();   // post-dissector and the fields it wants from other dissectors

}  // namespace kaws
