// Plugin entry points: what Wireshark's plugin loader looks for in keepalive.so.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <ws_symbol_export.h>
#include <ws_version.h>

#include <epan/proto.h>
#include <epan/tap.h>
#if __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#endif

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
#ifdef WS_PLUGIN_DESC_DISSECTOR
// Wireshark 4.2 and later also ask what a plugin provides, for About > Plugins and tshark -G plugins.
extern "C" WS_DLL_PUBLIC_DEF uint32_t plugin_describe(void);

uint32_t plugin_describe(void) { return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER; }
#endif

void plugin_register(void) {
    static proto_plugin protocol = {kaws::register_protocol, kaws::register_handoff};
    proto_register_plugin(&protocol);
    static tap_plugin stats = {kaws::register_stats};
    tap_register_plugin(&stats);
}
