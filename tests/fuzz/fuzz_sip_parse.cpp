// libFuzzer target for the SIP byte parser: the input is a TCP byte stream cut into messages by
// message_extent(), each message parsed by parse_message() (and the whole input once as a datagram),
// checking that every view the parser returns lies inside its message.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/sip_parse.h"

namespace {

void inside(std::string_view v, std::string_view msg) {
    if (v.empty()) return;
    if (v.data() < msg.data() || v.data() + v.size() > msg.data() + msg.size()) std::abort();
}

void parse(std::string_view msg, ka::Frame& f) {
    f.clear();
    if (!ka::sip::parse_message(msg, f)) {
        if (!f.sip.empty() || !f.contacts.empty()) std::abort();
        return;
    }
    for (const ka::SipMessage& m : f.sip) {
        for (std::string_view v : {m.method, m.call_id, m.cseq_method, m.to_addr}) inside(v, msg);
        if (m.contact_count > ka::sip::kMaxContacts) std::abort();
    }
    for (const ka::SipContact& c : f.contacts) {
        inside(c.uri, msg);
        if (std::size_t{c.first_param} + c.param_count > f.contact_params.size()) std::abort();
    }
    for (std::string_view p : f.contact_params) inside(p, msg);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    static ka::Frame f;
    parse(stream, f);
    ka::sip::looks_like_sip(stream);
    while (!stream.empty()) {
        ka::sip::Extent e = ka::sip::message_extent(stream);
        if (e.skip > stream.size()) std::abort();
        if (e.kind != ka::sip::Extent::Whole) break;
        if (e.length == 0 || e.skip + e.length > stream.size()) std::abort();
        parse(stream.substr(e.skip, e.length), f);
        stream.remove_prefix(e.skip + e.length);
    }
    return 0;
}
