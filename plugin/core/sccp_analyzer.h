// SCCP (Skinny) keepalive analysis (SPEC §3.3): sessions, intervals, ack pairing, missed keepalives.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>

#include "context.h"

namespace ka {

class CapturePoints;

class SccpAnalyzer {
public:
    explicit SccpAnalyzer(Context& ctx);
    ~SccpAnalyzer();
    SccpAnalyzer(const SccpAnalyzer&) = delete;
    SccpAnalyzer& operator=(const SccpAnalyzer&) = delete;

    // Every frame, in capture order: SKINNY messages, TCP retransmissions, RST/FIN, and the clock.
    void on_frame(const Frame& f);
    // Before on_frame, with the frame's TCP stream decoded: starts loading its state.
    void prefetch(const Frame& f) const;
    // The capture point whose clock is `clock` recorded nothing until `until` (CaptureGaps): what
    // was due by then is unknown, and is forgotten. Returns how many expectations were.
    std::uint32_t forget_due(std::uint32_t clock, Nanos until);
    // The clock `clock` stepped at frame `since`, to `now` (CaptureGaps): a session whose latest
    // keepalive came before it forgets that keepalive's ack and time (the next keepalive has no
    // gap), and the call manager's silence clock starts again at `now`. Returns how many pending
    // verdicts were forgotten.
    std::uint32_t forget_clock(std::uint32_t clock, std::uint32_t since, Nanos now);
    // The clock offset between two more capture points is known: a session's activity seen first at
    // the other point before (Frame::tcp::unplaced) moves its silence clock, on its own clock, and
    // it is timed again.
    void place(const CapturePoints& points);
    // As SipAnalyzer::split_clocks(), for the sessions' timers.
    void split_clocks();
    std::size_t state_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
