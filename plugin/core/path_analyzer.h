// Path diagnostics (SPEC §3.4): ARP claims versus the Ethernet source of each address's own frames.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>

#include "context.h"

namespace ka {

// A frame with signalling (has_signalling()) travels towards the server: SIP requests and SCCP
// station messages (ids below 0x80).
bool towards_server(const Frame& f);

class PathAnalyzer {
public:
    explicit PathAnalyzer(Context& ctx);
    ~PathAnalyzer();
    PathAnalyzer(const PathAnalyzer&) = delete;
    PathAnalyzer& operator=(const PathAnalyzer&) = delete;

    // Every frame, in capture order: ARP packets, the Ethernet/IP source of IP frames, signalling frames' destinations.
    void on_frame(const Frame& f);
    // Before on_frame, with the frame's addresses decoded: starts loading the source's state.
    void prefetch(const Frame& f) const;
    std::size_t state_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
