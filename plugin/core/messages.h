// The words of the analysis: expert-info messages and the one-line verdict of an annotation.
// Built only when a frame is displayed, from the annotation's numbers.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "config.h"
#include "findings.h"

namespace ka {

std::string expert_message(Expert e, const Annotation& a, const StringTable& strings, const Config& config);

// "SEP0024142DDF24 refresh 6, margin 8.3 s, 1 retransmission"
std::string summary(const Annotation& a, const StringTable& strings);

// Short tag for the Info column of a frame with a warning or error, e.g. "grace breach".
const char* info_tag(Expert e);

// CUCM EndPointUnregistered reason codes and their names (SPEC §2.3 and the CUCM alarm catalog),
// for messages and for the field's value string.
struct ReasonName {
    std::uint32_t code;
    const char* name;
};
extern const ReasonName kReasonNames[23];

// Every SessionEvent but None: its label as the keepalive.event field shows it, and the shorter
// word titles and messages use ("Session ended: TCP reset").
struct SessionEventName {
    SessionEvent event;
    const char* label;
    const char* word;
};
extern const SessionEventName kSessionEventNames[11];

// The reason's name; nullptr when unknown.
const char* reason_name(std::uint32_t code);

}  // namespace ka
