// SPDX-License-Identifier: GPL-2.0-or-later
#include "extract.h"

#include <ws_version.h>

#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>

#include <cstring>

namespace kaws {

namespace {

// Protocol ids looked up at handoff: a frame's layer list holds these numbers.
int proto_sip = -1, proto_skinny = -1, proto_syslog = -1, proto_tls = -1, proto_vxlan = -1;
int proto_pw_eth_cw = -1, proto_pw_eth_nocw = -1;

ka::wire::Link link_of(const packet_info* pinfo) {
    if (!pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET) return ka::wire::Link::Unknown;
    switch (pinfo->rec->rec_header.packet_header.pkt_encap) {
    case WTAP_ENCAP_ETHERNET: return ka::wire::Link::Ethernet;
    case WTAP_ENCAP_SLL: return ka::wire::Link::LinuxSll;
    case WTAP_ENCAP_SLL2: return ka::wire::Link::LinuxSll2;
    case WTAP_ENCAP_RAW_IP: return ka::wire::Link::RawIp;
    case WTAP_ENCAP_RAW_IP4: return ka::wire::Link::RawIp4;
    case WTAP_ENCAP_RAW_IP6: return ka::wire::Link::RawIp6;
    case WTAP_ENCAP_NULL:
    case WTAP_ENCAP_LOOP: return ka::wire::Link::Null;
    case WTAP_ENCAP_IEEE_802_11: return ka::wire::Link::Ieee80211;
    case WTAP_ENCAP_IEEE_802_11_RADIOTAP: return ka::wire::Link::Radiotap;
    default: return ka::wire::Link::Unknown;
    }
}

std::string_view bytes_of(tvbuff_t* tvb) {
    const guint len = tvb_captured_length(tvb);
    if (len == 0) return {};
    return {reinterpret_cast<const char*>(tvb_get_ptr(tvb, 0, static_cast<gint>(len))), len};
}

bool starts_with(const char* s, const char* prefix) { return std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

// A source's "name (N bytes)", to be freed with wmem_free(nullptr, ...): Wireshark 4.6 renamed the
// getter, which still allocates without a pool. Upstream's development headers after 4.6 call its
// result pool memory, so a newer version must be checked before the glue frees it.
#if WIRESHARK_VERSION_MAJOR != 4 || WIRESHARK_VERSION_MINOR > 6
#error "Check who owns get_data_source_description()'s result in this Wireshark (4.6: the caller)"
#endif
char* source_label(const struct data_source* src) {
#if WIRESHARK_VERSION_MINOR < 6
    return get_data_source_name(src);
#else
    return get_data_source_description(src);
#endif
}

// Decrypted TLS records, a decrypted 802.11 body and reassembled IP datagrams are extra data
// sources of the frame (the first source is the frame itself). Only frames that have such sources
// pay for the names.
void extra_sources(packet_info* pinfo, ka::RawFrame& out, std::vector<std::string_view>& tls) {
    if (!pinfo->data_src || !pinfo->data_src->next) return;
    for (GSList* l = pinfo->data_src->next; l; l = l->next) {
        auto* src = static_cast<struct data_source*>(l->data);
        char* name = source_label(src);
        if (starts_with(name, "Decrypted TLS")) {
            std::string_view b = bytes_of(get_data_source_tvb(src));
            if (!b.empty()) tls.push_back(b);
        } else if (starts_with(name, "Decrypted WEP") || starts_with(name, "Decrypted TKIP") ||
                   starts_with(name, "Decrypted CCMP") || starts_with(name, "Decrypted GCMP")) {
            out.wlan_body = bytes_of(get_data_source_tvb(src));
        } else if (starts_with(name, "Reassembled IPv4") || starts_with(name, "Reassembled IPv6")) {
            out.reassembled_ip = bytes_of(get_data_source_tvb(src));
        }
        wmem_free(nullptr, name);
    }
    out.tls_data = tls.data();
    out.tls_data_count = tls.size();
}

}  // namespace

void resolve_protocols() {
    proto_sip = proto_get_id_by_filter_name("sip");
    proto_skinny = proto_get_id_by_filter_name("skinny");
    proto_syslog = proto_get_id_by_filter_name("syslog");
    proto_tls = proto_get_id_by_filter_name("tls");
    proto_vxlan = proto_get_id_by_filter_name("vxlan");
    proto_pw_eth_cw = proto_get_id_by_filter_name("pwethcw");
    proto_pw_eth_nocw = proto_get_id_by_filter_name("pwethnocw");
}

void raw_frame(tvbuff_t* tvb, packet_info* pinfo, ka::RawFrame& out, std::vector<std::string_view>& tls) {
    out = ka::RawFrame{};
    tls.clear();
    out.number = pinfo->num;
    out.time = ka::time_from(pinfo->abs_ts.secs, pinfo->abs_ts.nsecs);
    // Only a packet record's header has an interface id (other records' headers share its memory).
    if (pinfo->rec && pinfo->rec->rec_type == REC_TYPE_PACKET && (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID))
        out.interface_id = pinfo->rec->rec_header.packet_header.interface_id;
    else
        out.interface_known = false;
    out.link = link_of(pinfo);
    std::string_view frame = bytes_of(tvb);
    out.data = reinterpret_cast<const std::uint8_t*>(frame.data());
    out.captured = frame.size();
    for (wmem_list_frame_t* l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        const int proto = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (proto == proto_sip) out.saw_sip = true;
        else if (proto == proto_skinny) out.saw_skinny = true;
        else if (proto == proto_syslog) out.saw_syslog = true;
        else if (proto == proto_tls) out.saw_tls = true;
        else if (proto == proto_vxlan) out.saw_vxlan = true;
        else if (proto == proto_pw_eth_cw) out.saw_pw_eth_cw = true;
        else if (proto == proto_pw_eth_nocw) out.saw_pw_eth_nocw = true;
    }
    extra_sources(pinfo, out, tls);
}

}  // namespace kaws
