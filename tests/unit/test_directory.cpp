// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <cstdint>
#include <map>
#include <random>

#include "core/context.h"

using namespace ka;

namespace {

using Activity = EndpointDirectory::Activity;

bool same(const Activity* a, const Activity& b) {
    return a && a->time == b.time && a->frame == b.frame && a->name == b.name && a->point == b.point &&
           a->server == b.server;
}

bool same(const Activity* a, const Activity* b) { return a == b || (b && same(a, *b)); }

// What the directory answers, kept the plain way: every touch writes the name's entries and the
// address's entries.
struct Model {
    struct Two {
        Activity last, before;  // before.frame 0: none
    };
    std::map<std::uint32_t, Two> by_name;
    std::map<std::uint32_t, Two> by_ip;  // by IPv4 address; 0: none
    void touch(std::uint32_t ip, const Activity& what) {
        // A named touch's address keeps the device's previous activity, wherever it was.
        const Activity device_before = what.name != 0 ? by_name[what.name].last : Activity{};
        if (what.name != 0) by_name[what.name] = {what, device_before};
        if (ip != 0) {
            Two& a = by_ip[ip];
            const std::uint32_t name = what.name != 0 ? what.name : a.last.name;
            a = {what, what.name != 0 ? device_before : a.last};
            a.last.name = name;
        }
    }
};

const Activity* before(const Model::Two& t) { return t.before.frame != 0 ? &t.before : nullptr; }

IpAddr address(std::uint32_t ip) { return ip ? IpAddr::v4(ip) : IpAddr{}; }

}  // namespace

TEST_CASE("directory: a device that moves, an address that changes hands, an unnamed touch", "[directory]") {
    EndpointDirectory d;
    const IpAddr a = IpAddr::v4(0x0a000001), b = IpAddr::v4(0x0a000002);
    d.touch(a, {seconds(1), 1, 7, 0});
    d.touch(a, {seconds(2), 2, 7, 0});
    CHECK(same(d.by_name(7), {seconds(2), 2, 7}));
    CHECK(same(d.by_ip(a), {seconds(2), 2, 7}));

    d.touch(b, {seconds(3), 3, 7, 0});  // moved: its last activity is at b, a keeps its own
    CHECK(same(d.by_name(7), {seconds(3), 3, 7}));
    CHECK(same(d.by_ip(a), {seconds(2), 2, 7}));
    d.touch(a, {seconds(4), 4, 0, 0});  // someone unnamed at a: device 7 is not it
    CHECK(same(d.by_name(7), {seconds(3), 3, 7}));
    CHECK(same(d.by_ip(a), {seconds(4), 4, 7}));  // the address keeps the last name seen there

    d.touch(a, {seconds(5), 5, 7, 0});  // back at a
    d.touch(b, {seconds(6), 6, 0, 0});
    CHECK(same(d.by_name(7), {seconds(5), 5, 7}));
    d.touch(a, {seconds(7), 7, 9, 0});  // a changes hands: 7 keeps its activity
    CHECK(same(d.by_name(7), {seconds(5), 5, 7}));
    CHECK(same(d.by_name(9), {seconds(7), 7, 9}));
    d.touch(a, {seconds(8), 8, 0, 0});  // unnamed after a named touch: the name keeps its activity
    CHECK(same(d.by_name(9), {seconds(7), 7, 9}));
    d.touch(IpAddr{}, {seconds(9), 9, 9, 0});  // no address
    CHECK(same(d.by_name(9), {seconds(9), 9, 9}));
    CHECK(same(d.by_ip(a), {seconds(8), 8, 9}));
    d.touch(a, {seconds(10), 10, 9, 0});
    CHECK(same(d.by_name(9), {seconds(10), 10, 9}));
    CHECK(d.by_name(8) == nullptr);
    CHECK(d.by_ip(IpAddr::v4(0x0a000003)) == nullptr);
}

TEST_CASE("directory: answers as if every touch wrote both entries", "[directory]") {
    // Few names and addresses, so that devices move, share addresses and go unnamed often.
    for (std::uint32_t seed = 1; seed <= 50; ++seed) {
        std::mt19937 rng(seed);
        EndpointDirectory d;
        Model m;
        for (std::uint32_t frame = 1; frame <= 2000; ++frame) {
            const std::uint32_t name = rng() % 6;  // 0: unnamed
            const std::uint32_t ip = rng() % 5;    // 0: no address
            const Nanos time = seconds(frame) + rng() % 1000;
            const std::uint32_t iface = rng() % 2;  // a merged capture
            const std::uint32_t server = rng() % 3;
            d.touch(address(ip), {time, frame, name, iface, server});
            m.touch(ip, {time, frame, name, iface, server});
            for (std::uint32_t n = 1; n < 6; ++n) {
                auto it = m.by_name.find(n);
                const EndpointDirectory::Recent r = d.recent_by_name(n);
                if (it == m.by_name.end()) REQUIRE((r.last == nullptr && r.before == nullptr));
                else REQUIRE(same(r.last, it->second.last));
                // A name detached from its address keeps its last only.
                if (r.before) REQUIRE(same(r.before, before(it->second)));
            }
            for (std::uint32_t i = 1; i < 5; ++i) {
                auto it = m.by_ip.find(i);
                const EndpointDirectory::Recent r = d.recent_by_ip(address(i));
                if (it == m.by_ip.end()) REQUIRE((r.last == nullptr && r.before == nullptr));
                else REQUIRE((same(r.last, it->second.last) && same(r.before, before(it->second))));
            }
        }
    }
}

TEST_CASE("directory: the activity before the last, of a device and of an address", "[directory]") {
    EndpointDirectory d;
    const IpAddr a = IpAddr::v4(0x0a000001), b = IpAddr::v4(0x0a000002);
    d.touch(a, {seconds(1), 1, 7, 0});
    CHECK(d.recent_by_name(7).before == nullptr);
    d.touch(a, {seconds(2), 2, 7, 1});
    CHECK(same(d.recent_by_name(7).before, {seconds(1), 1, 7}));
    CHECK(same(d.recent_by_ip(a).before, {seconds(1), 1, 7}));
    d.touch(b, {seconds(3), 3, 7, 0});  // moved: its activity before is the one at a
    CHECK(same(d.recent_by_name(7).last, {seconds(3), 3, 7}));
    CHECK(same(d.recent_by_name(7).before, {seconds(2), 2, 7, 1}));
    CHECK(same(d.recent_by_ip(b).before, {seconds(2), 2, 7, 1}));
    CHECK(same(d.recent_by_ip(a).before, {seconds(1), 1, 7}));  // a keeps its own two
    d.touch(b, {seconds(4), 4, 9, 0});  // b changes hands: 7, detached, keeps its last only
    CHECK(same(d.recent_by_name(7).last, {seconds(3), 3, 7}));
    CHECK(d.recent_by_name(7).before == nullptr);
    CHECK(d.recent_by_ip(b).before == nullptr);  // 9 was never seen before
    d.touch(a, {seconds(5), 5, 7, 0});  // 7 back at a: its activity before is the one at b
    CHECK(same(d.recent_by_name(7).before, {seconds(3), 3, 7}));
}

TEST_CASE("directory: an address that changes server keeps its last activity to the one it left", "[directory]") {
    EndpointDirectory d;
    const IpAddr a = IpAddr::v4(0x0a000001);
    d.touch(a, {seconds(1), 1, 7, 0, 100});
    d.touch(a, {seconds(2), 2, 7, 0, 100});
    CHECK(d.left(a) == nullptr);  // one server so far
    d.touch(a, {seconds(3), 3, 7, 0, 200});  // a failover
    CHECK(same(d.left(a), {seconds(2), 2, 7, 0, 100}));
    d.touch(a, {seconds(4), 4, 7, 0, 200});
    CHECK(same(d.left(a), {seconds(2), 2, 7, 0, 100}));
    d.touch(a, {seconds(5), 5, 7, 0, 100});  // the fallback
    CHECK(same(d.left(a), {seconds(4), 4, 7, 0, 200}));
    CHECK(d.left(IpAddr::v4(0x0a000002)) == nullptr);
}
