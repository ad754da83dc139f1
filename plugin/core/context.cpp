// SPDX-License-Identifier: GPL-2.0-or-later
#include "context.h"

#include "hash.h"

namespace ka {

void EndpointDirectory::touch(std::uint32_t name, const IpAddr& ip, std::uint32_t frame, Nanos time) {
    if (name != 0) by_name_[name] = {time, frame, name};
    if (ip.valid()) {
        Activity& a = by_ip_[ip];
        a.frame = frame;
        a.time = time;
        if (name != 0) a.name = name;
    }
}

const EndpointDirectory::Activity* EndpointDirectory::by_name(std::uint32_t name) const {
    return by_name_.find(name);
}

const EndpointDirectory::Activity* EndpointDirectory::by_ip(const IpAddr& ip) const {
    return by_ip_.find(ip);
}

std::uint32_t EndpointDirectory::endpoint_of(const IpAddr& ip, StringTable& strings) const {
    const Activity* a = by_ip(ip);
    return a && a->name != 0 ? a->name : strings.intern(ip.to_string());
}

std::size_t EndpointDirectory::bytes() const {
    return by_name_.bytes() + by_ip_.bytes();
}

std::size_t Context::bytes() const {
    return strings.bytes() + directory.bytes() + servers_.bytes();
}

std::size_t Context::ServerKeyHash::operator()(const ServerKey& k) const {
    const std::uint64_t port = std::uint64_t{k.port} << 8 | static_cast<std::uint64_t>(k.transport);
    return static_cast<std::size_t>(hash::finish(IpAddrHash()(k.ip) ^ port));
}

std::uint32_t Context::server_id(const IpAddr& ip, std::uint16_t port, Transport t) {
    std::uint32_t& id = servers_[ServerKey{ip, port, t}];
    if (id != 0) return id;
    std::string s = ip.family == 6 ? "[" + ip.to_string() + "]" : ip.to_string();
    s += ':';
    s += std::to_string(port);
    s += '/';
    s += transport_name(t);
    id = strings.intern(s);
    return id;
}

}  // namespace ka
