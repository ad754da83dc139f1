// SPDX-License-Identifier: GPL-2.0-or-later
#include "stats.h"

#include <algorithm>

#include <epan/stats_tree.h>
#include <epan/stats_tree_priv.h>
#include <wsutil/str_util.h>

#include <string>

#include "../core/tally.h"

namespace kaws {

namespace {

const char kRoot[] = "Endpoint @ server";
int root_node = -1;

void stats_init(stats_tree* st) { root_node = stats_tree_create_node(st, kRoot, 0, STAT_DT_INT, TRUE); }

// Node name of an annotation's endpoint and server, in pinfo->pool.
const char* node_name(packet_info* pinfo, const ka::Annotation& a, const ka::StringTable& strings) {
    const std::string& endpoint = strings.get(a.endpoint);
    const std::string& server = strings.get(a.server);
    const bool capture = a.subject == ka::Subject::CaptureGap || a.subject == ka::Subject::ClockStep;
    const char* who = !endpoint.empty() ? endpoint.c_str() : capture ? "(the capture)" : "(unknown)";
    if (server.empty()) return wmem_strdup(pinfo->pool, who);
    // Concatenated rather than formatted: one name per annotation ticked.
    return wmem_strconcat(pinfo->pool, who, " @ ", server.c_str(), nullptr);
}

// Wireshark 4.0 appends a new node by walking its parent's list of children from the first, so n
// endpoint nodes under the root cost n²/2 steps: 312 million for 25,000 phones, two thirds of a
// `-z keepalive,tree` run. Every node with children created after the root is an endpoint node,
// the root's latest child: the walk is made to start there, and the tree and its order are the same.
int tick_endpoint(stats_tree* st, const char* name) {
    auto* root = static_cast<stat_node*>(g_ptr_array_index(st->parents, root_node));
    auto* last = static_cast<stat_node*>(g_ptr_array_index(st->parents, st->parents->len - 1));
    if (last->parent != root || last->next) return tick_stat_node(st, name, root_node, TRUE);
    stat_node* first = root->children;
    root->children = last;
    const int id = tick_stat_node(st, name, root_node, TRUE);
    root->children = first;
    return id;
}

tap_packet_status stats_packet(stats_tree* st, packet_info* pinfo, epan_dissect_t*, const void* data, tap_flags_t) {
    const auto* rec = static_cast<const TapRecord*>(data);
    if (!rec) return TAP_PACKET_DONT_REDRAW;
    for (unsigned i = 0; i < rec->count; ++i) {
        const ka::Annotation& a = rec->items[i];
        tick_stat_node(st, kRoot, 0, TRUE);
        int node = tick_endpoint(st, node_name(pinfo, a, *rec->strings));
        for (std::size_t c = 0; c < ka::kCounterCount; ++c) {
            auto counter = static_cast<ka::Counter>(c);
            if (ka::counts(a, counter)) tick_stat_node(st, ka::counter_name(counter), node, FALSE);
        }
        // Held to the node's int: a grant of years (a huge Expires) leaves a margin past 24.8 days,
        // which would otherwise wrap to a breach.
        if (a.has(ka::Field::RefreshMargin))
            avg_stat_node_add_value_int(st, "Margin (ms, Min = worst)", node, FALSE,
                                        static_cast<gint>(std::clamp<std::int64_t>(
                                            a.get(ka::Field::RefreshMargin) / ka::kMillisecond, G_MININT, G_MAXINT)));
    }
    return TAP_PACKET_REDRAW;
}

}  // namespace

void register_stats() {
    stats_tree_register_plugin("keepalive", "keepalive", "Keepalive Analysis", 0, stats_packet, stats_init, nullptr);
}

}  // namespace kaws
