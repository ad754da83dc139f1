// The message text of a syslog UDP payload, as Wireshark 4.0's syslog dissector gives it in
// syslog.msg; the messages of a syslog TCP stream.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
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

// Messages longer than this are not a call manager's alarms: a stream claiming one is not syslog.
constexpr std::size_t kMaxFramedBytes = 64 * 1024;

// The first message of a syslog TCP byte stream (RFC 6587), as senders frame it: octet counting
// ("LEN SP MSG", LEN without a leading zero, at most kMaxFramedBytes, MSG beginning with its PRI's
// '<') or, when it begins with '<', non-transparent framing (MSG up to LF or NUL; a CR before the
// LF is dropped). `skip`: line ends before it, which either framing may leave between messages.
// Invalid when the stream does not begin (after them) with either; Incomplete while its end is not
// there yet. `text` (Whole): its message_text().
struct Framed {
    enum Status : std::uint8_t { Invalid, Incomplete, Whole } status = Invalid;
    std::size_t skip = 0, length = 0;  // Whole: the framed message's bytes after `skip`
    std::string_view text;
};
Framed framed_message(std::string_view data);

// Where a message may begin in `data` read from inside one (a capture begun mid-connection, or
// after bytes it lacks), past its first byte: after the next LF or NUL (non-transparent framing),
// or at the next count followed by a space and a PRI's '<' (octet counting). data.size() if nowhere.
std::size_t next_start(std::string_view data);

}  // namespace ka::syslog
