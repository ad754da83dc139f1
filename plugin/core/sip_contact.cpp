// SPDX-License-Identifier: GPL-2.0-or-later
#include "sip_contact.h"

#include <limits>

#include "ascii.h"
#include "byte_set.h"

namespace ka::sip {

namespace {

// Nearly every byte tested is above ' ': one compare rejects it, where the four equalities alone
// cost eight instructions for each end of every parameter, name and value trimmed.
bool is_space(char c) { return c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n'); }

// Parameters mostly come without spaces: that case is two tests, inlined.
inline std::string_view trim(std::string_view s) {
    if (s.empty() || (!is_space(s.front()) && !is_space(s.back()))) return s;
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string_view unquote(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a == b) return true;  // names are mostly sent as written: one memcmp
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii::lower(a[i]) != ascii::lower(b[i])) return false;
    return true;
}

}  // namespace

bool parse_seconds(std::string_view s, std::uint32_t& out) {
    s = unquote(s);
    if (s.empty()) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        if (v <= std::numeric_limits<std::uint32_t>::max()) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                         : static_cast<std::uint32_t>(v);
    return true;
}

bool param_named(std::string_view param, std::string_view name, std::string_view& value) {
    param = trim(param);
    std::size_t eq = param.find('=');
    if (!iequals(trim(param.substr(0, eq)), name)) return false;
    value = eq == std::string_view::npos ? std::string_view() : unquote(param.substr(eq + 1));
    return true;
}

ContactFacts contact_facts(const Frame& f, const SipContact& c) {
    ContactFacts facts;
    std::string_view uri = trim(c.uri);
    // URI parameters and headers follow the host; a user part may carry parameters of its own
    // (RFC 3966's "+4930123;npdi"), which belong to the address.
    const std::size_t at = uri.find('@');
    const std::size_t cut = ByteSet<';', '?'>::first(uri.data(), at == std::string_view::npos ? 0 : at + 1, uri.size());
    facts.address = trim(uri.substr(0, cut));
    facts.uri = uri;
    std::size_t end = std::size_t{c.first_param} + c.param_count;
    if (end > f.contact_params.size()) end = f.contact_params.size();
    // One pass per parameter (this runs for every Contact of every frame): trim and split once,
    // then pick the only name of that length, as param_named() would for each name in turn.
    static constexpr std::string_view kExpires = "expires", kInstance = "+sip.instance",
                                      kDevice = "+u.sip!devicename.ccm.cisco.com", kKeepAlive = "cisco-keep-alive";
    for (std::size_t i = c.first_param; i < end; ++i) {
        std::string_view p = trim(f.contact_params[i]);
        std::size_t eq = p.find('=');
        std::string_view name = trim(p.substr(0, eq));
        if (name.empty()) continue;
        // Most parameters are none of these: their values are never looked at.
        auto value = [&] { return eq == std::string_view::npos ? std::string_view() : unquote(p.substr(eq + 1)); };
        char first = ascii::lower(name.front());
        if (name.size() == kExpires.size() && first == 'e' && iequals(name, kExpires)) {
            facts.has_expires = parse_seconds(value(), facts.expires);
        } else if (first == '+' && name.size() == kInstance.size() && iequals(name, kInstance)) {
            facts.instance = value();
        } else if (first == '+' && name.size() == kDevice.size() && iequals(name, kDevice)) {
            facts.device_name = value();
        } else if (name.size() == kKeepAlive.size() && first == 'c' && iequals(name, kKeepAlive)) {
            facts.keep_alive = true;
        }
    }
    return facts;
}

}  // namespace ka::sip
