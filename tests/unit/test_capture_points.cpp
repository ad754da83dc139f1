// Two capture points in one merged capture (SPEC §3.6).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <vector>

#include "core/capture_points.h"

using namespace ka;

namespace {

constexpr Nanos kSkew = 5'317'000'000;  // call-manager side clock - phone side clock
constexpr Nanos kTransit = 302'000;     // one way
constexpr std::uint32_t kPhoneIp = 0x0a3c62d2, kCmIp = 0x0a3c620a;

struct Seg {
    Nanos time;  // phone clock, when the sender sends it
    bool to_server;
    std::uint32_t seq;
    std::uint32_t len;
    bool lost = false;  // lost between the points: seen at the sender's point only
    bool retransmission = false;  // Wireshark's flag at the sender's side
    std::string_view sip_request{};  // a SIP request's method, if it carries one
    std::uint32_t ack = 0;  // what it acknowledges of the other direction
    bool missed = false;    // the phone side's capture dropped it: seen at the call manager side only
};

void by_time(std::vector<Frame>& frames) {
    std::stable_sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) { return a.time < b.time; });
}

struct Rig {
    FindingStore store;
    Context ctx{Config{}, store};
    CapturePoints points{ctx};
    std::vector<Frame> frames;  // what Wireshark would hand over, in capture order
    std::vector<bool> copies;  // frames CapturePoints marked as copies from the other point
    Nanos skew = kSkew;

    // Both points' frames of the segments, merged by time; copies at the second point get
    // Wireshark's retransmission flag.
    void build(const std::vector<Seg>& segs, bool two_points = true) {
        struct Rec {
            Nanos t;
            std::uint32_t iface;
            const Seg* s;
        };
        std::vector<Rec> recs;
        for (const Seg& s : segs) {
            // Phone side (interface 0): sends to-server at t, receives to-client at t + transit.
            if (!(s.lost && !s.to_server) && !s.missed)
                recs.push_back({s.to_server ? s.time : s.time + kTransit, 0, &s});
            if (two_points && !(s.lost && s.to_server))
                recs.push_back({s.to_server ? s.time + kTransit + skew : s.time + skew, 1, &s});
        }
        std::stable_sort(recs.begin(), recs.end(), [](const Rec& a, const Rec& b) { return a.t < b.t; });
        std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;
        for (const Rec& r : recs) {
            Frame f;
            f.number = static_cast<std::uint32_t>(frames.size() + 1);
            f.time = r.t;
            f.interface_id = r.iface;
            f.transport = Transport::Tcp;
            f.tcp.present = true;
            f.tcp.seq = r.s->seq;
            f.tcp.len = r.s->len;
            f.tcp.flags = TcpInfo::kAck | TcpInfo::kPsh;
            f.tcp.ack = r.s->ack;
            f.src_ip = IpAddr::v4(r.s->to_server ? kPhoneIp : kCmIp);
            f.dst_ip = IpAddr::v4(r.s->to_server ? kCmIp : kPhoneIp);
            f.src_port = r.s->to_server ? 50708 : 5060;
            f.dst_port = r.s->to_server ? 5060 : 50708;
            bool again = std::find(seen.begin(), seen.end(), std::make_pair(r.s->seq, r.s->len)) != seen.end();
            f.tcp.retransmission = again || r.s->retransmission;
            seen.emplace_back(r.s->seq, r.s->len);
            if (!r.s->sip_request.empty()) {
                f.sip.emplace_back();
                f.sip.back().is_request = true;
                f.sip.back().method = r.s->sip_request;
            }
            frames.push_back(f);
        }
    }
    // Frames of other connections, after those already there, in time order.
    void add(std::vector<Frame> more) {
        by_time(more);
        for (Frame& f : more) {
            f.number = static_cast<std::uint32_t>(frames.size() + 1);
            frames.push_back(f);
        }
    }
    void run() {
        for (Frame& f : frames) {
            const bool flagged = f.tcp.retransmission;
            ctx.sink.begin_frame(f.number);
            points.on_frame(f);
            CHECK(f.tcp.retransmission == flagged);  // Wireshark's flag stays as it was
            copies.push_back(f.tcp.copy);
        }
    }
    std::vector<std::pair<std::uint32_t, Annotation>> losses() const {
        std::vector<std::pair<std::uint32_t, Annotation>> v;
        for (const Frame& f : frames)
            for (std::size_t i = 0; i < store.count(f.number); ++i) v.emplace_back(f.number, store.get(f.number, i));
        return v;
    }
    const Frame* find(std::uint32_t iface, std::uint32_t seq, std::size_t nth = 0) const {
        for (const Frame& f : frames)
            if (f.interface_id == iface && f.tcp.seq == seq && nth-- == 0) return &f;
        return nullptr;
    }
};

// REGISTER / 200 OK exchanges, refreshes 115 s apart.
std::vector<Seg> refreshes(int n, int lost_refresh) {
    std::vector<Seg> v;
    std::uint32_t up = 2991996107u, down = 1046391844u;
    for (int k = 0; k < n; ++k) {
        Nanos t = seconds(1000) + k * seconds(115);
        Seg reg{t, true, up, 700};
        Nanos ok_at = t + millis(16);
        if (k == lost_refresh) {
            reg.lost = true;
            v.push_back(reg);
            Seg again = reg;  // TCP retransmission after 420 ms, which gets through
            again.time = t + millis(420);
            again.lost = false;
            again.retransmission = true;
            v.push_back(again);
            ok_at = again.time + millis(16);
        } else {
            v.push_back(reg);
        }
        v.push_back(Seg{ok_at, false, down, 400, false, false, {}, up + 700});  // it ACKs the REGISTER
        up += 700;
        down += 400;
    }
    return v;
}

// Client `src`'s segment towards the server's `port`, sent at t from interface 0, and its copy at
// interface 1 (whose clock is `skew` ahead) unless it is lost between the points.
void both_points(std::vector<Frame>& out, Nanos t, std::uint32_t src, std::uint16_t port, std::uint32_t seq,
                 std::uint32_t len, Nanos skew, bool lost = false) {
    Frame f;
    f.time = t;
    f.transport = Transport::Tcp;
    f.tcp.present = true;
    f.tcp.seq = seq;
    f.tcp.len = len;
    f.tcp.flags = TcpInfo::kAck | TcpInfo::kPsh;
    f.src_ip = IpAddr::v4(src);
    f.dst_ip = IpAddr::v4(kCmIp);
    f.src_port = 40000;
    f.dst_port = port;
    out.push_back(f);
    if (lost) return;
    f.interface_id = 1;
    f.time += kTransit + skew;
    out.push_back(f);
}

}  // namespace

TEST_CASE("copies from the other point are not retransmissions; the lost transmission is reported once") {
    Rig r;
    auto segs = refreshes(4, 2);
    r.build(segs);
    r.run();

    // Every interface-1 frame is a copy; the phone-side retransmission is not.
    for (std::size_t i = 0; i < r.frames.size(); ++i) CHECK(r.copies[i] == (r.frames[i].interface_id == 1));
    const Frame* retrans = r.find(0, 2991996107u + 1400, 1);
    REQUIRE(retrans);
    CHECK(retrans->tcp.retransmission);

    auto l = r.losses();
    REQUIRE(l.size() == 1);
    const Frame* lost = r.find(0, 2991996107u + 1400, 0);
    REQUIRE(lost);
    const Annotation& a = l[0].second;
    CHECK(a.subject == Subject::PathLoss);
    CHECK(a.raised(Expert::PathLoss));
    CHECK(a.get(Field::PathFrame) == lost->number);
    CHECK(a.get(Field::PeerInterface) == 1);
    CHECK(a.get(Field::ClockOffset) == kSkew);
    CHECK(r.ctx.strings.get(a.endpoint) == "10.60.98.210");
    CHECK(r.ctx.strings.get(a.server) == "10.60.98.10:5060/tcp");
    // Reported on the other point's first frame past its expected arrival (offset + transit) + 2 s.
    const Nanos deadline = lost->time + kSkew + kTransit + seconds(2);
    const Frame* first_past = nullptr;
    for (const Frame& f : r.frames)
        if (f.interface_id == 1 && f.time > deadline) {
            first_past = &f;
            break;
        }
    REQUIRE(first_past);
    CHECK(l[0].first == first_past->number);
}

TEST_CASE("a REGISTER through on its third retransmission: the three lost transmissions are reported") {
    // Refresh 4's original and first two retransmissions never reach the call manager side; the
    // third, 2.94 s after the original, does: four sightings at the phone side, the fifth (the
    // copy) is past what a segment remembers and still pairs with the third retransmission.
    Rig r;
    auto segs = refreshes(3, -1);
    const Nanos t = seconds(1000) + 3 * seconds(115);
    const std::uint32_t up = 2991996107u + 3 * 700, down = 1046391844u + 3 * 400;
    for (Nanos after : {Nanos{0}, millis(420), millis(1260), millis(2940)}) {
        Seg s{t + after, true, up, 700};
        s.lost = after != millis(2940);
        s.retransmission = after != 0;
        segs.push_back(s);
    }
    segs.push_back(Seg{t + millis(2956), false, down, 400});
    segs.push_back(Seg{t + seconds(115), true, up + 700, 700});  // the call manager side goes on
    segs.push_back(Seg{t + seconds(115) + millis(16), false, down + 400, 400});
    r.build(segs);
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        const Frame* lost = r.find(0, up, k);
        REQUIRE(lost);
        CHECK(l[k].second.get(Field::PathFrame) == lost->number);
        CHECK(l[k].second.get(Field::ClockOffset) == kSkew);
    }
}

TEST_CASE("the call manager's clock behind: the loss is known when the phone-side original shows up") {
    // The CUCM side's copy of the retransmission comes first in the file; the phone-side original
    // first pairs with it, then the retransmission takes it over and the original is left alone.
    Rig r;
    r.skew = -kSkew;
    r.build(refreshes(4, 2));
    r.run();
    const Frame* lost = r.find(0, 2991996107u + 1400, 0);
    const Frame* retrans = r.find(0, 2991996107u + 1400, 1);
    REQUIRE(lost);
    REQUIRE(retrans);
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    // Known once the retransmission took the pairing over, reported on the call manager side's
    // next frame past the expected arrival.
    const Nanos deadline = lost->time - kSkew + kTransit + seconds(2);
    const Frame* first_past = nullptr;
    for (const Frame& f : r.frames)
        if (f.interface_id == 1 && f.time > deadline && f.number > retrans->number) {
            first_past = &f;
            break;
        }
    REQUIRE(first_past);
    CHECK(l[0].first == first_past->number);
    CHECK(l[0].second.get(Field::PathFrame) == lost->number);
    CHECK(l[0].second.get(Field::ClockOffset) == -kSkew);
    CHECK(l[0].second.get(Field::PeerInterface) == 1);
}

TEST_CASE("healthy twin: nothing lost, nothing reported, whichever clock is ahead") {
    for (Nanos skew : {kSkew, -kSkew, Nanos{0}}) {
        Rig r;
        r.skew = skew;
        r.build(refreshes(4, -1));
        r.run();
        CHECK(r.losses().empty());
        // What Wireshark flags is a copy from the other point, never something sent again.
        for (std::size_t i = 0; i < r.frames.size(); ++i) CHECK(r.frames[i].tcp.retransmission == r.copies[i]);
    }
}

TEST_CASE("a retransmission seen at both points: the later sighting of each transmission is the copy") {
    // Refresh 3's first transmission passes both points and is lost beyond the call manager side;
    // TCP sends it again 420 ms later, past both points too. Each transmission is sent once and
    // seen twice, whichever clock is ahead: nothing is lost between the points.
    for (Nanos skew : {kSkew, Nanos{0}, -kSkew}) {
        Rig r;
        r.skew = skew;
        auto segs = refreshes(4, 2);
        for (Seg& s : segs) s.lost = false;
        r.build(segs);
        r.run();
        CHECK(r.losses().empty());
        // The n-th sighting of a segment at one point and the n-th at the other are one transmission.
        for (std::size_t i = 0; i < r.frames.size(); ++i) {
            const Frame& f = r.frames[i];
            std::size_t nth = 0;
            for (std::size_t j = 0; j < i; ++j)
                nth += r.frames[j].interface_id == f.interface_id && r.frames[j].tcp.seq == f.tcp.seq;
            const Frame* other = r.find(1 - f.interface_id, f.tcp.seq, nth);
            REQUIRE(other);
            CHECK(r.copies[i] == (other->number < f.number));
        }
    }
}

TEST_CASE("a SIP request from the call manager does not make the phone's port a server's") {
    // A NOTIFY from the call manager over the phone's connection, answered by the phone; later
    // REGISTER 2's 200 OK is lost between the points (call-manager side only), and REGISTER 4's first
    // transmission too. Only REGISTER 4's is a keepalive/REGISTER loss, and the call manager's
    // replies keep feeding their own direction's offset: it stays the clock skew exactly.
    Rig r;
    auto segs = refreshes(5, 3);
    for (Seg& s : segs) s.lost = s.lost || (!s.to_server && s.seq == 1046391844u + 400);
    Seg notify{seconds(1050), false, 1046391844u + 100000, 300};  // sequence numbers apart from the refreshes'
    notify.sip_request = "NOTIFY";
    segs.push_back(notify);
    segs.push_back(Seg{seconds(1050) + millis(5), true, 2991996107u + 100000, 200});  // its 200 OK
    std::stable_sort(segs.begin(), segs.end(), [](const Seg& a, const Seg& b) { return a.time < b.time; });
    r.build(segs);
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    const Frame* lost = r.find(0, 2991996107u + 3 * 700, 0);
    REQUIRE(lost);
    CHECK(l[0].second.get(Field::PathFrame) == lost->number);
    CHECK(l[0].second.get(Field::ClockOffset) == kSkew);
}

TEST_CASE("the other capture ending first is not a loss") {
    Rig r;
    r.build(refreshes(4, -1));
    // The call manager side stops capturing before the last REGISTER reaches it.
    const Nanos end = r.frames.back().time - seconds(60);
    std::vector<Frame> kept;
    for (const Frame& f : r.frames)
        if (f.interface_id == 0 || f.time < end) kept.push_back(f);
    for (std::size_t i = 0; i < kept.size(); ++i) kept[i].number = static_cast<std::uint32_t>(i + 1);
    r.frames = kept;
    r.run();
    CHECK(r.losses().empty());
}

TEST_CASE("a sighting waiting on a point that stopped does not hold back a loss at the other") {
    // Refresh 4's original is lost between the points; the phone-side capture ends 1 s after it,
    // so a request the phone sends 1.5 s after it is seen at the call manager side only and waits
    // for the phone side forever. The lost original is still reported on the call manager side's
    // first frame past its expected arrival there.
    Rig r;
    auto segs = refreshes(4, 3);
    const Nanos t = seconds(1000) + 3 * seconds(115);
    const std::uint32_t up = 2991996107u + 4 * 700, down = 1046391844u + 4 * 400;
    segs.push_back(Seg{t + millis(1500), true, up, 500});
    segs.push_back(Seg{t + millis(1520), false, down, 400});
    segs.push_back(Seg{t + seconds(30), true, up + 500, 700});
    r.build(segs);
    std::vector<Frame> kept;
    for (const Frame& f : r.frames)
        if (f.interface_id == 1 || f.time < t + seconds(1)) kept.push_back(f);
    for (std::size_t i = 0; i < kept.size(); ++i) kept[i].number = static_cast<std::uint32_t>(i + 1);
    r.frames = kept;
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    const Frame* lost = r.find(0, up - 700, 0);
    const Frame* report = r.find(1, up + 500, 0);  // the first call-manager-side frame past t + 5.317302 + 2 s
    REQUIRE(lost);
    REQUIRE(report);
    CHECK(l[0].first == report->number);
    CHECK(l[0].second.get(Field::PathFrame) == lost->number);
    CHECK(l[0].second.get(Field::PeerInterface) == 1);
}

TEST_CASE("a single capture point: no matching, flags untouched, nothing reported") {
    Rig r;
    r.build(refreshes(4, 2), false);
    r.run();
    CHECK(r.losses().empty());
    CHECK(std::none_of(r.copies.begin(), r.copies.end(), [](bool b) { return b; }));
    CHECK(r.points.state_bytes() < 4096);
}

TEST_CASE("a capture format without interfaces holds one capture point: nothing is tracked") {
    Rig r;
    r.build(refreshes(4, 2));  // a copy of every segment, on interfaces 0 and 1
    for (Frame& f : r.frames) f.interface_known = false;
    const std::size_t untouched = r.points.state_bytes();
    r.run();
    CHECK(r.losses().empty());
    CHECK(std::none_of(r.copies.begin(), r.copies.end(), [](bool b) { return b; }));
    CHECK(r.points.state_bytes() == untouched);
}

TEST_CASE("a flow seen at one point only is never a path loss") {
    Rig r;
    auto segs = refreshes(4, -1);
    r.build(segs);
    // A second phone's traffic is only on interface 0 (it does not pass the other point).
    for (int k = 0; k < 3; ++k) {
        Frame f = r.frames.front();
        f.number = static_cast<std::uint32_t>(r.frames.size() + 1);
        f.time = r.frames.back().time + seconds(1 + k);
        f.interface_id = 0;
        f.src_ip = IpAddr::v4(kPhoneIp + 1);
        f.tcp.seq = 77 + k * 700;
        f.tcp.retransmission = false;
        r.frames.push_back(f);
    }
    Frame tail = r.frames.back();
    tail.number = static_cast<std::uint32_t>(r.frames.size() + 1);
    tail.time += seconds(60);
    tail.tcp.seq += 700;
    r.frames.push_back(tail);
    r.run();
    CHECK(r.losses().empty());
}

TEST_CASE("a flood of segments stays within the bounded tables") {
    FindingStore store;
    Context ctx{Config{}, store};
    CapturePoints points{ctx};
    Frame f;
    for (std::uint32_t i = 0; i < 300000; ++i) {
        f.clear();
        f.number = i + 1;
        f.time = seconds(1) + i * 1000;
        f.interface_id = i & 1;
        f.transport = Transport::Tcp;
        f.tcp.present = true;
        f.tcp.seq = i * 7919u;
        f.tcp.len = 100;
        f.src_ip = IpAddr::v4(0x0a000000 + (i % 5000));
        f.dst_ip = IpAddr::v4(kCmIp);
        f.src_port = static_cast<std::uint16_t>(40000 + i % 1000);
        f.dst_port = 5060;
        ctx.sink.begin_frame(f.number);
        points.on_frame(f);
    }
    CHECK(points.state_bytes() < std::size_t{16} << 20);
}

TEST_CASE("a connection opened after more flows than the table holds is still followed") {
    // 70,000 other connections seen at both points (more than the 65,536 flows the table holds),
    // each one segment towards the server, then the case of the first test: its lost REGISTER is
    // still reported.
    Rig r;
    std::vector<Frame> flood;
    for (std::uint32_t i = 0; i < 70000; ++i)
        both_points(flood, seconds(1) + i * millis(10), 0x0b000000 + i, 5060, 1000 + i, 100, kSkew);
    r.add(flood);
    r.build(refreshes(4, 2));
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    const Frame* lost = r.find(0, 2991996107u + 1400, 0);
    REQUIRE(lost);
    CHECK(l[0].second.get(Field::PathFrame) == lost->number);
    CHECK(l[0].second.get(Field::ClockOffset) == kSkew);
    CHECK(r.points.state_bytes() < std::size_t{16} << 20);
}

TEST_CASE("a loss is reported while thousands of keepalives wait for their copies") {
    // 3,000 phones' keepalives every 30 s; the call-manager side's clock 60 s ahead, so each waits
    // 62 s for its copy: about 6,200 wait at any time. Phone 1,500's ninth keepalive is lost.
    const Nanos skew = seconds(60);
    std::vector<Frame> frames;
    for (std::uint32_t p = 0; p < 3000; ++p)
        for (std::uint32_t k = 0; k < 10; ++k)
            both_points(frames, seconds(1) + p * millis(10) + k * seconds(30), 0x0b000000 + p, 2000, 1000 + k * 12, 12,
                        skew, p == 1500 && k == 8);
    Rig r;
    r.add(frames);
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    const auto lost = std::find_if(r.frames.begin(), r.frames.end(), [](const Frame& f) {
        return f.interface_id == 0 && f.src_ip == IpAddr::v4(0x0b000000 + 1500) && f.tcp.seq == 1000 + 8 * 12;
    });
    REQUIRE(lost != r.frames.end());
    CHECK(l[0].second.get(Field::PathFrame) == lost->number);
    // Only the direction towards the server has pairs: its median, transit included.
    CHECK(l[0].second.get(Field::ClockOffset) == skew + kTransit);
    const Nanos deadline = lost->time + skew + kTransit + seconds(2);
    const auto first_past = std::find_if(r.frames.begin(), r.frames.end(),
                                         [&](const Frame& f) { return f.interface_id == 1 && f.time > deadline; });
    REQUIRE(first_past != r.frames.end());
    CHECK(l[0].first == first_past->number);
    CHECK(r.points.state_bytes() < std::size_t{16} << 20);
}

TEST_CASE("absurd timestamps neither overflow nor report") {
    FindingStore store;
    Context ctx{Config{}, store};
    CapturePoints points{ctx};
    const Nanos times[] = {std::numeric_limits<Nanos>::max(), std::numeric_limits<Nanos>::min(), 0,
                           std::numeric_limits<Nanos>::max(), std::numeric_limits<Nanos>::min()};
    Frame f;
    std::uint32_t n = 0;
    for (Nanos t : times)
        for (std::uint32_t iface = 0; iface < 2; ++iface) {
            f.clear();
            f.number = ++n;
            f.time = t;
            f.interface_id = iface;
            f.transport = Transport::Tcp;
            f.tcp.present = true;
            f.tcp.seq = 5;
            f.tcp.len = 10;
            f.src_ip = IpAddr::v4(kPhoneIp);
            f.dst_ip = IpAddr::v4(kCmIp);
            f.src_port = 50708;
            f.dst_port = 5060;
            ctx.sink.begin_frame(f.number);
            points.on_frame(f);
        }
    for (std::uint32_t i = 1; i <= n; ++i) CHECK(store.count(i) == 0);
}

TEST_CASE("a keepalive the other point's capture missed, acknowledged by the server and never sent again, is not lost") {
    // A SPAN session under load drops the call-manager-side copy of refresh 3's REGISTER: the phone
    // does not send it again, and the 200 OK acknowledges it.
    auto segs = refreshes(4, -1);
    segs[4].lost = true;
    REQUIRE(segs[4].to_server);
    SECTION("acknowledged: not lost") {
        Rig r;
        r.build(segs);
        r.run();
        CHECK(r.losses().empty());
    }
    SECTION("no ACK covers it: lost") {
        // The last refresh, its 200 OK acknowledging only what came before it (a later one's ACK
        // would cover it: TCP acknowledges bytes in order); another phone's frames decide it.
        segs.resize(6);
        segs[5].ack = segs[4].seq;
        Rig r;
        r.build(segs);
        std::vector<Frame> other;
        both_points(other, segs[4].time + seconds(10), 0x0a3c6301, 5060, 1, 100, kSkew);
        r.add(other);
        r.run();
        auto l = r.losses();
        REQUIRE(l.size() == 1);
        CHECK(l[0].second.get(Field::PathFrame) == r.find(0, segs[4].seq)->number);
    }
}

TEST_CASE("an acknowledged retransmission not sent again arrived, though the other capture missed its copy") {
    // Refresh 3's first transmission is lost between the points; TCP sends it again 420 ms later,
    // and the 200 OK acknowledges it, but a SPAN session under load drops the call-manager-side copy
    // of that retransmission too. Only the first transmission was lost.
    auto segs = refreshes(4, 2);
    REQUIRE((segs[5].retransmission && segs[5].to_server));
    segs[5].lost = true;
    Rig r;
    r.build(segs);
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    CHECK(l[0].second.get(Field::PathFrame) == r.find(0, segs[4].seq, 0)->number);
}

TEST_CASE("a REGISTER seen only nearer the server reached it: the phone side's capture missed it") {
    // The phone side's capture lacks refresh 3's first transmission, which the call manager side
    // sees; its 200 OK is lost past the call manager side (seen there only), so TCP sends the
    // REGISTER again 1 s later, and the 200 OK too, both past both points. Nothing was lost between
    // the points, whichever clock is ahead.
    for (Nanos skew : {kSkew, Nanos{0}, -kSkew}) {
        auto segs = refreshes(4, -1);
        Seg& reg = segs[4];
        Seg& ok = segs[5];
        REQUIRE((reg.to_server && !ok.to_server));
        reg.missed = true;
        ok.lost = true;
        Seg again = reg;
        again.time += seconds(1);
        again.missed = false;
        again.retransmission = true;
        Seg ok_again = ok;
        ok_again.time = again.time + millis(16);
        ok_again.lost = false;
        ok_again.retransmission = true;
        segs.push_back(again);
        segs.push_back(ok_again);
        Rig r;
        r.skew = skew;
        r.build(segs);
        r.run();
        CHECK(r.losses().empty());
    }
}

TEST_CASE("a point that records only the server's segments tells no loss of the client's") {
    // A capture filter at the call manager side keeps what the call manager sends: refresh 3's
    // first transmission is lost between the points and its retransmission gets through, but that
    // side never shows a segment of the phone's, lost or not.
    Rig r;
    r.build(refreshes(4, 2));
    std::vector<Frame> kept;
    for (const Frame& f : r.frames)
        if (f.interface_id == 0 || f.src_ip == IpAddr::v4(kCmIp)) kept.push_back(f);
    for (std::size_t i = 0; i < kept.size(); ++i) kept[i].number = static_cast<std::uint32_t>(i + 1);
    r.frames = kept;
    r.run();
    CHECK(r.losses().empty());
}

TEST_CASE("a connection opened again on the same addresses and ports: the server's ACKs are the new one's") {
    auto segs = refreshes(2, -1);  // the server's last ACK: 2991996107 + 1400
    Rig r;
    r.build(segs);
    // The phone connects again from the same port, its ISN just below that ACK. The server's
    // SYN-ACK is seen at both points; the first REGISTER, at the phone's point only, is lost.
    const std::uint32_t isn = 2991996107u + 1400 - 10000;
    const Nanos t = seconds(1000) + seconds(300);
    std::vector<Frame> more;
    for (std::uint32_t iface : {0u, 1u}) {
        Frame f;
        f.interface_id = iface;
        f.time = iface == 0 ? t + kTransit : t + kSkew;
        f.transport = Transport::Tcp;
        f.tcp.present = true;
        f.tcp.seq = 7000;
        f.tcp.ack = isn + 1;
        f.tcp.flags = TcpInfo::kSyn | TcpInfo::kAck;
        f.src_ip = IpAddr::v4(kCmIp);
        f.dst_ip = IpAddr::v4(kPhoneIp);
        f.src_port = 5060;
        f.dst_port = 50708;
        more.push_back(f);
        if (iface == 0) {
            Frame reg = f;
            reg.time = t + millis(1);
            reg.tcp.seq = isn + 1;
            reg.tcp.len = 700;
            reg.tcp.ack = 7001;
            reg.tcp.flags = TcpInfo::kAck | TcpInfo::kPsh;
            std::swap(reg.src_ip, reg.dst_ip);
            std::swap(reg.src_port, reg.dst_port);
            more.push_back(reg);
        }
    }
    both_points(more, t + seconds(10), 0x0a3c6301, 5060, 1, 100, kSkew);  // another phone: decides it
    r.add(more);
    r.run();
    auto l = r.losses();
    REQUIRE(l.size() == 1);
    CHECK(l[0].second.get(Field::PathFrame) == r.find(0, isn + 1)->number);
}

TEST_CASE("a capture gap at the other point: a copy due in it is not looked for, one due before it still is") {
    for (bool lost_in_gap : {true, false}) {
        Rig r;
        r.build(refreshes(4, 2));
        const Frame* lost = r.find(0, 2991996107u + 1400, 0);
        REQUIRE(lost);
        const Nanos arrival = lost->time + kSkew + kTransit;  // expected at the call-manager side
        // The call-manager side records nothing for a minute from just before that arrival (or
        // just after it): the retransmission's copy, 420 ms later, is in the silence either way.
        const Nanos from = lost_in_gap ? arrival - seconds(1) : arrival + millis(1);
        std::vector<Frame> kept;
        for (const Frame& f : r.frames)
            if (f.interface_id != 1 || f.time < from || f.time >= from + seconds(60)) kept.push_back(f);
        std::uint32_t forgotten = 0;
        bool told = false;
        for (Frame& f : kept) {
            if (!told && f.interface_id == 1 && f.time >= from + seconds(60)) {
                forgotten = r.points.forget_due(0, from, f.time);  // before the frame ending the gap
                told = true;
            }
            r.ctx.sink.begin_frame(f.number);
            r.points.on_frame(f);
        }
        r.frames = kept;
        REQUIRE(told);
        CHECK(forgotten == (lost_in_gap ? 2u : 1u));
        auto l = r.losses();
        REQUIRE(l.size() == (lost_in_gap ? 0u : 1u));
        if (!lost_in_gap) CHECK(l[0].second.get(Field::PathFrame) == lost->number);
    }
}

TEST_CASE("a step of one point's clock shows in the offset: two segments in a row across it restart the estimate") {
    // Eight refreshes; the call-manager side's clock set back `by` after the third refresh's
    // exchange (and, for `lone`, only its fourth REGISTER's copy stamped so).
    for (const bool lone : {false, true}) {
        CAPTURE(lone);
        const Nanos by = seconds(60);
        Rig r;
        r.build(refreshes(8, -1));
        const Nanos step_at = seconds(1000) + 3 * seconds(115) - seconds(5) + kSkew;  // call-manager clock
        const std::uint32_t fourth = 2991996107u + 3 * 700;
        for (Frame& f : r.frames)
            if (f.interface_id == 1 && f.time >= step_at && (!lone || f.tcp.seq == fourth)) f.time -= by;
        by_time(r.frames);
        for (std::size_t i = 0; i < r.frames.size(); ++i) r.frames[i].number = static_cast<std::uint32_t>(i + 1);
        std::vector<std::pair<std::uint32_t, CapturePoints::OffsetStep>> steps;
        for (Frame& f : r.frames) {
            r.ctx.sink.begin_frame(f.number);
            r.points.on_frame(f);
            if (CapturePoints::OffsetStep s; r.points.take_offset_step(s)) steps.emplace_back(f.number, s);
        }
        Nanos offset = 0;
        REQUIRE(r.points.clock_offset(0, 1, offset));
        CHECK(r.losses().empty());
        if (lone) {  // one copy stamped off is no step
            CHECK(steps.empty());
            CHECK(offset == kSkew);
            continue;
        }
        // Known at the phone side's copy of the fourth exchange's 200 OK, the second segment paired
        // across the step: the offset is then the mean of the two directions' differences.
        REQUIRE(steps.size() == 1);
        const Frame* ok = r.find(0, 1046391844u + 3 * 400);
        REQUIRE(ok);
        CHECK(steps[0].first == ok->number);
        CHECK(steps[0].second.here == 0);
        CHECK(steps[0].second.peer == 1);
        CHECK(steps[0].second.by == -by);
        CHECK(steps[0].second.offset == kSkew - by);
        CHECK(offset == kSkew - by);
    }
}

TEST_CASE("a step one point's timeline shows moves its offsets at once; the next pair settles them") {
    // As above, the call-manager side's clock set back 60 s; its own timeline tells of the step
    // on its first frame after it, as `told` (about 59.5 s: its frames before and after are that
    // far apart), or exactly.
    for (const Nanos told : {seconds(60) - millis(500), seconds(60)}) {
        CAPTURE(told);
        Rig r;
        r.ctx.separate_clocks = true;
        r.build(refreshes(8, -1));
        const Nanos step_at = seconds(1000) + 3 * seconds(115) - seconds(5) + kSkew;
        for (Frame& f : r.frames)
            if (f.interface_id == 1 && f.time >= step_at) f.time -= seconds(60);
        by_time(r.frames);
        std::vector<std::pair<std::uint32_t, CapturePoints::OffsetStep>> steps;
        bool stepped = false;
        for (std::size_t i = 0; i < r.frames.size(); ++i) {
            Frame& f = r.frames[i];
            f.number = static_cast<std::uint32_t>(i + 1);
            if (!stepped && f.interface_id == 1 && f.time < step_at && f.time >= step_at - seconds(60)) {
                CHECK(r.points.clock_stepped(r.ctx.clock(1), -told) == 1u << r.ctx.clock(0));
                Nanos offset = 0;
                REQUIRE(r.points.clock_offset(0, 1, offset));
                CHECK(offset == kSkew - told);
                stepped = true;
            }
            r.ctx.sink.begin_frame(f.number);
            r.points.on_frame(f);
            if (CapturePoints::OffsetStep s; r.points.take_offset_step(s)) steps.emplace_back(f.number, s);
        }
        REQUIRE(stepped);
        CHECK(r.losses().empty());
        Nanos offset = 0;
        REQUIRE(r.points.clock_offset(0, 1, offset));
        CHECK(offset == kSkew - seconds(60));
        // The first pair after it, the phone side's copy of the fourth REGISTER, restarts the
        // estimate from its one direction: t(1) - t(0) = skew + transit - 60 s. Off by the
        // transit alone (under a millisecond) it is not said.
        if (told == seconds(60)) {
            CHECK(steps.empty());
            continue;
        }
        REQUIRE(steps.size() == 1);
        const Frame* reg = r.find(0, 2991996107u + 3 * 700);
        REQUIRE(reg);
        CHECK(steps[0].first == reg->number);
        CHECK(steps[0].second.settled);
        CHECK(steps[0].second.peer == 1);
        CHECK(steps[0].second.by == kTransit - millis(500));
        CHECK(steps[0].second.offset == kSkew + kTransit - seconds(60));
    }
}
