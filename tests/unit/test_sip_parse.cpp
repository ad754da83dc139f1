// SIP messages decoded from their bytes: the values Wireshark 4.0's SIP fields give, and stream framing.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/sip_contact.h"
#include "core/sip_parse.h"

using namespace ka;

namespace {

// The contact parameters of out.contacts[i] as strings.
std::vector<std::string> params_of(const Frame& f, std::size_t i) {
    std::vector<std::string> v;
    const SipContact& c = f.contacts.at(i);
    for (std::uint32_t k = 0; k < c.param_count; ++k) v.emplace_back(f.contact_params.at(c.first_param + k));
    return v;
}

const std::string kCiscoRegister =
    "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 10.0.0.5:51000;branch=z9hG4bK771\r\n"
    "From: <sip:4077@10.0.0.1>;tag=001b54c28a41-77\r\n"
    "To: <sip:4077@10.0.0.1>\r\n"
    "Call-ID: 001b54c2-8a410001-11223344@10.0.0.5\r\n"
    "Max-Forwards: 70\r\n"
    "CSeq: 101 REGISTER\r\n"
    "User-Agent: Cisco-CP8961/9.4.2\r\n"
    "Contact: <sip:4077@10.0.0.5:51000;transport=tcp>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-001b54c28a41>\""
    ";+u.sip!devicename.ccm.cisco.com=\"SEP001B54C28A41\";cisco-keep-alive\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const std::string kOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK5;received=10.0.0.5\r\n"
    "From: <sip:100@10.0.0.1>;tag=1\r\n"
    "To: <sip:100@10.0.0.1>;tag=99\r\n"
    "Call-ID: reg-1@10.0.0.5\r\n"
    "CSeq: 2 REGISTER\r\n"
    "Contact: <sip:100@10.0.0.5:5060>;expires=120\r\n"
    "Expires: 120\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

}  // namespace

TEST_CASE("sip parse: Cisco REGISTER with three Contact header parameters") {
    Frame f;
    REQUIRE(sip::parse_message(kCiscoRegister, f));
    REQUIRE(f.sip.size() == 1);
    const SipMessage& m = f.sip[0];
    CHECK(m.is_request);
    CHECK(m.method == "REGISTER");
    CHECK(m.status == 0);
    CHECK(m.call_id == "001b54c2-8a410001-11223344@10.0.0.5");
    CHECK(m.cseq == 101);
    CHECK(m.cseq_method == "REGISTER");
    CHECK(m.has_expires);
    CHECK(m.expires == 3600);
    CHECK(m.to_addr == "sip:4077@10.0.0.1");
    CHECK(m.length == 0);
    REQUIRE(m.contact_count == 1);
    CHECK(m.first_contact == 0);
    CHECK(f.contacts[0].uri == "sip:4077@10.0.0.5:51000;transport=tcp");
    CHECK(params_of(f, 0) == std::vector<std::string>{
                                 "+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-001b54c28a41>\"",
                                 "+u.sip!devicename.ccm.cisco.com=\"SEP001B54C28A41\"", "cisco-keep-alive"});
    // The views point into the message, and the engine reads them as before.
    CHECK(f.contacts[0].uri.data() == kCiscoRegister.data() + kCiscoRegister.find("sip:4077@10.0.0.5"));
    sip::ContactFacts facts = sip::contact_facts(f, f.contacts[0]);
    CHECK(facts.address == "sip:4077@10.0.0.5:51000");
    CHECK(facts.instance == "<urn:uuid:00000000-0000-0000-0000-001b54c28a41>");
    CHECK(facts.device_name == "SEP001B54C28A41");
    CHECK(facts.keep_alive);
    CHECK_FALSE(facts.has_expires);

    sip::Extent e = sip::message_extent(kCiscoRegister);
    CHECK(e.kind == sip::Extent::Whole);
    CHECK(e.skip == 0);
    CHECK(e.length == kCiscoRegister.size());
}

TEST_CASE("sip parse: 200 OK with a Contact expires and an Expires header") {
    Frame f;
    REQUIRE(sip::parse_message(kOk, f));
    const SipMessage& m = f.sip.at(0);
    CHECK_FALSE(m.is_request);
    CHECK(m.method.empty());
    CHECK(m.status == 200);
    CHECK(m.call_id == "reg-1@10.0.0.5");
    CHECK(m.cseq == 2);
    CHECK(m.cseq_method == "REGISTER");
    CHECK(m.has_expires);
    CHECK(m.expires == 120);
    CHECK(m.to_addr == "sip:100@10.0.0.1");
    REQUIRE(m.contact_count == 1);
    CHECK(f.contacts[0].uri == "sip:100@10.0.0.5:5060");
    CHECK(params_of(f, 0) == std::vector<std::string>{"expires=120"});
    sip::ContactFacts facts = sip::contact_facts(f, f.contacts[0]);
    CHECK(facts.has_expires);
    CHECK(facts.expires == 120);
}

TEST_CASE("sip parse: 401 challenge has no contact and no Expires") {
    const std::string msg =
        "SIP/2.0 401 Unauthorized\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5:5060;rport=5060;branch=z9hG4bKauth1\r\n"
        "To: \"100\" <sip:100@example.com>;tag=as1\r\n"
        "Call-ID: auth@10.0.0.5\r\n"
        "CSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest algorithm=MD5, realm=\"asterisk\", nonce=\"4c1d\"\r\n"
        "Content-Length: 0\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    CHECK(m.status == 401);
    CHECK(m.to_addr == "sip:100@example.com");
    CHECK(m.cseq == 1);
    CHECK_FALSE(m.has_expires);
    CHECK(m.contact_count == 0);
    CHECK(f.contacts.empty());
}

TEST_CASE("sip parse: compact header names, any case, addr-spec To and Contact") {
    const std::string msg =
        "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
        "v: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKc\r\n"
        "f: <sip:a@b>;tag=1\r\n"
        "T: sip:100@10.0.0.1;tag=x\r\n"
        "i: compact-id\r\n"
        "cseq: 8 REGISTER\r\n"
        "M: sip:100@10.0.0.5;expires=60\r\n"
        "EXPIRES: 60\r\n"
        "l: 0\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    CHECK(m.to_addr == "sip:100@10.0.0.1");  // an addr-spec ends at its first ';'
    CHECK(m.call_id == "compact-id");
    CHECK(m.cseq == 8);
    CHECK(m.has_expires);
    CHECK(m.expires == 60);
    REQUIRE(m.contact_count == 1);
    CHECK(f.contacts[0].uri == "sip:100@10.0.0.5");
    CHECK(params_of(f, 0) == std::vector<std::string>{"expires=60"});
}

TEST_CASE("sip parse: longer names that start with a compact form's letter are other headers") {
    const std::string msg =
        "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
        "Max-Forwards: <sip:not-a-contact@h>\r\n"
        "Identity: not-a-call-id\r\n"
        "Lines: 12\r\n"
        "m : <sip:nor-this@h>\r\n"
        "Call-ID: real\r\n"
        "CSeq: 3 REGISTER\r\n"
        "m: <sip:this@h>\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    CHECK(m.call_id == "real");
    REQUIRE(m.contact_count == 1);
    CHECK(f.contacts[0].uri == "sip:this@h");
    const std::string stream = "SIP/2.0 200 OK\r\nLines: 9\r\nCSeq: 1 OPTIONS\r\nl: 5\r\n\r\nhello";
    CHECK(sip::message_extent(stream).length == stream.size());
}

TEST_CASE("sip parse: folded header lines belong to the previous header") {
    const std::string msg =
        "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKf\r\n"
        "To: <sip:100@10.0.0.1>\r\n"
        "Call-ID: fold\r\n"
        "CSeq: 9 REGISTER\r\n"
        "Contact: <sip:100@10.0.0.5>\r\n"
        " ;expires=60\r\n"
        " ;q=1\r\n"
        "Expires:\r\n"
        "\t300\r\n"
        "Content-Length: 0\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    CHECK(m.has_expires);
    CHECK(m.expires == 300);
    REQUIRE(m.contact_count == 1);
    CHECK(f.contacts[0].uri == "sip:100@10.0.0.5");
    // Wireshark stops a Contact's parameters at the first line end it meets after one: the second
    // folded parameter is not reported.
    CHECK(params_of(f, 0) == std::vector<std::string>{"expires=60"});
}

TEST_CASE("sip parse: a value folded right after its colon starts on the next line") {
    // RFC 3261 7.3.1 and 25.1 (HCOLON = *( SP / HTAB ) ":" SWS): tshark 4.0 reads this datagram as
    // Call-ID "abc@10.0.0.5", To "sip:100@10.0.0.1", Contact "sip:100@10.0.0.5", "expires=60".
    const std::string msg =
        "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1\r\n"
        "To:\r\n sip:100@10.0.0.1\r\n"
        "Call-ID:\r\n abc@10.0.0.5\r\n"
        "CSeq: 1 REGISTER\r\n"
        "Contact:\r\n\tsip:100@10.0.0.5;expires=60\r\n"
        "Content-Length: 0\r\n\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    CHECK(m.call_id == "abc@10.0.0.5");
    CHECK(m.to_addr == "sip:100@10.0.0.1");
    REQUIRE(m.contact_count == 1);
    CHECK(f.contacts[0].uri == "sip:100@10.0.0.5");
    CHECK(params_of(f, 0) == std::vector<std::string>{"expires=60"});
    // An empty value is still empty: the next header is not read as its value.
    Frame g;
    REQUIRE(sip::parse_message("REGISTER sip:10.0.0.1 SIP/2.0\r\nCall-ID:\r\nTo:\r\nContact:\r\n"
                               "CSeq: 2 REGISTER\r\n\r\n",
                               g));
    CHECK(g.sip.at(0).call_id.empty());
    CHECK(g.sip.at(0).to_addr.empty());
    CHECK(g.sip.at(0).contact_count == 0);
    CHECK(g.sip.at(0).cseq == 2);
}

TEST_CASE("sip parse: several contacts in one header and in two headers") {
    const std::string msg =
        "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKm\r\n"
        "To: <sip:100@10.0.0.1>\r\n"
        "Call-ID: multi\r\n"
        "CSeq: 3 REGISTER\r\n"
        "Contact: <sip:1@h>;expires=10, \"Doe, John\" <sip:2@h>;q=0.5, sip:3@h;expires=20\r\n"
        "Contact: <sip:4@h>;+sip.instance=\"<a,b;c>\";expires=5\r\n"
        "Content-Length: 0\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    REQUIRE(m.contact_count == 4);
    CHECK(f.contacts[0].uri == "sip:1@h");
    CHECK(params_of(f, 0) == std::vector<std::string>{"expires=10"});
    CHECK(f.contacts[1].uri == "sip:2@h");  // the comma in the quoted display name does not split
    CHECK(params_of(f, 1) == std::vector<std::string>{"q=0.5"});
    CHECK(f.contacts[2].uri == "sip:3@h");
    CHECK(params_of(f, 2) == std::vector<std::string>{"expires=20"});
    CHECK(f.contacts[3].uri == "sip:4@h");
    CHECK(params_of(f, 3) == std::vector<std::string>{"+sip.instance=\"<a,b;c>\"", "expires=5"});
    CHECK(f.contact_params.size() == 5);
}

TEST_CASE("sip parse: Contact * with Expires 0 names no binding") {
    const std::string msg =
        "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKstar\r\n"
        "To: <sip:100@10.0.0.1>\r\n"
        "Call-ID: star\r\n"
        "CSeq: 4 REGISTER\r\n"
        "Contact: *\r\n"
        "Expires: 0\r\n"
        "Content-Length: 0\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    const SipMessage& m = f.sip.at(0);
    CHECK(m.contact_count == 0);
    CHECK(f.contacts.empty());
    CHECK(m.has_expires);
    CHECK(m.expires == 0);
}

TEST_CASE("sip parse: To with a quoted display name holding a comma and '<'") {
    const std::string msg =
        "SIP/2.0 200 OK\r\n"
        "To: \"Smith, <Bob>\" <sip:100@x>;tag=1\r\n"
        "Call-ID: q\r\n"
        "CSeq: 1 REGISTER\r\n"
        "Contact: Bob <sip:100@y>;expires=60\r\n"
        "\r\n";
    Frame f;
    REQUIRE(sip::parse_message(msg, f));
    CHECK(f.sip.at(0).to_addr == "sip:100@x");
    REQUIRE(f.contacts.size() == 1);
    CHECK(f.contacts[0].uri == "sip:100@y");
}

TEST_CASE("sip parse: Wireshark's quirks are kept") {
    SECTION("a CSeq without method ends the message's headers") {
        const std::string msg = "REGISTER sip:x SIP/2.0\r\nCall-ID: c1\r\nCSeq: 3\r\nContact: <sip:after@cseq>\r\n\r\n";
        Frame f;
        REQUIRE(sip::parse_message(msg, f));
        CHECK(f.sip.at(0).call_id == "c1");
        CHECK(f.sip.at(0).cseq == 0);
        CHECK(f.sip.at(0).cseq_method.empty());
        CHECK(f.contacts.empty());
    }
    SECTION("the last Call-ID wins") {
        const std::string msg =
            "REGISTER sip:x SIP/2.0\r\n"
            "Via: SIP/2.0/UDP h;branch=;rport, SIP/2.0/UDP g;branch=second\r\n"
            "Via: SIP/2.0/UDP k;branch=third\r\n"
            "Call-ID: c1\r\nCall-ID: c2\r\nCSeq: 5 REGISTER\r\n\r\n";
        Frame f;
        REQUIRE(sip::parse_message(msg, f));
        CHECK(f.sip.at(0).call_id == "c2");
    }
    SECTION("a header name with a space before ':' is not recognised; values keep trailing spaces") {
        const std::string msg = "REGISTER sip:x SIP/2.0\r\nCall-ID : no\r\ni:  yes  \r\nCSeq: 6 REGISTER  \r\n\r\n";
        Frame f;
        REQUIRE(sip::parse_message(msg, f));
        CHECK(f.sip.at(0).call_id == "yes  ");
        CHECK(f.sip.at(0).cseq_method == "REGISTER  ");
    }
    SECTION("a non-numeric expires parameter ends that header's contacts; Expires text saturates") {
        const std::string msg =
            "REGISTER sip:x SIP/2.0\r\nCSeq: 1 REGISTER\r\n"
            "Contact: <sip:a@b>;expires=soon;x=1, <sip:c@d>\r\nExpires: 99999999999\r\n\r\n";
        Frame f;
        REQUIRE(sip::parse_message(msg, f));
        REQUIRE(f.contacts.size() == 1);
        CHECK(params_of(f, 0) == std::vector<std::string>{"expires=soon"});
        CHECK(f.sip.at(0).has_expires);
        CHECK(f.sip.at(0).expires == 4294967295u);
    }
    SECTION("bare LF line ends") {
        const std::string msg = "REGISTER sip:x SIP/2.0\nVia: SIP/2.0/UDP h;branch=lf1\nTo: sip:lf@x\nCall-ID: lf\n"
                                "CSeq: 2 REGISTER\nContact: <sip:lf2@y>;expires=5\n\n";
        Frame f;
        REQUIRE(sip::parse_message(msg, f));
        CHECK(f.sip.at(0).to_addr == "sip:lf@x");
        REQUIRE(f.contacts.size() == 1);
        CHECK(params_of(f, 0) == std::vector<std::string>{"expires=5"});
        sip::Extent e = sip::message_extent(msg);
        CHECK(e.kind == sip::Extent::Whole);
        CHECK(e.length == msg.size());
    }
}

TEST_CASE("sip parse: at most 64 contacts per message, appended after earlier messages") {
    std::string msg = "REGISTER sip:x SIP/2.0\r\nCSeq: 1 REGISTER\r\nContact: ";
    for (int i = 0; i < 70; ++i) msg += (i ? ", <sip:" : "<sip:") + std::to_string(i) + "@h>;expires=1";
    msg += "\r\n\r\n";
    Frame f;
    REQUIRE(sip::parse_message(kOk, f));
    REQUIRE(sip::parse_message(msg, f));
    REQUIRE(f.sip.size() == 2);
    CHECK(f.sip[1].first_contact == 1);
    CHECK(f.sip[1].contact_count == sip::kMaxContacts);
    CHECK(f.contacts.size() == 1 + sip::kMaxContacts);
    CHECK(f.contacts.back().uri == "sip:63@h");
    CHECK(f.contacts.back().first_param == sip::kMaxContacts);
    CHECK(f.contact_params.size() == 1 + sip::kMaxContacts);
}

TEST_CASE("sip parse: not SIP, and a snap-length-cut message") {
    Frame f;
    CHECK_FALSE(sip::parse_message("", f));
    CHECK_FALSE(sip::parse_message("\r\nREGISTER sip:x SIP/2.0\r\n\r\n", f));  // a datagram must start with it
    CHECK_FALSE(sip::parse_message("REGISTER sip:x SIP/2.0 \r\n\r\n", f));
    CHECK_FALSE(sip::parse_message("REGISTER x SIP/2.0\r\n\r\n", f));  // the URI has no colon
    CHECK_FALSE(sip::parse_message("SIP/2.0 20 OK\r\n\r\n", f));
    CHECK_FALSE(sip::parse_message("SIP/2.0 200\r\n\r\n", f));
    CHECK_FALSE(sip::parse_message("HTTP/1.1 200 OK\r\n\r\n", f));
    CHECK_FALSE(sip::parse_message(std::string("REGISTER sip:x\0 SIP/2.0\r\n\r\n", 26), f));
    CHECK(f.sip.empty());
    CHECK(f.contacts.empty());

    CHECK(sip::looks_like_sip("OPTIONS sip:10.0.0.1 SIP/2.0\r\n"));
    CHECK(sip::looks_like_sip("SIP/2.0 100 Trying"));
    CHECK_FALSE(sip::looks_like_sip("\x16\x03\x01\x02\x00"));
    CHECK_FALSE(sip::looks_like_sip("\r\n\r\n"));
    // A start line's beginning, without its end: a first TCP segment shorter than the line.
    CHECK_FALSE(sip::looks_like_sip("REGISTER sip"));
    CHECK(sip::start_line_prefix("REGISTER sip"));
    CHECK(sip::start_line_prefix("SIP/2.0 2"));
    CHECK_FALSE(sip::start_line_prefix("register sip"));  // a method is upper case
    CHECK_FALSE(sip::start_line_prefix("REGISTER sip:x SIP/2.0\r\n"));  // ended: looks_like_sip() decides
    CHECK_FALSE(sip::start_line_prefix("REGISTER\x01"));
    CHECK_FALSE(sip::start_line_prefix(""));

    std::string cut = kCiscoRegister.substr(0, 120);  // inside the To header
    REQUIRE(sip::parse_truncated_message(cut, f));
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].truncated);
    CHECK(f.sip[0].method == "REGISTER");
    CHECK(f.sip[0].call_id.empty());
    CHECK(f.sip[0].cseq_method.empty());  // a request's CSeq is not read: its start line says it
    CHECK_FALSE(f.sip[0].has_expires);
    CHECK(f.contacts.empty());
}

TEST_CASE("sip parse: a response cut short tells what it answers when its CSeq line was captured whole") {
    const std::string ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.5:5060\r\nCall-ID: abc\r\n"
                           "cseq:  7 REGISTER\r\nContact: <sip:1@10.0.0.5>;expires=120\r\n\r\n";
    const std::size_t cseq_end = ok.find("REGISTER") + 8;
    Frame f;
    // The CSeq line whole (the CR alone ends it, as Wireshark's line search does): its number and method.
    for (std::size_t cut : {cseq_end + 1, cseq_end + 2, cseq_end + 20}) {
        f = Frame{};
        REQUIRE(sip::parse_truncated_message(std::string_view(ok).substr(0, cut), f));
        REQUIRE(f.sip.size() == 1);
        CHECK(f.sip[0].truncated);
        CHECK(f.sip[0].status == 200);
        CHECK(f.sip[0].cseq == 7);
        CHECK(f.sip[0].cseq_method == "REGISTER");
        CHECK(f.sip[0].call_id.empty());  // what it grants is not read
        CHECK(f.contacts.empty());
    }
    // Cut inside the CSeq line, or before it: which request it answers is unknown.
    for (std::size_t cut : {cseq_end, cseq_end - 3, std::size_t{20}}) {
        f = Frame{};
        REQUIRE(sip::parse_truncated_message(std::string_view(ok).substr(0, cut), f));
        CHECK(f.sip[0].status == 200);
        CHECK(f.sip[0].cseq_method.empty());
    }
    // A CSeq Wireshark would stop at (no method) names nothing.
    f = Frame{};
    REQUIRE(sip::parse_truncated_message("SIP/2.0 200 OK\r\nCSeq: 7\r\nVia: x", f));
    CHECK(f.sip[0].cseq_method.empty());
}

TEST_CASE("sip framing: missing Content-Length on a stream, bodies, two messages back to back") {
    const std::string no_length = "OPTIONS sip:x SIP/2.0\r\nCall-ID: n\r\nCSeq: 1 OPTIONS\r\n\r\n";
    const std::string with_body = "SIP/2.0 200 OK\r\nCall-ID: b\r\nCSeq: 1 OPTIONS\r\nl: 5\r\n\r\nhello";
    std::string stream = no_length + "garbage";
    sip::Extent e = sip::message_extent(stream);
    CHECK(e.kind == sip::Extent::Whole);
    CHECK(e.length == no_length.size());

    stream = with_body + kOk;
    e = sip::message_extent(stream);
    CHECK(e.kind == sip::Extent::Whole);
    CHECK(e.skip == 0);
    CHECK(e.length == with_body.size());
    e = sip::message_extent(std::string_view(stream).substr(e.length));
    CHECK(e.kind == sip::Extent::Whole);
    CHECK(e.length == kOk.size());

    // A folded Content-Length still counts.
    const std::string folded = "SIP/2.0 200 OK\r\nContent-Length:\r\n 3\r\n\r\nabc";
    e = sip::message_extent(folded + "X");
    CHECK(e.kind == sip::Extent::Whole);
    CHECK(e.length == folded.size());
}

TEST_CASE("sip framing: CRLF keep-alives before a message") {
    const std::string pings = "\r\n\r\n";
    sip::Extent e = sip::message_extent(pings + kOk);
    CHECK(e.kind == sip::Extent::Whole);
    CHECK(e.skip == 4);
    CHECK(e.length == kOk.size());

    e = sip::message_extent(pings);  // only a ping so far
    CHECK(e.kind == sip::Extent::Incomplete);
    CHECK(e.skip == 4);
    e = sip::message_extent("\r\n");  // a pong
    CHECK(e.kind == sip::Extent::Incomplete);
    CHECK(e.skip == 2);
}

TEST_CASE("sip framing: a message cut at every length is incomplete, never a crash") {
    const std::string body_msg = "SIP/2.0 200 OK\r\nCall-ID: b\r\nContent-Length: 5\r\n\r\nhello";
    for (const std::string* full : {&kCiscoRegister, &kOk, &body_msg}) {
        for (std::size_t n = 0; n < full->size(); ++n) {
            std::string_view part(full->data(), n);
            sip::Extent e = sip::message_extent(part);
            INFO("cut at " << n);
            CHECK(e.kind == sip::Extent::Incomplete);
            CHECK(e.skip == 0);
            Frame f;
            sip::parse_message(part, f);  // whatever it finds, it stays inside `part`
            for (const SipContact& c : f.contacts) {
                CHECK(c.uri.data() >= part.data());
                CHECK(c.uri.data() + c.uri.size() <= part.data() + part.size());
            }
        }
        CHECK(sip::message_extent(*full).kind == sip::Extent::Whole);
    }
}

TEST_CASE("sip framing: garbage is not SIP") {
    CHECK(sip::message_extent("\x16\x03\x01\x00\xa5\x01").kind == sip::Extent::NotSip);
    CHECK(sip::message_extent("GET / HTTP/1.1\r\nHost: x\r\n\r\n").kind == sip::Extent::NotSip);
    CHECK(sip::message_extent("\r\nhello world\r\n").kind == sip::Extent::NotSip);
    CHECK(sip::message_extent(std::string("REG\0STER sip:x SIP/2.0", 22)).kind == sip::Extent::NotSip);
    // Headers that never end.
    std::string endless = "REGISTER sip:x SIP/2.0\r\n";
    while (endless.size() <= sip::kMaxHeaderBytes) endless += "X-Filler: 0123456789012345678901234567890123456789\r\n";
    CHECK(sip::message_extent(endless).kind == sip::Extent::NotSip);
    // A body too large to be signalling.
    CHECK(sip::message_extent("SIP/2.0 200 OK\r\nContent-Length: 999999999\r\n\r\n").kind == sip::Extent::NotSip);
    // A partial start line without a line end yet may still become SIP.
    CHECK(sip::message_extent("REGISTER sip:x SI").kind == sip::Extent::Incomplete);
}
