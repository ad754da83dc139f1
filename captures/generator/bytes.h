// Byte buffers and addresses shared by every builder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kagen {

/// A packet, a header or an application payload.
using Bytes = std::vector<std::uint8_t>;

/// The bytes of a text (no terminator).
Bytes to_bytes(std::string_view text);

/// Appends `part` to `out`; the overloads make concat() accept text and bytes alike.
inline void append(Bytes& out, const Bytes& part) { out.insert(out.end(), part.begin(), part.end()); }
inline void append(Bytes& out, std::string_view part) { out.insert(out.end(), part.begin(), part.end()); }

/// Concatenates payloads, e.g. several application messages in one TCP segment:
/// `concat(skinny::keepalive_ack(), skinny::keepalive_req())`.
template <typename... Parts>
Bytes concat(const Parts&... parts) {
  Bytes out;
  (append(out, parts), ...);
  return out;
}

// Fixed-width writers. Network protocols are big-endian; pcap files and SKINNY
// are written little-endian explicitly so output never depends on the host.
void put_u8(Bytes& b, std::uint8_t v);
void put_be16(Bytes& b, std::uint16_t v);
void put_be32(Bytes& b, std::uint32_t v);
void put_le16(Bytes& b, std::uint16_t v);
void put_le32(Bytes& b, std::uint32_t v);
void put_le64(Bytes& b, std::uint64_t v);
/// Writes `text` into exactly `width` bytes, NUL-padded (truncated if longer).
void put_fixed_string(Bytes& b, std::string_view text, std::size_t width);
void put_zeros(Bytes& b, std::size_t count);

/// Ethernet MAC address. Implicitly built from "aa:bb:cc:dd:ee:ff" (or '-'
/// separated); throws std::invalid_argument on bad text.
class Mac {
 public:
  Mac() = default;
  Mac(const char* text);         // NOLINT(google-explicit-constructor): literals read best
  Mac(const std::string& text);  // NOLINT(google-explicit-constructor)
  explicit Mac(const std::array<std::uint8_t, 6>& octets) : octets_(octets) {}

  static Mac broadcast();
  static Mac zero() { return Mac(); }

  const std::array<std::uint8_t, 6>& octets() const { return octets_; }
  /// "aa:bb:cc:dd:ee:ff"
  std::string str() const;
  /// "AABBCCDDEEFF", as in a Cisco device name ("SEP" + hex()).
  std::string hex() const;

  bool operator==(const Mac& o) const { return octets_ == o.octets_; }
  bool operator!=(const Mac& o) const { return octets_ != o.octets_; }

 private:
  std::array<std::uint8_t, 6> octets_{};
};

/// IPv4 or IPv6 address. Implicitly built from "10.0.0.1" or "2001:db8::1";
/// throws std::invalid_argument on bad text.
class IpAddr {
 public:
  IpAddr() = default;  // 0.0.0.0
  IpAddr(const char* text);         // NOLINT(google-explicit-constructor)
  IpAddr(const std::string& text);  // NOLINT(google-explicit-constructor)

  bool is_v4() const { return !v6_; }
  bool is_v6() const { return v6_; }
  /// Address bytes in network order: 4 for IPv4, 16 for IPv6.
  Bytes bytes() const;
  /// IPv4 value in host order (0 for IPv6).
  std::uint32_t v4() const;
  /// Canonical text ("2001:db8::1" for IPv6, RFC 5952 style).
  std::string str() const;
  /// Text for a URI host part: IPv6 in brackets.
  std::string uri_host() const { return v6_ ? "[" + str() + "]" : str(); }

  bool operator==(const IpAddr& o) const { return v6_ == o.v6_ && b_ == o.b_; }
  bool operator!=(const IpAddr& o) const { return !(*this == o); }

 private:
  bool v6_ = false;
  std::array<std::uint8_t, 16> b_{};  // IPv4 uses the first 4 bytes
};

/// One end of a conversation as seen on the wire. `mac` is the link-layer
/// address frames to/from this endpoint carry at the capture point: for a peer
/// behind a router that is the router's MAC.
struct Endpoint {
  Mac mac;
  IpAddr ip;
  std::uint16_t port = 0;
};

}  // namespace kagen
