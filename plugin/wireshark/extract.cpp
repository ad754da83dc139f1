// SPDX-License-Identifier: GPL-2.0-or-later
#include "extract.h"

#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>

#include <cstring>

#include "../core/sip_contact.h"

namespace kaws {

namespace {

// hf ids of other dissectors' fields, resolved in wanted_hfids().
struct Ids {
    int sip, sip_method, sip_status, sip_call_id, sip_cseq, sip_cseq_method, sip_expires, sip_to_addr,
        sip_via_branch, sip_resend, sip_contact_uri, sip_contact_param;
    int skinny, skinny_id, skinny_device, skinny_ka, skinny_ka2;
    int tcp_stream, tcp_seq, tcp_seq_raw, tcp_len, tcp_ack, tcp_flags, tcp_retrans, tcp_fast_retrans, tcp_spurious;
    int arp, arp_opcode, arp_src_mac, arp_src_ip, arp_dst_mac, arp_dst_ip, arp_gratuitous;
    int syslog_msg;
    int tls, icmp, icmpv6;
} id;

int lookup(const char* name) { return proto_registrar_get_id_byname(name); }

GPtrArray* fields(proto_tree* tree, int hf) { return hf > 0 ? proto_get_finfo_ptr_array(tree, hf) : nullptr; }
unsigned count(GPtrArray* a) { return a ? a->len : 0; }
field_info* at(GPtrArray* a, unsigned i) { return static_cast<field_info*>(g_ptr_array_index(a, i)); }

bool present(proto_tree* tree, int hf) { return count(fields(tree, hf)) > 0; }

field_info* last(proto_tree* tree, int hf) {
    GPtrArray* a = fields(tree, hf);
    return count(a) ? at(a, a->len - 1) : nullptr;
}

std::uint32_t uint_of(field_info* fi) { return fvalue_get_uinteger(&fi->value); }

// FT_IPv4 values come back in network byte order.
std::uint32_t ipv4_of(field_info* fi) { return g_ntohl(fvalue_get_uinteger(&fi->value)); }

// Wireshark 4.0 keeps the line's CR on a Contact header's last parameter.
std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The Expires header's own text: Wireshark 4.0 reads a non-numeric value ("Expires: soon") as 0 and
// wraps values beyond 32 bits (4294967296 is 0), which would pass for a de-registration. The field
// covers the whole header line.
bool expires_of(field_info* fi, std::uint32_t& out) {
    if (!fi->ds_tvb || fi->length <= 0) return false;
    const auto* p = reinterpret_cast<const char*>(tvb_get_ptr(fi->ds_tvb, fi->start, fi->length));
    std::string_view line(p, static_cast<std::size_t>(fi->length));
    std::size_t colon = line.find(':');
    return colon != std::string_view::npos && ka::sip::parse_seconds(trimmed(line.substr(colon + 1)), out);
}

// FT_BOOLEAN values are 64-bit in Wireshark 4.0.
bool bool_of(field_info* fi) { return fvalue_get_uinteger64(&fi->value) != 0; }

std::string_view str_of(field_info* fi) {
    const char* s = fvalue_get_string(&fi->value);
    return s ? std::string_view(s) : std::string_view();
}

ka::Mac mac_of(field_info* fi) {
    const guint8* b = fvalue_get_bytes(&fi->value);
    if (!b) return 0;
    ka::Mac m = 0;
    for (int i = 0; i < 6; ++i) m = m << 8 | b[i];
    return m;
}

ka::Mac mac_of(const address& a) {
    if (a.type != AT_ETHER || a.len != 6) return 0;
    const auto* b = static_cast<const guint8*>(a.data);
    ka::Mac m = 0;
    for (int i = 0; i < 6; ++i) m = m << 8 | b[i];
    return m;
}

ka::IpAddr ip_of(const address& a) {
    if (a.type == AT_IPv4 && a.len == 4) {
        const auto* b = static_cast<const guint8*>(a.data);
        return ka::IpAddr::v4(std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3]);
    }
    if (a.type == AT_IPv6 && a.len == 16) return ka::IpAddr::v6(static_cast<const std::uint8_t*>(a.data));
    return {};
}

// End of the i-th message item. On an invisible tree (the first pass of `tshark -2`) a message's
// item may keep the length of everything after it in the segment, so it ends where the next
// message of the same data starts.
int item_end(GPtrArray* owners, unsigned i) {
    field_info* o = at(owners, i);
    int end = o->start + o->length;
    if (i + 1 < count(owners)) {
        field_info* next = at(owners, i + 1);
        if (next->ds_tvb == o->ds_tvb && next->start > o->start && next->start < end) end = next->start;
    }
    return end;
}

// Index of the message (protocol item in `owners`) that contains `fi`, or -1. One frame can carry
// several SIP or SKINNY messages: each is its own protocol item covering its bytes.
int owner_of(GPtrArray* owners, field_info* fi) {
    unsigned n = count(owners);
    if (n == 1) return 0;
    for (unsigned i = 0; i < n; ++i) {
        field_info* o = at(owners, i);
        if (o->ds_tvb == fi->ds_tvb && fi->start >= o->start && fi->start < item_end(owners, i)) return int(i);
    }
    return -1;
}

// Calls fn(message_index, field_info) for every occurrence of hf that belongs to a message.
template <class Fn>
void each_owned(proto_tree* tree, GPtrArray* owners, int hf, Fn fn) {
    GPtrArray* a = fields(tree, hf);
    for (unsigned i = 0; i < count(a); ++i) {
        int owner = owner_of(owners, at(a, i));
        if (owner >= 0) fn(unsigned(owner), at(a, i));
    }
}

void extract_tcp(proto_tree* tree, ka::TcpInfo& tcp) {
    field_info* stream = last(tree, id.tcp_stream);
    if (!stream) return;
    tcp.present = true;
    tcp.stream = uint_of(stream);
    if (field_info* f = last(tree, id.tcp_seq)) tcp.seq = uint_of(f);
    if (field_info* f = last(tree, id.tcp_seq_raw)) tcp.seq_raw = uint_of(f);
    if (field_info* f = last(tree, id.tcp_len)) tcp.len = uint_of(f);
    if (field_info* f = last(tree, id.tcp_ack)) tcp.ack = uint_of(f);
    if (field_info* f = last(tree, id.tcp_flags)) tcp.flags = static_cast<std::uint16_t>(uint_of(f));
    tcp.retransmission = present(tree, id.tcp_retrans) || present(tree, id.tcp_fast_retrans) ||
                         present(tree, id.tcp_spurious);
}

void extract_sip(proto_tree* tree, bool over_tls, ka::Frame& out) {
    GPtrArray* msgs = fields(tree, id.sip);
    unsigned n = count(msgs);
    if (n == 0) return;
    out.sip.resize(n);
    for (unsigned i = 0; i < n; ++i) {
        field_info* m = at(msgs, i);
        ka::SipMessage& s = out.sip[i];
        if (!over_tls && m->ds_tvb && m->length > 0) {
            int end = item_end(msgs, i);
            s.length = static_cast<std::uint32_t>(end - m->start);
            int total = static_cast<int>(tvb_reported_length(m->ds_tvb));
            s.tail = total > end ? static_cast<std::uint32_t>(total - end) : 0;
        }
    }
    each_owned(tree, msgs, id.sip_method, [&](unsigned i, field_info* f) {
        out.sip[i].is_request = true;
        out.sip[i].method = str_of(f);
    });
    each_owned(tree, msgs, id.sip_status, [&](unsigned i, field_info* f) { out.sip[i].status = uint_of(f); });
    each_owned(tree, msgs, id.sip_call_id, [&](unsigned i, field_info* f) { out.sip[i].call_id = str_of(f); });
    each_owned(tree, msgs, id.sip_cseq, [&](unsigned i, field_info* f) { out.sip[i].cseq = uint_of(f); });
    each_owned(tree, msgs, id.sip_cseq_method, [&](unsigned i, field_info* f) { out.sip[i].cseq_method = str_of(f); });
    each_owned(tree, msgs, id.sip_expires, [&](unsigned i, field_info* f) {
        out.sip[i].has_expires = expires_of(f, out.sip[i].expires);
    });
    each_owned(tree, msgs, id.sip_to_addr, [&](unsigned i, field_info* f) {
        if (out.sip[i].to_addr.empty()) out.sip[i].to_addr = str_of(f);
    });
    each_owned(tree, msgs, id.sip_via_branch, [&](unsigned i, field_info* f) {
        if (out.sip[i].via_branch.empty()) out.sip[i].via_branch = str_of(f);  // topmost Via
    });
    each_owned(tree, msgs, id.sip_resend, [&](unsigned i, field_info* f) { out.sip[i].resend = bool_of(f); });

    // Contacts in order; a header parameter belongs to the last contact URI before it in the same
    // data source (tree order keeps each contact's parameters contiguous).
    GPtrArray* uris = fields(tree, id.sip_contact_uri);
    GPtrArray* params = fields(tree, id.sip_contact_param);
    constexpr unsigned kMaxContacts = 64;  // a flood of contacts is not a phone's binding
    field_info* uri_fi[kMaxContacts];
    unsigned first_contact = static_cast<unsigned>(out.contacts.size());
    for (unsigned u = 0; u < count(uris) && out.contacts.size() - first_contact < kMaxContacts; ++u) {
        field_info* uri = at(uris, u);
        int owner = owner_of(msgs, uri);
        if (owner < 0) continue;
        ka::SipMessage& s = out.sip[unsigned(owner)];
        if (s.contact_count == 0) s.first_contact = static_cast<std::uint32_t>(out.contacts.size());
        ++s.contact_count;
        uri_fi[out.contacts.size() - first_contact] = uri;
        ka::SipContact c;
        c.uri = str_of(uri);
        out.contacts.push_back(c);
    }
    unsigned ncontacts = static_cast<unsigned>(out.contacts.size()) - first_contact;
    for (unsigned p = 0; p < count(params); ++p) {
        field_info* param = at(params, p);
        int owner = -1;
        for (unsigned k = 0; k < ncontacts; ++k)
            if (uri_fi[k]->ds_tvb == param->ds_tvb && uri_fi[k]->start <= param->start) owner = int(k);
        if (owner < 0) continue;
        ka::SipContact& c = out.contacts[first_contact + unsigned(owner)];
        if (c.param_count == 0) c.first_param = static_cast<std::uint32_t>(out.contact_params.size());
        ++c.param_count;
        out.contact_params.push_back(trimmed(str_of(param)));
    }
}

void extract_skinny(proto_tree* tree, ka::Frame& out) {
    GPtrArray* msgs = fields(tree, id.skinny);
    unsigned n = count(msgs);
    if (n == 0) return;
    out.skinny.resize(n);
    each_owned(tree, msgs, id.skinny_id, [&](unsigned i, field_info* f) { out.skinny[i].id = uint_of(f); });
    each_owned(tree, msgs, id.skinny_device, [&](unsigned i, field_info* f) { out.skinny[i].device_name = str_of(f); });
    each_owned(tree, msgs, id.skinny_ka, [&](unsigned i, field_info* f) {
        out.skinny[i].has_keepalive_interval = true;
        out.skinny[i].keepalive_interval = uint_of(f);
    });
    each_owned(tree, msgs, id.skinny_ka2, [&](unsigned i, field_info* f) {
        out.skinny[i].has_secondary_interval = true;
        out.skinny[i].secondary_interval = uint_of(f);
    });
}

void extract_arp(proto_tree* tree, ka::Frame& out) {
    GPtrArray* pkts = fields(tree, id.arp);
    unsigned n = count(pkts);
    if (n == 0) return;
    out.arp.resize(n);
    each_owned(tree, pkts, id.arp_opcode, [&](unsigned i, field_info* f) { out.arp[i].opcode = static_cast<std::uint16_t>(uint_of(f)); });
    each_owned(tree, pkts, id.arp_src_mac, [&](unsigned i, field_info* f) { out.arp[i].sender_mac = mac_of(f); });
    each_owned(tree, pkts, id.arp_src_ip, [&](unsigned i, field_info* f) { out.arp[i].sender_ip = ipv4_of(f); });
    each_owned(tree, pkts, id.arp_dst_mac, [&](unsigned i, field_info* f) { out.arp[i].target_mac = mac_of(f); });
    each_owned(tree, pkts, id.arp_dst_ip, [&](unsigned i, field_info* f) { out.arp[i].target_ip = ipv4_of(f); });
    each_owned(tree, pkts, id.arp_gratuitous, [&](unsigned i, field_info* f) { out.arp[i].gratuitous = bool_of(f); });
}

}  // namespace

GArray* wanted_hfids() {
    id = Ids{
        lookup("sip"), lookup("sip.Method"), lookup("sip.Status-Code"), lookup("sip.Call-ID"), lookup("sip.CSeq.seq"),
        lookup("sip.CSeq.method"), lookup("sip.Expires"), lookup("sip.to.addr"), lookup("sip.Via.branch"),
        lookup("sip.resend"), lookup("sip.contact.uri"), lookup("sip.contact.parameter"),
        lookup("skinny"), lookup("skinny.messageId"), lookup("skinny.DeviceName"), lookup("skinny.keepAliveInterval"),
        lookup("skinny.secondaryKeepAliveInterval"),
        lookup("tcp.stream"), lookup("tcp.seq"), lookup("tcp.seq_raw"), lookup("tcp.len"), lookup("tcp.ack"),
        lookup("tcp.flags"), lookup("tcp.analysis.retransmission"), lookup("tcp.analysis.fast_retransmission"),
        lookup("tcp.analysis.spurious_retransmission"),
        lookup("arp"), lookup("arp.opcode"), lookup("arp.src.hw_mac"), lookup("arp.src.proto_ipv4"),
        lookup("arp.dst.hw_mac"), lookup("arp.dst.proto_ipv4"), lookup("arp.isgratuitous"),
        lookup("syslog.msg"),
        lookup("tls"), lookup("icmp"), lookup("icmpv6"),
    };
    GArray* wanted = g_array_new(FALSE, FALSE, sizeof(int));
    const int* all = reinterpret_cast<const int*>(&id);
    for (std::size_t i = 0; i < sizeof(Ids) / sizeof(int); ++i)
        if (all[i] > 0) g_array_append_val(wanted, all[i]);
    return wanted;
}

void extract_frame(packet_info* pinfo, proto_tree* tree, ka::Frame& out) {
    out.clear();
    out.number = pinfo->num;
    out.time = static_cast<ka::Nanos>(pinfo->abs_ts.secs) * ka::kSecond + pinfo->abs_ts.nsecs;
    if (pinfo->rec && (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID))
        out.interface_id = pinfo->rec->rec_header.packet_header.interface_id;

    out.eth_src = mac_of(pinfo->dl_src);
    out.eth_dst = mac_of(pinfo->dl_dst);
    out.has_eth = pinfo->dl_src.type == AT_ETHER && pinfo->dl_dst.type == AT_ETHER;
    out.src_ip = ip_of(pinfo->net_src);
    out.dst_ip = ip_of(pinfo->net_dst);
    if (!tree) return;

    // An ICMP error quotes the offending packet's headers: they are not this frame's transport.
    bool icmp = present(tree, id.icmp) || present(tree, id.icmpv6);
    if (!icmp) {
        if (pinfo->ptype == PT_TCP) {
            extract_tcp(tree, out.tcp);
            out.transport = present(tree, id.tls) ? ka::Transport::Tls : ka::Transport::Tcp;
        } else if (pinfo->ptype == PT_UDP) {
            out.transport = ka::Transport::Udp;
        }
        if (out.transport != ka::Transport::None) {
            out.src_port = static_cast<std::uint16_t>(pinfo->srcport);
            out.dst_port = static_cast<std::uint16_t>(pinfo->destport);
        }
        extract_sip(tree, out.transport == ka::Transport::Tls, out);
        extract_skinny(tree, out);
        GPtrArray* msgs = fields(tree, id.syslog_msg);
        for (unsigned i = 0; i < count(msgs); ++i) out.syslog.push_back(str_of(at(msgs, i)));
    }
    extract_arp(tree, out);
}

}  // namespace kaws
