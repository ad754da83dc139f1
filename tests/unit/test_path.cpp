// ARP mismatch and misdirected signalling (SPEC §3.4).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <vector>

#include "core/messages.h"
#include "core/path_analyzer.h"

using namespace ka;

namespace {

constexpr Mac kPhone = 0x580a20fb071f;
constexpr Mac kCm = 0xf40f1b1e26a9;
constexpr Mac kProxy = 0x00505690'10cf;
constexpr std::uint32_t kPhoneIp = 0x0a0a0a82;  // 10.10.10.130
constexpr std::uint32_t kCmIp = 0x0a0a0aca;     // 10.10.10.202

struct Rig {
    FindingStore store;
    Context ctx{Config{}, store};
    PathAnalyzer path{ctx};
    Frame f;
    std::uint32_t number = 0;
    std::uint32_t vlan = 0;  // of the frames that follow

    Frame& next(double t) {
        f.clear();
        f.number = ++number;
        f.time = static_cast<Nanos>(t * 1e9);
        f.vlan = vlan;
        return f;
    }
    void run() {
        ctx.sink.begin_frame(f.number);
        path.on_frame(f);
    }
    void arp(double t, std::uint16_t op, Mac sender, std::uint32_t sender_ip, std::uint32_t target_ip,
             bool gratuitous = false) {
        Frame& fr = next(t);
        fr.has_eth = true;
        fr.eth_src = sender;
        fr.eth_dst = op == 1 || gratuitous ? 0xffffffffffff : kPhone;
        ArpPacket a;
        a.opcode = op;
        a.sender_mac = sender;
        a.sender_ip = sender_ip;
        a.target_ip = target_ip;
        a.gratuitous = gratuitous;
        fr.arp.push_back(a);
        run();
    }
    // A TCP segment between a phone's port and the call manager's SCCP port.
    Frame& tcp(double t, Mac src, Mac dst, std::uint32_t sip, std::uint32_t dip, bool to_server) {
        Frame& fr = next(t);
        fr.has_eth = true;
        fr.eth_src = src;
        fr.eth_dst = dst;
        fr.src_ip = IpAddr::v4(sip);
        fr.dst_ip = IpAddr::v4(dip);
        fr.transport = Transport::Tcp;
        fr.tcp.present = true;
        fr.tcp.len = 12;
        fr.src_port = to_server ? 49320 : 2000;
        fr.dst_port = to_server ? 2000 : 49320;
        return fr;
    }
    void ip(double t, Mac src, Mac dst, std::uint32_t sip, std::uint32_t dip, bool skinny_to_server = false) {
        Frame& fr = tcp(t, src, dst, sip, dip, skinny_to_server);
        if (skinny_to_server) fr.skinny.push_back(SkinnyMessage{});
        run();
    }
    // The phone's segment towards the call manager without SCCP in it, as Wireshark hands over a
    // retransmission, sent to Ethernet destination `dst`.
    void retransmission(double t, Mac dst) {
        tcp(t, kPhone, dst, kPhoneIp, kCmIp, true);
        run();
    }
    std::vector<Annotation> at(std::uint32_t frame) const {
        std::vector<Annotation> v;
        for (std::size_t i = 0; i < store.count(frame); ++i) v.push_back(store.get(frame, i));
        return v;
    }
    int count(Expert e) const {
        int n = 0;
        for (std::uint32_t fr = 1; fr <= number; ++fr)
            for (const Annotation& a : at(fr)) n += a.raised(e);
        return n;
    }
};

}  // namespace

TEST_CASE("a proxy reply contradicting a live owner is reported on the ARP frame, naming the proxy") {
    Rig r;
    r.ip(1.0, kCm, kPhone, kCmIp, kPhoneIp);                    // 1: the call manager's own frame
    r.arp(20.0, 1, kPhone, kPhoneIp, kCmIp);                    // 2: who has .202
    r.arp(20.0002, 2, kProxy, kCmIp, kPhoneIp);                 // 3: proxy wins the race
    r.arp(20.0004, 2, kCm, kCmIp, kPhoneIp);                    // 4: the genuine reply, second
    auto a = r.at(3);
    REQUIRE(a.size() == 1);
    CHECK(a[0].subject == Subject::Arp);
    CHECK(a[0].raised(Expert::ArpMismatch));
    CHECK(a[0].get(Field::ArpIp) == kCmIp);
    CHECK(static_cast<Mac>(a[0].get(Field::ArpClaimedMac)) == kProxy);
    CHECK(static_cast<Mac>(a[0].get(Field::ArpOwnerMac)) == kCm);
    CHECK(a[0].get(Field::OwnerFrame) == 1);
    CHECK(a[0].get(Field::ArpClaims) == 1);
    CHECK_FALSE(a[0].has(Field::ArpFrame));
    CHECK(r.ctx.strings.get(a[0].endpoint) == "10.10.10.202");
    CHECK(r.at(4).empty());  // the genuine owner's reply is not the culprit
    CHECK(expert_message(Expert::ArpMismatch, a[0], r.ctx.strings, r.ctx.config) ==
          "ARP says 10.10.10.202 is at 00:50:56:90:10:cf but 10.10.10.202's own frames come from "
          "f4:0f:1b:1e:26:a9: proxy ARP or spoofing; 10.10.10.202's own frame 1");

    // Signalling to the call manager sent to the proxy's MAC: misdirected, linked to both frames.
    r.ip(30.0, kPhone, kProxy, kPhoneIp, kCmIp, true);  // 5
    auto m = r.at(5);
    REQUIRE(m.size() == 1);
    CHECK(m[0].subject == Subject::Misdirected);
    CHECK(m[0].raised(Expert::Misdirected));
    CHECK(m[0].get(Field::ArpFrame) == 3);
    CHECK(m[0].get(Field::OwnerFrame) == 1);
    CHECK(static_cast<Mac>(m[0].get(Field::ArpClaimedMac)) == kProxy);
    CHECK(static_cast<Mac>(m[0].get(Field::ArpOwnerMac)) == kCm);
    CHECK(r.ctx.strings.get(m[0].server) == "10.10.10.202:2000/tcp");
    CHECK(expert_message(Expert::Misdirected, m[0], r.ctx.strings, r.ctx.config) ==
          "Signalling to 10.10.10.202 sent to MAC 00:50:56:90:10:cf, not to 10.10.10.202's own MAC "
          "f4:0f:1b:1e:26:a9; that MAC claimed 10.10.10.202 in ARP frame 3; 10.10.10.202's own frame 1");
    CHECK(r.ctx.strings.get(m[0].endpoint) == "10.10.10.130");  // no keepalive named the phone yet
    r.ctx.directory.touch(IpAddr::v4(kPhoneIp), {seconds(30), 5, r.ctx.strings.intern("SEP580A20FB071F"), 0});
    // A TCP segment to that server without SCCP (a retransmission) is misdirected too.
    r.retransmission(31.0, kProxy);
    CHECK(r.count(Expert::Misdirected) == 2);
    CHECK(r.ctx.strings.get(r.at(6)[0].endpoint) == "SEP580A20FB071F");
    // Signalling to the right MAC is fine.
    r.ip(32.0, kPhone, kCm, kPhoneIp, kCmIp, true);
    CHECK(r.at(r.number).empty());
}

TEST_CASE("a proxy found false stays so when it answers again while the owner is quiet") {
    // Case study A after the phone's ARP cache expires: the call manager has heard nothing from the
    // phone since its keepalives went to the proxy, so it sends nothing, and the proxy answers the
    // phone's next request for the address again.
    for (bool gratuitous : {false, true}) {
        Rig r;
        r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);          // 1: the call manager's own frame
        r.arp(5.0, 2, kProxy, kCmIp, kPhoneIp);           // 2: the proxy's reply: a mismatch
        r.ip(10.0, kPhone, kProxy, kPhoneIp, kCmIp, true);  // 3: misdirected
        r.arp(200.0, 1, kPhone, kPhoneIp, kCmIp);         // 4: the phone asks again, 200 s later
        if (gratuitous) r.arp(200.0002, 2, kProxy, kCmIp, kCmIp, true);  // 5: or the proxy announces it
        else r.arp(200.0002, 2, kProxy, kCmIp, kPhoneIp);  // 5: the proxy answers again
        r.ip(210.0, kPhone, kProxy, kPhoneIp, kCmIp, true);  // 6: still misdirected
        CAPTURE(gratuitous);
        CHECK(r.at(5).empty());  // the owner's last frame is 195 s old: no new mismatch is told
        const auto m = r.at(6);
        REQUIRE(m.size() == 1);
        CHECK(m[0].raised(Expert::Misdirected));
        CHECK(m[0].get(Field::ArpFrame) == 5);  // the claim that drew this frame
        CHECK(m[0].get(Field::OwnerFrame) == 1);
        CHECK(r.count(Expert::ArpMismatch) == 1);
        CHECK(r.count(Expert::Misdirected) == 2);
        // Once the claimer's own frames carry the address, it is the owner: nothing is misdirected.
        r.ip(220.0, kProxy, kPhone, kCmIp, kPhoneIp);
        r.ip(221.0, kPhone, kProxy, kPhoneIp, kCmIp, true);
        CHECK(r.at(r.number).empty());
    }
}

TEST_CASE("a misdirected frame links to the proxy's reply to its own sender") {
    // The proxy answers phone A's request, then phone B's; each phone's signalling to the proxy
    // was drawn by the reply it got.
    constexpr Mac kPhoneB = 0x00241400000b;
    constexpr std::uint32_t kPhoneBIp = 0x0a0a0a83;
    Rig r;
    r.ip(1.0, kPhone, kCm, kPhoneIp, kCmIp, true);         // 1
    r.ip(1.002, kCm, kPhone, kCmIp, kPhoneIp);             // 2
    r.ip(90.0, kPhoneB, kCm, kPhoneBIp, kCmIp, true);      // 3
    r.ip(90.002, kCm, kPhoneB, kCmIp, kPhoneBIp);          // 4
    r.arp(100.0, 1, kPhone, kPhoneIp, kCmIp);              // 5
    r.arp(100.0002, 2, kProxy, kCmIp, kPhoneIp);           // 6: to A
    r.arp(100.0004, 2, kCm, kCmIp, kPhoneIp);              // 7
    r.arp(110.0, 1, kPhoneB, kPhoneBIp, kCmIp);            // 8
    r.arp(110.0002, 2, kProxy, kCmIp, kPhoneBIp);          // 9: to B
    r.arp(110.0004, 2, kCm, kCmIp, kPhoneBIp);             // 10
    r.ip(116.0, kPhone, kProxy, kPhoneIp, kCmIp, true);    // 11
    r.ip(116.5, kPhoneB, kProxy, kPhoneBIp, kCmIp, true);  // 12
    CHECK(r.count(Expert::ArpMismatch) == 2);
    REQUIRE(r.at(11).size() == 1);
    CHECK(r.at(11)[0].get(Field::ArpFrame) == 6);
    REQUIRE(r.at(12).size() == 1);
    CHECK(r.at(12)[0].get(Field::ArpFrame) == 9);
    // An announcement after both replies reaches every host: A's next frames follow it, not the
    // reply to B after it.
    r.arp(120.0, 1, kProxy, kCmIp, kCmIp, true);           // 13
    r.arp(120.5, 2, kProxy, kCmIp, kPhoneBIp);             // 14: to B
    r.ip(121.0, kPhone, kProxy, kPhoneIp, kCmIp, true);    // 15
    r.ip(121.5, kPhoneB, kProxy, kPhoneBIp, kCmIp, true);  // 16
    REQUIRE(r.at(15).size() == 1);
    CHECK(r.at(15)[0].get(Field::ArpFrame) == 13);
    REQUIRE(r.at(16).size() == 1);
    CHECK(r.at(16)[0].get(Field::ArpFrame) == 14);
}

TEST_CASE("a misdirected frame links to the proxy's reply to its sender however many hosts it answered since") {
    // Case study A with more phones: the proxy answers every phone's request for the call manager.
    // Phone A's reply is four replies back, phone D never asked and followed the proxy's announcement.
    constexpr std::uint32_t kPhoneBIp = 0x0a0a0a83, kPhoneCIp = 0x0a0a0a84, kPhoneDIp = 0x0a0a0a85;
    constexpr Mac kPhoneD = 0x00241400000d;
    Rig r;
    r.ip(1.0, kCm, kPhone, kCmIp, kPhoneIp);                // 1: the call manager's own frame
    r.arp(5.0, 1, kProxy, kCmIp, kCmIp, true);              // 2: the proxy's announcement, to all
    r.ip(6.0, kCm, kPhone, kCmIp, kPhoneIp);                // 3: the call manager's: found false
    r.arp(10.0002, 2, kProxy, kCmIp, kPhoneIp);             // 4: to A
    r.arp(11.0002, 2, kProxy, kCmIp, kPhoneBIp);            // 5: to B
    r.arp(12.0002, 2, kProxy, kCmIp, kPhoneCIp);            // 6: to C
    r.arp(13.0002, 2, kProxy, kCmIp, kPhoneBIp);            // 7: to B again
    r.ip(20.0, kPhone, kProxy, kPhoneIp, kCmIp, true);      // 8: A
    r.ip(20.5, kPhoneD, kProxy, kPhoneDIp, kCmIp, true);    // 9: D
    REQUIRE(r.at(3).size() == 1);
    CHECK(r.at(3)[0].raised(Expert::ArpMismatch));
    CHECK(r.at(3)[0].get(Field::ArpFrame) == 2);
    REQUIRE(r.at(8).size() == 1);
    CHECK(r.at(8)[0].raised(Expert::Misdirected));
    CHECK(r.at(8)[0].get(Field::ArpFrame) == 4);
    REQUIRE(r.at(9).size() == 1);
    CHECK(r.at(9)[0].raised(Expert::Misdirected));
    CHECK(r.at(9)[0].get(Field::ArpFrame) == 2);
}

TEST_CASE("a claim made before the owner is known is reported on the owner's first frame") {
    Rig r;
    r.arp(0.0, 1, kPhone, kPhoneIp, kCmIp);
    r.arp(0.0003, 2, kCm, kCmIp, kPhoneIp);     // 2: genuine first
    r.arp(0.0005, 2, kProxy, kCmIp, kPhoneIp);  // 3: proxy second: who is right is not known yet
    CHECK(r.at(2).empty());
    CHECK(r.at(3).empty());
    r.ip(0.0014, kCm, kPhone, kCmIp, kPhoneIp);  // 4: the owner's first frame decides
    auto a = r.at(4);
    REQUIRE(a.size() == 1);
    CHECK(a[0].raised(Expert::ArpMismatch));
    CHECK(static_cast<Mac>(a[0].get(Field::ArpClaimedMac)) == kProxy);
    CHECK(static_cast<Mac>(a[0].get(Field::ArpOwnerMac)) == kCm);
    CHECK(a[0].get(Field::ArpFrame) == 3);
    CHECK_FALSE(a[0].has(Field::OwnerFrame));  // this frame: no link to itself
    CHECK(expert_message(Expert::ArpMismatch, a[0], r.ctx.strings, r.ctx.config).find("own frame 4") == std::string::npos);
    r.ip(0.0020, kCm, kPhone, kCmIp, kPhoneIp);  // reported once
    CHECK(r.count(Expert::ArpMismatch) == 1);
}

TEST_CASE("a waiting claim is confirmed by the owner's frames only while it is in use, 120 s") {
    for (double owner_at : {120.0, 120.001}) {
        Rig r;
        r.arp(0.0, 2, kProxy, kCmIp, kPhoneIp);     // 1: owner not known yet
        r.ip(owner_at, kCm, kPhone, kCmIp, kPhoneIp);  // 2
        CAPTURE(owner_at);
        CHECK(r.count(Expert::ArpMismatch) == (owner_at <= 120.0 ? 1 : 0));
    }
}

TEST_CASE("the claimed-address count says how many addresses the proxy answers for") {
    Rig r;
    r.arp(0.0, 2, kProxy, 0x0a0a0ad2, kPhoneIp);  // .210, owner never seen: no verdict
    r.arp(0.1, 2, kProxy, 0x0a0a0ad3, kPhoneIp);  // .211
    r.ip(1.0, kCm, kPhone, kCmIp, kPhoneIp);
    r.arp(2.0, 2, kProxy, kCmIp, kPhoneIp);
    auto a = r.at(r.number);
    REQUIRE(a.size() == 1);
    CHECK(a[0].get(Field::ArpClaims) == 3);
    CHECK(r.count(Expert::ArpMismatch) == 1);
}

TEST_CASE("a claimer pushed out of an address's table and back counts that address once") {
    Rig r;
    r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);
    r.arp(1.0, 2, kProxy, kCmIp, kPhoneIp);  // 2: mismatch, 1 address
    for (Mac other : {Mac{0x00aa00000001}, Mac{0x00aa00000002}, Mac{0x00aa00000003}})
        r.arp(2.0, 2, other, kCmIp, kPhoneIp);  // three more claimers: the proxy's claim is forgotten
    r.arp(5.0, 2, kProxy, kCmIp, kPhoneIp);  // 6: the proxy again, still one address
    REQUIRE(r.at(2).size() == 1);
    CHECK(r.at(2)[0].get(Field::ArpClaims) == 1);
    REQUIRE(r.at(6).size() == 1);
    CHECK(r.at(6)[0].get(Field::ArpClaims) == 1);
}

TEST_CASE("no alarm for a host that really changed its MAC") {
    constexpr Mac kOld = 0x001122334455, kNew = 0x00aabbccddee;
    constexpr std::uint32_t kServer = 0x0a0a0a14;
    SECTION("the new NIC answers a request after the old one went silent") {
        Rig r;
        r.ip(0.0, kOld, kPhone, kServer, kPhoneIp);
        r.arp(600.0, 2, kNew, kServer, kPhoneIp);
        r.ip(600.1, kNew, kPhone, kServer, kPhoneIp);
        r.ip(601.0, kPhone, kNew, kPhoneIp, kServer, true);
        CHECK(r.count(Expert::ArpMismatch) == 0);
        CHECK(r.count(Expert::Misdirected) == 0);
    }
    SECTION("the new NIC announces itself with a gratuitous ARP right away") {
        Rig r;
        r.ip(0.0, kOld, kPhone, kServer, kPhoneIp);
        r.arp(5.0, 1, kNew, kServer, kServer, true);
        r.ip(5.1, kPhone, kNew, kPhoneIp, kServer, true);
        r.ip(5.2, kNew, kPhone, kServer, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 0);
        CHECK(r.count(Expert::Misdirected) == 0);
    }
    SECTION("a standby takes over with gratuitous ARP, then answers a request 7 s later") {
        // keepalived without a virtual MAC: the old master's last frame at 55.002 s, the new one's
        // announcements at 63 s, its reply at 70.0002 s (15 s after the old MAC's last frame).
        for (int announcements : {1, 5}) {
            Rig r;
            r.ip(55.002, kOld, kPhone, kServer, kPhoneIp);
            for (int k = 0; k < announcements; ++k) r.arp(63.0 + k * 0.001, 1, kNew, kServer, kServer, true);
            r.arp(70.0, 1, kPhone, kPhoneIp, kServer);
            r.arp(70.0002, 2, kNew, kServer, kPhoneIp);
            r.ip(70.001, kPhone, kNew, kPhoneIp, kServer, true);
            r.ip(70.003, kNew, kPhone, kServer, kPhoneIp);
            r.ip(116.0, kPhone, kNew, kPhoneIp, kServer, true);
            r.ip(116.002, kNew, kPhone, kServer, kPhoneIp);
            CAPTURE(announcements);
            CHECK(r.count(Expert::ArpMismatch) == 0);
            CHECK(r.count(Expert::Misdirected) == 0);
        }
    }
    SECTION("the old master sends one last answer 4 ms after the new master's announcement") {
        // A planned switchover: a request reached the old master at 99.999 s, its answer leaves at
        // 100.004 s, after the new master's gratuitous ARPs at 100.000 and 100.001 s.
        Rig r;
        r.ip(1.002, kOld, kPhone, kServer, kPhoneIp);
        r.arp(100.0, 1, kNew, kServer, kServer, true);
        r.arp(100.001, 1, kNew, kServer, kServer, true);
        r.ip(100.004, kOld, kPhone, kServer, kPhoneIp);
        r.ip(116.0, kPhone, kNew, kPhoneIp, kServer, true);
        r.ip(116.002, kNew, kPhone, kServer, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 0);
        CHECK(r.count(Expert::Misdirected) == 0);
    }
    SECTION("the old NIC announced the address an hour before the new one took it over") {
        Rig r;
        r.arp(0.0, 1, kOld, kServer, kServer, true);
        r.arp(3600.0, 1, kNew, kServer, kServer, true);
        r.ip(3600.1, kNew, kPhone, kServer, kPhoneIp);
        r.ip(3700.1, kNew, kPhone, kServer, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 0);
    }
    SECTION("both NICs only announced the address, the old one then silent") {
        // Seen from a SPAN of a phone's port: hosts' broadcasts, not their unicast frames.
        Rig r;
        r.arp(0.0, 1, kOld, kServer, kServer, true);
        r.arp(30.0, 1, kNew, kServer, kServer, true);
        r.ip(30.1, kNew, 0xffffffffffff, kServer, 0x0a0a0aff);
        r.ip(60.0, kNew, 0xffffffffffff, kServer, 0x0a0a0aff);
        r.ip(200.0, kNew, 0xffffffffffff, kServer, 0x0a0a0aff);  // the old claim aged out: settled
        r.ip(210.0, kOld, kPhone, kServer, kPhoneIp);  // an old NIC back later is a new question
        CHECK(r.count(Expert::ArpMismatch) == 0);
    }
    SECTION("the old NIC answered ARP an hour before the new one's first frame") {
        Rig r;
        r.arp(0.0, 2, kOld, kServer, kPhoneIp);
        r.ip(3600.1, kNew, kPhone, kServer, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 0);
    }
    SECTION("but a gratuitous claim the owner keeps contradicting is a mismatch, known at its next frame") {
        Rig r;
        r.ip(0.0, kOld, kPhone, kServer, kPhoneIp);
        r.arp(5.0, 1, kNew, kServer, kServer, true);  // 2
        r.ip(6.0, kOld, kPhone, kServer, kPhoneIp);   // 3
        auto a = r.at(3);
        REQUIRE(a.size() == 1);
        CHECK(static_cast<Mac>(a[0].get(Field::ArpClaimedMac)) == kNew);
        CHECK(a[0].get(Field::ArpFrame) == 2);
    }
}

TEST_CASE("a duplicate address is reported when the owner speaks again after the intruder's frames") {
    // A PC given the call manager's address by hand: its probe is defended, it announces the
    // address anyway and answers a phone's signalling itself, while the call manager still
    // answers another phone (its last frame before was 113.998 s earlier: still in use).
    constexpr Mac kPc = 0x3c5282aabbcc, kPhoneC = 0x00241400000c;
    constexpr std::uint32_t kPhoneCIp = 0x0a0a0a83;
    Rig r;
    r.ip(1.002, kCm, kPhone, kCmIp, kPhoneIp);             // 1
    r.ip(2.002, kCm, kPhoneC, kCmIp, kPhoneCIp);           // 2
    r.arp(60.0, 1, kPc, 0, kCmIp);                         // 3: probe
    r.arp(60.0002, 2, kCm, kCmIp, 0);                      // 4: defence
    r.arp(62.0, 1, kPc, kCmIp, kCmIp, true);               // 5: announcement anyway
    r.arp(62.5, 1, kPc, kCmIp, kCmIp, true);               // 6
    r.ip(116.0, kPhone, kPc, kPhoneIp, kCmIp, true);       // 7: to the PC: not known to be wrong yet
    r.ip(116.0003, kPc, kPhone, kCmIp, kPhoneIp);          // 8: the PC's own frame (port unreachable)
    r.ip(117.0, kPhoneC, kCm, kPhoneCIp, kCmIp, true);     // 9
    r.ip(117.002, kCm, kPhoneC, kCmIp, kPhoneCIp);         // 10: the call manager still in use
    r.ip(117.5, kPhone, kPc, kPhoneIp, kCmIp, true);       // 11
    r.ip(117.5003, kPc, kPhone, kCmIp, kPhoneIp);          // 12
    for (std::uint32_t fr : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 12u}) CHECK(r.at(fr).empty());
    const auto a = r.at(10);
    REQUIRE(a.size() == 1);
    CHECK(a[0].raised(Expert::ArpMismatch));
    CHECK(static_cast<Mac>(a[0].get(Field::ArpClaimedMac)) == kPc);
    CHECK(static_cast<Mac>(a[0].get(Field::ArpOwnerMac)) == kCm);
    CHECK(a[0].get(Field::ArpFrame) == 6);
    const auto m = r.at(11);
    REQUIRE(m.size() == 1);
    CHECK(m[0].raised(Expert::Misdirected));
    CHECK(m[0].get(Field::ArpFrame) == 6);
    CHECK(m[0].get(Field::OwnerFrame) == 10);
}

TEST_CASE("a duplicate address is reported when both announced it and the older one speaks after the newer") {
    // Two hosts announce one address; the newer one's frames alone do not tell a changed MAC from
    // a duplicate, the older one's frame after them does.
    constexpr Mac kOld = 0x001122334455, kNew = 0x00aabbccddee;
    constexpr std::uint32_t kServer = 0x0a0a0a14;
    Rig r;
    r.arp(0.0, 1, kOld, kServer, kServer, true);              // 1
    r.arp(30.0, 1, kNew, kServer, kServer, true);             // 2
    r.ip(30.1, kNew, 0xffffffffffff, kServer, 0x0a0a0aff);    // 3
    r.ip(90.0, kOld, kPhone, kServer, kPhoneIp);              // 4
    for (std::uint32_t fr : {1u, 2u, 3u}) CHECK(r.at(fr).empty());
    const auto a = r.at(4);
    REQUIRE(a.size() == 1);
    CHECK(a[0].raised(Expert::ArpMismatch));
    CHECK(static_cast<Mac>(a[0].get(Field::ArpClaimedMac)) == kNew);
    CHECK(static_cast<Mac>(a[0].get(Field::ArpOwnerMac)) == kOld);
    CHECK(a[0].get(Field::ArpFrame) == 2);
    CHECK(r.count(Expert::ArpMismatch) == 1);
}

TEST_CASE("no alarm for the owner's own gratuitous ARP, routed traffic or virtual router MACs") {
    constexpr Mac kRouter = 0x0019e8a1b2c3, kVrrp = 0x00005e00010a, kHsrp = 0x00000c07ac01;
    constexpr std::uint32_t kGw = 0x0a0a0a01, kRemote = 0xac100a0a, kRouterIp = 0x0a0a0a02;
    Rig r;
    r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);
    r.arp(1.0, 1, kCm, kCmIp, kCmIp, true);  // owner's gratuitous ARP
    r.arp(2.0, 2, kCm, kCmIp, kPhoneIp);
    // A remote server: every frame carries the router's MAC; the router answers for the gateway only.
    r.ip(3.0, kRouter, kPhone, kRemote, kPhoneIp);
    r.ip(3.1, kPhone, kRouter, kPhoneIp, kRemote, true);
    // VRRP: the virtual MAC answers for the gateway address and announces it; adverts come from
    // the router's real address with the virtual MAC.
    r.ip(4.0, kRouter, kPhone, kGw, kPhoneIp);
    r.arp(4.1, 2, kVrrp, kGw, kPhoneIp);
    r.arp(4.2, 1, kVrrp, kGw, kGw, true);
    r.ip(4.3, kVrrp, 0x01005e000012, kRouterIp, 0xe0000012);
    r.arp(4.4, 2, kRouter, kRouterIp, kPhoneIp);
    r.arp(5.0, 2, kHsrp, kGw, kPhoneIp);
    r.ip(5.1, kPhone, kVrrp, kPhoneIp, kRemote, true);
    CHECK(r.count(Expert::ArpMismatch) == 0);
    CHECK(r.count(Expert::Misdirected) == 0);
}

TEST_CASE("no alarm for a DHCP address change") {
    constexpr std::uint32_t kNewIp = 0x0a0a0a83, kGw = 0x0a0a0a01;
    constexpr Mac kPc = 0x3c5282aabbcc;
    Rig r;
    r.ip(0.0, kPhone, kCm, kPhoneIp, kCmIp, true);
    r.arp(100.0, 1, kPhone, kNewIp, kNewIp, true);  // the phone announces its new address
    r.ip(100.5, kPhone, kCm, kNewIp, kCmIp, true);
    r.arp(900.0, 2, kPc, kPhoneIp, kGw);             // the old address leased to a PC, answered by it
    r.ip(900.1, kPc, kCm, kPhoneIp, kGw);
    CHECK(r.count(Expert::ArpMismatch) == 0);
}

TEST_CASE("no verdict for an address whose frames come from two MACs at once") {
    constexpr Mac kLb = 0x00aa00000001, kReal1 = 0x00aa00000011, kReal2 = 0x00aa00000012;
    constexpr std::uint32_t kVip = 0x0a0a0a64;
    Rig r;
    // Direct server return: the real servers send as the virtual address, the balancer answers ARP.
    r.ip(0.0, kReal1, kPhone, kVip, kPhoneIp);
    r.ip(0.5, kReal2, kPhone, kVip, kPhoneIp);
    r.arp(1.0, 2, kLb, kVip, kPhoneIp);
    r.ip(1.5, kReal1, kPhone, kVip, kPhoneIp);
    r.ip(2.0, kPhone, kLb, kPhoneIp, kVip, true);
    CHECK(r.count(Expert::ArpMismatch) == 0);
    CHECK(r.count(Expert::Misdirected) == 0);
}

TEST_CASE("a proxy's claim for an address reached through two routers at once is a mismatch") {
    // A registrar behind an HSRP pair: signalling to it goes to the virtual MAC, its frames come
    // from both routers' own MACs. A phone with a wrong mask ARPs for it and a firewall answers.
    constexpr Mac kR1 = 0x001a2b000002, kR2 = 0x001a2b000003, kHsrp = 0x00000c07ac0a, kPhone2 = 0x00241400000b;
    constexpr std::uint32_t kReg = 0x0a01010a, kPhone2Ip = 0x0a0a0a83;
    Rig r;
    for (int k = 0; k < 3; ++k) {  // frames 1-6: answers through R1, R2, R1
        r.ip(1.0 + 20 * k, kPhone2, kHsrp, kPhone2Ip, kReg, true);
        r.ip(1.002 + 20 * k, k % 2 == 0 ? kR1 : kR2, kPhone2, kReg, kPhone2Ip);
    }
    r.arp(50.0, 1, kPhone, kPhoneIp, kReg);              // 7
    r.arp(50.0002, 2, kProxy, kReg, kPhoneIp);           // 8
    r.ip(50.001, kPhone, kProxy, kPhoneIp, kReg, true);  // 9
    const auto a = r.at(8);
    REQUIRE(a.size() == 1);
    CHECK(a[0].raised(Expert::ArpMismatch));
    CHECK(static_cast<Mac>(a[0].get(Field::ArpOwnerMac)) == kR1);
    CHECK(a[0].get(Field::OwnerFrame) == 6);
    const auto m = r.at(9);
    REQUIRE(m.size() == 1);
    CHECK(m[0].raised(Expert::Misdirected));
    CHECK(m[0].get(Field::ArpFrame) == 8);
    CHECK(m[0].get(Field::OwnerFrame) == 6);
}

TEST_CASE("address tables are per capture interface") {
    Rig r;
    r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);
    Frame& fr = r.next(1.0);
    fr.interface_id = 1;  // another segment: the router's MAC there is not a claim against kCm
    fr.has_eth = true;
    fr.eth_src = kProxy;
    ArpPacket a;
    a.opcode = 2;
    a.sender_mac = kProxy;
    a.sender_ip = kCmIp;
    a.target_ip = kPhoneIp;
    fr.arp.push_back(a);
    r.run();
    CHECK(r.count(Expert::ArpMismatch) == 0);
}

TEST_CASE("one address in two VLANs is two hosts, each with its own MAC") {
    // A trunk's mirror: VLAN 10 and VLAN 20 reuse 10.10.10.0/24 (two VRFs). Each VLAN's .202
    // answers ARP and talks with its own MAC.
    constexpr Mac kCm2 = 0x00163e0a0bca;
    constexpr Mac kPhone2 = 0x580a20fb0720;
    SECTION("no claim crosses from one VLAN to the other") {
        Rig r;
        r.vlan = 10;
        r.ip(1.0, kCm, kPhone, kCmIp, kPhoneIp);
        r.vlan = 20;
        r.arp(2.0, 2, kCm2, kCmIp, kPhoneIp);
        r.ip(3.0, kPhone2, kCm2, kPhoneIp, kCmIp, true);
        r.vlan = 10;
        r.ip(4.0, kCm, kPhone, kCmIp, kPhoneIp);
        r.ip(5.0, kPhone, kCm, kPhoneIp, kCmIp, true);
        r.vlan = 20;
        r.ip(6.0, kCm2, kPhone2, kCmIp, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 0);
        CHECK(r.count(Expert::Misdirected) == 0);
    }
    SECTION("but a proxy inside one VLAN is still found") {
        Rig r;
        r.vlan = 10;
        r.ip(1.0, kCm, kPhone, kCmIp, kPhoneIp);      // 1
        r.arp(2.0, 2, kProxy, kCmIp, kPhoneIp);        // 2
        r.ip(3.0, kPhone, kProxy, kPhoneIp, kCmIp, true);  // 3
        REQUIRE(r.at(2).size() == 1);
        CHECK(r.at(2)[0].raised(Expert::ArpMismatch));
        REQUIRE(r.at(3).size() == 1);
        CHECK(r.at(3)[0].raised(Expert::Misdirected));
        CHECK(r.at(3)[0].get(Field::ArpFrame) == 2);
    }
}

TEST_CASE("addresses heard after a flood of addresses are still learnt, and earlier claims kept") {
    // A scan from 100,000 source addresses (more than the host table holds), then case study A.
    const auto scan = [](Rig& r) {
        for (std::uint32_t i = 0; i < 100000; ++i) r.ip(1.0 + i * 1e-6, kCm + (i & 0xff), kPhone, 0x0b000000 + i, kPhoneIp);
    };
    SECTION("the proxy's claim after the scan") {
        Rig r;
        scan(r);
        r.ip(10.0, kCm, kPhone, kCmIp, kPhoneIp);
        r.arp(10.5, 2, kProxy, kCmIp, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 1);
        CHECK(r.path.state_bytes() < std::size_t{16} << 20);
    }
    SECTION("the proxy's claim before the scan, the owner's frames after it") {
        Rig r;
        r.arp(0.5, 2, kProxy, kCmIp, kPhoneIp);
        scan(r);
        r.ip(10.0, kCm, kPhone, kCmIp, kPhoneIp);
        CHECK(r.count(Expert::ArpMismatch) == 1);
    }
}

TEST_CASE("malformed ARP and floods of addresses stay bounded and quiet") {
    Rig r;
    r.arp(0.0, 2, 0, kCmIp, kPhoneIp);                // no sender MAC
    r.arp(0.1, 2, 0xffffffffffff, kCmIp, kPhoneIp);  // broadcast sender
    r.arp(0.2, 2, kProxy, 0, kPhoneIp);               // probe-like 0.0.0.0
    r.arp(0.3, 7, kProxy, kCmIp, kPhoneIp);           // unknown opcode
    for (std::uint32_t i = 0; i < 100000; ++i) r.ip(1.0 + i * 1e-6, kCm + (i & 0xff), kPhone, 0x0b000000 + i, kPhoneIp);
    CHECK(r.count(Expert::ArpMismatch) == 0);
    CHECK(r.path.state_bytes() < std::size_t{16} << 20);
}

TEST_CASE("a flood of ARP claims stays bounded and cheap for the addresses after it") {
    // Gratuitous ARP for one address less than the host table holds (65,536), then frames from
    // 20,000 more addresses: room is made an eighth of the table at a time; a pass over the table
    // for each of them would take seconds here.
    Rig r;
    for (std::uint32_t i = 0; i < 65535; ++i) r.arp(1.0 + i * 1e-6, 1, kProxy, 0x0c000000 + i, 0x0c000000 + i, true);
    for (std::uint32_t i = 0; i < 20000; ++i) r.ip(2.0 + i * 1e-6, kCm, kPhone, 0x0d000000 + i, kPhoneIp);
    CHECK(r.count(Expert::ArpMismatch) == 0);
    CHECK(r.path.state_bytes() < std::size_t{32} << 20);
}

TEST_CASE("a proxy is still found after more addresses were claimed in ARP than the host table holds") {
    // A data VLAN where 70,000 hosts answer ARP for their own addresses (the table holds 65,536),
    // then case study A in the voice VLAN.
    Rig r;
    r.vlan = 20;
    for (std::uint32_t i = 0; i < 70000; ++i) r.arp(1.0 + i * 1e-6, 2, 0x020000000000 + i, 0x0c000000 + i, 0x0c0fffff);
    r.vlan = 10;
    r.ip(10.0, kCm, kPhone, kCmIp, kPhoneIp);
    r.arp(10.5, 2, kProxy, kCmIp, kPhoneIp);
    r.ip(11.0, kPhone, kProxy, kPhoneIp, kCmIp, true);
    REQUIRE(r.at(70002).size() == 1);
    CHECK(r.at(70002)[0].raised(Expert::ArpMismatch));
    CHECK(r.at(70002)[0].get(Field::ArpClaims) == 1);
    REQUIRE(r.at(70003).size() == 1);
    CHECK(r.at(70003)[0].raised(Expert::Misdirected));
    CHECK(r.path.state_bytes() < std::size_t{32} << 20);
}

TEST_CASE("a server first heard after signalling to more ports than the table holds is still checked") {
    // Signalling to 5,000 other servers' ports (more than the 4,096 the table holds), as a proxy's
    // requests to every phone would be; then the proxy's claim for the call manager, and a TCP
    // retransmission towards it (no SCCP in it) sent to the proxy's MAC.
    Rig r;
    for (std::uint32_t i = 0; i < 5000; ++i) r.ip(1.0 + i * 1e-3, kPhone, kCm, kPhoneIp, 0x0e000000 + i, true);
    r.ip(10.0, kCm, kPhone, kCmIp, kPhoneIp);
    r.arp(10.5, 2, kProxy, kCmIp, kPhoneIp);
    r.ip(11.0, kPhone, kProxy, kPhoneIp, kCmIp, true);  // signalling: checked whatever the table holds
    r.retransmission(12.0, kProxy);
    CHECK(r.count(Expert::ArpMismatch) == 1);
    CHECK(r.count(Expert::Misdirected) == 2);
    CHECK(r.at(r.number).size() == 1);
    CHECK(r.path.state_bytes() < std::size_t{1} << 20);
}

TEST_CASE("a proxy heard after more claiming MACs than are counted still claims its address") {
    // 20,000 hosts announce themselves, each from a MAC of its own (more than the 16,384 MACs whose
    // claims are counted); then case study A's proxy.
    Rig r;
    for (std::uint32_t i = 0; i < 20000; ++i)
        r.arp(1.0 + i * 1e-4, 1, 0x020000000000 + i, 0x0c000000 + i, 0x0c000000 + i, true);
    r.ip(10.0, kCm, kPhone, kCmIp, kPhoneIp);
    r.arp(10.5, 2, kProxy, kCmIp, kPhoneIp);
    const auto a = r.at(r.number);
    REQUIRE(a.size() == 1);
    CHECK(a[0].raised(Expert::ArpMismatch));
    CHECK(a[0].get(Field::ArpClaims) == 1);
    CHECK(r.count(Expert::ArpMismatch) == 1);
}

TEST_CASE("a proxy's false claim outlives other MACs' claims for its address") {
    // The table holds three claimers per address: a fourth pushes out the one that matters least,
    // not the proxy whose reply the phone's ARP cache still follows.
    constexpr Mac kA = 0x00aa00000001, kB = 0x00aa00000002, kC = 0x00aa00000003;
    SECTION("the owner's own reply and two announcements while the owner is quiet") {
        Rig r;
        r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);
        r.arp(1.0, 2, kProxy, kCmIp, kPhoneIp);        // 2: mismatch
        r.arp(1.0002, 2, kCm, kCmIp, kPhoneIp);        // 3: the owner's own reply
        r.arp(3.0, 1, kA, kCmIp, kCmIp, true);         // 4: waiting
        r.arp(4.0, 1, kB, kCmIp, kCmIp, true);         // 5: waiting
        r.ip(5.0, kPhone, kProxy, kPhoneIp, kCmIp, true);
        REQUIRE(r.at(r.number).size() == 1);
        CHECK(r.at(r.number)[0].raised(Expert::Misdirected));
        CHECK(r.at(r.number)[0].get(Field::ArpFrame) == 2);
    }
    SECTION("the proxy answered last before a fourth MAC claimed the address") {
        Rig r;
        r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);
        r.arp(1.0, 2, kProxy, kCmIp, kPhoneIp);        // 2
        r.arp(2.0, 2, kA, kCmIp, 0x0a0a0a83);          // 3
        r.arp(3.0, 2, kB, kCmIp, 0x0a0a0a84);          // 4
        r.arp(4.0, 2, kProxy, kCmIp, kPhoneIp);        // 5: the proxy again
        r.arp(5.0, 2, kC, kCmIp, 0x0a0a0a85);          // 6: pushes out A, heard from longest ago
        r.ip(6.0, kPhone, kProxy, kPhoneIp, kCmIp, true);
        REQUIRE(r.at(r.number).size() == 1);
        CHECK(r.at(r.number)[0].raised(Expert::Misdirected));
        CHECK(r.at(r.number)[0].get(Field::ArpFrame) == 5);
    }
}

TEST_CASE("a claimer announcing the address again and again is still contradicted by the owner's frames") {
    // A host that keeps announcing the call manager's address twice a second (a spoofing tool's
    // gratuitous replies) while the call manager keeps sending: only its frames within 1 s of the
    // first announcement may have been in flight.
    constexpr Mac kIntruder = 0x3c5282aabbcc;
    Rig r;
    r.ip(0.0, kCm, kPhone, kCmIp, kPhoneIp);
    std::uint32_t first = 0, confirmed = 0;
    for (int k = 0; k < 40; ++k) {
        const double t = 10.0 + k * 0.5;
        r.arp(t, 2, kIntruder, kCmIp, kCmIp, true);
        if (k == 0) first = r.number;
        r.ip(t + 0.2, kCm, kPhone, kCmIp, kPhoneIp);
        if (confirmed == 0 && !r.at(r.number).empty()) confirmed = r.number;
    }
    CHECK(r.count(Expert::ArpMismatch) == 1);
    REQUIRE(confirmed != 0);
    CHECK(confirmed == first + 5);  // the call manager's frame at 11.2 s, after the announcement at 11.0 s
    const auto a = r.at(confirmed);
    REQUIRE(a.size() == 1);
    CHECK(static_cast<Mac>(a[0].get(Field::ArpClaimedMac)) == kIntruder);
    CHECK(a[0].get(Field::ArpFrame) == confirmed - 1);
}

TEST_CASE("ARP messages at their longest stay under Wireshark's 240-character item label") {
    // The widest address, 10-digit counts and frame numbers. A mismatch names the claim's frame or
    // the owner's (225 characters), never both.
    const StringTable strings;
    for (const Field frame : {Field::ArpFrame, Field::OwnerFrame}) {
        Annotation a;
        a.set(Field::ArpIp, 0xdededede);
        a.set(Field::ArpClaimedMac, 0xdededededede);
        a.set(Field::ArpOwnerMac, 0xdededededede);
        a.set(Field::ArpClaims, 4294967295);
        a.set(frame, 4294967295);
        CHECK(expert_message(Expert::ArpMismatch, a, strings, Config{}).size() < 240);
        a.set(frame == Field::ArpFrame ? Field::OwnerFrame : Field::ArpFrame, 4294967295);
        CHECK(expert_message(Expert::Misdirected, a, strings, Config{}).size() < 240);
    }
}
