// Call manager syslog correlation (SPEC §3.5): EndPointUnregistered / EndPointTransientConnection,
// and DeviceUnregistered, their predecessor before CUCM 8.0.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "capture_points.h"
#include "context.h"

namespace ka {

// A CUCM alarm about an endpoint, parsed from its bracketed [Key=Value] list, or from the
// "Label.:value" list of CUCM before 8.0. Views point into the parsed text; a key that is missing
// (or cut off by truncation) leaves its member empty.
struct CucmAlarm {
    enum class Kind : std::uint8_t { None, EndPointUnregistered, EndPointTransientConnection, DeviceUnregistered };
    Kind kind = Kind::None;
    std::string_view device;    // DeviceName / Device_name / Device name.
    std::string_view ip;        // IPAddress / Device_IP_address / Device IP address.
    std::string_view protocol;  // Protocol / Protocol.
    std::string_view signal;    // LastSignalReceived
    bool has_reason = false;
    std::uint32_t reason = 0;   // Reason / Reason_Code / Reason Code [Optional].
    // From the alarm's name to the end of the line: what a syslog relay forwards unchanged.
    std::string_view body;
};

// False when the text holds no EndPointUnregistered / EndPointTransientConnection /
// DeviceUnregistered alarm.
bool parse_cucm_alarm(std::string_view text, CucmAlarm& out);

class SyslogAnalyzer {
public:
    // `points` gives the clock offset when the message and the endpoint's frame are on different
    // capture points.
    SyslogAnalyzer(Context& ctx, const CapturePoints& points);
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
