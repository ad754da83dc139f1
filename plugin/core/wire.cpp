// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire.h"

#include <cstring>

namespace ka::wire {

namespace {

// A bounded view of captured bytes. `claimed` is how many bytes the enclosing header says there
// are (may exceed `size`, the captured part, after a snaplen cut).
struct Bytes {
    const std::uint8_t* p = nullptr;
    std::size_t size = 0;
    // All the bytes an enclosing length field stated were captured (PPPoE's, a tunnel's outer
    // packet's): an IP packet claiming more ends with them, as Wireshark's reported length ends it,
    // rather than being cut short by the capture.
    bool whole = false;

    bool has(std::size_t off, std::size_t n) const { return off <= size && n <= size - off; }
    std::uint8_t u8(std::size_t off) const { return p[off]; }
    std::uint16_t be16(std::size_t off) const { return static_cast<std::uint16_t>(p[off] << 8 | p[off + 1]); }
    std::uint16_t le16(std::size_t off) const { return static_cast<std::uint16_t>(p[off + 1] << 8 | p[off]); }
    std::uint32_t le32(std::size_t off) const { return std::uint32_t(le16(off + 2)) << 16 | le16(off); }
    std::uint32_t be32(std::size_t off) const {
        return std::uint32_t(p[off]) << 24 | std::uint32_t(p[off + 1]) << 16 | std::uint32_t(p[off + 2]) << 8 |
               p[off + 3];
    }
    Mac mac(std::size_t off) const { return Mac{be32(off)} << 16 | be16(off + 4); }  // two loads, not six
    Bytes from(std::size_t off) const {
        return off <= size ? Bytes{p + off, size - off, whole} : Bytes{p + size, 0, whole};
    }
    Bytes first(std::size_t n) const { return n <= size ? Bytes{p, n, true} : Bytes{p, size, whole}; }
    std::string_view view() const { return {reinterpret_cast<const char*>(p), size}; }
    static Bytes of(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
};

constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherArp = 0x0806, kEtherRarp = 0x8035, kEtherIpv6 = 0x86dd,
                        kEtherVlan = 0x8100, kEtherQinQ = 0x88a8, kEtherQinQOld = 0x9100, kEtherMpls = 0x8847,
                        kEtherMplsMulticast = 0x8848, kEtherPppoeSession = 0x8864, kEtherBridged = 0x6558,
                        kEtherErspan2 = 0x88be, kEtherErspan3 = 0x22eb;
constexpr std::uint8_t kProtoIcmp = 1, kProtoIpip = 4, kProtoTcp = 6, kProtoUdp = 17, kProtoIpv6 = 41, kProtoGre = 47,
                       kProtoIcmpv6 = 58;
constexpr std::uint16_t kPortGtpU = 2152, kPortVxlan = 4789, kPortGeneve = 6081;
constexpr int kMaxTunnels = 4;       // IP-in-IP / GTP-U / GRE / VXLAN / Geneve / MPLS nesting followed
constexpr int kMaxExtHeaders = 16;   // IPv6 extension headers skipped before giving up
constexpr int kMaxLabels = 16;       // MPLS labels popped before giving up

bool decode_ip(Bytes b, Packet& out, int depth);
bool decode_ipv6(Bytes b, Packet& out, int depth);
bool decode_ethernet(Bytes b, Packet& out, int depth);

// A tunnel's inner frame replaces the outer one when it says something (an address or ARP): the
// analyses are about the encapsulated traffic (a mirrored port, a VXLAN segment), as Wireshark's
// innermost fields are.
bool take_inner(const Packet& inner, Packet& out) {
    if (!inner.src_ip.valid() && !inner.has_arp) return false;
    out = inner;
    ++out.tunnels;
    return true;
}

// Ethernet carried by a tunnel (VXLAN, GRE transparent bridging, ERSPAN): its own MACs.
bool decode_inner_ethernet(Bytes b, Packet& out, int depth) {
    if (depth >= kMaxTunnels) return false;
    Packet inner;
    return decode_ethernet(b, inner, depth + 1) && take_inner(inner, out);
}

// IP carried without Ethernet (IP-in-IP, GRE, GTP-U): the outer MACs stay, the addresses and
// transport are the inner packet's. `decode_version` is decode_ip (the version from the header) or
// decode_ipv6 (protocol 41: IPv6 only, as Wireshark hands it to its ipv6 dissector).
bool decode_inner_ip(Bytes b, Packet& out, int depth, bool (*decode_version)(Bytes, Packet&, int) = decode_ip) {
    if (depth >= kMaxTunnels) return false;
    Packet inner;
    if (!decode_version(b, inner, depth + 1)) return false;
    inner.has_eth = out.has_eth;
    inner.eth_src = out.eth_src;
    inner.eth_dst = out.eth_dst;
    return take_inner(inner, out);
}

bool decode_tcp(Bytes b, std::uint32_t claimed, Packet& out) {
    if (!b.has(0, 20)) return false;
    std::size_t hlen = std::size_t(b.u8(12) >> 4) * 4;
    // A header length below the minimum or beyond the segment is not a header we can trust.
    if (hlen < 20 || hlen > claimed) return false;
    out.transport = Transport::Tcp;
    out.src_port = b.be16(0);
    out.dst_port = b.be16(2);
    out.seq = b.be32(4);
    out.ack = b.be32(8);
    out.flags = static_cast<std::uint16_t>((b.u8(12) & 0x0f) << 8 | b.u8(13));
    out.window = b.be16(14);
    out.payload_len = claimed - static_cast<std::uint32_t>(hlen);
    Bytes data = b.first(claimed).from(hlen);
    out.payload = data.view();
    return true;
}

// The UDP datagram an ICMP destination unreachable quotes (`b`: from the quoted IP header on), up to
// its ports: ICMP quotes at least the IP header and 8 bytes after it (RFC 792), ICMPv6 as much as
// fits (RFC 4443). Not when its IPv6 header is followed by extension headers, or an IPv4 fragment
// other than the first: no ports to read.
void decode_unreachable(Bytes b, Packet& out) {
    Unreachable& u = out.unreachable;
    std::size_t udp = 0;
    if (b.has(0, 20) && (b.u8(0) >> 4) == 4) {
        udp = std::size_t(b.u8(0) & 0x0f) * 4;
        if (udp < 20 || b.u8(9) != kProtoUdp || (b.be16(6) & 0x1fff) != 0) return;
        u.src = IpAddr::v4(b.be32(12));
        u.dst = IpAddr::v4(b.be32(16));
    } else if (b.has(0, 40) && (b.u8(0) >> 4) == 6) {
        udp = 40;
        if (b.u8(6) != kProtoUdp) return;
        u.src = IpAddr::v6(b.p + 8);
        u.dst = IpAddr::v6(b.p + 24);
    }
    if (udp == 0 || !b.has(udp, 4)) return;
    u.src_port = b.be16(udp);
    u.dst_port = b.be16(udp + 2);
    u.present = true;
}

bool decode_udp(Bytes b, std::uint32_t claimed, Packet& out) {
    if (!b.has(0, 8) || claimed < 8) return false;
    std::uint32_t ulen = b.be16(4);
    // Length 0 is an IPv6 jumbogram's; a length beyond the IP payload is bounded by it (Wireshark
    // flags it and dissects what the IP header carries).
    if (ulen == 0 || ulen > claimed) ulen = claimed;
    if (ulen < 8) return false;
    out.transport = Transport::Udp;
    out.src_port = b.be16(0);
    out.dst_port = b.be16(2);
    out.payload_len = ulen - 8;
    Bytes data = b.first(ulen).from(8);
    out.payload = data.view();
    return true;
}

// GTP-U (3GPP TS 29.281) G-PDU carrying IP: mobile-core captures (IMS) wrap the phone's traffic in
// it, and Wireshark's addresses and transport are then the inner packet's. False when `b` is not one.
bool decode_gtpu(Bytes b, Packet& out, int depth) {
    if (depth >= kMaxTunnels || !b.has(0, 8)) return false;
    std::uint8_t flags = b.u8(0);
    if ((flags >> 5) != 1 || (flags & 0x10) == 0 || b.u8(1) != 0xff) return false;
    Bytes pdu = b.first(std::size_t{8} + b.be16(2));
    std::size_t off = 8;
    if ((flags & 0x07) != 0) {  // sequence number, N-PDU number, next extension header type
        if (!pdu.has(off, 4)) return false;
        std::uint8_t next = pdu.u8(off + 3);
        off += 4;
        for (int i = 0; next != 0 && i < kMaxExtHeaders; ++i) {
            if (!pdu.has(off, 1) || pdu.u8(off) == 0) return false;
            std::size_t len = std::size_t(pdu.u8(off)) * 4;
            if (!pdu.has(off, len)) return false;
            next = pdu.u8(off + len - 1);
            off += len;
        }
        if (next != 0) return false;
    }
    Bytes inner = pdu.from(off);
    if (!inner.has(0, 1) || ((inner.u8(0) >> 4) != 4 && (inner.u8(0) >> 4) != 6)) return false;
    return decode_inner_ip(inner, out, depth);
}

// VXLAN (RFC 7348) on its IANA port: 8 bytes with the I flag, then an Ethernet frame.
bool decode_vxlan(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 8) || (b.u8(0) & 0x08) == 0) return false;
    return decode_inner_ethernet(b.from(8), out, depth);
}

// What a tunnel names by EtherType (GRE, Geneve): IP, or an Ethernet frame (transparent bridging).
bool decode_carried(std::uint16_t type, Bytes inner, Packet& out, int depth) {
    switch (type) {
    case kEtherIpv4:
    case kEtherIpv6: return decode_inner_ip(inner, out, depth);
    case kEtherBridged: return decode_inner_ethernet(inner, out, depth);
    default: return false;
    }
}

// Geneve (RFC 8926) on its IANA port, as Wireshark decodes it there: version 0, 8 bytes and the
// options, then what its protocol type says (an Ethernet frame: VMware NSX overlays, AWS Gateway
// Load Balancer; or IP).
bool decode_geneve(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 8) || (b.u8(0) >> 6) != 0) return false;
    const std::size_t header = 8 + std::size_t(b.u8(0) & 0x3f) * 4;
    return b.has(0, header) && decode_carried(b.be16(2), b.from(header), out, depth);
}

// GRE (RFC 2784/2890) carrying IP, bridged Ethernet or ERSPAN (Cisco's remote SPAN: type I
// without a header of its own, type II with 8 bytes, type III with 12 and an optional 8).
bool decode_gre(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 4)) return false;
    const std::uint16_t flags = b.be16(0);
    if ((flags & 0x0007) != 0) return false;  // version 0 only (1 is PPTP's enhanced GRE)
    const std::uint16_t type = b.be16(2);
    std::size_t off = 4;
    if (flags & 0x8000) off += 4;  // checksum and reserved
    if (flags & 0x2000) off += 4;  // key
    if (flags & 0x1000) off += 4;  // sequence number
    if (!b.has(0, off)) return false;
    Bytes inner = b.from(off);
    switch (type) {
    case kEtherErspan2:
        if (!(flags & 0x1000)) return decode_inner_ethernet(inner, out, depth);  // type I
        return inner.has(0, 8) && decode_inner_ethernet(inner.from(8), out, depth);
    case kEtherErspan3: {
        if (!inner.has(0, 12)) return false;
        const std::size_t header = (inner.u8(11) & 0x01) ? 20 : 12;  // O flag: platform subheader
        return inner.has(0, header) && decode_inner_ethernet(inner.from(header), out, depth);
    }
    default: return decode_carried(type, inner, out, depth);
    }
}

bool decode_l4(std::uint8_t proto, Bytes b, std::uint32_t claimed, Packet& out, int depth) {
    switch (proto) {
    case kProtoTcp: return decode_tcp(b, claimed, out);
    case kProtoUdp: {
        if (!decode_udp(b, claimed, out)) return false;
        Bytes payload = Bytes::of(out.payload);
        payload.whole = out.payload.size() == out.payload_len;
        if (out.src_port == kPortGtpU || out.dst_port == kPortGtpU) decode_gtpu(payload, out, depth);
        else if (out.dst_port == kPortVxlan) decode_vxlan(payload, out, depth);
        else if (out.dst_port == kPortGeneve) decode_geneve(payload, out, depth);
        return true;
    }
    case kProtoGre: decode_gre(b.first(claimed), out, depth); return true;
    case kProtoIpip: return decode_inner_ip(b.first(claimed), out, depth);
    case kProtoIpv6: return decode_inner_ip(b.first(claimed), out, depth, decode_ipv6);
    // An ICMP error quotes another packet's headers, not this frame's transport.
    case kProtoIcmp:
        if (b.has(0, 1) && b.u8(0) == 3) decode_unreachable(b.first(claimed).from(8), out);
        return false;
    case kProtoIcmpv6:
        if (b.has(0, 1) && b.u8(0) == 1) decode_unreachable(b.first(claimed).from(8), out);
        return false;
    default: return false;
    }
}

void set_fragment(Packet& out, Bytes payload, std::uint32_t claimed) {
    out.fragment = true;
    out.payload_len = claimed;
    out.payload = payload.view();
}

bool decode_ipv4(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 20) || (b.u8(0) >> 4) != 4) return false;
    std::size_t ihl = std::size_t(b.u8(0) & 0x0f) * 4;
    if (ihl < 20 || !b.has(0, ihl)) return false;
    std::size_t total = b.be16(2);
    // Total length 0 comes from TSO-capable NICs: the frame holds what was sent.
    if (total == 0) total = b.size;
    if (b.whole && total > b.size) total = b.size;
    if (total < ihl) return false;
    out.src_ip = IpAddr::v4(b.be32(12));
    out.ip_id = b.be16(4);
    out.dst_ip = IpAddr::v4(b.be32(16));
    out.ip_proto = b.u8(9);
    out.fragment = false;
    std::uint16_t frag = b.be16(6);
    Bytes payload = b.first(total).from(ihl);
    auto claimed = static_cast<std::uint32_t>(total - ihl);
    if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) {
        out.frag_id = b.be16(4);
        out.frag_offset = std::uint32_t(frag & 0x1fff) * 8;
        out.frag_more = (frag & 0x2000) != 0;
        set_fragment(out, payload, claimed);
        return true;
    }
    decode_l4(out.ip_proto, payload, claimed, out, depth);
    return true;
}

bool decode_ipv6(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 40) || (b.u8(0) >> 4) != 6) return false;
    out.src_ip = IpAddr::v6(b.p + 8);
    out.ip_id = 0;
    out.dst_ip = IpAddr::v6(b.p + 24);
    out.fragment = false;
    std::uint32_t plen = b.be16(4);
    std::uint8_t next = b.u8(6);
    // Payload length 0 with a hop-by-hop header is a jumbogram: its length is the frame's.
    if ((plen == 0 && next == 0) || (b.whole && plen > b.size - 40)) plen = static_cast<std::uint32_t>(b.size - 40);
    Bytes rest = b.from(40).first(plen);
    std::uint32_t claimed = plen;
    for (int i = 0; i < kMaxExtHeaders; ++i) {
        std::size_t len;
        if (next == 0 || next == 43 || next == 60) {
            if (!rest.has(0, 2)) break;
            len = (std::size_t(rest.u8(1)) + 1) * 8;
        } else if (next == 51) {  // AH counts 4-octet units, minus 2
            if (!rest.has(0, 2)) break;
            len = (std::size_t(rest.u8(1)) + 2) * 4;
        } else if (next == 44) {
            if (!rest.has(0, 8) || claimed < 8) break;
            std::uint16_t off_m = rest.be16(2);
            std::uint8_t inner = rest.u8(0);
            if ((off_m & 0xfff8) != 0 || (off_m & 1) != 0) {
                out.ip_proto = inner;
                out.frag_id = rest.be32(4);
                out.frag_offset = std::uint32_t(off_m & 0xfff8);
                out.frag_more = (off_m & 1) != 0;
                set_fragment(out, rest.from(8), claimed - 8);
                return true;
            }
            len = 8;  // an atomic fragment (RFC 6946) carries the whole packet
        } else {
            break;
        }
        if (!rest.has(0, len) || len > claimed) {
            out.ip_proto = next;  // cut short inside the extension headers: no transport
            return true;
        }
        next = rest.u8(0);
        rest = rest.from(len);
        claimed -= static_cast<std::uint32_t>(len);
    }
    out.ip_proto = next;
    decode_l4(next, rest, claimed, out, depth);
    return true;
}

bool decode_ip(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 1)) return false;
    switch (b.u8(0) >> 4) {
    case 4: return decode_ipv4(b, out, depth);
    case 6: return decode_ipv6(b, out, depth);
    default: return false;
    }
}

// ARP as Wireshark's arp dissector reads it: the addresses (and isgratuitous) only when the
// whole address block was captured; MACs only for Ethernet/IEEE 802 hardware with 6-byte
// addresses, IPv4 only for IP (or AX.25 IP) with 4-byte addresses.
bool decode_arp(Bytes b, Packet& out) {
    if (!b.has(0, 2)) return false;
    std::uint16_t hrd = b.be16(0);
    if (hrd == 19) return false;  // ATM ARP has another layout (Wireshark's atmarp)
    out.has_arp = true;
    out.arp = ArpPacket{};
    if (!b.has(0, 8)) return true;
    std::uint16_t pro = b.be16(2);
    std::size_t hln = b.u8(4), pln = b.u8(5);
    out.arp.opcode = b.be16(6);
    std::size_t sha = 8, spa = sha + hln, tha = spa + pln, tpa = tha + hln;
    if (!b.has(0, tpa + pln)) return true;
    bool ether = (hrd == 1 || hrd == 6) && hln == 6;
    bool ipv4 = (pro == 0x0800 || pro == 0x00cc) && pln == 4;
    if (ether) {
        out.arp.sender_mac = b.mac(sha);
        out.arp.target_mac = b.mac(tha);
    }
    if (ipv4) {
        out.arp.sender_ip = b.be32(spa);
        out.arp.target_ip = b.be32(tpa);
    }
    out.arp.gratuitous = (out.arp.opcode == 1 || out.arp.opcode == 2) && std::memcmp(b.p + spa, b.p + tpa, pln) == 0;
    return true;
}

// MPLS: the label stack, then IP as Wireshark guesses it from the first nibble. Anything else
// (a pseudowire's control word or Ethernet) is left in out.mpls_payload for decode_pw_ethernet().
bool decode_mpls(Bytes b, Packet& out, int depth) {
    std::size_t off = 0;
    for (int i = 0;; ++i) {
        if (i == kMaxLabels || !b.has(off, 4)) return false;
        const bool bottom = (b.u8(off + 2) & 0x01) != 0;
        off += 4;
        if (bottom) break;
    }
    const Bytes payload = b.from(off);
    if (decode_ip(payload, out, depth)) return true;
    out.mpls_payload = payload.view();
    return false;
}

// PPPoE session stage (RFC 2516): 6 bytes, then PPP's protocol field: IPv4 or IPv6.
bool decode_pppoe(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 8)) return false;
    const std::uint16_t ppp = b.be16(6);
    Bytes inner = b.first(std::size_t{6} + b.be16(4)).from(8);
    if (ppp == 0x0021) return decode_ipv4(inner, out, depth);
    if (ppp == 0x0057) return decode_ipv6(inner, out, depth);
    return false;
}

bool decode_ethertype(std::uint16_t type, Bytes b, Packet& out, int depth) {
    // Any stack of 802.1Q / 802.1ad tags; each pushes the real type 4 bytes further. Cooked
    // captures have them too: libpcap puts back the tag the kernel took off.
    while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) {
        if (!b.has(0, 4)) return false;
        out.vlan = (out.vlan << 12 | (b.be16(0) & 0x0fffu)) & 0xffffffu;  // the innermost two ids
        type = b.be16(2);
        b = b.from(4);
    }
    switch (type) {
    case kEtherIpv4: return decode_ip(b, out, depth);  // Wireshark's ip dissector hands version 6 on
    case kEtherIpv6: return decode_ipv6(b, out, depth);
    case kEtherArp:
    case kEtherRarp: return decode_arp(b, out);
    case kEtherMpls:
    case kEtherMplsMulticast: return decode_mpls(b, out, depth);
    case kEtherPppoeSession: return decode_pppoe(b, out, depth);
    default: return false;
    }
}

bool decode_ethernet(Bytes b, Packet& out, int depth) {
    if (!b.has(0, 14)) return false;
    out.has_eth = true;
    out.eth_dst = b.mac(0);
    out.eth_src = b.mac(6);
    out.vlan = 0;  // a tunnel's inner frame: its own tags, not the outer frame's
    const std::uint16_t type = b.be16(12);
    if (type <= 1500) return true;  // 802.3 length: LLC frames carry nothing we read
    decode_ethertype(type, b.from(14), out, depth);
    return true;
}

bool decode_null(Bytes b, Packet& out) {
    if (!b.has(0, 4)) return false;
    // The address family is in the capturing host's byte order.
    std::uint32_t af = std::uint32_t(b.u8(0)) | std::uint32_t(b.u8(1)) << 8 | std::uint32_t(b.u8(2)) << 16 |
                       std::uint32_t(b.u8(3)) << 24;
    if ((af & 0xffff0000u) != 0) af = b.be32(0);
    Bytes rest = b.from(4);
    if (af == 2) return decode_ip(rest, out, 0);
    if (af == 24 || af == 28 || af == 30) return decode_ipv6(rest, out, 0);
    // Some systems put an Ethernet type there instead of an address family.
    if (af > 1500 && af <= 0xffff) return decode_ethertype(static_cast<std::uint16_t>(af), rest, out, 0);
    return false;
}

// An 802.11 data frame (a phone on Wi-Fi, captured in monitor mode) whose body is LLC/SNAP: its
// DA and SA are the Ethernet MACs the wired side sees. A protected frame's body is read from
// `decrypted` (Wireshark's decryption of it), or not at all; null data frames and A-MSDUs carry no
// packet we read. `padded`: radiotap says the header is padded to 32 bits.
bool decode_ieee80211(Bytes b, Packet& out, bool padded, Bytes decrypted) {
    if (!b.has(0, 24)) return false;
    const std::uint8_t fc = b.u8(0), flags = b.u8(1);
    const bool protected_frame = flags & 0x40;
    if ((fc & 0x0f) != 0x08 || (fc & 0x40) != 0 || (protected_frame && decrypted.size == 0)) return false;  // data
    const bool to_ds = flags & 0x01, from_ds = flags & 0x02;
    std::size_t off = to_ds && from_ds ? 30 : 24;
    if (fc & 0x80) {  // QoS data: the QoS control field, then HT control when the order bit is set
        if (!b.has(off, 2) || (b.u8(off) & 0x80) != 0) return false;  // A-MSDU
        off += (flags & 0x80) ? 6 : 2;
    }
    if (padded) off = (off + 3) & ~std::size_t{3};
    const Bytes body = protected_frame ? decrypted : b.from(off);
    // LLC/SNAP with an RFC 1042 or 802.1H (bridge tunnel) OUI, then an Ethernet type.
    if (!body.has(0, 8) || body.be16(0) != 0xaaaa || body.u8(2) != 0x03 || body.u8(3) != 0 || body.u8(4) != 0 ||
        (body.u8(5) != 0 && body.u8(5) != 0xf8))
        return false;
    out.has_eth = true;
    out.eth_dst = to_ds ? b.mac(16) : b.mac(4);
    out.eth_src = !from_ds ? b.mac(10) : to_ds ? b.mac(24) : b.mac(16);
    decode_ethertype(body.be16(6), body.from(8), out, 0);
    return true;
}

// Radiotap (Linux and macOS monitor mode) before an 802.11 frame. Of its fields only Flags
// matters: whether the 802.11 header is padded. It follows every presence bitmap and TSFT, which
// is 8-aligned.
bool decode_radiotap(Bytes b, Packet& out, Bytes decrypted) {
    if (!b.has(0, 8) || b.u8(0) != 0) return false;
    const std::size_t len = b.le16(2);
    if (len < 8 || !b.has(0, len)) return false;
    const std::uint32_t present = b.le32(4);
    std::size_t off = 8;
    for (std::uint32_t word = present; word & 0x80000000u; off += 4) {
        if (off + 4 > len) return false;
        word = b.le32(off);
    }
    bool padded = false;
    if (present & 0x02) {
        if (present & 0x01) off = ((off + 7) & ~std::size_t{7}) + 8;
        padded = off < len && (b.u8(off) & 0x20) != 0;
    }
    return decode_ieee80211(b.from(len), out, padded, decrypted);
}

}  // namespace

Link link_from_linktype(std::uint32_t linktype) {
    switch (linktype) {
    case 1: return Link::Ethernet;
    case 113: return Link::LinuxSll;
    case 276: return Link::LinuxSll2;
    case 12:
    case 14:
    case 101: return Link::RawIp;
    case 228: return Link::RawIp4;
    case 229: return Link::RawIp6;
    case 0:
    case 108: return Link::Null;
    case 105: return Link::Ieee80211;
    case 127: return Link::Radiotap;
    default: return Link::Unknown;
    }
}

void Packet::clear() { *this = Packet{}; }

bool decode(Link link, const std::uint8_t* data, std::size_t captured, Packet& out, std::string_view wlan_body) {
    out.clear();
    if (!data) return false;
    Bytes b{data, captured};
    switch (link) {
    case Link::Ethernet: return decode_ethernet(b, out, 0);
    case Link::LinuxSll:  // packet type, ARPHRD type, address length, 8 address bytes, protocol
        return b.has(0, 16) && decode_ethertype(b.be16(14), b.from(16), out, 0);
    case Link::LinuxSll2:  // protocol, reserved, interface index, ARPHRD type, packet type, address
        return b.has(0, 20) && decode_ethertype(b.be16(0), b.from(20), out, 0);
    case Link::RawIp:
    case Link::RawIp4: return decode_ip(b, out, 0);
    case Link::RawIp6: return decode_ipv6(b, out, 0);
    case Link::Null: return decode_null(b, out);
    case Link::Ieee80211: return decode_ieee80211(b, out, false, Bytes::of(wlan_body));
    case Link::Radiotap: return decode_radiotap(b, out, Bytes::of(wlan_body));
    case Link::Unknown: break;
    }
    return false;
}

bool decode_vxlan_payload(Packet& out) {
    if (out.transport != Transport::Udp || out.tunnels != 0) return false;
    return decode_vxlan(Bytes::of(out.payload), out, 0);
}

bool decode_pw_ethernet(Packet& out, bool control_word) {
    Bytes b = Bytes::of(out.mpls_payload);
    if (control_word) {
        if (!b.has(0, 4)) return false;
        b = b.from(4);
    }
    return decode_inner_ethernet(b, out, 0);
}

bool decode_transport(std::uint8_t ip_proto, std::string_view ip_payload, std::uint32_t claimed_len, Packet& out) {
    out.transport = Transport::None;
    out.src_port = out.dst_port = 0;
    out.seq = out.ack = 0;
    out.flags = 0;
    out.payload = {};
    out.payload_len = 0;
    // A tunnel's outer packet is fragmented whenever the encapsulation pushes a full-sized frame
    // past the path's MTU (ERSPAN, VXLAN): its reassembled payload is followed like a whole one's.
    decode_l4(ip_proto, Bytes::of(ip_payload), claimed_len, out, out.tunnels);
    return out.transport != Transport::None;
}

}  // namespace ka::wire
