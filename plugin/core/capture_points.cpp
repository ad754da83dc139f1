// SPDX-License-Identifier: GPL-2.0-or-later
#include "capture_points.h"

namespace ka {

struct CapturePoints::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
};

CapturePoints::CapturePoints(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
CapturePoints::~CapturePoints() = default;

void CapturePoints::on_frame(Frame&) {}

std::size_t CapturePoints::state_bytes() const { return sizeof(Impl); }

}  // namespace ka
