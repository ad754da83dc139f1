// SPDX-License-Identifier: GPL-2.0-or-later
#include "sip_analyzer.h"

namespace ka {

struct SipAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
};

SipAnalyzer::SipAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
SipAnalyzer::~SipAnalyzer() = default;

void SipAnalyzer::on_frame(const Frame&) {}

std::size_t SipAnalyzer::state_bytes() const { return sizeof(Impl); }

}  // namespace ka
