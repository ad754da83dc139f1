#include "packet.h"

#include <array>
#include <stdexcept>

#include "wpa.h"

namespace kagen {

Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t type, const Bytes& payload, const EthOptions& opt) {
  Bytes b;
  b.reserve(18 + payload.size());
  b.insert(b.end(), dst.octets().begin(), dst.octets().end());
  b.insert(b.end(), src.octets().begin(), src.octets().end());
  if (opt.vlan) {
    if (*opt.vlan > 4095 || opt.vlan_priority > 7) throw std::invalid_argument("bad 802.1Q tag");
    put_be16(b, ethertype::VLAN);
    put_be16(b, static_cast<std::uint16_t>((opt.vlan_priority << 13) | *opt.vlan));
  }
  put_be16(b, type);
  append(b, payload);
  if (opt.pad && b.size() < 60) b.resize(60, 0);
  return b;
}

Bytes linux_sll(SllPacketType type, const Mac& src, std::uint16_t protocol, const Bytes& payload) {
  Bytes b;
  put_be16(b, static_cast<std::uint16_t>(type));
  put_be16(b, 1);  // ARPHRD_ETHER
  put_be16(b, 6);  // address length
  b.insert(b.end(), src.octets().begin(), src.octets().end());
  put_zeros(b, 2);  // address field is 8 bytes
  put_be16(b, protocol);
  append(b, payload);
  return b;
}

namespace {

std::uint32_t crc32(const Bytes& data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::uint8_t byte : data) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// RC4 (the WEP cipher) over `data` in place.
void rc4(const Bytes& key, Bytes& data) {
  std::array<std::uint8_t, 256> st;
  for (int i = 0; i < 256; ++i) st[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  std::uint8_t j = 0;
  for (std::size_t i = 0; i < 256; ++i) {
    j = static_cast<std::uint8_t>(j + st[i] + key[i % key.size()]);
    std::swap(st[i], st[j]);
  }
  std::uint8_t x = 0, y = 0;
  for (std::uint8_t& b : data) {
    ++x;
    y = static_cast<std::uint8_t>(y + st[x]);
    std::swap(st[x], st[y]);
    b ^= st[static_cast<std::uint8_t>(st[x] + st[y])];
  }
}

}  // namespace

Bytes wlan_data(const Mac& dst, const Mac& src, std::uint16_t type, const Bytes& packet, const WlanOptions& w) {
  if (!w.wep_key.empty() && w.wep_key.size() != 5 && w.wep_key.size() != 13)
    throw std::invalid_argument("a WEP key has 5 or 13 bytes");
  const bool wep = !w.wep_key.empty(), ccmp = !w.ccmp_tk.empty();
  Bytes b;
  put_u8(b, 0x08);  // data
  put_u8(b, static_cast<std::uint8_t>((w.from_ds ? 0x02 : 0x01) | (wep || ccmp ? 0x40 : 0)));
  put_le16(b, 44);  // duration, us
  // To the DS: BSSID, SA, DA. From the DS: DA, BSSID, SA.
  for (const Mac* m : w.from_ds ? std::array<const Mac*, 3>{&dst, &w.bssid, &src} : std::array<const Mac*, 3>{&w.bssid, &src, &dst})
    b.insert(b.end(), m->octets().begin(), m->octets().end());
  put_le16(b, static_cast<std::uint16_t>((w.seq & 0x0FFF) << 4));
  Bytes body{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00};
  put_be16(body, type);
  append(body, packet);
  if (ccmp) {
    append(b, wpa::ccmp_protect(b, body, w.ccmp_tk, w.iv));
    return b;
  }
  if (!wep) {
    append(b, body);
    return b;
  }
  const Bytes iv{static_cast<std::uint8_t>(w.iv >> 16), static_cast<std::uint8_t>(w.iv >> 8), static_cast<std::uint8_t>(w.iv)};
  append(b, iv);
  put_u8(b, 0);  // key id 0
  put_le32(body, crc32(body));
  Bytes key = iv;
  append(key, w.wep_key);
  rc4(key, body);
  append(b, body);
  return b;
}

Bytes link_frame(LinkType link, const LinkAddressing& a, std::uint16_t type, const Bytes& packet) {
  switch (link) {
    case LinkType::Ethernet:
      return ethernet(a.dst, a.src, type, packet, a.eth);
    case LinkType::LinuxSll:
      return linux_sll(a.sll_type, a.src, type, packet);
    case LinkType::Ieee80211:
      if (!a.wlan) throw std::invalid_argument("an 802.11 link needs WlanOptions");
      return wlan_data(a.dst, a.src, type, packet, *a.wlan);
    case LinkType::RawIp:
      if (type != ethertype::IPv4 && type != ethertype::IPv6) {
        throw std::invalid_argument("Raw IP link cannot carry ethertype " + std::to_string(type));
      }
      return packet;
  }
  throw std::invalid_argument("unknown link type");
}

std::uint16_t internet_checksum(const Bytes& data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

namespace {

std::uint32_t partial_sum(const Bytes& data) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

// Pseudo-header sum shared by UDP and TCP (RFC 768/793, RFC 8200 8.1).
std::uint32_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, std::uint8_t proto, std::size_t len) {
  if (src.is_v4() != dst.is_v4()) throw std::invalid_argument("mixed IPv4/IPv6 addresses");
  Bytes p = src.bytes();
  append(p, dst.bytes());
  if (src.is_v4()) {
    put_u8(p, 0);
    put_u8(p, proto);
    put_be16(p, static_cast<std::uint16_t>(len));
  } else {
    put_be32(p, static_cast<std::uint32_t>(len));
    put_zeros(p, 3);
    put_u8(p, proto);
  }
  return partial_sum(p);
}

void set_be16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

}  // namespace

Bytes ipv4(const IpAddr& src, const IpAddr& dst, std::uint8_t protocol, const Bytes& payload, const IpOptions& o) {
  if (!src.is_v4() || !dst.is_v4()) throw std::invalid_argument("ipv4() needs IPv4 addresses");
  const std::size_t total = 20 + payload.size();
  if (total > 65535) throw std::invalid_argument("IPv4 packet too long");
  Bytes b;
  b.reserve(total);
  put_u8(b, 0x45);
  put_u8(b, static_cast<std::uint8_t>(o.dscp << 2));
  put_be16(b, static_cast<std::uint16_t>(total));
  put_be16(b, o.id);
  if (o.fragment_offset % 8 != 0) throw std::invalid_argument("IPv4 fragment offset not a multiple of 8");
  put_be16(b, static_cast<std::uint16_t>((o.dont_fragment ? 0x4000 : 0) | (o.more_fragments ? 0x2000 : 0) |
                                         o.fragment_offset / 8));
  put_u8(b, o.ttl);
  put_u8(b, protocol);
  put_be16(b, 0);
  append(b, src.bytes());
  append(b, dst.bytes());
  set_be16(b, 10, internet_checksum(b));
  append(b, payload);
  return b;
}

Bytes ipv6(const IpAddr& src, const IpAddr& dst, std::uint8_t next_header, const Bytes& payload,
           const IpOptions& o) {
  if (!src.is_v6() || !dst.is_v6()) throw std::invalid_argument("ipv6() needs IPv6 addresses");
  if (payload.size() > 65535) throw std::invalid_argument("IPv6 payload too long");
  Bytes b;
  b.reserve(40 + payload.size());
  const std::uint32_t tc = static_cast<std::uint32_t>(o.dscp) << 2;
  put_be32(b, (6u << 28) | (tc << 20) | (o.flow_label & 0xFFFFF));
  put_be16(b, static_cast<std::uint16_t>(payload.size()));
  put_u8(b, next_header);
  put_u8(b, o.ttl);
  append(b, src.bytes());
  append(b, dst.bytes());
  append(b, payload);
  return b;
}

Bytes ip_packet(const IpAddr& src, const IpAddr& dst, std::uint8_t protocol, const Bytes& payload,
                const IpOptions& o) {
  return src.is_v4() ? ipv4(src, dst, protocol, payload, o) : ipv6(src, dst, protocol, payload, o);
}

Bytes routed(Bytes b) {
  if (b.size() >= 20 && b[0] >> 4 == 4) {
    const std::size_t header = (b[0] & 0x0Fu) * 4u;
    if (b.size() < header) throw std::invalid_argument("routed(): IPv4 header cut short");
    --b[8];
    set_be16(b, 10, 0);
    set_be16(b, 10, internet_checksum(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(header))));
  } else if (b.size() >= 40 && b[0] >> 4 == 6) {
    --b[7];
  } else {
    throw std::invalid_argument("routed() needs an IP packet");
  }
  return b;
}

std::uint16_t ethertype_for(const IpAddr& a) { return a.is_v4() ? ethertype::IPv4 : ethertype::IPv6; }

Bytes udp(const IpAddr& src, std::uint16_t sport, const IpAddr& dst, std::uint16_t dport, const Bytes& payload,
          bool checksum) {
  const std::size_t len = 8 + payload.size();
  if (len > 65535) throw std::invalid_argument("UDP datagram too long");
  Bytes b;
  b.reserve(len);
  put_be16(b, sport);
  put_be16(b, dport);
  put_be16(b, static_cast<std::uint16_t>(len));
  put_be16(b, 0);
  append(b, payload);
  if (checksum || src.is_v6()) {
    std::uint16_t c = internet_checksum(b, pseudo_header_sum(src, dst, ipproto::UDP, len));
    if (c == 0) c = 0xffff;  // 0 means "no checksum" in UDP
    set_be16(b, 6, c);
  }
  return b;
}

Bytes tcp_mss_option(std::uint16_t mss) {
  Bytes o{2, 4};
  put_be16(o, mss);
  return o;
}

Bytes tcp(const IpAddr& src, const IpAddr& dst, const TcpHeader& h, const Bytes& payload) {
  Bytes opts = h.options;
  while (opts.size() % 4 != 0) opts.push_back(0);
  if (opts.size() > 40) throw std::invalid_argument("TCP options too long");
  const std::size_t header_len = 20 + opts.size();
  Bytes b;
  b.reserve(header_len + payload.size());
  put_be16(b, h.sport);
  put_be16(b, h.dport);
  put_be32(b, h.seq);
  put_be32(b, h.ack);
  put_u8(b, static_cast<std::uint8_t>((header_len / 4) << 4));
  put_u8(b, h.flags);
  put_be16(b, h.window);
  put_be16(b, 0);  // checksum
  put_be16(b, 0);  // urgent pointer
  append(b, opts);
  append(b, payload);
  set_be16(b, 16, internet_checksum(b, pseudo_header_sum(src, dst, ipproto::TCP, b.size())));
  return b;
}

Bytes arp(ArpOp op, const Mac& sender_mac, const IpAddr& sender_ip, const Mac& target_mac,
          const IpAddr& target_ip) {
  if (!sender_ip.is_v4() || !target_ip.is_v4()) throw std::invalid_argument("ARP needs IPv4 addresses");
  Bytes b;
  put_be16(b, 1);  // hardware: Ethernet
  put_be16(b, ethertype::IPv4);
  put_u8(b, 6);
  put_u8(b, 4);
  put_be16(b, static_cast<std::uint16_t>(op));
  b.insert(b.end(), sender_mac.octets().begin(), sender_mac.octets().end());
  append(b, sender_ip.bytes());
  b.insert(b.end(), target_mac.octets().begin(), target_mac.octets().end());
  append(b, target_ip.bytes());
  return b;
}

Bytes arp_request(const Mac& sender_mac, const IpAddr& sender_ip, const IpAddr& target_ip, EthOptions eth) {
  return ethernet(Mac::broadcast(), sender_mac, ethertype::ARP,
                  arp(ArpOp::Request, sender_mac, sender_ip, Mac::zero(), target_ip), eth);
}

Bytes arp_reply(const Mac& sender_mac, const IpAddr& sender_ip, const Mac& target_mac, const IpAddr& target_ip,
                EthOptions eth) {
  return ethernet(target_mac, sender_mac, ethertype::ARP,
                  arp(ArpOp::Reply, sender_mac, sender_ip, target_mac, target_ip), eth);
}

Bytes gratuitous_arp(const Mac& mac, const IpAddr& ip, ArpOp op, EthOptions eth) {
  // Request form: target MAC zero; reply form: target MAC = broadcast. Both
  // carry sender IP == target IP, which is what makes them gratuitous.
  const Mac target = op == ArpOp::Request ? Mac::zero() : Mac::broadcast();
  return ethernet(Mac::broadcast(), mac, ethertype::ARP, arp(op, mac, ip, target, ip), eth);
}

}  // namespace kagen
