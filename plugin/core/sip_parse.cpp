// SPDX-License-Identifier: GPL-2.0-or-later
#include "sip_parse.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "ascii.h"
#include "byte_set.h"
#include "sip_contact.h"

namespace ka::sip {

namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr std::size_t kMaxCseqMethod = 16;  // packet-sip.c MAX_CSEQ_METHOD_SIZE

bool is_wsp(char c) { return c == ' ' || c == '\t'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_print(char c) { return c >= 0x20 && c < 0x7f; }
// C isspace(), as strtoul and strtoll skip it.
bool is_cspace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// A lower-case name (header name, parameter prefix) of at most 16 bytes, compared ignoring ASCII
// case as two words: for a letter n, c | 0x20 == n exactly when c is n or its upper case; other
// bytes must match as they are (their mask bit is 0).
class Name {
public:
    constexpr explicit Name(const char* s) {
        for (; size_ < 16 && s[size_]; ++size_) {
            text_[size_] = s[size_];
            mask_[size_] = s[size_] >= 'a' && s[size_] <= 'z' ? 0x20 : 0;
        }
    }
    bool matches(std::string_view s) const {
        if (s.size() != size_) return false;
        char buf[16] = {};
        std::memcpy(buf, s.data(), size_);
        std::uint64_t b[2], t[2], m[2];
        std::memcpy(b, buf, 16);
        std::memcpy(t, text_, 16);
        std::memcpy(m, mask_, 16);
        return ((b[0] | m[0]) == t[0]) & ((b[1] | m[1]) == t[1]);
    }

private:
    char text_[16] = {};
    char mask_[16] = {};
    std::size_t size_ = 0;
};
constexpr Name kTo("to"), kCSeq("cseq"), kCallId("call-id"), kContact("contact"), kExpires("expires"),
    kContentLength("content-length"), kExpiresParam("expires=");

// Searches [from, end) with `end` clamped to the data: Wireshark's searches may reach a byte or two
// past a line, never past the buffer.
std::size_t find(std::string_view s, char c, std::size_t from, std::size_t end) {
    if (end > s.size()) end = s.size();
    if (from >= end) return npos;
    const void* p = std::memchr(s.data() + from, c, end - from);
    return p ? static_cast<std::size_t>(static_cast<const char*>(p) - s.data()) : npos;
}

using LineEnd = ByteSet<'\r', '\n'>;
using ParamEnd = ByteSet<',', ';'>;
using ContactStop = ByteSet<'\r', '\n', ',', ';', '"'>;
using Colon = ByteSet<':'>;

template <class Set>
std::size_t find_any(std::string_view s, std::size_t from, std::size_t end, char* found = nullptr) {
    if (end > s.size()) end = s.size();
    if (from >= end) return npos;
    const std::size_t i = Set::first(s.data(), from, end);
    if (i == end) return npos;
    if (found) *found = s[i];
    return i;
}

// Wireshark's tvb_skip_wsp(): spaces, tabs, CRs and LFs, so that a value folded onto the next
// line right after its colon (RFC 3261 7.3.1) starts where that line's text does.
std::size_t skip_wsp(std::string_view s, std::size_t from, std::size_t end) {
    if (end > s.size()) end = s.size();
    while (from < end && (is_wsp(s[from]) || s[from] == '\r' || s[from] == '\n')) ++from;
    return from;
}

std::string_view trim_trailing(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// One line as tvb_find_line_end() sees it: it ends at CRLF, LF or a lone CR.
// Two words, so that it is returned in registers: there is one per header line.
struct Line {
    std::size_t end;   // first byte of the line ending (or the data's end)
    std::size_t next;  // first byte of the next line
    bool terminated() const { return next != end; }  // a line ending is one or two bytes
};

// The line ends at the first CR or LF.
Line line_at(std::string_view s, std::size_t pos) {
    if (pos >= s.size()) return {s.size(), s.size()};
    const std::size_t i = LineEnd::first(s.data(), pos, s.size());
    if (i == s.size()) return {i, i};
    return {i, s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n' ? i + 2 : i + 1};
}

enum class StartLine { Other, Request, Status };

// packet-sip.c sip_parse_line() with strict_sip_version: "Method SP URI SP SIP/2.0" where the URI
// has a colon after its first byte, or "SIP/2.0 SP 3DIGIT SP ...".
StartLine start_line(std::string_view line) {
    std::size_t sp1 = line.find(' ');
    if (sp1 == npos || sp1 == 0) return StartLine::Other;
    std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == npos) return StartLine::Other;
    if (line.substr(0, sp1) == "SIP/2.0") {
        if (sp2 - sp1 - 1 != 3) return StartLine::Other;
        for (std::size_t i = sp1 + 1; i < sp2; ++i)
            if (!ascii::digit(line[i])) return StartLine::Other;
        return StartLine::Status;
    }
    if (sp2 - sp1 - 1 < 3) return StartLine::Other;
    std::size_t colon = line.find(':', sp1 + 2);
    if (colon == npos || colon > sp2) return StartLine::Other;
    if (line.substr(sp2 + 1) != "SIP/2.0") return StartLine::Other;
    return StartLine::Request;
}

// The first line of `data` (to its end if it has no line ending) is a SIP start line.
StartLine classify(std::string_view data, std::size_t line_end) {
    if (line_end == 0 || !is_print(data[0])) return StartLine::Other;
    std::string_view line = data.substr(0, line_end);
    if (std::memchr(line.data(), '\0', line.size())) return StartLine::Other;
    return start_line(line);
}

// strtoul(s, NULL, 10) on an LP64 system, truncated to 32 bits as packet-sip.c stores it. A NUL
// ends the C string, and stops every loop here too: it is neither a space, a sign nor a digit.
std::uint32_t strtoul32(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && is_cspace(s[i])) ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    std::uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && ascii::digit(s[i]); ++i) {
        auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) overflow = true;
        if (!overflow) v = v * 10 + d;
    }
    if (overflow) return std::numeric_limits<std::uint32_t>::max();
    if (negative) v = ~v + 1;
    return static_cast<std::uint32_t>(v);
}

// ws_strtoi32(s, NULL, ...): optional leading C spaces and sign, digits, nothing after, in range.
bool valid_strtoi32(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && is_cspace(s[i])) ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    std::size_t digits = i;
    std::uint64_t v = 0;
    for (; i < s.size() && ascii::digit(s[i]); ++i) {
        v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
        if (v > (std::uint64_t{1} << 32)) v = std::uint64_t{1} << 32;  // out of range either way
    }
    if (i == digits || i != s.size()) return false;
    return negative ? v <= std::uint64_t{1} << 31 : v < std::uint64_t{1} << 31;
}

// Where packet-sip.c's dissect_sip_name_addr_or_addr_spec() and dissect_sip_uri() put a URI:
// [start, stop). `limit` is the end of the searches; an addr-spec without ',' or ';' ends 2 bytes
// before it (Wireshark assumes `limit` is past a CRLF). False when Wireshark finds no URI.
bool uri_span(std::string_view s, std::size_t from, std::size_t limit, std::size_t& start, std::size_t& stop) {
    std::size_t cur = skip_wsp(s, from, limit);
    if (cur >= limit || cur >= s.size()) return false;
    bool angle = true;
    char c = s[cur];
    if (c == '"') {
        // Quoted display name: the next '"' not escaped by an odd number of backslashes.
        for (;;) {
            std::size_t q = find(s, '"', cur + 1, limit);
            if (q == npos) return false;
            cur = q;
            std::size_t backslashes = 0;
            while (s[q - 1 - backslashes] == '\\') ++backslashes;
            if (backslashes % 2 == 0) break;
        }
        std::size_t lt = find(s, '<', cur, limit);
        if (lt == npos) return false;
        cur = lt + 1;
    } else if (c == '<') {
        ++cur;
    } else {
        std::size_t lt = find(s, '<', cur, limit);
        std::size_t colon = find(s, ':', cur, limit);
        if (lt != npos && (colon == npos || lt < colon)) {
            cur = lt + 1;
        } else if (colon != npos) {
            angle = false;
        } else {
            return false;
        }
    }
    if (angle) {
        std::size_t gt = find(s, '>', cur, limit);
        if (gt == npos) return false;
        start = skip_wsp(s, cur, limit);
        stop = gt;
        if (start > stop) start = stop;  // "<>": an empty URI
        return true;
    }
    start = cur;
    if (s.compare(start, 3, "sip") != 0) return false;  // an addr-spec is only understood as a SIP URI
    std::size_t end = find_any<ParamEnd>(s, start, limit);
    if (end != npos) {
        stop = end;
    } else {
        if (limit < start + 2) return false;  // Wireshark would add a negative length and give up
        stop = limit - 2;
    }
    return stop >= start;
}

// Contact parameters are kept for at most this message's first kMaxContacts contacts.
struct ContactSink {
    Frame& out;
    SipMessage& msg;
    bool full() const { return msg.contact_count >= kMaxContacts; }
    void contact(std::string_view uri) {
        if (msg.contact_count == 0) msg.first_contact = static_cast<std::uint32_t>(out.contacts.size());
        ++msg.contact_count;
        SipContact c;
        c.uri = uri;
        out.contacts.push_back(c);
    }
    void param(std::string_view p) {
        SipContact& c = out.contacts.back();
        if (c.param_count == 0) c.first_param = static_cast<std::uint32_t>(out.contact_params.size());
        ++c.param_count;
        out.contact_params.push_back(trim_trailing(p));
    }
};

// packet-sip.c dissect_sip_contact_item(): one contact of a Contact header starting at `from`;
// `limit` is the start of the next header line. Returns where parsing stopped (a ',' means another
// contact follows) or npos when no URI was found.
std::size_t contact_item(std::string_view s, std::size_t from, std::size_t limit, ContactSink& sink) {
    from = skip_wsp(s, from, limit);
    if (from >= limit) return npos;
    std::size_t ustart = 0, ustop = 0;
    if (!uri_span(s, from, limit, ustart, ustop)) return npos;
    sink.contact(s.substr(ustart, ustop - ustart));

    // Wireshark searches from the URI's last byte (the byte before an empty URI).
    std::size_t uri_last = ustop > 0 ? ustop - 1 : 0;
    std::size_t comma = find(s, ',', uri_last, limit);
    std::size_t semi = find(s, ';', uri_last, limit);
    if (comma != npos && (semi == npos || comma < semi)) return comma;
    if (semi == npos) return limit;

    std::size_t pstart = semi + 1;
    std::size_t cur = pstart;
    std::size_t query = cur;
    bool end_of_header = false;
    while (cur < limit) {
        char c = '\0';
        ++query;
        query = query < limit ? find_any<ContactStop>(s, query, limit, &c) : npos;
        if (query != npos && (c == '\r' || c == '\n')) end_of_header = true;
        if (query == npos) {
            cur = limit;
        } else if (c == '"') {
            // A quoted value: its end, then the next separator (the searches reach one byte past
            // the line, as in packet-sip.c).
            std::size_t close = find(s, '"', query + 1, limit + 1);
            if (close == npos) {
                cur = limit;
            } else {
                cur = find_any<ParamEnd>(s, close + 1, limit + 1, &c);
                if (cur == npos) cur = limit;
            }
        } else {
            cur = query;
        }
        if (cur > s.size()) cur = s.size();
        std::string_view param = s.substr(pstart, cur > pstart ? cur - pstart : 0);
        sink.param(param);
        // An expires= value that is not an integer ends this header's contacts.
        if (param.size() >= 8 && kExpiresParam.matches(param.substr(0, 8)) && !valid_strtoi32(param.substr(8)))
            return pstart + 8;
        pstart = cur + 1;
        query = pstart;
        if (end_of_header) cur = limit;
        if (c == ',') break;
    }
    return cur;
}

enum class Header { Other, CallId, Contact, CSeq, Expires, To, ContentLength };

// Whether a header line starting with bytes c0 c1 can name one of the headers above: most lines
// (Via, From, Max-Forwards, User-Agent...) are then passed over without looking for their colon.
bool may_name_wanted(char c0, char c1) {
    switch (ascii::lower(c0)) {
    case 'c':
    case 'e':
    case 't': return true;
    case 'i':
    case 'l':
    case 'm': return c1 == ':';  // compact forms: the name is the one letter
    default: return false;
    }
}

// Header names as packet-sip.c matches them: the whole name before ':' (no trimming), any case,
// the compact form for single letters.
Header header_of(std::string_view name) {
    switch (name.size()) {
    case 1:
        switch (ascii::lower(name[0])) {
        case 'i': return Header::CallId;
        case 'm': return Header::Contact;
        case 't': return Header::To;
        case 'l': return Header::ContentLength;
        default: return Header::Other;
        }
    case 2: return kTo.matches(name) ? Header::To : Header::Other;
    case 4: return kCSeq.matches(name) ? Header::CSeq : Header::Other;
    case 7:
        switch (ascii::lower(name[0])) {
        case 'c':
            if (kCallId.matches(name)) return Header::CallId;
            return kContact.matches(name) ? Header::Contact : Header::Other;
        case 'e': return kExpires.matches(name) ? Header::Expires : Header::Other;
        default: return Header::Other;
        }
    case 14: return kContentLength.matches(name) ? Header::ContentLength : Header::Other;
    default: return Header::Other;
    }
}

// Content-Length value: digits between optional whitespace; anything else reads as absent (0).
std::size_t content_length_of(std::string_view v) {
    while (!v.empty() && (is_wsp(v.front()) || v.front() == '\r' || v.front() == '\n')) v.remove_prefix(1);
    while (!v.empty() && (is_wsp(v.back()) || v.back() == '\r' || v.back() == '\n')) v.remove_suffix(1);
    if (v.empty()) return 0;
    std::size_t n = 0;
    for (char c : v) {
        if (!ascii::digit(c)) return 0;
        n = n * 10 + static_cast<std::size_t>(c - '0');
        if (n > kMaxBodyBytes) return kMaxBodyBytes + 1;
    }
    return n;
}

}  // namespace

bool looks_like_sip(std::string_view data) {
    return classify(data, line_at(data, 0).end) != StartLine::Other;
}

bool start_line_prefix(std::string_view data) {
    if (data.empty() || data[0] < 'A' || data[0] > 'Z') return false;
    return std::all_of(data.begin(), data.end(), is_print);
}

bool keepalive_ping(std::string_view d) {
    if (d.empty()) return false;
    if (d[0] == '\r' || d[0] == '\n') return d.find_first_not_of("\r\n") == std::string_view::npos;
    // STUN header: type (Binding request 0x0001, indication 0x0011), length, magic cookie.
    static constexpr char kCookie[] = {0x21, 0x12, static_cast<char>(0xa4), 0x42};
    return d.size() >= 20 && d[0] == 0 && (d[1] == 0x01 || d[1] == 0x11) && std::memcmp(d.data() + 4, kCookie, 4) == 0;
}

Extent message_extent(std::string_view data) {
    Extent e;
    std::size_t skip = 0;
    while (skip < data.size() && (data[skip] == '\r' || data[skip] == '\n')) ++skip;
    e.skip = skip;
    std::string_view d = data.substr(skip);
    if (d.empty()) {
        e.kind = Extent::Incomplete;
        return e;
    }
    if (!is_print(d[0])) return e;

    std::size_t pos = 0;
    bool start = true;
    bool content_length_header = false;
    std::size_t value_start = 0, value_end = 0;
    std::size_t content_length = 0;
    for (;;) {
        // One physical line: a line ending not yet all there (a CR may be followed by LF) is
        // incomplete.
        std::size_t limit = d.size() < kMaxHeaderBytes ? d.size() : kMaxHeaderBytes;
        std::size_t eol = LineEnd::first(d.data(), pos, limit);
        if (eol >= limit || (d[eol] == '\r' && eol + 1 >= d.size())) {
            if (start && std::memchr(d.data(), '\0', eol)) return e;
            if (d.size() >= kMaxHeaderBytes) return e;
            e.kind = Extent::Incomplete;
            return e;
        }
        std::size_t next = d[eol] == '\r' && d[eol + 1] == '\n' ? eol + 2 : eol + 1;
        if (start) {
            if (classify(d, eol) == StartLine::Other) return e;
            start = false;
        } else if (eol == pos) {
            // The blank line: the body follows.
            if (content_length_header) content_length = content_length_of(d.substr(value_start, value_end - value_start));
            if (content_length > kMaxBodyBytes) return e;
            if (d.size() - next < content_length) {
                e.kind = Extent::Incomplete;
                return e;
            }
            e.kind = Extent::Whole;
            e.length = next + content_length;
            return e;
        } else if (is_wsp(d[pos])) {
            // A folded line continues the previous header.
            value_end = eol;
        } else {
            if (content_length_header) content_length = content_length_of(d.substr(value_start, value_end - value_start));
            content_length_header = false;
            std::size_t colon = may_name_wanted(d[pos], d[pos + 1]) ? find_any<Colon>(d, pos, eol) : npos;
            if (colon != npos && header_of(d.substr(pos, colon - pos)) == Header::ContentLength) {
                content_length_header = true;
                value_start = colon + 1;
                value_end = eol;
            }
        }
        pos = next;
    }
}

namespace {

// The start line's facts; false when `msg` does not start with a request or status line.
bool start_of(std::string_view msg, Line& first, SipMessage& m) {
    first = line_at(msg, 0);
    StartLine kind = classify(msg, first.end);
    if (kind == StartLine::Other) return false;
    if (kind == StartLine::Request) {
        m.is_request = true;
        m.method = msg.substr(0, msg.find(' '));
    } else {
        m.status = static_cast<std::uint32_t>((msg[8] - '0') * 100 + (msg[9] - '0') * 10 + (msg[10] - '0'));
    }
    return true;
}

// A CSeq value: a number, then the method from the first letter on (trailing spaces included).
// False where Wireshark stops the message: no method, or one longer than 16 bytes.
bool read_cseq(std::string_view value, SipMessage& m) {
    std::size_t i = 0;
    while (i < value.size() && ascii::digit(value[i])) ++i;
    if (i == value.size()) return false;
    m.cseq = strtoul32(value);
    while (i < value.size() && !is_alpha(value[i])) ++i;
    if (i == value.size() || value.size() - i > kMaxCseqMethod) return false;
    m.cseq_method = value.substr(i);
    return true;
}

}  // namespace

bool parse_truncated_message(std::string_view captured, Frame& out) {
    Line first;
    SipMessage m;
    if (!start_of(captured, first, m)) return false;
    m.truncated = true;
    // Which request a response answers, when the capture kept its CSeq line whole.
    for (std::size_t pos = first.next; !m.is_request && pos < captured.size();) {
        const Line l = line_at(captured, pos);
        if (!l.terminated() || l.end == pos) break;
        const std::size_t colon = find_any<Colon>(captured, pos, l.end);
        if (colon != npos && header_of(captured.substr(pos, colon - pos)) == Header::CSeq) {
            const std::size_t value = skip_wsp(captured, colon + 1, l.end);
            read_cseq(captured.substr(value, l.end - value), m);
            break;
        }
        pos = l.next;
    }
    out.sip.push_back(m);
    return true;
}

bool parse_message(std::string_view msg, Frame& out) {
    Line first;
    SipMessage m;
    if (!start_of(msg, first, m)) return false;
    // Contacts go straight into out; the message is appended last so that `m` can count them.
    ContactSink sink{out, m};

    std::size_t pos = first.next;
    while (pos < msg.size()) {
        Line l = line_at(msg, pos);
        if (l.end == pos) break;  // blank line: end of the headers
        std::size_t line_end = l.end, next = l.next;
        if (l.terminated()) {
            while (next < msg.size() && is_wsp(msg[next])) {
                Line cont = line_at(msg, next);
                line_end = cont.end;
                next = cont.next;
            }
        }
        if (!may_name_wanted(msg[pos], pos + 1 < msg.size() ? msg[pos + 1] : '\0')) {
            pos = next;
            continue;
        }
        std::size_t colon = find_any<Colon>(msg, pos, line_end);
        if (colon == npos) {
            pos = next;
            continue;
        }
        std::size_t value_start = skip_wsp(msg, colon + 1, line_end);
        std::string_view value = msg.substr(value_start, line_end - value_start);
        bool stop = false;
        switch (header_of(msg.substr(pos, colon - pos))) {
        case Header::CallId:
            m.call_id = value;
            break;
        case Header::CSeq:
            stop = !read_cseq(value, m);
            break;
        case Header::Expires:
            m.has_expires = parse_seconds(value, m.expires);
            break;
        case Header::To:
            if (m.to_addr.empty()) {
                std::size_t ustart = 0, ustop = 0;
                if (uri_span(msg, value_start, line_end + 2, ustart, ustop))
                    m.to_addr = msg.substr(ustart, ustop - ustart);
            }
            break;
        case Header::Contact: {
            if (value_start >= msg.size()) {
                stop = true;  // Wireshark reads the first value byte past the data
                break;
            }
            if (msg[value_start] == '*') break;  // "Contact: *" names no binding
            std::size_t p = value_start;
            while (!sink.full()) {
                std::size_t r = contact_item(msg, p, next, sink);
                if (r == npos || r >= next || msg[r] != ',') break;
                p = r + 1;
            }
            break;
        }
        case Header::ContentLength:
        case Header::Other:
            break;
        }
        if (stop) break;
        pos = next;
    }
    out.sip.push_back(m);
    return true;
}

}  // namespace ka::sip
