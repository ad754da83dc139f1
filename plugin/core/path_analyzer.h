// Path diagnostics (SPEC §3.4): ARP claims versus the Ethernet source of each address's own frames.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>

#include "context.h"

namespace ka {

class PathAnalyzer {
public:
    explicit PathAnalyzer(Context& ctx);
    ~PathAnalyzer();
    PathAnalyzer(const PathAnalyzer&) = delete;
    PathAnalyzer& operator=(const PathAnalyzer&) = delete;

    // Every frame, in capture order: ARP packets, the Ethernet/IP source of IP frames, signalling frames' destinations.
    void on_frame(const Frame& f);
    std::size_t state_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
