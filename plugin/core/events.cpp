// SPDX-License-Identifier: GPL-2.0-or-later
#include "events.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "hash.h"

namespace ka {

std::string format_mac(Mac mac) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", unsigned(mac >> 40 & 0xff),
                  unsigned(mac >> 32 & 0xff), unsigned(mac >> 24 & 0xff), unsigned(mac >> 16 & 0xff),
                  unsigned(mac >> 8 & 0xff), unsigned(mac & 0xff));
    return buf;
}

IpAddr IpAddr::v4(std::uint32_t host_order) {
    IpAddr a;
    a.family = 4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddr IpAddr::v6(const std::uint8_t b[16]) {
    IpAddr a;
    a.family = 6;
    std::memcpy(a.bytes, b, 16);
    return a;
}

std::uint32_t IpAddr::v4_host_order() const {
    if (family != 4) return 0;
    return std::uint32_t(bytes[0]) << 24 | std::uint32_t(bytes[1]) << 16 | std::uint32_t(bytes[2]) << 8 | bytes[3];
}

std::string IpAddr::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    if (family == 4) return inet_ntop(AF_INET, bytes, buf, sizeof buf) ? buf : "?";
    if (family == 6) return inet_ntop(AF_INET6, bytes, buf, sizeof buf) ? buf : "?";
    return "";
}

bool IpAddr::operator==(const IpAddr& o) const {
    if (family != o.family) return false;
    return std::memcmp(bytes, o.bytes, family == 4 ? 4 : 16) == 0;
}

std::size_t IpAddrHash::operator()(const IpAddr& a) const {
    return static_cast<std::size_t>(hash::bytes(a.family, a.bytes, a.family == 4 ? 4 : 16));
}

const char* transport_name(Transport t) {
    switch (t) {
    case Transport::Udp: return "udp";
    case Transport::Tcp: return "tcp";
    case Transport::Tls: return "tls";
    case Transport::None: break;
    }
    return "?";
}

void Frame::clear() {
    number = 0;
    time = 0;
    interface_id = 0;
    interface_known = true;
    has_eth = false;
    eth_src = eth_dst = 0;
    vlan = 0;
    src_ip = IpAddr{};
    dst_ip = IpAddr{};
    transport = Transport::None;
    src_port = dst_port = 0;
    tcp = TcpInfo{};
    sip.clear();
    contacts.clear();
    contact_params.clear();
    skinny.clear();
    arp.clear();
    syslog.clear();
    sip_ping = false;
    unreachable = Unreachable{};
}

}  // namespace ka
