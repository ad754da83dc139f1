// Silences of a busy capture point, and steps of its clock (CaptureGaps).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "core/capture_gaps.h"
#include "core/engine.h"

using namespace ka;

namespace {

const Nanos kT0 = seconds(1'700'000'000);

// Frames from `from`, `every` apart, until before `to`, on clock 0, from `hosts` addresses in
// turn; returns the next frame number.
std::uint32_t steady(CaptureGaps& g, std::uint32_t frame, Nanos from, Nanos to, Nanos every, std::uint32_t hosts = 20) {
    CaptureGaps::Gap gap;
    for (Nanos t = from; t < to; t += every, ++frame)
        REQUIRE_FALSE(g.on_frame(0, t, frame, IpAddr::v4(0x0a000100 + frame % hosts), gap));
    return frame;
}

const IpAddr kHost = IpAddr::v4(0x0a000001);

// The stretches the busy count is kept in (2^33 ns, 8.59 s), and the start of one after kT0.
constexpr Nanos kStretch = Nanos{1} << 33;
const Nanos kStretchStart = ((kT0 >> 33) + 1) << 33;

}  // namespace

TEST_CASE("a busy capture point that records nothing for 10 s has a gap; a quiet one, one of few hosts or a shorter silence has none") {
    CaptureGaps g;
    CaptureGaps::Gap gap;
    // 12.5 frames a second for a minute (750 frames; at least 600 in any stretch of 52 s), then
    // 10 s of silence.
    std::uint32_t n = steady(g, 1, kT0, kT0 + seconds(60), millis(80));
    REQUIRE(n == 751);
    const Nanos last = kT0 + seconds(60) - millis(80);
    REQUIRE(g.on_frame(0, last + seconds(10), n, kHost, gap));
    CHECK(gap.from == last);
    CHECK(gap.to == last + seconds(10));
    CHECK(gap.from_frame == 750);

    // Nine frames a second (at most 542 in the seven stretches of 8.6 s the count spans): a
    // silence of any length is the network's.
    CaptureGaps quiet;
    n = steady(quiet, 1, kT0, kT0 + seconds(60), millis(111));
    CHECK_FALSE(quiet.on_frame(0, kT0 + seconds(3600), n, kHost, gap));

    // As many frames from fewer than 16 hosts (a call's RTP between a phone and a gateway, a
    // capture filtered to a few phones): its silence may be the network's.
    for (std::uint32_t hosts : {2u, 15u}) {
        CaptureGaps few;
        n = steady(few, 1, kT0, kT0 + seconds(60), millis(20), hosts);
        CHECK_FALSE(few.on_frame(0, kT0 + seconds(90), n, kHost, gap));
    }
    CaptureGaps sixteen;
    n = steady(sixteen, 1, kT0, kT0 + seconds(60), millis(20), 16);
    CHECK(sixteen.on_frame(0, kT0 + seconds(90), n, kHost, gap));

    // Busy, but silent for just under 10 s; then a frame every 9 s: after a minute of those, the
    // point is busy no longer, and a longer silence is the network's.
    CaptureGaps brief;
    n = steady(brief, 1, kT0, kT0 + seconds(60), millis(50));
    const Nanos end = kT0 + seconds(60) - millis(50);
    CHECK_FALSE(brief.on_frame(0, end + seconds(10) - 1, n++, kHost, gap));
    n = steady(brief, n, end + seconds(19), end + seconds(91), seconds(9));
    CHECK_FALSE(brief.on_frame(0, end + seconds(82) + seconds(30), n, kHost, gap));
}

TEST_CASE("busy is ten frames a second over the minute kept, wherever in its stretch the silence begins") {
    // The count spans seven stretches of 8.59 s, the last one up to the latest frame: 51.5 s when
    // that frame falls early in its stretch, 60.1 s when late. 11 and 11.5 frames a second (660
    // and 690 a minute, 566 and 592 in 51.5 s) are busy either way; 9.5 a second is not.
    const Nanos base = kStretchStart;
    for (const Nanos every : {Nanos{90'909'091}, Nanos{86'956'522}, Nanos{105'263'158}}) {
        for (const Nanos into : {millis(50), kStretch - millis(50)}) {
            CaptureGaps g;
            CaptureGaps::Gap gap;
            const std::uint32_t n = steady(g, 1, base - seconds(120), base + into, every);
            const Nanos last = base - seconds(120) + static_cast<Nanos>(n - 2) * every;
            CAPTURE(every, into);
            CHECK(g.on_frame(0, last + seconds(20), n, kHost, gap) == (every < millis(100)));
        }
    }
}

TEST_CASE("steadily is at least five frames a second in every stretch: 43 in 8.59 s") {
    const Nanos base = kStretchStart;
    for (const std::uint32_t slow : {42u, 43u}) {
        // 20 a second, but for one stretch with `slow` frames (4.89 or 5.01 a second) in it.
        CaptureGaps g;
        CaptureGaps::Gap gap;
        const Nanos s0 = base - 6 * kStretch;
        std::uint32_t n = steady(g, 1, s0, s0 + 3 * kStretch, millis(50));
        n = steady(g, n, s0 + 3 * kStretch, s0 + 3 * kStretch + slow * (kStretch / slow), kStretch / slow);
        n = steady(g, n, s0 + 4 * kStretch, base + seconds(2), millis(50));
        const Nanos last = s0 + 4 * kStretch + static_cast<Nanos>((base + seconds(2) - s0 - 4 * kStretch - 1) / millis(50)) * millis(50);
        CAPTURE(slow);
        CHECK(g.on_frame(0, last + seconds(20), n, kHost, gap) == (slow == 43));
    }
}

TEST_CASE("a burst from many hosts, then silence, is no gap: the point was not busy steadily") {
    CaptureGaps::Gap gap;
    // Phones booting together: 2,000 frames from 20 hosts in two seconds, then 29 s of silence.
    CaptureGaps storm;
    std::uint32_t n = steady(storm, 1, kT0, kT0 + seconds(2), millis(1));
    CHECK_FALSE(storm.on_frame(0, kT0 + seconds(31), n, kHost, gap));
    // No network of phones is silent for an hour: after a burst, that is a gap (captures of other
    // times merged into one).
    for (Nanos silence : {seconds(3600) - 1, seconds(3600)}) {
        CaptureGaps merged;
        n = steady(merged, 1, kT0, kT0 + seconds(2), millis(1));
        CHECK(merged.on_frame(0, kT0 + seconds(2) - millis(1) + silence, n, kHost, gap) == (silence == seconds(3600)));
    }
    // 15 frames a second for a minute but for one stretch of 8.6 s with a frame a second: no gap.
    // Every stretch with more than five a second: a gap.
    for (Nanos quiet_every : {seconds(1), millis(150)}) {
        CaptureGaps g;
        n = steady(g, 1, kT0, kT0 + seconds(25), millis(66));
        n = steady(g, n, kT0 + seconds(25), kT0 + seconds(35), quiet_every);
        n = steady(g, n, kT0 + seconds(35), kT0 + seconds(60), millis(66));
        CHECK(g.on_frame(0, kT0 + seconds(71), n, kHost, gap) == (quiet_every == millis(150)));
    }
}

TEST_CASE("capture gaps: each clock is its own; a frame stamped earlier moves nothing; odd times are safe") {
    CaptureGaps g;
    CaptureGaps::Gap gap;
    std::uint32_t n = steady(g, 1, kT0, kT0 + seconds(60), millis(50));
    const Nanos last = kT0 + seconds(60) - millis(50);
    // Another point's clock saw nothing before: no gap there.
    CHECK_FALSE(g.on_frame(1, last + seconds(30), n++, kHost, gap));
    // A frame stamped an hour early, then one 20 s after the latest: the silence is from the latest.
    CHECK_FALSE(g.on_frame(0, last - seconds(3600), n++, kHost, gap));
    REQUIRE(g.on_frame(0, last + seconds(20), n, kHost, gap));
    CHECK(gap.from == last);
    CHECK(gap.from_frame == n - 3);

    CaptureGaps odd;
    CHECK_FALSE(odd.on_frame(0, -seconds(5), 1, IpAddr{}, gap));
    CHECK_FALSE(odd.on_frame(0, std::numeric_limits<Nanos>::min(), 2, IpAddr{}, gap));
    CHECK_FALSE(odd.on_frame(0, std::numeric_limits<Nanos>::max(), 3, IpAddr{}, gap));
    CHECK_FALSE(odd.on_frame(0, 0, 4, IpAddr{}, gap));
}

TEST_CASE("a clock set back is known at the second frame stamped back; one frame far off is no step") {
    CaptureGaps g;
    CaptureGaps::Gap gap;
    CHECK_FALSE(g.on_frame(0, kT0, 1, kHost, gap));
    CHECK_FALSE(g.on_frame(0, kT0 + seconds(60), 2, kHost, gap));
    // Stamped less than 10 s before the latest: reordered on its way into the file.
    CHECK_FALSE(g.on_frame(0, kT0 + seconds(50) + 1, 3, kHost, gap));
    CHECK_FALSE(g.on_frame(0, kT0 + seconds(50) + 2, 4, kHost, gap));
    // 10 s before it, twice: the clock stepped back by that much.
    CaptureGaps ten;
    CHECK_FALSE(ten.on_frame(0, kT0, 1, kHost, gap));
    CHECK_FALSE(ten.on_frame(0, kT0 + seconds(60), 2, kHost, gap));
    CHECK_FALSE(ten.on_frame(0, kT0 + seconds(50), 3, kHost, gap));
    REQUIRE(ten.on_frame(0, kT0 + seconds(50), 4, kHost, gap));
    CHECK(gap.kind == CaptureGaps::Kind::StepBack);
    CHECK(gap.to - gap.from == -seconds(10));
    // One frame an hour off, then the clock where it was: no step.
    CHECK_FALSE(g.on_frame(0, kT0 - seconds(3600), 5, kHost, gap));
    CHECK_FALSE(g.on_frame(0, kT0 + seconds(61), 6, kHost, gap));
    // Two frames 40 s and 39 s behind: the clock stepped back at the first.
    CHECK_FALSE(g.on_frame(0, kT0 + seconds(21), 7, kHost, gap));
    CHECK_FALSE(g.on_frame(1, kT0, 8, kHost, gap));  // another point's clock knows nothing of it
    REQUIRE(g.on_frame(0, kT0 + seconds(22), 9, kHost, gap));
    CHECK(gap.kind == CaptureGaps::Kind::StepBack);
    CHECK(gap.from == kT0 + seconds(61));
    CHECK(gap.from_frame == 6);
    CHECK(gap.to == kT0 + seconds(21));
    CHECK(gap.step_frame == 7);
    // Time goes on from the new clock: past where it stood, without a silence, nothing.
    std::uint32_t n = 10;
    for (const int t : {30, 39, 48, 57, 62}) CHECK_FALSE(g.on_frame(0, kT0 + seconds(t), n++, kHost, gap));
    // Once past it, a silence is a silence again: this quiet point's is the network's.
    CHECK_FALSE(g.on_frame(0, kT0 + seconds(600), n, kHost, gap));
}

TEST_CASE("a clock set back and forward again: the jump past where it stood, after a silence, is a step") {
    for (const bool busy : {false, true}) {
        CaptureGaps g;
        CaptureGaps::Gap gap;
        std::uint32_t n = busy ? steady(g, 1, kT0, kT0 + seconds(60), millis(50)) : 1;
        const Nanos latest = busy ? kT0 + seconds(60) - millis(50) : kT0;
        if (!busy) CHECK_FALSE(g.on_frame(0, latest, n++, kHost, gap));
        // Set back 200 s; known at the second frame.
        CHECK_FALSE(g.on_frame(0, latest - seconds(200), n++, kHost, gap));
        REQUIRE(g.on_frame(0, latest - seconds(199), n, kHost, gap));
        CHECK(gap.kind == CaptureGaps::Kind::StepBack);
        CHECK(gap.to - gap.from == -seconds(200));
        const std::uint32_t step_frame = gap.step_frame;
        // Frames on the new time until 10 s before it passes the old; then it jumps 315 s ahead.
        n = steady(g, n + 1, latest - seconds(198), latest - seconds(10), seconds(1));
        const Nanos before = latest - seconds(11);
        REQUIRE(g.on_frame(0, before + seconds(315), n, kHost, gap));
        CHECK(gap.kind == CaptureGaps::Kind::StepForward);
        CHECK(gap.from == before);
        CHECK(gap.to == before + seconds(315));
        CHECK(gap.from_frame == n - 1);
        CHECK(gap.step_frame == step_frame);
    }
}

TEST_CASE("a merged capture of nine capture points: point 8's silence and timers are its own, not point 7's") {
    // Capture points 0 and 1 see one segment each, so each interface has a clock of its own. Points
    // 7 and 8 are busy SPAN sessions; an SCCP phone registered at 8 keeps alive every 30 s. Point
    // 8's capture records nothing from T + 125 s to T + 230 s while point 7 goes on: what fell due at
    // 8 then is not judged (a capture gap at 8), and point 7's frames tell nothing of it.
    Engine engine{Config{}};
    std::vector<Frame> frames;
    const IpAddr phone = IpAddr::v4(0x0a000015), manager = IpAddr::v4(0x0a000005);
    auto tcp = [&](Nanos t, std::uint32_t iface, bool from_phone, std::uint32_t seq, std::uint32_t len) -> Frame& {
        Frame f;
        f.time = t;
        f.interface_id = iface;
        f.transport = Transport::Tcp;
        f.src_ip = from_phone ? phone : manager;
        f.dst_ip = from_phone ? manager : phone;
        f.src_port = from_phone ? 50000 : 2000;
        f.dst_port = from_phone ? 2000 : 50000;
        f.tcp.present = true;
        f.tcp.home = iface;
        f.tcp.stream = 1;
        f.tcp.seq = seq;
        f.tcp.len = len;
        f.tcp.flags = TcpInfo::kAck | TcpInfo::kPsh;
        frames.push_back(f);
        return frames.back();
    };
    // The segment seen at points 0 and 1 (another connection).
    for (std::uint32_t iface : {0u, 1u}) {
        Frame& f = tcp(kT0 + iface * millis(1), iface, true, 777, 100);
        f.src_ip = IpAddr::v4(0x0a000099);
        f.tcp.stream = 2;
    }
    std::uint32_t up = 1, down = 1;
    auto skinny = [&](Nanos t, bool from_phone, std::uint32_t id) {
        Frame& f = tcp(t, 8, from_phone, from_phone ? up : down, 12);
        (from_phone ? up : down) += 12;
        SkinnyMessage m;
        m.id = id;
        if (id == skinny::kRegisterReq) m.device_name = "SEP001122334455";
        if (id == skinny::kRegisterAck) {
            m.has_keepalive_interval = m.has_secondary_interval = true;
            m.keepalive_interval = 30;
            m.secondary_interval = 60;
        }
        f.skinny.push_back(m);
    };
    skinny(kT0 + seconds(1), true, skinny::kRegisterReq);
    skinny(kT0 + seconds(1) + millis(2), false, skinny::kRegisterAck);
    for (int k = 1; k <= 4; ++k) {
        skinny(kT0 + seconds(1 + 30 * k), true, skinny::kKeepAliveReq);
        skinny(kT0 + seconds(1 + 30 * k) + millis(1), false, skinny::kKeepAliveAck);
    }
    // 20 frames a second from 20 hosts at each busy point, point 8 silent in between.
    for (std::uint32_t iface : {7u, 8u}) {
        for (Nanos t = kT0; t < kT0 + seconds(300); t += millis(50)) {
            if (iface == 8 && t >= kT0 + seconds(125) && t < kT0 + seconds(230)) continue;
            Frame f;
            f.time = t + iface * 1000;
            f.interface_id = iface;
            f.transport = Transport::Udp;
            f.src_ip = IpAddr::v4(0x0a010000 + static_cast<std::uint32_t>((t / millis(50)) % 20));
            f.dst_ip = IpAddr::v4(0x0a020000);
            f.src_port = 40000;
            f.dst_port = 40001;
            frames.push_back(f);
        }
    }
    std::stable_sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) { return a.time < b.time; });
    std::size_t failovers = 0, unacked = 0, gaps_at_8 = 0, gaps_elsewhere = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        Frame& f = frames[i];
        f.number = static_cast<std::uint32_t>(i + 1);
        engine.process(f);
        for (std::size_t k = 0; k < engine.count(f.number); ++k) {
            const Annotation a = engine.get(f.number, k);
            failovers += a.raised(Expert::Failover);
            unacked += a.raised(Expert::KeepaliveUnacked);
            if (a.raised(Expert::CaptureGap)) ++(f.interface_id == 8 && f.time >= kT0 + seconds(230) ? gaps_at_8 : gaps_elsewhere);
        }
    }
    CHECK(failovers == 0);
    CHECK(unacked == 0);
    CHECK(gaps_at_8 == 1);
    CHECK(gaps_elsewhere == 0);
}
