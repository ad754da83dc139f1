// libFuzzer target for the raw decoders: the first input byte picks the link type, the rest is one
// captured frame (802.11: also its first half with the second as its decrypted body). Whatever the frame decodes to is then handed to the SKINNY PDU walker and the
// syslog text reader, and every view is checked to lie inside the input.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/skinny_parse.h"
#include "core/syslog_parse.h"
#include "core/wire.h"

namespace {

void inside(std::string_view v, const std::uint8_t* data, std::size_t size) {
    if (v.empty()) return;
    const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
    if (p < data || p + v.size() > data + size) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto link = static_cast<ka::wire::Link>(data[0] % (static_cast<int>(ka::wire::Link::Radiotap) + 1));
    ++data, --size;
    ka::wire::Packet p;
    ka::wire::decode(link, data, size, p);
    inside(p.payload, data, size);
    if (p.payload.size() > p.payload_len && !p.fragment) std::abort();
    // A protected 802.11 frame with its second half as the body Wireshark decrypted.
    if (link == ka::wire::Link::Ieee80211 || link == ka::wire::Link::Radiotap) {
        ka::wire::Packet w;
        ka::wire::decode(link, data, size / 2, w, {reinterpret_cast<const char*>(data) + size / 2, size - size / 2});
        inside(w.payload, data, size);
        if (w.payload.size() > w.payload_len && !w.fragment) std::abort();
    }
    // The UDP payload as VXLAN on another port (as with a Decode As), and what an MPLS label stack
    // carried as a pseudowire's Ethernet, with and without a control word.
    for (int variant = 0; variant < 3; ++variant) {
        ka::wire::Packet outer = p;
        if (variant == 0 ? ka::wire::decode_vxlan_payload(outer) : ka::wire::decode_pw_ethernet(outer, variant == 1)) {
            inside(outer.payload, data, size);
            if (outer.payload.size() > outer.payload_len && !outer.fragment) std::abort();
        }
    }

    std::string_view rest = p.payload;
    ka::SkinnyMessage m;
    while (!rest.empty()) {
        std::size_t n = ka::skinny::pdu_length(rest);
        if (n == 0 || n == ka::skinny::kBad) break;
        ka::skinny::parse_pdu(rest.substr(0, n), m);
        inside(m.device_name, data, size);
        rest.remove_prefix(n);
    }
    static std::vector<ka::SkinnyMessage> cut;  // as if the snap length had cut the segment here
    cut.clear();
    ka::skinny::parse_truncated(p.payload, cut);
    for (const ka::SkinnyMessage& c : cut) inside(c.device_name, data, size);
    std::string_view text;
    if (ka::syslog::message(p.payload, text)) inside(text, data, size);

    // The same bytes as a reassembled IP payload.
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    ka::wire::decode_transport(static_cast<std::uint8_t>(size & 1 ? 6 : 17), raw, static_cast<std::uint32_t>(size), p);
    inside(p.payload, data, size);
    return 0;
}
