// SPDX-License-Identifier: GPL-2.0-or-later
#include "syslog_analyzer.h"

namespace ka {

struct SyslogAnalyzer::Impl {
    explicit Impl(Context& c) : ctx(c) {}
    Context& ctx;
};

SyslogAnalyzer::SyslogAnalyzer(Context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
SyslogAnalyzer::~SyslogAnalyzer() = default;

void SyslogAnalyzer::on_frame(const Frame&) {}

std::size_t SyslogAnalyzer::state_bytes() const { return sizeof(Impl); }

}  // namespace ka
