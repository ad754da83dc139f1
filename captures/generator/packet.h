// Protocol header builders: Ethernet II (+802.1Q), Linux cooked (SLL), IPv4,
// IPv6, UDP, TCP and ARP. Every builder returns the complete bytes of its layer
// including `payload`, with lengths and checksums filled in.
#pragma once

#include <cstdint>
#include <optional>

#include "bytes.h"

namespace kagen {

/// Link-layer header types, numbered as in pcap/pcapng (LINKTYPE_*).
enum class LinkType : std::uint16_t {
  Ethernet = 1,    // Ethernet II, optionally 802.1Q tagged
  RawIp = 101,     // bare IPv4/IPv6 packets
  LinuxSll = 113,  // Linux "cooked" capture (tcpdump -i any)
  Ieee80211 = 105, // 802.11 frames without radiotap (monitor mode), no FCS
};

namespace ethertype {
constexpr std::uint16_t IPv4 = 0x0800;
constexpr std::uint16_t ARP = 0x0806;
constexpr std::uint16_t VLAN = 0x8100;
constexpr std::uint16_t IPv6 = 0x86DD;
}  // namespace ethertype

namespace ipproto {
constexpr std::uint8_t TCP = 6;
constexpr std::uint8_t UDP = 17;
}  // namespace ipproto

// ---------------------------------------------------------------- link layer

struct EthOptions {
  std::optional<std::uint16_t> vlan;  ///< 802.1Q VLAN id; no tag when empty
  std::uint8_t vlan_priority = 0;     ///< 802.1Q PCP (0..7)
  bool pad = false;                   ///< pad to the 60-byte Ethernet minimum
};

Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t ethertype, const Bytes& payload,
               const EthOptions& opt = {});

/// SLL packet types (who the frame was for, from the capturing host's view).
enum class SllPacketType : std::uint16_t { Host = 0, Broadcast = 1, Multicast = 2, OtherHost = 3, Outgoing = 4 };

Bytes linux_sll(SllPacketType type, const Mac& src, std::uint16_t protocol, const Bytes& payload);

/// An 802.11 data frame's network and protection.
struct WlanOptions {
  Mac bssid;
  bool from_ds = false;  ///< from the access point to the station; else from the station to it
  Bytes wep_key;         ///< empty: an open network (or WPA2); 5 or 13 bytes: WEP, key id 0
  std::uint32_t iv = 0;  ///< this frame's 24-bit WEP initialisation vector, or its CCMP packet number
  std::uint16_t seq = 0; ///< this frame's sequence number (12 bits)
  Bytes ccmp_tk;         ///< 16 bytes: WPA2, CCMP under this pairwise temporal key (wpa.h)
};

/// An 802.11 data frame (to or from the distribution system) from SA `src` to DA `dst` carrying
/// `packet` after LLC/SNAP; with a WEP key the body is encrypted (RC4 over the body and its CRC-32
/// ICV, keyed by the IV and the key), with a CCMP key it is protected by CCMP (wpa.h), and the
/// frame is marked protected.
Bytes wlan_data(const Mac& dst, const Mac& src, std::uint16_t ethertype, const Bytes& packet, const WlanOptions& w);

/// What a link header needs. `src`/`dst` are Ethernet addresses (802.11: SA and DA); SLL uses
/// `src` and `sll_type`; Raw IP uses nothing; 802.11 needs `wlan`.
struct LinkAddressing {
  Mac src;
  Mac dst;
  EthOptions eth;
  SllPacketType sll_type = SllPacketType::Host;
  std::optional<WlanOptions> wlan;
};

/// Wraps a network-layer packet for `link`. For LinkType::RawIp the ethertype
/// must be IPv4 or IPv6 and the packet is returned unchanged.
Bytes link_frame(LinkType link, const LinkAddressing& addr, std::uint16_t ethertype, const Bytes& packet);

// ------------------------------------------------------------- network layer

struct IpOptions {
  std::uint8_t ttl = 64;         ///< IPv4 TTL / IPv6 hop limit
  std::uint16_t id = 0;          ///< IPv4 identification
  bool dont_fragment = true;     ///< IPv4 DF bit
  bool more_fragments = false;   ///< IPv4 MF bit
  std::uint16_t fragment_offset = 0;  ///< IPv4 fragment offset in bytes (a multiple of 8)
  std::uint8_t dscp = 0;         ///< DSCP (e.g. 24 = CS3 for signalling)
  std::uint32_t flow_label = 0;  ///< IPv6 flow label (20 bits)
};

/// IPv4 header (with a correct header checksum) + payload.
Bytes ipv4(const IpAddr& src, const IpAddr& dst, std::uint8_t protocol, const Bytes& payload,
           const IpOptions& opt = {});
/// IPv6 header + payload.
Bytes ipv6(const IpAddr& src, const IpAddr& dst, std::uint8_t next_header, const Bytes& payload,
           const IpOptions& opt = {});
/// ipv4() or ipv6() according to the address family (both must match).
Bytes ip_packet(const IpAddr& src, const IpAddr& dst, std::uint8_t protocol, const Bytes& payload,
                const IpOptions& opt = {});
/// An IP packet as a router forwards it: TTL (hop limit) one lower, the IPv4 header checksum
/// updated to match.
Bytes routed(Bytes ip_packet);
/// The ethertype for an address family.
std::uint16_t ethertype_for(const IpAddr& a);

// ----------------------------------------------------------- transport layer

/// UDP header + payload. The checksum is always computed for IPv6 (mandatory);
/// for IPv4 it is computed unless `checksum` is false (then 0 = "none").
Bytes udp(const IpAddr& src, std::uint16_t sport, const IpAddr& dst, std::uint16_t dport, const Bytes& payload,
          bool checksum = true);

namespace tcpflag {
constexpr std::uint8_t FIN = 0x01;
constexpr std::uint8_t SYN = 0x02;
constexpr std::uint8_t RST = 0x04;
constexpr std::uint8_t PSH = 0x08;
constexpr std::uint8_t ACK = 0x10;
constexpr std::uint8_t URG = 0x20;
}  // namespace tcpflag

struct TcpHeader {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 64240;
  Bytes options;  ///< raw option bytes, padded with zeros (EOL) to a multiple of 4
};

/// TCP header + payload with a correct checksum over the IPv4/IPv6 pseudo header.
Bytes tcp(const IpAddr& src, const IpAddr& dst, const TcpHeader& h, const Bytes& payload);
/// MSS option (kind 2), 4 bytes.
Bytes tcp_mss_option(std::uint16_t mss);

/// RFC 1071 checksum of `data` (plus an initial partial sum).
std::uint16_t internet_checksum(const Bytes& data, std::uint32_t initial = 0);

// ----------------------------------------------------------------------- ARP

enum class ArpOp : std::uint16_t { Request = 1, Reply = 2 };

/// The 28-byte ARP body for Ethernet/IPv4.
Bytes arp(ArpOp op, const Mac& sender_mac, const IpAddr& sender_ip, const Mac& target_mac,
          const IpAddr& target_ip);

/// Complete Ethernet frames. The Ethernet source is the ARP sender MAC (as a
/// proxy-ARP device would send it). `eth.pad` defaults to on: ARP frames on a
/// wire are padded to 60 bytes.
Bytes arp_request(const Mac& sender_mac, const IpAddr& sender_ip, const IpAddr& target_ip,
                  EthOptions eth = EthOptions{std::nullopt, 0, true});
Bytes arp_reply(const Mac& sender_mac, const IpAddr& sender_ip, const Mac& target_mac, const IpAddr& target_ip,
                EthOptions eth = EthOptions{std::nullopt, 0, true});
/// Gratuitous ARP announcing ip-at-mac, broadcast, as a request (default) or reply.
Bytes gratuitous_arp(const Mac& mac, const IpAddr& ip, ArpOp op = ArpOp::Request,
                     EthOptions eth = EthOptions{std::nullopt, 0, true});

}  // namespace kagen
