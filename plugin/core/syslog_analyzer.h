// Call manager syslog correlation (SPEC §3.5): EndPointUnregistered / EndPointTransientConnection.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>

#include "context.h"

namespace ka {

class SyslogAnalyzer {
public:
    explicit SyslogAnalyzer(Context& ctx);
    ~SyslogAnalyzer();
    SyslogAnalyzer(const SyslogAnalyzer&) = delete;
    SyslogAnalyzer& operator=(const SyslogAnalyzer&) = delete;

    // Frames with syslog messages.
    void on_frame(const Frame& f);
    std::size_t state_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
