// Contact header parameters as sip_parse.cpp cuts them out, one string each as Wireshark shows
// sip.contact.parameter (`expires=120`, `+sip.instance="<urn:uuid:...>"`, `cisco-keep-alive`):
// names compared without case, values unquoted, numbers parsed strictly.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string_view>

#include "events.h"

namespace ka::sip {

// What the registration analysis needs from one Contact.
struct ContactFacts {
    // The Contact URI without its parameters (";line=...", ";transport=..."): registrars compare
    // contacts ignoring parameters present on one side only (RFC 3261 19.1.4), and phones drop
    // some of them when they de-register.
    std::string_view address;
    std::string_view uri;          // the whole URI, its parameters included
    std::string_view instance;     // +sip.instance value without quotes, empty when absent
    std::string_view device_name;  // +u.sip!devicename.ccm.cisco.com value without quotes
    bool has_expires = false;      // an expires= parameter with a valid number
    std::uint32_t expires = 0;
    bool keep_alive = false;       // cisco-keep-alive
};

ContactFacts contact_facts(const Frame& f, const SipContact& c);

// Decimal seconds, optionally quoted and space-padded; values beyond 2^32-1 saturate (RFC 3261
// 10.2.1.1 bounds expiry to 2^32-1). False for anything else (empty, sign, garbage).
bool parse_seconds(std::string_view s, std::uint32_t& out);

// Whether `param` names `name` (ASCII case-insensitive) and, if so, its unquoted value.
bool param_named(std::string_view param, std::string_view name, std::string_view& value);

}  // namespace ka::sip
