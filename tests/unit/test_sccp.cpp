// SCCP keepalive analysis (SPEC §3.3), driven with hand-built frames.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/capture_points.h"
#include "core/messages.h"
#include "core/sccp_analyzer.h"

using namespace ka;

namespace {

constexpr Nanos T0 = seconds(1'700'000'000);
const IpAddr kPhone = IpAddr::v4(0x0a000015);    // 10.0.0.21
const IpAddr kManager = IpAddr::v4(0x0a000005);  // 10.0.0.5
const IpAddr kBackup = IpAddr::v4(0x0a000006);   // 10.0.0.6

// One TCP connection between the phone and a call manager, with TCP sequence tracking.
struct Conn {
    std::uint32_t stream;
    std::uint16_t phone_port, manager_port;
    IpAddr manager = kManager;
    std::uint32_t phone_seq = 1, manager_seq = 1;
    IpAddr phone = kPhone;
    Mac phone_mac = 0, manager_mac = 0;  // the frames' Ethernet addresses, when the phone's is set
};

struct Rig {
    FindingStore store;
    Context ctx;
    SccpAnalyzer sccp;
    Frame f;
    std::uint32_t number = 0;

    explicit Rig(const Config& c = Config{}) : ctx(c, store), sccp(ctx) {}

    // A frame from the phone (or the call manager) carrying `ids` as SKINNY messages and `len` bytes.
    Frame& frame(Nanos t, const Conn& c, bool from_phone, std::uint32_t len, std::uint16_t flags = TcpInfo::kAck | TcpInfo::kPsh) {
        f.clear();
        f.number = ++number;
        f.time = t;
        f.transport = Transport::Tcp;
        f.src_ip = from_phone ? c.phone : c.manager;
        f.dst_ip = from_phone ? c.manager : c.phone;
        f.src_port = from_phone ? c.phone_port : c.manager_port;
        f.dst_port = from_phone ? c.manager_port : c.phone_port;
        f.tcp.present = true;
        f.tcp.stream = c.stream;
        f.tcp.seq = from_phone ? c.phone_seq : c.manager_seq;
        f.tcp.ack = from_phone ? c.manager_seq : c.phone_seq;
        f.tcp.len = len;
        f.tcp.flags = flags;
        if (c.phone_mac) {
            f.has_eth = true;
            f.eth_src = from_phone ? c.phone_mac : c.manager_mac;
            f.eth_dst = from_phone ? c.manager_mac : c.phone_mac;
        }
        return f;
    }
    void run() {
        ctx.sink.begin_frame(f.number);
        sccp.on_frame(f);
    }
    // Sends SKINNY messages; returns the frame number.
    std::uint32_t send(Nanos t, Conn& c, bool from_phone, std::vector<std::uint32_t> ids, std::string_view device = {}) {
        frame(t, c, from_phone, 12 * static_cast<std::uint32_t>(ids.size()));
        for (std::uint32_t id : ids) {
            SkinnyMessage m;
            m.id = id;
            if (id == skinny::kRegisterReq) m.device_name = device;
            f.skinny.push_back(m);
        }
        (from_phone ? c.phone_seq : c.manager_seq) += f.tcp.len;
        run();
        return f.number;
    }
    // Sends one SKINNY message with its fields, `len` bytes; returns the frame number.
    std::uint32_t send(Nanos t, Conn& c, bool from_phone, const SkinnyMessage& m, std::uint32_t len) {
        frame(t, c, from_phone, len);
        f.skinny.push_back(m);
        (from_phone ? c.phone_seq : c.manager_seq) += len;
        run();
        return f.number;
    }
    std::uint32_t register_ack(Nanos t, Conn& c, std::uint32_t interval, std::uint32_t secondary) {
        SkinnyMessage m;
        m.id = skinny::kRegisterAck;
        m.has_keepalive_interval = m.has_secondary_interval = true;
        m.keepalive_interval = interval;
        m.secondary_interval = secondary;
        return send(t, c, false, m, 56);
    }
    // The phone's UnregisterReq at t, refused 2 ms later by an UnregisterAck with `status` (1 Error,
    // 2 NAK); returns the UnregisterAck's frame number.
    std::uint32_t unregister_refused(Nanos t, Conn& c, std::uint32_t status = 2) {
        send(t, c, true, {skinny::kUnregisterReq});
        SkinnyMessage m;
        m.id = skinny::kUnregisterAck;
        m.has_status = true;
        m.status = status;
        return send(t + millis(2), c, false, m, 16);
    }
    // `count` keepalives every 30 s from `first`, each acknowledged 1 ms later.
    void acked_keepalives(Nanos first, Conn& c, int count) {
        for (int k = 0; k < count; ++k) {
            send(first + seconds(30 * k), c, true, {skinny::kKeepAliveReq});
            send(first + seconds(30 * k) + millis(1), c, false, {skinny::kKeepAliveAck});
        }
    }
    // Keepalives number `from` to `to` (30 s apart from T0), each acknowledged by TCP only, 1 ms later.
    void tcp_acked_keepalives(Conn& c, int from, int to) {
        for (int k = from; k <= to; ++k) {
            send(T0 + seconds(30 * k), c, true, {skinny::kKeepAliveReq});
            tcp_ack(T0 + seconds(30 * k) + millis(1), c, false);
        }
    }
    std::uint32_t tcp_ack(Nanos t, Conn& c, bool from_phone) {
        frame(t, c, from_phone, 0, TcpInfo::kAck);
        run();
        return f.number;
    }
    std::uint32_t flags(Nanos t, Conn& c, bool from_phone, std::uint16_t fl) {
        frame(t, c, from_phone, 0, fl);
        run();
        return f.number;
    }
    // `mac` announces `ip` by gratuitous ARP, noted as the engine notes it for every analyser.
    std::uint32_t announce(Nanos t, Mac mac, const IpAddr& ip) {
        f.clear();
        f.number = ++number;
        f.time = t;
        f.has_eth = true;
        f.eth_src = mac;
        ArpPacket a;
        a.opcode = 1;
        a.sender_mac = mac;
        a.sender_ip = ip.v4_host_order();
        a.target_ip = a.sender_ip;
        a.gratuitous = true;
        f.arp.push_back(a);
        ctx.announcements.note(f);
        run();
        return f.number;
    }
    // Unrelated traffic (ARP-like: no TCP), just the clock moving on.
    std::uint32_t other(Nanos t, std::uint32_t interface_id = 0) {
        f.clear();
        f.number = ++number;
        f.time = t;
        f.interface_id = interface_id;
        run();
        return f.number;
    }
    std::vector<Annotation> at(std::uint32_t frame) const {
        std::vector<Annotation> v;
        for (std::size_t i = 0; i < store.count(frame); ++i) v.push_back(store.get(frame, i));
        return v;
    }
    Annotation only(std::uint32_t frame) const {
        auto v = at(frame);
        REQUIRE(v.size() == 1);
        return v[0];
    }
    std::size_t experts_raised(Expert e) const {
        std::size_t n = 0;
        for (std::uint32_t fr = 1; fr <= number; ++fr)
            for (const Annotation& a : at(fr)) n += a.raised(e);
        return n;
    }
    std::size_t warnings_or_errors() const {
        return experts_raised(Expert::KeepaliveUnacked) + experts_raised(Expert::Failover);
    }
};

// Phone registers with the primary on stream 0 (RegisterAck 30/60 at T0 + 2 ms).
Conn registered(Rig& r) {
    Conn c{0, 50000, 2000};
    r.send(T0, c, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + millis(2), c, 30, 60);
    return c;
}

}  // namespace

TEST_CASE("healthy primary: gap, interval, ack latency and running mean, nothing raised") {
    Rig r;
    Conn c = registered(r);
    Nanos sum = 0;
    for (int k = 1; k <= 5; ++k) {
        Nanos t = T0 + seconds(30 * k);
        Nanos latency = millis(k);
        std::uint32_t ka = r.send(t, c, true, {skinny::kKeepAliveReq});
        std::uint32_t ack = r.send(t + latency, c, false, {skinny::kKeepAliveAck});
        sum += latency;
        Annotation a = r.only(ka);
        CHECK(a.subject == Subject::SccpKeepalive);
        CHECK(a.role == Role::Primary);
        CHECK(r.ctx.strings.get(a.endpoint) == "SEP001122334455");
        CHECK(r.ctx.strings.get(a.server) == "10.0.0.5:2000/tcp");
        CHECK(a.get(Field::SccpInterval) == 30);
        CHECK(a.get(Field::SccpMissed) == 0);
        CHECK(a.has(Field::SccpGap) == (k > 1));
        if (k > 1) CHECK(a.get(Field::SccpGap) == seconds(30));
        if (k > 1) CHECK(a.get(Field::SccpLateness) == 0);
        Annotation b = r.only(ack);
        CHECK(b.subject == Subject::SccpKeepaliveAck);
        CHECK(b.get(Field::SccpAckLatency) == latency);
        CHECK(b.get(Field::SccpAckLatencyMean) == sum / k);
        CHECK(b.get(Field::SccpRequestFrame) == ka);
        CHECK(b.get(Field::RetransCount) == 0);
        const auto* seen = r.ctx.directory.by_ip(kPhone);
        REQUIRE(seen);
        CHECK(seen->frame == ka);
        REQUIRE(r.ctx.directory.by_name(r.ctx.strings.find("SEP001122334455")));
    }
    // Long after the last acknowledged keepalive, but less than 3 intervals: nothing.
    r.other(T0 + seconds(150) + millis(5) + seconds(89));
    CHECK(r.warnings_or_errors() == 0);
}

TEST_CASE("a primary that stops acking: one warning per unacknowledged keepalive, one failover per outage") {
    Rig r;
    Conn c = registered(r);
    std::vector<std::uint32_t> ka;
    auto keepalive = [&](int k, bool acked) {
        Nanos t = T0 + seconds(30 * k);
        ka.push_back(r.send(t, c, true, {skinny::kKeepAliveReq}));
        if (acked) r.send(t + millis(1), c, false, {skinny::kKeepAliveAck});
        else r.tcp_ack(t + millis(1), c, false);
    };
    keepalive(1, true);
    for (int k = 2; k <= 6; ++k) keepalive(k, false);
    // ka[i] is K(i+1); K(2) is the first unacknowledged, reported on K(3).
    CHECK(r.only(ka[1]).get(Field::SccpMissed) == 0);
    for (int i = 2; i <= 5; ++i) {
        Annotation a = r.only(ka[i]);
        CHECK(a.get(Field::SccpMissed) == i - 1);
        CHECK(a.raised(Expert::KeepaliveUnacked));
        CHECK(a.get(Field::SccpRequestFrame) == ka[i - 1]);
        CHECK(a.raised(Expert::Failover) == (i == 4));  // the third miss, once
    }
    CHECK(r.experts_raised(Expert::Failover) == 1);

    // An ack ends the outage; a new outage fails over again.
    r.send(T0 + seconds(180) + millis(500), c, false, {skinny::kKeepAliveAck});
    for (int k = 7; k <= 10; ++k) keepalive(k, false);
    CHECK(r.only(ka[6]).get(Field::SccpMissed) == 0);
    CHECK(r.only(ka[9]).get(Field::SccpMissed) == 3);
    CHECK(r.only(ka[9]).raised(Expert::Failover));
    CHECK(r.experts_raised(Expert::Failover) == 2);
}

TEST_CASE("a KeepAliveAck the capture dropped: the phone's ACK of it stands for it") {
    Rig r;
    Conn c = registered(r);
    // The phone ACKs bytes of the call manager's that the capture lacks (the decoder's acks_unseen).
    auto unseen_acked = [&](Nanos t) {
        r.frame(t, c, true, 0, TcpInfo::kAck);
        r.f.tcp.acks_unseen = true;
        r.run();
    };
    for (int k = 1; k <= 6; ++k) {
        const Nanos t = T0 + seconds(30 * k);
        r.send(t, c, true, {skinny::kKeepAliveReq});
        if (k % 2) unseen_acked(t + millis(2));
        else r.send(t + millis(1), c, false, {skinny::kKeepAliveAck});
    }
    CHECK(r.warnings_or_errors() == 0);  // each keepalive judges the one before it
    // ACKs of bytes already acknowledged are not flagged (the decoder): a primary that stops
    // answering after such a gap is reported as before.
    Rig d;
    Conn e = registered(d);
    d.send(T0 + seconds(30), e, true, {skinny::kKeepAliveReq});
    d.frame(T0 + seconds(30) + millis(2), e, true, 0, TcpInfo::kAck);
    d.f.tcp.acks_unseen = true;
    d.run();
    d.tcp_acked_keepalives(e, 2, 4);
    d.other(T0 + seconds(1000));
    CHECK(d.experts_raised(Expert::KeepaliveUnacked) == 3);
    CHECK(d.experts_raised(Expert::Failover) == 1);
}

TEST_CASE("TLS records that cannot be decrypted after one the capture dropped: the session is alive and answered") {
    // From the drop on, Wireshark decrypts nothing more of that direction: the phone's keepalives or
    // the call manager's acks are opaque TLS data.
    for (const bool phone_side : {true, false}) {
        CAPTURE(phone_side);
        Rig r;
        Conn c = registered(r);
        auto opaque = [&](Nanos t, bool from_phone) {
            r.frame(t, c, from_phone, 41);
            r.f.tcp.opaque = true;
            (from_phone ? c.phone_seq : c.manager_seq) += 41;
            r.run();
        };
        for (int k = 1; k <= 10; ++k) {  // the drop comes after two keepalives
            const Nanos t = T0 + seconds(30 * k);
            if (phone_side && k > 2) opaque(t, true);
            else r.send(t, c, true, {skinny::kKeepAliveReq});
            if (!phone_side && k > 2) opaque(t + millis(1), false);
            else r.send(t + millis(1), c, false, {skinny::kKeepAliveAck});
        }
        r.other(T0 + seconds(30 * 10 + 20));
        CHECK(r.warnings_or_errors() == 0);
    }
    // The call manager's opaque data answers only a keepalive sent before it: silence after is
    // still silence.
    Rig d;
    Conn e = registered(d);
    d.send(T0 + seconds(30), e, true, {skinny::kKeepAliveReq});
    d.frame(T0 + seconds(30) + millis(1), e, false, 41);
    d.f.tcp.opaque = true;
    d.run();
    d.other(T0 + seconds(1000));
    CHECK(d.experts_raised(Expert::KeepaliveUnacked) == 0);
    CHECK(d.experts_raised(Expert::Failover) == 1);

    // The phone's opaque record after its readable keepalive is a sign of life, not an ack: the
    // keepalive is still unacknowledged once its interval has run out, and said so.
    Rig u;
    Conn g = registered(u);
    const std::uint32_t ka = u.send(T0 + seconds(30), g, true, {skinny::kKeepAliveReq});
    u.frame(T0 + seconds(50), g, true, 41);
    u.f.tcp.opaque = true;
    u.run();
    const std::uint32_t past = u.other(T0 + seconds(60) + 1);
    const Annotation a = u.only(past);
    CHECK(a.raised(Expert::KeepaliveUnacked));
    CHECK(a.get(Field::SccpGap) == seconds(10) + 1);  // the phone's silence: since its opaque record
    CHECK(expert_message(Expert::KeepaliveUnacked, a, u.ctx.strings, u.ctx.config) ==
          "KeepAliveReq to the primary in frame " + std::to_string(ka) +
              " not acknowledged within the 30 s interval (1 keepalive without ack)");
}

TEST_CASE("an unacknowledged keepalive is reported on the first frame past one interval, on any traffic") {
    Rig r;
    Conn c = registered(r);
    std::uint32_t ka = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(30) + millis(1), c, false);
    std::uint32_t at_deadline = r.other(T0 + seconds(60));  // not past it
    std::uint32_t past = r.other(T0 + seconds(60) + 1);
    CHECK(r.at(at_deadline).empty());
    Annotation a = r.only(past);
    CHECK(a.subject == Subject::SccpMissed);
    CHECK(a.role == Role::Primary);
    CHECK(a.raised(Expert::KeepaliveUnacked));
    CHECK_FALSE(a.raised(Expert::Failover));
    CHECK(a.get(Field::SccpMissed) == 1);
    CHECK(a.get(Field::SccpRequestFrame) == ka);
    CHECK(a.get(Field::SccpGap) == seconds(30) + 1);
    CHECK(a.get(Field::SccpInterval) == 30);

    // The phone's next keepalive does not report the same keepalive again.
    std::uint32_t next = r.send(T0 + seconds(60) + millis(3), c, true, {skinny::kKeepAliveReq});
    CHECK(r.only(next).get(Field::SccpMissed) == 1);
    CHECK_FALSE(r.only(next).raised(Expert::KeepaliveUnacked));

    // A late ack after its interval: the verdict comes first, on the ack's frame, then the pairing.
    std::uint32_t late = r.send(T0 + seconds(90) + millis(4), c, false, {skinny::kKeepAliveAck});
    auto v = r.at(late);
    REQUIRE(v.size() == 2);
    CHECK(v[0].subject == Subject::SccpMissed);
    CHECK(v[0].get(Field::SccpMissed) == 2);
    CHECK(v[1].subject == Subject::SccpKeepaliveAck);
    CHECK(v[1].get(Field::SccpAckLatency) == seconds(30) + millis(1));
}

TEST_CASE("a registration followed by no keepalive at all: the call manager's KeepAliveTimeout") {
    // Registered at T0 + 2 ms (interval 30); the path breaks before the first keepalive.
    Rig r;
    registered(r);
    CHECK(r.at(r.other(T0 + seconds(90) + millis(2))).empty());  // not past 3 x 30 s yet
    const Annotation a = r.only(r.other(T0 + seconds(90) + millis(2) + 1));
    CHECK(a.subject == Subject::SccpMissed);
    CHECK(a.raised(Expert::Failover));
    CHECK_FALSE(a.raised(Expert::KeepaliveUnacked));
    CHECK(a.get(Field::SccpGap) == seconds(90) + 1);
    CHECK_FALSE(a.has(Field::SccpRequestFrame));  // no KeepAliveReq to point to
    r.other(T0 + seconds(1000));
    CHECK(r.experts_raised(Expert::Failover) == 1);
    // Healthy twin: its first keepalive one interval on.
    Rig h;
    Conn c = registered(h);
    h.acked_keepalives(T0 + seconds(30), c, 3);
    h.other(T0 + seconds(120));
    CHECK(h.warnings_or_errors() == 0);
}

TEST_CASE("a RegisterAck that gives no interval starts the KeepAliveTimeout at the preference's") {
    // keepAliveInterval 0, or the RegisterAck cut by the snap length before its intervals: the
    // interval is sccp_interval's 30 s, and the call manager's silence clock starts all the same.
    auto cut = [](Rig& r, Conn& c) {
        SkinnyMessage m;
        m.id = skinny::kRegisterAck;  // the header only
        return r.send(T0 + millis(2), c, false, m, 12);
    };
    auto zero = [](Rig& r, Conn& c) { return r.register_ack(T0 + millis(2), c, 0, 60); };
    for (auto ack : {std::function<std::uint32_t(Rig&, Conn&)>(cut), std::function<std::uint32_t(Rig&, Conn&)>(zero)}) {
        Rig r;
        Conn c{0, 50000, 2000};
        r.send(T0, c, true, {skinny::kRegisterReq}, "SEP001122334455");
        CHECK(r.only(ack(r, c)).get(Field::SccpInterval) == 30);
        CHECK(r.at(r.other(T0 + seconds(90) + millis(2))).empty());
        const Annotation a = r.only(r.other(T0 + seconds(90) + millis(2) + 1));
        CHECK(a.raised(Expert::Failover));
        CHECK(a.get(Field::SccpGap) == seconds(90) + 1);
        r.other(T0 + seconds(1000));
        CHECK(r.experts_raised(Expert::Failover) == 1);
        // Healthy twin: keepalives every 30 s, answered.
        Rig h;
        Conn d{0, 50000, 2000};
        h.send(T0, d, true, {skinny::kRegisterReq}, "SEP001122334455");
        ack(h, d);
        h.acked_keepalives(T0 + seconds(30), d, 10);
        h.other(T0 + seconds(330));
        CHECK(h.warnings_or_errors() == 0);
    }
}

TEST_CASE("a KeepAliveTimeout on a keepalive with none before it to measure from: the silence it counts") {
    SECTION("the first keepalive after the RegisterAck, 100 s after it") {
        Rig r;
        Conn c = registered(r);  // RegisterAck at T0 + 2 ms, interval 30 s
        const Annotation a = r.only(r.send(T0 + seconds(100), c, true, {skinny::kKeepAliveReq}));
        REQUIRE(a.raised(Expert::Failover));
        CHECK(a.get(Field::SccpGap) == seconds(100) - millis(2));
        CHECK_FALSE(a.has(Field::SccpRequestFrame));  // no KeepAliveReq before it
        CHECK(expert_message(Expert::Failover, a, r.ctx.strings, r.ctx.config) ==
              "No keepalive for 100.0 s, more than 3 intervals of 30 s: the call manager drops the phone "
              "(KeepAliveTimeout, reason 13)");
    }
    SECTION("the first keepalive after a clock step, 99 s after it") {
        Rig r;
        Conn c = registered(r);
        const std::uint32_t k1 = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
        r.send(T0 + seconds(30) + millis(1), c, false, {skinny::kKeepAliveAck});
        const std::uint32_t since = r.other(T0 - seconds(29));  // the clock set back
        r.sccp.forget_clock(0, since, T0 - seconds(29));
        const Annotation a = r.only(r.send(T0 + seconds(70), c, true, {skinny::kKeepAliveReq}));
        REQUIRE(a.raised(Expert::Failover));
        CHECK(a.get(Field::SccpGap) == seconds(99));
        CHECK_FALSE(a.has(Field::SccpLateness));
        CHECK(a.get(Field::SccpRequestFrame) == k1);  // the latest keepalive, before the step
    }
}

TEST_CASE("the call manager's view: no keepalive for threshold x interval is a failover") {
    SECTION("on other traffic") {
        Rig r;
        Conn c = registered(r);
        r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
        r.send(T0 + seconds(30) + millis(1), c, false, {skinny::kKeepAliveAck});
        CHECK(r.at(r.other(T0 + seconds(120))).empty());
        Annotation a = r.only(r.other(T0 + seconds(120) + millis(1)));
        CHECK(a.subject == Subject::SccpMissed);
        CHECK(a.raised(Expert::Failover));
        CHECK_FALSE(a.raised(Expert::KeepaliveUnacked));
        CHECK(a.get(Field::SccpMissed) == 0);
        CHECK(a.get(Field::SccpGap) == seconds(90) + millis(1));
        r.other(T0 + seconds(500));
        CHECK(r.experts_raised(Expert::Failover) == 1);
    }
    SECTION("on the keepalive that ends the gap") {
        Rig r;
        Conn c = registered(r);
        r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
        r.send(T0 + seconds(30) + millis(1), c, false, {skinny::kKeepAliveAck});
        std::uint32_t ka = r.send(T0 + seconds(125), c, true, {skinny::kKeepAliveReq});
        Annotation a = r.only(ka);
        CHECK(a.subject == Subject::SccpKeepalive);
        CHECK(a.raised(Expert::Failover));
        CHECK(a.get(Field::SccpGap) == seconds(95));
    }
}

TEST_CASE("backup sessions: TCP ACKs only is normal, interval from secondaryKeepAliveInterval") {
    Rig r;
    Conn p = registered(r);  // RegisterAck 30/60
    Conn b{1, 50001, 2000, kBackup};
    std::vector<std::uint32_t> ka;
    for (int j = 0; j < 12; ++j) {
        ka.push_back(r.send(T0 + millis(500) + seconds(60 * j), b, true, {skinny::kKeepAliveReq}));
        r.tcp_ack(T0 + millis(501) + seconds(60 * j), b, false);
        r.acked_keepalives(T0 + seconds(60 * j + 30), p, 2);  // the primary's, answered
    }
    for (std::uint32_t f : ka) {
        Annotation a = r.only(f);
        CHECK(a.role == Role::Backup);  // from the first: the phone has a live primary
        CHECK(a.get(Field::SccpInterval) == 60);
        CHECK(a.get(Field::SccpMissed) == 0);
        CHECK(r.ctx.strings.get(a.endpoint) == "SEP001122334455");  // learnt from the primary
        CHECK(r.ctx.strings.get(a.server) == "10.0.0.6:2000/tcp");
    }
    CHECK(r.warnings_or_errors() == 0);
}

TEST_CASE("a backup session's reset is reported, without the note of a de-registration") {
    // The phone was never registered with the backup: a backup call manager's restart is no
    // phone's unregistration (SPEC §4: keepalive.unregister is a real one).
    Rig r;
    Conn p = registered(r);
    Conn b{1, 50001, 2000, kBackup};
    for (int j = 0; j < 2; ++j) {
        r.send(T0 + millis(500) + seconds(60 * j), b, true, {skinny::kKeepAliveReq});
        r.tcp_ack(T0 + millis(501) + seconds(60 * j), b, false);
        r.acked_keepalives(T0 + seconds(60 * j + 30), p, 2);
    }
    const std::uint32_t rst = r.flags(T0 + seconds(100), b, false, TcpInfo::kRst);
    CHECK(r.only(rst).role == Role::Backup);
    CHECK(r.only(rst).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::Reset));
    CHECK_FALSE(r.only(rst).raised(Expert::Unregister));
    CHECK(r.warnings_or_errors() == 0);
    // The primary's reset still is one.
    CHECK(r.only(r.flags(T0 + seconds(101), p, false, TcpInfo::kRst)).raised(Expert::Unregister));
}

TEST_CASE("the endpoint's last keepalive, for the call manager's syslog, is its last to the primary") {
    Rig r;
    Conn p = registered(r);
    Conn b{1, 50001, 2000, kBackup};
    std::uint32_t ka = r.send(T0 + seconds(30), p, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(30) + millis(1), p, false, {skinny::kKeepAliveAck});
    r.send(T0 + seconds(40), b, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(40) + millis(1), b, false);
    const auto* last = r.ctx.directory.by_name(r.ctx.strings.find("SEP001122334455"));
    REQUIRE(last);
    CHECK(last->frame == ka);
    CHECK(r.ctx.strings.get(last->server) == "10.0.0.5:2000/tcp");
}

TEST_CASE("without a live primary, TCP-ACK-only keepalives become backup on the second keepalive") {
    Config cfg;
    cfg.sccp_backup_interval = 45;
    Rig r(cfg);
    Conn c{7, 61041, 2000};
    std::uint32_t first = r.send(T0, c, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + millis(100), c, false);
    std::uint32_t second = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    CHECK(r.only(first).role == Role::Unknown);
    CHECK_FALSE(r.only(first).has(Field::SccpInterval));
    CHECK(r.ctx.strings.get(r.only(first).endpoint) == "10.0.0.21");
    CHECK(r.only(second).role == Role::Backup);
    CHECK(r.only(second).get(Field::SccpInterval) == 45);
    CHECK(r.only(second).get(Field::SccpLateness) == seconds(30 - 45));
    r.other(T0 + seconds(1000));
    CHECK(r.warnings_or_errors() == 0);

    SECTION("keepalives without any answer stay unknown and raise nothing") {
        Conn d{8, 61042, 2000};
        r.send(T0 + seconds(1001), d, true, {skinny::kKeepAliveReq});
        std::uint32_t again = r.send(T0 + seconds(1031), d, true, {skinny::kKeepAliveReq});
        CHECK(r.only(again).role == Role::Unknown);
        r.other(T0 + seconds(2000));
        CHECK(r.warnings_or_errors() == 0);
    }
}

TEST_CASE("TCP retransmissions of a keepalive, across the sequence wrap") {
    Rig r;
    Conn c = registered(r);
    c.phone_seq = 0xFFFFFFF8u;  // the 12-byte keepalive wraps
    std::uint32_t ka = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    auto retransmit = [&](Nanos t) {
        r.frame(t, c, true, 12);
        r.f.tcp.seq = 0xFFFFFFF8u;
        r.f.tcp.retransmission = true;
        r.f.tcp.resent = r.f.tcp.len;
        r.run();
        return r.f.number;
    };
    std::uint32_t r1 = retransmit(T0 + seconds(30) + millis(300));
    std::uint32_t r2 = retransmit(T0 + seconds(30) + millis(900));
    // A retransmission of other bytes (not a keepalive) is not attributed.
    r.frame(T0 + seconds(31), c, true, 20);
    r.f.tcp.seq = 0x100;
    r.f.tcp.retransmission = true;
    r.f.tcp.resent = r.f.tcp.len;
    r.run();
    CHECK(r.at(r.f.number).empty());

    Annotation a = r.only(r1);
    CHECK(a.subject == Subject::SccpRetransmission);
    CHECK(a.raised(Expert::Retransmission));
    CHECK(a.get(Field::RetransCount) == 1);
    CHECK(a.get(Field::RetransOriginal) == ka);
    CHECK(a.get(Field::RetransGap) == millis(300));
    Annotation b = r.only(r2);
    CHECK(b.get(Field::RetransCount) == 2);
    CHECK(b.get(Field::RetransGap) == millis(600));

    std::uint32_t ack = r.send(T0 + seconds(30) + millis(901), c, false, {skinny::kKeepAliveAck});
    CHECK(r.only(ack).get(Field::RetransCount) == 2);
    CHECK(r.only(ack).get(Field::SccpAckLatency) == millis(901));
    CHECK(r.warnings_or_errors() == 0);
}

TEST_CASE("keepalives that a retransmission takes along are keepalives, unacknowledged as they are") {
    // The call manager stops acknowledging anything after K1: the phone resends K1 with K2 behind
    // it, then K1, K2 and K3 (the decoder reads the new bytes, tcp.resent the old). Each new one
    // is a keepalive of its own, so three in a row without ack are the delayed failover.
    Rig r;
    Conn c = registered(r);
    const std::uint32_t una = c.phone_seq;
    std::uint32_t k1 = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    auto resend = [&](Nanos t, std::uint32_t old_bytes, std::uint32_t new_keepalives) {
        r.frame(t, c, true, old_bytes + 12 * new_keepalives);
        r.f.tcp.seq = una;
        r.f.tcp.retransmission = true;
        r.f.tcp.resent = old_bytes;
        for (std::uint32_t i = 0; i < new_keepalives; ++i) {
            SkinnyMessage m;
            m.id = skinny::kKeepAliveReq;
            r.f.skinny.push_back(m);
        }
        r.run();
        return r.at(r.f.number);
    };
    auto v = resend(T0 + seconds(60), 12, 1);
    REQUIRE(v.size() == 2);
    CHECK(v[0].get(Field::RetransOriginal) == k1);
    CHECK(v[1].subject == Subject::SccpKeepalive);
    CHECK(v[1].get(Field::SccpMissed) == 1);
    CHECK(v[1].get(Field::SccpGap) == seconds(30));
    v = resend(T0 + seconds(90), 24, 1);
    REQUIRE(v.size() == 2);
    CHECK(v[1].get(Field::SccpMissed) == 2);
    v = resend(T0 + seconds(121), 36, 0);
    REQUIRE(v.size() == 2);
    CHECK(v[0].subject == Subject::SccpRetransmission);
    CHECK(v[1].get(Field::SccpMissed) == 3);
    CHECK(v[1].raised(Expert::Failover));
}

TEST_CASE("a keepalive captured again within 10 ms is not a retransmission") {
    Rig r;
    Conn c = registered(r);
    const std::uint32_t seq = c.phone_seq;
    std::uint32_t ka = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    // The keepalive's segment again, as the decoder judges it: captured again (tcp.copy), or sent
    // again (tcp.retransmission).
    auto again = [&](Nanos t, bool copy) {
        r.frame(t, c, true, 12);
        r.f.tcp.seq = seq;
        (copy ? r.f.tcp.copy : r.f.tcp.retransmission) = true;
        if (!copy) r.f.tcp.resent = 12;
        r.run();
        return r.f.number;
    };
    CHECK(r.at(again(T0 + seconds(30), true)).empty());
    // A copy of a real retransmission is not a second one either.
    std::uint32_t resent = again(T0 + seconds(30) + millis(300), false);
    CHECK(r.at(again(T0 + seconds(30) + millis(300) + 60 * kMicrosecond, true)).empty());  // a router's copy
    CHECK(r.only(resent).get(Field::RetransCount) == 1);
    CHECK(r.only(resent).get(Field::RetransOriginal) == ka);
    CHECK(r.only(resent).get(Field::RetransGap) == millis(300));
    std::uint32_t ack = r.send(T0 + seconds(30) + millis(301), c, false, {skinny::kKeepAliveAck});
    CHECK(r.only(ack).get(Field::RetransCount) == 1);
}

TEST_CASE("a keepalive the decoder calls sent again is a retransmission, however soon") {
    // A tail-loss probe 2 ms after the keepalive, in a new IP packet: the decoder's verdict stands.
    Rig r;
    Conn c = registered(r);
    const std::uint32_t seq = c.phone_seq;
    std::uint32_t ka = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    r.frame(T0 + seconds(30) + millis(2), c, true, 12);
    r.f.tcp.seq = seq;
    r.f.tcp.retransmission = true;
    r.f.tcp.resent = r.f.tcp.len;
    r.run();
    CHECK(r.only(r.f.number).get(Field::RetransCount) == 1);
    CHECK(r.only(r.f.number).get(Field::RetransOriginal) == ka);
    CHECK(r.only(r.f.number).get(Field::RetransGap) == millis(2));
}

TEST_CASE("several messages in one segment, directions from messages not ports") {
    Rig r;
    Conn c{3, 2000, 2001};  // the phone even uses port 2000
    std::uint32_t first = r.send(T0, c, true, {skinny::kRegisterReq, skinny::kKeepAliveReq}, "SEP00AABBCCDDEE");
    r.frame(T0 + millis(2), c, false, 68);
    SkinnyMessage ack;
    ack.id = skinny::kRegisterAck;
    ack.has_keepalive_interval = true;
    ack.keepalive_interval = 20;
    r.f.skinny.push_back(ack);
    r.f.skinny.push_back(SkinnyMessage{skinny::kKeepAliveAck, {}, false, 0, false, 0});
    r.run();
    std::uint32_t second = r.f.number;

    auto v = r.at(first);
    REQUIRE(v.size() == 2);
    CHECK(v[0].subject == Subject::SccpRegister);
    CHECK(v[1].subject == Subject::SccpKeepalive);
    CHECK(r.ctx.strings.get(v[1].endpoint) == "SEP00AABBCCDDEE");
    CHECK(r.ctx.strings.get(v[1].server) == "10.0.0.5:2001/tcp");
    v = r.at(second);
    REQUIRE(v.size() == 2);
    CHECK(v[0].subject == Subject::SccpSessionEvent);
    CHECK(v[0].get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::RegisterAck));
    CHECK(v[0].get(Field::SccpInterval) == 20);
    CHECK(v[1].subject == Subject::SccpKeepaliveAck);
    CHECK(v[1].get(Field::SccpAckLatency) == millis(2));
    CHECK(v[1].get(Field::SccpRequestFrame) == first);
}

TEST_CASE("session ends: a note on the event that ends a live session, quiet orderly shutdown") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    std::uint32_t unreg = r.send(T0 + seconds(31), c, true, {skinny::kUnregisterReq});
    std::uint32_t unreg_ack = r.send(T0 + seconds(31) + millis(1), c, false, {skinny::kUnregisterAck});
    std::uint32_t fin1 = r.flags(T0 + seconds(32), c, true, TcpInfo::kFin | TcpInfo::kAck);
    std::uint32_t fin2 = r.flags(T0 + seconds(32) + 1, c, false, TcpInfo::kFin | TcpInfo::kAck);
    CHECK(r.only(unreg).raised(Expert::Unregister));
    CHECK(r.only(unreg).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::Unregister));
    for (std::uint32_t f : {unreg_ack, fin1, fin2}) {
        CHECK(r.only(f).subject == Subject::SccpSessionEvent);
        CHECK_FALSE(r.only(f).raised(Expert::Unregister));
    }
    CHECK(r.only(fin1).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::Fin));
    // The pending keepalive of an ended session is never judged.
    r.other(T0 + seconds(1000));
    CHECK(r.warnings_or_errors() == 0);

    SECTION("a reset of a live session") {
        Conn d{5, 50010, 2000};
        r.send(T0 + seconds(1001), d, true, {skinny::kKeepAliveReq});
        std::uint32_t rst = r.flags(T0 + seconds(1002), d, false, TcpInfo::kRst);
        CHECK(r.only(rst).raised(Expert::Unregister));
        CHECK(r.only(rst).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::Reset));
    }
    SECTION("a keepalive after a RegisterReject expects nothing") {
        Conn d{6, 50011, 2000};
        r.send(T0 + seconds(1001), d, true, {skinny::kRegisterReq}, "SEP00AABBCCDDEE");
        std::uint32_t reject = r.send(T0 + seconds(1001) + millis(2), d, false, {skinny::kRegisterReject});
        CHECK(r.only(reject).raised(Expert::Unregister));
        std::uint32_t ka = r.send(T0 + seconds(1031), d, true, {skinny::kKeepAliveReq});
        CHECK(r.only(ka).subject == Subject::SccpKeepalive);
        std::uint32_t fin = r.flags(T0 + seconds(1063), d, false, TcpInfo::kFin | TcpInfo::kAck);
        CHECK_FALSE(r.only(fin).raised(Expert::Unregister));
        CHECK(r.warnings_or_errors() == 0);
    }
}

TEST_CASE("an unregistration the call manager refuses leaves the session registered") {
    // UnregisterAck status NAK: refused, e.g. while a call is up. The phone keeps its session; when
    // the call manager later stops answering, its keepalives are unacknowledged as before.
    for (const std::uint32_t status : {1u, 2u}) {  // Error, NAK
        CAPTURE(status);
        Rig r;
        Conn c = registered(r);
        r.acked_keepalives(T0 + seconds(30), c, 3);  // 30, 60, 90 s
        const Annotation refused = r.only(r.unregister_refused(T0 + seconds(100), c, status));
        CHECK(refused.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::UnregisterRefused));
        CHECK_FALSE(refused.raised(Expert::Unregister));
        r.tcp_acked_keepalives(c, 4, 7);  // 120 .. 210 s
        r.other(T0 + seconds(1000));
        CHECK(r.experts_raised(Expert::KeepaliveUnacked) == 4);
        CHECK(r.experts_raised(Expert::Failover) == 1);
    }
    // Silent after the refusal: no keepalive for three intervals since the last one (90 s) is the
    // call manager's KeepAliveTimeout.
    Rig q;
    Conn c = registered(q);
    q.acked_keepalives(T0 + seconds(30), c, 3);
    q.unregister_refused(T0 + seconds(100), c);
    CHECK(q.at(q.other(T0 + seconds(180))).empty());
    const Annotation timeout = q.only(q.other(T0 + seconds(180) + 1));
    CHECK(timeout.raised(Expert::Failover));
    CHECK(timeout.get(Field::SccpGap) == seconds(90) + 1);
    // The same when the UnregisterReq is the first frame past the session's timer (the first
    // keepalive's interval, 60 s): the ended session took no new one then.
    Rig e;
    Conn d = registered(e);
    e.acked_keepalives(T0 + seconds(30), d, 1);
    e.unregister_refused(T0 + seconds(61), d);
    CHECK(e.only(e.other(T0 + seconds(120) + 1)).raised(Expert::Failover));
}

TEST_CASE("a refused unregistration on a session whose role the capture has not yet shown") {
    // The capture begins with the UnregisterReq: no RegisterAck or KeepAliveAck has said the call
    // manager is the primary, yet a phone unregisters only from the one it is registered with.
    Rig r;
    Conn c{1, 50000, 2000};
    const std::uint32_t refused = r.unregister_refused(T0, c);
    CHECK(r.only(refused - 1).raised(Expert::Unregister));
    CHECK(r.only(refused).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::UnregisterRefused));
    r.acked_keepalives(T0 + seconds(30), c, 3);  // 30, 60, 90 s: the primary
    r.tcp_acked_keepalives(c, 4, 7);             // 120 .. 210 s
    r.other(T0 + seconds(1000));
    CHECK(r.experts_raised(Expert::KeepaliveUnacked) == 4);
    CHECK(r.experts_raised(Expert::Failover) == 1);
}

TEST_CASE("a registration on a former backup starts afresh") {
    Rig r;
    Conn p = registered(r);
    Conn b{1, 50001, 2000, kBackup};
    r.send(T0 + seconds(1), b, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(1) + millis(1), b, false);
    r.acked_keepalives(T0 + seconds(30), p, 2);
    r.flags(T0 + seconds(70), p, false, TcpInfo::kRst);  // the primary restarts
    // Failover: the phone registers with the backup long after its last backup keepalive.
    r.send(T0 + seconds(100), b, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(100) + millis(2), b, 30, 60);
    std::uint32_t ka = r.send(T0 + seconds(130), b, true, {skinny::kKeepAliveReq});
    CHECK(r.only(ka).role == Role::Primary);
    CHECK(r.only(ka).get(Field::SccpMissed) == 0);
    r.send(T0 + seconds(130) + millis(1), b, false, {skinny::kKeepAliveAck});
    CHECK(r.warnings_or_errors() == 0);
}

TEST_CASE("failover and fallback: the former primary's connection carries backup keepalives again") {
    Rig r;
    Conn p = registered(r);  // RegisterAck 30/60
    Conn b{1, 50001, 2000, kBackup};
    r.send(T0 + seconds(1), b, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(1) + millis(1), b, false);
    // The primary goes away; the phone registers with the backup on its open connection.
    r.flags(T0 + seconds(20), p, false, TcpInfo::kRst);
    r.send(T0 + seconds(21), b, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(21) + millis(2), b, 30, 60);
    r.send(T0 + seconds(51), b, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(51) + millis(1), b, false, {skinny::kKeepAliveAck});
    // Fallback: unregister from the backup, register with the primary on a new connection.
    Conn p2{2, 50002, 2000};
    r.send(T0 + seconds(60), b, true, {skinny::kUnregisterReq});
    r.send(T0 + seconds(60) + millis(1), b, false, {skinny::kUnregisterAck});
    r.send(T0 + seconds(60) + millis(10), p2, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(60) + millis(12), p2, 30, 60);
    std::vector<std::uint32_t> backup;
    for (int k = 1; k <= 8; ++k) {
        const Nanos t = T0 + seconds(60 + 30 * k);
        r.send(t, p2, true, {skinny::kKeepAliveReq});
        r.send(t + millis(1), p2, false, {skinny::kKeepAliveAck});
        if (k % 2 == 0) continue;
        backup.push_back(r.send(t + millis(500), b, true, {skinny::kKeepAliveReq}));
        r.tcp_ack(t + millis(501), b, false);
    }
    for (std::size_t i = 0; i < backup.size(); ++i) {
        Annotation a = r.only(backup[i]);
        CHECK(a.role == Role::Backup);
        CHECK(a.get(Field::SccpInterval) == 60);
        if (i > 0) CHECK(a.get(Field::SccpLateness) == 0);
    }
    CHECK(r.warnings_or_errors() == 0);
}

TEST_CASE("a backup's keepalives do not carry the misses of the connection's time as primary") {
    // The phone fails over to B, whose one KeepAliveAck goes missing, falls back to A and keeps B's
    // connection as its backup.
    Rig r;
    Conn p = registered(r);  // A, RegisterAck 30/60
    Conn b{1, 50001, 2000, kBackup};
    r.acked_keepalives(T0 + seconds(30), p, 1);
    r.flags(T0 + seconds(40), p, false, TcpInfo::kRst);
    r.send(T0 + seconds(41), b, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(41) + millis(2), b, 30, 60);
    r.send(T0 + seconds(71), b, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(71) + millis(1), b, false, {skinny::kKeepAliveAck});
    r.send(T0 + seconds(101), b, true, {skinny::kKeepAliveReq});  // its ack goes missing
    r.tcp_ack(T0 + seconds(101) + millis(1), b, false);
    const std::uint32_t third = r.send(T0 + seconds(120), b, true, {skinny::kKeepAliveReq});
    CHECK(r.only(third).get(Field::SccpMissed) == 1);
    r.tcp_ack(T0 + seconds(120) + millis(1), b, false);
    Conn p2{2, 50002, 2000};
    r.send(T0 + seconds(125), b, true, {skinny::kUnregisterReq});
    r.send(T0 + seconds(125) + millis(1), b, false, {skinny::kUnregisterAck});
    r.send(T0 + seconds(126), p2, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(126) + millis(2), p2, 30, 60);
    std::vector<std::uint32_t> backup;
    for (int k = 1; k <= 6; ++k) {
        const Nanos t = T0 + seconds(126 + 30 * k);
        r.send(t, p2, true, {skinny::kKeepAliveReq});
        r.send(t + millis(1), p2, false, {skinny::kKeepAliveAck});
        if (k % 2) continue;
        backup.push_back(r.send(t + millis(500), b, true, {skinny::kKeepAliveReq}));
        r.tcp_ack(t + millis(501), b, false);
    }
    for (std::uint32_t fr : backup) {
        const Annotation a = r.only(fr);
        CHECK(a.role == Role::Backup);
        CHECK(a.get(Field::SccpMissed) == 0);
    }
    CHECK(r.experts_raised(Expert::KeepaliveUnacked) == 1);  // B's missing ack, when B was primary
    CHECK(r.experts_raised(Expert::Failover) == 0);
}

TEST_CASE("a device registering again on a new connection replaces its old one at that call manager") {
    // The old connection is left half-open (a network outage, or a new DHCP address): no FIN or
    // RST is captured on it, and the phone keeps its keepalives to the new one.
    // A registration begun before the capture: no RegisterReq names it, its acks make it the
    // phone's primary.
    auto unnamed = [](Rig& r) {
        Conn c{0, 50000, 2000};
        r.send(T0, c, true, {skinny::kKeepAliveReq});
        r.send(T0 + millis(1), c, false, {skinny::kKeepAliveAck});
        return c;
    };
    // `missing`: the new RegisterReq (1) or RegisterAck (2) the capture dropped.
    auto reregistered = [&](Rig& r, Conn& fresh, bool named = true, int missing = 0) {
        Conn old = named ? registered(r) : unnamed(r);
        r.send(T0 + seconds(30), old, true, {skinny::kKeepAliveReq});
        r.send(T0 + seconds(30) + millis(1), old, false, {skinny::kKeepAliveAck});
        if (missing != 1) r.send(T0 + seconds(50), fresh, true, {skinny::kRegisterReq}, "SEP001122334455");
        if (missing != 2) r.register_ack(T0 + seconds(50) + millis(2), fresh, 30, 60);
        r.acked_keepalives(T0 + seconds(80), fresh, 10);
    };
    SECTION("from the same address") {
        Rig r;
        Conn fresh{1, 50001, 2000};
        reregistered(r, fresh);
        CHECK(r.warnings_or_errors() == 0);
    }
    SECTION("from the same address, the old registration begun before the capture") {
        Rig r;
        Conn fresh{1, 50001, 2000};
        reregistered(r, fresh, false);
        CHECK(r.warnings_or_errors() == 0);
    }
    SECTION("its new RegisterReq, or its RegisterAck, not captured") {
        for (const int missing : {1, 2}) {
            CAPTURE(missing);
            Rig r;
            Conn fresh{1, 50001, 2000};
            reregistered(r, fresh, true, missing);
            CHECK(r.warnings_or_errors() == 0);
        }
    }
    SECTION("from a new address") {
        Rig r;
        Conn fresh{1, 50001, 2000};
        fresh.phone = IpAddr::v4(0x0a000063);  // 10.0.0.99
        reregistered(r, fresh);
        CHECK(r.warnings_or_errors() == 0);
    }
    SECTION("what fell due on the old connection before is still reported") {
        Rig r;
        Conn old = registered(r);
        std::uint32_t ka = r.send(T0 + seconds(30), old, true, {skinny::kKeepAliveReq});
        Conn fresh{1, 50001, 2000};
        r.send(T0 + seconds(59), fresh, true, {skinny::kRegisterReq}, "SEP001122334455");
        // The old keepalive's interval ends at T0 + 60 s: the RegisterAck is the first frame past it.
        std::uint32_t ack = r.register_ack(T0 + seconds(60) + millis(2), fresh, 30, 60);
        std::size_t unacked = 0;
        for (const Annotation& a : r.at(ack)) {
            if (a.subject != Subject::SccpMissed) continue;
            ++unacked;
            CHECK(a.raised(Expert::KeepaliveUnacked));
            CHECK(a.get(Field::SccpRequestFrame) == ka);
        }
        CHECK(unacked == 1);
        r.acked_keepalives(T0 + seconds(90), fresh, 30);  // to T0 + 960 s
        r.other(T0 + seconds(1000));
        CHECK(r.experts_raised(Expert::KeepaliveUnacked) == 1);
        CHECK(r.experts_raised(Expert::Failover) == 0);
    }
    SECTION("the old connection's pending keepalive will get no ack: it is unacknowledged") {
        for (const bool named : {true, false}) {
            CAPTURE(named);
            Rig r;
            Conn old = named ? registered(r) : unnamed(r);
            std::uint32_t ka = r.send(T0 + seconds(30), old, true, {skinny::kKeepAliveReq});
            r.tcp_ack(T0 + seconds(30) + millis(1), old, false);
            Conn fresh{1, 50001, 2000};
            r.send(T0 + seconds(40), fresh, true, {skinny::kRegisterReq}, "SEP001122334455");
            std::uint32_t ack = r.register_ack(T0 + seconds(40) + millis(2), fresh, 30, 60);
            Annotation a = r.at(ack).at(0);
            CHECK(a.subject == Subject::SccpMissed);
            CHECK(a.raised(Expert::KeepaliveUnacked));
            CHECK(a.get(Field::SccpMissed) == 1);
            CHECK(a.get(Field::SccpRequestFrame) == ka);
            CHECK(a.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::RegisteredElsewhere));
            CHECK(expert_message(Expert::KeepaliveUnacked, a, r.ctx.strings, r.ctx.config) ==
                  "KeepAliveReq to the primary in frame " + std::to_string(ka) +
                      " not acknowledged before the phone registered again on another connection "
                      "(1 keepalive without ack)");
            r.acked_keepalives(T0 + seconds(70), fresh, 31);  // to T0 + 970 s
            r.other(T0 + seconds(1000));
            CHECK(r.experts_raised(Expert::KeepaliveUnacked) == 1);
            CHECK(r.experts_raised(Expert::Failover) == 0);
        }
    }
    SECTION("a registration at another call manager is a failover, not a replacement") {
        for (const bool ack_captured : {true, false}) {
            CAPTURE(ack_captured);
            Rig r;
            Conn old = registered(r);
            r.send(T0 + seconds(30), old, true, {skinny::kKeepAliveReq});
            Conn other{1, 50001, 2000, kBackup};
            r.send(T0 + seconds(40), other, true, {skinny::kRegisterReq}, "SEP001122334455");
            if (ack_captured) r.register_ack(T0 + seconds(40) + millis(2), other, 30, 60);
            for (int k = 1; k <= 31; ++k) {
                r.send(T0 + seconds(40 + 30 * k), other, true, {skinny::kKeepAliveReq});
                r.send(T0 + seconds(40 + 30 * k) + millis(1), other, false, {skinny::kKeepAliveAck});
            }
            r.other(T0 + seconds(1000));
            CHECK(r.experts_raised(Expert::Failover) == 1);
        }
    }
}

TEST_CASE("devices sharing an address, each on its own connection to one call manager, replace none of the others") {
    // A gateway's two devices, registered before the capture (nothing names them): each round, the
    // first device's keepalive still awaits its ack when the second's ack comes.
    Rig r;
    Conn one{0, 39439, 2000}, two{1, 58866, 2000};
    std::vector<std::uint32_t> second_keepalives;
    for (int k = 0; k < 6; ++k) {
        const Nanos round = T0 + seconds(30 * k);
        r.send(round, one, true, {skinny::kKeepAliveReq});
        second_keepalives.push_back(r.send(round + 400 * kMicrosecond, two, true, {skinny::kKeepAliveReq}));
        r.send(round + 1400 * kMicrosecond, two, false, {skinny::kKeepAliveAck});
        r.send(round + millis(5), one, false, {skinny::kKeepAliveAck});
    }
    CHECK(r.warnings_or_errors() == 0);
    // The second device's keepalive is its own primary's, not a backup's to the same call manager.
    for (std::size_t k = 1; k < second_keepalives.size(); ++k) {
        const Annotation a = r.only(second_keepalives[k]);
        CHECK(a.role == Role::Primary);
        CHECK(a.get(Field::SccpInterval) == 30);
        CHECK(a.get(Field::SccpLateness) == 0);
    }
}

TEST_CASE("a device registering at an address another device already uses does not lend it its name") {
    // The first device's registration began before the capture (nothing names it); a second
    // device at the same address registers as SEP0000000000B2 on its own connection. Its
    // RegisterAck takes the first connection for one given up, until that goes on: two devices.
    Rig r;
    Conn one{0, 50000, 2000}, two{1, 50001, 2000};
    std::vector<std::uint32_t> first, second;
    auto round = [&](Nanos t, Conn& c, std::vector<std::uint32_t>& frames) {
        frames.push_back(r.send(t, c, true, {skinny::kKeepAliveReq}));
        frames.push_back(r.send(t + millis(2), c, false, {skinny::kKeepAliveAck}));
    };
    round(T0, one, first);
    round(T0 + seconds(30), one, first);
    r.send(T0 + seconds(35), two, true, {skinny::kRegisterReq}, "SEP0000000000B2");
    r.register_ack(T0 + seconds(35) + millis(3), two, 30, 60);
    for (int k = 0; k < 4; ++k) {
        round(T0 + seconds(60 + 30 * k), one, first);
        round(T0 + seconds(65 + 30 * k), two, second);
    }
    CHECK(r.warnings_or_errors() == 0);
    for (std::uint32_t f : first) CHECK(r.ctx.strings.get(r.only(f).endpoint) == "10.0.0.21");
    for (std::uint32_t f : second) CHECK(r.ctx.strings.get(r.only(f).endpoint) == "SEP0000000000B2");
}

TEST_CASE("a device registering again from a new address is tied to its old connection by its MAC") {
    // One RegisterReq of the two is not in the capture, so neither the device's name nor the
    // phone's address ties the connections; the device name's MAC (SEP001122334455) does, when
    // the capture sees the phone's own frames. The old connection is left half-open.
    constexpr Mac kOwn = 0x001122334455, kRouter = 0x00000c9f0001, kManagerMac = 0x005056a40305;
    const IpAddr kNewAddress = IpAddr::v4(0x0a000063);  // 10.0.0.99
    // `old_named`: the old RegisterReq is captured (else only keepalives, begun before the
    // capture); `new_named`: the new one is (else only its RegisterAck).
    // `announcer`: a MAC that announces the new address by ARP before the new connection (0: none).
    auto readdressed = [&](Rig& r, Mac phone_mac, bool old_named, bool new_named, const char* name = "SEP001122334455",
                           Mac announcer = 0) {
        Conn old{0, 50000, 2000};
        old.phone_mac = phone_mac;
        old.manager_mac = kManagerMac;
        if (old_named) {
            r.send(T0, old, true, {skinny::kRegisterReq}, name);
            r.register_ack(T0 + millis(2), old, 30, 60);
        }
        r.send(T0 + seconds(30), old, true, {skinny::kKeepAliveReq});
        r.send(T0 + seconds(30) + millis(1), old, false, {skinny::kKeepAliveAck});
        if (announcer) r.announce(T0 + seconds(45), announcer, kNewAddress);
        Conn fresh{1, 50001, 2000};
        fresh.phone = kNewAddress;
        fresh.phone_mac = phone_mac;
        fresh.manager_mac = kManagerMac;
        if (new_named) r.send(T0 + seconds(50), fresh, true, {skinny::kRegisterReq}, name);
        r.register_ack(T0 + seconds(50) + millis(2), fresh, 30, 60);
        r.acked_keepalives(T0 + seconds(80), fresh, 10);
    };
    SECTION("the old registration begun before the capture, or the new RegisterReq not captured") {
        for (const bool old_named : {false, true}) {
            CAPTURE(old_named);
            Rig r;
            readdressed(r, kOwn, old_named, !old_named);
            CHECK(r.warnings_or_errors() == 0);
        }
    }
    SECTION("without Ethernet addresses, or behind a router, the old connection's silence is a failover") {
        // A router's MAC is in no device's name: it ties nothing, though every phone's frames carry it.
        for (const Mac mac : {Mac{0}, kRouter}) {
            for (const bool old_named : {false, true}) {
                CAPTURE(mac, old_named);
                Rig r;
                readdressed(r, mac, old_named, !old_named);
                CHECK(r.experts_raised(Expert::Failover) == 1);
            }
        }
    }
    SECTION("another device's name proves nothing about a MAC") {
        for (const char* name : {"SEP00000C9F0001x", "CIPC-4031", "SEP00000C9F000G"}) {
            CAPTURE(name);
            Rig r;
            readdressed(r, kRouter, false, true, name);
            CHECK(r.experts_raised(Expert::Failover) == 1);
        }
    }
    SECTION("a soft phone named by hand: the MAC that announced the new address by ARP ties them") {
        // Announced by the phone's own MAC: the same host, on its new address. By another MAC, or a
        // router's frames (which announce no phone's address): nothing ties them.
        for (const auto& [frames_from, announcer, tied] :
             {std::tuple{kOwn, kOwn, true}, std::tuple{kOwn, Mac{0x001122334466}, false}, std::tuple{kRouter, kOwn, false}}) {
            CAPTURE(frames_from, announcer);
            Rig r;
            readdressed(r, frames_from, false, true, "CIPC-4031", announcer);
            CHECK(r.experts_raised(Expert::Failover) == (tied ? 0u : 1u));
            CHECK(r.warnings_or_errors() == (tied ? 0u : 1u));
        }
    }
    SECTION("an analogue adapter's name, in lower-case hex, proves its MAC too") {
        Rig r;
        readdressed(r, 0x00235e3c4d5e, false, true, "ATA00235e3c4d5e");
        CHECK(r.warnings_or_errors() == 0);
    }
}

TEST_CASE("a session seen first at another capture point, before the clocks' offset is known, is not timed across them") {
    // The call managers' side (interface 1) runs 120 s behind the phone side (interface 0), the
    // connection's home. Keepalives 30 s apart, each acknowledged 1 ms later, at true times.
    constexpr Nanos kBehind = seconds(120);
    Rig r;
    Conn c{0, 50000, 2000};
    r.send(T0, c, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + millis(2), c, 30, 60);
    // A frame at true time t, seen first at the call managers' side (on its clock) or at the phone's.
    auto at = [&](Nanos t, bool from_phone, std::uint32_t id, bool there) {
        r.frame(there ? t - kBehind : t, c, from_phone, id == 0xffffffffu ? 0 : 12);
        if (id != 0xffffffffu) {
            SkinnyMessage m;
            m.id = id;
            r.f.skinny.push_back(m);
            (from_phone ? c.phone_seq : c.manager_seq) += 12;
        }
        if (there) {
            r.f.interface_id = 1;
            r.f.tcp.unplaced = true;
        }
        r.run();
        return r.f.number;
    };
    auto keepalive = [&](Nanos t, bool there) {
        const std::uint32_t n = at(t, true, skinny::kKeepAliveReq, there);
        at(t + millis(1), false, skinny::kKeepAliveAck, there);
        return n;
    };
    keepalive(T0 + seconds(30), false);
    // The other capture begins: its sightings of K(6) and K(7) come first (stamped 60 and 90 s),
    // then the phone side's own pure ACK at 95 s, a frame on the home clock.
    const std::uint32_t k6 = keepalive(T0 + seconds(180), true);
    keepalive(T0 + seconds(210), true);
    at(T0 + seconds(95), true, 0xffffffffu, false);
    CHECK(r.only(k6).has(Field::SccpGap) == false);  // on the other clock than K(1)
    // The offset becomes known: a segment of another connection seen at both points.
    CapturePoints points(r.ctx);
    for (std::uint32_t iface : {0u, 1u}) {
        Frame seg;
        seg.number = ++r.number;
        seg.interface_id = iface;
        seg.time = T0 + seconds(239) - (iface == 1 ? kBehind : 0);
        seg.transport = Transport::Tcp;
        seg.tcp.present = true;
        seg.tcp.seq = 1000;
        seg.tcp.len = 100;
        seg.tcp.flags = TcpInfo::kAck | TcpInfo::kPsh;
        seg.src_ip = IpAddr::v4(0x0a0000fe);
        seg.dst_ip = kManager;
        seg.src_port = 40000;
        seg.dst_port = 2000;
        r.ctx.sink.begin_frame(seg.number);
        points.on_frame(seg);
    }
    Nanos offset = 0;
    REQUIRE(points.clock_offset(1, 0, offset));
    CHECK(offset == kBehind);
    SECTION("the phone's activity at the other point moves the silence clock: no failover") {
        r.sccp.place(points);
        keepalive(T0 + seconds(240), false);  // on the home clock: no gap, after K(7) on the other
        const std::uint32_t k9 = keepalive(T0 + seconds(270), false);
        CHECK(r.only(k9).get(Field::SccpGap) == seconds(30));
        CHECK(r.experts_raised(Expert::Failover) == 0);
        // Silent from then on: dropped three intervals after K(9).
        r.other(T0 + seconds(361));
        CHECK(r.experts_raised(Expert::Failover) == 1);
    }
    SECTION("until the offset is known, the phone is not reported silent") {
        r.other(T0 + seconds(600));
        CHECK(r.experts_raised(Expert::Failover) == 0);
    }
    CHECK(r.warnings_or_errors() <= 1);
}

TEST_CASE("bad input: garbage names, zero intervals, time running backwards") {
    Config cfg;
    cfg.sccp_interval = 0;
    cfg.sccp_missed_threshold = 0;
    Rig r(cfg);
    Conn c{0, 50000, 2000};
    r.send(T0, c, true, {skinny::kRegisterReq}, std::string_view("\x01\xff garbage name!!", 16));
    CHECK(r.ctx.strings.get(r.only(1).endpoint) == "10.0.0.21");
    // Acked keepalives (primary) with an interval of 0: nothing is due, nothing crashes. Each is
    // stamped before the one before, and its ack before it: no gap or latency comes out negative.
    for (int k = 0; k < 50; ++k) {
        Nanos t = T0 - seconds(k * 7);  // backwards
        const Annotation ka = r.only(r.send(t, c, true, {skinny::kKeepAliveReq}));
        if (k > 0) CHECK(ka.get(Field::SccpGap) == 0);
        r.send(t - 1, c, false, {skinny::kKeepAliveAck, 0x1234, skinny::kKeepAliveAck});
        for (const Annotation& a : r.at(r.number))
            if (a.has(Field::SccpAckLatency)) CHECK(a.get(Field::SccpAckLatency) == 0);
    }
    r.other(std::numeric_limits<Nanos>::max());
    r.other(std::numeric_limits<Nanos>::min());
    CHECK(r.warnings_or_errors() == 0);

    SECTION("a RegisterAck with interval 0 falls back to nothing due, threshold 0 acts as 1") {
        Conn d{1, 50001, 2000};
        r.register_ack(T0, d, 0, 0);
        r.send(T0 + seconds(1), d, true, {skinny::kKeepAliveReq});
        r.other(T0 + seconds(1000));
        CHECK(r.warnings_or_errors() == 0);
    }
}

TEST_CASE("an sccp_interval of 0 waits for no interval; a keepalive followed by the next without an ack is still missed") {
    Config cfg;
    cfg.sccp_interval = 0;
    Rig r(cfg);
    Conn c{0, 50000, 2000};
    r.send(T0, c, true, {skinny::kRegisterReq}, "SEP001122334455");  // its RegisterAck not captured
    std::vector<std::uint32_t> ka;
    ka.push_back(r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq}));
    r.send(T0 + seconds(30) + millis(1), c, false, {skinny::kKeepAliveAck});  // answered: the primary
    ka.push_back(r.send(T0 + seconds(60), c, true, {skinny::kKeepAliveReq}));
    r.tcp_ack(T0 + seconds(60) + millis(1), c, false);
    // Nothing waits for an interval: a keepalive unanswered for 1,000 s, the call manager silent as
    // long, raise nothing by themselves.
    CHECK(r.only(ka[1]).get(Field::SccpInterval) == 0);
    CHECK(r.only(ka[1]).get(Field::SccpGap) == seconds(30));
    CHECK_FALSE(r.only(ka[1]).has(Field::SccpLateness));  // no interval to be late against
    const std::uint32_t quiet = r.other(T0 + seconds(1060));
    CHECK(r.at(quiet).empty());
    CHECK(r.warnings_or_errors() == 0);
    for (int k = 0; k < 3; ++k) {
        ka.push_back(r.send(T0 + seconds(1100 + 30 * k), c, true, {skinny::kKeepAliveReq}));
        r.tcp_ack(T0 + seconds(1100 + 30 * k) + millis(1), c, false);
    }
    // K2, K3 and K4 each went unanswered until the next keepalive: reported on K3, K4 and K5, the
    // third miss a failover.
    for (int i = 2; i <= 4; ++i) {
        const Annotation a = r.only(ka[static_cast<std::size_t>(i)]);
        CHECK(a.raised(Expert::KeepaliveUnacked));
        CHECK(a.get(Field::SccpMissed) == i - 1);
        CHECK(a.get(Field::SccpRequestFrame) == ka[static_cast<std::size_t>(i - 1)]);
        CHECK(a.raised(Expert::Failover) == (i == 4));
    }
    CHECK(r.experts_raised(Expert::KeepaliveUnacked) == 3);
    CHECK(r.experts_raised(Expert::Failover) == 1);
}

TEST_CASE("memory stays bounded under a flood of sessions") {
    Rig r;
    std::size_t after_first_wave = 0;
    for (std::uint32_t s = 0; s < 400'000; ++s) {
        Conn c{s, static_cast<std::uint16_t>(1024 + s % 60000), 2000};
        c.phone_mac = 0x020000000000 + s;  // each its own MAC, as for the table of MACs that tie registrations
        Nanos t = T0 + millis(s);
        r.send(t, c, true, {skinny::kKeepAliveReq});
        r.send(t + 1, c, false, {skinny::kKeepAliveAck});  // primary: a timer each
        if (s == 200'000) after_first_wave = r.sccp.state_bytes();
    }
    CHECK(r.sccp.state_bytes() <= after_first_wave + after_first_wave / 4);
    CHECK(r.sccp.state_bytes() < 64u * 1024 * 1024);
}

TEST_CASE("steady state: keepalive cycles do not grow the analyser's state") {
    Rig r;
    constexpr std::uint32_t kPhones = 500;
    std::vector<Conn> conns;
    for (std::uint32_t s = 0; s < kPhones; ++s) {
        conns.push_back(Conn{s, static_cast<std::uint16_t>(20000 + s), 2000});
        r.send(T0 + millis(s), conns.back(), true, {skinny::kRegisterReq}, "SEP001122334455");
        r.register_ack(T0 + millis(s) + 1, conns.back(), 30, 60);
    }
    std::size_t warm = 0;
    for (int k = 1; k <= 60; ++k) {
        for (std::uint32_t s = 0; s < kPhones; ++s) {
            Nanos t = T0 + seconds(30 * k) + millis(s);
            r.send(t, conns[s], true, {skinny::kKeepAliveReq});
            r.send(t + millis(2), conns[s], false, {skinny::kKeepAliveAck});
            r.tcp_ack(t + millis(3), conns[s], true);
        }
        if (k == 5) warm = r.sccp.state_bytes();
    }
    CHECK(r.sccp.state_bytes() == warm);
    CHECK(r.warnings_or_errors() == 0);
}

TEST_CASE("deadlines follow the session's own capture point clock") {
    Rig r;
    r.ctx.separate_clocks = true;  // the interfaces are capture points (set by the engine)
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    // The other capture point's clock runs ahead: its frames say nothing about this session's time.
    CHECK(r.at(r.other(T0 + seconds(65), 1)).empty());
    Annotation a = r.only(r.other(T0 + seconds(60) + 1, 0));
    CHECK(a.subject == Subject::SccpMissed);
    CHECK(a.raised(Expert::KeepaliveUnacked));
}

TEST_CASE("one machine's NICs share a clock: any interface's frame tells that time has come") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    Annotation a = r.only(r.other(T0 + seconds(60) + 1, 1));
    CHECK(a.subject == Subject::SccpMissed);
    CHECK(a.raised(Expert::KeepaliveUnacked));
}

TEST_CASE("a capture that starts with the call manager's KeepAliveAck") {
    Rig r;
    Conn c{2, 50002, 2000};
    std::uint32_t ack = r.send(T0, c, false, {skinny::kKeepAliveAck});
    CHECK(r.at(ack).empty());  // nothing to pair with, but the session is primary and the phone is known
    std::uint32_t ka = r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    Annotation a = r.only(ka);
    CHECK(a.role == Role::Primary);
    CHECK(r.ctx.strings.get(a.endpoint) == "10.0.0.21");
    CHECK(r.ctx.strings.get(a.server) == "10.0.0.5:2000/tcp");
    CHECK(a.get(Field::SccpInterval) == 30);
    CHECK_FALSE(a.has(Field::SccpGap));
}

TEST_CASE("a capture gap: a keepalive whose ack fell due in it, and the call manager's silence clock, are forgotten") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(30) + millis(2), c, false, {skinny::kKeepAliveAck});
    // K2 at T0 + 60 s; the capture records nothing from T0 + 61 s to T0 + 200 s (its ack, and the
    // keepalives at 90 ... 180 s, may be in that silence).
    r.send(T0 + seconds(60), c, true, {skinny::kKeepAliveReq});
    const Nanos until = T0 + seconds(200);
    CHECK(r.sccp.forget_due(0, until) == 1);
    CHECK(r.sccp.forget_due(1, until) == 0);  // another capture point's clock
    std::uint32_t after = r.other(until);
    CHECK(r.at(after).empty());  // neither unacknowledged nor KeepAliveTimeout
    // The phone keeps its cadence: K at 210 s, acked. Nothing raised.
    r.send(T0 + seconds(210), c, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(210) + millis(2), c, false, {skinny::kKeepAliveAck});
    CHECK(r.warnings_or_errors() == 0);

    // Silent from then on: KeepAliveTimeout three intervals after its last keepalive, as ever.
    std::uint32_t late = r.other(T0 + seconds(210 + 90) + 1);
    CHECK(r.only(late).raised(Expert::Failover));
}

TEST_CASE("a capture gap: a keepalive taken as answered ends the run of misses, as an ack does") {
    Rig r;
    Conn c = registered(r);
    std::vector<std::uint32_t> ka;
    for (int k = 1; k <= 3; ++k) ka.push_back(r.send(T0 + seconds(30 * k), c, true, {skinny::kKeepAliveReq}));
    CHECK(r.only(ka[2]).get(Field::SccpMissed) == 2);  // K1 and K2 unanswered
    // Nothing captured from 95 s to 130 s: K3's ack fell due in it.
    CHECK(r.sccp.forget_due(0, T0 + seconds(130)) == 1);
    r.other(T0 + seconds(130));
    const std::uint32_t k5 = r.send(T0 + seconds(150), c, true, {skinny::kKeepAliveReq});
    CHECK(r.only(k5).get(Field::SccpMissed) == 0);
    // K5 unanswered: the first miss after the gap, not the third of a run.
    const std::uint32_t k6 = r.send(T0 + seconds(180), c, true, {skinny::kKeepAliveReq});
    CHECK(r.only(k6).get(Field::SccpMissed) == 1);
    CHECK(r.only(k6).raised(Expert::KeepaliveUnacked));
    CHECK(r.experts_raised(Expert::Failover) == 0);
}

TEST_CASE("a capture gap: a session whose next keepalive was not yet due is left as it was") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    // Silence from T0 + 31 s to T0 + 55 s: its ack was due by T0 + 60 s, the next keepalive too.
    CHECK(r.sccp.forget_due(0, T0 + seconds(55)) == 0);
    std::uint32_t later = r.other(T0 + seconds(60) + 1);
    CHECK(r.only(later).raised(Expert::KeepaliveUnacked));
}

TEST_CASE("a capture gap that outlasts the call manager's KeepAliveTimeout: the session waits for its next keepalive") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(30) + millis(2), c, false, {skinny::kKeepAliveAck});
    // Nothing recorded from T0 + 31 s to T0 + 600 s: the KeepAliveTimeout of a phone silent from
    // its keepalive at 30 s (3 x 30 s later, T0 + 120 s) fell in it. Whether the call manager
    // dropped the phone is unknown, and the phone's absence after it (another day's capture, or
    // another place's) says nothing of it.
    CHECK(r.sccp.forget_due(0, T0 + seconds(600)) == 1);
    CHECK(r.sccp.forget_due(0, T0 + seconds(700)) == 0);  // a second silence: nothing more to forget
    for (int s = 600; s <= 3600; s += 30) r.other(T0 + seconds(s));
    CHECK(r.warnings_or_errors() == 0);

    // Its next keepalive times it again, with no gap across the silence; silent after it, the
    // KeepAliveTimeout three intervals later, as ever.
    const std::uint32_t k = r.send(T0 + seconds(3700), c, true, {skinny::kKeepAliveReq});
    CHECK_FALSE(r.only(k).has(Field::SccpGap));
    CHECK_FALSE(r.only(k).has(Field::SccpLateness));
    CHECK(r.only(k).experts() == 0);
    r.send(T0 + seconds(3700) + millis(2), c, false, {skinny::kKeepAliveAck});
    CHECK(r.at(r.other(T0 + seconds(3700 + 90))).empty());
    const std::uint32_t late = r.other(T0 + seconds(3700 + 90) + 1);
    CHECK(r.only(late).raised(Expert::Failover));
    CHECK(r.only(late).get(Field::SccpGap) == seconds(90) + 1);
}

TEST_CASE("a capture gap shorter than the KeepAliveTimeout: a phone silent after it fails over three intervals on") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    r.send(T0 + seconds(30) + millis(2), c, false, {skinny::kKeepAliveAck});
    // Nothing recorded from T0 + 31 s to T0 + 100 s, before the KeepAliveTimeout (T0 + 120 s):
    // the next keepalive, due at 60 s, may be in the silence, so the silence clock starts again
    // at its end.
    CHECK(r.sccp.forget_due(0, T0 + seconds(100)) == 1);
    CHECK(r.at(r.other(T0 + seconds(190))).empty());
    const std::uint32_t late = r.other(T0 + seconds(190) + 1);
    CHECK(r.only(late).raised(Expert::Failover));
    CHECK(r.only(late).get(Field::SccpGap) == seconds(90) + 1);
}

TEST_CASE("a clock step: a session whose latest keepalive came before it is judged again from its next one") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    // The clock set back 60 s at the next frame, at T0 - 29 s on the new time.
    const std::uint32_t since = r.other(T0 - seconds(29));
    CHECK(r.sccp.forget_clock(1, since, T0 - seconds(29)) == 0);  // another capture point's clock
    CHECK(r.sccp.forget_clock(0, since, T0 - seconds(29)) == 1);
    SECTION("the next keepalive has no gap; silent after it, KeepAliveTimeout three intervals on") {
        // The keepalive at T0 + 30 s is never timed against the new time.
        CHECK(r.at(r.other(T0 + seconds(1))).empty());
        const std::uint32_t k = r.send(T0 + seconds(1), c, true, {skinny::kKeepAliveReq});
        CHECK_FALSE(r.only(k).has(Field::SccpGap));
        CHECK_FALSE(r.only(k).has(Field::SccpLateness));
        CHECK(r.only(r.send(T0 + seconds(1) + millis(1), c, false, {skinny::kKeepAliveAck})).get(Field::SccpAckLatency) ==
              millis(1));
        const std::uint32_t k2 = r.send(T0 + seconds(31), c, true, {skinny::kKeepAliveReq});
        CHECK(r.only(k2).get(Field::SccpGap) == seconds(30));
        r.send(T0 + seconds(31) + millis(1), c, false, {skinny::kKeepAliveAck});
        CHECK(r.at(r.other(T0 + seconds(121))).empty());
        CHECK(r.only(r.other(T0 + seconds(121) + 1)).raised(Expert::Failover));
    }
    SECTION("silent from the step on: KeepAliveTimeout three intervals after it, on the new time") {
        CHECK(r.at(r.other(T0 + seconds(61))).empty());
        const Annotation a = r.only(r.other(T0 + seconds(61) + 1));
        CHECK(a.raised(Expert::Failover));
        CHECK_FALSE(a.raised(Expert::KeepaliveUnacked));  // its keepalive's ack is not judged
        CHECK(a.get(Field::SccpGap) == seconds(90) + 1);
    }
    CHECK(r.warnings_or_errors() == 1);
}

TEST_CASE("a clock step: the keepalive whose ack it leaves unjudged ends the run of misses") {
    Rig r;
    Conn c = registered(r);
    r.tcp_acked_keepalives(c, 1, 3);  // K1 to K3, answered by TCP only: K3 says 2 missed
    const std::uint32_t since = r.other(T0 + seconds(31));  // the clock set back 59 s
    CHECK(r.sccp.forget_clock(0, since, T0 + seconds(31)) == 1);
    // K3's KeepAliveAck, on the new time: not paired across the step.
    CHECK(r.at(r.send(T0 + seconds(31) + millis(5), c, false, {skinny::kKeepAliveAck})).empty());
    const std::uint32_t k4 = r.send(T0 + seconds(60), c, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(60) + millis(1), c, false);
    const std::uint32_t k5 = r.send(T0 + seconds(90), c, true, {skinny::kKeepAliveReq});
    CHECK(r.only(k4).get(Field::SccpMissed) == 0);
    CHECK_FALSE(r.only(k4).raised(Expert::KeepaliveUnacked));
    // K4 unanswered: the first miss after the step, not the third of a run through K3.
    CHECK(r.only(k5).get(Field::SccpMissed) == 1);
    CHECK(r.only(k5).raised(Expert::KeepaliveUnacked));
    CHECK(r.experts_raised(Expert::Failover) == 0);
    // Still unanswered: three in a row on the new time are a failover.
    r.tcp_ack(T0 + seconds(90) + millis(1), c, false);
    r.send(T0 + seconds(120), c, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(120) + millis(1), c, false);
    const Annotation k7 = r.only(r.send(T0 + seconds(150), c, true, {skinny::kKeepAliveReq}));
    CHECK(k7.get(Field::SccpMissed) == 3);
    CHECK(k7.raised(Expert::Failover));
}

TEST_CASE("a clock step: a keepalive already on the new time keeps its verdicts") {
    Rig r;
    Conn c = registered(r);
    r.send(T0 + seconds(30), c, true, {skinny::kKeepAliveReq});
    CHECK(r.sccp.forget_clock(0, r.number, T0 + seconds(30)) == 0);
    CHECK(r.only(r.other(T0 + seconds(60) + 1)).raised(Expert::KeepaliveUnacked));
}

TEST_CASE("a registration again on the same connection starts its own ack latency mean") {
    // The phone fails over to B, where each ack takes 400 ms, falls back to A and keeps B's
    // connection as its backup, then fails over to B again on that connection: the phone's
    // normal-failover wait is its new registration's, not the old one's.
    Rig r;
    Conn p = registered(r);  // A
    Conn b{1, 50001, 2000, kBackup};
    r.flags(T0 + seconds(10), p, false, TcpInfo::kRst);
    r.send(T0 + seconds(11), b, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(11) + millis(2), b, 30, 60);
    for (int k = 1; k <= 2; ++k) {
        r.send(T0 + seconds(11 + 30 * k), b, true, {skinny::kKeepAliveReq});
        r.send(T0 + seconds(11 + 30 * k) + millis(400), b, false, {skinny::kKeepAliveAck});
    }
    r.send(T0 + seconds(80), b, true, {skinny::kUnregisterReq});
    r.send(T0 + seconds(80) + millis(1), b, false, {skinny::kUnregisterAck});
    Conn p2{2, 50002, 2000};
    r.send(T0 + seconds(81), p2, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(81) + millis(2), p2, 30, 60);
    r.acked_keepalives(T0 + seconds(111), p2, 1);
    r.flags(T0 + seconds(120), p2, false, TcpInfo::kRst);
    r.send(T0 + seconds(121), b, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(121) + millis(2), b, 30, 60);
    r.send(T0 + seconds(151), b, true, {skinny::kKeepAliveReq});
    const Annotation a = r.only(r.send(T0 + seconds(151) + millis(2), b, false, {skinny::kKeepAliveAck}));
    CHECK(a.get(Field::SccpAckLatency) == millis(2));
    CHECK(a.get(Field::SccpAckLatencyMean) == millis(2));
}

TEST_CASE("a KeepAliveTimeout on the first keepalive after a registration counts the silence from the RegisterAck") {
    // The phone keeps alive with its backup B (every 60 s), fails over to it at T0 + 100 s and
    // sends its first keepalive there 100 s later: the call manager saw no keepalive for 100 s,
    // not for the 199 s since the last backup keepalive.
    Rig r;
    Conn p = registered(r);  // A, RegisterAck 30/60
    Conn b{1, 50001, 2000, kBackup};
    r.send(T0 + seconds(1), b, true, {skinny::kKeepAliveReq});
    r.tcp_ack(T0 + seconds(1) + millis(1), b, false);
    r.acked_keepalives(T0 + seconds(30), p, 2);
    r.flags(T0 + seconds(98), p, false, TcpInfo::kRst);
    r.send(T0 + seconds(100), b, true, {skinny::kRegisterReq}, "SEP001122334455");
    r.register_ack(T0 + seconds(100), b, 30, 60);
    const Annotation a = r.only(r.send(T0 + seconds(200), b, true, {skinny::kKeepAliveReq}));
    REQUIRE(a.raised(Expert::Failover));
    CHECK(a.get(Field::SccpGap) == seconds(199));  // since the previous keepalive, as the field says
    CHECK(a.get(Field::SccpLateness) == seconds(70));
    CHECK(expert_message(Expert::Failover, a, r.ctx.strings, r.ctx.config) ==
          "No keepalive for 100.0 s, more than 3 intervals of 30 s: the call manager drops the phone "
          "(KeepAliveTimeout, reason 13)");
}

TEST_CASE("a keepalive on its own interface's clock is filed under that interface in the endpoint directory") {
    // A segment seen first at interface 1 before the offset to its connection's home (0) is known
    // keeps interface 1's time: the call manager's syslog ages it on that clock.
    Rig r;
    Conn c = registered(r);
    r.frame(T0 + seconds(30), c, true, 12);
    r.f.interface_id = 1;
    r.f.tcp.home = 0;
    r.f.tcp.unplaced = true;
    SkinnyMessage m;
    m.id = skinny::kKeepAliveReq;
    r.f.skinny.push_back(m);
    r.run();
    const auto* seen = r.ctx.directory.by_ip(c.phone);
    REQUIRE(seen);
    CHECK(seen->frame == r.f.number);
    CHECK(seen->point == 1);
}
