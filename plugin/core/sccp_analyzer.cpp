// SPDX-License-Identifier: GPL-2.0-or-later
#include "sccp_analyzer.h"

namespace ka {

struct SccpAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
};

SccpAnalyzer::SccpAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
SccpAnalyzer::~SccpAnalyzer() = default;

void SccpAnalyzer::on_frame(const Frame&) {}

std::size_t SccpAnalyzer::state_bytes() const { return sizeof(Impl); }

}  // namespace ka
