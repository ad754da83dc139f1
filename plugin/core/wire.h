// Decoding of the link, network and transport headers of one captured frame, without Wireshark:
// Ethernet (with 802.1Q/802.1ad tag stacks, MPLS label stacks, PPPoE sessions), Linux cooked
// captures, raw IP, BSD loopback and 802.11 data frames (bare or after radiotap; encrypted ones
// as Wireshark decrypted them);
// IPv4, IPv6 and its extension headers; tunnels (IP-in-IP, GTP-U, GRE with IP, bridged Ethernet
// or ERSPAN, VXLAN); TCP, UDP and ARP. Yields the values the engine used to read from
// Wireshark's eth/ip/ipv6/tcp/udp/arp fields. Nothing here allocates, and nothing reads past the
// captured length: the views in a Packet point into the caller's frame buffer.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events.h"

namespace ka::wire {

enum class Link : std::uint8_t {
    Unknown, Ethernet, LinuxSll, LinuxSll2, RawIp, RawIp4, RawIp6, Null, Ieee80211, Radiotap
};

// The link type of a pcap/pcapng LINKTYPE_ value (1 Ethernet, 113 SLL, 276 SLL2, 101 raw, 228/229
// raw IPv4/IPv6, 0 and 108 loopback, 105 802.11, 127 802.11 with radiotap; 12 and 14 are raw IP on
// some BSDs), Unknown for the rest.
Link link_from_linktype(std::uint32_t linktype);

struct Packet {
    bool has_eth = false;              // Ethernet source and destination known (802.11: SA and DA)
    Mac eth_src = 0, eth_dst = 0;
    // The VLAN ids of those MACs' 802.1Q/802.1ad tags: the innermost in bits 0-11, the one outside it
    // in bits 12-23 (deeper tags dropped); 0 untagged. One address may be two hosts in two VLANs.
    std::uint32_t vlan = 0;
    // The frame's IP header. Tunnels are followed to the innermost packet, as Wireshark's network
    // addresses (pinfo->net_src/net_dst) and transport are the inner ones; a tunnel that carries
    // Ethernet (VXLAN, ERSPAN) gives its MACs too: they are the mirrored traffic's.
    IpAddr src_ip, dst_ip;
    std::uint16_t ip_id = 0;           // IPv4 identification (0 for IPv6): a copy keeps it
    std::uint8_t ip_proto = 0;         // 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 (after IPv6 extension headers)
    bool fragment = false;             // an IP fragment: transport not decoded
    Transport transport = Transport::None;   // Udp or Tcp when its header was decoded
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t seq = 0, ack = 0;    // TCP raw (on-the-wire) values
    std::uint16_t flags = 0;           // TCP flag bits as in ka::TcpInfo (FIN 0x01 ... ACK 0x10), 12 bits
    std::uint16_t window = 0;          // TCP window field, unscaled (duplicate ACKs repeat it)
    // TCP/UDP payload bytes as captured (never past the IP length or the capture). For a fragment:
    // the IP fragment's payload, for the caller's reassembly.
    std::string_view payload;
    // Payload length the headers claim (Wireshark's tcp.len, udp.length - 8), even when the capture
    // was cut short; for a fragment, the fragment's claimed IP payload length.
    std::uint32_t payload_len = 0;
    // Fragment identity (fragment == true): IPv4 identification or IPv6 fragment header id, byte
    // offset of this fragment, and whether more fragments follow.
    std::uint32_t frag_id = 0;
    std::uint32_t frag_offset = 0;
    bool frag_more = false;
    bool has_arp = false;
    ArpPacket arp;                     // as Wireshark's arp.* fields give them (incl. isgratuitous)
    std::uint8_t tunnels = 0;          // tunnels followed to reach this packet (0: the frame's own)
    // What followed an MPLS label stack when it was not IP: a pseudowire (see decode_pw_ethernet).
    std::string_view mpls_payload;
    Unreachable unreachable;           // an ICMP/ICMPv6 destination unreachable about a UDP datagram
    void clear();
};

// Decodes one frame; false when there is nothing it understands. Never reads past `captured`.
// `wlan_body`: a protected 802.11 data frame's body as Wireshark decrypted it (from its LLC/SNAP
// header on), read in place of the encrypted one; without it such a frame is not read.
bool decode(Link link, const std::uint8_t* data, std::size_t captured, Packet& out, std::string_view wlan_body = {});

// Follows the UDP payload of a packet reached through no tunnel as VXLAN: the caller knows it is
// (Wireshark decodes VXLAN on another port than 4789 when told to). On success `out` becomes the
// inner packet, as on VXLAN's own port.
bool decode_vxlan_payload(Packet& out);

// Follows `out.mpls_payload` as a pseudowire's Ethernet frame (RFC 4448), after a 4-byte control
// word when `control_word`: the caller knows which (Wireshark's pw-eth heuristic decides it from its
// OUI database). On success `out` becomes the inner packet.
bool decode_pw_ethernet(Packet& out, bool control_word);

// Decodes a TCP/UDP header and payload from an IP payload reassembled elsewhere (IP fragments),
// following a tunnel it carries to the inner packet as decode() does. `claimed_len` is the IP
// payload length the headers claim (ip_payload may be shorter when cut). Leaves the link and IP
// members alone unless a tunnel was followed; false when no transport header could be decoded.
bool decode_transport(std::uint8_t ip_proto, std::string_view ip_payload, std::uint32_t claimed_len, Packet& out);

}  // namespace ka::wire
