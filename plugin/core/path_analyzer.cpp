// SPDX-License-Identifier: GPL-2.0-or-later
#include "path_analyzer.h"

namespace ka {

struct PathAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
};

PathAnalyzer::PathAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
PathAnalyzer::~PathAnalyzer() = default;

void PathAnalyzer::on_frame(const Frame&) {}

std::size_t PathAnalyzer::state_bytes() const { return sizeof(Impl); }

}  // namespace ka
