// The analysis engine: frames in (first pass, capture order), per-frame annotations out (any pass).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "capture_gaps.h"
#include "capture_points.h"
#include "context.h"
#include "decoder.h"
#include "path_analyzer.h"
#include "sccp_analyzer.h"
#include "sip_analyzer.h"
#include "syslog_analyzer.h"

namespace ka {

class Engine {
public:
    explicit Engine(const Config& config);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Analyse one frame. Frames must come in capture order, each once; the frame may be adjusted
    // (see CapturePoints). Its annotations are then available from findings().
    void process(Frame& frame);
    // The same from a raw frame, decoded first (see Decoder).
    void process(const RawFrame& raw);

    // Annotations of a frame, on any pass.
    std::size_t count(std::uint32_t frame) const { return store_.count(frame); }
    Annotation get(std::uint32_t frame, std::size_t i) const { return store_.get(frame, i); }
    std::uint32_t experts(std::uint32_t frame) const { return store_.experts(frame); }

    const StringTable& strings() const { return ctx_.strings; }
    const Config& config() const { return ctx_.config; }
    // Analysis state and cache, for the benchmark's per-endpoint figures.
    std::size_t state_bytes() const;
    std::size_t cache_bytes() const { return store_.bytes(); }

private:
    void on_capture_gap(const CaptureGaps::Gap& gap, std::uint32_t clock);
    void on_offset_step(const CapturePoints::OffsetStep& step, const Frame& frame);
    std::uint32_t judge_anew(std::uint32_t clock, std::uint32_t since, Nanos by, Nanos now);

    Decoder decoder_;
    Frame frame_;  // reused: no allocation per frame once warm
    FindingStore store_;
    Context ctx_;
    CapturePoints points_;
    CaptureGaps gaps_;
    PathAnalyzer path_;
    SipAnalyzer sip_;
    SccpAnalyzer sccp_;
    SyslogAnalyzer syslog_;
    std::size_t clock_pairs_ = 0;  // points_.clock_pairs() when SIP grants and SCCP sessions were last placed
};

}  // namespace ka
