// Decoder: TCP streams, retransmissions as Wireshark's TCP analysis flags them, and SIP / SKINNY
// messages cut out of TCP and decrypted TLS byte streams.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <string>
#include <vector>

#include "core/decoder.h"
#include "core/engine.h"

using namespace ka;

namespace {

constexpr std::uint16_t kAck = TcpInfo::kAck, kPsh = TcpInfo::kPsh, kSyn = TcpInfo::kSyn, kRst = TcpInfo::kRst,
                        kFin = TcpInfo::kFin;

void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v));
}

// Ethernet + IPv4 + TCP (no options) or UDP, with `payload`.
std::vector<std::uint8_t> frame(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                                std::uint32_t seq, std::uint32_t ack, std::uint16_t flags, const std::string& payload,
                                bool udp = false) {
    std::vector<std::uint8_t> b = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
    const std::size_t l4 = udp ? 8 : 20;
    b.push_back(0x45);
    b.push_back(0);
    put16(b, static_cast<std::uint16_t>(20 + l4 + payload.size()));
    put32(b, 0);  // id, flags, fragment offset
    b.push_back(64);
    b.push_back(udp ? 17 : 6);
    put16(b, 0);
    put32(b, src);
    put32(b, dst);
    put16(b, sport);
    put16(b, dport);
    if (udp) {
        put16(b, static_cast<std::uint16_t>(8 + payload.size()));
        put16(b, 0);
    } else {
        put32(b, seq);
        put32(b, ack);
        b.push_back(0x50);
        b.push_back(static_cast<std::uint8_t>(flags));
        put32(b, 0xffff0000);  // window, checksum
        put16(b, 0);           // urgent pointer
    }
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

constexpr std::uint32_t kPhone = 0x0a000064, kServer = 0x0a000001;  // 10.0.0.100, 10.0.0.1

// Frame `number` at t: the Ethernet frame `bytes`, which must outlive it.
RawFrame ethernet(std::uint32_t number, const std::vector<std::uint8_t>& bytes, Nanos t) {
    RawFrame raw;
    raw.number = number;
    raw.time = t;
    raw.link = wire::Link::Ethernet;
    raw.data = bytes.data();
    raw.captured = bytes.size();
    return raw;
}

struct Run {
    Decoder decoder;
    Frame out;
    std::uint32_t number = 0;
    std::vector<std::uint8_t> bytes;

    RawFrame next(const std::vector<std::uint8_t>& b, Nanos t) {
        bytes = b;
        return ethernet(++number, bytes, t);
    }
    Frame& feed(const std::vector<std::uint8_t>& b, Nanos t, bool saw_sip = false, bool saw_skinny = false) {
        RawFrame raw = next(b, t);
        raw.saw_sip = saw_sip;
        raw.saw_skinny = saw_skinny;
        decoder.decode(raw, out);
        return out;
    }
    // A TLS segment with its decrypted records alongside, as the glue hands them over.
    Frame& tls(const std::vector<std::uint8_t>& b, Nanos t, const std::vector<std::string_view>& records, bool saw_sip,
               bool saw_skinny = false) {
        RawFrame raw = next(b, t);
        raw.saw_tls = true;
        raw.saw_sip = saw_sip;
        raw.saw_skinny = saw_skinny;
        raw.tls_data = records.data();
        raw.tls_data_count = records.size();
        decoder.decode(raw, out);
        return out;
    }
    Frame& phone(std::uint32_t seq, std::uint32_t ack, std::uint16_t flags, const std::string& data, Nanos t,
                 bool saw_sip = false) {
        return feed(frame(kPhone, 50000, kServer, 5060, seq, ack, flags, data), t, saw_sip);
    }
    Frame& server(std::uint32_t seq, std::uint32_t ack, std::uint16_t flags, const std::string& data, Nanos t) {
        return feed(frame(kServer, 5060, kPhone, 50000, seq, ack, flags, data), t);
    }
};

std::string sip_register(int cseq, const std::string& body = "") {
    return "REGISTER sip:10.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 10.0.0.100:50000;branch=z9hG4bK" + std::to_string(cseq) + "\r\n"
           "To: <sip:1000@10.0.0.1>\r\n"
           "Call-ID: abc@10.0.0.100\r\n"
           "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
           "Contact: <sip:1000@10.0.0.100:50000;transport=tcp>;expires=120\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A TLS record of `type` carrying `plain` bytes encrypted: its header and as many bytes of
// ciphertext and a 16-byte tag.
std::string tls_record(std::size_t plain, std::uint8_t type = 23) {
    const std::size_t n = plain + 16;
    const char header[] = {static_cast<char>(type), 3, 3, static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
    return std::string(header, sizeof header) + std::string(n, '\xa5');
}

// A data segment of the phone's (acknowledging 901) in an IPv4 packet with identification `ip_id`
// (its low byte; frame() sends 0).
std::vector<std::uint8_t> phone_packet(std::uint32_t seq, const std::string& data, std::uint8_t ip_id) {
    std::vector<std::uint8_t> b = frame(kPhone, 50000, kServer, 5060, seq, 901, kAck | kPsh, data);
    b[19] = ip_id;
    return b;
}

}  // namespace

TEST_CASE("decoder: addresses, ports and TCP header facts of a segment") {
    Run r;
    Frame& f = r.phone(1000, 7000, kAck | kPsh, "x", kSecond);
    CHECK(f.number == 1);
    CHECK(f.time == kSecond);
    CHECK(f.has_eth);
    CHECK(f.eth_src == 0x000102030406);
    CHECK(f.eth_dst == 0x000102030405);
    CHECK(f.src_ip == IpAddr::v4(kPhone));
    CHECK(f.dst_ip == IpAddr::v4(kServer));
    CHECK(f.transport == Transport::Tcp);
    CHECK(f.src_port == 50000);
    CHECK(f.dst_port == 5060);
    CHECK(f.tcp.present);
    CHECK(f.tcp.seq == 1000);
    CHECK(f.tcp.ack == 7000);
    CHECK(f.tcp.len == 1);
    CHECK(f.tcp.flags == (kAck | kPsh));
    CHECK_FALSE(f.tcp.retransmission);
    CHECK(f.interface_known);
    // A capture format without interfaces (classic pcap) says so.
    RawFrame raw = r.next(frame(kPhone, 50000, kServer, 5060, 1001, 7000, kAck | kPsh, "y"), 2 * kSecond);
    raw.interface_known = false;
    r.decoder.decode(raw, r.out);
    CHECK_FALSE(r.out.interface_known);
}

TEST_CASE("decoder: one stream per connection in both directions, a new one when the ports are reused") {
    Run r;
    const std::uint32_t a = r.phone(100, 0, kSyn, "", kSecond).tcp.stream;
    CHECK(r.server(900, 101, kSyn | kAck, "", kSecond + kMillisecond).tcp.stream == a);
    CHECK(r.feed(frame(kPhone, 50001, kServer, 5060, 5, 0, kSyn, ""), 2 * kSecond).tcp.stream != a);
    // Same ports, another initial sequence number: Wireshark starts a new stream.
    const std::uint32_t b = r.phone(77777, 0, kSyn, "", 3 * kSecond).tcp.stream;
    CHECK(b != a);
    CHECK(r.phone(77778, 901, kAck, "", 3 * kSecond + kMillisecond).tcp.stream == b);
}

TEST_CASE("decoder: retransmissions are flagged like Wireshark's TCP analysis, keep-alives and new data are not") {
    Run r;
    r.phone(100, 0, kSyn, "", 0);
    r.server(900, 101, kSyn | kAck, "", 10 * kMillisecond);
    r.phone(101, 901, kAck, "", 20 * kMillisecond);  // handshake RTT 20 ms
    CHECK_FALSE(r.phone(101, 901, kAck | kPsh, "hello", kSecond).tcp.retransmission);
    // The same bytes again after an RTO: retransmission.
    const Frame& rto = r.phone(101, 901, kAck | kPsh, "hello", kSecond + 300 * kMillisecond);
    CHECK(rto.tcp.retransmission);
    CHECK_FALSE(rto.tcp.spurious);  // the receiver has not acknowledged it
    // New data: not.
    CHECK_FALSE(r.phone(106, 901, kAck | kPsh, "world", 2 * kSecond).tcp.retransmission);
    // A keep-alive (one byte before the next expected sequence number): not.
    CHECK_FALSE(r.phone(110, 901, kAck, "d", 3 * kSecond).tcp.retransmission);
    // An older segment arriving within the handshake RTT of the newest: out of order, not.
    r.phone(121, 901, kAck | kPsh, "0123456789", 4 * kSecond);
    CHECK_FALSE(r.phone(111, 901, kAck | kPsh, "abcdefghij", 4 * kSecond + 5 * kMillisecond).tcp.retransmission);
    // Data the receiver already acknowledged, never seen before: spurious retransmission.
    r.server(901, 200, kAck, "", 5 * kSecond);
    const Frame& acked = r.phone(190, 901, kAck | kPsh, "0123456789", 6 * kSecond);
    CHECK(acked.tcp.retransmission);
    CHECK(acked.tcp.spurious);
}

TEST_CASE("decoder: the latest segment again within 10 ms at its capture point is a copy, not sent again") {
    Run r;
    r.phone(100, 0, kSyn, "", 0);
    CHECK(r.phone(100, 0, kSyn, "", 60 * kMicrosecond).tcp.copy);  // a router's copy on the next VLAN
    r.server(900, 101, kSyn | kAck, "", 10 * kMillisecond);
    r.phone(101, 901, kAck, "", 20 * kMillisecond);
    CHECK(r.phone(101, 901, kAck | kPsh, sip_register(1), kSecond, true).sip.size() == 1);
    const Frame& copy = r.phone(101, 901, kAck | kPsh, sip_register(1), kSecond + 60 * kMicrosecond, true);
    CHECK(copy.tcp.copy);
    CHECK_FALSE(copy.tcp.retransmission);
    CHECK(copy.sip.empty());
    // Sent again after an RTO: a retransmission, whose own copy is a copy; 10 ms on, no copy.
    const Nanos rto = kSecond + 300 * kMillisecond;
    CHECK(r.phone(101, 901, kAck | kPsh, sip_register(1), rto).tcp.retransmission);
    CHECK(r.phone(101, 901, kAck | kPsh, sip_register(1), rto + kCaptureCopyWindow - 1).tcp.copy);
    const Frame& late = r.phone(101, 901, kAck | kPsh, sip_register(1), rto + kCaptureCopyWindow);
    CHECK_FALSE(late.tcp.copy);
    CHECK(late.tcp.retransmission);
    // Another capture point's sighting is CapturePoints' to judge.
    RawFrame raw = r.next(frame(kPhone, 50000, kServer, 5060, 101, 901, kAck | kPsh, sip_register(1)),
                          rto + kCaptureCopyWindow + 60 * kMicrosecond);
    raw.interface_id = 1;
    r.decoder.decode(raw, r.out);
    CHECK_FALSE(r.out.tcp.copy);
    // New data right after its predecessor is no copy; sent again 2 ms later in a new IP packet
    // (another IPv4 id: a tail-loss probe) it is a retransmission.
    const auto next = 101 + static_cast<std::uint32_t>(sip_register(1).size());
    CHECK_FALSE(r.phone(next, 901, kAck | kPsh, "xy", 2 * kSecond).tcp.copy);
    std::vector<std::uint8_t> probe = frame(kPhone, 50000, kServer, 5060, next, 901, kAck | kPsh, "xy");
    probe[19] = 1;  // IPv4 identification
    const Frame& tlp = r.feed(probe, 2 * kSecond + 2 * kMillisecond);
    CHECK_FALSE(tlp.tcp.copy);
    CHECK(tlp.tcp.retransmission);
}

TEST_CASE("decoder: an ACK of bytes the capture lacks is flagged once") {
    // The server's second segment (904-907) was sent and received but not captured.
    Run r;
    r.phone(100, 0, kSyn, "", kSecond);
    r.server(900, 101, kSyn | kAck, "", kSecond + kMillisecond);
    CHECK_FALSE(r.phone(101, 901, kAck, "", kSecond + 2 * kMillisecond).tcp.acks_unseen);
    r.server(901, 101, kAck | kPsh, "abc", 2 * kSecond);
    CHECK_FALSE(r.phone(101, 904, kAck, "", 2 * kSecond + kMillisecond).tcp.acks_unseen);
    CHECK(r.phone(101, 908, kAck, "", 3 * kSecond).tcp.acks_unseen);
    // The same bytes acknowledged again, by data or a duplicate ACK: nothing new is missing.
    CHECK_FALSE(r.phone(101, 908, kAck | kPsh, "x", 4 * kSecond).tcp.acks_unseen);
    CHECK_FALSE(r.phone(102, 908, kAck, "", 4 * kSecond + kMillisecond).tcp.acks_unseen);
    // The server's next segment is new data, not a retransmission of the missing one.
    const Frame& next = r.server(908, 102, kAck | kPsh, "hi", 5 * kSecond);
    CHECK_FALSE(next.tcp.retransmission);
    CHECK_FALSE(r.phone(102, 910, kAck, "", 5 * kSecond + kMillisecond).tcp.acks_unseen);
    // Before the other direction was seen at all (a capture's start), nothing is known missing.
    Run late;
    CHECK_FALSE(late.phone(5000, 7000, kAck, "", kSecond).tcp.acks_unseen);
}

TEST_CASE("decoder: the latest segment again with its IPv4 identification is a copy however late") {
    // A capture point merged into this interface, its clock 5.3 s ahead: the phone's SYN and
    // REGISTER show up again 5.3 s later with their identifications. A resend has a new one; so
    // does every packet of a stack that numbers them, and only such a stack's identifications tell.
    auto with_id = [](std::vector<std::uint8_t> b, std::uint16_t id) {
        b[18] = static_cast<std::uint8_t>(id >> 8);
        b[19] = static_cast<std::uint8_t>(id);
        return b;
    };
    for (const bool numbered : {true, false}) {
        CAPTURE(numbered);
        auto id = [&](std::uint16_t n) { return static_cast<std::uint16_t>(numbered ? 0x1000 + n : 0x1000); };
        Run r;
        const auto syn = frame(kPhone, 50000, kServer, 5060, 100, 0, kSyn, "");
        r.feed(with_id(syn, id(0)), kSecond);
        r.feed(with_id(frame(kServer, 5060, kPhone, 50000, 900, 101, kSyn | kAck, ""), 0x5000), kSecond + kMillisecond);
        r.feed(with_id(frame(kPhone, 50000, kServer, 5060, 101, 901, kAck, ""), id(1)), kSecond + 2 * kMillisecond);
        const auto reg = frame(kPhone, 50000, kServer, 5060, 101, 901, kAck | kPsh, sip_register(1));
        const Frame& first = r.feed(with_id(reg, id(2)), kSecond + 3 * kMillisecond);
        CHECK_FALSE(first.tcp.copy);
        CHECK_FALSE(first.tcp.retransmission);
        // The handshake's copy first: a SYN after data is never sent again.
        CHECK(r.feed(with_id(syn, id(0)), kSecond + 5'300 * kMillisecond).tcp.copy);
        const Frame& again = r.feed(with_id(reg, id(2)), kSecond + 3 * kMillisecond + 5'300 * kMillisecond);
        CHECK(again.tcp.copy == numbered);
        CHECK(again.tcp.retransmission == !numbered);
        const Frame& resend = r.feed(with_id(reg, id(3)), 7 * kSecond);
        CHECK_FALSE(resend.tcp.copy);
        CHECK(resend.tcp.retransmission);
    }
}

TEST_CASE("decoder: a copy of a burst's earlier segment, overtaken by the later one, is a copy") {
    // A REGISTER in two segments 10 us apart; a router forwards each 100 us later, so the copy of
    // the first comes after the second, later than the handshake's 10 us RTT (not out of order).
    for (const std::uint8_t base_id : {5, 0}) {  // 0: no identification (IPv6, or a stack that sends 0)
        CAPTURE(base_id);
        Run r;
        const auto packet = [base_id](std::uint32_t seq, const std::string& data, std::uint8_t n) {
            return phone_packet(seq, data, base_id ? static_cast<std::uint8_t>(base_id + n) : 0);  // numbered in turn
        };
        r.phone(100, 0, kSyn, "", 0);
        r.server(900, 101, kSyn | kAck, "", 5 * kMicrosecond);
        r.phone(101, 901, kAck, "", 10 * kMicrosecond);
        const std::string reg = sip_register(1);
        const std::string a = reg.substr(0, 100), b = reg.substr(100);
        const auto b_seq = static_cast<std::uint32_t>(101 + a.size());
        r.feed(packet(101, a, 0), kSecond);
        r.feed(packet(b_seq, b, 1), kSecond + 10 * kMicrosecond);
        const Frame& copy_a = r.feed(packet(101, a, 0), kSecond + 100 * kMicrosecond);
        CHECK(copy_a.tcp.copy);
        CHECK_FALSE(copy_a.tcp.retransmission);
        CHECK(r.feed(packet(b_seq, b, 1), kSecond + 110 * kMicrosecond).tcp.copy);
        if (base_id) {
            // The first segment sent again in a new packet, even within 10 ms, is a retransmission.
            const Frame& again = r.feed(packet(101, a, 2), kSecond + 3 * kMillisecond);
            CHECK_FALSE(again.tcp.copy);
            CHECK(again.tcp.retransmission);
        } else {
            // Without identifications, what asks for it again: ACKs of its first byte after it
            // was sent (duplicate ACKs, or those of a SACK); then it is sent again, not copied.
            for (std::uint32_t i = 0; i < 3; ++i) r.server(901, 101, kAck, "", kSecond + (1 + i) * kMillisecond);
            const Frame& again = r.feed(packet(101, a, 0), kSecond + 4 * kMillisecond);
            CHECK_FALSE(again.tcp.copy);
            CHECK(again.tcp.retransmission);
        }
        // 10 ms after its first sighting, a repeat is sent again whatever its packet.
        const Frame& late = r.feed(packet(b_seq, b, 3), kSecond + 10 * kMicrosecond + kCaptureCopyWindow);
        CHECK_FALSE(late.tcp.copy);
        CHECK(late.tcp.retransmission);
    }
}

TEST_CASE("decoder: a fast retransmission's copy is a copy; without IP identifications, duplicate ACKs tell") {
    // The first of four segments is lost; three duplicate ACKs ask for it; it is resent at once
    // and the router's copy of the resend follows 60 us later. The phone's IPv4 identifications:
    // one after the other, none (0, as over IPv6), or random (the resend's looks older).
    const std::uint8_t ids[][6] = {{5, 6, 7, 8, 9, 10}, {0, 0, 0, 0, 0, 0}, {90, 41, 250, 17, 3, 60}};
    for (const auto& id : ids) {
        const int first_id = id[0];
        CAPTURE(first_id);
        Run r;
        const auto packet = [&id](std::uint32_t seq, const std::string& data, std::uint8_t n) {
            return phone_packet(seq, data, id[n]);
        };
        r.phone(100, 0, kSyn, "", 0);
        r.server(900, 101, kSyn | kAck, "", 10 * kMillisecond);
        r.phone(101, 901, kAck, "", 20 * kMillisecond);
        const Nanos t = kSecond;
        r.feed(packet(101, "aaaaa", 0), t);
        for (std::uint8_t i = 1; i <= 3; ++i) r.feed(packet(101 + 5 * i, "bbbbb", i), t + i * kMillisecond);
        for (std::uint32_t i = 1; i <= 3; ++i) r.server(901, 101, kAck, "", t + (3 + i) * kMillisecond);
        CHECK(r.feed(packet(101, "aaaaa", 4), t + 8 * kMillisecond).tcp.retransmission);
        // The duplicate ACKs came before the resend: they asked for it, not for its copy.
        const Frame& copy = r.feed(packet(101, "aaaaa", 4), t + 8 * kMillisecond + 60 * kMicrosecond);
        CHECK(copy.tcp.copy);
        CHECK_FALSE(copy.tcp.retransmission);
        // Lost again: duplicate ACKs after the resend ask for it once more, within 10 ms of it.
        // Sent in a new packet, or with no identification to tell, that is a retransmission.
        for (std::uint32_t i = 1; i <= 2; ++i) r.server(901, 101, kAck, "", t + (8 + i) * kMillisecond);
        const Frame& again = r.feed(packet(101, "aaaaa", 5), t + 11 * kMillisecond);
        CHECK_FALSE(again.tcp.copy);
        CHECK(again.tcp.retransmission);
        CHECK(r.feed(packet(101, "aaaaa", 5), t + 11 * kMillisecond + 60 * kMicrosecond).tcp.copy);
    }
}

TEST_CASE("decoder: a fast retransmission is one even within the out-of-order time; a RST's data is no message") {
    Run r;
    r.phone(100, 0, kSyn, "", 0);
    r.server(900, 101, kSyn | kAck, "", 10 * kMillisecond);
    r.phone(101, 901, kAck, "", 20 * kMillisecond);  // handshake RTT 20 ms: the out-of-order time
    // The first segment is lost on its way; three more follow, each answered by a duplicate ACK.
    const Nanos t = kSecond;
    CHECK_FALSE(r.phone(101, 901, kAck | kPsh, "aaaaa", t).tcp.retransmission);
    for (std::uint32_t i = 1; i <= 3; ++i) r.phone(101 + 5 * i, 901, kAck | kPsh, "bbbbb", t + i * kMillisecond);
    for (std::uint32_t i = 1; i <= 3; ++i) r.server(901, 101, kAck, "", t + (3 + i) * kMillisecond);
    // Resent 5 ms after the newest segment (within 20 ms of it, so it could pass for out of order)
    // and 2 ms after the third duplicate ACK: Wireshark's fast retransmission.
    CHECK(r.phone(101, 901, kAck | kPsh, "aaaaa", t + 8 * kMillisecond).tcp.retransmission);
    // Without the duplicate ACKs the same late arrival is out of order, as before.
    Run o;
    o.phone(100, 0, kSyn, "", 0);
    o.server(900, 101, kSyn | kAck, "", 10 * kMillisecond);
    o.phone(101, 901, kAck, "", 20 * kMillisecond);
    o.phone(106, 901, kAck | kPsh, "bbbbb", t);
    CHECK_FALSE(o.phone(101, 901, kAck | kPsh, "aaaaa", t + 5 * kMillisecond).tcp.retransmission);

    // A RST carrying a REGISTER's bytes (a stack's reset reason): not handed to SIP.
    CHECK(r.phone(121, 901, kRst | kAck, sip_register(1), 2 * kSecond, true).sip.empty());
}

// Each verdict as Wireshark 4.0.17 gives it for the same segments (tcp.analysis.*). Every packet
// has an IP identification of its own, so that no resend passes for a copy.
TEST_CASE("decoder: Wireshark's order: acknowledged bytes are spurious even within the out-of-order time") {
    const auto handshake = [](Run& r) {
        r.phone(100, 0, kSyn, "", kSecond);
        r.server(900, 101, kSyn | kAck, "", kSecond + 10 * kMillisecond);
        r.phone(101, 901, kAck, "", kSecond + 20 * kMillisecond);  // handshake RTT 20 ms: the out-of-order time
    };
    const auto sent = [](Run& r, std::uint32_t seq, std::uint16_t flags, const std::string& data, std::uint8_t ip_id,
                         Nanos t) -> const Frame& {
        std::vector<std::uint8_t> b = frame(kPhone, 50000, kServer, 5060, seq, 901, flags, data);
        b[19] = ip_id;
        return r.feed(b, t);
    };
    const Nanos t = 2 * kSecond;
    const std::string a(10, 'a'), b(10, 'b');
    // Two segments, then the server's ACK of both (121) or of the first's first five bytes (106),
    // then the first again 4 ms after the second, within the out-of-order time: a spurious
    // retransmission when all its bytes were acknowledged, else out of order.
    for (const std::uint32_t acked : {121u, 106u}) {
        Run r;
        handshake(r);
        sent(r, 101, kAck | kPsh, a, 1, t);
        sent(r, 111, kAck | kPsh, b, 2, t + kMillisecond);
        r.server(901, acked, kAck, "", t + 2 * kMillisecond);
        const Frame& again = sent(r, 101, kAck | kPsh, a, 3, t + 5 * kMillisecond);
        CHECK(again.tcp.retransmission == (acked == 121));
        CHECK(again.tcp.spurious == (acked == 121));
    }
    {
        // The last segment, with FIN, again within the out-of-order time: the FIN counts as a byte,
        // so it ends where the newest one did (a retransmission, not out of order).
        Run r;
        handshake(r);
        sent(r, 101, kAck | kPsh | kFin, a, 1, t);
        const Frame& again = sent(r, 101, kAck | kPsh | kFin, a, 2, t + 5 * kMillisecond);
        CHECK(again.tcp.retransmission);
        CHECK_FALSE(again.tcp.spurious);
        // And once the server has acknowledged its FIN: spurious.
        r.server(901, 112, kAck, "", t + 6 * kMillisecond);
        CHECK(sent(r, 101, kAck | kPsh | kFin, a, 3, t + 8 * kMillisecond).tcp.spurious);
    }
    {
        // Ten bytes from one before the next expected one on (as after a zero-window probe): new data.
        Run r;
        handshake(r);
        sent(r, 101, kAck | kPsh, a, 1, t);
        CHECK_FALSE(sent(r, 110, kAck | kPsh, b, 2, t + 300 * kMillisecond).tcp.retransmission);
    }
    {
        // The phone's first segment the capture has comes after the server acknowledged it.
        Run r;
        r.server(900, 111, kAck, "", t);
        const Frame& late = sent(r, 101, kAck | kPsh, a, 1, t + 290 * kMillisecond);
        CHECK(late.tcp.retransmission);
        CHECK(late.tcp.spurious);
    }
}

TEST_CASE("decoder: SIP messages of a TCP stream, several per segment and one across segments") {
    Run r;
    const std::string m1 = sip_register(1), m2 = sip_register(2), m3 = sip_register(3, "body");
    const auto s = static_cast<std::uint32_t>(m1.size() + m2.size());
    Frame& f = r.phone(1000, 1, kAck | kPsh, m1 + m2 + m3.substr(0, 40), kSecond, true);
    REQUIRE(f.sip.size() == 2);
    CHECK(f.sip[0].cseq == 1);
    CHECK(f.sip[0].length == m1.size());
    CHECK(f.sip[0].tail == m2.size() + 40);
    CHECK(f.sip[0].start_frame == 0);  // begun in this frame
    CHECK(f.sip[1].cseq == 2);
    CHECK(f.sip[1].length == m2.size());
    CHECK(f.sip[1].tail == 40);
    CHECK(f.sip[1].start_frame == 0);
    CHECK(f.tcp.len == s + 40);
    CHECK(f.tcp.begins_message);  // the third, which the next segment ends
    // The rest of the third message, with no SIP dissector call on this segment (Wireshark waits for
    // the whole message): it ends exactly where the segment ends.
    Frame& g = r.phone(1000 + s + 40, 1, kAck | kPsh, m3.substr(40), 2 * kSecond);
    REQUIRE(g.sip.size() == 1);
    CHECK(g.sip[0].cseq == 3);
    CHECK(g.sip[0].length == m3.size());
    CHECK(g.sip[0].tail == 0);
    CHECK(g.sip[0].call_id == "abc@10.0.0.100");
    CHECK(g.sip[0].start_frame == 1);  // the segment that carried its first 40 bytes
    CHECK_FALSE(g.tcp.begins_message);
    // A message begun after the end of one completed in the same segment starts there.
    const std::string m4 = sip_register(4), m5 = sip_register(5);
    const auto at = static_cast<std::uint32_t>(1000 + s + m3.size());
    Frame& head = r.phone(at, 1, kAck | kPsh, m4.substr(0, 20), 3 * kSecond);
    CHECK(head.sip.empty());
    CHECK(head.tcp.begins_message);
    Frame& both = r.phone(at + 20, 1, kAck | kPsh, m4.substr(20) + m5.substr(0, 30), 4 * kSecond);
    CHECK(both.sip.at(0).start_frame == 3);
    CHECK(both.tcp.begins_message);
    Frame& h = r.phone(at + static_cast<std::uint32_t>(m4.size()) + 30, 1, kAck | kPsh, m5.substr(30), 5 * kSecond);
    REQUIRE(h.sip.size() == 1);
    CHECK(h.sip[0].cseq == 5);
    CHECK(h.sip[0].start_frame == 4);
    CHECK_FALSE(h.tcp.begins_message);
}

TEST_CASE("decoder: a connection is SIP once Wireshark says so, its first message held until then") {
    Run r;
    const std::string m1 = sip_register(1), m2 = sip_register(2);
    const auto n1 = static_cast<std::uint32_t>(m1.size());
    // The first REGISTER in two segments; Wireshark names SIP only on the second, where it ends.
    Frame& head = r.phone(1000, 1, kAck | kPsh, m1.substr(0, 50), kSecond, false);
    CHECK(head.sip.empty());
    CHECK(head.tcp.begins_message);
    Frame& f = r.phone(1050, 1, kAck | kPsh, m1.substr(50), kSecond + kMillisecond, true);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].cseq == 1);
    CHECK(f.sip[0].start_frame == 1);
    CHECK(f.sip[0].length == m1.size());
    CHECK(f.sip[0].tail == 0);
    // From then on the connection is SIP.
    Frame& g = r.phone(1000 + n1, 1, kAck | kPsh, m2, 2 * kSecond, false);
    REQUIRE(g.sip.size() == 1);
    CHECK(g.sip[0].cseq == 2);

    // A first segment shorter than the start line ("REGISTER sip"), then two more, Wireshark naming
    // SIP on the last.
    Run short_first;
    CHECK(short_first.phone(1000, 1, kAck, m1.substr(0, 12), kSecond, false).tcp.begins_message);
    Frame& middle = short_first.phone(1012, 1, kAck, m1.substr(12, 12), kSecond, false);
    CHECK(middle.sip.empty());
    CHECK_FALSE(middle.tcp.begins_message);
    Frame& h = short_first.phone(1024, 1, kAck | kPsh, m1.substr(24), kSecond, true);
    REQUIRE(h.sip.size() == 1);
    CHECK(h.sip[0].cseq == 1);
    CHECK(h.sip[0].start_frame == 1);
    CHECK(h.sip[0].length == m1.size());

    // A connection Wireshark never calls SIP (Decode As another protocol, SIP disabled) carries
    // none, though its bytes look like it.
    Run other;
    CHECK(other.phone(1000, 1, kAck | kPsh, m1, kSecond, false).sip.empty());
    CHECK(other.phone(1000 + n1, 1, kAck | kPsh, m2.substr(0, 50), 2 * kSecond, false).sip.empty());
    CHECK(other.phone(1050 + n1, 1, kAck | kPsh, m2.substr(50), 3 * kSecond, false).sip.empty());
}

TEST_CASE("decoder: a retransmitted segment is not handed to SIP, a gap restarts the stream") {
    Run r;
    const std::string m1 = sip_register(1), m2 = sip_register(2);
    CHECK(r.phone(1000, 1, kAck | kPsh, m1, kSecond, true).sip.size() == 1);
    Frame& again = r.phone(1000, 1, kAck | kPsh, m1, 2 * kSecond, true);
    CHECK(again.tcp.retransmission);
    CHECK(again.sip.empty());
    // Half of a message, then data from further on (the rest was not captured): the half is dropped
    // and the next whole message is still found.
    const auto n1 = static_cast<std::uint32_t>(m1.size());
    CHECK(r.phone(1000 + n1, 1, kAck | kPsh, m2.substr(0, 30), 3 * kSecond).sip.empty());
    Frame& next = r.phone(1000 + n1 + static_cast<std::uint32_t>(m2.size()), 1, kAck | kPsh, m1, 4 * kSecond);
    REQUIRE(next.sip.size() == 1);
    CHECK(next.sip[0].cseq == 1);
}

TEST_CASE("decoder: CRLF keep-alive pings between SIP messages") {
    Run r;
    CHECK(r.phone(1000, 1, kAck | kPsh, "\r\n\r\n", kSecond, true).sip.empty());
    Frame& f = r.phone(1004, 1, kAck | kPsh, sip_register(5), 2 * kSecond, true);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].cseq == 5);
    // An hour of pings (RFC 5626, every 30 s here) and their pongs until the next refresh: nothing
    // of them is kept.
    std::uint32_t seq = 1004 + static_cast<std::uint32_t>(sip_register(5).size()), server_seq = 1;
    r.phone(seq, server_seq, kAck | kPsh, "\r\n\r\n", 3 * kSecond, true);
    seq += 4;
    const std::size_t before = r.decoder.state_bytes();
    for (int i = 0; i < 120; ++i, seq += 4, server_seq += 2) {
        CHECK(r.phone(seq, server_seq, kAck | kPsh, "\r\n\r\n", (4 + 30 * i) * kSecond, true).sip.empty());
        CHECK(r.server(server_seq, seq + 4, kAck | kPsh, "\r\n", (4 + 30 * i) * kSecond + kMillisecond).sip.empty());
    }
    CHECK(r.decoder.state_bytes() == before);
    // A ping and a REGISTER in one segment: the message's own bytes end where the segment does.
    const std::string m = sip_register(6);
    Frame& g = r.phone(seq, server_seq, kAck | kPsh, "\r\n\r\n" + m, 3700 * kSecond, true);
    REQUIRE(g.sip.size() == 1);
    CHECK(g.sip[0].cseq == 6);
    CHECK(g.sip[0].length == m.size());
    CHECK(g.sip[0].tail == 0);
}

TEST_CASE("decoder: syslog over TCP and TLS on its ports, whole, split and resent") {
    Run r;
    constexpr std::uint32_t cucm = 0x0a0a1e05, collector = 0x0a0a2832;  // 10.10.30.5, 10.10.40.50
    const auto send = [&](std::uint16_t port, std::uint32_t seq, const std::string& data, Nanos t, bool saw = false) -> Frame& {
        RawFrame raw = r.next(frame(cucm, 40514, collector, port, seq, 1, kAck | kPsh, data), t);
        raw.saw_syslog = saw;
        r.decoder.decode(raw, r.out);
        return r.out;
    };
    const std::string a = "<187>1: uc-ucm-01: alarm one\n", b = "<187>2: uc-ucm-01: alarm two\n";
    Frame& two = send(514, 1, a + b, kSecond);
    REQUIRE(two.syslog.size() == 2);
    CHECK(two.syslog[0] == "1: uc-ucm-01: alarm one");
    CHECK(two.syslog[1] == "2: uc-ucm-01: alarm two");
    const std::uint32_t next = 1 + static_cast<std::uint32_t>(a.size() + b.size());
    CHECK(send(514, next, a.substr(0, 10), 2 * kSecond).syslog.empty());
    Frame& rest = send(514, next + 10, a.substr(10), 3 * kSecond);
    REQUIRE(rest.syslog.size() == 1);
    CHECK(rest.syslog[0] == "1: uc-ucm-01: alarm one");
    Frame& again = send(514, next, a, 4 * kSecond);  // a retransmission: read once
    CHECK(again.tcp.retransmission);
    CHECK(again.syslog.empty());
    // Read from inside a message (bytes the capture lacks): from the next line on.
    const std::uint32_t later = next + static_cast<std::uint32_t>(a.size()) + 1000;
    Frame& inside = send(514, later, a.substr(12) + b, 4500 * kMillisecond);
    REQUIRE(inside.syslog.size() == 1);
    CHECK(inside.syslog[0] == "2: uc-ucm-01: alarm two");
    // Octet-counted on port 601.
    const std::string counted = std::to_string(b.size() - 1) + " " + b.substr(0, b.size() - 1);
    Frame& c = send(601, 1, counted, 5 * kSecond);
    REQUIRE(c.syslog.size() == 1);
    CHECK(c.syslog[0] == "2: uc-ucm-01: alarm two");
    // Octet-counted, read from inside a message: from the next count on. Digits and a space in the
    // message's text are not one.
    const std::string counted_a = std::to_string(a.size()) + " " + a;
    const std::uint32_t gap = 1 + static_cast<std::uint32_t>(counted.size()) + 1000;
    Frame& within = send(601, gap, "45 bytes ago " + counted_a + counted, 5500 * kMillisecond);
    REQUIRE(within.syslog.size() == 2);
    CHECK(within.syslog[0] == "1: uc-ucm-01: alarm one\n");
    CHECK(within.syslog[1] == "2: uc-ucm-01: alarm two");
    // Over TLS on 6514, once decrypted: a handshake record where a message would begin is skipped.
    const std::string tls_counted = counted + counted;
    const std::vector<std::string_view> records = {"\x14\x00\x0c handshake", tls_counted};
    Frame& t = r.tls(frame(cucm, 40515, collector, 6514, 1, 1, kAck | kPsh, std::string(60, 'x')), 6 * kSecond,
                     records, false);
    REQUIRE(t.syslog.size() == 2);
    CHECK(t.syslog[1] == "2: uc-ucm-01: alarm two");
    // On another port only when Wireshark names syslog (Decode As).
    CHECK(send(1514, 1, a, 6 * kSecond).syslog.empty());
    Frame& named = send(1515, 1, a, 7 * kSecond, true);
    REQUIRE(named.syslog.size() == 1);
    CHECK(named.syslog[0] == "1: uc-ucm-01: alarm one");
}

TEST_CASE("decoder: SKINNY PDUs split across segments, the stream known from an earlier frame") {
    Run r;
    // KeepAliveReq: length 4, header version 0, message id 0; RegisterAck id 0x81 keepalive 30.
    const std::string keepalive("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
    auto skinny = [&](std::uint32_t seq, const std::string& data, Nanos t, bool saw) -> Frame& {
        return r.feed(frame(kPhone, 50000, kServer, 2000, seq, 1, kAck | kPsh, data), t, false, saw);
    };
    CHECK(skinny(1, keepalive + keepalive, kSecond, true).skinny.size() == 2);
    CHECK(skinny(25, keepalive.substr(0, 5), 2 * kSecond, false).skinny.empty());
    Frame& f = skinny(30, keepalive.substr(5), 3 * kSecond, false);
    REQUIRE(f.skinny.size() == 1);
    CHECK(f.skinny[0].id == skinny::kKeepAliveReq);
}

TEST_CASE("decoder: a SKINNY segment that begins inside a PDU the capture lacks is not read") {
    // The call manager's 2000-byte message, its first 1460 bytes not captured: the rest begins with
    // bytes that read as length 0x40 and header version 7, which no SKINNY header has. Read as a
    // PDU, it would take the next 60 bytes, the KeepAliveAcks after it among them.
    Run r;
    const std::string keepalive_ack("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00", 12);
    auto cm = [&](std::uint32_t seq, const std::string& data, Nanos t, bool saw) -> Frame& {
        return r.feed(frame(kServer, 2000, kPhone, 50000, seq, 1, kAck | kPsh, data), t, false, saw);
    };
    CHECK(cm(1, keepalive_ack, kSecond, true).skinny.size() == 1);
    std::string tail("\x40\x00\x00\x00\x07\x00\x00\x00\x03\x00\x00\x00", 12);
    tail += std::string(528, '\0');
    CHECK(cm(13 + 1460, tail, 30 * kSecond, false).skinny.empty());
    const std::uint32_t next = 13 + 2000;
    Frame& ack = cm(next, keepalive_ack, 31 * kSecond, true);
    REQUIRE(ack.skinny.size() == 1);
    CHECK(ack.skinny[0].id == skinny::kKeepAliveAck);
    CHECK(cm(next + 12, keepalive_ack, 61 * kSecond, true).skinny.size() == 1);
}

TEST_CASE("decoder: a retransmission that takes along new bytes has them read") {
    // The call manager stopped acknowledging: the phone resends its keepalive K4 from the oldest
    // byte not acknowledged, with K5, written since, behind it; then K4, K5 and K6.
    Run r;
    const std::string keepalive("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
    auto seg = [&](const std::string& data, Nanos t, bool saw) -> Frame& {
        return r.feed(frame(kPhone, 50000, kServer, 2000, 1, 1, kAck | kPsh, data), t, false, saw);
    };
    CHECK(seg(keepalive, kSecond, true).skinny.size() == 1);
    Frame& k4 = seg(keepalive, 2 * kSecond, false);
    CHECK(k4.tcp.retransmission);
    CHECK(k4.tcp.resent == 12);
    CHECK(k4.skinny.empty());
    Frame& k5 = seg(keepalive + keepalive, 31 * kSecond, false);
    CHECK(k5.tcp.retransmission);
    CHECK(k5.tcp.resent == 12);
    REQUIRE(k5.skinny.size() == 1);
    CHECK(k5.skinny[0].id == skinny::kKeepAliveReq);
    Frame& k6 = seg(keepalive + keepalive + keepalive, 61 * kSecond, false);
    CHECK(k6.tcp.resent == 24);
    CHECK(k6.skinny.size() == 1);
    // Half of a PDU new: kept, and joined to the rest when it comes.
    Frame& half = seg(keepalive + keepalive + keepalive + keepalive.substr(0, 6), 91 * kSecond, false);
    CHECK(half.tcp.resent == 36);
    CHECK(half.skinny.empty());
    Frame& rest = r.feed(frame(kPhone, 50000, kServer, 2000, 1 + 42, 1, kAck | kPsh, keepalive.substr(6)), 92 * kSecond);
    CHECK_FALSE(rest.tcp.retransmission);
    CHECK(rest.skinny.size() == 1);
}

TEST_CASE("decoder: a SYN/ACK with a new ISN starts the server's direction afresh") {
    // A phone rebooted and connects again from the same port. The call manager, still holding the
    // old connection, answers the new SYN with a challenge ACK on the old numbers; the phone
    // resets it and tries again, and the SYN/ACK's new ISN lies before the old numbers.
    Run r;
    const std::string ack("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00", 12);
    auto phone = [&](std::uint32_t seq, std::uint32_t a, std::uint16_t flags, Nanos t) -> Frame& {
        return r.feed(frame(kPhone, 50000, kServer, 2000, seq, a, flags, ""), t);
    };
    auto cm = [&](std::uint32_t seq, std::uint32_t a, std::uint16_t flags, const std::string& data, Nanos t) -> Frame& {
        return r.feed(frame(kServer, 2000, kPhone, 50000, seq, a, flags, data), t, false, !data.empty());
    };
    phone(1000, 0, kSyn, 0);
    cm(800000, 1001, kSyn | kAck, "", kMillisecond);
    CHECK(cm(800001, 1001, kAck | kPsh, ack, kSecond).skinny.size() == 1);
    const std::uint32_t old_stream = r.out.tcp.stream;
    CHECK(phone(7000000, 0, kSyn, 100 * kSecond).tcp.stream != old_stream);  // a new stream: another ISN
    cm(800013, 1001, kAck, "", 100 * kSecond + kMillisecond);                // the challenge ACK
    phone(1001, 0, kRst, 100 * kSecond + 2 * kMillisecond);
    phone(7000000, 0, kSyn, 101 * kSecond);
    CHECK_FALSE(cm(300000, 7000001, kSyn | kAck, "", 101 * kSecond + kMillisecond).tcp.retransmission);
    Frame& answer = cm(300001, 7000001, kAck | kPsh, ack, 102 * kSecond);
    CHECK_FALSE(answer.tcp.retransmission);
    CHECK(answer.skinny.size() == 1);
    // A SYN/ACK sent again, with the same ISN, is a retransmission as before.
    CHECK(cm(300000, 7000001, kSyn | kAck, "", 103 * kSecond).tcp.retransmission);
}

TEST_CASE("decoder: a TCP keep-alive probe's old byte is not joined to the next message") {
    // The probe repeats the last byte sent (sequence number one before the next expected), as
    // Linux and Windows stacks do on an idle connection; Wireshark flags it tcp.analysis.keep_alive
    // and the next message still starts at the next expected sequence number.
    const std::string keepalive("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
    SECTION("SKINNY") {
        Run r;
        auto seg = [&](std::uint32_t seq, const std::string& data, Nanos t, bool saw) -> Frame& {
            return r.feed(frame(kPhone, 50000, kServer, 2000, seq, 1, kAck | kPsh, data), t, false, saw);
        };
        CHECK(seg(1, keepalive, kSecond, true).skinny.size() == 1);  // bytes 1..12
        Frame& probe = seg(12, keepalive.substr(11), 20 * kSecond, false);
        CHECK(probe.tcp.keep_alive);
        CHECK_FALSE(probe.tcp.retransmission);
        CHECK(probe.skinny.empty());
        CHECK(seg(13, keepalive, 31 * kSecond, true).skinny.size() == 1);
        CHECK_FALSE(r.out.tcp.keep_alive);
        CHECK(seg(25, keepalive, 61 * kSecond, true).skinny.size() == 1);
    }
    SECTION("SIP: the probe's byte is the end of the previous message's body") {
        Run r;
        const std::string m1 = sip_register(1, "body"), m2 = sip_register(2);
        const auto n1 = static_cast<std::uint32_t>(m1.size());
        CHECK(r.phone(1000, 1, kAck | kPsh, m1, kSecond, true).sip.size() == 1);
        CHECK(r.phone(1000 + n1 - 1, 1, kAck, m1.substr(n1 - 1), 60 * kSecond).tcp.keep_alive);
        Frame& next = r.phone(1000 + n1, 1, kAck | kPsh, m2, 110 * kSecond, true);
        REQUIRE(next.sip.size() == 1);
        CHECK(next.sip[0].cseq == 2);
        CHECK(next.sip[0].length == m2.size());
        CHECK(next.sip[0].tail == 0);
    }
}

TEST_CASE("decoder: a SKINNY PDU whose first segments Wireshark did not label") {
    Run r;
    // RegisterReq (id 1) with a 16-byte device name, 40 bytes of data in all, over three segments;
    // only the last is labelled SKINNY (Wireshark does so when it builds a tree).
    std::string pdu("\x28\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00SEP00AA11BB22CC\x00", 28);
    pdu += std::string(48 - pdu.size(), '\0');
    auto seg = [&](std::uint32_t seq, std::size_t from, std::size_t n, bool saw) -> Frame& {
        return r.feed(frame(kPhone, 50000, kServer, 2000, seq, 1, kAck | kPsh, pdu.substr(from, n)), kSecond, false, saw);
    };
    CHECK(seg(1, 0, 20, false).skinny.empty());
    CHECK(seg(21, 20, 20, false).skinny.empty());
    Frame& f = seg(41, 40, 8, true);
    REQUIRE(f.skinny.size() == 1);
    CHECK(f.skinny[0].id == skinny::kRegisterReq);
    CHECK(f.skinny[0].device_name == "SEP00AA11BB22CC");
    // Data that cannot start a SKINNY PDU is not kept for later.
    r.feed(frame(kPhone, 50001, kServer, 2000, 1, 1, kAck | kPsh, "GET / HTTP/1.1\r\n"), kSecond);
    CHECK(r.decoder.state_bytes() < 4096 + 2048 + Decoder::kSightingsBytes);  // the test's packets have IPv4 id 0
}

TEST_CASE("decoder: SIP over UDP only when Wireshark saw SIP") {
    Run r;
    const std::string m = sip_register(9);
    CHECK(r.feed(frame(kPhone, 5060, kServer, 5060, 0, 0, 0, m, true), kSecond).sip.empty());
    Frame& f = r.feed(frame(kPhone, 5060, kServer, 5060, 0, 0, 0, m, true), kSecond, true);
    CHECK(f.transport == Transport::Udp);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].cseq == 9);
    CHECK_FALSE(f.tcp.present);
}

TEST_CASE("decoder: SIP keep-alive pings over UDP, which Wireshark shows as data or STUN") {
    Run r;
    const auto udp = [&](const std::string& payload) -> Frame& {
        return r.feed(frame(kPhone, 5060, kServer, 5060, 0, 0, 0, payload, true), kSecond);
    };
    const std::string cookie("\x21\x12\xa4\x42", 4), id(12, 'x');
    CHECK(udp("\r\n\r\n").sip_ping);
    CHECK(udp("\r\n").sip_ping);
    CHECK(udp(std::string("\x00\x01\x00\x00", 4) + cookie + id).sip_ping);  // Binding request
    CHECK(udp(std::string("\x00\x11\x00\x00", 4) + cookie + id).sip_ping);  // Binding indication
    CHECK_FALSE(udp(std::string("\x01\x01\x00\x00", 4) + cookie + id).sip_ping);  // a response answers one
    CHECK_FALSE(udp(std::string("\x00\x01\x00\x00", 4) + "abcd" + id).sip_ping);  // RFC 3489, no cookie
    CHECK_FALSE(udp(std::string("\x00\x01\x00\x00", 4) + cookie).sip_ping);       // cut short
    CHECK_FALSE(udp("\r\nX").sip_ping);
    CHECK_FALSE(udp("").sip_ping);
    CHECK_FALSE(udp(sip_register(9)).sip_ping);
}

TEST_CASE("decoder: VXLAN on another port in outer fragments is followed once reassembled") {
    // The inner SIP datagram, in VXLAN on UDP port 8472 from 192.0.2.1 to 192.0.2.2.
    std::vector<std::uint8_t> inner = frame(kPhone, 5060, kServer, 5060, 0, 0, 0, sip_register(1), true);
    const std::string vxlan = std::string("\x08\0\0\0\0\x10\0\0", 8) + std::string(inner.begin(), inner.end());
    std::vector<std::uint8_t> whole = frame(0xc0000201, 49152, 0xc0000202, 8472, 0, 0, 0, vxlan, true);
    const std::string reassembled(whole.begin() + 34, whole.end());
    // The last fragment: from byte 8 of the outer datagram on.
    std::vector<std::uint8_t> last(whole.begin(), whole.begin() + 34);
    last.insert(last.end(), whole.begin() + 42, whole.end());
    last[16] = static_cast<std::uint8_t>((last.size() - 14) >> 8);
    last[17] = static_cast<std::uint8_t>(last.size() - 14);
    last[21] = 1;  // offset 8, no more fragments
    Run run;
    RawFrame raw = run.next(last, 0);
    raw.saw_sip = true;
    raw.saw_vxlan = true;
    raw.reassembled_ip = reassembled;
    run.decoder.decode(raw, run.out);
    CHECK(run.out.src_ip == IpAddr::v4(kPhone));
    CHECK(run.out.dst_port == 5060);
    REQUIRE(run.out.sip.size() == 1);
}

TEST_CASE("decoder: decrypted TLS data is reassembled into SIP messages") {
    Run r;
    const std::string m1 = sip_register(1), m2 = sip_register(2);
    // The TCP payload is opaque TLS; the decrypted records come alongside.
    Frame& out = r.tls(frame(kPhone, 50000, kServer, 5061, 1000, 1, kAck | kPsh, std::string(200, 'x')), 0,
                       {m1, std::string_view(m2).substr(0, 10)}, true);
    CHECK(out.transport == Transport::Tls);
    REQUIRE(out.sip.size() == 1);
    CHECK(out.sip[0].cseq == 1);
    CHECK(out.sip[0].length == 0);  // the segment begins with no record: its bytes are unknown
    // Wireshark's SIP is not called until the message is whole.
    r.tls(frame(kPhone, 50000, kServer, 5061, 1200, 1, kAck | kPsh, std::string(200, 'y')), 0,
          {std::string_view(m2).substr(10)}, false);
    CHECK(out.transport == Transport::Tls);
    REQUIRE(out.sip.size() == 1);
    CHECK(out.sip[0].cseq == 2);
}

TEST_CASE("decoder: a decrypted TLS handshake record next to SIP in one frame") {
    Run r;
    const std::string reg = sip_register(7);
    const std::string finished("\x14\x00\x00\x0c" "0123456789ab", 16);
    Frame& out = r.tls(frame(kPhone, 50000, kServer, 5061, 1000, 1, kAck | kPsh, std::string(100, 'x')), 0,
                       {finished, reg, finished}, true);
    REQUIRE(out.sip.size() == 1);
    CHECK(out.sip[0].cseq == 7);
    CHECK(out.sip[0].call_id == "abc@10.0.0.100");
}

TEST_CASE("decoder: decrypted TLS data on a SKINNY connection is cut into SKINNY PDUs") {
    Run r;
    const std::string finished("\x14\x00\x00\x0c" "0123456789ab", 16);
    const std::string keepalive("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
    std::string reg("\x28\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00SEP00AA11BB22CC\x00", 28);
    reg += std::string(48 - reg.size(), '\0');
    auto segment = [&](std::uint32_t seq, const std::vector<std::string_view>& records, bool saw) -> Frame& {
        return r.tls(frame(kPhone, 50000, kServer, 2443, seq, 1, kAck | kPsh, std::string(100, 'x')), kSecond, records,
                     false, saw);
    };
    // The handshake's Finished is skipped; a keepalive and the first half of a RegisterReq follow.
    Frame& f = segment(1000, {finished, keepalive, std::string_view(reg).substr(0, 20)}, true);
    CHECK(f.transport == Transport::Tls);
    REQUIRE(f.skinny.size() == 1);
    CHECK(f.skinny[0].id == skinny::kKeepAliveReq);
    // The rest arrives in the next record, a frame Wireshark names SKINNY only once the PDU is whole.
    Frame& g = segment(1100, {std::string_view(reg).substr(20)}, false);
    REQUIRE(g.skinny.size() == 1);
    CHECK(g.skinny[0].id == skinny::kRegisterReq);
    CHECK(g.skinny[0].device_name == "SEP00AA11BB22CC");
    // A record that cannot start a PDU is dropped, not taken for SIP or kept.
    CHECK(segment(1200, {sip_register(1)}, false).skinny.empty());
    CHECK(segment(1300, {sip_register(1)}, false).sip.empty());
    CHECK(segment(1400, {keepalive}, true).skinny.size() == 1);
    CHECK_FALSE(r.out.tcp.opaque);
    // TLS data of which Wireshark decrypted nothing (after a record the capture lacks): opaque, and
    // not once more when sent again.
    CHECK(segment(1600, {}, false).tcp.opaque);
    CHECK_FALSE(segment(1600, {}, false).tcp.opaque);
    CHECK_FALSE(r.tls(frame(kPhone, 50000, kServer, 2443, 1700, 1, kAck, ""), kSecond, {}, false).tcp.opaque);
}

TEST_CASE("decoder: over TLS a SIP message's bytes are those of the records that carry it") {
    Run r;
    const std::string m1 = sip_register(1, std::string(1200, 'v')), m2 = sip_register(2);
    const std::string r1 = tls_record(m1.size()), r2 = tls_record(m2.size());
    std::uint32_t seq = 1000;
    // The phone's segment of `bytes` at `seq`, with the plaintext of the records that end in it.
    const auto phone = [&](const std::string& bytes, const std::vector<std::string_view>& plain) -> Frame& {
        return r.tls(frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes), kSecond, plain, !plain.empty());
    };
    const auto size = [](const std::string& b) { return static_cast<std::uint32_t>(b.size()); };
    // A record in one segment.
    Frame& f = phone(r1, {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r1));
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == 0);
    CHECK_FALSE(f.tcp.begins_message);
    seq += size(r1);
    // Two records in one segment: each message its own record's bytes.
    phone(r1 + r2, {m1, m2});
    REQUIRE(f.sip.size() == 2);
    CHECK(f.sip[0].length == size(r1));
    CHECK(f.sip[0].tail == size(r2));
    CHECK(f.sip[1].length == size(r2));
    CHECK(f.sip[1].tail == 0);
    seq += size(r1) + size(r2);
    // A record spanning two segments, decrypted in the second: it began in the first.
    phone(r1.substr(0, 700), {});
    CHECK(f.tcp.begins_message);
    const std::uint32_t head = f.number;
    seq += 700;
    phone(r1.substr(700), {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r1));
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == head);
    CHECK_FALSE(f.tcp.begins_message);
    seq += size(r1) - 700;
    // A header split across segments, after a whole record.
    phone(r1 + r2.substr(0, 3), {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r1));
    CHECK(f.sip[0].tail == 3);
    CHECK(f.tcp.begins_message);
    const std::uint32_t split = f.number;
    seq += size(r1) + 3;
    phone(r2.substr(3), {m2});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r2));
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == split);
    seq += size(r2) - 3;
    // A message in two records, each in a segment of its own: from the start of the first.
    const std::string a = m1.substr(0, 200), b = m1.substr(200);
    const std::string ra = tls_record(a.size()), rb = tls_record(b.size());
    phone(ra, {a});
    CHECK(f.sip.empty());
    CHECK(f.tcp.begins_message);
    const std::uint32_t first = f.number;
    seq += size(ra);
    phone(rb, {b});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].cseq == 1);
    CHECK(f.sip[0].length == size(ra) + size(rb));
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == first);
}

TEST_CASE("decoder: over TLS the records Wireshark decrypts are those after a ChangeCipherSpec, and application data") {
    Run r;
    const std::string m = sip_register(1);
    const std::string finished("\x14\x00\x00\x0c" "0123456789ab", 16);
    const std::string ccs("\x14\x03\x03\x00\x01\x01", 6);
    const auto phone = [&](std::uint16_t port, std::uint32_t seq, const std::string& bytes,
                           const std::vector<std::string_view>& plain) -> Frame& {
        return r.tls(frame(kPhone, port, kServer, 5061, seq, 1, kAck | kPsh, bytes), kSecond, plain, !plain.empty());
    };
    const std::string reg = tls_record(m.size());
    // TLS 1.2: a ClientHello in plaintext; then a ChangeCipherSpec, the encrypted Finished (a
    // handshake record) and the REGISTER.
    const std::string hello = tls_record(300, 22);
    phone(50000, 1000, hello, {});
    const auto after_hello = 1000 + static_cast<std::uint32_t>(hello.size());
    Frame& f = phone(50000, after_hello, ccs + tls_record(16, 22) + reg, {finished, m});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == reg.size());
    CHECK(f.sip[0].tail == 0);
    // TLS 1.3: after the ChangeCipherSpec every record is application data, the Finished too.
    phone(50001, 1000, hello, {});
    phone(50001, after_hello, ccs + tls_record(16) + reg, {finished, m});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == reg.size());
    // Before the ChangeCipherSpec a handshake record is not decrypted: with one, the records that
    // ended are more than those decrypted, and which is which is unknown.
    phone(50002, 1000, tls_record(16, 22) + reg, {finished, m});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
}

TEST_CASE("decoder: over TLS past bytes the capture lacks a message's bytes are unknown until a segment begins a record") {
    Run r;
    const std::string m1 = sip_register(1, std::string(1200, 'v')), m2 = sip_register(2);
    const std::string r1 = tls_record(m1.size()), r2 = tls_record(m2.size());
    const auto phone = [&](std::uint32_t seq, const std::string& bytes,
                           const std::vector<std::string_view>& plain) -> Frame& {
        return r.tls(frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes), kSecond, plain, !plain.empty());
    };
    Frame& f = phone(1000, r1.substr(0, 700), {});
    CHECK(f.tcp.begins_message);
    // 100 bytes of the record missed: where the next record begins is unknown.
    phone(1800, r1.substr(800) + r2.substr(0, 10), {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
    CHECK_FALSE(f.tcp.begins_message);
    phone(1000 + static_cast<std::uint32_t>(r1.size()) + 10, r2.substr(10), {m2});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
    // The next segment begins with a record: followed again.
    phone(1000 + static_cast<std::uint32_t>(r1.size() + r2.size()), r1, {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == r1.size());
    // Two records ended, one decrypted (the other failed): which is which is unknown.
    phone(1000 + static_cast<std::uint32_t>(2 * r1.size() + r2.size()), r1 + r2, {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
}

TEST_CASE("decoder: over TLS records are followed across the sequence number's wrap and a header in three segments") {
    Run r;
    const std::string m1 = sip_register(1, std::string(1200, 'v')), m2 = sip_register(2);
    const std::string r1 = tls_record(m1.size()), r2 = tls_record(m2.size());
    std::uint32_t seq = 0xffffff00u;
    const auto phone = [&](const std::string& bytes, const std::vector<std::string_view>& plain) -> Frame& {
        Frame& f = r.tls(frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes), kSecond, plain, !plain.empty());
        seq += static_cast<std::uint32_t>(bytes.size());
        return f;
    };
    // A record whose bytes wrap: it begins 256 bytes before 2^32.
    Frame& f = phone(r1.substr(0, 700), {});
    CHECK(f.tcp.begins_message);
    CHECK_FALSE(f.tcp.opaque);
    const std::uint32_t head = f.number;
    phone(r1.substr(700) + r2.substr(0, 2), {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == r1.size());
    CHECK(f.sip[0].tail == 2);
    CHECK(f.sip[0].start_frame == head);
    CHECK(f.tcp.begins_message);
    const std::uint32_t split = f.number;
    // The next header over three segments: two bytes, two, then the last and the record.
    phone(r2.substr(2, 2), {});
    CHECK_FALSE(f.tcp.begins_message);
    CHECK_FALSE(f.tcp.opaque);
    phone(r2.substr(4), {m2});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == r2.size());
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == split);
}

TEST_CASE("decoder: over TLS segments out of order, resent with new bytes, and keep-alives") {
    Run r;
    const std::string m1 = sip_register(1, std::string(1200, 'v')), m2 = sip_register(2), m3 = sip_register(3);
    const std::string r1 = tls_record(m1.size()), r2 = tls_record(m2.size()), r3 = tls_record(m3.size());
    const auto size = [](const std::string& b) { return static_cast<std::uint32_t>(b.size()); };
    const auto phone = [&](std::uint32_t seq, const std::string& bytes, const std::vector<std::string_view>& plain,
                           Nanos t = kSecond) -> Frame& {
        return r.tls(frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes), t, plain, !plain.empty());
    };
    std::uint32_t seq = 1000;
    Frame& f = phone(seq, r2, {m2});
    CHECK(f.sip[0].length == size(r2));
    seq += size(r2);
    // A later segment that begins a record before the earlier one: each where it is, or unknown.
    phone(seq + size(r1), r3, {m3});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r3));
    CHECK(f.sip[0].tail == 0);
    phone(seq, r1, {m1});
    CHECK_FALSE(f.tcp.retransmission);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
    seq += size(r1) + size(r3);
    // A later segment that begins inside a record (the rest of one begun in the earlier segment)
    // before the earlier one: unknown until a segment begins a record.
    phone(seq + 700, r1.substr(700), {});
    CHECK(f.tcp.opaque);
    phone(seq, r1.substr(0, 700), {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
    seq += size(r1);
    phone(seq, r2, {m2});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r2));
    seq += size(r2);
    // A record's first segment, resent later with the rest and the start of the next record.
    phone(seq, r1.substr(0, 700), {}, 2 * kSecond);
    const std::uint32_t head = f.number;
    phone(seq, r1 + r2.substr(0, 10), {m1}, 3 * kSecond);
    CHECK(f.tcp.retransmission);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r1));
    CHECK(f.sip[0].tail == 10);
    CHECK(f.sip[0].start_frame == head);
    CHECK(f.tcp.begins_message);
    const std::uint32_t resend = f.number;
    seq += size(r1) + 10;
    // A keep-alive (the last byte again) inside the record: not read as the record's.
    phone(seq - 1, r2.substr(9, 1), {}, 4 * kSecond);
    CHECK(f.tcp.keep_alive);
    CHECK_FALSE(f.tcp.opaque);
    CHECK_FALSE(f.tcp.begins_message);
    phone(seq, r2.substr(10), {m2}, 5 * kSecond);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r2));
    CHECK(f.sip[0].start_frame == resend);
    seq += size(r2) - 10;
    // Between records.
    phone(seq - 1, r2.substr(size(r2) - 1), {}, 6 * kSecond);
    CHECK(f.tcp.keep_alive);
    phone(seq, r3, {m3}, 7 * kSecond);
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r3));
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == 0);
}

TEST_CASE("decoder: over TLS 1.3 every record after the ServerHello counts, handshake too") {
    Run r;
    const std::string m = sip_register(1);
    const std::string rec = tls_record(m.size());
    const std::string ccs("\x14\x03\x03\x00\x01\x01", 6);
    const std::string ee("\x08\x00\x00\x02\x00\x00", 6), finished("\x14\x00\x00\x0c" "0123456789ab", 16);
    std::string cert("\x0b\x00\x07\xd0", 4);
    cert += std::string(2000, 'c');
    const std::string rec_ee = tls_record(ee.size()), rec_cert = tls_record(cert.size()),
                      rec_fin = tls_record(finished.size()), hello = tls_record(90, 22);
    const auto size = [](const std::string& b) { return static_cast<std::uint32_t>(b.size()); };
    for (const bool compat : {true, false}) {
        CAPTURE(compat);
        const auto server = [&](std::uint32_t seq, const std::string& bytes,
                                const std::vector<std::string_view>& plain) -> Frame& {
            return r.tls(frame(kServer, 5061, kPhone, compat ? 50000 : 50001, seq, 1, kAck | kPsh, bytes), kSecond, plain,
                         !plain.empty());
        };
        std::uint32_t seq = 1000;
        // ServerHello in plaintext, then its encrypted flight: the Certificate over two segments.
        const std::string first = hello + (compat ? ccs : "") + rec_ee + rec_cert.substr(0, 1000);
        Frame& f = server(seq, first, {ee});
        CHECK_FALSE(f.tcp.opaque);
        seq += size(first);
        server(seq, rec_cert.substr(1000) + rec_fin + rec, {cert, finished, m});
        REQUIRE(f.sip.size() == 1);
        CHECK(f.sip[0].length == size(rec));
        CHECK(f.sip[0].tail == 0);
    }
}

TEST_CASE("decoder: over TLS an empty, a too long or an undecrypted record never gets a message wrong bytes") {
    Run r;
    const std::string m1 = sip_register(1), m2 = sip_register(2);
    const std::string r1 = tls_record(m1.size()), r2 = tls_record(m2.size());
    const auto size = [](const std::string& b) { return static_cast<std::uint32_t>(b.size()); };
    std::uint32_t seq = 1000;
    const auto phone = [&](const std::string& bytes, const std::vector<std::string_view>& plain) -> Frame& {
        Frame& f = r.tls(frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes), kSecond, plain, !plain.empty());
        seq += static_cast<std::uint32_t>(bytes.size());
        return f;
    };
    // A record of no bytes is none Wireshark decrypts.
    const std::string empty("\x17\x03\x03\x00\x00", 5);
    Frame& f = phone(empty + r1 + empty, {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(r1));
    CHECK(f.sip[0].tail == 5);
    // One whose plaintext is empty (a CBC cipher's empty fragment): Wireshark hands nothing over
    // for it, so which is which is unknown.
    phone(tls_record(0) + r1, {m1});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == 0);
    phone(r2, {m2});
    CHECK(f.sip[0].length == size(r2));
    // Three records, the middle one not decrypted.
    phone(r1 + r2 + r1, {m1, m1});
    REQUIRE(f.sip.size() == 2);
    CHECK(f.sip[0].length == 0);
    CHECK(f.sip[1].length == 0);
    // A header longer than a record may be: no record; followed again from a segment that begins one.
    phone("\x17\x03\x03\x48\x01" + std::string(100, '\xa5'), {});
    CHECK(f.tcp.opaque);
    phone(r1, {m1});
    CHECK(f.sip[0].length == size(r1));
}

TEST_CASE("decoder: over TLS a message over three records and two messages in one record") {
    Run r;
    const std::string m = sip_register(1, std::string(600, 'v')), m2 = sip_register(2);
    const std::string a = m.substr(0, 100), b = m.substr(100, 300), c = m.substr(400);
    const std::string ra = tls_record(a.size()), rb = tls_record(b.size()), rc = tls_record(c.size());
    const auto size = [](const std::string& x) { return static_cast<std::uint32_t>(x.size()); };
    std::uint32_t seq = 1000;
    const auto phone = [&](const std::string& bytes, const std::vector<std::string_view>& plain) -> Frame& {
        Frame& f = r.tls(frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes), kSecond, plain, !plain.empty());
        seq += static_cast<std::uint32_t>(bytes.size());
        return f;
    };
    Frame& f = phone(ra, {a});
    CHECK(f.tcp.begins_message);
    const std::uint32_t first = f.number;
    phone(rb, {b});
    CHECK(f.sip.empty());
    CHECK_FALSE(f.tcp.begins_message);
    phone(rc, {c});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(ra) + size(rb) + size(rc));
    CHECK(f.sip[0].tail == 0);
    CHECK(f.sip[0].start_frame == first);
    // Two messages in one record: each spans the record.
    const std::string both = m2 + m2;
    const std::string rboth = tls_record(both.size());
    phone(rboth, {both});
    REQUIRE(f.sip.size() == 2);
    CHECK(f.sip[0].length == size(rboth));
    CHECK(f.sip[1].length == size(rboth));
    CHECK(f.sip[1].tail == 0);
    // The end of one message and the start of the next in one record: the next begins there.
    const std::string x = m.substr(0, 500), y = m.substr(500) + m2.substr(0, 50), z = m2.substr(50);
    const std::string rx = tls_record(x.size()), ry = tls_record(y.size()), rz = tls_record(z.size());
    phone(rx, {x});
    phone(ry, {y});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].length == size(rx) + size(ry));
    CHECK(f.tcp.begins_message);
    const std::uint32_t second = f.number;
    phone(rz, {z});
    REQUIRE(f.sip.size() == 1);
    CHECK(f.sip[0].cseq == 2);
    CHECK(f.sip[0].length == size(ry) + size(rz));
    CHECK(f.sip[0].start_frame == second);
}

TEST_CASE("decoder: over TLS bytes cut by the snap length, and memory of a direction that never ends a record") {
    Run r;
    const std::string m1 = sip_register(1, std::string(1200, 'v')), m2 = sip_register(2);
    const std::string r1 = tls_record(m1.size()), r2 = tls_record(m2.size());
    std::uint32_t seq = 1000;
    const auto phone = [&](const std::string& bytes, const std::vector<std::string_view>& plain,
                           std::size_t cut = 0) -> Frame& {
        std::vector<std::uint8_t> b = frame(kPhone, 50000, kServer, 5061, seq, 1, kAck | kPsh, bytes);
        b.resize(b.size() - cut);
        Frame& f = r.tls(b, kSecond, plain, !plain.empty());
        seq += static_cast<std::uint32_t>(bytes.size());
        return f;
    };
    // The header of the next record is beyond the snap length.
    phone(r1.substr(0, 1000), {}, 400);
    Frame& f = phone(r1.substr(1000) + r2, {m1, m2});
    REQUIRE(f.sip.size() == 2);
    CHECK(f.sip[0].length == 0);
    CHECK(f.sip[1].length == 0);
    phone(r2, {m2});
    CHECK(f.sip[0].length == r2.size());
    // Bytes that are no records, for long: the state stays small.
    const std::size_t before = r.decoder.state_bytes();
    for (int i = 0; i < 2000; ++i) phone(std::string(1400, static_cast<char>(i & 0xff)), {});
    CHECK(r.decoder.state_bytes() <= before + 64);
    // A SIP message never ending, its records followed: held no more than any other.
    phone(tls_record(20), {"REGISTER sip:x SIP/2.0\r\n"});
    const std::string filler = "X-Filler: " + std::string(1000, 'a') + "\r\n";
    const std::string rf = tls_record(filler.size());
    for (int i = 0; i < 200; ++i) phone(rf, {filler});
    CHECK(r.decoder.state_bytes() < 3 * Decoder::kMaxPending + Decoder::kSightingsBytes);
}

TEST_CASE("decoder: memory stays bounded by a message that never ends and by a flood of connections") {
    Run r;
    r.phone(1000, 1, kAck | kPsh, "REGISTER sip:x SIP/2.0\r\n", kSecond, true);
    std::uint32_t seq = 1000 + 24;
    const std::string line = "X-Filler: " + std::string(1000, 'a') + "\r\n";
    for (int i = 0; i < 200; ++i, seq += static_cast<std::uint32_t>(line.size())) r.phone(seq, 1, kAck, line, kSecond + i);
    CHECK(r.decoder.state_bytes() < 3 * Decoder::kMaxPending + Decoder::kSightingsBytes);
    const std::uint32_t flood = Decoder::kMaxStreams + 100;
    auto syn = [&](std::uint32_t i, Nanos t) -> Frame& {
        return r.feed(frame(kPhone + i, 1024, kServer, 5060, i, 0, kSyn, ""), t);
    };
    const std::uint32_t first = syn(0, 2 * kSecond).tcp.stream;
    for (std::uint32_t i = 1; i < flood; ++i) syn(i, 2 * kSecond);
    const std::uint32_t latest = r.out.tcp.stream;
    CHECK(latest == first + flood - 1);
    CHECK(r.decoder.state_bytes() < Decoder::kMaxStreams * 512);
    // At the bound the least recently active connections are forgotten, not the new ones: two
    // connections after the flood are two streams, and the latest of the flood keeps its own.
    const std::uint32_t a = syn(flood, 3 * kSecond).tcp.stream;
    const std::uint32_t b = syn(flood + 1, 3 * kSecond).tcp.stream;
    CHECK(a == latest + 1);
    CHECK(b == latest + 2);
    Frame& again = syn(flood - 1, 4 * kSecond);
    CHECK(again.tcp.stream == latest);
    CHECK(again.tcp.retransmission);
    // The oldest was forgotten: seen again, it is a new stream.
    CHECK(syn(0, 5 * kSecond).tcp.stream == latest + 3);
}

TEST_CASE("decoder: a flood of connections without signalling leaves a phone's connection its stream") {
    // A phone's SIP connection, then a SYN flood of more connections than are kept (spoofed
    // sources), then the phone's next segment: the same stream, its sequence still followed.
    Run r;
    const std::string reg = sip_register(1);
    const std::uint32_t stream = r.phone(1000, 1, kAck | kPsh, reg, kSecond, true).tcp.stream;
    for (std::uint32_t i = 1; i <= Decoder::kMaxStreams + 100; ++i)
        r.feed(frame(kPhone + i, 1024, kServer, 5060, i, 0, kSyn, ""), 2 * kSecond);
    const Frame& next = r.phone(1000 + static_cast<std::uint32_t>(reg.size()), 1, kAck | kPsh, sip_register(2),
                                3 * kSecond, true);
    CHECK(next.tcp.stream == stream);
    CHECK_FALSE(next.tcp.retransmission);
    // Sent again, it is a retransmission of that stream, not a new one's first segment.
    const Frame& again = r.phone(1000, 1, kAck | kPsh, reg, 4 * kSecond, true);
    CHECK(again.tcp.stream == stream);
    CHECK(again.tcp.retransmission);
}

TEST_CASE("decoder: a connection whose directions each show at an interface of their own is split") {
    // A tap's two ports as two interfaces: the phone's direction at 0 (the home), the server's at 1.
    Run r;
    auto at = [&](std::uint32_t iface, bool from_phone, std::uint32_t seq, std::uint32_t ack, std::uint16_t flags,
                  Nanos t) -> const Frame& {
        RawFrame raw = r.next(from_phone ? frame(kPhone, 50000, kServer, 5060, seq, ack, flags, "")
                                         : frame(kServer, 5060, kPhone, 50000, seq, ack, flags, ""),
                              t);
        raw.interface_id = iface;
        r.decoder.decode(raw, r.out);
        return r.out;
    };
    CHECK_FALSE(at(0, true, 100, 0, kSyn, 0).tcp.split);  // one direction seen: nothing to tell yet
    CHECK(at(1, false, 900, 101, kSyn | kAck, kMillisecond).tcp.split);
    CHECK(at(0, true, 101, 901, kAck, 2 * kMillisecond).tcp.split);
    // The server's direction at the home too: two capture points, each seeing both.
    CHECK_FALSE(at(0, false, 901, 101, kAck, 3 * kMillisecond).tcp.split);
    CHECK_FALSE(at(1, false, 901, 101, kAck, 4 * kMillisecond).tcp.split);
    // Both directions at one interface: not split.
    Run one;
    RawFrame a = one.next(frame(kPhone, 50000, kServer, 5060, 100, 0, kSyn, ""), 0);
    one.decoder.decode(a, one.out);
    RawFrame b = one.next(frame(kServer, 5060, kPhone, 50000, 900, 101, kSyn | kAck, ""), kMillisecond);
    one.decoder.decode(b, one.out);
    CHECK_FALSE(one.out.tcp.split);
}

TEST_CASE("decoder: a connection between the hosts of a split one is kept at its home, whichever side spoke first") {
    // A capture begun mid-connection: the server's segment first, at interface 1 (the home), the
    // phone's at 0. The phone's next connection starts at 0, but its state belongs where the first
    // connection's is: same home, split from its first segment.
    Run r;
    auto at = [&](std::uint32_t iface, std::uint32_t src, std::uint16_t sport, std::uint32_t dst,
                  std::uint16_t dport, std::uint16_t flags, Nanos t) -> const Frame& {
        RawFrame raw = r.next(frame(src, sport, dst, dport, 100, 900, flags, ""), t);
        raw.interface_id = iface;
        r.decoder.decode(raw, r.out);
        return r.out;
    };
    CHECK(at(1, kServer, 5060, kPhone, 50000, kAck, 0).tcp.home == 1);
    const Frame& old_phone = at(0, kPhone, 50000, kServer, 5060, kAck, kMillisecond);
    CHECK(old_phone.tcp.home == 1);
    CHECK(old_phone.tcp.split);
    const Frame& syn = at(0, kPhone, 50001, kServer, 5060, kSyn, kSecond);
    CHECK(syn.tcp.home == 1);
    CHECK(syn.tcp.split);
    CHECK(at(1, kServer, 5060, kPhone, 50001, kSyn | kAck, kSecond + kMillisecond).tcp.split);
    // Other hosts, or another interface: the first segment's interface, as before.
    const Frame& other = at(0, kPhone + 1, 50000, kServer, 5060, kSyn, 2 * kSecond);
    CHECK(other.tcp.home == 0);
    CHECK_FALSE(other.tcp.split);
    const Frame& third = at(2, kPhone, 50002, kServer, 5060, kSyn, 3 * kSecond);
    CHECK(third.tcp.home == 2);
    CHECK_FALSE(third.tcp.split);
}

TEST_CASE("decoder: an ACK over a hole the capture lacks, after a later segment was captured, acks unseen bytes") {
    // The registrar's 200 OK [901, 1301) is missed by the capture; its next segment (a NOTIFY,
    // [1301, 1501)) is captured; the phone's delayed ACK covers both. Wireshark 4.0.17 flags the
    // phone's ACK tcp.analysis.ack_lost_segment ("ACKed unseen segment").
    Run r;
    r.phone(100, 0, kSyn, "", kSecond);
    r.server(900, 101, kSyn | kAck, "", kSecond + 10 * kMillisecond);
    r.phone(101, 901, kAck, "", kSecond + 20 * kMillisecond);
    r.phone(101, 901, kAck | kPsh, std::string(300, 'R'), 2 * kSecond);
    r.server(1301, 401, kAck | kPsh, std::string(200, 'N'), 2 * kSecond + 50 * kMillisecond);
    const Frame& ack = r.phone(401, 1501, kAck, "", 2 * kSecond + 100 * kMillisecond);
    CHECK(ack.tcp.acks_unseen);
    // That hole is told once: the server's next segment, captured, and its ACK are nothing missing.
    r.server(1501, 401, kAck | kPsh, std::string(100, 'M'), 3 * kSecond);
    CHECK_FALSE(r.phone(401, 1601, kAck, "", 3 * kSecond + 50 * kMillisecond).tcp.acks_unseen);
}

TEST_CASE("decoder: duplicate ACKs around the receiver's own data still ask for a fast retransmission") {
    // iRTT 50 ms. The phone's first of four segments is lost; the server sends a duplicate ACK,
    // then data of its own (same ACK), then another duplicate ACK; the phone resends at once.
    // Wireshark 4.0.17 resets its duplicate-ACK count only when the ACK number changes: frame 11
    // is tcp.analysis.fast_retransmission (and retransmission).
    Run r;
    r.phone(100, 0, kSyn, "", kSecond);
    r.server(900, 101, kSyn | kAck, "", kSecond + 10 * kMillisecond);
    r.phone(101, 901, kAck, "", kSecond + 50 * kMillisecond);
    const Nanos t = 2 * kSecond;
    for (std::uint32_t i = 0; i < 4; ++i) {
        std::vector<std::uint8_t> b = frame(kPhone, 50000, kServer, 5060, 101 + 100 * i, 901, kAck | kPsh,
                                            std::string(100, static_cast<char>('a' + i)));
        b[19] = static_cast<std::uint8_t>(1 + i);  // IPv4 identifications in turn
        r.feed(b, t + i * kMillisecond);
    }
    r.server(901, 101, kAck, "", t + 4 * kMillisecond);                         // dup ACK 1
    r.server(901, 101, kAck | kPsh, std::string(50, 'X'), t + 5 * kMillisecond); // data, same ACK
    r.server(951, 101, kAck, "", t + 6 * kMillisecond);                         // dup ACK 2
    std::vector<std::uint8_t> resend = frame(kPhone, 50000, kServer, 5060, 101, 951, kAck | kPsh, std::string(100, 'a'));
    resend[19] = 5;
    const Frame& f = r.feed(resend, t + 8 * kMillisecond);
    CHECK_FALSE(f.tcp.copy);
    CHECK(f.tcp.retransmission);
}

namespace {
struct EngineRun {
    Engine engine;
    std::uint32_t number = 0;
    std::vector<std::uint8_t> bytes;
    explicit EngineRun(const Config& c = Config{}) : engine(c) {}
    // With `tls`, a segment Wireshark dissected as TLS, and the plaintext of the records it decrypted there.
    void feed(const std::vector<std::uint8_t>& b, Nanos t, bool saw_sip,
              const std::vector<std::string_view>* tls = nullptr) {
        bytes = b;
        RawFrame raw = ethernet(++number, bytes, t);
        raw.saw_sip = saw_sip;
        if (tls) {
            raw.saw_tls = true;
            raw.tls_data = tls->data();
            raw.tls_data_count = tls->size();
        }
        engine.process(raw);
    }
    int breaches() const {
        int n = 0;
        for (std::uint32_t i = 1; i <= number; ++i)
            for (std::size_t k = 0; k < engine.count(i); ++k) n += engine.get(i, k).raised(Expert::GraceBreach);
        return n;
    }
};
std::string ok_200(int cseq) {
    return "SIP/2.0 200 OK\r\n"
           "Via: SIP/2.0/TCP 10.0.0.100:50000;branch=z9hG4bK" + std::to_string(cseq) + "\r\n"
           "From: <sip:1000@10.0.0.1>;tag=a\r\n"
           "To: <sip:1000@10.0.0.1>;tag=b\r\n"
           "Call-ID: abc@10.0.0.100\r\n"
           "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
           "Contact: <sip:1000@10.0.0.100:50000;transport=tcp>;expires=120\r\n"
           "Content-Length: 0\r\n\r\n";
}
const std::string kNotify = "NOTIFY sip:1000@10.0.0.100:50000 SIP/2.0\r\n"
                            "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKn1\r\n"
                            "From: <sip:1000@10.0.0.1>;tag=n\r\n"
                            "To: <sip:1000@10.0.0.1>\r\n"
                            "Call-ID: n@10.0.0.1\r\n"
                            "CSeq: 1 NOTIFY\r\n"
                            "Content-Length: 0\r\n\r\n";
}  // namespace

TEST_CASE("a TCP refresh whose 2xx the capture lacks, the registrar's next message captured, is no breach") {
    for (const bool notify : {false, true}) {
        CAPTURE(notify);
        EngineRun r;
        const Nanos t0 = 1'700'000'000 * kSecond;
        auto ph = [&](std::uint32_t seq, std::uint32_t ack, std::uint16_t fl, const std::string& d, Nanos t, bool sip) {
            r.feed(frame(kPhone, 50000, kServer, 5060, seq, ack, fl, d), t, sip);
        };
        auto sv = [&](std::uint32_t seq, std::uint32_t ack, std::uint16_t fl, const std::string& d, Nanos t, bool sip) {
            r.feed(frame(kServer, 5060, kPhone, 50000, seq, ack, fl, d), t, sip);
        };
        ph(100, 0, kSyn, "", t0, false);
        sv(900, 101, kSyn | kAck, "", t0 + 10 * kMillisecond, false);
        ph(101, 901, kAck, "", t0 + 20 * kMillisecond, false);
        const std::string reg1 = sip_register(1), ok1 = ok_200(1), reg2 = sip_register(2), ok2 = ok_200(2);
        std::uint32_t pseq = 101, sseq = 901;
        ph(pseq, sseq, kAck | kPsh, reg1, t0 + kSecond, true);
        pseq += static_cast<std::uint32_t>(reg1.size());
        sv(sseq, pseq, kAck | kPsh, ok1, t0 + kSecond + 10 * kMillisecond, true);
        sseq += static_cast<std::uint32_t>(ok1.size());
        ph(pseq, sseq, kAck, "", t0 + kSecond + 50 * kMillisecond, false);
        // The refresh, on time; its 200 OK is sent and received but the capture misses it.
        const Nanos t1 = t0 + kSecond + 115 * kSecond;
        ph(pseq, sseq, kAck | kPsh, reg2, t1, true);
        pseq += static_cast<std::uint32_t>(reg2.size());
        sseq += static_cast<std::uint32_t>(ok2.size());  // the 200 OK's bytes, not captured
        if (notify) {  // the registrar's next message right after it, captured
            sv(sseq, pseq, kAck | kPsh, kNotify, t1 + 12 * kMillisecond, true);
            sseq += static_cast<std::uint32_t>(kNotify.size());
        }
        ph(pseq, sseq, kAck, "", t1 + 100 * kMillisecond, false);  // the phone ACKs all of it
        // The phone's CRLF keep-alive pings on the connection afterwards, for two minutes.
        for (int i = 1; i <= 4; ++i) {
            ph(pseq, sseq, kAck | kPsh, "\r\n\r\n", t1 + i * 30 * kSecond, false);
            pseq += 4;
            sv(sseq, pseq, kAck | kPsh, "\r\n", t1 + i * 30 * kSecond + 5 * kMillisecond, false);
            sseq += 2;
        }
        for (std::uint32_t i = 1; i <= r.number; ++i)
            for (std::size_t k = 0; k < r.engine.count(i); ++k)
                if (r.engine.get(i, k).raised(Expert::GraceBreach)) UNSCOPED_INFO("GraceBreach on frame " << i);
        CHECK(r.breaches() == 0);
    }
}

TEST_CASE("TLS: a REGISTER whose record spans two segments is followed from the first: its resend, idle time, delivery") {
    // Its first segment lost and resent; with `both`, the second too, 11 ms after the first's resend.
    for (const bool both : {true, false}) {
        CAPTURE(both);
        Config config;
        config.loss_pattern_min = 1;  // every lost first transmission is a loss pattern, with its idle time
        EngineRun r(config);
        const Nanos t0 = 1'700'000'000 * kSecond;
        const auto ph = [&](std::uint32_t seq, std::uint32_t ack, std::uint16_t fl, const std::string& d, Nanos t,
                            const std::vector<std::string_view>* tls = nullptr) {
            r.feed(frame(kPhone, 50000, kServer, 5061, seq, ack, fl, d), t, tls && !tls->empty(), tls);
        };
        const auto sv = [&](std::uint32_t seq, std::uint32_t ack, std::uint16_t fl, const std::string& d, Nanos t,
                            const std::vector<std::string_view>* tls = nullptr) {
            r.feed(frame(kServer, 5061, kPhone, 50000, seq, ack, fl, d), t, tls && !tls->empty(), tls);
        };
        const std::vector<std::string_view> none;
        ph(100, 0, kSyn, "", t0);
        sv(900, 101, kSyn | kAck, "", t0 + 10 * kMillisecond);
        ph(101, 901, kAck, "", t0 + 20 * kMillisecond);
        // The registration, each message in a record of its own segment; the phone ACKs the 200 OK.
        const std::string reg1 = sip_register(1), ok1 = ok_200(1), reg2 = sip_register(2, std::string(1200, 'v'));
        const std::string rec1 = tls_record(reg1.size()), rec_ok = tls_record(ok1.size()), rec2 = tls_record(reg2.size());
        const std::vector<std::string_view> plain1 = {reg1}, plain_ok = {ok1}, plain2 = {reg2};
        std::uint32_t pseq = 101, sseq = 901;
        ph(pseq, sseq, kAck | kPsh, rec1, t0 + kSecond, &plain1);
        pseq += static_cast<std::uint32_t>(rec1.size());
        sv(sseq, pseq, kAck | kPsh, rec_ok, t0 + kSecond + 10 * kMillisecond, &plain_ok);
        sseq += static_cast<std::uint32_t>(rec_ok.size());
        const Nanos acked = t0 + kSecond + 50 * kMillisecond;
        ph(pseq, sseq, kAck, "", acked);
        // The refresh 115 s later: its record in two segments 50 us apart, Wireshark decrypting it
        // in the second. Resent (Wireshark does not dissect a resend), then ACKed by the registrar.
        const Nanos t1 = acked + 115 * kSecond;
        const std::uint32_t head = 700;
        ph(pseq, sseq, kAck | kPsh, rec2.substr(0, head), t1, &none);
        const std::uint32_t first = r.number;
        ph(pseq + head, sseq, kAck | kPsh, rec2.substr(head), t1 + 50 * kMicrosecond, &plain2);
        ph(pseq, sseq, kAck | kPsh, rec2.substr(0, head), t1 + 420 * kMillisecond);
        const std::uint32_t resend = r.number;
        if (both) ph(pseq + head, sseq, kAck | kPsh, rec2.substr(head), t1 + 431 * kMillisecond);
        sv(sseq, pseq + static_cast<std::uint32_t>(rec2.size()), kAck, "", t1 + 440 * kMillisecond);
        const std::uint32_t ack = r.number;

        // One loss pattern, on the first segment's resend, after the phone's silence before that segment.
        int patterns = 0;
        for (std::uint32_t i = 1; i <= r.number; ++i)
            for (std::size_t k = 0; k < r.engine.count(i); ++k) {
                const Annotation a = r.engine.get(i, k);
                if (!a.raised(Expert::LossPattern)) continue;
                ++patterns;
                CHECK(i == resend);
                CHECK(a.get(Field::IdleInterval) == 115 * kSecond);  // not the 50 us before its second segment
            }
        CHECK(patterns == 1);
        REQUIRE(r.engine.count(resend) == 1);
        CHECK(r.engine.get(resend, 0).get(Field::RetransOriginal) == first);
        REQUIRE(r.engine.count(ack) == 1);
        const Annotation d = r.engine.get(ack, 0);
        CHECK(d.has(Field::RefreshMargin));  // the REGISTER received
        CHECK_FALSE(d.has(Field::DeliveryHeldBy));  // the resend is its own, not one it waited behind
    }
}

TEST_CASE("decoder: over TLS a segment that ends inside a record is not opaque: Wireshark decrypts the record later") {
    // A call manager's message in a record over two segments: the first is no sign of a record the
    // capture lost (which would take it for a keepalive's unread answer), the second decrypts.
    Run r;
    const std::string keepalive_ack("\x04\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00", 12);
    std::string prompt("\x90\x00\x00\x00\x00\x00\x00\x00\x12\x01\x00\x00", 12);
    prompt += std::string(1500, 'p');
    const std::string rec_ack = tls_record(keepalive_ack.size()), rec = tls_record(prompt.size());
    const auto manager = [&](std::uint32_t seq, const std::string& bytes, const std::vector<std::string_view>& plain) -> Frame& {
        return r.tls(frame(kServer, 2443, kPhone, 50000, seq, 1, kAck | kPsh, bytes), kSecond, plain, false, true);
    };
    CHECK(manager(1000, rec_ack, {keepalive_ack}).skinny.size() == 1);
    const std::uint32_t at = 1000 + static_cast<std::uint32_t>(rec_ack.size());
    CHECK_FALSE(manager(at, rec.substr(0, 1000), {}).tcp.opaque);
    CHECK(manager(at + 1000, rec.substr(1000), {prompt}).skinny.size() == 1);
    // A record that ended here, of which Wireshark decrypted nothing: opaque, as before.
    CHECK(manager(at + static_cast<std::uint32_t>(rec.size()), rec_ack, {}).tcp.opaque);
}
