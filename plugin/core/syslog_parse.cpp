// SPDX-License-Identifier: GPL-2.0-or-later
#include "syslog_parse.h"

#include "ascii.h"

namespace ka::syslog {

bool message(std::string_view payload, std::string_view& text) {
    text = {};
    std::size_t off = 0;
    if (!payload.empty() && payload[0] == '<') {
        // Wireshark reads digits at offsets 1..3 only, then skips one '>' if it is next.
        off = 1;
        while (off < payload.size() && off <= 3 && ascii::digit(payload[off])) ++off;
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

Framed framed_message(std::string_view data) {
    Framed f;
    while (f.skip < data.size() && (data[f.skip] == '\n' || data[f.skip] == '\r' || data[f.skip] == '\0')) ++f.skip;
    const std::string_view d = data.substr(f.skip);
    if (d.empty()) {
        f.status = Framed::Incomplete;
        return f;
    }
    std::string_view msg;
    if (d[0] >= '1' && d[0] <= '9') {
        std::size_t n = 0, i = 0;
        for (; i < d.size() && ascii::digit(d[i]); ++i) {
            n = n * 10 + static_cast<std::size_t>(d[i] - '0');
            if (n > kMaxFramedBytes) return {};
        }
        if (i == d.size()) {
            f.status = Framed::Incomplete;
            return f;
        }
        // A message begins with its PRI: digits and a space inside a message are not a count.
        if (d[i] != ' ' || (i + 1 < d.size() && d[i + 1] != '<')) return {};
        if (d.size() - i - 1 < n) {
            f.status = Framed::Incomplete;
            return f;
        }
        msg = d.substr(i + 1, n);
        f.length = i + 1 + n;
    } else if (d[0] == '<') {
        const std::size_t end = d.find_first_of(std::string_view("\n\0", 2));
        if (end == std::string_view::npos) {
            if (d.size() > kMaxFramedBytes) return {};
            f.status = Framed::Incomplete;
            return f;
        }
        msg = d.substr(0, end);
        if (!msg.empty() && msg.back() == '\r') msg.remove_suffix(1);
        f.length = end + 1;
    } else {
        return {};
    }
    f.status = Framed::Whole;
    f.text = message_text(msg);
    return f;
}

std::size_t next_start(std::string_view data) {
    for (std::size_t i = 1; i < data.size(); ++i) {
        if (data[i - 1] == '\n' || data[i - 1] == '\0') return i;
        // A count (not the middle of a number) that framed_message() takes, or waits on the rest of.
        if (ascii::digit(data[i]) && !ascii::digit(data[i - 1]) && framed_message(data.substr(i)).status != Framed::Invalid)
            return i;
    }
    return data.size();
}

}  // namespace ka::syslog
