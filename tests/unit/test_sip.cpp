// SIP registration analysis on hand-built frames: bindings, attempts, TCP byte ranges, deadlines.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/engine.h"
#include "core/messages.h"
#include "core/sip_contact.h"

using namespace ka;

namespace {

const IpAddr kPhone = IpAddr::v4(0x0a000005);      // 10.0.0.5
const IpAddr kRegistrar = IpAddr::v4(0x0a000001);  // 10.0.0.1
const IpAddr kScanner = IpAddr::v4(0xcb007142);    // 203.0.113.66: a SIP scanner on the internet
constexpr std::uint16_t kPhonePort = 5060, kRegistrarPort = 5060;
const Nanos kT0 = seconds(1'700'000'000);

// Builds frames the way the glue fills them; owns the strings their views point to.
class Wire {
public:
    std::string_view keep(std::string s) {
        strings_.push_back(std::move(s));
        return strings_.back();
    }

    Frame frame(std::uint32_t number, Nanos t, bool to_server, Transport tr = Transport::Udp) {
        Frame f;
        f.number = number;
        f.time = t;
        f.src_ip = to_server ? kPhone : kRegistrar;
        f.dst_ip = to_server ? kRegistrar : kPhone;
        f.src_port = to_server ? kPhonePort : kRegistrarPort;
        f.dst_port = to_server ? kRegistrarPort : kPhonePort;
        f.transport = tr;
        return f;
    }

    // TCP facts of a frame: relative seq, payload length, ack, flags.
    static void tcp(Frame& f, std::uint32_t stream, std::uint32_t seq, std::uint32_t len, std::uint32_t ack,
                    bool retransmission = false) {
        f.tcp.present = true;
        f.tcp.stream = stream;
        f.tcp.seq = seq;
        f.tcp.len = len;
        f.tcp.ack = ack;
        f.tcp.flags = TcpInfo::kAck | (len ? TcpInfo::kPsh : 0);
        f.tcp.retransmission = retransmission;
        f.tcp.resent = retransmission ? len : 0;
    }

    SipMessage& add_register(Frame& f, const std::string& call_id, std::uint32_t cseq,
                             const std::vector<std::string>& params, const std::string& contact = "sip:100@10.0.0.5:5060",
                             const std::string& aor = "sip:100@10.0.0.1") {
        SipMessage m;
        m.is_request = true;
        m.method = "REGISTER";
        m.call_id = keep(call_id);
        m.cseq = cseq;
        m.cseq_method = "REGISTER";
        m.to_addr = keep(aor);
        add_contact(f, m, contact, params);
        f.sip.push_back(m);
        return f.sip.back();
    }

    SipMessage& add_response(Frame& f, std::uint32_t status, const std::string& call_id, std::uint32_t cseq,
                             const std::vector<std::string>& params = {}, const std::string& contact = "sip:100@10.0.0.5:5060",
                             const std::string& aor = "sip:100@10.0.0.1") {
        SipMessage m;
        m.status = status;
        m.call_id = keep(call_id);
        m.cseq = cseq;
        m.cseq_method = "REGISTER";
        m.to_addr = keep(aor);
        if (!params.empty()) add_contact(f, m, contact, params);
        f.sip.push_back(m);
        return f.sip.back();
    }

    // "Contact: *" with Expires 0: every binding of `aor` at the registrar removed.
    void add_removal(Frame& f, const std::string& call_id, std::uint32_t cseq, const std::string& aor = "sip:100@10.0.0.1") {
        SipMessage& m = add_register(f, call_id, cseq, {}, "*", aor);
        m.has_expires = true;
        m.expires = 0;
    }

    void add_contact_to(Frame& f, SipMessage& m, const std::string& uri, const std::vector<std::string>& params) {
        add_contact(f, m, uri, params);
    }

private:
    void add_contact(Frame& f, SipMessage& m, const std::string& uri, const std::vector<std::string>& params) {
        SipContact c;
        c.uri = keep(uri);
        c.first_param = static_cast<std::uint32_t>(f.contact_params.size());
        c.param_count = static_cast<std::uint32_t>(params.size());
        for (const std::string& p : params) f.contact_params.push_back(keep(p));
        if (m.contact_count == 0) m.first_contact = static_cast<std::uint32_t>(f.contacts.size());
        ++m.contact_count;
        f.contacts.push_back(c);
    }

    std::deque<std::string> strings_;
};

struct Run {
    Engine engine{Config{}};
    std::vector<std::uint32_t> frames;
    explicit Run(const Config& c = Config{}) : engine(c) {}

    void operator()(Frame f) { engine.process(f); }
    std::vector<Annotation> at(std::uint32_t frame) const {
        std::vector<Annotation> v;
        for (std::size_t i = 0; i < engine.count(frame); ++i) v.push_back(engine.get(frame, i));
        return v;
    }
    Annotation one(std::uint32_t frame) const {
        auto v = at(frame);
        REQUIRE(v.size() == 1);
        return v[0];
    }
    int experts(Expert e, std::uint32_t last_frame) const {
        int n = 0;
        for (std::uint32_t i = 1; i <= last_frame; ++i)
            for (const Annotation& a : at(i)) n += a.raised(e);
        return n;
    }
    const std::string& str(std::uint32_t id) const { return engine.strings().get(id); }
};

const std::vector<std::string> kCisco = {"+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-0024142ddf24>\"",
                                         "+u.sip!devicename.ccm.cisco.com=\"SEP0024142DDF24\""};

std::vector<std::string> with(std::vector<std::string> v, const std::string& p) {
    v.push_back(p);
    return v;
}

// Frames 1 and 2: the registration (Call-ID "c", CSeq 1) and its 200 OK at kT0 + 10 ms, granting
// 120 s: the next refresh is expected at kT0 + 10 ms + 115 s, its deadline 15 s later. Over TCP,
// stream 1: the REGISTER's bytes are [1, 501), the 200 OK's [1, 401). `answer` changes the 200 OK
// before it is fed (another sender, another interface).
template <typename Feed>
void registered(Wire& w, Feed&& run, Transport tr, const std::function<void(Frame&)>& answer = nullptr) {
    Frame reg = w.frame(1, kT0, true, tr);
    Frame ok = w.frame(2, kT0 + millis(10), false, tr);
    if (answer) answer(ok);
    if (tr == Transport::Tcp) {
        Wire::tcp(reg, 1, 1, 500, 1);
        Wire::tcp(ok, 1, 1, 400, 501);
    }
    w.add_register(reg, "c", 1, kCisco).length = tr == Transport::Tcp ? 500 : 0;
    run(reg);
    w.add_response(ok, 200, "c", 1, with(kCisco, "expires=120"));
    run(ok);
}

// Frame n: the phone's REGISTER over UDP (Call-ID "c") at t.
void send_register(Wire& w, Run& run, std::uint32_t n, Nanos t, std::uint32_t cseq) {
    Frame f = w.frame(n, t, true);
    w.add_register(f, "c", cseq, kCisco);
    run(f);
}

// Frames 1 and 2: the phone's REGISTER (Call-ID `call`, CSeq 1) at kT0 and the registrar's 401
// challenge 5 ms later.
void challenged(Wire& w, Run& run, const std::string& call) {
    Frame reg = w.frame(1, kT0, true);
    w.add_register(reg, call, 1, kCisco);
    run(reg);
    Frame challenge = w.frame(2, kT0 + millis(5), false);
    w.add_response(challenge, 401, call, 1);
    run(challenge);
}

// After registered() over TCP, frame n: the phone's REGISTER of refresh 2 (CSeq 2) at t, bytes
// [seq, seq + 500) of stream 1.
void send_register_tcp(Wire& w, Run& run, std::uint32_t n, Nanos t, std::uint32_t seq = 501) {
    Frame f = w.frame(n, t, true, Transport::Tcp);
    Wire::tcp(f, 1, seq, 500, 401);
    w.add_register(f, "c", 2, kCisco).length = 500;
    run(f);
}

// Frame n: the registrar's ACK up to `ack` at t; by default, of that REGISTER.
void registrar_ack(Wire& w, Run& run, std::uint32_t n, Nanos t, std::uint32_t ack = 1001) {
    Frame f = w.frame(n, t, false, Transport::Tcp);
    Wire::tcp(f, 1, 401, 0, ack);
    run(f);
}

// Ethernet addresses for a frame: sent from `src` to the registrar's MAC.
void from_mac(Frame& f, Mac src) {
    f.has_eth = true;
    f.eth_src = src;
    f.eth_dst = 0x005056000001;
}

// Frames 1 and 2: the registration of a phone without +sip.instance (Call-ID "c", CSeq 1, its
// contact by URI only) from 10.0.0.5, its frames from MAC `mac` (0: no Ethernet), and its 200 OK
// at kT0 + 10 ms granting 120 s: the deadline is kT0 + 10 ms + 130 s.
void registered_by_uri(Wire& w, Run& run, Mac mac = 0) {
    Frame reg = w.frame(1, kT0, true);
    if (mac) from_mac(reg, mac);
    w.add_register(reg, "c", 1, {});
    run(reg);
    Frame ok = w.frame(2, kT0 + millis(10), false);
    w.add_response(ok, 200, "c", 1, {"expires=120"});
    run(ok);
}

// Frame n: another host's, of no binding, at t: a deadline before it has passed.
void unrelated(Wire& w, Run& run, std::uint32_t n, Nanos t) {
    Frame f = w.frame(n, t, false);
    f.src_ip = IpAddr::v4(0x0a0000fe);
    run(f);
}

// Frames n + 1 and n + 2: `from` registers `contact` of `aor` under `call_id` at t, and the
// registrar grants it `expires` s 1 ms later. Returns the grant's deadline.
Nanos granted(Wire& w, Run& run, std::uint32_t& n, Nanos t, const IpAddr& from, const std::string& call_id,
              const std::string& contact, const std::string& aor, std::uint32_t expires) {
    Frame f = w.frame(++n, t, true);
    f.src_ip = from;
    w.add_register(f, call_id, 1, {}, contact, aor);
    run(f);
    Frame ok = w.frame(++n, t + millis(1), false);
    ok.dst_ip = from;
    w.add_response(ok, 200, call_id, 1, {"expires=" + std::to_string(expires)}, contact, aor);
    run(ok);
    return run.one(n).get(Field::RefreshDeadline);
}

// Frame n at t: an ICMP destination unreachable about `phone`'s datagrams to the registrar's port.
void unreachable(Wire& w, Run& run, std::uint32_t n, Nanos t, const IpAddr& phone, std::uint16_t registrar_port) {
    Frame f = w.frame(n, t, false);
    f.transport = Transport::None;
    f.src_port = f.dst_port = 0;
    f.unreachable = {true, phone, kRegistrar, kPhonePort, registrar_port};
    run(f);
}

// After registered(): the next refresh's expected time and deadline.
template <Transport kTransport>
struct Registered {
    Wire w;
    Run run;
    const Nanos expected = kT0 + millis(10) + seconds(115);
    const Nanos deadline = expected + seconds(15);
    Registered() { registered(w, run, kTransport); }
};
using RegisteredUdp = Registered<Transport::Udp>;
using RegisteredTcp = Registered<Transport::Tcp>;


}  // namespace

TEST_CASE("contact parameters: quoted, odd case, garbage and huge values") {
    std::uint32_t v = 7;
    CHECK(sip::parse_seconds("120", v));
    CHECK(v == 120);
    CHECK(sip::parse_seconds(" \"3600\" ", v));
    CHECK(v == 3600);
    CHECK(sip::parse_seconds("99999999999999999999", v));
    CHECK(v == 4294967295u);
    CHECK_FALSE(sip::parse_seconds("12a", v));
    CHECK_FALSE(sip::parse_seconds("-5", v));
    CHECK_FALSE(sip::parse_seconds("\"\"", v));
    std::string_view value;
    CHECK(sip::param_named("EXPIRES=\"60\"", "expires", value));
    CHECK(value == "60");
    CHECK(sip::param_named(" Cisco-Keep-Alive", "cisco-keep-alive", value));
    CHECK(value.empty());
    CHECK_FALSE(sip::param_named("expiresx=1", "expires", value));

    Wire w;
    Frame f = w.frame(1, kT0, true);
    w.add_register(f, "c1", 1, {"Expires=\"0\"", "cisco-KEEP-alive", "+sip.instance=\"<urn:uuid:1>\"",
                                "+U.SIP!DeviceName.ccm.cisco.com=\"SEP1\""},
                   " sip:1@10.0.0.5:5060;line=abc;transport=tcp");
    sip::ContactFacts c = sip::contact_facts(f, f.contacts[0]);
    CHECK(c.address == "sip:1@10.0.0.5:5060");
    CHECK(c.instance == "<urn:uuid:1>");
    CHECK(c.device_name == "SEP1");
    CHECK(c.has_expires);
    CHECK(c.expires == 0);
    CHECK(c.keep_alive);

    // Parameters of the user part stay: two numbers at two hosts are two contacts.
    Frame g = w.frame(2, kT0, true);
    w.add_register(g, "c2", 1, {}, "sip:+4930123;npdi;rn=+4930999@10.0.0.6:5060;transport=tcp");
    CHECK(sip::contact_facts(g, g.contacts[0]).address == "sip:+4930123;npdi;rn=+4930999@10.0.0.6:5060");
}

TEST_CASE("a 401 challenge and the authenticated retry are one attempt; the next refresh is measured from the 2xx") {
    Wire w;
    Run run;
    challenged(w, run, "call-a");
    Frame f3 = w.frame(3, kT0 + millis(10), true);
    w.add_register(f3, "call-a", 2, kCisco);
    run(f3);
    Frame f4 = w.frame(4, kT0 + millis(20), false);
    w.add_response(f4, 200, "call-a", 2, with(kCisco, "expires=120"));
    run(f4);

    Annotation a1 = run.one(1);
    CHECK(a1.subject == Subject::SipRefresh);
    CHECK(a1.get(Field::RefreshNumber) == 1);
    CHECK(run.str(a1.endpoint) == "SEP0024142DDF24");
    CHECK(run.str(a1.server) == "10.0.0.1:5060/udp");
    CHECK(a1.role == Role::Primary);
    CHECK(run.one(3).subject == Subject::SipRequest);
    CHECK(run.one(3).get(Field::RefreshNumber) == 1);
    CHECK_FALSE(run.one(2).has(Field::RefreshMargin));
    Annotation ok = run.one(4);
    CHECK(ok.get(Field::ExpiresGranted) == 120);
    const Nanos expected = kT0 + millis(20) + seconds(115);
    CHECK(ok.get(Field::RefreshExpected) == expected);
    CHECK(ok.get(Field::RefreshDeadline) == expected + seconds(15));

    // The phone restarts: new Call-ID, same binding, 2 s late (beyond the 1 s tolerance).
    Frame f5 = w.frame(5, expected + seconds(2), true);
    w.add_register(f5, "call-b", 1, kCisco);
    run(f5);
    Annotation r = run.one(5);
    CHECK(r.subject == Subject::SipRefresh);
    CHECK(r.get(Field::RefreshNumber) == 2);
    CHECK(r.get(Field::RefreshLateness) == seconds(2));
    CHECK(r.get(Field::RefreshInterval) == seconds(117));
    CHECK(r.get(Field::RefreshPrev) == 4);
    CHECK(r.raised(Expert::RefreshLate));
    Frame f6 = w.frame(6, expected + seconds(3), false);
    w.add_response(f6, 200, "call-b", 1, with(kCisco, "expires=120"));
    run(f6);
    CHECK(run.one(6).get(Field::RefreshMargin) == seconds(12));
    CHECK(run.experts(Expert::GraceBreach, 6) == 0);
}

TEST_CASE("a challenge answered with the same CSeq (against RFC 3261 22.2) reads as a resend, and its 2xx grants") {
    Wire w;
    Run run;
    const auto all = [&](std::uint32_t last) {
        int n = 0;
        for (std::size_t e = 0; e < kExpertCount; ++e) n += run.experts(static_cast<Expert>(e), last);
        return n;
    };
    challenged(w, run, "same-cseq");
    // The retry with credentials, CSeq not incremented: the capture cannot tell it from a resend.
    Frame f3 = w.frame(3, kT0 + millis(10), true);
    w.add_register(f3, "same-cseq", 1, kCisco);
    run(f3);
    CHECK(run.one(3).subject == Subject::SipRetransmission);
    CHECK(run.one(3).get(Field::RetransCount) == 1);
    Frame f4 = w.frame(4, kT0 + millis(20), false);
    w.add_response(f4, 200, "same-cseq", 1, with(kCisco, "expires=120"));
    run(f4);
    Annotation ok = run.one(4);
    CHECK(ok.get(Field::ExpiresGranted) == 120);
    const Nanos expected = f4.time + seconds(115);
    CHECK(ok.get(Field::RefreshExpected) == expected);
    // The next refresh is timed from that 2xx: on time.
    Frame f5 = w.frame(5, expected, true);
    w.add_register(f5, "same-cseq", 2, kCisco);
    run(f5);
    CHECK(run.one(5).get(Field::RefreshNumber) == 2);
    CHECK(run.one(5).get(Field::RefreshPrev) == 4);
    CHECK(run.one(5).get(Field::RefreshLateness) == 0);
    CHECK(run.experts(Expert::Retransmission, 5) == 1);
    CHECK(all(5) == 1);
}

TEST_CASE("a challenge lost on its way to the phone: the resend gets it again, and the retry's 2xx grants") {
    Wire w;
    Run run;
    challenged(w, run, "lost-401");
    // Timer E fires (T1 = 500 ms): the registrar answers the resend with the same challenge.
    Frame f3 = w.frame(3, kT0 + millis(500), true);
    w.add_register(f3, "lost-401", 1, kCisco);
    run(f3);
    Frame f4 = w.frame(4, kT0 + millis(505), false);
    w.add_response(f4, 401, "lost-401", 1);
    run(f4);
    Frame f5 = w.frame(5, kT0 + millis(510), true);
    w.add_register(f5, "lost-401", 2, kCisco);
    run(f5);
    Frame f6 = w.frame(6, kT0 + millis(520), false);
    w.add_response(f6, 200, "lost-401", 2, with(kCisco, "expires=120"));
    run(f6);
    CHECK(run.one(3).get(Field::RetransCount) == 1);
    CHECK_FALSE(run.one(4).has(Field::ExpiresGranted));
    CHECK(run.one(5).subject == Subject::SipRequest);
    CHECK(run.one(6).get(Field::ExpiresGranted) == 120);
    CHECK(run.one(6).get(Field::RefreshExpected) == f6.time + seconds(115));
    // Nothing was lost on the way to the registrar, and nothing is late or unanswered: the phone
    // did not send the challenged REGISTER again after the second challenge.
    CHECK(run.experts(Expert::LossPattern, 6) == 0);
    Frame f7 = w.frame(7, f6.time + seconds(115), true);
    w.add_register(f7, "lost-401", 3, kCisco);
    run(f7);
    CHECK(run.one(7).get(Field::RefreshLateness) == 0);
    CHECK(run.experts(Expert::GraceBreach, 7) == 0);
    CHECK(run.experts(Expert::RefreshLate, 7) == 0);
}

TEST_CASE("TCP: a retransmission across the 2^32 wrap is attributed by byte range, delivery by the registrar's ACK") {
    Wire w;
    Run run;
    const std::uint32_t seq = 0xffffff00u, len = 600;  // the request wraps the sequence space
    Frame f1 = w.frame(1, kT0, true, Transport::Tcp);
    Wire::tcp(f1, 7, seq, len, 1);
    SipMessage& m = w.add_register(f1, "c", 1, with(kCisco, "expires=3600"));
    m.length = len;
    run(f1);
    Frame f2 = w.frame(2, kT0 + millis(400), true, Transport::Tcp);
    Wire::tcp(f2, 7, seq, len, 1, true);
    run(f2);
    Frame ack_partial = w.frame(3, kT0 + millis(410), false, Transport::Tcp);
    Wire::tcp(ack_partial, 7, 1, 0, seq + 100);
    run(ack_partial);
    Frame other_stream = w.frame(4, kT0 + millis(415), false, Transport::Tcp);
    Wire::tcp(other_stream, 8, 1, 0, seq + len);
    run(other_stream);
    Frame ack = w.frame(5, kT0 + millis(420), false, Transport::Tcp);
    Wire::tcp(ack, 7, 1, 0, seq + len);  // 0x158 after the wrap
    run(ack);

    Annotation r = run.one(2);
    CHECK(r.subject == Subject::SipRetransmission);
    CHECK(r.get(Field::RetransCount) == 1);
    CHECK(r.get(Field::RetransOriginal) == 1);
    CHECK(r.get(Field::RetransGap) == millis(400));
    CHECK(r.raised(Expert::Retransmission));
    CHECK(run.at(3).empty());
    CHECK(run.at(4).empty());
    Annotation d = run.one(5);
    CHECK(d.subject == Subject::SipResponse);
    CHECK(d.get(Field::RetransCount) == 1);
    CHECK(run.str(d.server) == "10.0.0.1:5060/tcp");

    // The 2xx names the ACK as the delivery.
    Frame ok = w.frame(6, kT0 + millis(430), false, Transport::Tcp);
    Wire::tcp(ok, 7, 1, 300, seq + len);
    w.add_response(ok, 200, "c", 1, with(kCisco, "expires=120"));
    run(ok);
    CHECK(run.one(6).get(Field::DeliveryFrame) == 5);
    CHECK(run.one(6).get(Field::ExpiresGranted) == 120);
}

TEST_CASE("TCP: a segment the decoder calls sent again is a retransmission, however soon; a copy is none") {
    Wire w;
    Run run;
    Frame f1 = w.frame(1, kT0, true, Transport::Tcp);
    Wire::tcp(f1, 7, 1000, 600, 1);
    w.add_register(f1, "c", 1, with(kCisco, "expires=3600")).length = 600;
    run(f1);
    // A router's copy 60 us later (tcp.copy), then a tail-loss probe 2 ms after the request, in a
    // new IP packet (tcp.retransmission).
    Frame copy = w.frame(2, kT0 + 60 * kMicrosecond, true, Transport::Tcp);
    Wire::tcp(copy, 7, 1000, 600, 1);
    copy.tcp.copy = true;
    run(copy);
    Frame probe = w.frame(3, kT0 + millis(2), true, Transport::Tcp);
    Wire::tcp(probe, 7, 1000, 600, 1, true);
    run(probe);
    CHECK(run.at(2).empty());
    Annotation r = run.one(3);
    CHECK(r.get(Field::RetransCount) == 1);
    CHECK(r.get(Field::RetransOriginal) == 1);
    CHECK(r.get(Field::RetransGap) == millis(2));
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a retransmission of a split REGISTER names the segment that first sent its bytes, "
                                "and counts once however many segments it takes") {
    // Refresh 2's bytes [501, 1001): [501, 701) in frame 3, the rest in frame 4 100 us later, where
    // the message ends and is read. The first part is resent alone 400 ms later, then the rest (the
    // same retransmission: it goes on where the first part ended), then the rest again.
    Frame head = w.frame(3, expected, true, Transport::Tcp);
    Wire::tcp(head, 1, 501, 200, 401);
    run(head);
    Frame rest = w.frame(4, expected + 100 * kMicrosecond, true, Transport::Tcp);
    Wire::tcp(rest, 1, 701, 300, 401);
    SipMessage& m = w.add_register(rest, "c", 2, kCisco);
    m.length = 500;
    m.start_frame = 3;
    run(rest);
    CHECK(run.one(4).get(Field::RefreshLateness) == 100 * kMicrosecond);  // timed where it is read
    // Frame n at t: the phone resends bytes [seq, seq + len). Returns its annotation.
    const auto resent = [&](std::uint32_t n, Nanos t, std::uint32_t seq, std::uint32_t len) {
        Frame f = w.frame(n, t, true, Transport::Tcp);
        Wire::tcp(f, 1, seq, len, 401, true);
        run(f);
        return run.one(n);
    };
    const Annotation r = resent(5, expected + millis(400), 501, 200);
    CHECK(r.get(Field::RetransCount) == 1);
    CHECK(r.get(Field::RetransOriginal) == 3);
    CHECK(r.get(Field::RetransGap) == millis(400) - 100 * kMicrosecond);  // since the request was last sent whole
    CHECK(r.raised(Expert::Retransmission));
    const Annotation t = resent(6, expected + millis(800), 701, 300);
    CHECK(t.subject == Subject::SipRetransmission);
    CHECK(t.get(Field::RetransCount) == 1);
    CHECK(t.get(Field::RetransOriginal) == 4);
    CHECK(t.get(Field::RetransGap) == millis(400) - 100 * kMicrosecond);  // the retransmission's
    CHECK_FALSE(t.raised(Expert::Retransmission));  // said on its first segment
    const Annotation u = resent(7, expected + millis(1600), 701, 300);
    CHECK(u.get(Field::RetransCount) == 2);
    CHECK(u.get(Field::RetransOriginal) == 4);
    CHECK(u.get(Field::RetransGap) == millis(1200));
    CHECK(u.raised(Expert::Retransmission));
    Frame ok = w.frame(8, expected + millis(1610), false, Transport::Tcp);
    Wire::tcp(ok, 1, 401, 300, 1001);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    CHECK(run.one(8).get(Field::RetransCount) == 2);  // the total
}

TEST_CASE("several REGISTERs in one TCP segment each get their own byte range") {
    Wire w;
    Run run;
    Frame f1 = w.frame(1, kT0, true, Transport::Tcp);
    Wire::tcp(f1, 3, 1, 1000, 1);
    SipMessage& a = w.add_register(f1, "a", 1, {"expires=120"}, "sip:1@10.0.0.5", "sip:1@10.0.0.1");
    a.length = 400;
    a.tail = 600;  // bytes [1, 401)
    SipMessage& b = w.add_register(f1, "b", 1, {"expires=120"}, "sip:2@10.0.0.5", "sip:2@10.0.0.1");
    b.length = 600;
    b.tail = 0;  // bytes [401, 1001)
    run(f1);
    REQUIRE(run.at(1).size() == 2);
    CHECK(run.str(run.at(1)[0].endpoint) == "sip:1@10.0.0.1");
    CHECK(run.str(run.at(1)[1].endpoint) == "sip:2@10.0.0.1");

    Frame ack = w.frame(2, kT0 + millis(1), false, Transport::Tcp);
    Wire::tcp(ack, 3, 1, 0, 401);
    run(ack);
    Annotation d = run.one(2);
    CHECK(run.str(d.endpoint) == "sip:1@10.0.0.1");

    // A retransmission of the tail of the segment repeats only the second request.
    Frame re = w.frame(3, kT0 + millis(300), true, Transport::Tcp);
    Wire::tcp(re, 3, 401, 600, 1, true);
    run(re);
    Annotation r = run.one(3);
    CHECK(run.str(r.endpoint) == "sip:2@10.0.0.1");
    CHECK(r.get(Field::RetransOriginal) == 1);
}

TEST_CASE_METHOD(RegisteredUdp, "no delivery before the deadline: the breach is reported once, on the first frame past it") {
    // The refresh goes unanswered (UDP, every transmission lost).
    Frame f3 = w.frame(3, deadline - seconds(15), true);
    w.add_register(f3, "c", 2, kCisco);
    run(f3);
    Frame f4 = w.frame(4, deadline, true);  // exactly at the deadline: not past it
    w.add_register(f4, "c", 2, kCisco);
    run(f4);
    Frame unrelated = w.frame(5, deadline + millis(250), false);
    unrelated.src_ip = IpAddr::v4(0x0a0000fe);
    run(unrelated);
    Frame later = w.frame(6, deadline + seconds(1), true);
    w.add_register(later, "c", 2, kCisco);
    run(later);

    auto at5 = run.at(5);
    REQUIRE(at5.size() == 1);
    CHECK(at5[0].subject == Subject::SipDeadline);
    CHECK(at5[0].get(Field::GraceOverrun) == millis(250));
    CHECK(at5[0].get(Field::RefreshDeadline) == deadline);
    CHECK(at5[0].get(Field::RefreshNumber) == 2);
    CHECK(at5[0].raised(Expert::GraceBreach));
    CHECK(run.str(at5[0].endpoint) == "SEP0024142DDF24");
    CHECK(run.experts(Expert::GraceBreach, 6) == 1);
    CHECK(run.one(4).get(Field::RetransCount) == 1);
    CHECK(run.one(6).get(Field::RetransCount) == 2);
}

TEST_CASE("a deadline passes on the clock of the binding's capture point, or of all of one machine's NICs") {
    // The binding lives at interface 0; a frame of interface 1 is stamped past its deadline.
    for (const bool two_points : {false, true}) {
        Wire w;
        Run run;
        std::uint32_t n = 0;
        if (two_points) {
            // One TCP segment seen at both interfaces, 5 s apart: they are capture points, and
            // interface 1's clock runs ahead (SPEC 3.6).
            for (std::uint32_t iface : {0u, 1u}) {
                Frame seg = w.frame(++n, kT0 - seconds(10) + iface * seconds(5), true, Transport::Tcp);
                Wire::tcp(seg, 0, 1000, 100, 1);
                seg.interface_id = iface;
                run(seg);
            }
        }
        Frame f1 = w.frame(++n, kT0, true);
        w.add_register(f1, "c", 1, kCisco);
        run(f1);
        Frame f2 = w.frame(++n, kT0 + millis(10), false);
        w.add_response(f2, 200, "c", 1, with(kCisco, "expires=120"));
        run(f2);
        const Nanos deadline = kT0 + millis(10) + seconds(130);
        Frame ahead = w.frame(++n, deadline + seconds(2), false);
        ahead.src_ip = IpAddr::v4(0x0a0000fe);
        ahead.interface_id = 1;
        run(ahead);
        Frame own = w.frame(++n, deadline + millis(250), false);
        own.src_ip = IpAddr::v4(0x0a0000fe);
        run(own);
        // NICs of one machine share its clock: the first frame past the deadline, whichever
        // interface, reports the breach. Two capture points: only the binding's own point's.
        const std::uint32_t report = two_points ? n : n - 1;
        REQUIRE(run.at(report).size() == 1);
        CHECK(run.at(report)[0].raised(Expert::GraceBreach));
        CHECK(run.at(report)[0].get(Field::GraceOverrun) == (two_points ? millis(250) : seconds(2)));
        CHECK(run.experts(Expert::GraceBreach, n) == 1);
    }
}

TEST_CASE_METHOD(RegisteredTcp, "a grant first seen at another capture point, before the clocks' offset is known, is moved "
                                "onto the binding's point's clock once it is") {
    // Interface 1, its clock 5 s behind, starts capturing after the registration: it sees refresh 2
    // and its 200 OK before interface 0's copy of the REGISTER tells the offset.
    auto at_point = [&](Frame f, std::uint32_t iface, Nanos skew) {
        f.interface_id = iface;
        f.time += skew;
        return f;
    };
    Frame reg2 = w.frame(3, expected, true, Transport::Tcp);
    Wire::tcp(reg2, 1, 501, 500, 401);
    w.add_register(reg2, "c", 2, kCisco).length = 500;
    Frame ok2 = w.frame(4, expected + millis(10), false, Transport::Tcp);
    Wire::tcp(ok2, 1, 401, 400, 1001);
    w.add_response(ok2, 200, "c", 2, with(kCisco, "expires=120")).length = 400;
    run(at_point(reg2, 1, -seconds(5)));
    CHECK(run.one(3).get(Field::RefreshLateness) == -seconds(5));  // on interface 1's clock
    run(at_point(ok2, 1, -seconds(5)));
    CHECK(run.one(4).get(Field::RefreshExpected) == expected + millis(10) - seconds(5) + seconds(115));
    Frame copy = reg2;  // interface 0's copy: the offset is 5 s
    copy.number = 5;
    run(copy);
    CHECK(run.at(5).empty());
    // Refresh 3, at interface 0, 115 s after the 200 OK on its clock: on time, not 5 s late.
    Frame reg3 = w.frame(6, expected + millis(10) + seconds(115), true, Transport::Tcp);
    Wire::tcp(reg3, 1, 1001, 500, 801);
    w.add_register(reg3, "c", 3, kCisco).length = 500;
    run(reg3);
    const Annotation r = run.one(6);
    CHECK(r.get(Field::RefreshExpected) == expected + millis(10) + seconds(115));
    CHECK(r.get(Field::RefreshLateness) == 0);
    CHECK_FALSE(r.raised(Expert::RefreshLate));
}

TEST_CASE_METHOD(RegisteredTcp, "a frame seen first at another capture point, before the clocks' offset is known, does not "
                                "tell that a deadline has passed") {
    // Interface 1, its clock 300 s ahead, starts capturing: its sighting of the registrar's next
    // segment on the connection is stamped past the deadline on interface 0's clock. No breach:
    // not on that clock.
    Frame ack = w.frame(3, expected - seconds(60) + seconds(300), false, Transport::Tcp);
    ack.interface_id = 1;
    Wire::tcp(ack, 1, 401, 0, 501);
    run(ack);
    CHECK(run.experts(Expert::GraceBreach, 3) == 0);
    // A frame of interface 0 past the deadline, the phone silent: the breach.
    unrelated(w, run, 4, deadline + seconds(1));
    CHECK(run.experts(Expert::GraceBreach, 4) == 1);
}

TEST_CASE("bindings whose deadlines passed together breach in deadline order, a refreshed one at its new deadline") {
    Wire w;
    Run run;
    const IpAddr phone_b = IpAddr::v4(0x0a000006);  // 10.0.0.6
    const std::string contact_b = "sip:200@10.0.0.6:5060", aor_b = "sip:200@10.0.0.1";
    auto phone_a = [&](std::uint32_t n, Nanos t, bool request, std::uint32_t cseq) {
        Frame f = w.frame(n, t, request);
        if (request) w.add_register(f, "a", cseq, {});
        else w.add_response(f, 200, "a", cseq, {"expires=120"});
        run(f);
    };
    auto from_b = [&](Frame f) {
        (f.src_ip == kPhone ? f.src_ip : f.dst_ip) = phone_b;
        return f;
    };
    // A registers at T0 and refreshes at T0+60 s: its deadline moves from T0+130 s to T0+190 s.
    // B registers at T0+30 s: deadline T0+160 s, between A's old and new deadlines.
    phone_a(1, kT0, true, 1);
    phone_a(2, kT0 + millis(10), false, 1);
    Frame b1 = from_b(w.frame(3, kT0 + seconds(30), true));
    w.add_register(b1, "b", 1, {}, contact_b, aor_b);
    run(b1);
    Frame b2 = from_b(w.frame(4, kT0 + seconds(30) + millis(10), false));
    w.add_response(b2, 200, "b", 1, {"expires=120"}, contact_b);
    run(b2);
    phone_a(5, kT0 + seconds(60), true, 2);
    phone_a(6, kT0 + seconds(60) + millis(10), false, 2);
    // Neither refreshes; the next frame comes long after both deadlines.
    Frame quiet = w.frame(7, kT0 + seconds(300), false);
    quiet.src_ip = IpAddr::v4(0x0a0000fe);
    run(quiet);

    auto at7 = run.at(7);
    REQUIRE(at7.size() == 2);
    CHECK(at7[0].subject == Subject::SipDeadline);
    CHECK(at7[0].get(Field::RefreshDeadline) == kT0 + seconds(30) + millis(10) + seconds(130));
    CHECK(at7[0].get(Field::GraceOverrun) == seconds(140) - millis(10));
    CHECK(at7[1].subject == Subject::SipDeadline);
    CHECK(at7[1].get(Field::RefreshDeadline) == kT0 + seconds(60) + millis(10) + seconds(130));
    CHECK(at7[1].get(Field::GraceOverrun) == seconds(110) - millis(10));
    CHECK(run.experts(Expert::GraceBreach, 7) == 2);
}

TEST_CASE("backup keepalives are tracked but never breach; a real de-registration stops expecting refreshes") {
    Wire w;
    Run run;
    std::uint32_t n = 0;
    for (int k = 0; k < 3; ++k) {  // backup keepalive every 120 s, answered
        Frame f = w.frame(++n, kT0 + seconds(120) * k, true);
        w.add_register(f, "bk", static_cast<std::uint32_t>(k + 1), with(with(kCisco, "expires=0"), "cisco-keep-alive"));
        run(f);
        Frame ok = w.frame(++n, kT0 + seconds(120) * k + millis(5), false);
        w.add_response(ok, 200, "bk", static_cast<std::uint32_t>(k + 1));
        run(ok);
    }
    Annotation k3 = run.one(5);
    CHECK(k3.role == Role::Backup);
    CHECK(k3.raised(Expert::BackupKeepalive));
    CHECK(k3.get(Field::RefreshInterval) == seconds(120) - millis(5));
    CHECK(k3.get(Field::RefreshPrev) == 4);
    CHECK_FALSE(k3.has(Field::RefreshLateness));
    CHECK(run.experts(Expert::BackupKeepalive, n) == 3);

    // Primary: registered, then de-registered (challenged: still one de-registration).
    auto to_primary = [&](Frame f) {
        if (f.dst_ip == kRegistrar) f.dst_ip = IpAddr::v4(0x0a000002);
        else f.src_ip = IpAddr::v4(0x0a000002);
        run(f);
    };
    Frame r = w.frame(++n, kT0, true);
    w.add_register(r, "pr", 1, with(kCisco, "expires=3600"));
    to_primary(r);
    Frame ok = w.frame(++n, kT0 + millis(5), false);
    w.add_response(ok, 200, "pr", 1, with(kCisco, "expires=120"));
    to_primary(ok);
    Frame un = w.frame(++n, kT0 + seconds(60), true);
    w.add_register(un, "pr", 2, with(kCisco, "expires=0"));
    to_primary(un);
    Frame ch = w.frame(++n, kT0 + seconds(60) + millis(5), false);
    w.add_response(ch, 401, "pr", 2);
    to_primary(ch);
    Frame un2 = w.frame(++n, kT0 + seconds(60) + millis(10), true);
    w.add_register(un2, "pr", 3, with(kCisco, "expires=0"));
    to_primary(un2);
    Frame ok2 = w.frame(++n, kT0 + seconds(60) + millis(15), false);
    w.add_response(ok2, 200, "pr", 3);
    to_primary(ok2);
    Frame much_later = w.frame(++n, kT0 + seconds(1000), false);
    run(much_later);
    CHECK(run.experts(Expert::Unregister, n) == 1);
    CHECK(run.one(9).raised(Expert::Unregister));
    CHECK(run.one(9).get(Field::RefreshNumber) == 2);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
}

TEST_CASE("the call manager's syslog links the last refresh to the primary, not a backup keepalive") {
    Wire w;
    Run run;
    const IpAddr backup = IpAddr::v4(0x0a000002);
    Frame r = w.frame(1, kT0, true);
    w.add_register(r, "pr", 1, with(kCisco, "expires=3600"));
    run(r);
    Frame ok = w.frame(2, kT0 + millis(5), false);
    w.add_response(ok, 200, "pr", 1, with(kCisco, "expires=120"));
    run(ok);
    Frame bk = w.frame(3, kT0 + seconds(60), true);
    bk.dst_ip = backup;
    w.add_register(bk, "bk", 1, with(with(kCisco, "expires=0"), "cisco-keep-alive"));
    run(bk);
    Frame bk_ok = w.frame(4, kT0 + seconds(60) + millis(5), false);
    bk_ok.src_ip = backup;
    w.add_response(bk_ok, 200, "bk", 1);
    run(bk_ok);
    Frame log = w.frame(5, kT0 + seconds(140), false);
    log.src_port = 514;
    log.syslog.push_back(w.keep("%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0024142DDF24]"
                                "[IPAddress=10.0.0.5][Protocol=SIP][Reason=13]: An endpoint has unregistered"));
    run(log);
    auto v = run.at(5);  // the grace breach (deadline 2xx + 130 s), then the syslog message
    REQUIRE(v.size() == 2);
    Annotation a = v[1];
    CHECK(a.subject == Subject::Syslog);
    CHECK(a.get(Field::SyslogLastSeen) == 1);
    CHECK(a.get(Field::SyslogAge) == seconds(140));
    CHECK(run.str(a.server) == "10.0.0.1:5060/udp");
}

TEST_CASE("a primary binding demoted to backup expects no refresh; back to primary it is timed from its next 2xx") {
    Wire w;
    Run run;
    const auto keepalive = with(with(kCisco, "expires=0"), "cisco-keep-alive");
    Frame f1 = w.frame(1, kT0, true);
    w.add_register(f1, "c", 1, with(kCisco, "expires=3600"));
    run(f1);
    Frame f2 = w.frame(2, kT0 + millis(10), false);
    w.add_response(f2, 200, "c", 1, with(kCisco, "expires=120"));
    run(f2);
    // Backup keepalives at T0 + 60, 120, 180 s, each answered 6 ms later; the 2xx of frame 2 set
    // a deadline at T0 + 130.01 s, which frame 7 is past.
    for (std::uint32_t k = 1; k <= 3; ++k) {
        Frame r = w.frame(2 * k + 1, kT0 + seconds(60) * k, true);
        w.add_register(r, "c", k + 1, keepalive);
        run(r);
        Frame ok = w.frame(2 * k + 2, kT0 + seconds(60) * k + millis(6), false);
        w.add_response(ok, 200, "c", k + 1);
        run(ok);
    }
    CHECK(run.one(3).role == Role::Backup);
    CHECK(run.one(3).get(Field::RefreshInterval) == seconds(60) - millis(10));
    CHECK_FALSE(run.one(3).has(Field::RefreshLateness));
    CHECK(run.one(5).get(Field::RefreshInterval) == seconds(60) - millis(6));
    CHECK_FALSE(run.one(5).has(Field::RefreshExpected));
    for (std::uint32_t n : {4u, 6u, 8u}) CHECK_FALSE(run.one(n).has(Field::RefreshMargin));
    CHECK(run.one(7).subject == Subject::SipRefresh);

    // Primary again at T0 + 240 s: no expectation to be late against; its 2xx sets a fresh one.
    Frame back = w.frame(9, kT0 + seconds(240), true);
    w.add_register(back, "c", 5, with(kCisco, "expires=3600"));
    run(back);
    CHECK(run.one(9).role == Role::Primary);
    CHECK_FALSE(run.one(9).has(Field::RefreshLateness));
    Frame ok = w.frame(10, kT0 + seconds(240) + millis(10), false);
    w.add_response(ok, 200, "c", 5, with(kCisco, "expires=120"));
    run(ok);
    const Nanos expected = kT0 + seconds(240) + millis(10) + seconds(115);
    CHECK(run.one(10).get(Field::RefreshExpected) == expected);
    Frame next = w.frame(11, expected + seconds(2), true);
    w.add_register(next, "c", 6, with(kCisco, "expires=3600"));
    run(next);
    CHECK(run.one(11).get(Field::RefreshLateness) == seconds(2));
    CHECK(run.one(11).get(Field::RefreshPrev) == 10);
    CHECK(run.one(11).raised(Expert::RefreshLate));
    Frame ok2 = w.frame(12, expected + seconds(2) + millis(10), false);
    w.add_response(ok2, 200, "c", 6, with(kCisco, "expires=120"));
    run(ok2);
    CHECK(run.one(12).get(Field::RefreshMargin) == seconds(13) - millis(10));
    CHECK(run.experts(Expert::GraceBreach, 12) == 0);
    CHECK(run.experts(Expert::RefreshLate, 12) == 1);
}

TEST_CASE("out-of-order timestamps and huge grants stay sane") {
    Wire w;
    Run run;
    Frame f1 = w.frame(1, kT0, true);
    w.add_register(f1, "c", 1, kCisco);
    run(f1);
    Frame f2 = w.frame(2, kT0 + millis(10), false);
    w.add_response(f2, 200, "c", 1, with(kCisco, "expires=\"99999999999\""));
    run(f2);
    CHECK(run.one(2).get(Field::ExpiresGranted) == 4294967295);
    CHECK(run.one(2).get(Field::RefreshExpected) == kT0 + millis(10) + seconds(4294967295) - seconds(5));
    // Time runs backwards: the refresh is very early (signed lateness), its interval 0, not negative.
    Frame f3 = w.frame(3, kT0 - seconds(50), true);
    w.add_register(f3, "c", 2, kCisco);
    run(f3);
    CHECK(run.one(3).get(Field::RefreshInterval) == 0);
    CHECK(run.one(3).get(Field::RefreshLateness) == -seconds(50) - millis(10) - seconds(4294967290));
    CHECK_FALSE(run.one(3).raised(Expert::RefreshLate));
    // Delivered at the end of time: past the (huge) deadline, so one breach; the new expectation
    // saturates instead of wrapping into the past.
    Frame f4 = w.frame(4, std::numeric_limits<Nanos>::max(), false);
    w.add_response(f4, 200, "c", 2, with(kCisco, "expires=4294967295"));
    run(f4);
    auto at4 = run.at(4);
    REQUIRE(at4.size() == 2);
    CHECK(at4[0].subject == Subject::SipDeadline);
    CHECK(at4[1].get(Field::RefreshExpected) == std::numeric_limits<Nanos>::max());
    CHECK(at4[1].get(Field::RefreshDeadline) == std::numeric_limits<Nanos>::max());
    Frame f5 = w.frame(5, std::numeric_limits<Nanos>::min(), true);
    run(f5);
    CHECK(run.experts(Expert::GraceBreach, 5) == 1);
}

TEST_CASE("a refresh_delta at or above the grant expects the refresh at the 2xx, never before it") {
    Config c;
    c.refresh_delta = seconds(200);  // more than the 120 s granted
    Wire w;
    Run run(c);
    Frame f1 = w.frame(1, kT0, true);
    w.add_register(f1, "c", 1, kCisco);
    run(f1);
    const Nanos ok = kT0 + millis(10);
    Frame f2 = w.frame(2, ok, false);
    w.add_response(f2, 200, "c", 1, with(kCisco, "expires=120"));
    run(f2);
    // Not 80 s before the grant, with its deadline already past on the 2xx itself.
    CHECK(run.one(2).get(Field::RefreshExpected) == ok);
    CHECK(run.one(2).get(Field::RefreshDeadline) == ok + seconds(15));
    Frame f3 = w.frame(3, ok + seconds(10), true);
    w.add_register(f3, "c", 2, kCisco);
    run(f3);
    CHECK(run.one(3).get(Field::RefreshLateness) == seconds(10));
    Frame f4 = w.frame(4, ok + seconds(10) + millis(10), false);
    w.add_response(f4, 200, "c", 2, with(kCisco, "expires=120"));
    run(f4);
    CHECK(run.one(4).get(Field::RefreshMargin) == seconds(5) - millis(10));
    CHECK(run.experts(Expert::GraceBreach, 4) == 0);
}

TEST_CASE("a flood of Call-IDs and contacts keeps the state bounded") {
    Wire w;
    Run run;
    std::size_t after_warmup = 0;
    for (std::uint32_t i = 1; i <= 200000; ++i) {
        Frame f = w.frame(i, kT0 + millis(i), true);
        // Every REGISTER a new Call-ID; every 2nd a new contact (new binding).
        SipMessage m;
        m.is_request = true;
        m.method = "REGISTER";
        std::string call = "flood-" + std::to_string(i);
        std::string uri = "sip:" + std::to_string(i / 2) + "@10.0.0.5";
        m.call_id = call;
        m.cseq = 1;
        m.cseq_method = "REGISTER";
        m.to_addr = "sip:x@10.0.0.1";
        SipContact c;
        c.uri = uri;
        m.contact_count = 1;
        f.contacts.push_back(c);
        f.sip.push_back(m);
        run(f);
        if (i == 140000) after_warmup = run.engine.state_bytes();
    }
    CHECK(run.one(200000).subject == Subject::SipRefresh);
    CHECK(run.engine.state_bytes() < after_warmup + after_warmup / 4);
}

TEST_CASE("a scanner's flood of contacts never granted leaves the deadlines of phones that refresh hourly") {
    // 100 phones granted 3600 s; then a scanner registers 200,000 extensions of its own, one every
    // 10 ms, each refused (401) or never answered: three times as many bindings as are kept. The
    // phones are the least recently active, yet theirs are the bindings that await a refresh:
    // when they fall silent, each breaches at its deadline.
    constexpr std::uint32_t kPhones = 100, kScans = 200000;
    Wire w;
    Run run;
    std::uint32_t n = 0;
    Nanos first_deadline = std::numeric_limits<Nanos>::max(), last_deadline = 0;
    for (std::uint32_t i = 0; i < kPhones; ++i) {
        const IpAddr from = IpAddr::v4(0x0a010000 + i);
        const Nanos deadline = granted(w, run, n, kT0 + millis(i), from, "phone-" + std::to_string(i),
                                       "sip:p@" + from.to_string(), "sip:p" + std::to_string(i) + "@10.0.0.1", 3600);
        first_deadline = std::min(first_deadline, deadline);
        last_deadline = std::max(last_deadline, deadline);
    }
    for (std::uint32_t j = 0; j < kScans; ++j) {
        const std::string ext = "s" + std::to_string(j), call = "scan-" + std::to_string(j);
        Frame f = w.frame(++n, kT0 + seconds(1) + j * millis(10), true);
        f.src_ip = kScanner;
        w.add_register(f, call, 1, {}, "sip:" + ext + "@203.0.113.66:5070", "sip:" + ext + "@10.0.0.1");
        run(f);
        if (j % 2) continue;
        Frame no = w.frame(++n, f.time + millis(2), false);
        no.dst_ip = kScanner;
        w.add_response(no, 401, call, 1, {}, "", "sip:" + ext + "@10.0.0.1");
        run(no);
    }
    REQUIRE(kT0 + seconds(1) + kScans * millis(10) < first_deadline);
    unrelated(w, run, ++n, first_deadline);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
    unrelated(w, run, ++n, last_deadline + 1);
    CHECK(run.experts(Expert::GraceBreach, n) == static_cast<int>(kPhones));
}

TEST_CASE("a flood of contacts of one AOR from many addresses, all lapsing, is looked through for a successor in bounded time") {
    // 40,000 contacts of sip:x@10.0.0.1, each from its own address, one every 10 ms, each granted
    // 60 s; then another host's frames every 100 ms until every deadline has passed. None took
    // over from another (other addresses): each breaches. A walk of the whole AOR list per
    // deadline would visit 800 million bindings.
    constexpr std::uint32_t kContacts = 40000;
    Wire w;
    Run run;
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < kContacts; ++i) {
        const IpAddr from = IpAddr::v4(0x0b000000 + i);
        granted(w, run, n, kT0 + i * millis(10), from, "flood-" + std::to_string(i), "sip:x@" + from.to_string(),
                "sip:x@10.0.0.1", 60);
    }
    for (Nanos t = kT0 + kContacts * millis(10); t < kT0 + kContacts * millis(10) + seconds(72); t += millis(100))
        unrelated(w, run, ++n, t);
    CHECK(run.experts(Expert::GraceBreach, n) == static_cast<int>(kContacts));
}

TEST_CASE("Contact: * with Expires 0 de-registers every binding of the AOR; a REGISTER without contact is a query") {
    Wire w;
    Run run;
    std::uint32_t n = 0;
    for (const char* uri : {"sip:100@10.0.0.5:5060", "sip:100@10.0.0.6:5060"}) {
        ++n;
        Frame f = w.frame(n, kT0 + millis(n), true);
        w.add_register(f, std::string("c-") + uri, 1, {"expires=120"}, uri);
        run(f);
        ++n;
        Frame ok = w.frame(n, kT0 + millis(n), false);
        w.add_response(ok, 200, std::string("c-") + uri, 1, {"expires=120"}, uri);
        run(ok);
    }
    Frame query = w.frame(++n, kT0 + seconds(1), true);
    SipMessage q;
    q.is_request = true;
    q.method = "REGISTER";
    q.call_id = "q";
    q.cseq = 1;
    q.cseq_method = "REGISTER";
    q.to_addr = "sip:100@10.0.0.1";
    query.sip.push_back(q);
    run(query);
    CHECK(run.at(n).empty());

    // Sent from another address (a phone that moved, a management tool), challenged, then sent
    // again with credentials: only the 2xx removes, and says so for each binding.
    const IpAddr other = IpAddr::v4(0x0a000007);
    for (std::uint32_t cseq : {1u, 2u}) {
        Frame wild = w.frame(++n, kT0 + seconds(2) + millis(100 * cseq), true);
        wild.src_ip = other;
        w.add_removal(wild, "w", cseq);
        run(wild);
        CHECK(run.at(n).empty());
        Frame answer = w.frame(++n, wild.time + millis(30), false);
        answer.dst_ip = other;
        w.add_response(answer, cseq == 1 ? 401 : 200, "w", cseq);
        run(answer);
    }
    CHECK(run.at(n - 2).empty());  // the 401
    auto answered = run.at(n);
    REQUIRE(answered.size() == 2);
    for (const Annotation& a : answered) {
        CHECK(a.subject == Subject::SipResponse);
        CHECK(a.raised(Expert::Unregister));
        CHECK(a.get(Field::RefreshNumber) == 1);
    }
    Frame later = w.frame(++n, kT0 + seconds(500), false);
    run(later);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
}

TEST_CASE("a refused Contact: * (a scanner's) removes nothing: the bindings keep their deadlines") {
    // Two phones sharing an AOR, granted 120 s at kT0 + 1 ms (deadline kT0 + 130.001 s); a
    // scanner's "Contact: *" with Expires 0, answered 403, 401 and not at all; the phones then fall
    // silent: both breach.
    Wire w;
    Run run;
    std::uint32_t n = 0;
    for (std::uint32_t phone : {5u, 6u}) {
        const std::string uri = "sip:100@10.0.0." + std::to_string(phone) + ":5060";
        REQUIRE(granted(w, run, n, kT0, IpAddr::v4(0x0a000000 | phone), "c-" + uri, uri, "sip:100@10.0.0.1", 120) ==
                kT0 + millis(130001));
    }
    for (std::uint32_t status : {403u, 401u, 0u}) {
        ++n;
        Frame wild = w.frame(n, kT0 + seconds(10) + millis(n), true);
        wild.src_ip = kScanner;
        wild.src_port = 5070;
        w.add_removal(wild, "scan" + std::to_string(status), 1);
        run(wild);
        CHECK(run.at(n).empty());
        if (status == 0) continue;
        Frame answer = w.frame(++n, wild.time + millis(2), false);
        answer.dst_ip = kScanner;
        answer.dst_port = 5070;
        w.add_response(answer, status, "scan" + std::to_string(status), 1);
        run(answer);
        CHECK(run.at(n).empty());
    }
    Frame before = w.frame(++n, kT0 + seconds(129), false);
    run(before);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
    Frame after = w.frame(++n, kT0 + millis(130001) + 1, false);
    run(after);
    CHECK(run.experts(Expert::GraceBreach, n) == 2);
}

// A scanner's REGISTER at t (frame n + 1) of `contact` of sip:100@10.0.0.1 with Expires 0 under
// `call_id`, answered `status` 2 ms later (frame n + 2; none if 0). Checks that the request says
// nothing; what its answer says is the caller's to check.
void scanner_removes(Wire& w, Run& run, std::uint32_t& n, Nanos t, const std::string& call_id, std::uint32_t cseq,
                     const std::string& contact, std::uint32_t status) {
    Frame f = w.frame(++n, t, true);
    f.src_ip = kScanner;
    w.add_register(f, call_id, cseq, {"expires=0"}, contact);
    run(f);
    CHECK(run.at(n).empty());
    if (status == 0) return;
    Frame answer = w.frame(++n, t + millis(2), false);
    answer.dst_ip = kScanner;
    w.add_response(answer, status, call_id, cseq);
    run(answer);
}

TEST_CASE("someone else's Expires 0 for a phone's contact, refused or unanswered, leaves its binding as it is") {
    // The phone 10.0.0.5 granted 120 s; a scanner that learnt its Contact removes it three times:
    // answered 403, 401 (and not sent again), not at all (sent twice).
    Wire w;
    Run run;
    std::uint32_t n = 0;
    const std::string contact = "sip:100@10.0.0.5:5060";
    const Nanos deadline = granted(w, run, n, kT0, kPhone, "phone", contact, "sip:100@10.0.0.1", 120);
    scanner_removes(w, run, n, kT0 + seconds(10), "u403", 1, contact, 403);
    CHECK(run.at(n).empty());
    scanner_removes(w, run, n, kT0 + seconds(11), "u401", 1, contact, 401);
    CHECK(run.at(n).empty());
    scanner_removes(w, run, n, kT0 + seconds(12), "u0", 1, contact, 0);
    scanner_removes(w, run, n, kT0 + seconds(12) + millis(500), "u0", 1, contact, 0);
    SECTION("the phone falls silent: it breaches at its deadline") {
        unrelated(w, run, ++n, deadline);
        CHECK(run.experts(Expert::GraceBreach, n) == 0);
        unrelated(w, run, ++n, deadline + 1);
        CHECK(run.experts(Expert::GraceBreach, n) == 1);
    }
    SECTION("the phone refreshes: the same attempt series, timed, no restart") {
        Frame f = w.frame(++n, deadline - seconds(1), true);
        w.add_register(f, "phone", 2, {}, contact);
        run(f);
        const Annotation a = run.one(n);
        CHECK(a.get(Field::RefreshNumber) == 2);
        CHECK(a.get(Field::RefreshDeadline) == deadline);
        CHECK(a.get(Field::RefreshExpected) == run.one(2).get(Field::RefreshExpected));
        CHECK(a.get(Field::RefreshLateness) == deadline - seconds(1) - a.get(Field::RefreshExpected));
        CHECK(a.get(Field::RefreshPrev) == 2);
        CHECK_FALSE(a.has(Field::SessionEvent));
        CHECK(a.raised(Expert::RefreshLate));
    }
}

TEST_CASE("someone else's Expires 0 for a phone's contact takes effect on its 2xx, for that contact only") {
    // Two phones of one AOR granted 120 s; a management tool removes the first's contact,
    // challenged, then sent again with credentials and accepted. Only the 2xx de-registers, only
    // the first phone: the second still breaches at its deadline.
    Wire w;
    Run run;
    std::uint32_t n = 0;
    const std::string first = "sip:100@10.0.0.5:5060", second = "sip:100@10.0.0.6:5060";
    granted(w, run, n, kT0, IpAddr::v4(0x0a000005), "c-5", first, "sip:100@10.0.0.1", 120);
    const Nanos deadline = granted(w, run, n, kT0, IpAddr::v4(0x0a000006), "c-6", second, "sip:100@10.0.0.1", 120);
    scanner_removes(w, run, n, kT0 + seconds(10), "tool", 1, first, 401);
    CHECK(run.at(n).empty());
    scanner_removes(w, run, n, kT0 + seconds(10) + millis(10), "tool", 2, first, 200);
    const Annotation a = run.one(n);
    CHECK(a.subject == Subject::SipResponse);
    CHECK(a.raised(Expert::Unregister));
    CHECK(a.get(Field::RefreshNumber) == 1);
    unrelated(w, run, ++n, deadline + 1);
    CHECK(run.experts(Expert::GraceBreach, n) == 1);
    CHECK(run.one(n).get(Field::RefreshPrev) == 4);  // the second's grant
}

TEST_CASE("Contact: * finds its AOR's bindings among many, also after bindings around them were evicted") {
    // Each AOR's bindings at a registrar form a list, so that a removal does not scan every binding
    // (a phone sending "Contact: *" in a loop at a registrar with thousands of bindings). Bindings
    // at the head, middle and tail of such lists, and a whole list, are evicted by a flood; their
    // slots are reused by the flood's bindings of other AORs.
    Wire w;
    Run run;
    std::uint32_t n = 0;
    std::map<std::string, std::uint32_t> cseq;
    const auto reg = [&](const std::string& aor, const std::string& contact) {
        ++n;
        Frame f = w.frame(n, kT0 + millis(n), true);
        w.add_register(f, "c-" + contact, ++cseq[contact], {"expires=3600"}, contact, aor);
        run(f);
    };
    const char* kX = "sip:7@10.0.0.1";   // list c3, c2, c1: c2 (middle) is evicted
    const char* kZ = "sip:8@10.0.0.1";   // list z2, z1: z2 (head) is evicted
    const char* kW = "sip:9@10.0.0.1";   // list w2, w1: w1 (tail) is evicted
    const char* kV = "sip:10@10.0.0.1";  // list v1: evicted, then registered again
    for (const char* c : {"sip:7@10.0.0.5:5061", "sip:7@10.0.0.5:5062", "sip:7@10.0.0.5:5063"}) reg(kX, c);
    reg(kZ, "sip:8@10.0.0.5:5061");
    reg(kZ, "sip:8@10.0.0.5:5062");
    reg(kW, "sip:9@10.0.0.5:5061");
    reg(kW, "sip:9@10.0.0.5:5062");
    reg(kV, "sip:10@10.0.0.5:5061");
    for (std::uint32_t i = 0; i < 70000; ++i) {
        if (i % 4000 == 0)
            for (const char* c : {"sip:7@10.0.0.5:5061", "sip:7@10.0.0.5:5063", "sip:8@10.0.0.5:5061",
                                  "sip:9@10.0.0.5:5062"})
                reg(c[4] == '7' ? kX : c[4] == '8' ? kZ : kW, c);
        const std::string id = std::to_string(i);
        reg("sip:f" + id + "@10.0.0.1", "sip:f" + id + "@10.0.0.6:5060");
    }
    const auto remove_all = [&](const char* aor) {
        ++n;
        Frame f = w.frame(n, kT0 + seconds(100) + millis(n), true);
        w.add_removal(f, std::string("w-") + aor, 1, aor);
        run(f);
        ++n;
        Frame ok = w.frame(n, f.time + millis(1), false);
        w.add_response(ok, 200, std::string("w-") + aor, 1, {}, "", aor);
        run(ok);
        auto at = run.at(n);
        for (const Annotation& a : at) CHECK(a.raised(Expert::Unregister));
        return at.size();
    };
    CHECK(remove_all(kX) == 2);
    CHECK(remove_all(kZ) == 1);
    CHECK(remove_all(kW) == 1);
    CHECK(remove_all(kV) == 0);
    reg(kV, "sip:10@10.0.0.5:5062");
    CHECK(remove_all(kV) == 1);
    CHECK(remove_all("sip:f69999@10.0.0.1") == 1);
}

TEST_CASE("every REGISTER transmission tells the endpoint directory; TLS requests use the segment's range") {
    FindingStore store;
    Context ctx(Config{}, store);
    SipAnalyzer sip(ctx);
    Wire w;
    Frame f1 = w.frame(1, kT0, true, Transport::Tls);
    Wire::tcp(f1, 4, 1, 700, 1);
    w.add_register(f1, "t", 1, with(kCisco, "expires=120"));  // length 0: TLS
    ctx.sink.begin_frame(1);
    sip.on_frame(f1);
    Frame f2 = w.frame(2, kT0 + millis(300), true, Transport::Tls);
    Wire::tcp(f2, 4, 1, 700, 1, true);
    ctx.sink.begin_frame(2);
    sip.on_frame(f2);

    const auto* by_name = ctx.directory.by_name(ctx.strings.find("SEP0024142DDF24"));
    REQUIRE(by_name);
    CHECK(by_name->frame == 2);
    CHECK(by_name->time == kT0 + millis(300));
    REQUIRE(ctx.directory.by_ip(kPhone));
    CHECK(ctx.directory.by_ip(kPhone)->frame == 2);
    REQUIRE(store.count(2) == 1);
    CHECK(store.get(2, 0).get(Field::RetransOriginal) == 1);
    CHECK(ctx.strings.get(store.get(2, 0).server) == "10.0.0.1:5060/tls");
}

TEST_CASE("a frame captured again within 10 ms is not a retransmission") {
    Wire w;
    Run run;
    for (std::uint32_t k = 0; k < 4; ++k) {  // four attempts, every frame captured twice
        const Nanos t = kT0 + (seconds(115) + millis(10)) * k;
        // At the same instant (both directions of a port mirrored), or a router's copy on the
        // next VLAN 60 us later; the last just short of 10 ms.
        const Nanos later = k == 3 ? millis(10) - 1 : k * 30 * kMicrosecond;
        for (int copy = 0; copy < 2; ++copy) {
            Frame f = w.frame(4 * k + 1 + copy, t + copy * later, true);
            w.add_register(f, "c", k + 1, kCisco);
            run(f);
        }
        for (int copy = 0; copy < 2; ++copy) {
            Frame ok = w.frame(4 * k + 3 + copy, t + millis(10) + copy * later, false);
            w.add_response(ok, 200, "c", k + 1, with(kCisco, "expires=120"));
            run(ok);
        }
    }
    CHECK(run.at(2).empty());
    for (std::uint32_t k = 0; k < 4; ++k) CHECK(run.at(4 * k + 4).empty());  // the 200 OK's copy
    CHECK(run.experts(Expert::Retransmission, 16) == 0);
    CHECK(run.experts(Expert::LossPattern, 16) == 0);
    CHECK(run.one(13).get(Field::RefreshLateness) == 0);
}

TEST_CASE("a response captured again within 10 ms is a copy; another status, or one answering a resend, is not") {
    Wire w;
    Run run;
    const Nanos copy = 60 * kMicrosecond;
    Frame r1 = w.frame(1, kT0, true);
    w.add_register(r1, "c", 1, kCisco);
    run(r1);
    for (std::uint32_t n = 2; n <= 5; ++n) {  // 100 Trying at 1 ms, 200 OK at 3 ms, each copied
        const bool ok = n >= 4;
        Frame f = w.frame(n, kT0 + millis(ok ? 3 : 1) + (n % 2 ? copy : 0), false);
        w.add_response(f, ok ? 200 : 100, "c", 1, ok ? with(kCisco, "expires=120") : std::vector<std::string>{});
        run(f);
    }
    CHECK(run.at(2).size() == 1);
    CHECK(run.at(3).empty());
    REQUIRE(run.at(4).size() == 1);
    CHECK(run.one(4).get(Field::ExpiresGranted) == 120);
    CHECK(run.at(5).empty());
    // The next refresh: its first REGISTER answered by 100 Trying and lost on the way to the
    // registrar's core; resent (Timer E) 500 ms later and answered by 100 Trying 1 ms after that:
    // an answer to the resend, within 10 ms of it but not a copy.
    const Nanos t = kT0 + millis(3) + seconds(115);
    Frame r2 = w.frame(6, t, true);
    w.add_register(r2, "c", 2, kCisco);
    run(r2);
    Frame trying = w.frame(7, t + millis(1), false);
    w.add_response(trying, 100, "c", 2, {});
    run(trying);
    Frame resend = w.frame(8, t + millis(500), true);
    w.add_register(resend, "c", 2, kCisco);
    run(resend);
    Frame again = w.frame(9, t + millis(501), false);
    w.add_response(again, 100, "c", 2, {});
    run(again);
    CHECK(run.at(9).size() == 1);
    CHECK(run.experts(Expert::Retransmission, 9) == 1);
}

namespace {

// Four UDP attempts of Call-ID "c", CSeq 1..4: each REGISTER first sent at F and again `resends`
// after it, answered by a 100 `trying_at` after F (none when 0) and a 200 OK `ok_after` after F
// granting 120 s; the next attempt 115 s after that 200 OK. Frames in time order; returns the
// last one's number.
std::uint32_t udp_attempts(Run& run, const std::vector<Nanos>& resends, Nanos trying_at, Nanos ok_after) {
    enum Kind { Request, Trying, Ok };
    std::vector<std::pair<Nanos, Kind>> order = {{0, Request}, {ok_after, Ok}};
    for (Nanos after : resends) order.emplace_back(after, Request);
    if (trying_at != 0) order.emplace_back(trying_at, Trying);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    Wire w;
    std::uint32_t n = 0;
    Nanos first = kT0;
    for (std::uint32_t k = 1; k <= 4; ++k) {
        for (const auto& [after, kind] : order) {
            Frame f = w.frame(++n, first + after, kind == Request);
            if (kind == Request) w.add_register(f, "c", k, kCisco);
            else if (kind == Trying) w.add_response(f, 100, "c", k, {});
            else w.add_response(f, 200, "c", k, with(kCisco, "expires=120"));
            run(f);
        }
        first += ok_after + seconds(115);
    }
    return n;
}

}  // namespace

TEST_CASE("over UDP, a 100 that shows the registrar held the first transmission breaks a loss pattern") {
    // Resent as Timer E has it with T1 = 500 ms: after 0.5, 1.5 and 3.5 s. The 200 OK 3.6 s after
    // the first transmission, or 10 ms after the 100 when that is later.
    const std::vector<Nanos> t1_500ms = {millis(500), millis(1500), millis(3500)};
    const auto attempts = [](Run& run, const std::vector<Nanos>& resends, Nanos trying_at) {
        return udp_attempts(run, resends, trying_at, std::max(millis(3600), trying_at + millis(10)));
    };
    Run run;
    SECTION("RFC 4320: the 100 on the fourth transmission, 3.5 s after the first: the registrar was slow") {
        const std::uint32_t n = attempts(run, t1_500ms, millis(3501));
        CHECK(run.experts(Expert::Retransmission, n) == 12);
        CHECK(run.experts(Expert::LossPattern, n) == 0);
        const Annotation last = run.one(n - 5);  // the fourth attempt's first transmission, on time
        CHECK(last.has(Field::RefreshLateness));
        CHECK(last.get(Field::RefreshLateness) == 0);
    }
    SECTION("a 100 at once after the second transmission: the first was lost") {
        const std::uint32_t n = attempts(run, t1_500ms, millis(501));
        CHECK(run.experts(Expert::LossPattern, n) == 2);  // the third and fourth attempts
        CHECK(run.at(2 * 6 + 2).at(0).get(Field::LossConsecutive) == 3);
    }
    SECTION("a 100 only on the fifth transmission, 7.5 s after the first: held since the second at best") {
        const std::uint32_t n = attempts(run, t1_500ms, millis(7501));
        CHECK(run.experts(Expert::LossPattern, n) == 2);
    }
    SECTION("a 200 OK after 3.6 s and no 100: the registrar's slowness is not shown") {
        const std::uint32_t n = attempts(run, t1_500ms, 0);
        CHECK(run.experts(Expert::LossPattern, n) == 2);
        CHECK(run.at(2 * 5 + 2).at(0).get(Field::LossConsecutive) == 3);
    }
    // A phone whose T1 is 100 ms (a call manager's SIP profile may set it so) resends after 0.1,
    // 0.3 and 0.7 s; the server's 100 comes 3.5 s after the copy it first received.
    const std::vector<Nanos> t1_100ms = {millis(100), millis(300), millis(700)};
    SECTION("T1 = 100 ms: a 100 3.5 s after the first transmission shows it arrived") {
        const std::uint32_t n = attempts(run, t1_100ms, millis(3501));
        CHECK(run.experts(Expert::LossPattern, n) == 0);
    }
    SECTION("T1 = 100 ms: a 100 3.5 s after the second transmission, 3.6 s after the first: it was lost") {
        const std::uint32_t n = attempts(run, t1_100ms, millis(3601));
        CHECK(run.experts(Expert::LossPattern, n) == 2);
    }
}

TEST_CASE("over UDP, a REGISTER resent after a 100 answered it lost nothing") {
    // A 100 10 ms after the first transmission; the phone in Proceeding resends when Timer E fires
    // all the same (after 0.5 s, then T2 later: 4.5 s); the 200 OK after 5 s.
    Run run;
    const std::uint32_t n = udp_attempts(run, {millis(500), millis(4500)}, millis(10), seconds(5));
    CHECK(run.experts(Expert::Retransmission, n) == 8);
    CHECK(run.experts(Expert::LossPattern, n) == 0);
}

TEST_CASE("a REGISTER without a Call-ID, or whose CSeq names another method, is no transaction") {
    Wire w;
    Run run;
    // Two from one phone 517 s apart, as one is after a fuzzer or a broken stack has mangled its
    // Call-ID and CSeq header names: not one REGISTER sent again.
    for (std::uint32_t n = 1; n <= 2; ++n) {
        Frame f = w.frame(n, kT0 + seconds(517) * (n - 1), true);
        SipMessage& m = w.add_register(f, "", 0, kCisco);
        m.cseq_method = {};
        run(f);
    }
    Frame other = w.frame(3, kT0 + seconds(600), true);
    w.add_register(other, "c", 1, kCisco).cseq_method = "INVITE";
    run(other);
    for (std::uint32_t n = 1; n <= 3; ++n) CHECK(run.at(n).empty());
}

TEST_CASE("TCP: a burst of REGISTERs in flight together is followed whole, past the references kept in place") {
    Wire w;
    Run run;
    // Ten lines of a phone (or ten phones behind a proxy) register on one connection 1 ms apart,
    // 500 bytes each, and nothing is ACKed until TCP repeats what was lost: the first segment, or
    // all ten.
    const bool all_lost = GENERATE(false, true);
    CAPTURE(all_lost);
    std::uint32_t seq = 1;
    for (std::uint32_t line = 1; line <= 10; ++line) {
        Frame r = w.frame(line, kT0 + millis(line), true, Transport::Tcp);
        Wire::tcp(r, 1, seq, 500, 1);
        const std::string user = std::to_string(100 + line);
        w.add_register(r, "call-" + user, 1, {"expires=3600"}, "sip:" + user + "@10.0.0.5:5060", "sip:" + user + "@10.0.0.1")
            .length = 500;
        run(r);
        seq += 500;
    }
    // TCP repeats them 400 ms after each was sent: frames 11.., one segment each.
    const std::uint32_t resent = all_lost ? 10 : 1;
    for (std::uint32_t line = 1; line <= resent; ++line) {
        Frame re = w.frame(10 + line, kT0 + millis(400 + line), true, Transport::Tcp);
        Wire::tcp(re, 1, 1 + 500 * (line - 1), 500, 1, true);
        run(re);
        const Annotation r = run.one(10 + line);
        CHECK(r.subject == Subject::SipRetransmission);
        CHECK(run.str(r.endpoint) == "sip:" + std::to_string(100 + line) + "@10.0.0.1");
        CHECK(r.get(Field::RetransOriginal) == line);
        CHECK(r.get(Field::RetransGap) == millis(400));
    }
    const std::uint32_t ack_frame = 11 + resent;
    Frame ack = w.frame(ack_frame, kT0 + millis(420), false, Transport::Tcp);
    Wire::tcp(ack, 1, 1, 0, seq);
    run(ack);
    // The ACK delivers every line, each with its own count of retransmissions.
    std::uint32_t delivered = 0;
    for (const Annotation& a : run.at(ack_frame)) {
        const std::uint32_t line = static_cast<std::uint32_t>(std::stoul(run.str(a.endpoint).substr(4, 3))) - 100;
        CAPTURE(line);
        CHECK(a.get(Field::RetransCount) == (line <= resent ? 1 : 0));
        ++delivered;
    }
    CHECK(delivered == 10);
}

TEST_CASE_METHOD(RegisteredTcp, "a REGISTER ACKed before the deadline but refused after it breaches on the refusal") {
    send_register_tcp(w, run, 3, deadline - seconds(1));
    registrar_ack(w, run, 4, deadline - millis(500));
    CHECK(run.one(4).get(Field::RefreshMargin) == millis(500));
    Frame idle = w.frame(5, deadline + seconds(1), false, Transport::Tcp);  // awaiting the final response
    Wire::tcp(idle, 9, 1, 0, 1);
    run(idle);
    CHECK(run.at(5).empty());
    Frame refused = w.frame(6, deadline + seconds(2), false, Transport::Tcp);
    Wire::tcp(refused, 1, 401, 300, 1001);
    w.add_response(refused, 403, "c", 2);
    run(refused);
    auto at6 = run.at(6);
    REQUIRE(at6.size() == 2);
    CHECK(at6[0].subject == Subject::SipDeadline);
    CHECK(at6[0].get(Field::GraceOverrun) == seconds(2));
    CHECK(at6[1].subject == Subject::SipResponse);
    CHECK(run.experts(Expert::GraceBreach, 6) == 1);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: the REGISTER's bytes resent after its refusal are no new request: the lapse is due at the deadline") {
    send_register_tcp(w, run, 3, expected);
    Frame refused = w.frame(4, expected + millis(50), false, Transport::Tcp);
    Wire::tcp(refused, 1, 401, 300, 1001);
    w.add_response(refused, 403, "c", 2);
    run(refused);
    // The phone's TCP sends the REGISTER's bytes again, already acknowledged: the registrar's TCP
    // drops them, and no SIP layer sees a request to answer.
    Frame again = w.frame(5, expected + millis(300), true, Transport::Tcp);
    Wire::tcp(again, 1, 501, 500, 701, true);
    again.tcp.spurious = true;
    run(again);
    CHECK(run.one(5).get(Field::RetransCount) == 1);
    unrelated(w, run, 6, deadline + seconds(1));
    REQUIRE(run.at(6).size() == 1);
    CHECK(run.one(6).subject == Subject::SipDeadline);
    CHECK(run.one(6).get(Field::GraceOverrun) == seconds(1));
    CHECK(run.experts(Expert::GraceBreach, 6) == 1);
}

TEST_CASE("a 3xx refuses the refresh: the registrar redirected from breaches, the one redirected to is a binding of its own") {
    Wire w;
    Run run;
    const IpAddr other = IpAddr::v4(0x0a000002);  // 10.0.0.2, where the 302 sends the phone
    Frame f1 = w.frame(1, kT0, true);
    w.add_register(f1, "c", 1, kCisco);
    run(f1);
    Frame ok = w.frame(2, kT0 + millis(10), false);
    w.add_response(ok, 200, "c", 1, with(kCisco, "expires=120"));
    run(ok);
    const Nanos expected = kT0 + millis(10) + seconds(115), deadline = expected + seconds(15);
    Frame f3 = w.frame(3, expected, true);
    w.add_register(f3, "c", 2, kCisco);
    run(f3);
    Frame moved = w.frame(4, expected + millis(5), false);
    w.add_response(moved, 302, "c", 2, {}, "sip:10.0.0.2");
    run(moved);
    Frame f5 = w.frame(5, expected + millis(10), true);
    f5.dst_ip = other;
    w.add_register(f5, "c", 3, kCisco);
    run(f5);
    Frame ok2 = w.frame(6, expected + millis(20), false);
    ok2.src_ip = other;
    w.add_response(ok2, 200, "c", 3, with(kCisco, "expires=120"));
    run(ok2);
    CHECK(run.one(6).get(Field::RefreshDeadline) == expected + millis(20) + seconds(130));
    CHECK(run.str(run.one(6).server) != run.str(run.one(4).server));
    // No REGISTER to 10.0.0.1 ended in 2xx (SPEC 3.1): its binding lapses at its deadline.
    Frame past = w.frame(7, deadline + seconds(1), true);
    run(past);
    auto at7 = run.at(7);
    REQUIRE(at7.size() == 1);
    CHECK(at7[0].raised(Expert::GraceBreach));
    CHECK(at7[0].server == run.one(4).server);
    CHECK(at7[0].get(Field::GraceOverrun) == seconds(1));
    CHECK(run.experts(Expert::GraceBreach, 7) == 1);
}

TEST_CASE("TCP to a registrar that challenges, or wants a longer expiry: the margin is that of the REGISTER "
          "ending in 2xx, once per attempt") {
    // 401: the retry carries credentials; 423 Interval Too Brief: it asks for Min-Expires.
    const std::uint32_t refusal = GENERATE(401u, 423u);
    Wire w;
    Run run;
    std::uint32_t n = 0, seq = 1, sseq = 1, cseq = 0;
    // Phone -> registrar: a REGISTER of `len` bytes; registrar -> phone: a bare ACK of all sent so
    // far, or a response of `len` bytes.
    auto reg = [&](Nanos t, std::uint32_t len) {
        Frame f = w.frame(++n, t, true, Transport::Tcp);
        Wire::tcp(f, 1, seq, len, sseq);
        w.add_register(f, "c", ++cseq, kCisco).length = len;
        seq += len;
        run(f);
    };
    auto ack = [&](Nanos t) {
        Frame f = w.frame(++n, t, false, Transport::Tcp);
        Wire::tcp(f, 1, sseq, 0, seq);
        run(f);
    };
    auto resp = [&](Nanos t, std::uint32_t status, std::uint32_t len) {
        Frame f = w.frame(++n, t, false, Transport::Tcp);
        Wire::tcp(f, 1, sseq, len, seq);
        w.add_response(f, status, "c", cseq, status == 200 ? with(kCisco, "expires=120") : std::vector<std::string>{});
        sseq += len;
        run(f);
    };
    // The initial registration is refused and retried (frames 1-4).
    reg(kT0, 500);
    resp(kT0 + millis(5), refusal, 300);
    reg(kT0 + millis(10), 600);
    resp(kT0 + millis(20), 200, 400);
    const Nanos e1 = kT0 + millis(20) + seconds(115);

    // Refresh 1 (frames 5-10): ACKed, refused, the retry ACKed and accepted.
    reg(e1, 500);
    ack(e1 + millis(5));
    resp(e1 + millis(6), refusal, 300);
    reg(e1 + millis(20), 600);
    ack(e1 + millis(25));
    resp(e1 + millis(30), 200, 400);
    CHECK(run.one(6).get(Field::RetransCount) == 0);
    CHECK_FALSE(run.one(6).has(Field::RefreshMargin));
    CHECK_FALSE(run.one(7).has(Field::RefreshMargin));
    CHECK(run.one(9).get(Field::RefreshMargin) == seconds(15) - millis(25));
    CHECK_FALSE(run.one(10).has(Field::RefreshMargin));
    CHECK(run.one(10).get(Field::DeliveryFrame) == 9);
    const Nanos e2 = e1 + millis(30) + seconds(115);

    // Refresh 2 (frames 11-13): not refused this time; the 2xx proves the ACK was the delivery.
    reg(e2, 500);
    ack(e2 + millis(5));
    resp(e2 + millis(10), 200, 400);
    CHECK_FALSE(run.one(12).has(Field::RefreshMargin));
    CHECK(run.one(13).get(Field::RefreshMargin) == seconds(15) - millis(5));
    CHECK(run.one(13).get(Field::DeliveryFrame) == 12);
    const Nanos d3 = e2 + millis(10) + seconds(130);

    // Refresh 3 (frames 14-19): first ACKed 1 s past the deadline, the first frame past it: the
    // breach is told there, with nothing delivered; the retry's ACK has the attempt's margin.
    reg(d3 - seconds(1), 500);
    ack(d3 + seconds(1));
    resp(d3 + seconds(1) + millis(1), refusal, 300);
    reg(d3 + seconds(2), 600);
    ack(d3 + seconds(2) + millis(5));
    resp(d3 + seconds(2) + millis(10), 200, 400);
    auto at15 = run.at(15);
    REQUIRE(at15.size() == 2);
    CHECK(at15[0].subject == Subject::SipDeadline);
    CHECK(at15[0].get(Field::GraceOverrun) == seconds(1));
    CHECK_FALSE(at15[0].has(Field::DeliveryFrame));
    CHECK_FALSE(at15[1].has(Field::RefreshMargin));
    CHECK(run.one(18).get(Field::RefreshMargin) == -(seconds(2) + millis(5)));
    CHECK_FALSE(run.one(19).has(Field::RefreshMargin));
    CHECK(run.experts(Expert::GraceBreach, n) == 1);
}

namespace {

// Frame ++n at t: a 500-byte REGISTER (Call-ID "c") at `seq` over TCP stream 1; when `gap` > 0,
// lost and retransmitted `gap` later in frame ++n. `seq` moves past it.
void send_resent_register(Wire& w, Run& run, std::uint32_t& n, Nanos t, Nanos gap, std::uint32_t& seq,
                          std::uint32_t sseq, std::uint32_t cseq) {
    Frame r = w.frame(++n, t, true, Transport::Tcp);
    Wire::tcp(r, 1, seq, 500, sseq);
    w.add_register(r, "c", cseq, kCisco).length = 500;
    run(r);
    if (gap) {
        Frame re = w.frame(++n, t + gap, true, Transport::Tcp);
        Wire::tcp(re, 1, seq, 500, sseq, true);
        run(re);
    }
    seq += 500;
}

// Frame `n` at t: the registrar's 200 OK (expires=120) to CSeq `cseq`, 400 bytes at `sseq` over TCP
// stream 1, acknowledging the phone's bytes up to `seq`. `sseq` moves past it.
void send_ok_tcp(Wire& w, Run& run, std::uint32_t n, Nanos t, std::uint32_t& sseq, std::uint32_t seq, std::uint32_t cseq) {
    Frame ok = w.frame(n, t, false, Transport::Tcp);
    Wire::tcp(ok, 1, sseq, 400, seq);
    w.add_response(ok, 200, "c", cseq, with(kCisco, "expires=120"));
    run(ok);
    sseq += 400;
}

}  // namespace

TEST_CASE("the breach forecast follows the attempt's retransmission gap when every refresh is challenged") {
    Wire w;
    Run run;
    std::uint32_t n = 0, seq = 1, sseq = 1, cseq = 0, ok_frame = 0;
    // Each attempt: REGISTER, lost and retransmitted after `first`; 401 10 ms later (its segment
    // ACKs the REGISTER); the authenticated retry 2 ms after it, lost too and retransmitted after
    // `retry_gap` when `retry_lost`; 200 OK (expires=120) 8 ms after the retry's last transmission.
    // The attempt waited `gap` = first + retry_gap for retransmissions either way.
    const bool retry_lost = GENERATE(false, true);
    CAPTURE(retry_lost);
    Nanos t = kT0, ok_time = 0;
    for (const Nanos gap : {Nanos{0}, seconds(1), seconds(2), seconds(4), seconds(8)}) {
        const Nanos retry_gap = retry_lost ? gap / 2 : 0, first = gap - retry_gap;
        send_resent_register(w, run, n, t, first, seq, sseq, ++cseq);
        Frame ch = w.frame(++n, t + first + millis(10), false, Transport::Tcp);
        Wire::tcp(ch, 1, sseq, 300, seq);
        w.add_response(ch, 401, "c", cseq);
        run(ch);
        sseq += 300;
        Frame retry = w.frame(++n, t + first + millis(12), true, Transport::Tcp);
        Wire::tcp(retry, 1, seq, 600, sseq);
        w.add_register(retry, "c", ++cseq, kCisco).length = 600;
        run(retry);
        if (retry_gap) {
            Frame again = w.frame(++n, t + gap + millis(12), true, Transport::Tcp);
            Wire::tcp(again, 1, seq, 600, sseq, true);
            run(again);
        }
        seq += 600;
        ok_time = t + gap + millis(20);
        send_ok_tcp(w, run, ok_frame = ++n, ok_time, sseq, seq, cseq);
        t = ok_time + seconds(115);
    }
    // Gaps 1, 2, 4, 8 s: grown 2x on the last 3 attempts. The next is projected at 16 s, beyond the
    // 15 s between expected time and deadline: the very next refresh, at the new deadline. (Either
    // REGISTER's own gap alone, 4 s in the last attempt when both were lost, projects 8 s, then
    // 16 s: a refresh later.)
    CHECK(run.experts(Expert::BreachForecast, n) == 1);
    Annotation f = run.one(ok_frame);
    CHECK(f.raised(Expert::BreachForecast));
    CHECK(f.get(Field::ForecastRefreshes) == 1);
    CHECK(f.get(Field::ForecastGap) == seconds(16));
    CHECK(f.get(Field::ForecastTime) == ok_time + seconds(130));
    CHECK(f.get(Field::RefreshMargin) == seconds(15) - seconds(8) - millis(20));
}

TEST_CASE("the breach forecast follows a REGISTER's wait behind another message's retransmission") {
    Wire w;
    Run run;
    std::uint32_t n = 0, seq = 1, sseq = 1, ok_frame = 0;
    // Each attempt: another message (300 bytes) at t, lost; the REGISTER (500 bytes) right behind
    // it, never resent; the registrar ACKs up to the hole; the other message is resent after `gap`
    // and the registrar ACKs both; 200 OK 10 ms after the resend.
    Nanos t = kT0, ok_time = 0;
    std::uint32_t cseq = 0;
    for (const Nanos gap : {Nanos{0}, seconds(1), seconds(2), seconds(4), seconds(8)}) {
        Frame other = w.frame(++n, t, true, Transport::Tcp);
        Wire::tcp(other, 1, seq, 300, sseq);
        run(other);
        Frame reg = w.frame(++n, t, true, Transport::Tcp);
        Wire::tcp(reg, 1, seq + 300, 500, sseq);
        w.add_register(reg, "c", ++cseq, kCisco).length = 500;
        run(reg);
        if (gap) {
            Frame dup = w.frame(++n, t + millis(1), false, Transport::Tcp);
            Wire::tcp(dup, 1, sseq, 0, seq);
            run(dup);
            Frame again = w.frame(++n, t + gap, true, Transport::Tcp);
            Wire::tcp(again, 1, seq, 300, sseq, true);
            run(again);
        }
        seq += 800;
        ok_time = t + gap + millis(10);
        send_ok_tcp(w, run, ok_frame = ++n, ok_time, sseq, seq, cseq);
        t = ok_time + seconds(115);
    }
    // Waits 1, 2, 4, 8 s: the next projected at 16 s, past the grace: the very next refresh. No
    // REGISTER was resent or lost its first transmission.
    CHECK(run.experts(Expert::Retransmission, n) == 0);
    CHECK(run.experts(Expert::LossPattern, n) == 0);
    CHECK(run.experts(Expert::BreachForecast, n) == 1);
    const Annotation f = run.one(ok_frame);
    CHECK(f.get(Field::ForecastRefreshes) == 1);
    CHECK(f.get(Field::ForecastGap) == seconds(16));
    CHECK(f.get(Field::ForecastTime) == ok_time + seconds(130));
    CHECK(f.get(Field::DeliveryHeldBy) == ok_frame - 1);
}

TEST_CASE("the breach forecast assumes the phone refreshes as late, or as early, as it did") {
    // Each attempt's REGISTER is lost and retransmitted after a doubling gap, then ACKed and
    // granted 120 s at once (expected 115 s after the 2xx, deadline 15 s later); the phone sends
    // each refresh `after` the 2xx.
    struct Case {
        Nanos after, first_gap;
        std::uint32_t refreshes;  // to the breach, by hand below
    };
    // 120 s: 5 s late each time. Gaps 0.75, 1.5, 3, 6 s; the next, 12 s, exceeds the 10 s a refresh
    // 5 s late leaves of the 15 s grace: the very next refresh breaches.
    // 60 s: 55 s early, 70 s of slack. Gaps 1, 2, 4, 8 s; 16, 32 and 64 s fit, 128 s does not.
    const Case c = GENERATE(Case{seconds(120), millis(750), 1}, Case{seconds(60), seconds(1), 4});
    CAPTURE(c.after);
    Wire w;
    Run run;
    std::uint32_t n = 0, seq = 1, sseq = 1, cseq = 0, ok_frame = 0;
    Nanos t = kT0, ok_time = 0, gap = 0;
    for (int k = 0; k < 5; ++k) {
        gap = k == 0 ? 0 : k == 1 ? c.first_gap : 2 * gap;
        send_resent_register(w, run, n, t, gap, seq, sseq, ++cseq);
        ok_time = t + gap + millis(10);
        send_ok_tcp(w, run, ok_frame = ++n, ok_time, sseq, seq, cseq);
        t = ok_time + c.after;
    }
    CHECK(run.experts(Expert::RefreshLate, n) == (c.after > seconds(116) ? 4 : 0));
    CHECK(run.experts(Expert::BreachForecast, n) == 1);
    const Annotation f = run.one(ok_frame);
    REQUIRE(f.raised(Expert::BreachForecast));
    CHECK(f.get(Field::ForecastRefreshes) == c.refreshes);
    const Nanos lateness = c.after - seconds(115);
    // Each projected refresh, sent `lateness` after its expected time, waits the projected gap;
    // the next is expected 115 s after that delivery. The breach comes at the deadline.
    Nanos expected = ok_time + seconds(115), projected = gap;
    for (std::uint32_t k = 1; k < c.refreshes; ++k) {
        projected *= 2;
        expected += lateness + projected + seconds(115);
    }
    CHECK(f.get(Field::ForecastGap) == 2 * projected);
    CHECK(f.get(Field::ForecastTime) == expected + seconds(15));
}

TEST_CASE("the granted expiry comes from the binding's own contact in a 2xx listing several") {
    Wire w;
    Run run;
    Frame f1 = w.frame(1, kT0, true);
    w.add_register(f1, "c", 1, with(kCisco, "expires=600"), "sip:100@10.0.0.5:5060;transport=udp");
    run(f1);
    Frame ok = w.frame(2, kT0 + millis(10), false);
    SipMessage& m = w.add_response(ok, 200, "c", 1, {"expires=45"}, "sip:100@10.0.0.77:5060");
    m.has_expires = true;
    m.expires = 300;
    // The binding's contact, without its +sip.instance but with another parameter order: same URI.
    SipContact mine;
    mine.uri = w.keep("sip:100@10.0.0.5:5060;line=x");
    mine.first_param = static_cast<std::uint32_t>(ok.contact_params.size());
    mine.param_count = 1;
    ok.contact_params.push_back(w.keep("EXPIRES=90"));
    ok.contacts.push_back(mine);
    ++ok.sip.back().contact_count;
    run(ok);
    CHECK(run.one(2).get(Field::ExpiresGranted) == 90);

    // No contact of ours in the answer: the Expires header decides; without it, the request.
    Frame f3 = w.frame(3, kT0 + seconds(80), true);
    w.add_register(f3, "c", 2, with(kCisco, "expires=600"), "sip:100@10.0.0.5:5060;transport=udp");
    run(f3);
    Frame ok2 = w.frame(4, kT0 + seconds(80) + millis(10), false);
    SipMessage& m2 = w.add_response(ok2, 200, "c", 2, {"expires=45"}, "sip:100@10.0.0.77:5060");
    w.add_contact_to(ok2, m2, "sip:100@10.0.0.78:5060", {"expires=46"});
    m2.has_expires = true;
    m2.expires = 300;
    run(ok2);
    CHECK(run.one(4).get(Field::ExpiresGranted) == 300);
    Frame f5 = w.frame(5, kT0 + seconds(200), true);
    w.add_register(f5, "c", 3, with(kCisco, "expires=600"), "sip:100@10.0.0.5:5060;transport=udp");
    run(f5);
    Frame ok3 = w.frame(6, kT0 + seconds(200) + millis(10), false);
    w.add_response(ok3, 200, "c", 3);
    run(ok3);
    CHECK(run.one(6).get(Field::ExpiresGranted) == 600);
}

TEST_CASE("the endpoint is named by the device as soon as a REGISTER carries it; a new address keeps the binding") {
    Wire w;
    Run run;
    const std::string instance = "+sip.instance=\"<urn:uuid:1>\"";
    Frame f1 = w.frame(1, kT0, true);
    w.add_register(f1, "c", 1, {instance});
    run(f1);
    CHECK(run.str(run.one(1).endpoint) == "sip:100@10.0.0.1");
    Frame ok = w.frame(2, kT0 + millis(10), false);
    w.add_response(ok, 200, "c", 1, {instance, "expires=120"});
    run(ok);
    // DHCP gave the phone a new address: new Contact URI, same instance, now with its device name.
    Frame f3 = w.frame(3, kT0 + seconds(115), true);
    f3.src_ip = IpAddr::v4(0x0a000063);
    w.add_register(f3, "c", 2, {instance, "+u.sip!devicename.ccm.cisco.com=\"SEP1\""}, "sip:100@10.0.0.99:5060");
    run(f3);
    Annotation r = run.one(3);
    CHECK(run.str(r.endpoint) == "SEP1");
    CHECK(r.get(Field::RefreshNumber) == 2);
    CHECK(r.get(Field::RefreshPrev) == 2);
    Frame ok2 = w.frame(4, kT0 + seconds(115) + millis(10), false);
    ok2.dst_ip = f3.src_ip;
    w.add_response(ok2, 200, "c", 2, {"expires=60"}, "sip:100@10.0.0.99:5060");
    w.add_contact_to(ok2, ok2.sip.back(), "sip:100@10.0.0.5:5060", {"expires=0"});  // the old contact, removed
    run(ok2);
    CHECK(run.one(4).get(Field::ExpiresGranted) == 60);
}

TEST_CASE("without +sip.instance, a phone that keeps its Call-ID keeps its binding from a new address") {
    // Refresh 2 is expected at kT0 + 10 ms + 115 s, its deadline 15 s later.
    Wire w;
    Run run;
    registered_by_uri(w, run);
    const Nanos deadline = kT0 + millis(10) + seconds(130);
    const IpAddr moved = IpAddr::v4(0x0a000063);  // 10.0.0.99
    // Frame 3: a REGISTER at kT0 + 115 s, Call-ID `call`, CSeq `cseq`, from `from` with contact
    // `contact`, and its 200 OK 10 ms later; then a frame past the first contact's deadline.
    auto next = [&](const std::string& call, std::uint32_t cseq, const IpAddr& from, const std::string& contact) {
        Frame f = w.frame(3, kT0 + seconds(115), true);
        f.src_ip = from;
        w.add_register(f, call, cseq, {}, contact);
        run(f);
        Frame answer = w.frame(4, kT0 + seconds(115) + millis(10), false);
        answer.dst_ip = from;
        w.add_response(answer, 200, call, cseq, {"expires=120"}, contact);
        run(answer);
        unrelated(w, run, 5, deadline + seconds(1));
    };
    SECTION("the same Call-ID from a new address: the binding's next refresh, no breach") {
        next("c", 2, moved, "sip:100@10.0.0.99:5060");
        const Annotation r = run.one(3);
        CHECK(r.get(Field::RefreshNumber) == 2);
        CHECK(r.get(Field::RefreshPrev) == 2);
        CHECK(r.get(Field::RefreshLateness) == -millis(10));
        CHECK(run.experts(Expert::GraceBreach, 5) == 0);
    }
    SECTION("another Call-ID from another address, as another phone of a shared line: a binding of its own") {
        next("d", 1, moved, "sip:100@10.0.0.99:5060");
        CHECK(run.one(3).get(Field::RefreshNumber) == 1);
        CHECK(run.experts(Expert::GraceBreach, 5) == 1);
    }
    SECTION("another contact under the Call-ID from the same address: a binding of its own, and the first "
            "one's lapse no breach") {
        next("c", 2, kPhone, "sip:100@10.0.0.5:5070");
        CHECK(run.one(3).get(Field::RefreshNumber) == 1);
        // Its 2xx answers the new contact's REGISTER, not one of the first contact's the capture lacks.
        CHECK(run.one(4).get(Field::RefreshNumber) == 1);
        // The phone moved to its new contact (as one behind a NAT that learnt its new public port):
        // the first one's deadline tells it, under the same Call-ID.
        const Annotation lapse = run.one(5);
        CHECK(lapse.subject == Subject::SipDeadline);
        CHECK(lapse.get(Field::RefreshNumber) == 2);
        CHECK(!lapse.has(Field::SessionEvent));
        CHECK(lapse.experts() == 0);
    }
}

TEST_CASE("without +sip.instance, a TCP phone whose Contact carries its connection's port keeps its binding on a new connection") {
    // Frames 1 and 2: the registration over TCP stream 1 (Call-ID "c", contact port 50100), 200 OK
    // at kT0 + 10 ms granting 120 s (deadline kT0 + 10 ms + 130 s). Frame 3: a REGISTER under "c"
    // from the same address with contact port 50200 on `stream` at kT0 + 115 s, answered 10 ms
    // later; frame 5 passes the first contact's deadline.
    Wire w;
    Run run;
    const std::string first = "sip:100@10.0.0.5:50100;transport=tcp";
    const std::string second = "sip:100@10.0.0.5:50200;transport=tcp";
    Frame reg = w.frame(1, kT0, true, Transport::Tcp);
    Wire::tcp(reg, 1, 1, 500, 1);
    w.add_register(reg, "c", 1, {}, first).length = 500;
    run(reg);
    Frame ok = w.frame(2, kT0 + millis(10), false, Transport::Tcp);
    Wire::tcp(ok, 1, 1, 400, 501);
    w.add_response(ok, 200, "c", 1, {"expires=120"}, first).length = 400;
    run(ok);
    auto next = [&](std::uint32_t stream, std::uint32_t seq) {
        Frame f = w.frame(3, kT0 + seconds(115), true, Transport::Tcp);
        Wire::tcp(f, stream, seq, 500, 401);
        w.add_register(f, "c", 2, {}, second).length = 500;
        run(f);
        Frame answer = w.frame(4, kT0 + seconds(115) + millis(10), false, Transport::Tcp);
        Wire::tcp(answer, stream, 401, 400, seq + 500);
        w.add_response(answer, 200, "c", 2, {"expires=120"}, second).length = 400;
        run(answer);
        unrelated(w, run, 5, kT0 + millis(10) + seconds(131));
    };
    SECTION("a new connection: the binding's next refresh, no breach") {
        next(2, 1);
        const Annotation r = run.one(3);
        CHECK(r.get(Field::RefreshNumber) == 2);
        CHECK(r.get(Field::RefreshLateness) == -millis(10));
        CHECK(run.at(4).size() == 1);  // no second binding, whose REGISTER the capture would lack
        CHECK(run.experts(Expert::GraceBreach, 5) == 0);
    }
    SECTION("the same connection: another contact the phone adds, a binding of its own") {
        next(1, 501);
        CHECK(run.one(3).get(Field::RefreshNumber) == 1);
    }
}

TEST_CASE("a phone without +sip.instance restarted on a new address is tied to its binding by the MAC that announced it") {
    // registered_by_uri() from MAC `from`: its deadline is kT0 + 10 ms + 130 s. At kT0 + 100 s it
    // restarts on 10.0.0.99: an ARP from `announcer` with sender 10.0.0.99, then at kT0 + 110 s a
    // REGISTER under Call-ID "d" from 10.0.0.99 and `from`, answered 10 ms later.
    constexpr Mac kOwn = 0x001565360015, kOther = 0x001565360016, kRouter = 0x00000c9f0001;
    const IpAddr moved = IpAddr::v4(0x0a000063);  // 10.0.0.99
    Wire w;
    auto restart = [&](Run& run, Mac from, Mac announcer, std::uint16_t opcode, std::uint32_t sender_ip) {
        registered_by_uri(w, run, from);
        Frame arp = w.frame(3, kT0 + seconds(100), true);
        arp.src_ip = arp.dst_ip = IpAddr{};
        arp.transport = Transport::None;
        from_mac(arp, announcer);
        ArpPacket a;
        a.opcode = opcode;
        a.sender_mac = announcer;
        a.sender_ip = sender_ip;
        a.target_ip = opcode == 1 ? 0x0a0000fe : sender_ip;  // its gateway, or itself (gratuitous)
        a.gratuitous = opcode == 2;
        arp.arp.push_back(a);
        run(arp);
        Frame again = w.frame(4, kT0 + seconds(110), true);
        again.src_ip = moved;
        from_mac(again, from);
        w.add_register(again, "d", 1, {}, "sip:100@10.0.0.99:5060");
        run(again);
        Frame answer = w.frame(5, kT0 + seconds(110) + millis(10), false);
        answer.dst_ip = moved;
        w.add_response(answer, 200, "d", 1, {"expires=120"}, "sip:100@10.0.0.99:5060");
        run(answer);
        unrelated(w, run, 6, kT0 + millis(10) + seconds(131));
    };
    SECTION("announced by the MAC of both REGISTERs, in a request or a gratuitous ARP: the binding's next refresh") {
        for (const std::uint16_t opcode : {1, 2}) {
            CAPTURE(opcode);
            Run run;
            restart(run, kOwn, kOwn, opcode, 0x0a000063);
            const Annotation r = run.one(4);
            CHECK(r.get(Field::RefreshNumber) == 2);
            CHECK(r.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::NewCallId));
            CHECK(r.get(Field::RefreshLateness) == seconds(110) - millis(10) - seconds(115));
            CHECK(run.experts(Expert::GraceBreach, 6) == 0);
        }
    }
    SECTION("no announcement of the new address by that MAC: a binding of its own") {
        for (const auto& [announcer, sender] : {std::pair<Mac, std::uint32_t>{kOther, 0x0a000063},  // another phone's
                                                 {kOwn, 0x0a000005},                               // the old address
                                                 {kOwn, 0}}) {                                     // a probe
            CAPTURE(announcer, sender);
            Run run;
            restart(run, kOwn, announcer, 1, sender);
            CHECK(run.one(4).get(Field::RefreshNumber) == 1);
            CHECK(run.experts(Expert::GraceBreach, 6) == 1);
        }
    }
    SECTION("behind a router, whose MAC carries every phone's REGISTERs and announces its own address") {
        Run run;
        restart(run, kRouter, kRouter, 1, 0x0a0000fe);
        CHECK(run.one(4).get(Field::RefreshNumber) == 1);
        CHECK(run.experts(Expert::GraceBreach, 6) == 1);
    }
}

TEST_CASE("a phone without +sip.instance that restarted on a new port of its address: its old contact lapses, no breach") {
    // registered_by_uri() from MAC kOwn: the old contact's deadline is kT0 + 10 ms + 130 s. A
    // REGISTER from the same address, port 5070, under Call-ID "d" with contact port 5070, at
    // `at` from MAC `mac`, answered 10 ms later; then frames past the deadline.
    constexpr Mac kOwn = 0x001565360015, kOther = 0x001565360016;
    const Nanos deadline = kT0 + millis(10) + seconds(130);
    const std::string contact = "sip:100@10.0.0.5:5070";
    Wire w;
    Run run;
    registered_by_uri(w, run, kOwn);
    auto other_contact = [&](std::uint32_t n, Nanos at, std::uint32_t cseq, Mac mac) {
        Frame f = w.frame(n, at, true);
        f.src_port = 5070;
        from_mac(f, mac);
        w.add_register(f, "d", cseq, {}, contact);
        run(f);
        Frame answer = w.frame(n + 1, at + millis(10), false);
        answer.dst_port = 5070;
        w.add_response(answer, 200, "d", cseq, {"expires=120"}, contact);
        run(answer);
    };
    SECTION("first registered after the old contact's latest REGISTER: a re-registration, told at the deadline") {
        other_contact(3, kT0 + seconds(100), 1, kOwn);
        CHECK(run.one(3).get(Field::RefreshNumber) == 1);
        unrelated(w, run, 5, deadline + seconds(1));
        const Annotation r = run.one(5);
        CHECK(r.subject == Subject::SipDeadline);
        CHECK(r.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::NewCallId));
        CHECK(r.get(Field::RefreshNumber) == 2);
        CHECK(r.get(Field::RefreshDeadline) == deadline);
        CHECK(r.get(Field::RefreshPrev) == 2);
        CHECK(r.experts() == 0);
        // Nothing more of the old contact; the new one breaches at its own deadline.
        unrelated(w, run, 6, kT0 + seconds(100) + millis(10) + seconds(131));
        CHECK(run.one(6).get(Field::RefreshDeadline) == kT0 + seconds(100) + millis(10) + seconds(130));
        CHECK(run.experts(Expert::GraceBreach, 6) == 1);
    }
    SECTION("the restarted phone registering two new Contacts: either tells the lapse") {
        Frame f = w.frame(3, kT0 + seconds(100), true);
        f.src_port = 5070;
        from_mac(f, kOwn);
        w.add_contact_to(f, w.add_register(f, "d", 1, {}, contact), "sip:100@10.0.0.5:5080", {});
        run(f);
        Frame answer = w.frame(4, kT0 + seconds(100) + millis(10), false);
        answer.dst_port = 5070;
        w.add_contact_to(answer, w.add_response(answer, 200, "d", 1, {"expires=120"}, contact), "sip:100@10.0.0.5:5080",
                         {"expires=120"});
        run(answer);
        unrelated(w, run, 5, deadline + seconds(1));
        CHECK(run.one(5).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::NewCallId));
        CHECK(run.experts(Expert::GraceBreach, 5) == 0);
    }
    SECTION("from another MAC: another device on the address, and the old contact's breach stands") {
        other_contact(3, kT0 + seconds(100), 1, kOther);
        unrelated(w, run, 5, deadline + seconds(1));
        CHECK(run.experts(Expert::GraceBreach, 5) == 1);
    }
    SECTION("registered before the old contact's latest REGISTER: a second device behind the address (a shared "
            "line), and the breach stands") {
        other_contact(3, kT0 + seconds(50), 1, kOwn);
        Frame again = w.frame(5, kT0 + seconds(115), true);
        from_mac(again, kOwn);
        w.add_register(again, "c", 2, {});
        run(again);
        Frame ok = w.frame(6, kT0 + seconds(115) + millis(10), false);
        w.add_response(ok, 200, "c", 2, {"expires=120"});
        run(ok);
        other_contact(7, kT0 + seconds(165), 2, kOwn);
        unrelated(w, run, 9, kT0 + seconds(115) + millis(10) + seconds(131));
        CHECK(run.experts(Expert::GraceBreach, 9) == 1);
        CHECK(run.one(9).get(Field::RefreshNumber) == 3);
    }
    SECTION("granted only past the old contact's deadline: the phone was unregistered meanwhile") {
        unrelated(w, run, 3, deadline + seconds(1));
        CHECK(run.experts(Expert::GraceBreach, 3) == 1);
        other_contact(4, deadline + seconds(2), 1, kOwn);
        CHECK(run.at(4).size() == 1);
    }
}

TEST_CASE("a long-lived phone's state stays flat: transactions overwritten in their binding leave the index") {
    Wire w;
    Run run;
    std::uint32_t n = 0;
    std::size_t after_100 = 0;
    for (std::uint32_t cseq = 1; cseq <= 10'000; ++cseq) {
        const Nanos t = kT0 + seconds(115) * cseq;
        Frame req = w.frame(++n, t, true);
        w.add_register(req, "call-a", cseq, kCisco);
        run(req);
        Frame ok = w.frame(++n, t + millis(20), false);
        w.add_response(ok, 200, "call-a", cseq, with(kCisco, "expires=120"));
        run(ok);
        if (cseq == 100) after_100 = run.engine.state_bytes();
    }
    CHECK(run.engine.state_bytes() == after_100);
    // The latest transaction is still found; a long-overwritten one is not taken for it.
    const Nanos t = kT0 + seconds(115) * 10'000 + millis(500);
    Frame again = w.frame(++n, t, true);
    w.add_register(again, "call-a", 10'000, kCisco);
    run(again);
    CHECK(run.one(n).subject == Subject::SipRetransmission);
    CHECK(run.one(n).get(Field::RetransOriginal) == n - 2);
    Frame old = w.frame(++n, t + millis(1), true);
    w.add_register(old, "call-a", 9'990, kCisco);
    run(old);
    CHECK(run.one(n).subject == Subject::SipRefresh);  // a new attempt, no retransmission
}

TEST_CASE("a transaction overwritten and recreated in the same slot within one frame stays findable") {
    // One segment carrying REGISTERs with CSeq 1..8 for one binding, then CSeq 1 again: the four
    // slots wrap twice, and CSeq 1 lands in the slot it was first overwritten in.
    Wire w;
    Run run;
    Frame burst = w.frame(1, kT0, true);
    for (std::uint32_t cseq = 1; cseq <= 8; ++cseq) w.add_register(burst, "call-a", cseq, kCisco);
    w.add_register(burst, "call-a", 1, kCisco);
    run(burst);
    Frame again = w.frame(2, kT0 + millis(500), true);
    w.add_register(again, "call-a", 1, kCisco);
    run(again);
    CHECK(run.one(2).subject == Subject::SipRetransmission);
    CHECK(run.one(2).get(Field::RetransOriginal) == 1);
}

TEST_CASE("lines sharing one Call-ID (RFC 3261 10.2) are told apart by CSeq") {
    Wire w;
    Run run;
    // Line 100 registers with CSeq 1, line 101 with CSeq 2, both under Call-ID "ua".
    Frame r1 = w.frame(1, kT0, true);
    w.add_register(r1, "ua", 1, {"expires=120"}, "sip:100@10.0.0.5:5060", "sip:100@10.0.0.1");
    run(r1);
    Frame r2 = w.frame(2, kT0 + millis(10), true);
    w.add_register(r2, "ua", 2, {"expires=600"}, "sip:101@10.0.0.5:5060", "sip:101@10.0.0.1");
    run(r2);
    // Answered in the other order; each grants what its line asked for.
    Frame ok2 = w.frame(3, kT0 + millis(40), false);
    w.add_response(ok2, 200, "ua", 2, {"expires=600"}, "sip:101@10.0.0.5:5060", "sip:101@10.0.0.1");
    run(ok2);
    Frame ok1 = w.frame(4, kT0 + millis(50), false);
    w.add_response(ok1, 200, "ua", 1, {"expires=120"}, "sip:100@10.0.0.5:5060");
    run(ok1);
    CHECK(run.str(run.one(3).endpoint) == "sip:101@10.0.0.1");
    CHECK(run.one(3).get(Field::ExpiresGranted) == 600);
    CHECK(run.str(run.one(4).endpoint) == "sip:100@10.0.0.1");
    CHECK(run.one(4).get(Field::ExpiresGranted) == 120);
    // Line 101's next refresh (CSeq 3), sent twice: the resend is that line's alone.
    Frame r3 = w.frame(5, kT0 + seconds(500), true);
    w.add_register(r3, "ua", 3, {"expires=600"}, "sip:101@10.0.0.5:5060", "sip:101@10.0.0.1");
    run(r3);
    Frame again = w.frame(6, kT0 + seconds(500) + millis(500), true);
    w.add_register(again, "ua", 3, {"expires=600"}, "sip:101@10.0.0.5:5060", "sip:101@10.0.0.1");
    run(again);
    // Frame 5 is also the first past line 100's deadline: 50 ms + 120 s - 5 s (refresh_delta)
    // + 15 s (grace window). Its refresh is the frame's own message, analysed first.
    auto at5 = run.at(5);
    REQUIRE(at5.size() == 2);
    CHECK(at5[0].subject == Subject::SipRefresh);
    CHECK(run.str(at5[0].endpoint) == "sip:101@10.0.0.1");
    CHECK(at5[0].get(Field::RefreshNumber) == 2);
    CHECK(at5[0].get(Field::RefreshDeadline) == kT0 + millis(40) + seconds(610));
    CHECK(at5[1].subject == Subject::SipDeadline);
    CHECK(run.str(at5[1].endpoint) == "sip:100@10.0.0.1");
    CHECK(at5[1].get(Field::RefreshDeadline) == kT0 + millis(50) + seconds(130));
    CHECK(run.one(6).subject == Subject::SipRetransmission);
    CHECK(run.one(6).get(Field::RetransOriginal) == 5);
    CHECK(run.str(run.one(6).endpoint) == "sip:101@10.0.0.1");
    CHECK(run.experts(Expert::GraceBreach, 6) == 1);
}

TEST_CASE("a late response to the Call-ID before a restart still counts, until its transaction is forgotten") {
    Wire w;
    Run run;
    std::uint32_t n = 0;
    Frame r = w.frame(++n, kT0, true);
    w.add_register(r, "before", 7, kCisco);
    run(r);
    // The phone restarts and registers under a new Call-ID before the first one is answered.
    Frame restart = w.frame(++n, kT0 + seconds(3), true);
    w.add_register(restart, "after", 1, kCisco);
    run(restart);
    CHECK(run.one(n).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::NewCallId));
    Frame late = w.frame(++n, kT0 + seconds(4), false);
    w.add_response(late, 200, "before", 7, with(kCisco, "expires=120"));
    run(late);
    CHECK(run.one(n).subject == Subject::SipResponse);
    CHECK(run.one(n).get(Field::RefreshNumber) == 1);
    CHECK(!run.one(n).has(Field::ExpiresGranted));  // the attempt it answers is over
    // Four more transactions under the new Call-ID overwrite every slot: "before" is forgotten.
    for (std::uint32_t cseq = 2; cseq <= 5; ++cseq) {
        Frame more = w.frame(++n, kT0 + seconds(4 + cseq), true);
        w.add_register(more, "after", cseq, kCisco);
        run(more);
    }
    Frame stale = w.frame(++n, kT0 + seconds(10), false);
    w.add_response(stale, 200, "before", 7, with(kCisco, "expires=120"));
    run(stale);
    CHECK(run.at(n).empty());
}

TEST_CASE("a flood of bindings under one Call-ID is followed for a bounded number of them") {
    Wire w;
    Run run;
    constexpr std::uint32_t kBindings = 200;
    for (std::uint32_t i = 1; i <= kBindings; ++i) {
        Frame f = w.frame(i, kT0 + millis(i), true);
        w.add_register(f, "one", i, {"expires=120"}, "sip:" + std::to_string(i) + "@10.0.0.5");
        run(f);
        CHECK(run.one(i).subject == Subject::SipRefresh);
    }
    std::uint32_t answered = 0;
    for (std::uint32_t i = 1; i <= kBindings; ++i) {
        Frame ok = w.frame(kBindings + i, kT0 + seconds(1) + millis(i), false);
        w.add_response(ok, 200, "one", i, {"expires=120"}, "sip:" + std::to_string(i) + "@10.0.0.5");
        run(ok);
        answered += static_cast<std::uint32_t>(run.at(kBindings + i).size());
    }
    CHECK(answered == 64);  // the first 64 bindings of the Call-ID; each response matched once
}

TEST_CASE("a line that leaves a shared Call-ID leaves the other lines findable under it") {
    Wire w;
    Run run;
    std::uint32_t n = 0;
    const auto line = [](std::uint32_t i) { return "sip:10" + std::to_string(i) + "@10.0.0.5:5060"; };
    const auto aor = [](std::uint32_t i) { return "sip:10" + std::to_string(i) + "@10.0.0.1"; };
    for (std::uint32_t i = 1; i <= 3; ++i) {
        ++n;
        Frame r = w.frame(n, kT0 + millis(n), true);
        w.add_register(r, "ua", i, {"expires=120"}, line(i), aor(i));
        run(r);
    }
    // Line 2 restarts: its four transactions under "after" push its "ua" one out of its slots.
    for (std::uint32_t cseq = 1; cseq <= 4; ++cseq) {
        Frame r = w.frame(++n, kT0 + seconds(cseq), true);
        w.add_register(r, "after", cseq, {"expires=120"}, line(2), aor(2));
        run(r);
    }
    for (std::uint32_t cseq : {3u, 1u, 2u}) {
        Frame ok = w.frame(++n, kT0 + seconds(5) + millis(cseq), false);
        w.add_response(ok, 200, "ua", cseq, {"expires=120"}, line(cseq), aor(cseq));
        run(ok);
        if (cseq == 2) {
            CHECK(run.at(n).empty());
        } else {
            CHECK(run.str(run.one(n).endpoint) == aor(cseq));
            CHECK(run.one(n).get(Field::ExpiresGranted) == 120);
        }
    }
}

TEST_CASE("a REGISTER listing several Contacts refreshes the binding of each, each by its own grant") {
    Wire w;
    Run run;
    const std::string a = "sip:100@10.0.0.5:5060", b = "sip:100@[2001:db8::5]:5060";
    const std::vector<std::string> name_a = {"+u.sip!devicename.ccm.cisco.com=\"SEPA\""};
    const std::vector<std::string> name_b = {"+u.sip!devicename.ccm.cisco.com=\"SEPB\""};
    const auto both = [&](Frame& f, std::uint32_t cseq) {
        SipMessage& m = w.add_register(f, "two", cseq, name_a, a);
        w.add_contact_to(f, m, b, name_b);
        m.has_expires = true;
        m.expires = 120;
    };
    Frame r1 = w.frame(1, kT0, true);
    both(r1, 1);
    run(r1);
    auto at1 = run.at(1);
    REQUIRE(at1.size() == 2);
    CHECK(run.str(at1[0].endpoint) == "SEPA");
    CHECK(run.str(at1[1].endpoint) == "SEPB");
    for (const Annotation& x : at1) {
        CHECK(x.subject == Subject::SipRefresh);
        CHECK(x.get(Field::RefreshNumber) == 1);
    }
    // The registrar grants contact A 120 s and trims contact B to 60 s.
    const Nanos ok_at = kT0 + millis(20);
    Frame ok = w.frame(2, ok_at, false);
    SipMessage& resp = w.add_response(ok, 200, "two", 1, with(name_a, "expires=120"), a);
    w.add_contact_to(ok, resp, b, with(name_b, "expires=60"));
    run(ok);
    auto at2 = run.at(2);
    REQUIRE(at2.size() == 2);
    CHECK(run.str(at2[0].endpoint) == "SEPA");
    CHECK(at2[0].get(Field::ExpiresGranted) == 120);
    CHECK(at2[0].get(Field::RefreshExpected) == ok_at + seconds(115));
    CHECK(run.str(at2[1].endpoint) == "SEPB");
    CHECK(at2[1].get(Field::ExpiresGranted) == 60);
    CHECK(at2[1].get(Field::RefreshExpected) == ok_at + seconds(55));
    // The phone refreshes both on the longer grant: B's deadline (55 s + 15 s grace) passed first.
    Frame r2 = w.frame(3, ok_at + seconds(115), true);
    both(r2, 2);
    run(r2);
    auto at3 = run.at(3);
    REQUIRE(at3.size() == 3);
    CHECK(at3[0].subject == Subject::SipRefresh);
    CHECK(run.str(at3[0].endpoint) == "SEPA");
    CHECK(at3[0].get(Field::RefreshLateness) == 0);
    CHECK(!at3[0].raised(Expert::RefreshLate));
    CHECK(at3[1].subject == Subject::SipDeadline);
    CHECK(run.str(at3[1].endpoint) == "SEPB");
    CHECK(at3[1].get(Field::RefreshDeadline) == ok_at + seconds(70));
    CHECK(at3[1].get(Field::GraceOverrun) == seconds(45));
    CHECK(at3[1].raised(Expert::GraceBreach));
    CHECK(at3[2].subject == Subject::SipRefresh);
    CHECK(run.str(at3[2].endpoint) == "SEPB");
    CHECK(at3[2].get(Field::RefreshLateness) == seconds(60));
    CHECK(at3[2].raised(Expert::RefreshLate));
    // A resend is one for both bindings.
    Frame again = w.frame(4, ok_at + seconds(115) + millis(500), true);
    both(again, 2);
    run(again);
    auto at4 = run.at(4);
    REQUIRE(at4.size() == 2);
    for (const Annotation& x : at4) {
        CHECK(x.subject == Subject::SipRetransmission);
        CHECK(x.get(Field::RetransOriginal) == 3);
    }
    // A 2xx listing only contact A: B's grant is the request's 120 s, not A's 90 s.
    Frame ok2 = w.frame(5, ok_at + seconds(116), false);
    w.add_response(ok2, 200, "two", 2, with(name_a, "expires=90"), a);
    run(ok2);
    auto at5 = run.at(5);
    REQUIRE(at5.size() == 2);
    CHECK(run.str(at5[0].endpoint) == "SEPA");
    CHECK(at5[0].get(Field::ExpiresGranted) == 90);
    CHECK(run.str(at5[1].endpoint) == "SEPB");
    CHECK(at5[1].get(Field::ExpiresGranted) == 120);
}

TEST_CASE("a contact listed twice in one REGISTER is one binding, an empty one is passed over; several are named by AOR and contact") {
    Wire w;
    Run run;
    const auto listing = [&](std::uint32_t n, const std::string& second) {
        Frame r = w.frame(n, kT0 + seconds(n), true);
        SipMessage& m = w.add_register(r, "call-" + std::to_string(n), 1, {"expires=120"});
        w.add_contact_to(r, m, second, {"expires=120"});
        run(r);
        return run.at(n);
    };
    auto twice = listing(1, "sip:100@10.0.0.5:5060");
    REQUIRE(twice.size() == 1);
    CHECK(twice[0].subject == Subject::SipRefresh);
    auto two = listing(2, "sip:100@10.0.0.5:5070;transport=udp");
    REQUIRE(two.size() == 2);
    // The first contact's binding is the one listed twice before, under its first name.
    CHECK(two[0].get(Field::RefreshNumber) == 2);
    CHECK(run.str(two[0].endpoint) == "sip:100@10.0.0.1 <sip:100@10.0.0.5:5060>");
    CHECK(run.str(two[1].endpoint) == "sip:100@10.0.0.1 <sip:100@10.0.0.5:5070>");
    CHECK(two[1].get(Field::RefreshNumber) == 1);
    // An empty Contact before a usable one: the usable one is followed (not taken for a query).
    Frame r = w.frame(4, kT0 + seconds(4), true);
    SipMessage& m = w.add_register(r, "empty-first", 1, {}, "");
    w.add_contact_to(r, m, "sip:100@10.0.0.5:5090", {"expires=120"});
    run(r);
    CHECK(run.one(4).subject == Subject::SipRefresh);
    CHECK(run.str(run.one(4).endpoint) == "sip:100@10.0.0.1 <sip:100@10.0.0.5:5090>");
}

TEST_CASE("a REGISTER a proxy forwards is the next hop's request, not a retransmission; each hop gets its own answer") {
    Wire w;
    Run run;
    // Captured on a proxy (10.0.0.2): the phone's REGISTER, the same one (Call-ID, CSeq) forwarded
    // to the registrar 0.5 ms later, the registrar's 200 OK and the proxy's copy of it to the phone.
    const IpAddr proxy = IpAddr::v4(0x0a000002);
    const auto hop = [&](std::uint32_t n, Nanos t, const IpAddr& src, const IpAddr& dst) {
        Frame f = w.frame(n, t, true);
        f.src_ip = src;
        f.dst_ip = dst;
        return f;
    };
    std::uint32_t n = 0;
    for (std::uint32_t k = 0; k < 4; ++k) {
        const Nanos t = kT0 + k * (seconds(115) + millis(10));
        Frame in = hop(++n, t, kPhone, proxy);
        w.add_register(in, "px", k + 1, {"expires=120"});
        run(in);
        Frame out = hop(++n, t + kMillisecond / 2, proxy, kRegistrar);
        w.add_register(out, "px", k + 1, {"expires=120"});
        run(out);
        Frame ok = hop(++n, t + millis(9), kRegistrar, proxy);
        w.add_response(ok, 200, "px", k + 1, {"expires=3600"});
        run(ok);
        Frame back = hop(++n, t + millis(10), proxy, kPhone);
        w.add_response(back, 200, "px", k + 1, {"expires=120"});
        run(back);
    }
    CHECK(run.experts(Expert::Retransmission, n) == 0);
    CHECK(run.experts(Expert::LossPattern, n) == 0);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
    CHECK(run.experts(Expert::RefreshLate, n) == 0);
    // Each hop is a binding at its own server, answered by the response sent back to it.
    CHECK(run.str(run.one(1).server) == "10.0.0.2:5060/udp");
    CHECK(run.str(run.one(2).server) == "10.0.0.1:5060/udp");
    CHECK(run.one(2).subject == Subject::SipRefresh);
    CHECK(run.one(2).get(Field::RetransCount) == 0);
    CHECK(run.str(run.one(3).server) == "10.0.0.1:5060/udp");
    CHECK(run.one(3).get(Field::ExpiresGranted) == 3600);
    CHECK(run.str(run.one(4).server) == "10.0.0.2:5060/udp");
    CHECK(run.one(4).get(Field::ExpiresGranted) == 120);
    // The phone's next refresh: 115 s after the proxy's 200 OK, on time.
    CHECK(run.one(5).get(Field::RefreshInterval) == seconds(115));
    CHECK(run.one(5).get(Field::RefreshLateness) == 0);
}

TEST_CASE("hops on one host, differing only in port: each response answers the hop it comes back on") {
    Wire w;
    Run run;
    // An IMS core on one address (ericsson-mts/mts's coeur_registerA.pcap): the P-CSCF's REGISTER
    // from port 4060 to the I-CSCF on 5060, forwarded (same Call-ID, CSeq) to the S-CSCF on 6060;
    // the S-CSCF's answer to 5060, and the I-CSCF's to 4060, 0.2 ms apart.
    const auto hop = [&](std::uint32_t n, Nanos t, std::uint16_t from, std::uint16_t to) {
        Frame f = w.frame(n, t, true);
        f.src_ip = f.dst_ip = kRegistrar;
        f.src_port = from;
        f.dst_port = to;
        return f;
    };
    Frame in = hop(1, kT0, 4060, 5060);
    w.add_register(in, "ims", 1, {"expires=3600"});
    run(in);
    Frame out = hop(2, kT0 + millis(80), 5060, 6060);
    w.add_register(out, "ims", 1, {"expires=3600"});
    run(out);
    Frame ok = hop(3, kT0 + millis(130), 6060, 5060);
    w.add_response(ok, 200, "ims", 1, {"expires=3600"});
    run(ok);
    Frame back = hop(4, ok.time + kMillisecond / 5, 5060, 4060);
    w.add_response(back, 200, "ims", 1, {"expires=600"});
    run(back);
    CHECK(run.str(run.one(1).server) == "10.0.0.1:5060/udp");
    CHECK(run.str(run.one(2).server) == "10.0.0.1:6060/udp");
    // The S-CSCF's 200 OK grants the forwarded REGISTER its 3600 s, and only that one.
    CHECK(run.str(run.one(3).server) == "10.0.0.1:6060/udp");
    CHECK(run.one(3).get(Field::ExpiresGranted) == 3600);
    CHECK(run.one(3).get(Field::RefreshExpected) == ok.time + seconds(3600 - 5));
    // The I-CSCF's grants the first hop's: 600 s from its own time, not taken for a copy of the first.
    CHECK(run.str(run.one(4).server) == "10.0.0.1:5060/udp");
    CHECK(run.one(4).get(Field::ExpiresGranted) == 600);
    CHECK(run.one(4).get(Field::RefreshExpected) == back.time + seconds(600 - 5));
    CHECK(run.experts(Expert::Retransmission, 4) == 0);
}

TEST_CASE("a 2xx listing a restarted phone's stale contact first grants the expiry of the one it registered") {
    Wire w;
    Run run;
    // The phone restarted and registers from a new port with the same +sip.instance; the registrar
    // still holds the old contact (40 s left) and lists it first.
    Frame r = w.frame(1, kT0, true);
    w.add_register(r, "after-restart", 1, with(kCisco, "expires=120"), "sip:100@10.0.0.5:5061;transport=tcp");
    run(r);
    Frame ok = w.frame(2, kT0 + millis(10), false);
    SipMessage& m = w.add_response(ok, 200, "after-restart", 1, with(kCisco, "expires=40"),
                                   "sip:100@10.0.0.5:5060;transport=tcp");
    w.add_contact_to(ok, m, "sip:100@10.0.0.5:5061;transport=tcp", with(kCisco, "expires=120"));
    run(ok);
    CHECK(run.one(2).get(Field::ExpiresGranted) == 120);
    CHECK(run.one(2).get(Field::RefreshExpected) == kT0 + millis(10) + seconds(115));
}

TEST_CASE("a 2xx listing a soft phone's older contact, differing in a URI parameter, grants the one it registered") {
    // Bria, Zoiper and X-Lite put ";rinstance=" in the Contact URI, new at each start; a registrar
    // keeping several contacts per AOR lists the one from before a restart (900 s left) with it.
    // Its parameters differ, so it is another contact (RFC 3261 19.1.4), whichever comes first.
    const std::string now = "sip:100@10.0.0.5:5060;rinstance=7f3a9c1d", before = "sip:100@10.0.0.5:5060;rinstance=0c1d2e3f";
    for (const bool stale_first : {true, false}) {
        for (const bool instance : {false, true}) {
            CAPTURE(stale_first, instance);
            Wire w;
            Run run;
            const std::vector<std::string> mine = instance ? with(kCisco, "expires=3600") : std::vector<std::string>{"expires=3600"};
            const std::vector<std::string> old = instance ? with(kCisco, "expires=900") : std::vector<std::string>{"expires=900"};
            Frame r = w.frame(1, kT0, true);
            w.add_register(r, "soft", 1, mine, now);
            run(r);
            Frame ok = w.frame(2, kT0 + millis(10), false);
            SipMessage& m = w.add_response(ok, 200, "soft", 1, stale_first ? old : mine, stale_first ? before : now);
            w.add_contact_to(ok, m, stale_first ? now : before, stale_first ? mine : old);
            run(ok);
            CHECK(run.one(2).get(Field::ExpiresGranted) == 3600);
            CHECK(run.one(2).get(Field::RefreshExpected) == kT0 + millis(10) + seconds(3595));
        }
    }
}

TEST_CASE("a 2xx's contacts match the binding's with scheme and host in any case, the user part as sent") {
    // The registrar writes the phone's host in lower case and lists another device's contact of
    // the same AOR first; the user part is case-sensitive, so "Alice" is not "alice".
    struct Case {
        const char* listed;
        std::uint32_t granted;
    };
    for (const Case& c : {Case{"sip:alice@phone5.example.com:5060", 120}, Case{"SIP:alice@PHONE5.example.COM:5060", 120},
                          Case{"sip:Alice@phone5.example.com:5060", 3600}}) {
        CAPTURE(c.listed);
        Wire w;
        Run run;
        Frame r = w.frame(1, kT0, true);
        w.add_register(r, "hosts", 1, {"expires=3600"}, "sip:alice@PHONE5.EXAMPLE.COM:5060");
        run(r);
        Frame ok = w.frame(2, kT0 + millis(10), false);
        SipMessage& m = w.add_response(ok, 200, "hosts", 1, {"expires=900"}, "sip:bob@10.0.0.9:5060");
        w.add_contact_to(ok, m, c.listed, {"expires=120"});
        run(ok);
        // "Alice": neither listed contact is the phone's, and several are: the requested 3600 s.
        CHECK(run.one(2).get(Field::ExpiresGranted) == c.granted);
    }
}

TEST_CASE("a REGISTER seen again from another address, after a NAT on the capture host, is not sent again") {
    Wire w;
    Run run;
    // One capture on both sides of a NAT: each REGISTER from the phone, then its translated copy
    // from the public address; the 200 OK to the public address, then to the phone.
    const IpAddr outside = IpAddr::v4(0xcb007105);  // 203.0.113.5
    std::uint32_t n = 0;
    for (std::uint32_t k = 0; k < 4; ++k) {
        const Nanos t = kT0 + k * (seconds(115) + millis(10));
        Frame in = w.frame(++n, t, true);
        w.add_register(in, "nat", k + 1, {"expires=120"});
        run(in);
        Frame out = w.frame(++n, t + kMillisecond / 5, true);
        out.src_ip = outside;
        w.add_register(out, "nat", k + 1, {"expires=120"});
        run(out);
        Frame ok_out = w.frame(++n, t + millis(9), false);
        ok_out.dst_ip = outside;
        w.add_response(ok_out, 200, "nat", k + 1, {"expires=120"});
        run(ok_out);
        Frame ok_in = w.frame(++n, t + millis(10), false);
        w.add_response(ok_in, 200, "nat", k + 1, {"expires=120"});
        run(ok_in);
    }
    CHECK(run.experts(Expert::Retransmission, n) == 0);
    CHECK(run.experts(Expert::LossPattern, n) == 0);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
    CHECK(run.at(2).empty());
    CHECK(run.at(3).empty());
    CHECK(run.one(4).get(Field::ExpiresGranted) == 120);
    CHECK(run.one(5).get(Field::RefreshInterval) == seconds(115));
    CHECK(run.one(5).get(Field::RefreshLateness) == 0);
}

TEST_CASE("UDP: the loss pattern's idle time runs from the phone's last datagram on its REGISTERs' flow") {
    Wire w;
    Config config;
    config.loss_pattern_min = 1;
    Run run(config);
    std::uint32_t n = 0;
    // Attempt k from `port` at t: lost, resent 500 ms later, answered 10 ms after that. Returns the
    // resend's frame (the loss pattern's) and the 200 OK's time.
    const auto attempt = [&](std::uint32_t k, Nanos t, std::uint16_t port = kPhonePort) {
        for (Nanos at : {t, t + millis(500)}) {
            Frame f = w.frame(++n, at, true);
            f.src_port = port;
            w.add_register(f, "c", k, kCisco);
            run(f);
        }
        Frame ok = w.frame(++n, t + millis(510), false);
        ok.dst_port = port;
        w.add_response(ok, 200, "c", k, with(kCisco, "expires=120"));
        run(ok);
        return std::pair<std::uint32_t, Nanos>{n - 1, t + millis(510)};
    };
    const auto ping = [&](Nanos at, bool to_server, std::uint16_t port = kPhonePort) {
        Frame f = w.frame(++n, at, to_server);
        (to_server ? f.src_port : f.dst_port) = port;
        f.sip_ping = true;
        run(f);
    };
    const auto options = [&](Nanos at, bool to_server) {
        Frame f = w.frame(++n, at, to_server);
        SipMessage m;
        m.is_request = to_server;
        m.method = to_server ? "OPTIONS" : "";
        m.status = to_server ? 0 : 200;
        m.call_id = "o";
        m.cseq = 1;
        m.cseq_method = "OPTIONS";
        f.sip.push_back(m);
        run(f);
    };

    auto [resend, ok] = attempt(1, kT0);
    CHECK_FALSE(run.one(resend).has(Field::IdleInterval));  // nothing sent before
    // No ping: since the previous attempt's resend, its last datagram.
    std::tie(resend, ok) = attempt(2, ok + seconds(115));
    CHECK(run.one(resend).get(Field::IdleInterval) == seconds(115) + millis(10));
    // A CRLF ping counts; the registrar's pong and a datagram from another port of the phone do not.
    ping(ok + seconds(30), true);
    ping(ok + seconds(30) + millis(1), false);
    ping(ok + seconds(60), true, 5062);
    std::tie(resend, ok) = attempt(3, ok + seconds(115));
    CHECK(run.one(resend).get(Field::IdleInterval) == seconds(85));
    // Any other SIP request from the phone counts (an OPTIONS ping), not the registrar's answer.
    options(ok + seconds(40), true);
    options(ok + seconds(40) + millis(2), false);
    const Nanos last_register = ok + seconds(115);
    std::tie(resend, ok) = attempt(4, last_register);
    CHECK(run.one(resend).get(Field::IdleInterval) == seconds(75));
    // A REGISTER from a new port has no flow yet: since the binding's previous REGISTER.
    std::tie(resend, ok) = attempt(5, ok + seconds(115), 5062);
    CHECK(run.one(resend).get(Field::IdleInterval) == ok - millis(510) - last_register);
    CHECK(run.experts(Expert::LossPattern, n) == 5);
}

TEST_CASE("UDP: every binding of a REGISTER listing several contacts was idle since the flow's last datagram") {
    Wire w;
    Config config;
    config.loss_pattern_min = 1;
    Run run(config);
    const auto both = [&](Frame& f, std::uint32_t cseq) {
        SipMessage& m = w.add_register(f, "two", cseq, {"+u.sip!devicename.ccm.cisco.com=\"SEPA\""}, "sip:100@10.0.0.5:5060");
        w.add_contact_to(f, m, "sip:101@10.0.0.5:5060", {"+u.sip!devicename.ccm.cisco.com=\"SEPB\""});
    };
    Frame r1 = w.frame(1, kT0, true);
    both(r1, 1);
    run(r1);
    Frame ok = w.frame(2, kT0 + millis(10), false);
    SipMessage& resp = w.add_response(ok, 200, "two", 1, {"expires=120"}, "sip:100@10.0.0.5:5060");
    w.add_contact_to(ok, resp, "sip:101@10.0.0.5:5060", {"expires=120"});
    run(ok);
    Frame ping = w.frame(3, kT0 + seconds(90), true);
    ping.sip_ping = true;
    run(ping);
    Frame r2 = w.frame(4, kT0 + seconds(100), true);
    both(r2, 2);
    run(r2);
    Frame again = w.frame(5, kT0 + seconds(100) + millis(500), true);
    both(again, 2);
    run(again);
    const auto at = run.at(5);
    REQUIRE(at.size() == 2);
    for (const Annotation& a : at) CHECK(a.get(Field::IdleInterval) == seconds(10));
}

// A phone's REGISTERs over one TCP connection (stream 3), every lost first transmission a loss pattern.
struct LossOverTcp {
    static Config from_first_loss() {
        Config c;
        c.loss_pattern_min = 1;
        return c;
    }
    Wire w;
    Run run{from_first_loss()};
    std::uint32_t n = 0, seq = 1, server_seq = 1;

    Frame phone(Nanos t, std::uint32_t at, std::uint32_t len, bool retransmission = false) {
        Frame f = w.frame(++n, t, true, Transport::Tcp);
        Wire::tcp(f, 3, at, len, server_seq, retransmission);
        return f;
    }
    // At t the registrar's 200 OK to attempt k, acknowledging every byte sent, and 1 ms later the
    // phone's ACK of it; returns the time of that ACK.
    Nanos granted(std::uint32_t k, Nanos t) {
        Frame ok = w.frame(++n, t, false, Transport::Tcp);
        Wire::tcp(ok, 3, server_seq, 300, seq);
        w.add_response(ok, 200, "c", k, with(kCisco, "expires=120"));
        run(ok);
        server_seq += 300;
        run(phone(t + millis(1), seq, 0));
        return t + millis(1);
    }
};

TEST_CASE_METHOD(LossOverTcp, "TCP: a CRLF ping and a TCP keep-alive probe from the phone count as activity before a loss") {
    // Attempt k at t: its segment lost and retransmitted 420 ms later, ACKed, answered 200 OK, whose
    // bytes the phone ACKs. Returns the retransmission's frame and the phone's ACK's time.
    const auto attempt = [&](std::uint32_t k, Nanos t) {
        Frame f = phone(t, seq, 500);
        w.add_register(f, "c", k, kCisco).length = 500;
        run(f);
        run(phone(t + millis(420), seq, 500, true));
        const std::uint32_t resend = n;
        seq += 500;
        return std::pair<std::uint32_t, Nanos>{resend, granted(k, t + millis(430))};
    };

    auto [resend, acked] = attempt(1, kT0);
    CHECK_FALSE(run.one(resend).has(Field::IdleInterval));
    // An RFC 5626 CRLF ping: new bytes that carry no message.
    run(phone(acked + seconds(60), seq, 4));
    seq += 4;
    std::tie(resend, acked) = attempt(2, acked + seconds(115));
    CHECK(run.one(resend).get(Field::IdleInterval) == seconds(55));
    // A keep-alive probe repeating the last byte sent, then one without data (seq - 1 both).
    Frame probe = phone(acked + seconds(70), seq - 1, 1);
    probe.tcp.keep_alive = true;
    run(probe);
    Frame empty = phone(acked + seconds(100), seq - 1, 0);
    run(empty);
    std::tie(resend, acked) = attempt(3, acked + seconds(115));
    CHECK(run.one(resend).get(Field::IdleInterval) == seconds(15));
}

TEST_CASE_METHOD(LossOverTcp, "TCP: a REGISTER longer than a segment was idle since the phone's frame before its first segment") {
    // Attempt k at t, in `parts` segments 50 us apart (1,400 bytes each, the last 200), all lost:
    // the first resent 420 ms later, the rest in one segment after the registrar's ACK of the first;
    // answered 200 OK, whose bytes the phone ACKs.
    const auto attempt = [&](std::uint32_t k, Nanos t, std::uint32_t parts) {
        const std::uint32_t length = (parts - 1) * 1400 + 200;
        Frame head = phone(t, seq, 1400);
        head.tcp.begins_message = true;
        run(head);
        const std::uint32_t first = n;
        for (std::uint32_t i = 1; i + 1 < parts; ++i) run(phone(t + i * 50 * kMicrosecond, seq + i * 1400, 1400));
        Frame rest = phone(t + (parts - 1) * 50 * kMicrosecond, seq + length - 200, 200);
        SipMessage& m = w.add_register(rest, "c", k, kCisco);
        m.length = length;
        m.start_frame = first;
        run(rest);
        run(phone(t + millis(420), seq, 1400, true));
        const std::uint32_t resend = n;
        Frame ack = w.frame(++n, t + millis(430), false, Transport::Tcp);
        Wire::tcp(ack, 3, server_seq, 0, seq + 1400);
        run(ack);
        run(phone(t + millis(431), seq + 1400, length - 1400, true));
        seq += length;
        return std::pair<std::uint32_t, Nanos>{resend, granted(k, t + millis(440))};
    };

    auto [resend, acked] = attempt(1, kT0, 2);
    CHECK_FALSE(run.one(resend).has(Field::IdleInterval));  // nothing sent before
    std::tie(resend, acked) = attempt(2, acked + seconds(115), 2);
    const Annotation first = run.one(resend);
    CHECK(first.get(Field::IdleInterval) == seconds(115));  // not the 50 us before its second segment
    CHECK(first.get(Field::LossConsecutive) == 2);
    CHECK(first.get(Field::RetransCount) == 1);
    const Annotation second = run.one(resend + 2);
    CHECK(second.get(Field::RetransCount) == 1);
    CHECK(second.get(Field::RetransGap) == millis(420) - 50 * kMicrosecond);
    CHECK_FALSE(second.raised(Expert::Retransmission));
    CHECK_FALSE(second.raised(Expert::LossPattern));
    CHECK(run.one(resend + 3).get(Field::RetransCount) == 1);  // the 2xx: one retransmission in all
    // However many segments it takes (6: 7,200 bytes).
    std::tie(resend, acked) = attempt(3, acked + seconds(100), 6);
    const Annotation third = run.one(resend);
    CHECK(third.get(Field::IdleInterval) == seconds(100));
    CHECK(third.get(Field::LossConsecutive) == 3);
}

// ---- frames the capture lacks (a SPAN session or capture host dropping under load) --------------

TEST_CASE_METHOD(RegisteredUdp, "a 2xx whose REGISTER the capture lacks refreshes the binding; the next refresh is timed from it") {
    // Too soon after the grant for a refresh, from another AOR, listing another contact only: none
    // answers a REGISTER of this binding.
    Frame soon = w.frame(3, kT0 + seconds(50), false);
    w.add_response(soon, 200, "c", 2, with(kCisco, "expires=120"));
    run(soon);
    Frame other_aor = w.frame(4, expected, false);
    w.add_response(other_aor, 200, "c", 2, with(kCisco, "expires=120"), "sip:100@10.0.0.5:5060", "sip:200@10.0.0.1");
    run(other_aor);
    Frame other_contact = w.frame(5, expected, false);
    w.add_response(other_contact, 200, "c", 2, {"expires=120"}, "sip:300@10.0.0.9:5060");
    w.add_contact_to(other_contact, other_contact.sip.back(), "sip:301@10.0.0.9:5060", {"expires=120"});
    run(other_contact);
    CHECK(run.at(3).empty());
    CHECK(run.at(4).empty());
    CHECK(run.at(5).empty());
    // Refresh 2's REGISTER is not captured, its 2xx is: 4 s before the deadline, granting 60 s.
    Frame ok2 = w.frame(6, deadline - seconds(4), false);
    w.add_response(ok2, 200, "c", 2, with(kCisco, "expires=60"));
    run(ok2);
    Annotation a = run.one(6);
    CHECK(a.subject == Subject::SipResponse);
    CHECK(a.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::RequestUnseen));
    CHECK(a.get(Field::RefreshNumber) == 2);
    CHECK(a.get(Field::RefreshMargin) == seconds(4));
    CHECK(a.get(Field::ExpiresGranted) == 60);
    const Nanos expected2 = deadline - seconds(4) + seconds(55);
    CHECK(a.get(Field::RefreshExpected) == expected2);
    CHECK(a.get(Field::RefreshDeadline) == expected2 + seconds(15));
    CHECK_FALSE(a.has(Field::DeliveryFrame));
    // Its copy is no news; the phone's resend of that REGISTER names no first transmission.
    Frame copy = w.frame(7, deadline - seconds(4) + millis(2), false);
    w.add_response(copy, 200, "c", 2, with(kCisco, "expires=60"));
    run(copy);
    CHECK(run.at(7).empty());
    send_register(w, run, 8, deadline - seconds(3), 2);
    CHECK(run.one(8).get(Field::RetransCount) == 1);
    CHECK_FALSE(run.one(8).has(Field::RetransOriginal));
    // Refresh 3 is 2 s late against the 2xx the capture has, and breaches nothing.
    send_register(w, run, 9, expected2 + seconds(2), 3);
    Annotation r = run.one(9);
    CHECK(r.get(Field::RefreshNumber) == 3);
    CHECK(r.get(Field::RefreshLateness) == seconds(2));
    CHECK(r.get(Field::RefreshPrev) == 6);
    CHECK(run.experts(Expert::GraceBreach, 9) == 0);
}

TEST_CASE_METHOD(RegisteredUdp, "a 2xx to a challenge's retry the capture lacks ends the open attempt; past the deadline it breaches") {
    send_register(w, run, 3, deadline - seconds(2), 2);
    Frame challenge = w.frame(4, deadline - seconds(2) + millis(5), false);
    w.add_response(challenge, 401, "c", 2);
    run(challenge);
    // The retry (CSeq 3) is not captured; its 2xx comes 1 s past the deadline.
    Frame ok3 = w.frame(5, deadline + seconds(1), false);
    w.add_response(ok3, 200, "c", 3, with(kCisco, "expires=120"));
    run(ok3);
    auto at5 = run.at(5);
    REQUIRE(at5.size() == 2);
    CHECK(at5[0].subject == Subject::SipDeadline);
    CHECK(at5[0].get(Field::GraceOverrun) == seconds(1));
    CHECK(at5[0].get(Field::DeliveryFrame) == 5);
    CHECK(at5[1].get(Field::RefreshNumber) == 2);
    CHECK(at5[1].get(Field::RefreshMargin) == -seconds(1));
    CHECK(at5[1].get(Field::RefreshExpected) == deadline + seconds(1) + seconds(115));
    CHECK(run.experts(Expert::GraceBreach, 5) == 1);
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a REGISTER never sent again was answered; the next refresh comes after a 2xx the capture lacks") {
    send_register(w, run, 3, expected, 2);  // its 2xx is not captured
    unrelated(w, run, 4, deadline + seconds(1));
    CHECK(run.at(4).empty());
    Frame ok5 = w.frame(6, expected + seconds(115) + millis(10), false);
    w.add_response(ok5, 200, "c", 3, with(kCisco, "expires=120"));
    SECTION("half a refresh period after it, the next REGISTER is a refresh, not a retry") {
        send_register(w, run, 5, expected + seconds(115), 3);
        Annotation r = run.one(5);
        CHECK(r.subject == Subject::SipRefresh);
        CHECK(r.get(Field::RefreshNumber) == 3);
        CHECK(r.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
        // When it was due is unknown.
        CHECK_FALSE(r.has(Field::RefreshExpected));
        CHECK_FALSE(r.has(Field::RefreshLateness));
        CHECK_FALSE(r.has(Field::RefreshInterval));
        run(ok5);
    }
    SECTION("nor is a 2xx to a REGISTER the capture lacks, half a refresh period after it, a late end to its attempt") {
        run(ok5);
        CHECK(run.one(6).get(Field::RefreshNumber) == 3);
        CHECK(run.one(6).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::RequestUnseen));
        CHECK_FALSE(run.one(6).has(Field::RefreshMargin));
    }
    CHECK(run.one(6).get(Field::RefreshExpected) == expected + seconds(230) + millis(10));
    CHECK(run.experts(Expert::GraceBreach, 6) == 0);
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a REGISTER resent and then no more was answered too; the next refresh is no breach") {
    // Refresh 2's first transmission is lost and resent 500 ms later (T1); the registrar's 100
    // Trying shows its delivery, its 2xx 5 ms later is lost by the capture, and the phone, answered,
    // sends nothing more.
    send_register(w, run, 3, expected, 2);
    send_register(w, run, 4, expected + millis(500), 2);
    Frame trying = w.frame(5, expected + millis(505), false);
    w.add_response(trying, 100, "c", 2);
    run(trying);
    CHECK(run.one(5).get(Field::RefreshMargin) == seconds(15) - millis(505));
    unrelated(w, run, 6, deadline + seconds(1));   // delivered: no breach at the deadline
    unrelated(w, run, 7, expected + seconds(60));  // nor at Timer F: its resends stopped early
    // Refresh 3, 115 s after that lost 2xx: the next refresh after an answer the capture lacks.
    send_register(w, run, 8, expected + millis(510) + seconds(115), 3);
    CHECK(run.experts(Expert::GraceBreach, 8) == 0);
    const Annotation r = run.one(8);
    CHECK(r.subject == Subject::SipRefresh);
    CHECK(r.get(Field::RefreshNumber) == 3);
    CHECK(r.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
    CHECK_FALSE(r.has(Field::RefreshExpected));
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a de-registration after an answer the capture lacks follows no known grant") {
    // Refresh 2 on time, never sent again: answered, its 2xx not captured. 100 s later the phone
    // de-registers: the grant it follows is unknown, not the one of frame 2 (200 s before).
    send_register(w, run, 3, expected, 2);
    Frame un = w.frame(4, expected + seconds(100), true);
    w.add_register(un, "c", 3, with(kCisco, "expires=0"));
    run(un);
    const Annotation a = run.one(4);
    CHECK(a.raised(Expert::Unregister));
    CHECK(a.get(Field::RefreshNumber) == 3);
    CHECK(a.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
    CHECK_FALSE(a.has(Field::RefreshExpected));
    CHECK_FALSE(a.has(Field::RefreshInterval));
    CHECK_FALSE(a.has(Field::RefreshPrev));
    unrelated(w, run, 5, expected + seconds(1000));
    CHECK(run.experts(Expert::GraceBreach, 5) == 0);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER sent again on a new connection is followed there") {
    // Refresh 2 (CSeq 2) on stream 1 at the expected time, never acknowledged; the registrar resets
    // the connection 1 s later. The phone opens stream 2 and sends the same REGISTER 2 s after the
    // first, bytes [1, 501); that segment is lost too and TCP resends it 400 ms later; the
    // registrar ACKs it 10 ms after, and answers 200 OK 100 ms after that.
    send_register_tcp(w, run, 3, expected);
    Frame rst = w.frame(4, expected + seconds(1), false, Transport::Tcp);
    Wire::tcp(rst, 1, 401, 0, 501);
    rst.tcp.flags = TcpInfo::kRst | TcpInfo::kAck;
    run(rst);
    const auto on_stream2 = [&](std::uint32_t n, Nanos t, bool to_server) {
        Frame f = w.frame(n, t, to_server, Transport::Tcp);
        if (to_server) f.src_port = 50123;
        else f.dst_port = 50123;
        return f;
    };
    Frame again = on_stream2(5, expected + seconds(2), true);
    Wire::tcp(again, 2, 1, 500, 1);
    w.add_register(again, "c", 2, kCisco).length = 500;
    run(again);
    Frame tcp_again = on_stream2(6, expected + seconds(2) + millis(400), true);
    Wire::tcp(tcp_again, 2, 1, 500, 1, true);
    run(tcp_again);
    Frame ack = on_stream2(7, expected + seconds(2) + millis(410), false);
    Wire::tcp(ack, 2, 1, 0, 501);
    run(ack);
    Frame ok = on_stream2(8, expected + seconds(2) + millis(510), false);
    Wire::tcp(ok, 2, 1, 400, 501);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    CHECK(run.one(5).get(Field::RetransCount) == 1);  // the REGISTER again, on the new connection
    const Annotation r = run.one(6);                  // its bytes again, by TCP, on that connection
    CHECK(r.get(Field::RetransCount) == 2);
    CHECK(r.get(Field::RetransGap) == millis(400));
    CHECK(r.get(Field::RetransOriginal) == 3);
    const Annotation d = run.one(7);  // the registrar's ACK of them: the delivery
    CHECK(d.get(Field::RetransCount) == 2);
    CHECK(d.get(Field::RefreshMargin) == seconds(15) - seconds(2) - millis(410));
    CHECK(run.one(8).get(Field::DeliveryFrame) == 7);
    CHECK(run.experts(Expert::GraceBreach, 8) == 0);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a reset whose ACK field covers the REGISTER does not deliver it") {
    // Refresh 2 (bytes [501, 1001) of stream 1) at the expected time; 1 ms later the registrar's
    // RST|ACK acknowledges up to 1001: it closed the connection with the REGISTER unread, or
    // answers a segment of a connection it no longer has (RFC 9293 3.10.7.1).
    send_register_tcp(w, run, 3, expected);
    Frame rst = w.frame(4, expected + millis(1), false, Transport::Tcp);
    Wire::tcp(rst, 1, 401, 0, 1001);
    rst.tcp.flags = TcpInfo::kRst | TcpInfo::kAck;
    run(rst);
    for (const Annotation& a : run.at(4)) CHECK_FALSE(a.has(Field::RefreshMargin));
    SECTION("never sent again: a breach at the deadline") {
        unrelated(w, run, 5, deadline + seconds(1));
        REQUIRE(run.at(5).size() == 1);
        CHECK(run.one(5).get(Field::GraceOverrun) == seconds(1));
        CHECK(run.experts(Expert::GraceBreach, 5) == 1);
    }
    SECTION("sent again on a new connection: that one's ACK is the delivery") {
        Frame again = w.frame(5, expected + seconds(2), true, Transport::Tcp);
        again.src_port = 50123;
        Wire::tcp(again, 2, 1, 500, 1);
        w.add_register(again, "c", 2, kCisco).length = 500;
        run(again);
        Frame ack = w.frame(6, expected + seconds(2) + millis(10), false, Transport::Tcp);
        ack.dst_port = 50123;
        Wire::tcp(ack, 2, 1, 0, 501);
        run(ack);
        CHECK(run.one(6).get(Field::RefreshMargin) == seconds(13) - millis(10));
        Frame ok = w.frame(7, expected + seconds(2) + millis(20), false, Transport::Tcp);
        ok.dst_port = 50123;
        Wire::tcp(ok, 2, 1, 400, 501);
        w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
        run(ok);
        CHECK(run.one(7).get(Field::DeliveryFrame) == 6);
        CHECK(run.experts(Expert::GraceBreach, 7) == 0);
    }
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a REGISTER sent just before the deadline and then again past it breaches on the resend") {
    send_register(w, run, 3, deadline - millis(300), 2);
    unrelated(w, run, 4, deadline + millis(100));  // not yet known to be unanswered
    CHECK(run.at(4).empty());
    send_register(w, run, 5, deadline + millis(200), 2);  // T1 (500 ms) later
    auto at5 = run.at(5);
    REQUIRE(at5.size() == 2);
    CHECK(at5[0].subject == Subject::SipRetransmission);
    CHECK(at5[1].subject == Subject::SipDeadline);
    CHECK(at5[1].get(Field::GraceOverrun) == millis(200));
    CHECK(at5[1].get(Field::RefreshNumber) == 2);
    // Its 2xx: the refresh made it, too late.
    Frame ok = w.frame(6, deadline + millis(210), false);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    CHECK(run.one(6).get(Field::RefreshMargin) == -millis(210));
    CHECK(run.experts(Expert::GraceBreach, 6) == 1);
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a retry soon after a REGISTER whose answer the capture lacks is the same attempt") {
    send_register(w, run, 3, expected, 2);  // its 401 is not captured
    send_register(w, run, 4, expected + millis(50), 3);
    CHECK(run.one(4).subject == Subject::SipRequest);
    CHECK(run.one(4).get(Field::RefreshNumber) == 2);
    CHECK_FALSE(run.one(4).has(Field::SessionEvent));
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER awaiting its answer is delivered by the phone's ACK of registrar bytes the capture lacks") {
    send_register_tcp(w, run, 3, expected);
    Frame retry = w.frame(6, expected + seconds(115), true, Transport::Tcp);
    Wire::tcp(retry, 1, 1001, 500, 801);
    w.add_register(retry, "c", 3, kCisco).length = 500;
    SECTION("the 2xx, which held the registrar's ACK of the REGISTER, is not captured; the phone ACKs it") {
        Frame phone_ack = w.frame(4, expected + millis(30), true, Transport::Tcp);
        Wire::tcp(phone_ack, 1, 1001, 0, 801);
        phone_ack.tcp.acks_unseen = true;
        run(phone_ack);
        Annotation d = run.one(4);
        CHECK(d.subject == Subject::SipResponse);
        CHECK(d.get(Field::RefreshNumber) == 2);
        CHECK(d.get(Field::RefreshMargin) == seconds(15) - millis(30));
        Frame past = w.frame(5, deadline + seconds(1), false, Transport::Tcp);
        Wire::tcp(past, 9, 1, 0, 1);
        run(past);
        CHECK(run.at(5).empty());
        run(retry);  // a period later: the next refresh
        CHECK(run.one(6).get(Field::RefreshNumber) == 3);
        CHECK(run.one(6).get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
        CHECK(run.experts(Expert::GraceBreach, 6) == 0);
    }
    SECTION("the 2xx and the phone's ACK of it are not captured: the next REGISTER acknowledges it") {
        registrar_ack(w, run, 4, expected + millis(1));
        unrelated(w, run, 5, deadline + seconds(1));
        retry.tcp.acks_unseen = true;
        run(retry);
        auto at6 = run.at(6);
        REQUIRE(at6.size() == 1);
        CHECK(at6[0].get(Field::RefreshNumber) == 3);
        CHECK(at6[0].get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
        CHECK(run.experts(Expert::GraceBreach, 6) == 0);
    }
    SECTION("the 2xx, which held the registrar's ACK, and the phone's ACK of it are not captured") {
        // Not sent again, the REGISTER's bytes were acknowledged: no breach at the deadline, and the
        // next REGISTER's ACK of the 2xx, a period late, says nothing of when it was received.
        unrelated(w, run, 5, deadline + seconds(1));
        CHECK(run.at(5).empty());
        retry.tcp.acks_unseen = true;
        run(retry);
        auto at6 = run.at(6);
        REQUIRE(at6.size() == 1);
        CHECK(at6[0].subject == Subject::SipRefresh);
        CHECK(at6[0].get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
        CHECK(run.experts(Expert::GraceBreach, 6) == 0);
    }
    SECTION("the registrar resets the connection: the REGISTER was not received") {
        Frame rst = w.frame(4, expected + millis(1), false, Transport::Tcp);
        Wire::tcp(rst, 1, 401, 0, 501);
        rst.tcp.flags = TcpInfo::kRst | TcpInfo::kAck;
        run(rst);
        unrelated(w, run, 5, deadline + seconds(1));
        auto at5 = run.at(5);
        REQUIRE(at5.size() == 1);
        CHECK(at5[0].subject == Subject::SipDeadline);
        CHECK(at5[0].get(Field::GraceOverrun) == seconds(1));
    }
    SECTION("the registrar resets the connection after the deadline passed: the breach is told on the reset") {
        unrelated(w, run, 4, deadline + millis(50));  // sent in time, not sent again: no verdict yet
        CHECK(run.at(4).empty());
        Frame rst = w.frame(5, deadline + millis(100), false, Transport::Tcp);
        Wire::tcp(rst, 1, 401, 0, 501);
        rst.tcp.flags = TcpInfo::kRst | TcpInfo::kAck;
        run(rst);
        Annotation d = run.one(5);
        CHECK(d.subject == Subject::SipDeadline);
        CHECK(d.raised(Expert::GraceBreach));
        CHECK(d.get(Field::GraceOverrun) == millis(100));
        unrelated(w, run, 6, deadline + seconds(300));
        CHECK(run.experts(Expert::GraceBreach, 6) == 1);
    }
    SECTION("the registrar ACKs it and never answers; the phone retries a period later, past the deadline") {
        registrar_ack(w, run, 4, expected + millis(1));
        Frame phone_ack = w.frame(5, expected + millis(2), true, Transport::Tcp);  // acknowledges nothing new
        Wire::tcp(phone_ack, 1, 1001, 0, 401);
        run(phone_ack);
        Wire::tcp(retry, 1, 1001, 500, 401);
        run(retry);
        auto at6 = run.at(6);
        REQUIRE(at6.size() == 2);
        CHECK(at6[0].subject == Subject::SipDeadline);
        CHECK(at6[0].get(Field::GraceOverrun) == expected + seconds(115) - deadline);
        CHECK(at6[1].subject == Subject::SipRequest);
        CHECK(at6[1].get(Field::RefreshNumber) == 2);
        CHECK(run.experts(Expert::GraceBreach, 6) == 1);
    }
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: an ICMP unreachable that comes after the deadline tells the breach of a REGISTER spared at it") {
    // Sent 100 ms before the deadline, not sent again: spared at the first frame past it.
    send_register(w, run, 3, deadline - millis(100), 2);
    unrelated(w, run, 4, deadline + millis(50));
    CHECK(run.at(4).empty());
    const auto icmp = [&](std::uint32_t n, Nanos at, std::uint16_t registrar_port) {
        unreachable(w, run, n, at, kPhone, registrar_port);
    };
    SECTION("about the phone's datagrams to the registrar: the breach, on the ICMP frame") {
        icmp(5, deadline + millis(60), kRegistrarPort);
        const Annotation d = run.one(5);
        CHECK(d.subject == Subject::SipDeadline);
        CHECK(d.raised(Expert::GraceBreach));
        CHECK(d.get(Field::GraceOverrun) == millis(60));
        icmp(6, deadline + millis(70), kRegistrarPort);  // told once
        unrelated(w, run, 7, deadline + seconds(300));
        CHECK(run.experts(Expert::GraceBreach, 7) == 1);
    }
    SECTION("about another port: the REGISTER stays spared") {
        icmp(5, deadline + millis(60), 5061);
        CHECK(run.at(5).empty());
        unrelated(w, run, 6, deadline + seconds(300));
        CHECK(run.experts(Expert::GraceBreach, 6) == 0);
    }
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a REGISTER the network reported undeliverable (ICMP unreachable) is not sent again, and breaches") {
    send_register(w, run, 3, expected, 2);
    const auto icmp = [&](std::uint32_t n, const IpAddr& phone, std::uint16_t registrar_port) {
        unreachable(w, run, n, expected + millis(n), phone, registrar_port);
        CHECK(run.at(n).empty());
    };
    Frame past = w.frame(6, deadline + seconds(1), true);
    past.src_ip = IpAddr::v4(0x0a0000fe);
    SECTION("about the phone's datagrams to the registrar") {
        // The registrar's service is down: its host answers port unreachable; the phone does not resend.
        icmp(4, kPhone, kRegistrarPort);
        run(past);
        auto at6 = run.at(6);
        REQUIRE(at6.size() == 1);
        CHECK(at6[0].subject == Subject::SipDeadline);
        CHECK(at6[0].get(Field::GraceOverrun) == seconds(1));
        // The phone tries again a minute later: the same attempt, not one after a 2xx the capture lacks.
        Frame retry = w.frame(7, expected + seconds(60), true);
        w.add_register(retry, "c", 3, kCisco);
        run(retry);
        CHECK(run.one(7).subject == Subject::SipRequest);
        CHECK(run.one(7).get(Field::RefreshNumber) == 2);
        CHECK(run.experts(Expert::GraceBreach, 7) == 1);
    }
    SECTION("about another phone's, or another port's") {
        icmp(4, IpAddr::v4(0x0a000006), kRegistrarPort);
        icmp(5, kPhone, 5061);
        run(past);
        CHECK(run.at(6).empty());
        CHECK(run.experts(Expert::GraceBreach, 6) == 0);
    }
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER sent just before the deadline and retransmitted past it breaches on the retransmission") {
    send_register_tcp(w, run, 3, deadline - millis(100));
    unrelated(w, run, 4, deadline + millis(50));  // no ACK yet, none due yet
    CHECK(run.at(4).empty());
    Frame again = w.frame(5, deadline + millis(200), true, Transport::Tcp);  // the RTO, 300 ms
    Wire::tcp(again, 1, 501, 500, 401, true);
    run(again);
    auto at5 = run.at(5);
    REQUIRE(at5.size() == 2);
    CHECK(at5[0].subject == Subject::SipRetransmission);
    CHECK(at5[1].subject == Subject::SipDeadline);
    CHECK(at5[1].get(Field::GraceOverrun) == millis(200));
    CHECK(run.experts(Expert::GraceBreach, 5) == 1);
}

// After registered() over TCP: the phone's SUBSCRIBE, bytes [501, 801) of stream 1, in frame n at t
// (again: a retransmission of them; spurious: of bytes the registrar had acknowledged). Refresh
// 2's REGISTER goes right behind it, from 801.
void send_subscribe_tcp(Wire& w, Run& run, std::uint32_t n, Nanos t, bool again = false, bool spurious = false) {
    Frame f = w.frame(n, t, true, Transport::Tcp);
    Wire::tcp(f, 1, 501, 300, 401, again);
    f.tcp.spurious = spurious;
    if (!again) {
        SipMessage m;
        m.is_request = true;
        m.method = "SUBSCRIBE";
        m.call_id = w.keep("s");
        m.cseq = 1;
        m.cseq_method = "SUBSCRIBE";
        m.length = 300;
        f.sip.push_back(m);
    }
    run(f);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER held behind another message's retransmission names it on its delivery") {
    // The SUBSCRIBE is lost; the REGISTER behind it arrives but TCP holds it back (the registrar
    // acknowledges only up to the hole) until the SUBSCRIBE is resent 20 s later.
    send_subscribe_tcp(w, run, 3, expected);
    send_register_tcp(w, run, 4, expected + millis(1), 801);
    registrar_ack(w, run, 5, expected + millis(2), 501);
    send_subscribe_tcp(w, run, 6, expected + seconds(20), true);
    CHECK(run.at(6).empty());  // not the REGISTER's bytes: no retransmission of it
    registrar_ack(w, run, 7, expected + seconds(20) + millis(5), 1301);
    const auto at7 = run.at(7);
    REQUIRE(at7.size() == 2);
    CHECK(at7[0].raised(Expert::GraceBreach));
    CHECK(at7[0].get(Field::GraceOverrun) == seconds(5) + millis(5));
    CHECK(at7[1].get(Field::RefreshMargin) == -(seconds(5) + millis(5)));
    CHECK(at7[1].get(Field::RetransCount) == 0);
    CHECK(at7[1].get(Field::DeliveryHeldBy) == 6);
    CHECK(summary(at7[1], run.engine.strings()).find("held behind the retransmission in frame 6") != std::string::npos);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER held behind a retransmission names it though later bytes were resent after it") {
    // The SUBSCRIBE [501, 801) and a PUBLISH [1301, 1601) sent after the REGISTER [801, 1301) are
    // lost. SACK recovery resends both, one after the other (frames 6 and 7); the registrar then
    // acknowledges everything. The REGISTER waited for frame 6, not for frame 7 behind it.
    send_subscribe_tcp(w, run, 3, expected);
    send_register_tcp(w, run, 4, expected + millis(1), 801);
    Frame publish = w.frame(5, expected + millis(2), true, Transport::Tcp);
    Wire::tcp(publish, 1, 1301, 300, 401);
    run(publish);
    send_subscribe_tcp(w, run, 6, expected + millis(400), true);
    Frame publish_again = w.frame(7, expected + millis(401), true, Transport::Tcp);
    Wire::tcp(publish_again, 1, 1301, 300, 401, true);
    run(publish_again);
    SECTION("the registrar then has it all") {
        registrar_ack(w, run, 8, expected + millis(405), 1601);
        const Annotation d = run.one(8);
        CHECK(d.get(Field::RefreshMargin) == seconds(15) - millis(405));
        CHECK(d.get(Field::DeliveryHeldBy) == 6);
    }
    SECTION("the REGISTER's own bytes were lost too and are resent: they deliver it, held by nothing") {
        Frame again = w.frame(8, expected + millis(402), true, Transport::Tcp);
        Wire::tcp(again, 1, 801, 500, 401, true);
        run(again);
        registrar_ack(w, run, 9, expected + millis(405), 1601);
        const Annotation d = run.one(9);
        CHECK(d.get(Field::RetransCount) == 1);
        CHECK_FALSE(d.has(Field::DeliveryHeldBy));
    }
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a retransmission of bytes the registrar had, or sent before the REGISTER, held nothing back") {
    SECTION("resent before the REGISTER was sent") {
        send_subscribe_tcp(w, run, 3, expected - millis(500));
        send_subscribe_tcp(w, run, 4, expected - millis(100), true);
        send_register_tcp(w, run, 5, expected, 801);
        registrar_ack(w, run, 6, expected + millis(5), 1301);
        CHECK(run.one(6).get(Field::RefreshMargin) == seconds(15) - millis(5));
        CHECK_FALSE(run.one(6).has(Field::DeliveryHeldBy));
    }
    SECTION("resent after the registrar acknowledged it: only the REGISTER was missing, and is resent") {
        send_subscribe_tcp(w, run, 3, expected);
        send_register_tcp(w, run, 4, expected + millis(1), 801);
        registrar_ack(w, run, 5, expected + millis(2), 801);
        Frame again = w.frame(6, expected + millis(400), true, Transport::Tcp);
        Wire::tcp(again, 1, 801, 500, 401, true);
        run(again);
        send_subscribe_tcp(w, run, 7, expected + millis(401), true, true);
        registrar_ack(w, run, 8, expected + millis(405), 1301);
        const Annotation d = run.one(8);
        CHECK(d.get(Field::RetransCount) == 1);
        CHECK_FALSE(d.has(Field::DeliveryHeldBy));
    }
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER held behind another message's retransmission, delivered by its 2xx") {
    // No ACK of the SUBSCRIBE or the REGISTER captured: the registrar's latest, on the
    // registration's 200 OK, lacks the SUBSCRIBE's bytes when they are resent.
    send_subscribe_tcp(w, run, 3, expected);
    send_register_tcp(w, run, 4, expected + millis(1), 801);
    send_subscribe_tcp(w, run, 5, expected + millis(400), true);
    Frame ok = w.frame(6, expected + millis(420), false, Transport::Tcp);
    Wire::tcp(ok, 1, 401, 400, 1301);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    const Annotation d = run.one(6);
    CHECK(d.get(Field::RefreshMargin) == seconds(15) - millis(420));
    CHECK(d.get(Field::DeliveryHeldBy) == 5);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a registrar's segment past the deadline that lacks the REGISTER's bytes tells the breach") {
    send_register_tcp(w, run, 3, deadline - seconds(5));  // in time, then lost: bytes 501..1001
    unrelated(w, run, 4, deadline + millis(50));           // sent in time, not resent: spared
    CHECK(run.at(4).empty());
    // Frame 5: the registrar sends 300 bytes (an OPTIONS), acknowledging up to the REGISTER's start.
    const auto registrar_segment = [&](std::uint32_t n, Nanos t, bool resent) {
        Frame f = w.frame(n, t, false, Transport::Tcp);
        Wire::tcp(f, 1, 401, 300, 501, resent);
        run(f);
    };
    SECTION("sent past the deadline: the breach, on that segment") {
        registrar_segment(5, deadline + seconds(2), false);
        const Annotation a = run.one(5);
        CHECK(a.subject == Subject::SipDeadline);
        CHECK(a.get(Field::GraceOverrun) == seconds(2));
        CHECK(run.experts(Expert::GraceBreach, 5) == 1);
        unrelated(w, run, 6, deadline + seconds(60));
        CHECK(run.at(6).empty());  // told once
    }
    SECTION("its own retransmission may carry an old acknowledgement: nothing yet") {
        registrar_segment(5, deadline + seconds(2), true);
        CHECK(run.at(5).empty());
    }
    SECTION("before the deadline it tells nothing; the ACK then delivers the REGISTER in time") {
        registrar_segment(5, deadline - seconds(3), false);
        registrar_ack(w, run, 6, deadline - seconds(2));
        CHECK(run.one(6).get(Field::RefreshMargin) == seconds(2));
        unrelated(w, run, 7, deadline + seconds(60));
        CHECK(run.experts(Expert::GraceBreach, 7) == 0);
    }
}

TEST_CASE("a 2xx whose REGISTER the capture lacks tells the endpoint directory in its place") {
    FindingStore store;
    Context ctx(Config{}, store);
    SipAnalyzer sip(ctx);
    Wire w;
    const auto feed = [&](Frame f) {
        ctx.sink.begin_frame(f.number);
        sip.on_frame(f);
    };
    registered(w, feed, Transport::Udp);
    Frame ok2 = w.frame(3, kT0 + seconds(115) + millis(20), false);  // refresh 2's REGISTER not captured
    w.add_response(ok2, 200, "c", 2, with(kCisco, "expires=120"));
    feed(ok2);
    REQUIRE(store.count(3) == 1);
    REQUIRE(ctx.directory.by_ip(kPhone));
    CHECK(ctx.directory.by_ip(kPhone)->frame == 3);
    CHECK(ctx.directory.by_ip(kPhone)->time == kT0 + seconds(115) + millis(20));
}

namespace {

// Frame n: a SIP message the snap length cut short, as the decoder gives it: its start line, and a
// response's CSeq method when that line was captured whole.
Frame cut_short(Wire& w, std::uint32_t n, Nanos t, bool to_server, const char* method, std::uint32_t status,
                const char* cseq_method, Transport tr = Transport::Udp) {
    Frame f = w.frame(n, t, to_server, tr);
    SipMessage m;
    m.truncated = true;
    m.is_request = to_server;
    m.method = method;
    m.status = status;
    m.cseq_method = cseq_method;
    f.sip.push_back(m);
    return f;
}

}  // namespace

TEST_CASE("a REGISTER or its response cut short by the snap length is reported, by the phone's address") {
    Wire w;
    Run run;
    run(cut_short(w, 1, kT0, true, "REGISTER", 0, ""));
    Annotation a = run.one(1);
    CHECK(a.subject == Subject::SipTruncated);
    CHECK(a.experts() == 1u << static_cast<unsigned>(Expert::Truncated));
    CHECK(run.str(a.endpoint) == "10.0.0.5");
    CHECK(run.str(a.server) == "10.0.0.1:5060/udp");
    CHECK(a.role == Role::Unknown);
    // A response whose CSeq names REGISTER: the registrar is its sender, over TCP too.
    run(cut_short(w, 2, kT0 + millis(10), false, "", 200, "REGISTER", Transport::Tcp));
    a = run.one(2);
    CHECK(a.subject == Subject::SipTruncated);
    CHECK(a.experts() == 1u << static_cast<unsigned>(Expert::Truncated));
    CHECK(run.str(a.endpoint) == "10.0.0.5");
    CHECK(run.str(a.server) == "10.0.0.1:5060/tcp");
    // Not a registration's, or not known to be one: nothing to say.
    run(cut_short(w, 3, kT0 + seconds(1), true, "INVITE", 0, ""));
    run(cut_short(w, 4, kT0 + seconds(1), false, "", 200, ""));
    run(cut_short(w, 5, kT0 + seconds(1), false, "", 200, "INVITE"));
    CHECK(run.at(3).empty());
    CHECK(run.at(4).empty());
    CHECK(run.at(5).empty());
}

TEST_CASE_METHOD(RegisteredUdp, "a REGISTER cut short by the snap length is named by its binding, and refreshes nothing") {
    // What it refreshes is past the cut: the binding's deadline still passes, after the warning.
    run(cut_short(w, 3, expected, true, "REGISTER", 0, ""));
    Annotation a = run.one(3);
    CHECK(run.str(a.endpoint) == "SEP0024142DDF24");
    CHECK(a.experts() == 1u << static_cast<unsigned>(Expert::Truncated));
    unrelated(w, run, 4, deadline + millis(1));
    CHECK(run.one(4).raised(Expert::GraceBreach));
    CHECK(run.one(4).get(Field::GraceOverrun) == millis(1));
}

namespace {

// Frames from `first` on, of `hosts` other hosts in turn, `every` apart from `from` until before
// `to`: a capture point recording steadily (20 a second from 20 hosts is busy, CaptureGaps).
// Returns the next frame number.
std::uint32_t steady(Wire& w, Run& run, std::uint32_t first, Nanos from, Nanos to, Nanos every,
                     std::uint32_t hosts = 20) {
    for (Nanos t = from; t < to; t += every) {
        Frame f = w.frame(first, t, false);
        f.src_ip = IpAddr::v4(0x0a000100 + first % hosts);
        f.dst_ip = IpAddr::v4(0x0a000200);
        run(f);
        ++first;
    }
    return first;
}

}  // namespace

TEST_CASE_METHOD(RegisteredUdp, "the 2xx that ends a capture gap over an open attempt grants the next refresh") {
    // The refresh goes out on time, then the busy capture records nothing for 11 s; the first
    // frame after the silence is its 200 OK, which answers the attempt open across it.
    std::uint32_t n = steady(w, run, 3, expected - seconds(65), expected, millis(50));
    send_register(w, run, n++, expected, 2);
    n = steady(w, run, n, expected + millis(50), expected + seconds(1), millis(50));
    const Nanos ok_at = expected + seconds(12);
    Frame ok = w.frame(n, ok_at, false);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    bool granted = false;
    for (const Annotation& a : run.at(n)) {
        if (!a.has(Field::RefreshExpected)) continue;
        granted = true;
        CHECK(a.get(Field::ExpiresGranted) == 120);
        CHECK(a.get(Field::RefreshExpected) == ok_at + seconds(115));
        CHECK(a.get(Field::RefreshDeadline) == ok_at + seconds(130));
    }
    CHECK(granted);
    // The phone is silent from then on, the capture busy: its lapse is told on the first frame past
    // that deadline, 50 ms past it.
    const std::uint32_t last = steady(w, run, n + 1, ok_at + millis(50), ok_at + seconds(131), millis(50)) - 1;
    CHECK(run.experts(Expert::GraceBreach, last) == 1);
    const std::uint32_t breach = n + 130'000 / 50 + 1;  // frame n + k is at ok_at + k * 50 ms
    CHECK(run.one(breach).subject == Subject::SipDeadline);
    CHECK(run.one(breach).get(Field::GraceOverrun) == millis(50));
}

TEST_CASE_METHOD(RegisteredUdp, "a busy capture that records nothing over a deadline: one capture gap, no breach; "
                                "the next refresh follows an unknown grant") {
    // 20 frames a second from a minute before the refresh is due, none from 5 s before it until
    // 20 s past the deadline: the refresh and its 2xx may be in the silence.
    const Nanos last = expected - seconds(5) - millis(50);
    std::uint32_t n = steady(w, run, 3, expected - seconds(65), expected - seconds(5), millis(50));
    const Nanos resume = deadline + seconds(20);
    unrelated(w, run, n, resume);
    Annotation a = run.one(n);
    CHECK(a.subject == Subject::CaptureGap);
    CHECK(a.experts() == 1u << static_cast<unsigned>(Expert::CaptureGap));
    CHECK(a.get(Field::CaptureGap) == resume - last);
    CHECK(a.get(Field::CaptureGapFrame) == n - 1);
    CHECK(a.get(Field::CaptureUnjudged) == 1);
    CHECK(run.experts(Expert::GraceBreach, n) == 0);
    // The phone's next REGISTER: a refresh, with no expectation to be late for.
    send_register(w, run, n + 1, resume + seconds(100), 3);
    Annotation r = run.one(n + 1);
    CHECK(r.subject == Subject::SipRefresh);
    CHECK(r.get(Field::SessionEvent) == static_cast<std::int64_t>(SessionEvent::AnswerUnseen));
    CHECK_FALSE(r.has(Field::RefreshExpected));
    CHECK_FALSE(r.has(Field::RefreshLateness));
    CHECK(r.experts() == 0);
    // Its 2xx sets the next expectation again; the refresh after it is timed as ever.
    Frame ok = w.frame(n + 2, resume + seconds(100) + millis(10), false);
    w.add_response(ok, 200, "c", 3, with(kCisco, "expires=120"));
    run(ok);
    const Nanos expected3 = resume + seconds(100) + millis(10) + seconds(115);
    CHECK(run.one(n + 2).get(Field::RefreshExpected) == expected3);
    send_register(w, run, n + 3, expected3 + seconds(3), 4);
    CHECK_FALSE(run.one(n + 3).has(Field::SessionEvent));
    CHECK(run.one(n + 3).get(Field::RefreshLateness) == seconds(3));
}

TEST_CASE_METHOD(RegisteredUdp, "a quieter capture's silence, or a busy one's that goes on recording, is the network's: the breach stands") {
    SECTION("nine frames a second, then nothing over the deadline") {
        std::uint32_t n = steady(w, run, 3, expected - seconds(65), expected - seconds(5), millis(111));
        unrelated(w, run, n, deadline + seconds(20));
        CHECK(run.one(n).raised(Expert::GraceBreach));
        CHECK(run.one(n).get(Field::GraceOverrun) == seconds(20));
        CHECK(run.experts(Expert::CaptureGap, n) == 0);
    }
    SECTION("fifty frames a second between two hosts (a call's RTP), then nothing over the deadline") {
        std::uint32_t n = steady(w, run, 3, expected - seconds(65), expected - seconds(5), millis(20), 2);
        unrelated(w, run, n, deadline + seconds(20));
        CHECK(run.one(n).raised(Expert::GraceBreach));
        CHECK(run.experts(Expert::CaptureGap, n) == 0);
    }
    SECTION("a call's RTP, then silent until the refresh, which comes on time: nothing is forgotten") {
        std::uint32_t n = steady(w, run, 3, expected - seconds(90), expected - seconds(30), millis(20), 2);
        send_register(w, run, n, expected + millis(500), 2);
        Annotation r = run.one(n);
        CHECK(r.get(Field::RefreshLateness) == millis(500));
        CHECK_FALSE(r.has(Field::SessionEvent));
        CHECK(run.experts(Expert::CaptureGap, n) == 0);
    }
    SECTION("twenty frames a second throughout: reported on the first frame past the deadline") {
        std::uint32_t n = steady(w, run, 3, expected - seconds(65), deadline + seconds(1), millis(50));
        CHECK(run.experts(Expert::GraceBreach, n - 1) == 1);
        CHECK(run.experts(Expert::CaptureGap, n - 1) == 0);
    }
    SECTION("a busy capture's silence that ends before the refresh was due: nothing forgotten, nothing said") {
        std::uint32_t n = steady(w, run, 3, expected - seconds(120), expected - seconds(60), millis(50));
        unrelated(w, run, n, expected - seconds(30));
        CHECK(run.at(n).empty());
        unrelated(w, run, n + 1, deadline + seconds(1));
        CHECK(run.one(n + 1).raised(Expert::GraceBreach));
    }
}

TEST_CASE_METHOD(RegisteredUdp, "the capture's clock set back: said at the second frame stamped back; what was expected "
                                "before it is moved by the step, not timed against, and the next grant timed as ever") {
    unrelated(w, run, 3, kT0 + seconds(60));
    unrelated(w, run, 4, kT0 + seconds(20));  // 40 s behind: one bad timestamp, or the clock set back
    CHECK(run.at(4).empty());
    unrelated(w, run, 5, kT0 + seconds(21));  // the second: set back
    Annotation a = run.one(5);
    CHECK(a.subject == Subject::ClockStep);
    CHECK(a.experts() == 1u << static_cast<unsigned>(Expert::ClockStep));
    CHECK(a.get(Field::ClockStep) == -seconds(40));
    CHECK(a.get(Field::CaptureGapFrame) == 3);
    CHECK(a.get(Field::ClockStepFrame) == 4);
    CHECK(a.get(Field::CaptureUnjudged) == 1);
    // The refresh, on time (expected - 40 s on the new clock): not timed against an expectation
    // moved by the step, and the capture lacks nothing.
    send_register(w, run, 6, expected - seconds(40), 2);
    Annotation r = run.one(6);
    CHECK(r.subject == Subject::SipRefresh);
    CHECK(r.get(Field::RefreshNumber) == 2);
    CHECK_FALSE(r.has(Field::RefreshLateness));
    CHECK_FALSE(r.has(Field::SessionEvent));
    // Its 2xx grants on the new clock; the phone falls silent and breaches its new deadline.
    Frame ok = w.frame(7, expected - seconds(40) + millis(10), false);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    const Nanos deadline2 = expected - seconds(40) + millis(10) + seconds(130);
    CHECK(run.one(7).get(Field::RefreshDeadline) == deadline2);
    CHECK_FALSE(run.one(7).has(Field::RefreshMargin));  // against a deadline on the old clock
    unrelated(w, run, 8, deadline2 + millis(1));
    CHECK(run.one(8).raised(Expert::GraceBreach));
    CHECK(run.one(8).get(Field::GraceOverrun) == millis(1));
    CHECK(run.experts(Expert::ClockStep, 8) == 1);
}

TEST_CASE_METHOD(RegisteredUdp, "a phone silent from the capture's clock step on is still reported, at its deadline moved "
                                "by the step") {
    // Set back at least 40 s (T0 + 60 s, then T0 + 20 s): the deadline moves 40 s earlier, no
    // earlier than the phone's, which the clock moved by 40 s or more.
    unrelated(w, run, 3, kT0 + seconds(60));
    unrelated(w, run, 4, kT0 + seconds(20));
    unrelated(w, run, 5, kT0 + seconds(21));
    REQUIRE(run.one(5).subject == Subject::ClockStep);
    // Other traffic every 5 s: the clock passes where it stood without a jump.
    std::uint32_t n = 6;
    for (Nanos t = kT0 + seconds(25); t <= deadline - seconds(40); t += seconds(5), ++n) {
        unrelated(w, run, n, t);
        CHECK(run.at(n).empty());
    }
    unrelated(w, run, n, deadline - seconds(40) + millis(1));
    const Annotation a = run.one(n);
    CHECK(a.raised(Expert::GraceBreach));
    CHECK(a.get(Field::RefreshDeadline) == deadline - seconds(40));
    CHECK(a.get(Field::GraceOverrun) == millis(1));
}

TEST_CASE_METHOD(RegisteredUdp, "one frame stamped far off is no step: the refresh is timed as ever") {
    unrelated(w, run, 3, kT0 + seconds(60));
    unrelated(w, run, 4, 0);  // 1970
    unrelated(w, run, 5, kT0 + seconds(61));
    send_register(w, run, 6, expected + millis(500), 2);
    CHECK(run.one(6).get(Field::RefreshLateness) == millis(500));
    CHECK(run.experts(Expert::ClockStep, 6) == 0);
}

TEST_CASE_METHOD(RegisteredUdp, "a clock set back and forward again, on a quiet capture: the jump past where it stood "
                                "forgets the grant made between, no breach") {
    // Set back 200 s after T0 + 100 s.
    unrelated(w, run, 3, kT0 + seconds(100));
    unrelated(w, run, 4, kT0 - seconds(100));
    unrelated(w, run, 5, kT0 - seconds(99));
    REQUIRE(run.one(5).subject == Subject::ClockStep);
    // The refresh, on time, stamped 200 s early; its 2xx grants on that clock.
    send_register(w, run, 6, expected - seconds(200), 2);
    Frame ok = w.frame(7, expected - seconds(200) + millis(10), false);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    // The clock set right again: the next refresh, on time, is stamped 185 s past that grant's
    // deadline.
    const Nanos refresh3 = expected + millis(10) + seconds(115);
    send_register(w, run, 8, refresh3, 3);
    auto at8 = run.at(8);
    REQUIRE(at8.size() == 2);
    CHECK(at8[0].subject == Subject::ClockStep);
    CHECK(at8[0].raised(Expert::ClockStep));
    CHECK(at8[0].get(Field::ClockStep) == refresh3 - (expected - seconds(200) + millis(10)));
    CHECK(at8[0].get(Field::CaptureGapFrame) == 7);
    CHECK(at8[0].get(Field::ClockStepFrame) == 4);
    CHECK(at8[0].get(Field::CaptureUnjudged) == 1);
    CHECK(at8[1].subject == Subject::SipRefresh);
    CHECK_FALSE(at8[1].has(Field::RefreshLateness));
    CHECK(run.experts(Expert::GraceBreach, 8) == 0);
    // The refresh after it is timed again.
    Frame ok3 = w.frame(9, refresh3 + millis(10), false);
    w.add_response(ok3, 200, "c", 3, with(kCisco, "expires=120"));
    run(ok3);
    send_register(w, run, 10, refresh3 + millis(10) + seconds(115), 4);
    CHECK(run.one(10).get(Field::RefreshLateness) == 0);
}

TEST_CASE_METHOD(RegisteredUdp, "a 2xx stamped before its REGISTER (clocks apart) is timed at the REGISTER") {
    // Refresh 2 on time; its 200 OK stamped 2 s before it, as a second NIC with its clock behind
    // would stamp it.
    send_register(w, run, 3, expected, 2);
    Frame ok = w.frame(4, expected - seconds(2), false);
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    Annotation a = run.one(4);
    CHECK(a.get(Field::RefreshMargin) == deadline - expected);
    CHECK(a.get(Field::RefreshExpected) == expected + seconds(115));
    // So refresh 3, 115 s after refresh 2, is on time, not 2 s late.
    send_register(w, run, 5, expected + seconds(115), 3);
    CHECK(run.one(5).get(Field::RefreshLateness) == 0);
    CHECK(run.experts(Expert::RefreshLate, 5) == 0);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: the registrar's ACK stamped before the REGISTER is timed at the REGISTER") {
    send_register_tcp(w, run, 3, expected);
    registrar_ack(w, run, 4, expected - millis(300));
    CHECK(run.one(4).get(Field::RefreshMargin) == deadline - expected);
}

TEST_CASE("after a capture gap a lost first transmission has no idle time: what the phone sent then is unknown") {
    Config cfg;
    cfg.loss_pattern_min = 1;  // every lost first transmission is a loss pattern, with its idle time
    for (bool gap : {true, false}) {
        Wire w;
        Run run(cfg);
        registered(w, run, Transport::Udp);  // expected: kT0 + 10 ms + 115 s
        // Busy from kT0 + 1 s to the refresh; silent from kT0 + 61 s to kT0 + 100 s (a gap, with
        // nothing due in it), or not.
        const Nanos t = kT0 + millis(10) + seconds(115);
        std::uint32_t n = steady(w, run, 3, kT0 + seconds(1), gap ? kT0 + seconds(61) : kT0 + seconds(100), millis(50));
        const std::uint32_t after = n;
        n = steady(w, run, n, kT0 + seconds(100), t, millis(50));
        CHECK(run.at(after).empty());  // nothing fell due: no capture_gap
        send_register(w, run, n, t, 2);
        send_register(w, run, n + 1, t + millis(500), 2);  // its first transmission was lost
        Annotation a = run.one(n + 1);
        CHECK(a.raised(Expert::LossPattern));
        // Without the gap, idle since the phone's last datagram on the flow: its REGISTER at kT0.
        CHECK(a.has(Field::IdleInterval) == !gap);
        if (!gap) CHECK(a.get(Field::IdleInterval) == t - kT0);
    }
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: the same REGISTER sent on to the next registrar: that one's 2xx grants nothing at the first") {
    // Refresh 2 to registrar A (10.0.0.1) draws a port unreachable; the phone sends the same request
    // (Call-ID, CSeq) to the next SRV target B (RFC 3263 4.3), which grants it.
    const IpAddr b_ip = IpAddr::v4(0x0a000002);
    const auto to_b = [&](Frame f) {
        (f.dst_ip == kPhone ? f.src_ip : f.dst_ip) = b_ip;
        return f;
    };
    send_register(w, run, 3, expected, 2);
    unreachable(w, run, 4, expected + millis(1), kPhone, kRegistrarPort);
    Frame again = to_b(w.frame(5, expected + millis(10), true));
    w.add_register(again, "c", 2, kCisco);
    run(again);
    Frame ok = to_b(w.frame(6, expected + millis(20), false));
    w.add_response(ok, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok);
    for (const Annotation& a : run.at(6)) CHECK(run.str(a.server) == "10.0.0.2:5060/udp");
    // A's binding was never refreshed: its deadline passes, once.
    unrelated(w, run, 7, deadline + seconds(1));
    const Annotation d = run.one(7);
    CHECK(run.str(d.server) == "10.0.0.1:5060/udp");
    CHECK(d.raised(Expert::GraceBreach));
    CHECK(d.get(Field::GraceOverrun) == seconds(1));
    unrelated(w, run, 8, deadline + seconds(60));  // before B's grant runs out
    CHECK(run.experts(Expert::GraceBreach, 8) == 1);
}

TEST_CASE_METHOD(RegisteredTcp, "TCP: a REGISTER the registrar acknowledged but never answered breaches once its transaction timed out") {
    // A registrar whose TCP stack still acknowledges what its SIP layer no longer answers. Refresh 2
    // at `expected`, ACKed 10 ms later; no response. At the deadline it may still come (spared);
    // Timer F (64 T1 = 32 s) ends the phone's transaction: the phone's next segment on the
    // connection, acknowledging no registrar bytes the capture lacks, shows no answer was sent.
    send_register_tcp(w, run, 3, expected);
    registrar_ack(w, run, 4, expected + millis(10));
    unrelated(w, run, 5, deadline + seconds(1));
    CHECK(run.at(5).empty());
    const auto phone_segment = [&](std::uint32_t n, Nanos t, std::uint16_t flags) {
        Frame f = w.frame(n, t, true, Transport::Tcp);
        Wire::tcp(f, 1, 1001, 0, 401);
        f.tcp.flags = flags;
        run(f);
    };
    SECTION("before Timer F: still spared") {
        phone_segment(6, expected + seconds(31), TcpInfo::kAck);
        CHECK(run.at(6).empty());
        CHECK(run.experts(Expert::GraceBreach, 6) == 0);
    }
    SECTION("the phone closes the connection past Timer F: the breach") {
        phone_segment(6, expected + seconds(40), TcpInfo::kAck | TcpInfo::kFin);
        const Annotation d = run.one(6);
        CHECK(d.subject == Subject::SipDeadline);
        CHECK(d.raised(Expert::GraceBreach));
        CHECK(d.get(Field::GraceOverrun) == seconds(25));
        CHECK(d.get(Field::RefreshDeadline) == deadline);
    }
    SECTION("the phone demotes the registrar to a backup on the same connection: the breach on that REGISTER") {
        Frame bk = w.frame(6, expected + seconds(33), true, Transport::Tcp);
        Wire::tcp(bk, 1, 1001, 500, 401);
        w.add_register(bk, "c", 3, with(with(kCisco, "expires=0"), "cisco-keep-alive")).length = 500;
        run(bk);
        auto at6 = run.at(6);
        REQUIRE(at6.size() == 2);
        CHECK(at6[0].subject == Subject::SipDeadline);
        CHECK(at6[0].raised(Expert::GraceBreach));
        CHECK(at6[0].get(Field::GraceOverrun) == seconds(18));
        CHECK(at6[1].raised(Expert::BackupKeepalive));
    }
    SECTION("the registrar resets the connection: no answer can come, the breach on the reset") {
        Frame rst = w.frame(6, deadline + seconds(2), false, Transport::Tcp);
        Wire::tcp(rst, 1, 401, 0, 1001);
        rst.tcp.flags = TcpInfo::kRst | TcpInfo::kAck;
        run(rst);
        const Annotation d = run.one(6);
        CHECK(d.raised(Expert::GraceBreach));
        CHECK(d.get(Field::GraceOverrun) == seconds(2));
    }
    SECTION("healthy twin: the 2xx and the phone's ACK of it were not captured; its next segment acknowledges it") {
        Frame ack = w.frame(6, expected + seconds(40), true, Transport::Tcp);
        Wire::tcp(ack, 1, 1001, 0, 801);
        ack.tcp.acks_unseen = true;
        run(ack);
        unrelated(w, run, 7, expected + seconds(100));
        CHECK(run.experts(Expert::GraceBreach, 7) == 0);
    }
}

TEST_CASE_METHOD(RegisteredUdp, "UDP: a REGISTER answered with 100 Trying and resent until its transaction timed out breaches then") {
    // A proxy in front of a registrar that is down answers 100 and nothing more (RFC 4320 forbids it
    // a 408): the phone resends every T2 (4 s) until Timer F (32 s) runs out. Refresh 2 at
    // `expected`; its deadline 15 s later; Timer F at expected + 32 s.
    send_register(w, run, 3, expected, 2);
    Frame trying = w.frame(4, expected + millis(10), false);
    w.add_response(trying, 100, "c", 2);
    run(trying);
    std::uint32_t n = 5;
    SECTION("resent to the end: the breach on the first frame past Timer F") {
        for (int k = 1; k <= 7; ++k) send_register(w, run, n++, expected + seconds(4 * k), 2);  // the last at 28 s
        CHECK(run.experts(Expert::GraceBreach, n - 1) == 0);  // spared past the deadline, answer still possible
        unrelated(w, run, n, expected + seconds(32) + 1);
        const Annotation d = run.one(n);
        CHECK(d.subject == Subject::SipDeadline);
        CHECK(d.raised(Expert::GraceBreach));
        CHECK(d.get(Field::GraceOverrun) == seconds(17) + 1);
        unrelated(w, run, n + 1, expected + seconds(100));
        CHECK(run.experts(Expert::GraceBreach, n + 1) == 1);
    }
    SECTION("healthy twin: resends stop at 8 s, its final response lost by the capture") {
        for (int k = 1; k <= 2; ++k) send_register(w, run, n++, expected + seconds(4 * k), 2);
        unrelated(w, run, n, deadline + seconds(1));
        unrelated(w, run, n + 1, expected + seconds(32) + 1);
        unrelated(w, run, n + 2, expected + seconds(100));
        CHECK(run.experts(Expert::GraceBreach, n + 2) == 0);
    }
}

TEST_CASE("UDP: a registrar answering from another of its addresses still grants") {
    // A multi-homed registrar on a wildcard socket answers from its routed address (10.0.0.9): the
    // response matches its transaction (RFC 3261 17.1.3), not the address the request went to.
    Wire w;
    Run run;
    registered(w, run, Transport::Udp, [](Frame& ok) { ok.src_ip = IpAddr::v4(0x0a000009); });
    const Annotation g = run.one(2);
    CHECK(g.get(Field::ExpiresGranted) == 120);
    CHECK(run.str(g.server) == "10.0.0.1:5060/udp");
    unrelated(w, run, 3, kT0 + millis(10) + seconds(131));  // the phone silent past its deadline
    CHECK(run.one(3).raised(Expert::GraceBreach));
}

TEST_CASE("UDP: a tap's two ports as two interfaces, the REGISTER at one and its 2xx at the other") {
    // One machine's NICs, one clock: the 2xx at interface 1 grants the binding of interface 0.
    Wire w;
    Run run;
    registered(w, run, Transport::Udp, [](Frame& ok) { ok.interface_id = 1; });
    CHECK(run.one(2).get(Field::ExpiresGranted) == 120);
    send_register(w, run, 3, kT0 + millis(10) + seconds(115), 2);
    CHECK(run.one(3).get(Field::RefreshLateness) == 0);
    Frame ok2 = w.frame(4, kT0 + millis(20) + seconds(115), false);
    ok2.interface_id = 1;
    w.add_response(ok2, 200, "c", 2, with(kCisco, "expires=120"));
    run(ok2);
    CHECK(run.one(4).get(Field::RefreshMargin) == seconds(15) - millis(10));
}

TEST_CASE("a capture gap from frames stamped before 1677 to frames of today: its length saturates") {
    // README: "A frame stamped before 1677 or after 2262 ... is read as stamped at that end". A busy
    // stretch so stamped (600 frames from 20 hosts), a registration in it, then frames of 2023.
    Wire w;
    Run run;
    const Nanos lo = std::numeric_limits<Nanos>::min();
    Frame reg = w.frame(1, lo, true);
    w.add_register(reg, "c", 1, kCisco);
    run(reg);
    Frame ok = w.frame(2, lo, false);
    w.add_response(ok, 200, "c", 1, with(kCisco, "expires=120"));
    run(ok);
    std::uint32_t n = 3;
    for (int i = 0; i < 700; ++i, ++n) {
        Frame f = w.frame(n, lo, false);
        f.src_ip = IpAddr::v4(0x0a000100 + i % 20);
        f.dst_ip = IpAddr::v4(0x0a000200);
        run(f);
    }
    unrelated(w, run, n, kT0);
    const Annotation a = run.one(n);
    CHECK(a.subject == Subject::CaptureGap);
    CHECK(a.get(Field::CaptureUnjudged) == 1);
    CHECK(a.get(Field::CaptureGap) == std::numeric_limits<Nanos>::max());  // kT0 - lo, saturated
}

TEST_CASE_METHOD(RegisteredUdp, "11 frames a second from 20 hosts, then nothing over the deadline: a capture gap, "
                                "not a breach, wherever in its stretch the silence begins") {
    // README: "A capture point that has been recording at least 600 frames a minute (ten a second)
    // from at least 16 source addresses, steadily (...), and then records nothing at all for 10 s or
    // more has missed frames ... What fell due by the silence's end is unknown, not missed".
    constexpr Nanos kStretch = Nanos{1} << 33;
    const Nanos every = 90'909'091;  // 11 a second: 660 a minute
    for (const Nanos into : {millis(50), kStretch - millis(50)}) {
        CAPTURE(into);
        Wire w2;
        Run run2;
        registered(w2, run2, Transport::Udp);
        const Nanos last = ((expected - seconds(10)) >> 33 << 33) + into;  // the last frame before the silence
        REQUIRE(last < expected);
        const std::uint32_t n = steady(w2, run2, 3, last - 800 * every, last + 1, every);
        const Nanos resume = deadline + seconds(20);
        unrelated(w2, run2, n, resume);
        CHECK(run2.experts(Expert::GraceBreach, n) == 0);
        CHECK(run2.experts(Expert::CaptureGap, n) == 1);
    }
}

TEST_CASE("a quiet point of a merged capture is not made busy by the other point's frames from before "
          "the two clocks were told apart") {
    // Interface 0: the phone side, one phone (UDP). Interface 1: the call-manager side, a busy SPAN
    // (20 frames a second from 20 hosts), recording from 50 s after the registration. At 122 s one
    // TCP segment is seen at both: two capture points, each with its own clock. The phone then
    // falls silent; the phone side's next frame comes 5 s past the binding's deadline, 13 s after
    // its previous one. That point recorded a handful of frames from two hosts: "A capture of few
    // hosts ... is judged as ever: its silence may be the network's" -- the breach stands.
    Wire w;
    Run run;
    registered(w, run, Transport::Udp);  // frames 1, 2 at interface 0
    const Nanos deadline = kT0 + millis(10) + seconds(130);
    std::uint32_t n = 3;
    const Nanos flip = kT0 + seconds(122);
    for (Nanos t = kT0 + seconds(50); t < flip; t += millis(50), ++n) {
        Frame f = w.frame(n, t, false);
        f.interface_id = 1;
        f.src_ip = IpAddr::v4(0x0a000100 + n % 20);
        f.dst_ip = IpAddr::v4(0x0a000200);
        run(f);
    }
    // One TCP segment to the call manager, at the phone side and 1 ms later at the call-manager side.
    for (std::uint32_t iface : {0u, 1u}) {
        Frame f = w.frame(n++, flip + iface * millis(1), true, Transport::Tcp);
        f.src_ip = IpAddr::v4(0x0a000077);
        f.src_port = 40000;
        f.dst_port = 2000;
        Wire::tcp(f, 9, 1000, 12, 1);
        f.interface_id = iface;
        run(f);
    }
    // The call-manager side goes on recording, on its own clock.
    for (Nanos t = flip + millis(50); t < deadline + seconds(5); t += millis(50), ++n) {
        Frame f = w.frame(n, t, false);
        f.interface_id = 1;
        f.src_ip = IpAddr::v4(0x0a000100 + n % 20);
        f.dst_ip = IpAddr::v4(0x0a000200);
        run(f);
    }
    Frame f = w.frame(n, deadline + seconds(5), false);
    f.src_ip = IpAddr::v4(0x0a0000fe);
    f.interface_id = 0;
    run(f);
    for (const Annotation& a : run.at(n)) {
        CAPTURE(static_cast<int>(a.subject), a.get(Field::CaptureUnjudged));
        CHECK(a.subject != Subject::CaptureGap);
    }
    CHECK(run.experts(Expert::CaptureGap, n) == 0);
    CHECK(run.experts(Expert::GraceBreach, n) == 1);
}

namespace {

// A TCP segment of the phone 10.0.0.5:40000 and its call manager 10.0.0.1:2000, at interface `iface`.
Frame point_segment(std::uint32_t n, Nanos t, std::uint32_t iface, bool to_server, std::uint32_t seq, std::uint32_t ack) {
    Frame f;
    f.number = n;
    f.time = t;
    f.interface_id = iface;
    f.transport = Transport::Tcp;
    f.src_ip = to_server ? kPhone : kRegistrar;
    f.dst_ip = to_server ? kRegistrar : kPhone;
    f.src_port = to_server ? 40000 : 2000;
    f.dst_port = to_server ? 2000 : 40000;
    Wire::tcp(f, 1, seq, 12, ack);
    return f;
}

}  // namespace

TEST_CASE("a quiet point's clock set back: no path loss of a segment whose copy the other point records") {
    // Interface 0 (phone side, one phone) and interface 1 (call-manager side), clocks in step. Every
    // 30 s the phone sends 12 bytes to port 2000, answered 1 ms later; each segment is seen at both
    // points (transit 0.3 ms). At interface 1 another host sends a frame every second.
    Run run;
    std::vector<Frame> side[2];  // each capture file, in its own order
    const Nanos tr = 300'000;
    std::uint32_t up = 1000, down = 5000;
    const Nanos t_last = kT0 + seconds(300);
    for (Nanos t = kT0; t <= t_last; t += seconds(30)) {
        side[0].push_back(point_segment(0, t, 0, true, up, down));
        side[1].push_back(point_segment(0, t + tr, 1, true, up, down));
        side[1].push_back(point_segment(0, t + millis(1), 1, false, down, up + 12));
        side[0].push_back(point_segment(0, t + millis(1) + tr, 0, false, down, up + 12));
        up += 12;
        down += 12;
    }
    // 20 s after its last exchange the phone-side capture host's clock is set back 60 s; the phone
    // then sends two segments 100 ms apart (both get through, and both points record them).
    const Nanos real = t_last + seconds(20);
    for (int k = 0; k < 2; ++k) {
        const Nanos sent = real + k * millis(100);
        side[0].push_back(point_segment(0, sent - seconds(60), 0, true, up, down));
        side[1].push_back(point_segment(0, sent + tr, 1, true, up, down));
        up += 12;
    }
    for (Nanos t = kT0 + millis(500); t < t_last + seconds(40); t += seconds(1)) {
        Frame f;
        f.time = t;
        f.interface_id = 1;
        f.transport = Transport::Udp;
        f.src_ip = IpAddr::v4(0x0a000099);
        f.dst_ip = IpAddr::v4(0x0a000098);
        f.src_port = f.dst_port = 9999;
        side[1].push_back(f);
    }
    std::stable_sort(side[1].begin(), side[1].end(), [](const Frame& a, const Frame& b) { return a.time < b.time; });
    // Merged as mergecap merges two files: the earlier-stamped head first.
    std::vector<Frame> frames;
    for (std::size_t i = 0, j = 0; i < side[0].size() || j < side[1].size();)
        frames.push_back(j == side[1].size() || (i < side[0].size() && side[0][i].time <= side[1][j].time) ? side[0][i++]
                                                                                                           : side[1][j++]);
    std::uint32_t n = 0;
    for (Frame& f : frames) {
        f.number = ++n;
        run(f);
    }
    CHECK(run.experts(Expert::ClockStep, n) == 1);  // the step, as the phone side's own timeline shows it
    for (std::uint32_t i = 1; i <= n; ++i)
        for (const Annotation& a : run.at(i))
            if (a.raised(Expert::PathLoss)) {
                CAPTURE(i, a.get(Field::PathFrame), a.get(Field::ClockOffset));
                FAIL_CHECK("path loss reported");
            }
}

TEST_CASE("a REGISTER on its own interface's clock is filed under that interface in the endpoint directory") {
    // Seen first at interface 1 before the offset to its connection's home (0) is known, it keeps
    // interface 1's time: the call manager's syslog ages it on that clock.
    FindingStore store;
    Context ctx(Config{}, store);
    SipAnalyzer sip(ctx);
    Wire w;
    Frame f = w.frame(1, kT0, true, Transport::Tcp);
    Wire::tcp(f, 4, 1, 700, 1);
    f.interface_id = 1;
    f.tcp.home = 0;
    f.tcp.unplaced = true;
    w.add_register(f, "t", 1, with(kCisco, "expires=120"));
    ctx.sink.begin_frame(1);
    sip.on_frame(f);
    REQUIRE(ctx.directory.by_ip(kPhone));
    CHECK(ctx.directory.by_ip(kPhone)->frame == 1);
    CHECK(ctx.directory.by_ip(kPhone)->point == 1);
}
