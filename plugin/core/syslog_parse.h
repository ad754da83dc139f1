// The message text of a syslog UDP payload, as Wireshark 4.0's syslog dissector gives it in
// syslog.msg.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string_view>

namespace ka::syslog {

// Wireshark 4.0 semantics: an optional "<PRI>" prefix ('<', at most 3 digits, then '>' if it is
// there) is skipped; the rest of the captured payload is the message, timestamp and hostname
// included (4.0 shows them as sub-items of syslog.msg, not split off), up to the first NUL, with
// trailing CR/LF kept. No message (empty result) when nothing follows the prefix: Wireshark then
// shows no syslog at all. Bytes that are not valid UTF-8 are returned as they are (Wireshark shows
// U+FFFD for them).
std::string_view message_text(std::string_view payload);

// Same, telling apart "no syslog.msg" (false) from an empty message (first byte NUL).
bool message(std::string_view payload, std::string_view& text);

}  // namespace ka::syslog
