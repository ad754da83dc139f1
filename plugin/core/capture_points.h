// Two capture points in one merged capture (SPEC §3.6): cross-point matching, clock offset, path loss.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>

#include "context.h"

namespace ka {

class CapturePoints {
public:
    explicit CapturePoints(Context& ctx);
    ~CapturePoints();
    CapturePoints(const CapturePoints&) = delete;
    CapturePoints& operator=(const CapturePoints&) = delete;

    // Every frame, before the other analysers: a transmission of a TCP segment already seen at
    // another capture point is marked a copy (TcpInfo::copy), not a retransmission; a phone's
    // signalling (a keepalive, a REGISTER) that never reached the other point is reported on the
    // other point's first frame past its expected arrival there.
    void on_frame(Frame& f);
    // The estimated clock offset t(to) - t(from) between two capture points; false, and `out`
    // unchanged, if not known.
    bool clock_offset(std::uint32_t from, std::uint32_t to, Nanos& out) const;
    // `t`, a time on point `from`'s clock, on point `to`'s: unchanged when the offset is not known.
    Nanos to_clock(Nanos t, std::uint32_t from, std::uint32_t to) const;
    // True once one segment was seen at two interfaces: they are capture points, each with a clock
    // of its own. Until then a capture's interfaces (one machine's NICs) share one clock.
    bool separate_clocks() const;
    // Pairs of capture points whose clock offset is known: one more each time one becomes known.
    std::size_t clock_pairs() const;
    // A step of one point's clock against another's, seen in their offset: two segments in a row
    // paired at least CaptureGaps::kMinStep off it, by as much. Its estimate starts again from them.
    struct OffsetStep {
        std::uint32_t here = 0, peer = 0;  // the frame's capture point, the other
        Nanos by = 0;                      // change of t(peer) - t(here)
        Nanos offset = 0;                  // t(peer) - t(here) since
        // The estimate moved by clock_stepped() settled: a step already told, not to be said again.
        bool settled = false;
    };
    // The step the latest on_frame() saw, once.
    bool take_offset_step(OffsetStep& out);
    // The clock `clock` stepped by about `by`, as its own timeline shows (CaptureGaps): its offsets to
    // the other points are moved by as much, until the next segment paired tells them exactly.
    // Returns those points' clocks, as a mask of bits 1 << clock.
    std::uint32_t clock_stepped(std::uint32_t clock, Nanos by);
    // A capture gap (CaptureGaps) at the points of `clock`, from `from` to `to`: a copy due there in
    // that silence may be in it, and is no longer looked for. Returns how many were. Before
    // on_frame() of the frame that ends the gap.
    std::uint32_t forget_due(std::uint32_t clock, Nanos from, Nanos to);
    std::size_t state_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
