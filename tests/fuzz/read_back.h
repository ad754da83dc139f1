// What the plugin does with the engine's output on every pass: read each annotation of a frame
// back from the cache, build every expert message and the summary, and count it for the stats
// tree. Run after each frame (first pass) and again over all frames (later passes).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/engine.h"
#include "core/messages.h"
#include "core/tally.h"

namespace kafuzz {

// Returns a number derived from the text so the work cannot be optimised away.
inline std::size_t read_back(const ka::Engine& engine, std::uint32_t frame) {
    std::size_t sum = 0;
    for (std::size_t i = 0, n = engine.count(frame); i < n; ++i) {
        ka::Annotation a = engine.get(frame, i);
        sum += ka::summary(a, engine.strings()).size();
        sum += engine.strings().get(a.endpoint).size() + engine.strings().get(a.server).size();
        sum += std::char_traits<char>::length(ka::role_name(a.role));
        for (std::size_t e = 0; e < ka::kExpertCount; ++e) {
            auto ex = static_cast<ka::Expert>(e);
            if (!a.raised(ex)) continue;
            sum += ka::expert_message(ex, a, engine.strings(), engine.config()).size();
            sum += std::char_traits<char>::length(ka::info_tag(ex));
        }
        for (std::size_t c = 0; c < ka::kCounterCount; ++c) sum += ka::counts(a, static_cast<ka::Counter>(c));
        if (a.has(ka::Field::SyslogReason)) {
            const char* name = ka::reason_name(static_cast<std::uint32_t>(a.get(ka::Field::SyslogReason)));
            sum += name ? 1 : 0;
        }
        for (ka::Field f : {ka::Field::SyslogSignal, ka::Field::SyslogDeviceIp})
            if (a.has(f)) sum += engine.strings().get(static_cast<std::uint32_t>(a.get(f))).size();
    }
    return sum;
}

}  // namespace kafuzz
