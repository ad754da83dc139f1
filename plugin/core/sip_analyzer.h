// SIP registration refresh analysis (SPEC §3.1, §3.2): bindings, attempts, transmissions, deadlines.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>

#include "context.h"

namespace ka {

class CapturePoints;

class SipAnalyzer {
public:
    explicit SipAnalyzer(Context& ctx);
    ~SipAnalyzer();
    SipAnalyzer(const SipAnalyzer&) = delete;
    SipAnalyzer& operator=(const SipAnalyzer&) = delete;

    // Every frame, in capture order: SIP messages, TCP retransmissions and ACKs, and the clock.
    void on_frame(const Frame& f);
    // Before on_frame, with the frame's TCP stream decoded: starts loading its state and that of
    // the binding whose deadline comes up next.
    void prefetch(const Frame& f) const;
    // The capture point whose clock is `clock` recorded nothing until `until` (CaptureGaps): what
    // was due by then is unknown, and is forgotten. Returns how many expectations were.
    std::uint32_t forget_due(std::uint32_t clock, Nanos until);
    // The offset between two more capture points is known: a grant first seen at the other point
    // before then (Frame::tcp.unplaced) is moved onto its binding's point's clock.
    void place_grants(const CapturePoints& points);
    // The capture's interfaces turned out to be capture points with clocks of their own
    // (Context::separate_clocks): deadlines armed while they shared one go to their points' queues.
    void split_clocks();
    // The clock `clock` stepped by `step` at frame `since`, as its frames show (CaptureGaps): the
    // expectations set before it whose deadline is by `until` are moved by `step`, and the next
    // refresh of each such binding is not timed against them. Returns how many were moved.
    std::uint32_t retime(std::uint32_t clock, std::uint32_t since, Nanos step, Nanos until);
    std::size_t state_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
