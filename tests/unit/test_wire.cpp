// Raw frame decoding (link, IP, TCP/UDP, ARP), SKINNY PDUs and syslog text, on hand-built bytes.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/skinny_parse.h"
#include "core/syslog_parse.h"
#include "core/wire.h"

using namespace ka;
using Bytes = std::vector<std::uint8_t>;

namespace {

void append(Bytes& b, std::initializer_list<int> v) {
    for (int x : v) b.push_back(static_cast<std::uint8_t>(x));
}
void append(Bytes& b, const Bytes& v) { b.insert(b.end(), v.begin(), v.end()); }
void append(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
void be16(Bytes& b, unsigned v) { append(b, {int(v >> 8 & 0xff), int(v & 0xff)}); }
void be32(Bytes& b, std::uint32_t v) { append(b, {int(v >> 24), int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}); }
void le32(Bytes& b, std::uint32_t v) { append(b, {int(v & 0xff), int(v >> 8 & 0xff), int(v >> 16 & 0xff), int(v >> 24)}); }

// 00:11:22:33:44:55 -> 66:77:88:99:aa:bb
const Bytes kDstMac = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
const Bytes kSrcMac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr Mac kDst = 0x66778899aabbull, kSrc = 0x001122334455ull;

Bytes ethernet(std::initializer_list<unsigned> types) {
    Bytes b = kDstMac;
    append(b, kSrcMac);
    std::size_t i = 0;
    for (unsigned t : types) {
        be16(b, t);
        if (++i < types.size()) be16(b, 0x0064);  // tag control: VLAN 100
    }
    return b;
}

// TCP 10.0.0.10:49152 -> 10.0.0.1:2000, seq 0x01020304, ack 0x0a0b0c0d, PSH|ACK, with `payload`.
Bytes tcp(std::string_view payload, std::size_t options = 0) {
    Bytes b;
    be16(b, 49152);
    be16(b, 2000);
    be32(b, 0x01020304);
    be32(b, 0x0a0b0c0d);
    append(b, {int((5 + options / 4) << 4), 0x18});
    be16(b, 8192);
    append(b, {0, 0, 0, 0});
    for (std::size_t i = 0; i < options; ++i) b.push_back(1);  // NOP options
    append(b, payload);
    return b;
}

Bytes udp(unsigned sport, unsigned dport, std::string_view payload) {
    Bytes b;
    be16(b, sport);
    be16(b, dport);
    be16(b, unsigned(8 + payload.size()));
    be16(b, 0);
    append(b, payload);
    return b;
}
Bytes udp(unsigned sport, unsigned dport, const Bytes& payload) {
    return udp(sport, dport, std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}

Bytes ipv4(int proto, const Bytes& l4, unsigned frag = 0x4000, std::size_t option_bytes = 0) {
    Bytes b;
    append(b, {0x40 | int(5 + option_bytes / 4), 0});
    be16(b, unsigned(20 + option_bytes + l4.size()));
    be16(b, 0x1234);
    be16(b, frag);
    append(b, {64, proto, 0, 0});
    be32(b, 0x0a00000a);  // 10.0.0.10
    be32(b, 0x0a000001);  // 10.0.0.1
    for (std::size_t i = 0; i < option_bytes; ++i) b.push_back(1);
    append(b, l4);
    return b;
}

const std::uint8_t kV6Src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
const std::uint8_t kV6Dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

// IPv6 with `exts` (already chained, the first one's type in `next`) then `l4`.
Bytes ipv6(int next, const Bytes& rest) {
    Bytes b = {0x60, 0, 0, 0};
    be16(b, unsigned(rest.size()));
    append(b, {next, 64});
    b.insert(b.end(), kV6Src, kV6Src + 16);
    b.insert(b.end(), kV6Dst, kV6Dst + 16);
    append(b, rest);
    return b;
}

bool decode(wire::Link link, const Bytes& b, wire::Packet& p) { return wire::decode(link, b.data(), b.size(), p); }

void check_tcp(const wire::Packet& p, std::string_view payload) {
    CHECK(p.ip_proto == 6);
    CHECK(p.src_ip == IpAddr::v4(0x0a00000a));
    CHECK(p.dst_ip == IpAddr::v4(0x0a000001));
    REQUIRE(p.transport == Transport::Tcp);
    CHECK(p.src_port == 49152);
    CHECK(p.dst_port == 2000);
    CHECK(p.seq == 0x01020304u);
    CHECK(p.ack == 0x0a0b0c0du);
    CHECK(p.flags == (TcpInfo::kPsh | TcpInfo::kAck));
    CHECK(p.payload == payload);
    CHECK(p.payload_len == payload.size());
}

// Decodes every prefix of `full`: none may read or point past its n bytes.
void check_prefixes(wire::Link link, const Bytes& full) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
        // A heap copy of exactly n bytes lets the sanitizers catch any read past the end.
        std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        wire::Packet p;
        wire::decode(link, cut.empty() ? nullptr : cut.data(), n, p);
        if (!p.payload.empty()) {
            const auto* begin = reinterpret_cast<const char*>(cut.data());
            CHECK(p.payload.data() >= begin);
            CHECK(p.payload.data() + p.payload.size() <= begin + n);
        }
    }
}

Bytes arp(int op, std::uint32_t spa, const Bytes& tha, std::uint32_t tpa) {
    Bytes b;
    append(b, {0, 1, 0x08, 0x00, 6, 4, 0, op});
    append(b, kSrcMac);
    be32(b, spa);
    append(b, tha);
    be32(b, tpa);
    return b;
}

}  // namespace

TEST_CASE("Ethernet II frame with TCP and padding", "[wire]") {
    Bytes f = ethernet({0x0800});
    append(f, ipv4(6, tcp("")));
    append(f, {0, 0, 0, 0, 0, 0});  // Ethernet padding up to 60 bytes: not TCP payload
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    CHECK(p.has_eth);
    CHECK(p.eth_src == kSrc);
    CHECK(p.eth_dst == kDst);
    CHECK(p.vlan == 0);
    CHECK_FALSE(p.fragment);
    check_tcp(p, "");
}

TEST_CASE("802.1ad + 802.1Q + 0x9100 tag stack", "[wire]") {
    Bytes f = ethernet({0x88a8, 0x9100, 0x8100, 0x0800});
    append(f, ipv4(6, tcp("REGISTER")));
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    CHECK(p.eth_src == kSrc);
    CHECK(p.vlan == (100u << 12 | 100u));  // the innermost two tags' ids
    check_tcp(p, "REGISTER");
}

TEST_CASE("An 802.1Q tag's VLAN id, without its priority bits", "[wire]") {
    Bytes f = kDstMac;
    append(f, kSrcMac);
    append(f, {0x81, 0x00, 0xa0, 0x0a, 0x08, 0x06});  // priority 5, VLAN 10, ARP
    append(f, arp(2, 0x0a000001, kDstMac, 0x0a000002));
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    CHECK(p.vlan == 10);
    CHECK(p.has_arp);
}

TEST_CASE("802.3 length-framed Ethernet: addresses only", "[wire]") {
    Bytes f = ethernet({0x0026});
    append(f, {0x42, 0x42, 0x03});
    f.resize(60);
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    CHECK(p.has_eth);
    CHECK(p.eth_dst == kDst);
    CHECK_FALSE(p.src_ip.valid());
    CHECK(p.transport == Transport::None);
}

TEST_CASE("IPv4 options and TCP options are skipped", "[wire]") {
    Bytes f = ethernet({0x0800});
    append(f, ipv4(6, tcp("abc", 12), 0x4000, 8));
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    check_tcp(p, "abc");
}

TEST_CASE("UDP over Linux cooked capture v1 and v2", "[wire]") {
    Bytes sll = {0, 0, 0, 1, 0, 6};  // packet type, ARPHRD_ETHER, address length 6
    append(sll, kSrcMac);
    append(sll, {0, 0});
    be16(sll, 0x0800);
    append(sll, ipv4(17, udp(5060, 5062, "OPTIONS")));
    wire::Packet p;
    REQUIRE(decode(wire::Link::LinuxSll, sll, p));
    CHECK_FALSE(p.has_eth);  // cooked captures know only the source
    CHECK(p.ip_proto == 17);
    REQUIRE(p.transport == Transport::Udp);
    CHECK(p.src_port == 5060);
    CHECK(p.dst_port == 5062);
    CHECK(p.payload == "OPTIONS");
    CHECK(p.payload_len == 7);

    Bytes sll2;
    be16(sll2, 0x86dd);
    append(sll2, {0, 0, 0, 0, 0, 2, 0, 1, 0, 6});  // reserved, ifindex 2, ARPHRD_ETHER, type, length
    append(sll2, kSrcMac);
    append(sll2, {0, 0});
    append(sll2, ipv6(17, udp(5060, 5060, "x")));
    REQUIRE(decode(wire::Link::LinuxSll2, sll2, p));
    CHECK(p.src_ip == IpAddr::v6(kV6Src));
    CHECK(p.dst_ip == IpAddr::v6(kV6Dst));
    CHECK(p.transport == Transport::Udp);
    CHECK(p.payload == "x");
}

TEST_CASE("Linux cooked capture with the VLAN tag libpcap puts back", "[wire]") {
    Bytes sll = {0, 0, 0, 1, 0, 6};
    append(sll, kSrcMac);
    append(sll, {0, 0});
    append(sll, {0x81, 0x00, 0x00, 0xe6, 0x08, 0x00});  // 802.1Q, VLAN 230, then IPv4
    append(sll, ipv4(17, udp(5060, 5062, "OPTIONS")));
    wire::Packet p;
    REQUIRE(decode(wire::Link::LinuxSll, sll, p));
    CHECK(p.src_ip == IpAddr::v4(0x0a00000a));
    REQUIRE(p.transport == Transport::Udp);
    CHECK(p.payload == "OPTIONS");
    check_prefixes(wire::Link::LinuxSll, sll);
    sll.resize(18);  // the tag cut short
    CHECK_FALSE(decode(wire::Link::LinuxSll, sll, p));
}

TEST_CASE("Raw IP picks the version from the first nibble; IPv6 links insist on version 6", "[wire]") {
    Bytes v4 = ipv4(6, tcp("a"));
    Bytes v6 = ipv6(6, tcp("a"));
    wire::Packet p;
    REQUIRE(decode(wire::Link::RawIp, v4, p));
    check_tcp(p, "a");
    CHECK_FALSE(p.has_eth);
    REQUIRE(decode(wire::Link::RawIp, v6, p));
    CHECK(p.src_ip.family == 6);
    CHECK(p.transport == Transport::Tcp);
    CHECK(decode(wire::Link::RawIp4, v4, p));
    CHECK(decode(wire::Link::RawIp4, v6, p));  // as Wireshark's ip dissector, which passes IPv6 on
    CHECK(p.src_ip.family == 6);
    CHECK(decode(wire::Link::RawIp6, v6, p));
    CHECK_FALSE(decode(wire::Link::RawIp6, v4, p));
    CHECK_FALSE(decode(wire::Link::Unknown, v4, p));
}

TEST_CASE("Null/loopback: address family in either byte order", "[wire]") {
    wire::Packet p;
    Bytes le = {2, 0, 0, 0};
    append(le, ipv4(6, tcp("z")));
    REQUIRE(decode(wire::Link::Null, le, p));
    check_tcp(p, "z");
    Bytes be = {0, 0, 0, 30};  // AF_INET6 on macOS, written big-endian
    append(be, ipv6(17, udp(1, 2, "q")));
    REQUIRE(decode(wire::Link::Null, be, p));
    CHECK(p.src_ip.family == 6);
    CHECK(p.payload == "q");
    for (std::uint8_t af : {24, 28}) {
        Bytes f = {af, 0, 0, 0};
        append(f, ipv6(17, udp(1, 2, "q")));
        REQUIRE(decode(wire::Link::Null, f, p));
        CHECK(p.transport == Transport::Udp);
    }
    Bytes unknown = {7, 0, 0, 0};
    append(unknown, ipv4(6, tcp("z")));
    CHECK_FALSE(decode(wire::Link::Null, unknown, p));
}

TEST_CASE("802.11 data frames with LLC/SNAP, bare or after radiotap; the rest is left alone", "[wire]") {
    const Bytes kBssid = {0x02, 0xaa, 0, 0, 0, 0x01};
    // A QoS data frame from the phone (kSrcMac) through the AP (To DS) to the router (kDstMac).
    const auto wlan = [&](int fc, int flags, bool pad = false) {
        Bytes b;
        append(b, {fc, flags, 0, 0});
        const bool to_ds = flags & 0x01, from_ds = flags & 0x02;
        append(b, to_ds ? kBssid : kDstMac);                            // addr1: receiver
        append(b, from_ds ? kBssid : kSrcMac);                          // addr2: transmitter
        append(b, to_ds ? kDstMac : from_ds ? kSrcMac : kBssid);        // addr3
        append(b, {0x10, 0});                                           // sequence control
        if (to_ds && from_ds) append(b, kSrcMac);                       // addr4: source
        if (fc & 0x80) append(b, {0x05, 0});                            // QoS control (TID 5)
        if ((fc & 0x80) && (flags & 0x80)) append(b, {0, 0, 0, 0});     // HT control
        if (pad) while (b.size() % 4) b.push_back(0);
        append(b, {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00});
        append(b, ipv4(6, tcp("SIP")));
        return b;
    };
    wire::Packet p;
    SECTION("To DS, QoS") {
        const Bytes f = wlan(0x88, 0x01);
        REQUIRE(decode(wire::Link::Ieee80211, f, p));
        check_tcp(p, "SIP");
        check_prefixes(wire::Link::Ieee80211, f);
    }
    SECTION("From DS, QoS with HT control") {
        const Bytes f = wlan(0x88, 0x82);  // alive while p's views point into it
        REQUIRE(decode(wire::Link::Ieee80211, f, p));
        check_tcp(p, "SIP");
    }
    SECTION("plain data, no DS bits") {
        const Bytes f = wlan(0x08, 0x00);  // alive while p's views point into it
        REQUIRE(decode(wire::Link::Ieee80211, f, p));
        check_tcp(p, "SIP");
    }
    SECTION("four addresses (WDS / mesh)") {
        const Bytes f = wlan(0x88, 0x03);  // alive while p's views point into it
        REQUIRE(decode(wire::Link::Ieee80211, f, p));
        check_tcp(p, "SIP");
    }
    SECTION("radiotap with TSFT and Flags, header padded") {
        // Present: TSFT, Flags, an extended bitmap; TSFT 8-aligned at 16; Flags 0x20 (data pad).
        Bytes f = {0, 0, 26, 0, 0x03, 0, 0, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0};
        append(f, {1, 2, 3, 4, 5, 6, 7, 8, 0x20, 0});
        append(f, wlan(0x88, 0x03, true));  // a 32-byte header: padded to 32, no change...
        wire::Packet q;
        REQUIRE(decode(wire::Link::Radiotap, f, q));
        check_tcp(q, "SIP");
        Bytes g = {0, 0, 26, 0, 0x03, 0, 0, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0};
        append(g, {1, 2, 3, 4, 5, 6, 7, 8, 0x20, 0});
        append(g, wlan(0x88, 0x01, true));  // ...a 26-byte one to 28
        REQUIRE(decode(wire::Link::Radiotap, g, p));
        check_tcp(p, "SIP");
        check_prefixes(wire::Link::Radiotap, g);
    }
    // Wherever the frame came from, the MACs are the phone's and the router's.
    CHECK(p.has_eth);
    CHECK(p.eth_src == kSrc);
    CHECK(p.eth_dst == kDst);
}

TEST_CASE("802.11: protected, null, A-MSDU and management frames carry nothing", "[wire]") {
    const auto frame = [](int fc, int flags, int qos) {
        Bytes b;
        append(b, {fc, flags, 0, 0});
        append(b, kDstMac);
        append(b, kSrcMac);
        append(b, kDstMac);
        append(b, {0x10, 0});
        if (fc & 0x80) append(b, {qos, 0});
        append(b, {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00});
        append(b, ipv4(6, tcp("SIP")));
        return b;
    };
    wire::Packet p;
    CHECK(decode(wire::Link::Ieee80211, frame(0x88, 0x01, 0), p));
    CHECK_FALSE(decode(wire::Link::Ieee80211, frame(0x88, 0x41, 0), p));     // protected: encrypted
    CHECK_FALSE(decode(wire::Link::Ieee80211, frame(0xc8, 0x01, 0), p));     // QoS null
    CHECK_FALSE(decode(wire::Link::Ieee80211, frame(0x88, 0x01, 0x80), p));  // A-MSDU
    CHECK_FALSE(decode(wire::Link::Ieee80211, frame(0x80, 0x00, 0), p));     // beacon
    CHECK_FALSE(p.src_ip.valid());
    Bytes bad_radiotap = {0, 0, 200, 0, 0, 0, 0, 0};  // longer than the frame
    append(bad_radiotap, frame(0x88, 0x01, 0));
    CHECK_FALSE(decode(wire::Link::Radiotap, bad_radiotap, p));
    CHECK(wire::link_from_linktype(105) == wire::Link::Ieee80211);
    CHECK(wire::link_from_linktype(127) == wire::Link::Radiotap);
}

TEST_CASE("802.11: a protected frame is read from its body as Wireshark decrypted it", "[wire]") {
    // A To-DS data frame, protected: the header, a WEP/CCMP parameter block and the ciphertext,
    // which is not LLC/SNAP; the decrypted body is.
    Bytes f = {0x08, 0x41, 0, 0};
    append(f, kDstMac);
    append(f, kSrcMac);
    append(f, kDstMac);
    append(f, {0x10, 0, 0x01, 0x02, 0x03, 0x00});
    append(f, {0x5e, 0x17, 0x99, 0x42, 0x0c, 0x6a, 0xd3, 0x88});
    Bytes body = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
    append(body, ipv4(6, tcp("SIP")));
    const std::string_view decrypted(reinterpret_cast<const char*>(body.data()), body.size());
    wire::Packet p;
    CHECK_FALSE(decode(wire::Link::Ieee80211, f, p));
    REQUIRE(wire::decode(wire::Link::Ieee80211, f.data(), f.size(), p, decrypted));
    check_tcp(p, "SIP");
    CHECK(p.eth_src == kSrc);
    CHECK(p.eth_dst == kDst);
    // After radiotap (Flags only, no padding) alike; a body that is no LLC/SNAP gives nothing.
    Bytes r = {0, 0, 9, 0, 0x02, 0, 0, 0, 0};
    append(r, f);
    wire::Packet q;
    REQUIRE(wire::decode(wire::Link::Radiotap, r.data(), r.size(), q, decrypted));
    check_tcp(q, "SIP");
    CHECK_FALSE(wire::decode(wire::Link::Ieee80211, f.data(), f.size(), q, decrypted.substr(1)));
}

TEST_CASE("IPv6 extension headers are skipped, AH counted in 4-octet units", "[wire]") {
    Bytes rest;
    append(rest, {43, 0, 0, 0, 0, 0, 0, 0});                                 // hop-by-hop, 8 bytes -> routing
    append(rest, {60, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});         // routing, 16 bytes -> dest opts
    append(rest, {51, 0, 0, 0, 0, 0, 0, 0});                                 // dest opts, 8 bytes -> AH
    append(rest, {44, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});         // AH: (2+2)*4 = 16 -> fragment
    append(rest, {6, 0, 0, 0, 0, 0, 0, 9});                                  // atomic fragment -> TCP
    append(rest, tcp("hello"));
    Bytes f = ipv6(0, rest);  // payload views point into it
    wire::Packet p;
    REQUIRE(decode(wire::Link::RawIp6, f, p));
    CHECK_FALSE(p.fragment);
    CHECK(p.ip_proto == 6);
    REQUIRE(p.transport == Transport::Tcp);
    CHECK(p.payload == "hello");
    CHECK(p.payload_len == 5);
    CHECK(p.seq == 0x01020304u);
}

TEST_CASE("ICMP is not a transport even when it quotes one; a destination unreachable names the UDP datagram", "[wire]") {
    Bytes icmp = {3, 3, 0, 0, 0, 0, 0, 0};
    append(icmp, ipv4(17, udp(5062, 5060, "INVITE")));
    wire::Packet p;
    REQUIRE(decode(wire::Link::RawIp, ipv4(1, icmp), p));
    CHECK(p.ip_proto == 1);
    CHECK(p.transport == Transport::None);
    CHECK(p.src_port == 0);
    REQUIRE(p.unreachable.present);
    CHECK(p.unreachable.src == IpAddr::v4(0x0a00000a));
    CHECK(p.unreachable.dst == IpAddr::v4(0x0a000001));
    CHECK(p.unreachable.src_port == 5062);
    CHECK(p.unreachable.dst_port == 5060);
    check_prefixes(wire::Link::RawIp, ipv4(1, icmp));
    Bytes icmp6 = {1, 4, 0, 0, 0, 0, 0, 0};
    append(icmp6, ipv6(17, udp(5062, 5060, "INVITE")));
    p.clear();
    REQUIRE(decode(wire::Link::RawIp, ipv6(58, icmp6), p));
    CHECK(p.ip_proto == 58);
    CHECK(p.transport == Transport::None);
    REQUIRE(p.unreachable.present);
    CHECK(p.unreachable.src == IpAddr::v6(kV6Src));
    CHECK(p.unreachable.dst_port == 5060);

    // Not: another ICMP type (an echo reply quotes nothing), a quoted TCP segment, a quote cut
    // before the ports, a later fragment (no UDP header), ICMPv6 packet too big.
    const auto unreachable = [&](const Bytes& frame) {
        wire::Packet q;
        decode(wire::Link::RawIp, frame, q);
        return q.unreachable.present;
    };
    Bytes echo = {0, 0, 0, 0, 0, 0, 0, 0};
    append(echo, ipv4(17, udp(5062, 5060, "INVITE")));
    CHECK_FALSE(unreachable(ipv4(1, echo)));
    Bytes quoted_tcp = {3, 3, 0, 0, 0, 0, 0, 0};
    append(quoted_tcp, ipv4(6, tcp("REGISTER")));
    CHECK_FALSE(unreachable(ipv4(1, quoted_tcp)));
    Bytes cut = {3, 3, 0, 0, 0, 0, 0, 0};
    Bytes whole = ipv4(17, udp(5062, 5060, ""));
    cut.insert(cut.end(), whole.begin(), whole.begin() + 22);  // one port
    CHECK_FALSE(unreachable(ipv4(1, cut)));
    Bytes later = {3, 3, 0, 0, 0, 0, 0, 0};
    append(later, ipv4(17, udp(5062, 5060, "INVITE"), 0x0010));
    CHECK_FALSE(unreachable(ipv4(1, later)));
    Bytes too_big = {2, 0, 0, 0, 0, 0, 0, 0};
    append(too_big, ipv6(17, udp(5062, 5060, "INVITE")));
    CHECK_FALSE(unreachable(ipv6(58, too_big)));
}

TEST_CASE("IP-in-IP gives the inner addresses and transport", "[wire]") {
    Bytes inner = ipv4(17, udp(5060, 5060, "REGISTER"));
    Bytes outer = ipv4(4, inner);
    outer[12] = 192;  // outer source 192.0.0.10
    wire::Packet p;
    REQUIRE(decode(wire::Link::RawIp, outer, p));
    CHECK(p.src_ip == IpAddr::v4(0x0a00000a));
    CHECK(p.transport == Transport::Udp);
    CHECK(p.payload == "REGISTER");
}

TEST_CASE("IPv6 in IPv4 (protocol 41) gives the inner IPv6 packet, the outer MACs stay", "[wire]") {
    Bytes frame = ethernet({0x0800});
    Bytes outer = ipv4(41, ipv6(17, udp(5060, 5060, "REGISTER")));
    outer[12] = 192;  // outer source 192.0.0.10
    append(frame, outer);
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, frame, p));
    CHECK(p.src_ip == IpAddr::v6(kV6Src));
    CHECK(p.dst_ip == IpAddr::v6(kV6Dst));
    CHECK(p.transport == Transport::Udp);
    CHECK(p.payload == "REGISTER");
    CHECK(p.eth_src == kSrc);
    CHECK(p.eth_dst == kDst);
}

TEST_CASE("An IP-in-IP tunnel with no inner packet to read keeps the outer packet", "[wire]") {
    wire::Packet p;
    SECTION("protocol 41 carries only IPv6") {
        Bytes outer = ipv4(41, ipv4(17, udp(5060, 5060, "REGISTER")));
        outer[12] = 192;
        REQUIRE(decode(wire::Link::RawIp, outer, p));
    }
    SECTION("the inner header is cut short") {
        Bytes inner = ipv4(17, udp(5060, 5060, "REGISTER"));
        inner.resize(12);
        Bytes outer = ipv4(4, inner);
        outer[12] = 192;
        REQUIRE(decode(wire::Link::RawIp, outer, p));
    }
    CHECK(p.src_ip == IpAddr::v4(0xc000000a));
    CHECK(p.transport == Transport::None);
}

// Tunnels: the inner packet is what the analyses see. The inner frames below use their own MACs
// (02:00:00:00:00:01 -> 02:00:00:00:00:02) and a SIP datagram 10.0.0.10:5060 -> 10.0.0.1:5060.
namespace {

const Bytes kInnerSrcMac = {0x02, 0, 0, 0, 0, 0x01}, kInnerDstMac = {0x02, 0, 0, 0, 0, 0x02};
constexpr Mac kInnerSrc = 0x020000000001ull, kInnerDst = 0x020000000002ull;

Bytes inner_sip() { return ipv4(17, udp(5060, 5060, "REGISTER")); }

Bytes inner_ethernet(unsigned type, const Bytes& payload) {
    Bytes b = kInnerDstMac;
    append(b, kInnerSrcMac);
    be16(b, type);
    append(b, payload);
    return b;
}

// An outer IPv4 packet from 192.0.2.1 to 192.0.2.2 around `l4`.
Bytes outer_ipv4(int proto, const Bytes& l4) {
    Bytes b = ipv4(proto, l4);
    const Bytes outer_addrs = {192, 0, 2, 1, 192, 0, 2, 2};
    std::copy(outer_addrs.begin(), outer_addrs.end(), b.begin() + 12);
    return b;
}

Bytes gre(unsigned flags, unsigned type, const Bytes& payload) {
    Bytes b;
    be16(b, flags);
    be16(b, type);
    if (flags & 0x8000) be32(b, 0);           // checksum, reserved
    if (flags & 0x2000) be32(b, 0x0000abcd);  // key
    if (flags & 0x1000) be32(b, 7);           // sequence
    append(b, payload);
    return b;
}

// A UDP datagram to `port` (the VXLAN port) around the VXLAN header and `inner_frame`.
Bytes vxlan_udp(const Bytes& inner_frame, int flags = 0x08, std::uint16_t port = 4789) {
    Bytes b = {static_cast<std::uint8_t>(flags), 0, 0, 0, 0, 0x10, 0x00, 0};  // flags (I: 0x08), VNI 4096
    append(b, inner_frame);
    return udp(49152, port, b);
}

// An Ethernet frame (EtherTypes `types`, the last PPPoE's) carrying `ip` in a PPPoE session whose
// length covers it.
Bytes pppoe_frame(std::initializer_list<unsigned> types, const Bytes& ip) {
    Bytes b = ethernet(types);
    append(b, {0x11, 0x00, 0x12, 0x34});
    be16(b, unsigned(2 + ip.size()));
    append(b, {0x00, 0x21});
    append(b, ip);
    return b;
}

void check_inner_sip(const wire::Packet& p) {
    CHECK(p.src_ip == IpAddr::v4(0x0a00000a));
    CHECK(p.dst_ip == IpAddr::v4(0x0a000001));
    REQUIRE(p.transport == Transport::Udp);
    CHECK(p.src_port == 5060);
    CHECK(p.payload == "REGISTER");
}

}  // namespace

TEST_CASE("MPLS label stacks and PPPoE sessions carry IP under the outer MACs", "[wire]") {
    Bytes mpls = ethernet({0x8847});
    append(mpls, {0x00, 0x01, 0x00, 64, 0x00, 0x02, 0x01, 64});  // labels 16, 32 (bottom of stack)
    append(mpls, inner_sip());
    const Bytes pppoe = pppoe_frame({0x8864}, inner_sip());
    for (const Bytes& frame : {mpls, pppoe}) {
        wire::Packet p;
        REQUIRE(decode(wire::Link::Ethernet, frame, p));
        CHECK(p.eth_src == kSrc);
        CHECK(p.eth_dst == kDst);
        check_inner_sip(p);
        check_prefixes(wire::Link::Ethernet, frame);
    }
    // A label stack that never ends, and a PPP protocol other than IP: nothing inside.
    Bytes endless = ethernet({0x8847});
    for (int i = 0; i < 20; ++i) append(endless, {0x00, 0x01, 0x00, 64});
    append(endless, inner_sip());
    Bytes lcp = ethernet({0x8864});
    append(lcp, {0x11, 0x00, 0x12, 0x34, 0x00, 0x04, 0xc0, 0x21, 0x01, 0x01});
    for (const Bytes& frame : {endless, lcp}) {
        wire::Packet p;
        decode(wire::Link::Ethernet, frame, p);
        CHECK(p.transport == Transport::None);
        CHECK_FALSE(p.src_ip.valid());
    }
}

// As in zeek's pppoe-over-qinq.pcap: an IPv4 header claiming 6 bytes more than the PPPoE session
// carries, the frame padded with 6 zero bytes. Wireshark ends the packet with PPPoE's length (a
// bare ACK, tcp.len 0); a frame the capture cut inside the PPPoE payload is cut short as before.
TEST_CASE("an IP length beyond PPPoE's ends with PPPoE's, unless the capture cut the frame", "[wire]") {
    Bytes ip = ipv4(6, tcp(""));
    ip[3] += 6;  // total length 46 for 40 bytes
    Bytes frame = pppoe_frame({0x8100, 0x8100, 0x8864}, ip);
    append(frame, {0, 0, 0, 0, 0, 0});  // padding
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, frame, p));
    REQUIRE(p.transport == Transport::Tcp);
    CHECK(p.payload_len == 0);
    CHECK(p.payload.empty());
    // A frame whose last 10 bytes the capture cut off: the IP length still counts.
    Bytes cut = pppoe_frame({0x8100, 0x8100, 0x8864}, ipv4(6, tcp(std::string(20, 'x'))));
    cut.resize(cut.size() - 10);
    REQUIRE(decode(wire::Link::Ethernet, cut, p));
    REQUIRE(p.transport == Transport::Tcp);
    CHECK(p.payload_len == 20);
    CHECK(p.payload.size() == 10);
}

TEST_CASE("GRE: IP, bridged Ethernet and ERSPAN types I, II and III", "[wire]") {
    struct Case {
        const char* what;
        Bytes gre;
        bool inner_macs;
    };
    Bytes erspan2 = {0x10, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05};  // version 1, VLAN 100, session 5
    append(erspan2, inner_ethernet(0x0800, inner_sip()));
    Bytes erspan3 = {0x20, 0x64, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00};
    append(erspan3, inner_ethernet(0x0800, inner_sip()));
    Bytes erspan3_sub = {0x20, 0x64, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8};
    append(erspan3_sub, inner_ethernet(0x0800, inner_sip()));
    const Case cases[] = {
        {"IPv4 with checksum and key", gre(0xa000, 0x0800, inner_sip()), false},
        {"bridged Ethernet", gre(0x2000, 0x6558, inner_ethernet(0x0800, inner_sip())), true},
        {"ERSPAN type I", gre(0x0000, 0x88be, inner_ethernet(0x0800, inner_sip())), true},
        {"ERSPAN type II", gre(0x1000, 0x88be, erspan2), true},
        {"ERSPAN type III", gre(0x1000, 0x22eb, erspan3), true},
        {"ERSPAN type III with a platform subheader", gre(0x1000, 0x22eb, erspan3_sub), true},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Bytes frame = ethernet({0x0800});
        append(frame, outer_ipv4(47, c.gre));
        wire::Packet p;
        REQUIRE(decode(wire::Link::Ethernet, frame, p));
        check_inner_sip(p);
        CHECK(p.eth_src == (c.inner_macs ? kInnerSrc : kSrc));
        CHECK(p.eth_dst == (c.inner_macs ? kInnerDst : kDst));
        check_prefixes(wire::Link::Ethernet, frame);
    }
    // Enhanced GRE (version 1, PPTP) is not followed: the outer packet stays.
    Bytes pptp = ethernet({0x0800});
    append(pptp, outer_ipv4(47, gre(0x2001, 0x880b, {0xff, 0x03, 0x00, 0x21})));
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, pptp, p));
    CHECK(p.src_ip == IpAddr::v4(0xc0000201));
    CHECK(p.transport == Transport::None);
}

TEST_CASE("VXLAN: the inner Ethernet frame, ARP included; nesting is bounded", "[wire]") {
    Bytes frame = ethernet({0x0800});
    append(frame, outer_ipv4(17, vxlan_udp(inner_ethernet(0x0800, inner_sip()))));
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, frame, p));
    check_inner_sip(p);
    CHECK(p.eth_src == kInnerSrc);
    check_prefixes(wire::Link::Ethernet, frame);

    Bytes claim = {0, 1, 0x08, 0x00, 6, 4, 0, 2};
    append(claim, kInnerSrcMac);
    append(claim, {10, 0, 0, 1});
    append(claim, kInnerDstMac);
    append(claim, {10, 0, 0, 10});
    Bytes arp_frame = ethernet({0x0800});
    append(arp_frame, outer_ipv4(17, vxlan_udp(inner_ethernet(0x0806, claim))));
    REQUIRE(decode(wire::Link::Ethernet, arp_frame, p));
    REQUIRE(p.has_arp);
    CHECK(p.arp.sender_ip == 0x0a000001u);
    CHECK(p.eth_src == kInnerSrc);

    // VXLAN in VXLAN ten deep: followed to the bound, then the UDP datagram at that depth stays.
    Bytes nested = inner_ethernet(0x0800, inner_sip());
    for (int i = 0; i < 10; ++i) nested = inner_ethernet(0x0800, outer_ipv4(17, vxlan_udp(nested)));
    REQUIRE(decode(wire::Link::Ethernet, nested, p));
    CHECK(p.transport == Transport::Udp);
    CHECK(p.dst_port == 4789);
    CHECK(p.src_ip == IpAddr::v4(0xc0000201));
    // Not the I flag: not VXLAN.
    Bytes no_flag = ethernet({0x0800});
    append(no_flag, outer_ipv4(17, vxlan_udp(inner_ethernet(0x0800, inner_sip()), 0)));
    REQUIRE(decode(wire::Link::Ethernet, no_flag, p));
    CHECK(p.dst_port == 4789);
}

TEST_CASE("Geneve: Ethernet or IP after its options; another version or protocol is plain UDP", "[wire]") {
    // A Geneve header (version 0) with `option_words` 4-byte option words and protocol `type`.
    const auto geneve = [](unsigned option_words, unsigned type, const Bytes& inner) {
        Bytes g = {static_cast<std::uint8_t>(option_words), 0};
        be16(g, type);
        append(g, {0x00, 0x10, 0x00, 0});  // VNI 4096
        for (unsigned i = 0; i < option_words; ++i) append(g, {0x01, 0x02, 0x03, 0x04});
        append(g, inner);
        return outer_ipv4(17, udp(49152, 6081, g));
    };
    for (unsigned words : {0u, 3u}) {
        Bytes frame = ethernet({0x0800});
        append(frame, geneve(words, 0x6558, inner_ethernet(0x0800, inner_sip())));
        wire::Packet p;
        REQUIRE(decode(wire::Link::Ethernet, frame, p));
        check_inner_sip(p);
        CHECK(p.eth_src == kInnerSrc);
        CHECK(p.tunnels == 1);
        check_prefixes(wire::Link::Ethernet, frame);
        // IP without Ethernet: the outer MACs stay.
        Bytes ip = ethernet({0x0800});
        append(ip, geneve(words, 0x0800, inner_sip()));
        REQUIRE(decode(wire::Link::Ethernet, ip, p));
        check_inner_sip(p);
        CHECK(p.eth_src == kSrc);
    }
    // An inner IP length beyond what the whole UDP datagram carries ends with it, as with PPPoE.
    Bytes lying = ipv4(6, tcp("x"));
    lying[3] += 6;
    Bytes bounded = ethernet({0x0800});
    append(bounded, geneve(0, 0x0800, lying));
    wire::Packet q;
    REQUIRE(decode(wire::Link::Ethernet, bounded, q));
    REQUIRE(q.transport == Transport::Tcp);
    CHECK(q.payload_len == 1);
    // Version 1, or a protocol Geneve does not carry here: the outer datagram stays.
    Bytes v1 = ethernet({0x0800});
    Bytes bad = geneve(0, 0x6558, inner_ethernet(0x0800, inner_sip()));
    bad[28] |= 0x40;  // after the outer IPv4 (20) and UDP (8) headers
    append(v1, bad);
    Bytes other = ethernet({0x0800});
    append(other, geneve(0, 0x88cc, inner_sip()));
    for (const Bytes& frame : {v1, other}) {
        wire::Packet p;
        REQUIRE(decode(wire::Link::Ethernet, frame, p));
        CHECK(p.dst_port == 6081);
        CHECK(p.tunnels == 0);
    }
}

TEST_CASE("MPLS pseudowires: Ethernet with or without a control word, when the caller says which", "[wire]") {
    for (const bool control_word : {true, false}) {
        Bytes frame = ethernet({0x8847});
        append(frame, {0x00, 0x06, 0x41, 64});  // label 100, bottom of stack
        if (control_word) append(frame, {0x00, 0x00, 0x00, 0x07});
        append(frame, inner_ethernet(0x0800, inner_sip()));
        wire::Packet p;
        decode(wire::Link::Ethernet, frame, p);
        CHECK_FALSE(p.src_ip.valid());  // on its own, not IP: nothing inside
        REQUIRE(p.mpls_payload.size() == frame.size() - 18);
        wire::Packet q = p;
        REQUIRE(wire::decode_pw_ethernet(q, control_word));
        check_inner_sip(q);
        CHECK(q.eth_src == kInnerSrc);
        CHECK(q.tunnels == 1);
        // Read the other way, the frame makes no sense: nothing changes.
        q = p;
        CHECK_FALSE(wire::decode_pw_ethernet(q, !control_word));
        CHECK_FALSE(q.src_ip.valid());
    }
    // IP under the labels leaves nothing for a pseudowire.
    Bytes ip = ethernet({0x8847});
    append(ip, {0x00, 0x06, 0x41, 64});
    append(ip, inner_sip());
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, ip, p));
    check_inner_sip(p);
    CHECK(p.mpls_payload.empty());
    CHECK_FALSE(wire::decode_pw_ethernet(p, false));
    check_inner_sip(p);
}

TEST_CASE("VXLAN on another port: followed only when the caller says so, and only from the outside", "[wire]") {
    Bytes frame = ethernet({0x0800});
    append(frame, outer_ipv4(17, vxlan_udp(inner_ethernet(0x0800, inner_sip()), 0x08, 8472)));
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, frame, p));
    CHECK(p.dst_port == 8472);  // on its own, port 8472 is plain UDP
    CHECK(p.tunnels == 0);
    REQUIRE(wire::decode_vxlan_payload(p));
    check_inner_sip(p);
    CHECK(p.eth_src == kInnerSrc);
    CHECK(p.tunnels == 1);
    // The inner packet is not taken for VXLAN again, whatever its payload.
    CHECK_FALSE(wire::decode_vxlan_payload(p));
    check_inner_sip(p);
    // On VXLAN's own port the packet is already the inner one.
    Bytes own = ethernet({0x0800});
    append(own, outer_ipv4(17, vxlan_udp(inner_ethernet(0x0800, inner_sip()))));
    REQUIRE(decode(wire::Link::Ethernet, own, p));
    CHECK(p.tunnels == 1);
    CHECK_FALSE(wire::decode_vxlan_payload(p));
    check_inner_sip(p);
    // Without the I flag nothing changes.
    Bytes no_flag = ethernet({0x0800});
    append(no_flag, outer_ipv4(17, vxlan_udp(inner_ethernet(0x0800, inner_sip()), 0, 8472)));
    REQUIRE(decode(wire::Link::Ethernet, no_flag, p));
    CHECK_FALSE(wire::decode_vxlan_payload(p));
    CHECK(p.dst_port == 8472);
    CHECK(p.src_ip == IpAddr::v4(0xc0000201));
}

TEST_CASE("IPv4 fragments: no transport; the reassembled payload decodes with decode_transport", "[wire]") {
    Bytes whole = udp(5060, 5060, "0123456789abcdef");  // 24 bytes: split after 16
    Bytes first_part(whole.begin(), whole.begin() + 16);
    Bytes second_part(whole.begin() + 16, whole.end());
    wire::Packet p;
    REQUIRE(decode(wire::Link::RawIp, ipv4(17, first_part, 0x2000), p));  // MF, offset 0
    CHECK(p.fragment);
    CHECK(p.frag_more);
    CHECK(p.frag_offset == 0);
    CHECK(p.frag_id == 0x1234);
    CHECK(p.ip_proto == 17);
    CHECK(p.transport == Transport::None);
    CHECK(p.payload_len == 16);
    CHECK(p.payload.size() == 16);
    REQUIRE(decode(wire::Link::RawIp, ipv4(17, second_part, 0x0002), p));  // offset 2*8, last
    CHECK(p.fragment);
    CHECK_FALSE(p.frag_more);
    CHECK(p.frag_offset == 16);
    CHECK(p.transport == Transport::None);

    std::string reassembled(whole.begin(), whole.end());
    REQUIRE(wire::decode_transport(17, reassembled, 24, p));
    CHECK(p.transport == Transport::Udp);
    CHECK(p.src_port == 5060);
    CHECK(p.payload == "0123456789abcdef");
    CHECK(p.payload_len == 16);
    CHECK(p.src_ip == IpAddr::v4(0x0a00000a));  // left alone
    CHECK_FALSE(wire::decode_transport(1, reassembled, 24, p));
    CHECK(p.transport == Transport::None);
}

TEST_CASE("A tunnel's outer fragments: the reassembled payload leads to the inner packet", "[wire]") {
    Bytes erspan2 = {0x10, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05};
    append(erspan2, inner_ethernet(0x0800, inner_sip()));
    const struct {
        const char* what;
        int proto;
        Bytes payload;
        bool inner_macs;
    } cases[] = {
        {"ERSPAN type II", 47, gre(0x1000, 0x88be, erspan2), true},
        {"GRE with a key", 47, gre(0x2000, 0x0800, inner_sip()), false},
        {"VXLAN", 17, vxlan_udp(inner_ethernet(0x0800, inner_sip())), true},
        {"IP-in-IP", 4, inner_sip(), false},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        // The last fragment, from byte 16 on: alone it is the outer packet without a transport.
        Bytes frame = ethernet({0x0800});
        Bytes outer = outer_ipv4(c.proto, Bytes(c.payload.begin() + 16, c.payload.end()));
        outer[6] = 0x00;
        outer[7] = 0x02;
        append(frame, outer);
        wire::Packet p;
        REQUIRE(decode(wire::Link::Ethernet, frame, p));
        CHECK(p.fragment);
        CHECK(p.src_ip == IpAddr::v4(0xc0000201));
        CHECK(p.transport == Transport::None);
        const std::string reassembled(c.payload.begin(), c.payload.end());
        REQUIRE(wire::decode_transport(p.ip_proto, reassembled, std::uint32_t(reassembled.size()), p));
        check_inner_sip(p);
        CHECK(p.tunnels == 1);
        CHECK(p.eth_src == (c.inner_macs ? kInnerSrc : kSrc));
    }
}

TEST_CASE("IPv6 fragment header with an offset or M set is a fragment", "[wire]") {
    Bytes rest = {17, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};  // offset 0, M=1, id 0xdeadbeef
    append(rest, udp(5060, 5060, "abcd"));
    wire::Packet p;
    REQUIRE(decode(wire::Link::RawIp6, ipv6(44, rest), p));
    CHECK(p.fragment);
    CHECK(p.frag_more);
    CHECK(p.frag_id == 0xdeadbeefu);
    CHECK(p.ip_proto == 17);
    CHECK(p.transport == Transport::None);
    CHECK(p.payload_len == 12);
}

TEST_CASE("Snaplen cut: payload_len is what the headers claim, payload what was captured", "[wire]") {
    Bytes f = ethernet({0x0800});
    append(f, ipv4(6, tcp("0123456789")));
    f.resize(f.size() - 6);
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    CHECK(p.payload == "0123");
    CHECK(p.payload_len == 10);
}

TEST_CASE("Every prefix of a valid frame decodes safely and claims no byte beyond it", "[wire]") {
    std::vector<Bytes> frames;
    Bytes a = ethernet({0x88a8, 0x8100, 0x0800});
    append(a, ipv4(6, tcp("SKINNY", 8), 0x4000, 4));
    frames.push_back(a);
    Bytes b = ethernet({0x86dd});
    Bytes ext = {44, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 1};
    append(ext, udp(514, 514, "<187>text"));
    append(b, ipv6(60, ext));
    frames.push_back(b);
    Bytes c = ethernet({0x0806});
    append(c, arp(1, 0x0a000001, Bytes(6, 0), 0x0a000002));
    frames.push_back(c);
    Bytes d = {0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00};
    append(d, ipv4(4, ipv4(17, udp(5060, 5060, "x"))));
    frames.push_back(d);
    for (std::size_t which = 0; which < frames.size(); ++which)
        check_prefixes(which == 3 ? wire::Link::LinuxSll : wire::Link::Ethernet, frames[which]);
}

TEST_CASE("ARP request, reply and gratuitous ARP as Wireshark flags them", "[wire]") {
    const Bytes zero(6, 0), bcast(6, 0xff);
    struct Case {
        int op;
        std::uint32_t spa, tpa;
        Bytes tha;
        bool gratuitous;
    } cases[] = {
        {1, 0x0a000001, 0x0a000002, zero, false},   // who has 10.0.0.2
        {1, 0x0a000001, 0x0a000001, zero, true},    // announcement: sender IP == target IP
        {2, 0x0a000001, 0x0a000002, kDstMac, false},
        {2, 0x0a000001, 0x0a000001, bcast, true},   // gratuitous reply
        {1, 0x00000000, 0x0a000002, zero, false},   // probe
        {3, 0x0a000001, 0x0a000001, kDstMac, false} // RARP: never gratuitous
    };
    for (const Case& c : cases) {
        Bytes f = ethernet({0x0806});
        append(f, arp(c.op, c.spa, c.tha, c.tpa));
        f.resize(60);
        wire::Packet p;
        REQUIRE(decode(wire::Link::Ethernet, f, p));
        REQUIRE(p.has_arp);
        CHECK(p.arp.opcode == c.op);
        CHECK(p.arp.sender_mac == kSrc);
        CHECK(p.arp.sender_ip == c.spa);
        CHECK(p.arp.target_ip == c.tpa);
        CHECK(p.arp.target_mac == (c.tha == kDstMac ? kDst : c.tha == bcast ? 0xffffffffffffull : 0));
        CHECK(p.arp.gratuitous == c.gratuitous);
        CHECK_FALSE(p.src_ip.valid());
    }
}

TEST_CASE("ARP cut short: opcode without addresses; odd hardware: no MACs", "[wire]") {
    Bytes f = ethernet({0x0806});
    append(f, arp(1, 0x0a000001, Bytes(6, 0), 0x0a000001));
    f.resize(14 + 27);
    wire::Packet p;
    REQUIRE(decode(wire::Link::Ethernet, f, p));
    REQUIRE(p.has_arp);
    CHECK(p.arp.opcode == 1);
    CHECK(p.arp.sender_ip == 0);
    CHECK_FALSE(p.arp.gratuitous);

    Bytes g = ethernet({0x0806});
    Bytes body = arp(1, 0x0a000001, Bytes(6, 0), 0x0a000001);
    body[1] = 7;  // ARCnet hardware: Wireshark shows no MAC
    append(g, body);
    REQUIRE(decode(wire::Link::Ethernet, g, p));
    CHECK(p.arp.sender_mac == 0);
    CHECK(p.arp.sender_ip == 0x0a000001u);
    CHECK(p.arp.gratuitous);

    Bytes atm = ethernet({0x0806});
    body[1] = 19;  // ATM ARP is another protocol
    append(atm, body);
    REQUIRE(decode(wire::Link::Ethernet, atm, p));
    CHECK_FALSE(p.has_arp);
}

namespace {

std::string skinny_pdu(std::uint32_t id, const Bytes& data, std::uint32_t version = 0) {
    Bytes b;
    le32(b, static_cast<std::uint32_t>(4 + data.size()));
    le32(b, version);
    le32(b, id);
    append(b, data);
    return std::string(b.begin(), b.end());
}

Bytes register_req(std::string_view name) {
    Bytes d(name.begin(), name.end());
    d.resize(16);           // device name, NUL padded
    le32(d, 0);             // reserved
    le32(d, 1);             // instance
    be32(d, 0x0a0a0a82);    // station IP
    le32(d, 434);           // device type
    le32(d, 1);             // max streams
    return d;
}

Bytes register_ack(std::uint32_t ka, std::uint32_t ka2) {
    Bytes d;
    le32(d, ka);
    append(d, "M/D/YA");
    append(d, {0, 0});
    le32(d, ka2);
    append(d, {20, 0, 0, 0});  // max protocol version, unknown, features
    return d;
}

}  // namespace

TEST_CASE("SKINNY RegisterReq carries the device name up to its NUL", "[skinny]") {
    std::string pdu = skinny_pdu(skinny::kRegisterReq, register_req("SEP580A20FB071F"));
    REQUIRE(skinny::pdu_length(pdu) == 8 + 4 + 36);  // name 16, reserved, instance, IP, type, streams
    SkinnyMessage m;
    REQUIRE(skinny::parse_pdu(pdu, m));
    CHECK(m.id == 0x0001);
    CHECK(m.device_name == "SEP580A20FB071F");
    CHECK_FALSE(m.has_keepalive_interval);
    // A name filling all 16 bytes has no NUL: all 16 count.
    std::string full = skinny_pdu(skinny::kRegisterReq, register_req("SEP0123456789ABC"));
    REQUIRE(skinny::parse_pdu(full, m));
    CHECK(m.device_name == "SEP0123456789ABC");
    // ConfigStat (0x0093) starts with the device name too; the header version changes nothing.
    std::string config = skinny_pdu(0x0093, register_req("SEPAABBCCDDEEFF"), 0x16);
    REQUIRE(skinny::parse_pdu(config, m));
    CHECK(m.device_name == "SEPAABBCCDDEEFF");
    // Too short to hold the 16-byte field: no name.
    std::string cut = skinny_pdu(skinny::kRegisterReq, Bytes{'S', 'E', 'P', 0});
    REQUIRE(skinny::parse_pdu(cut, m));
    CHECK(m.id == skinny::kRegisterReq);
    CHECK(m.device_name.empty());
}

TEST_CASE("SKINNY RegisterAck carries both keepalive intervals", "[skinny]") {
    std::string pdu = skinny_pdu(skinny::kRegisterAck, register_ack(30, 60), 0x11);
    SkinnyMessage m;
    REQUIRE(skinny::parse_pdu(pdu, m));
    CHECK(m.id == 0x0081);
    CHECK(m.has_keepalive_interval);
    CHECK(m.keepalive_interval == 30);
    CHECK(m.has_secondary_interval);
    CHECK(m.secondary_interval == 60);
    CHECK(m.device_name.empty());
    // 8 data bytes after the id: the first interval only (the second would lie past the PDU).
    Bytes short_ack;
    le32(short_ack, 45);
    append(short_ack, {'M', '/', 'D', '/'});
    REQUIRE(skinny::parse_pdu(skinny_pdu(skinny::kRegisterAck, short_ack), m));
    CHECK(m.has_keepalive_interval);
    CHECK(m.keepalive_interval == 45);
    CHECK_FALSE(m.has_secondary_interval);
}

TEST_CASE("SKINNY UnregisterAck carries its status", "[skinny]") {
    SkinnyMessage m;
    for (const std::uint32_t status : {0u, 2u}) {  // Ok, NAK
        Bytes d;
        le32(d, status);
        REQUIRE(skinny::parse_pdu(skinny_pdu(skinny::kUnregisterAck, d), m));
        CHECK(m.id == 0x0118);
        CHECK(m.has_status);
        CHECK(m.status == status);
    }
    REQUIRE(skinny::parse_pdu(skinny_pdu(skinny::kUnregisterAck, Bytes{}), m));  // no status: none said
    CHECK_FALSE(m.has_status);
}

TEST_CASE("SKINNY cut short by the snap length: whole PDUs, then the captured fields of the last", "[skinny]") {
    const std::string ka = skinny_pdu(skinny::kKeepAliveReq, {});
    const std::string ack = skinny_pdu(skinny::kRegisterAck, register_ack(30, 60));
    const std::string data = ka + ack;
    // 12 + 12 header bytes of the RegisterAck + 16 of its data: both intervals, not what follows.
    std::vector<SkinnyMessage> out;
    skinny::parse_truncated(std::string_view(data).substr(0, 12 + 28), out);
    REQUIRE(out.size() == 2);
    CHECK(out[0].id == skinny::kKeepAliveReq);
    CHECK(out[1].id == skinny::kRegisterAck);
    CHECK(out[1].keepalive_interval == 30);
    CHECK(out[1].has_secondary_interval);
    CHECK(out[1].secondary_interval == 60);
    // Cut inside the second interval: the first only.
    out.clear();
    skinny::parse_truncated(std::string_view(data).substr(0, 12 + 27), out);
    REQUIRE(out.size() == 2);
    CHECK(out[1].has_keepalive_interval);
    CHECK_FALSE(out[1].has_secondary_interval);
    // Cut inside the next PDU's header, or not starting with a PDU Wireshark accepts: nothing of it.
    out.clear();
    skinny::parse_truncated(std::string_view(data).substr(0, 12 + 11), out);
    CHECK(out.size() == 1);
    out.clear();
    skinny::parse_truncated("\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", out);
    CHECK(out.empty());
}

TEST_CASE("SKINNY KeepAliveReq, back-to-back PDUs, partial and bad lengths", "[skinny]") {
    std::string ka = skinny_pdu(skinny::kKeepAliveReq, {});
    REQUIRE(ka.size() == 12);
    CHECK(skinny::pdu_length(ka) == 12);
    CHECK(skinny::plausible_start(ka));
    SkinnyMessage m;
    REQUIRE(skinny::parse_pdu(ka, m));
    CHECK(m.id == 0);

    std::string two = ka + skinny_pdu(skinny::kKeepAliveAck, {});
    std::string_view rest = two;
    std::vector<std::uint32_t> ids;
    while (std::size_t n = skinny::pdu_length(rest)) {
        REQUIRE(n != skinny::kBad);
        REQUIRE(skinny::parse_pdu(rest.substr(0, n), m));
        ids.push_back(m.id);
        rest.remove_prefix(n);
    }
    CHECK(ids == std::vector<std::uint32_t>{0x0000, 0x0100});
    CHECK(rest.empty());

    std::string reg = skinny_pdu(skinny::kRegisterReq, register_req("SEP1"));
    for (std::size_t n = 0; n < reg.size(); ++n) CHECK(skinny::pdu_length(std::string_view(reg).substr(0, n)) == 0);
    CHECK_FALSE(skinny::parse_pdu(std::string_view(ka).substr(0, 11), m));

    std::string bad(12, '\0');
    bad[0] = 3;  // length below 4
    CHECK(skinny::pdu_length(bad) == skinny::kBad);
    CHECK_FALSE(skinny::plausible_start(bad));
    std::string huge = ka;
    huge[2] = 0x02;  // 0x20004 data bytes
    CHECK(skinny::pdu_length(huge) == skinny::kBad);
    std::string odd_version = skinny_pdu(0, {}, 0x17);
    CHECK_FALSE(skinny::plausible_start(odd_version));
    CHECK(skinny::known_version(0x0a));
    CHECK(skinny::known_version(0x12));
    CHECK_FALSE(skinny::known_version(0x01));
}

TEST_CASE("syslog.msg: the text after <PRI>, header included, up to a NUL", "[syslog]") {
    using syslog::message_text;
    const std::string cucm = "<187>2107: uc-ucm-01: May 12 2023 09:04:05.000 UTC :  %UC_CALLMANAGER-3-Endpoint";
    CHECK(message_text(cucm) == "2107: uc-ucm-01: May 12 2023 09:04:05.000 UTC :  %UC_CALLMANAGER-3-Endpoint");
    CHECK(message_text("<13>Oct 11 22:14:15 host app: text") == "Oct 11 22:14:15 host app: text");
    CHECK(message_text("no priority") == "no priority");
    CHECK(message_text("<999>x") == "x");
    CHECK(message_text("<1234>x") == "4>x");    // at most three digits are read
    CHECK(message_text("<a>x") == "a>x");
    CHECK(message_text("<>x") == "x");
    CHECK(message_text("<13>line\r\n") == "line\r\n");
    CHECK(message_text(std::string_view("<13>before\0after", 16)) == "before");
    std::string_view text;
    CHECK_FALSE(syslog::message("<13>", text));   // nothing after the prefix: no syslog at all
    CHECK_FALSE(syslog::message("<13", text));
    CHECK_FALSE(syslog::message("", text));
    CHECK(syslog::message(std::string_view("<13>\0x", 6), text));
    CHECK(text.empty());
}

TEST_CASE("syslog over TCP: octet-counted and LF-ended messages (RFC 6587)", "[syslog]") {
    using syslog::Framed;
    using syslog::framed_message;
    const auto whole = [](std::string_view data, std::size_t skip, std::size_t length, std::string_view text) {
        const Framed f = framed_message(data);
        CHECK(f.status == Framed::Whole);
        CHECK(f.skip == skip);
        CHECK(f.length == length);
        CHECK(f.text == text);
    };
    whole("10 <13>a b c\n12", 0, 13, "a b c\n");  // the count decides: a LF inside is the message's
    whole("<13>a b c\r\n<14>next", 0, 11, "a b c");
    whole(std::string_view("<13>a\0<14>b\n", 12), 0, 6, "a");  // a NUL ends it too
    whole("\r\n\n5 <13>x<14>", 3, 7, "x");                   // line ends between messages
    whole("3 <1>", 0, 5, "");                                  // no text after the PRI
    whole("<13>\n", 0, 5, "");
    const auto status = [](std::string_view data) { return framed_message(data).status; };
    CHECK(status("") == Framed::Incomplete);
    CHECK(status("\r\n") == Framed::Incomplete);
    CHECK(status("123") == Framed::Incomplete);        // the count, its space not yet there
    CHECK(status("123 <13>short") == Framed::Incomplete);
    CHECK(status("<13>no end yet") == Framed::Incomplete);
    CHECK(status("0 ") == Framed::Invalid);             // a count has no leading zero
    CHECK(status("012 <13>x") == Framed::Invalid);
    CHECK(status("12x<13>x") == Framed::Invalid);
    CHECK(status("45 bytes of the text") == Framed::Invalid);  // no PRI after the space: not a count
    CHECK(status("65537 <13>") == Framed::Invalid);     // longer than any alarm
    CHECK(status("65536 ") == Framed::Incomplete);
    CHECK(status("REGISTER sip:x SIP/2.0\r\n") == Framed::Invalid);
    CHECK(status(std::string(syslog::kMaxFramedBytes, '<')) == Framed::Incomplete);
    CHECK(status(std::string(syslog::kMaxFramedBytes + 1, '<')) == Framed::Invalid);
}

TEST_CASE("syslog over TCP: where a message may begin, read from inside one", "[syslog]") {
    using syslog::next_start;
    CHECK(next_start("ext\n<13>a\n") == 4);                   // the next line
    CHECK(next_start(std::string_view("x\0<13>a", 8)) == 2);   // after a NUL
    CHECK(next_start("of it 25 <187>next") == 6);             // the next count and PRI
    CHECK(next_start("a123 <13>") == 1);
    CHECK(next_start("text 12") == 5);                        // a count, perhaps: wait for the rest
    CHECK(next_start("text 12 ") == 5);
    CHECK(next_start("in 30 seconds, 0 <13>") == 21);         // no PRI after 30; no count starts with 0
    CHECK(next_start("12 <13>x") == 8);                       // never at the first byte, nor inside a count
    CHECK(next_start("") == 0);
    CHECK(next_start("x") == 1);
}
