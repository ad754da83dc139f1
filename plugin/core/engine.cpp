// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.h"

#include <limits>

namespace ka {

Engine::Engine(const Config& config)
    : ctx_(config, store_), points_(ctx_), path_(ctx_), sip_(ctx_), sccp_(ctx_), syslog_(ctx_, points_) {}

Engine::~Engine() = default;

void Engine::process(Frame& frame) {
    ctx_.sink.begin_frame(frame.number);
    // A silence of the frame's capture point, on its own clock, before anything judges what fell
    // due in it.
    const std::uint32_t clock = ctx_.clock(frame.interface_id);
    if (CaptureGaps::Gap gap; gaps_.on_frame(clock, frame.time, frame.number, frame.src_ip, gap)) on_capture_gap(gap, clock);
    // Capture points next: they tell the others which segments are copies from another point. Every
    // frame: a path loss is reported on the other capture point's first frame past the keepalive's
    // expected arrival there.
    points_.on_frame(frame);
    if (!ctx_.separate_clocks) ctx_.separate_clocks = points_.separate_clocks();
    if (points_.clock_pairs() != clock_pairs_) {
        clock_pairs_ = points_.clock_pairs();
        sip_.place_grants(points_);
    }
    path_.on_frame(frame);
    // A connection is analysed on one clock, its home point's: a segment another point saw first
    // (one lost between the points on its way to the home) is moved onto it (SPEC §3.6), once the
    // two clocks' offset is known.
    if (frame.tcp.present && !frame.tcp.copy && frame.interface_id != frame.tcp.home) {
        Nanos offset;
        if (points_.clock_offset(frame.interface_id, frame.tcp.home, offset)) frame.time = add_sat(frame.time, offset);
        else frame.tcp.unplaced = true;
    }
    sip_.on_frame(frame);
    sccp_.on_frame(frame);
    if (!frame.syslog.empty()) syslog_.on_frame(frame);
}

void Engine::process(const RawFrame& raw) {
    // The state of the frame's addresses is looked up after its payload is parsed: its memory
    // loads meanwhile (on a large capture, tshark's own work keeps it out of the CPU caches).
    decoder_.decode_headers(raw, frame_);
    path_.prefetch(frame_);
    sip_.prefetch(frame_);
    sccp_.prefetch(frame_);
    ctx_.directory.prefetch(frame_.src_ip);
    decoder_.decode_payload(raw, frame_);
    process(frame_);
}

// Said once, on the frame that ends the silence or the jump, and only when something fell due in
// it. A step back is always said: no time before it compares with one after.
void Engine::on_capture_gap(const CaptureGaps::Gap& gap, std::uint32_t clock) {
    using Kind = CaptureGaps::Kind;
    constexpr Nanos kAll = std::numeric_limits<Nanos>::max();
    std::uint32_t unjudged;
    if (gap.kind == Kind::StepBack) {
        // Every time kept before the first frame on the new time is on the old one.
        unjudged = sip_.retime(clock, gap.step_frame, sub_sat(gap.to, gap.from), kAll) +
                   sccp_.forget_clock(clock, gap.step_frame, gap.to) +
                   points_.forget_due(clock, std::numeric_limits<Nanos>::min(), kAll);
    } else {
        // A silence, or a jump forward that may be one: what fell due in it is unknown. A SIP
        // expectation is moved by the jump, so that its phone, silent from then on, is still
        // reported.
        unjudged = (gap.kind == Kind::Silence ? sip_.forget_due(clock, gap.to)
                                              : sip_.retime(clock, ctx_.sink.frame(), sub_sat(gap.to, gap.from), gap.to)) +
                   sccp_.forget_due(clock, gap.to) + points_.forget_due(clock, gap.from, gap.to);
    }
    if (unjudged == 0 && gap.kind != Kind::StepBack) return;
    Annotation a;
    a.set(Field::CaptureUnjudged, unjudged);
    if (gap.kind == Kind::Silence) {
        a.subject = Subject::CaptureGap;
        a.set(Field::CaptureGap, gap.to - gap.from);
        a.set(Field::CaptureGapFrame, gap.from_frame);
        a.raise(Expert::CaptureGap);
    } else {
        a.subject = Subject::ClockStep;
        a.set(Field::ClockStep, sub_sat(gap.to, gap.from));
        a.set(Field::CaptureGapFrame, gap.from_frame);
        a.set(Field::ClockStepFrame, gap.step_frame);
        a.raise(Expert::ClockStep);
    }
    ctx_.sink.emit(a);
}

std::size_t Engine::state_bytes() const {
    return decoder_.state_bytes() + ctx_.bytes() + points_.state_bytes() + path_.state_bytes() +
           sip_.state_bytes() + sccp_.state_bytes() + syslog_.state_bytes();
}

}  // namespace ka
