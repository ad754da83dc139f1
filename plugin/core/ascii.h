// ASCII case and digits for protocol text (SIP headers and parameters, syslog keys): <cctype> depends on the
// locale, and these names are ASCII by definition.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace ka::ascii {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace ka::ascii
