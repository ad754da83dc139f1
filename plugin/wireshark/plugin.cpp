// Plugin entry points: what Wireshark 4.0's plugin loader looks for in keepalive.so.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <ws_symbol_export.h>
#include <ws_version.h>

#include <epan/proto.h>
#include <epan/tap.h>

#include "protocol.h"
#include "stats.h"

#ifndef KEEPALIVE_VERSION
#define KEEPALIVE_VERSION "0.0.0"
#endif

// One declaration each: inside an extern "C" block a const would get internal linkage and the
// loader would not find it.
extern "C" WS_DLL_PUBLIC_DEF const char plugin_version[] = KEEPALIVE_VERSION;
extern "C" WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
extern "C" WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
extern "C" WS_DLL_PUBLIC_DEF void plugin_register(void);

void plugin_register(void) {
    static proto_plugin protocol = {kaws::register_protocol, kaws::register_handoff};
    proto_register_plugin(&protocol);
    static tap_plugin stats = {kaws::register_stats};
    tap_register_plugin(&stats);
}
