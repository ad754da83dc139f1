#include "bytes.h"

#include <cstdio>
#include <stdexcept>

namespace kagen {

Bytes to_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

void put_u8(Bytes& b, std::uint8_t v) { b.push_back(v); }
void put_be16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put_be32(Bytes& b, std::uint32_t v) {
  put_be16(b, static_cast<std::uint16_t>(v >> 16));
  put_be16(b, static_cast<std::uint16_t>(v));
}
void put_le16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_le32(Bytes& b, std::uint32_t v) {
  put_le16(b, static_cast<std::uint16_t>(v));
  put_le16(b, static_cast<std::uint16_t>(v >> 16));
}
void put_le64(Bytes& b, std::uint64_t v) {
  put_le32(b, static_cast<std::uint32_t>(v));
  put_le32(b, static_cast<std::uint32_t>(v >> 32));
}
void put_fixed_string(Bytes& b, std::string_view text, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) {
    b.push_back(i < text.size() ? static_cast<std::uint8_t>(text[i]) : 0);
  }
}
void put_zeros(Bytes& b, std::size_t count) { b.insert(b.end(), count, 0); }

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void bad(const char* what, std::string_view text) {
  throw std::invalid_argument(std::string("bad ") + what + ": '" + std::string(text) + "'");
}

std::array<std::uint8_t, 6> parse_mac(std::string_view t) {
  std::array<std::uint8_t, 6> o{};
  if (t.size() != 17) bad("MAC address", t);
  for (std::size_t i = 0; i < 6; ++i) {
    int hi = hex_digit(t[i * 3]);
    int lo = hex_digit(t[i * 3 + 1]);
    if (hi < 0 || lo < 0) bad("MAC address", t);
    if (i < 5 && t[i * 3 + 2] != ':' && t[i * 3 + 2] != '-') bad("MAC address", t);
    o[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return o;
}

bool parse_v4(std::string_view t, std::uint8_t* out) {
  int part = 0;
  std::size_t i = 0;
  while (part < 4) {
    if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
    unsigned v = 0;
    std::size_t digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      v = v * 10 + static_cast<unsigned>(t[i] - '0');
      ++i;
      if (++digits > 3 || v > 255) return false;
    }
    out[part++] = static_cast<std::uint8_t>(v);
    if (part < 4) {
      if (i >= t.size() || t[i] != '.') return false;
      ++i;
    }
  }
  return i == t.size();
}

bool parse_v6(std::string_view t, std::array<std::uint8_t, 16>& out) {
  std::vector<std::uint16_t> head, tail;
  bool gap = false;
  std::size_t i = 0;
  if (t.substr(0, 2) == "::") {
    gap = true;
    i = 2;
  }
  while (i < t.size()) {
    unsigned v = 0;
    std::size_t digits = 0;
    while (i < t.size() && hex_digit(t[i]) >= 0) {
      v = v * 16 + static_cast<unsigned>(hex_digit(t[i]));
      ++i;
      if (++digits > 4) return false;
    }
    if (digits == 0) return false;
    (gap ? tail : head).push_back(static_cast<std::uint16_t>(v));
    if (i == t.size()) break;
    if (t[i] != ':') return false;
    ++i;
    if (i < t.size() && t[i] == ':') {
      if (gap) return false;
      gap = true;
      ++i;
    } else if (i == t.size()) {
      return false;
    }
  }
  std::size_t total = head.size() + tail.size();
  if ((gap && total > 7) || (!gap && total != 8)) return false;
  std::vector<std::uint16_t> groups = head;
  groups.resize(8 - tail.size(), 0);
  groups.insert(groups.end(), tail.begin(), tail.end());
  for (std::size_t g = 0; g < 8; ++g) {
    out[g * 2] = static_cast<std::uint8_t>(groups[g] >> 8);
    out[g * 2 + 1] = static_cast<std::uint8_t>(groups[g]);
  }
  return true;
}

}  // namespace

Mac::Mac(const char* text) : octets_(parse_mac(text)) {}
Mac::Mac(const std::string& text) : octets_(parse_mac(text)) {}

Mac Mac::broadcast() { return Mac(std::array<std::uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); }

std::string Mac::str() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", octets_[0], octets_[1], octets_[2],
                octets_[3], octets_[4], octets_[5]);
  return buf;
}

std::string Mac::hex() const {
  char buf[13];
  std::snprintf(buf, sizeof buf, "%02X%02X%02X%02X%02X%02X", octets_[0], octets_[1], octets_[2],
                octets_[3], octets_[4], octets_[5]);
  return buf;
}

IpAddr::IpAddr(const char* text) : IpAddr(std::string(text)) {}

IpAddr::IpAddr(const std::string& text) {
  if (text.find(':') != std::string::npos) {
    v6_ = true;
    if (!parse_v6(text, b_)) bad("IPv6 address", text);
  } else if (!parse_v4(text, b_.data())) {
    bad("IPv4 address", text);
  }
}

Bytes IpAddr::bytes() const { return Bytes(b_.begin(), b_.begin() + (v6_ ? 16 : 4)); }

std::uint32_t IpAddr::v4() const {
  if (v6_) return 0;
  return (std::uint32_t{b_[0]} << 24) | (std::uint32_t{b_[1]} << 16) | (std::uint32_t{b_[2]} << 8) | b_[3];
}

std::string IpAddr::str() const {
  char buf[48];
  if (!v6_) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b_[0], b_[1], b_[2], b_[3]);
    return buf;
  }
  std::uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<std::uint16_t>((b_[i * 2] << 8) | b_[i * 2 + 1]);
  // Longest run (>= 2) of zero groups becomes "::" (RFC 5952).
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) { ++i; continue; }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) { best = i; best_len = j - i; }
    i = j;
  }
  std::string s;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      s += "::";
      i += best_len - 1;
      continue;
    }
    if (!s.empty() && s.back() != ':') s += ':';
    std::snprintf(buf, sizeof buf, "%x", g[i]);
    s += buf;
  }
  return s;
}

}  // namespace kagen
