// Breaks in a capture point's timeline: silences, and steps of its clock.
//
// Silences. A capture that has been recording a steady stream of frames from
// many hosts and then records nothing at all for seconds has missed frames: files merged with one
// missing, a capture stopped and started again, a capture host that stalled. Hosts do not all fall
// silent together: during an outage phones resend, re-register and ARP, and a busy point sees other
// hosts besides. Refreshes and keepalives due in that silence are unknown, not missed: the analysers
// forget what they expected of them instead of reporting every phone late or lost at the first
// frame after it. A quieter capture (one filtered to a phone, a call's RTP between two hosts) is
// never taken for one: its silence may be the network's.
//
// Clock steps. A capture host's clock set back (NTP stepping it, a virtual machine resumed, files
// concatenated with mergecap -a) stamps frames earlier than ones already captured: the times kept
// before it compare with none after it, so the analysers forget them. One frame far behind may be
// a single bad timestamp, so the step is known at the second. A clock set back and then forward
// again lands past where it stood before, after what looks like a silence: what fell due in that
// jump is not judged either, however quiet the capture.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <array>
#include <cstdint>

#include "context.h"
#include "time.h"

namespace ka {

class CaptureGaps {
public:
    enum class Kind : std::uint8_t { Silence, StepBack, StepForward };
    struct Gap {
        Kind kind = Kind::Silence;
        // Silence, StepForward: the point's last frame's time and this one. StepBack: the latest
        // time before the step and the time of the first frame after it.
        Nanos from = 0, to = 0;
        std::uint32_t from_frame = 0;  // the frame stamped `from`
        std::uint32_t step_frame = 0;  // steps: the first frame stamped back
    };
    // A silence this long, after about a minute (seven stretches of 8.6 s, the last one partly) of
    // at least kBusyRate frames a second (a hundred or more would have come in the silence) from at
    // least kBusySources source addresses, is a gap. Steady ones: each stretch but the last holds
    // kSteadyFrames (half that rate). A burst does not make a point busy: phones that
    // boot together send hundreds of frames in seconds, then keepalives in step, with silences
    // between. After a silence of kLongSilence, a burst does: no network of phones is silent for
    // an hour (captures of other times or places merged into one).
    static constexpr Nanos kMinSilence = seconds(10);
    static constexpr Nanos kLongSilence = seconds(3600);
    static constexpr std::uint32_t kBusyRate = 10;
    static constexpr std::size_t kBusySources = 16;
    // A frame stamped this much before the point's latest is off, or the clock stepped back. Less,
    // it is a frame reordered on its way into the file (NICs of one host, a capture buffer).
    static constexpr Nanos kMinStep = seconds(10);

    // Notes a frame of the capture point whose clock is `clock`, from `source` (invalid: not IP);
    // true when a gap or a step of the clock ends at it.
    bool on_frame(std::uint32_t clock, Nanos time, std::uint32_t frame, const IpAddr& source, Gap& gap);
    // The capture's interfaces turned out to be capture points of their own clocks: what was
    // counted while they shared one is no point's own (a quiet point would look as busy as both).
    void separate_clocks() { points_ = {}; }

private:
    static constexpr unsigned kStretchBits = 33;
    static constexpr Nanos kStretch = Nanos{1} << kStretchBits;  // 8.59 s
    static constexpr std::size_t kStretches = 7;
    // Half the busy rate over a stretch, rounded up: 43 frames in 8.59 s.
    static constexpr std::uint32_t kSteadyFrames =
        static_cast<std::uint32_t>((kBusyRate * kStretch / 2 + kSecond - 1) / kSecond);
    struct Stretch {
        std::uint32_t frames = 0;
        std::uint32_t source_count = 0;                      // distinct, up to kBusySources
        std::array<std::uint32_t, kBusySources> sources{};  // folded addresses
    };
    struct Point {
        bool seen = false;
        Nanos last = 0;  // the latest time seen (a frame stamped earlier does not move it back)
        std::uint32_t last_frame = 0;
        std::int64_t stretch = 0;  // of `last`
        std::array<Stretch, kStretches> stretches{};
        bool behind = false;  // the previous frame was stamped kMinStep or more before `last`
        Nanos behind_time = 0;
        std::uint32_t behind_frame = 0;
        bool stepped = false;  // the clock stepped back from `before_step` and has not passed it since
        Nanos before_step = 0;
        std::uint32_t step_frame = 0;
    };
    static void restart(Point& p, Nanos time, std::uint32_t frame);
    static void count(Stretch& s, std::uint32_t source);
    static bool busy(const Point& p, bool steadily);
    std::array<Point, kClocks> points_;
};

}  // namespace ka
