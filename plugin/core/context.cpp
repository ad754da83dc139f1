// SPDX-License-Identifier: GPL-2.0-or-later
#include "context.h"

#include "hash.h"

namespace ka {

void EndpointDirectory::touch(const IpAddr& ip, const Activity& what) {
    const std::uint32_t name = what.name;
    if (!ip.valid()) {
        if (name == 0) return;
        NameEntry& n = by_name_[name];
        release(n, name);
        n = {what, IpAddr{}};
        return;
    }
    AddressEntry& e = by_ip_[ip];
    Activity before = e.last;
    // The common case, a device touching from where it was: that entry alone is written.
    if (name == 0 ? e.holds_name : !e.holds_name || e.last.name != name) {
        detach(e);
        if (name != 0) before = attach(name, ip, e);
    }
    const std::uint32_t named = e.last.name;  // an unnamed touch keeps the last name seen here
    if (e.last.frame != 0 && e.last.server != what.server) left_[ip] = e.last;
    e.before = before;
    e.last = what;
    e.last.name = named;
}

// The name held by `e` keeps its last activity in its own entry.
void EndpointDirectory::detach(AddressEntry& e) {
    if (!e.holds_name) return;
    by_name_[e.last.name] = {e.last, IpAddr{}};
    e.holds_name = false;
}

EndpointDirectory::Activity EndpointDirectory::attach(std::uint32_t name, const IpAddr& ip, AddressEntry& e) {
    const Activity* last = by_name(name);
    const Activity before = last ? *last : Activity{};
    NameEntry& n = by_name_[name];
    if (n.at != ip) release(n, name);
    n.at = ip;
    e.last.name = name;
    e.holds_name = true;
    return before;
}

// The address `name` is attached to no longer holds it.
void EndpointDirectory::release(const NameEntry& n, std::uint32_t name) {
    if (!n.at.valid()) return;
    if (AddressEntry* e = by_ip_.find(n.at); e && e->holds_name && e->last.name == name) e->holds_name = false;
}

EndpointDirectory::Recent EndpointDirectory::recent_by_name(std::uint32_t name) const {
    const NameEntry* n = by_name_.find(name);
    if (!n) return {};
    return n->at.valid() ? recent_by_ip(n->at) : Recent{&n->last, nullptr};
}

EndpointDirectory::Recent EndpointDirectory::recent_by_ip(const IpAddr& ip) const {
    const AddressEntry* e = by_ip_.find(ip);
    if (!e) return {};
    return {&e->last, e->before.frame != 0 ? &e->before : nullptr};
}

std::uint32_t EndpointDirectory::endpoint_of(const IpAddr& ip, StringTable& strings) const {
    const Activity* a = by_ip(ip);
    return a && a->name != 0 ? a->name : strings.intern(ip.to_string());
}

std::size_t EndpointDirectory::bytes() const {
    return by_name_.bytes() + by_ip_.bytes() + left_.bytes();
}

std::size_t Context::bytes() const {
    return strings.bytes() + directory.bytes() + announcements.bytes() + servers_.bytes() + server_ips_.bytes();
}

namespace {

constexpr std::size_t kMaxAnnounced = 65536;  // addresses; the oldest announcements make room

// An IPv4 address at a capture point.
std::uint64_t address_key(std::uint32_t point, std::uint32_t ipv4) { return std::uint64_t{point} << 32 | ipv4; }

}  // namespace

void Announcements::note(const Frame& f) {
    for (const ArpPacket& a : f.arp) {
        if (a.sender_ip == 0 || (a.opcode != 1 && !a.gratuitous)) continue;
        make_room_in(by_address_, kMaxAnnounced, [](const Entry& e) { return e.time; });
        by_address_[address_key(point_of(f), a.sender_ip)] = {a.sender_mac, f.time};
    }
}

bool Announcements::by(std::uint32_t point, const IpAddr& ip, Mac mac) const {
    if (ip.family != 4) return false;
    const Entry* e = by_address_.find(address_key(point, ip.v4_host_order()));
    return e && e->mac == mac;
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
    server_ips_[id] = ip;
    return id;
}

}  // namespace ka
