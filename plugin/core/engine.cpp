// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.h"

#include <limits>

namespace ka {

Engine::Engine(const Config& config)
    : ctx_(config, store_), points_(ctx_), path_(ctx_), sip_(ctx_), sccp_(ctx_), syslog_(ctx_, points_) {}

Engine::~Engine() = default;

void Engine::process(Frame& frame) {
    ctx_.sink.begin_frame(frame.number);
    if (frame.interface_id >= ctx_.interfaces) ctx_.interfaces = frame.interface_id + 1;
    // A silence of the frame's capture point, on its own clock, before anything judges what fell
    // due in it.
    const std::uint32_t clock = ctx_.clock(frame.interface_id);
    if (CaptureGaps::Gap gap; gaps_.on_frame(clock, frame.time, frame.number, frame.src_ip, gap)) on_capture_gap(gap, clock);
    // Capture points next: they tell the others which segments are copies from another point. Every
    // frame: a path loss is reported on the other capture point's first frame past the keepalive's
    // expected arrival there.
    points_.on_frame(frame);
    if (CapturePoints::OffsetStep step; points_.take_offset_step(step)) on_offset_step(step, frame);
    if (!ctx_.separate_clocks && points_.separate_clocks()) {
        ctx_.separate_clocks = true;
        gaps_.separate_clocks();
        sip_.split_clocks();
        sccp_.split_clocks();
    }
    if (points_.clock_pairs() != clock_pairs_) {
        clock_pairs_ = points_.clock_pairs();
        sip_.place_grants(points_);
        sccp_.place(points_);
    }
    path_.on_frame(frame);
    if (!frame.arp.empty()) ctx_.announcements.note(frame);
    // A connection is analysed on one clock, its home point's: a segment another point saw first
    // (one lost between the points on its way to the home) is moved onto it (SPEC §3.6), once the
    // two clocks' offset is known. A connection whose directions are each seen at an interface of
    // their own is taken for one machine's, on one clock, until the offset says otherwise.
    if (frame.tcp.present && !frame.tcp.copy && frame.interface_id != frame.tcp.home) {
        Nanos offset;
        if (points_.clock_offset(frame.interface_id, frame.tcp.home, offset)) frame.time = add_sat(frame.time, offset);
        else if (!frame.tcp.split) frame.tcp.unplaced = true;
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
// it. A step back is said once anything was annotated: no time before it compares with one after.
// Before, it changes nothing the analysis shows (a capture of other traffic with odd timestamps).
void Engine::on_capture_gap(const CaptureGaps::Gap& gap, std::uint32_t clock) {
    using Kind = CaptureGaps::Kind;
    constexpr Nanos kAll = std::numeric_limits<Nanos>::max();
    const Nanos step = sub_sat(gap.to, gap.from);
    std::uint32_t unjudged;
    if (gap.kind == Kind::StepBack) {
        // Every time kept before the first frame on the new time is on the old one.
        unjudged = sip_.retime(clock, gap.step_frame, step, kAll) + sccp_.forget_clock(clock, gap.step_frame, gap.to) +
                   points_.forget_due(clock, std::numeric_limits<Nanos>::min(), kAll);
    } else {
        // A silence, or a jump forward that may be one: what fell due in it is unknown. A SIP
        // expectation is moved by the jump, so that its phone, silent from then on, is still
        // reported.
        unjudged = (gap.kind == Kind::Silence ? sip_.forget_due(clock, gap.to)
                                              : sip_.retime(clock, ctx_.sink.frame(), step, gap.to)) +
                   sccp_.forget_due(clock, gap.to) + points_.forget_due(clock, gap.from, gap.to);
    }
    if (gap.kind != Kind::Silence) {
        // The other capture points' connections are timed partly from this point's frames, moved
        // onto their clocks by an offset that the step changed.
        const std::uint32_t peers = points_.clock_stepped(clock, step);
        for (std::uint32_t peer = 0; peer < kClocks; ++peer)
            if (peers >> peer & 1u) unjudged += judge_anew(peer, ctx_.sink.frame(), step, points_.to_clock(gap.to, clock, peer));
    }
    if (unjudged == 0 && (gap.kind != Kind::StepBack || store_.empty())) return;
    Annotation a;
    a.set(Field::CaptureUnjudged, unjudged);
    if (gap.kind == Kind::Silence) {
        a.subject = Subject::CaptureGap;
        a.set(Field::CaptureGap, step);
        a.set(Field::CaptureGapFrame, gap.from_frame);
        a.raise(Expert::CaptureGap);
    } else {
        a.subject = Subject::ClockStep;
        a.set(Field::ClockStep, step);
        a.set(Field::CaptureGapFrame, gap.from_frame);
        a.set(Field::ClockStepFrame, gap.step_frame);
        a.raise(Expert::ClockStep);
    }
    ctx_.sink.emit(a);
}

// Which of the two clocks stepped is not known: both are judged anew. Either point's frames may
// have been moved onto the other's clock by the offset before.
void Engine::on_offset_step(const CapturePoints::OffsetStep& step, const Frame& frame) {
    std::uint32_t unjudged = 0;
    for (std::uint32_t point : {step.here, step.peer})
        unjudged += judge_anew(ctx_.clock(point), frame.number, step.by, points_.to_clock(frame.time, step.here, point));
    if (step.settled) return;
    Annotation a;
    a.subject = Subject::ClockStep;
    a.set(Field::ClockStep, step.by);
    a.set(Field::ClockOffset, step.offset);
    a.set(Field::PeerInterface, step.peer);
    a.set(Field::CaptureUnjudged, unjudged);
    a.raise(Expert::ClockStep);
    ctx_.sink.emit(a);
}

// Times on `clock` kept before frame `since` do not compare with those after: a step by `by` of
// it or of a clock its connections are partly timed from. SIP expectations are moved by the
// step's size, later, so that a phone on time is never reported and one silent from then on
// still is; SCCP sessions forget their pending ack and restart the silence clock at `now`; copies
// due at the point are no longer looked for.
std::uint32_t Engine::judge_anew(std::uint32_t clock, std::uint32_t since, Nanos by, Nanos now) {
    constexpr Nanos kAll = std::numeric_limits<Nanos>::max();
    return sip_.retime(clock, since, by < 0 ? sub_sat(0, by) : by, kAll) + sccp_.forget_clock(clock, since, now) +
           points_.forget_due(clock, std::numeric_limits<Nanos>::min(), kAll);
}

std::size_t Engine::state_bytes() const {
    return decoder_.state_bytes() + ctx_.bytes() + points_.state_bytes() + path_.state_bytes() +
           sip_.state_bytes() + sccp_.state_bytes() + syslog_.state_bytes();
}

}  // namespace ka
