// SPDX-License-Identifier: GPL-2.0-or-later
#include "syslog_parse.h"

namespace ka::syslog {

bool message(std::string_view payload, std::string_view& text) {
    text = {};
    std::size_t off = 0;
    if (!payload.empty() && payload[0] == '<') {
        // Wireshark reads digits at offsets 1..3 only, then skips one '>' if it is next.
        off = 1;
        while (off < payload.size() && off <= 3 && payload[off] >= '0' && payload[off] <= '9') ++off;
        if (off < payload.size() && payload[off] == '>') ++off;
    }
    if (off >= payload.size()) return false;
    std::string_view rest = payload.substr(off);
    text = rest.substr(0, rest.find('\0'));
    return true;
}

std::string_view message_text(std::string_view payload) {
    std::string_view text;
    message(payload, text);
    return text;
}

}  // namespace ka::syslog
