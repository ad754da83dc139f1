// The per-frame cache and interned strings.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <limits>
#include <string>

#include "core/findings.h"
#include "core/messages.h"

using namespace ka;

TEST_CASE("an annotation survives the cache round trip exactly") {
    FindingStore store;
    Annotation a;
    a.subject = Subject::SipRefresh;
    a.role = Role::Backup;
    a.endpoint = 7;
    a.server = 9;
    a.set(Field::RefreshLateness, -1'500'000'000);
    a.set(Field::RefreshExpected, std::numeric_limits<std::int64_t>::max());
    a.set(Field::SessionEvent, 3);
    a.raise(Expert::GraceBreach);
    a.raise(Expert::PathLoss);
    store.add(12, a);

    REQUIRE(store.count(12) == 1);
    Annotation b = store.get(12, 0);
    CHECK(b.subject == Subject::SipRefresh);
    CHECK(b.role == Role::Backup);
    CHECK(b.endpoint == 7);
    CHECK(b.server == 9);
    CHECK(b.get(Field::RefreshLateness) == -1'500'000'000);
    CHECK(b.get(Field::RefreshExpected) == std::numeric_limits<std::int64_t>::max());
    CHECK(b.get(Field::SessionEvent) == 3);
    CHECK_FALSE(b.has(Field::RefreshMargin));
    CHECK(b.raised(Expert::GraceBreach));
    CHECK(b.raised(Expert::PathLoss));
    CHECK_FALSE(b.raised(Expert::Retransmission));
    CHECK(b.present_mask() == a.present_mask());
}

TEST_CASE("several annotations per frame, frames without annotations") {
    FindingStore store;
    for (std::uint32_t frame : {3u, 3u, 5u}) {
        Annotation a;
        a.set(Field::RetransCount, frame);
        a.endpoint = frame;
        store.add(frame, a);
    }
    CHECK(store.count(1) == 0);
    CHECK(store.count(3) == 2);
    CHECK(store.count(4) == 0);
    CHECK(store.count(5) == 1);
    CHECK(store.get(5, 0).get(Field::RetransCount) == 5);
    CHECK(store.get(3, 1).endpoint == 3);
    CHECK(store.get(3, 2).subject == Subject::None);  // out of range: empty
    CHECK(store.get(4, 0).present_mask() == 0);
}

TEST_CASE("a frame added out of order is still found") {
    FindingStore store;
    Annotation a;
    a.set(Field::SccpMissed, 1);
    store.add(10, a);
    a.set(Field::SccpMissed, 2);
    store.add(4, a);
    CHECK(store.get(4, 0).get(Field::SccpMissed) == 2);
    CHECK(store.get(10, 0).get(Field::SccpMissed) == 1);
}

TEST_CASE("strings are interned once; id 0 is the empty string") {
    StringTable t;
    CHECK(t.get(0).empty());
    std::uint32_t a = t.intern("SEP0024142DDF24");
    for (int i = 0; i < 1000; ++i) t.intern("other" + std::to_string(i));  // grow past any reallocation
    CHECK(t.intern("SEP0024142DDF24") == a);
    CHECK(t.get(a) == "SEP0024142DDF24");
    CHECK(t.find("SEP0024142DDF24") == a);
    CHECK(t.find("absent") == 0);
    CHECK(t.intern("") == 0);
    CHECK(t.get(999999) .empty());
}

TEST_CASE("strings are kept as valid UTF-8, each byte of an ill-formed sequence as U+FFFD") {
    StringTable t;
    const std::string bad("SEP0024\xff\xfe" "42DDF\xc3", 15);
    const std::uint32_t id = t.intern(bad);
    CHECK(t.get(id) == "SEP0024\xef\xbf\xbd\xef\xbf\xbd" "42DDF\xef\xbf\xbd");
    CHECK(t.intern(bad) == id);
    CHECK(t.find(bad) == id);
    // Well-formed text is kept as it is; overlong forms, surrogates and code points past U+10FFFF
    // are not well-formed (RFC 3629).
    for (const char* ok : {"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x93\x9e", "\xf4\x8f\xbf\xbf", "\x7f"})
        CHECK(t.get(t.intern(ok)) == ok);
    for (const char* bad_form : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xe2\x82"}) {
        CAPTURE(bad_form);
        const std::string& kept = t.get(t.intern(bad_form));
        CHECK(kept.size() == 3 * std::string(bad_form).size());
        CHECK(kept.find("\xef\xbf\xbd") == 0);
    }
}

TEST_CASE("the cache keeps every kind of value exactly, and small") {
    FindingStore store;
    const Nanos t = 1'700'000'000LL * kSecond + 123'456'789;
    Annotation a;
    a.subject = Subject::SipRefresh;
    a.endpoint = 20000;
    a.server = 2;
    a.set(Field::ExpiresGranted, 120);
    a.set(Field::RefreshExpected, t - 3 * kMillisecond);
    a.set(Field::RefreshDeadline, t + 15 * kSecond - 3 * kMillisecond);
    a.set(Field::RefreshInterval, 115 * kSecond + 7);
    a.set(Field::RefreshLateness, 3 * kMillisecond);
    a.set(Field::RefreshPrev, 1'000'000 - 12);
    a.set(Field::RefreshNumber, 31);
    a.set(Field::DeliveryFrame, 1'000'000 + 2);
    a.set(Field::ForecastTime, std::numeric_limits<std::int64_t>::min());
    a.set(Field::ArpClaimedMac, 0x005056'9010cf);
    a.raise(Expert::RefreshLate);
    store.add(1'000'000, a);
    Annotation b = a;
    b.set(Field::RefreshExpected, t + kSecond);
    b.set(Field::RetransOriginal, 0);
    store.add(1'000'000, b);

    REQUIRE(store.count(1'000'000) == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const Annotation& want = i == 0 ? a : b;
        Annotation got = store.get(1'000'000, i);
        CHECK(got.present_mask() == want.present_mask());
        CHECK(got.subject == want.subject);
        CHECK(got.endpoint == want.endpoint);
        CHECK(got.experts() == want.experts());
        for (std::size_t f = 0; f < kFieldCount; ++f)
            if (want.has(static_cast<Field>(f))) CHECK(got.get(static_cast<Field>(f)) == want.get(static_cast<Field>(f)));
    }
    // Small: a fixed layout (8 bytes per value, 24 per header) takes 216 bytes per frame for these
    // two; here about 100 and the count byte, plus what the last chunk of the arena leaves unused
    // (at most 1 MiB over 100,000 frames: about 10 bytes each).
    FindingStore many;
    constexpr std::uint32_t kFrames = 100'000;
    for (std::uint32_t f = 1; f <= kFrames; ++f) {
        a.set(Field::RefreshPrev, f > 12 ? f - 12 : 0);
        a.set(Field::DeliveryFrame, f + 2);
        many.add(f, a);
        many.add(f, b);
    }
    const std::size_t per_frame = (many.bytes() - (kFrames + 1) * sizeof(std::uint32_t)) / kFrames;
    CHECK(per_frame <= 120);
    CHECK(many.count(kFrames) == 2);
    CHECK(many.get(kFrames, 0).get(Field::DeliveryFrame) == kFrames + 2);
}

TEST_CASE("a frame number far beyond the others is not kept (the index is an array by frame)") {
    FindingStore store;
    Annotation a;
    a.set(Field::SccpMissed, 1);
    store.add(5, a);
    store.add(5 + FindingStore::kMaxFrameJump + 100, a);
    CHECK(store.count(5 + FindingStore::kMaxFrameJump + 100) == 0);
    // The arena's first chunk (4 KiB) and a few offsets, not an index of a million frames.
    CHECK(store.bytes() < 8192);
    CHECK(store.count(5) == 1);
}

TEST_CASE("a frame's experts are read without decoding its annotations") {
    FindingStore store;
    Annotation quiet;
    quiet.set(Field::RefreshNumber, 4);
    quiet.set(Field::RefreshExpected, 1'700'000'000LL * kSecond);
    Annotation late = quiet;
    late.set(Field::RefreshLateness, 2 * kSecond);
    late.raise(Expert::RefreshLate);
    Annotation resent;
    resent.set(Field::RetransCount, 1);
    resent.raise(Expert::Retransmission);
    resent.raise(Expert::LossPattern);
    store.add(7, quiet);
    store.add(8, quiet);
    store.add(8, late);
    store.add(8, resent);
    CHECK(store.experts(7) == 0);
    CHECK(store.experts(8) == (late.experts() | resent.experts()));
    CHECK(store.experts(8) != 0);
    CHECK(store.experts(9) == 0);
    CHECK(store.experts(1'000'000) == 0);
    // Frames either side of a 64-frame boundary.
    store.add(63, quiet);
    store.add(64, late);
    CHECK(store.experts(63) == 0);
    CHECK(store.experts(64) == late.experts());
    CHECK(store.experts(65) == 0);
}

TEST_CASE("messages read right at the preferences' smallest values") {
    StringTable strings;
    Config config;
    config.grace_window = 0;
    Annotation loss;
    loss.set(Field::LossConsecutive, 1);  // loss_pattern_min 1
    loss.set(Field::IdleInterval, seconds(115));
    CHECK(expert_message(Expert::LossPattern, loss, strings, config) ==
          "1 refresh lost its first transmission after 115.0 s idle: state in the path ages out (switch port "
          "security or MAC aging, NAT or firewall timeout shorter than the idle time?)");
    Annotation first;  // nothing sent before: no idle time known
    first.set(Field::LossConsecutive, 1);
    CHECK(expert_message(Expert::LossPattern, first, strings, config) ==
          "1 refresh lost its first transmission: state in the path ages out (switch port security or MAC aging, "
          "NAT or firewall timeout shorter than the refresh interval?)");
    loss.set(Field::LossConsecutive, 2);
    CHECK(expert_message(Expert::LossPattern, loss, strings, config).rfind("2 consecutive refreshes lost their first", 0) == 0);
    Annotation breach;
    breach.set(Field::GraceOverrun, millis(1500));
    CHECK(expert_message(Expert::GraceBreach, breach, strings, config) ==
          "No refresh delivered within the 0 s grace window: 1.5 s past it, registrar likely unregistered the phone");
    config.sccp_missed_threshold = 1;
    Annotation missed;
    missed.subject = Subject::SccpKeepalive;
    missed.set(Field::SccpRequestFrame, 28);
    missed.set(Field::SccpInterval, 30);
    missed.set(Field::SccpMissed, 1);
    CHECK(expert_message(Expert::KeepaliveUnacked, missed, strings, config) ==
          "KeepAliveReq to the primary in frame 28 got no KeepAliveAck before this one (1 keepalive without ack)");
    CHECK(expert_message(Expert::Failover, missed, strings, config) ==
          "Delayed failover threshold reached: 1 keepalive unacknowledged at a 30 s interval; the phone fails over to "
          "its backup call manager");
    missed.set(Field::SccpMissed, 2);
    CHECK(expert_message(Expert::KeepaliveUnacked, missed, strings, config) ==
          "KeepAliveReq to the primary in frame 28 got no KeepAliveAck before this one (2 consecutive keepalives without ack)");
    // sccp_interval 0: no interval was applied, so none is named.
    missed.set(Field::SccpInterval, 0);
    CHECK(expert_message(Expert::Failover, missed, strings, config) ==
          "Delayed failover threshold reached: 2 consecutive keepalives unacknowledged; the phone fails over to its "
          "backup call manager");
    missed.subject = Subject::SccpMissed;
    CHECK(expert_message(Expert::KeepaliveUnacked, missed, strings, config) ==
          "KeepAliveReq to the primary in frame 28 not acknowledged (2 consecutive keepalives without ack)");
    // A SIP de-registration carrying a session event (after a capture gap: the 2xx before it unseen).
    Annotation dereg;
    dereg.subject = Subject::SipRefresh;
    dereg.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
    CHECK(expert_message(Expert::Unregister, dereg, strings, config) ==
          "De-registration (Expires 0): the binding no longer expects refreshes");
    Annotation reset;
    reset.subject = Subject::SccpSessionEvent;
    reset.set(Field::SessionEvent, static_cast<std::int64_t>(SessionEvent::Reset));
    CHECK(expert_message(Expert::Unregister, reset, strings, config) ==
          "TCP reset ended the SCCP session without unregistration");
}

TEST_CASE("the verdict calls a refresh late only when refresh_late does") {
    StringTable strings;
    Annotation a;
    a.subject = Subject::SipRefresh;
    a.endpoint = strings.intern("SEPA44C118F2E61");
    a.set(Field::RefreshNumber, 2);
    a.set(Field::RefreshLateness, 894 * kMicrosecond);  // within the 1 s tolerance
    CHECK(summary(a, strings) == "SEPA44C118F2E61 refresh 2");
    a.set(Field::RefreshLateness, millis(2500));
    a.raise(Expert::RefreshLate);
    CHECK(summary(a, strings) == "SEPA44C118F2E61 refresh 2, 2.5 s late");
}

TEST_CASE("the verdict gives a resent message's rank and a delivery's total of retransmissions") {
    StringTable strings;
    Annotation a;
    a.subject = Subject::SipRetransmission;
    a.endpoint = strings.intern("SEPA44C118F2E61");
    a.set(Field::RefreshNumber, 1);
    a.set(Field::RetransCount, 9);
    CHECK(summary(a, strings) == "SEPA44C118F2E61 refresh 1 resent, retransmission 9");
    a.subject = Subject::SipResponse;
    CHECK(summary(a, strings) == "SEPA44C118F2E61 refresh 1, 9 retransmissions");
    Annotation k;
    k.subject = Subject::SccpRetransmission;
    k.endpoint = a.endpoint;
    k.set(Field::RetransCount, 1);
    CHECK(summary(k, strings) == "SEPA44C118F2E61 keepalive resent, retransmission 1");
}

TEST_CASE("an ARP verdict on the owner's frame names the claim's frame in its title") {
    StringTable strings;
    Annotation a;
    a.subject = Subject::Arp;
    a.endpoint = strings.intern("10.10.10.202");
    a.raise(Expert::ArpMismatch);
    CHECK(summary(a, strings) == "10.10.10.202 ARP, proxy ARP or spoofing");
    a.set(Field::ArpFrame, 6);
    CHECK(summary(a, strings) == "10.10.10.202 ARP claim in frame 6, proxy ARP or spoofing");
}

TEST_CASE("a message cut short says so, in one text for every frame, and survives the cache") {
    StringTable strings;
    FindingStore store;
    Annotation a;
    a.subject = Subject::SipTruncated;
    a.endpoint = strings.intern("10.34.0.11");
    a.raise(Expert::Truncated);
    store.add(1, a);
    const Annotation b = store.get(1, 0);
    CHECK(b.subject == Subject::SipTruncated);
    CHECK(b.experts() == 1u << static_cast<unsigned>(Expert::Truncated));
    CHECK(summary(b, strings) == "10.34.0.11 cut short, not analysed");
    CHECK(expert_message(Expert::Truncated, b, strings, Config{}) ==
          "Cut short by the capture's snap length: not analysed (capture whole frames, e.g. tcpdump -s 0)");
    CHECK(std::string(info_tag(Expert::Truncated)) == "cut short");
    CHECK(is_sip(b.subject));
}

TEST_CASE("a capture gap's message names the silence, its last frame before and what was not judged") {
    StringTable strings;
    Annotation a;
    a.subject = Subject::CaptureGap;
    a.set(Field::CaptureGap, seconds(65) + millis(50));
    a.set(Field::CaptureGapFrame, 9708);
    a.set(Field::CaptureUnjudged, 1);
    a.raise(Expert::CaptureGap);
    const std::string m = expert_message(Expert::CaptureGap, a, strings, Config{});
    CHECK(m == "Nothing captured for 65.0 s after frame 9708 of steady traffic: the capture missed frames (merged "
               "files, a capture restarted or stalled); 1 refresh or keepalive due then not judged");
    CHECK(m.size() < 240);  // Wireshark cuts an item's label there
    a.set(Field::CaptureUnjudged, 25000);
    CHECK(expert_message(Expert::CaptureGap, a, strings, Config{}).size() < 240);
    CHECK(summary(a, strings) == "capture gap of 65.0 s");
    CHECK(std::string(info_tag(Expert::CaptureGap)) == "capture gap");
}

TEST_CASE("a clock step's message names the frames on either side, how far, and what was not judged") {
    StringTable strings;
    Annotation a;
    a.subject = Subject::ClockStep;
    a.set(Field::ClockStep, -(seconds(85) + millis(20)));
    a.set(Field::CaptureGapFrame, 8);
    a.set(Field::ClockStepFrame, 9);
    a.set(Field::CaptureUnjudged, 1);
    a.raise(Expert::ClockStep);
    CHECK(expert_message(Expert::ClockStep, a, strings, Config{}) ==
          "The capture's clock stepped back: frame 9 is stamped 85.0 s before frame 8; times on either side do not "
          "compare: 1 refresh or keepalive expected then not timed across it");
    CHECK(summary(a, strings) == "clock stepped back 85.0 s");
    CHECK(std::string(info_tag(Expert::ClockStep)) == "clock step");
    a.set(Field::ClockStep, seconds(315));
    a.set(Field::CaptureGapFrame, 10);
    a.set(Field::CaptureUnjudged, 25000);
    const std::string m = expert_message(Expert::ClockStep, a, strings, Config{});
    CHECK(m == "The capture's clock, set back at frame 9, jumped 315.0 s ahead after frame 10, past where it stood; "
               "times on either side do not compare: 25000 refreshes and keepalives expected then not timed across "
               "it");
    CHECK(m.size() < 240);  // Wireshark cuts an item's label there
    CHECK(summary(a, strings) == "clock stepped ahead 315.0 s");
}

TEST_CASE("a step between two capture points' clocks names the other point, how far, and the offset since") {
    StringTable strings;
    Annotation a;
    a.subject = Subject::ClockStep;
    a.set(Field::ClockStep, -seconds(60));
    a.set(Field::ClockOffset, -(seconds(54) + millis(683)));
    a.set(Field::PeerInterface, 1);
    a.set(Field::CaptureUnjudged, 1);
    a.raise(Expert::ClockStep);
    CHECK(expert_message(Expert::ClockStep, a, strings, Config{}) ==
          "The clock of capture point 1 stepped back 60.0 s against this frame's point (offset now -54.7 s); times on "
          "either side do not compare: 1 refresh or keepalive expected then not timed across it");
    a.set(Field::ClockStep, seconds(3600));
    a.set(Field::ClockOffset, seconds(3605));
    a.set(Field::PeerInterface, 63);
    a.set(Field::CaptureUnjudged, 25000);
    const std::string m = expert_message(Expert::ClockStep, a, strings, Config{});
    CHECK(m == "The clock of capture point 63 stepped ahead 60 min 0 s against this frame's point (offset now +60 min 5 s); "
               "times on either side do not compare: 25000 refreshes and keepalives expected then not timed across it");
    CHECK(m.size() < 240);
    CHECK(summary(a, strings) == "clock stepped ahead 60 min 0 s");
}
