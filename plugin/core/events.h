// What the engine is told about one frame: the facts other dissectors decoded.
// String views point into memory owned by the caller and are valid for one process() call only;
// the engine copies what it keeps. A Frame is meant to be reused (clear()) so that steady-state
// operation allocates nothing per frame.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "time.h"

namespace ka {

// 48-bit MAC in the low bits, first octet most significant (00:50:56:90:10:cf == 0x005056'9010cf).
using Mac = std::uint64_t;
std::string format_mac(Mac mac);

struct IpAddr {
    std::uint8_t family = 0;  // 0 = none, 4, 6
    std::uint8_t bytes[16] = {};

    static IpAddr v4(std::uint32_t host_order);
    static IpAddr v6(const std::uint8_t b[16]);
    bool valid() const { return family != 0; }
    std::uint32_t v4_host_order() const;
    std::string to_string() const;
    bool operator==(const IpAddr& o) const;
    bool operator!=(const IpAddr& o) const { return !(*this == o); }
};

struct IpAddrHash {
    std::size_t operator()(const IpAddr& a) const;
};

enum class Transport : std::uint8_t { None, Udp, Tcp, Tls };
const char* transport_name(Transport t);

// A packet that repeats the previous sighting of its bytes less than this after it is that packet
// captured again, not sent again: a SPAN session mirrors it on the way in and on the way out, or
// on both VLANs of a router it crosses (router-on-a-stick, a layer-3 switch's VLAN interfaces),
// microseconds apart. Nothing resends that fast: a Cisco phone's SIP T1 is at least 100 ms (500 ms
// by default), and TCP repeats a lone segment no sooner than its minimum RTO or, as a tail-loss
// probe, the peer's delayed-ACK time (200 ms). What may (a fast retransmission, a burst's tail-loss
// probe) the Decoder tells apart by its duplicate ACKs and its new IP packet.
constexpr Nanos kCaptureCopyWindow = 10 * kMillisecond;
inline bool captured_again(Nanos t, Nanos prev) { return t >= prev && sub_sat(t, prev) < kCaptureCopyWindow; }

// TCP sequence numbers compare modulo 2^32 (RFC 1982 serial arithmetic): a is before b.
inline bool seq_before(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }

// TCP header facts and the retransmission verdict of Wireshark's TCP analysis rules. Sequence
// numbers are the on-the-wire values, the same at every capture point.
struct TcpInfo {
    bool present = false;
    std::uint32_t stream = 0;
    std::uint32_t seq = 0;
    std::uint32_t len = 0;
    std::uint32_t ack = 0;
    std::uint16_t flags = 0;  // header flag bits
    bool retransmission = false;  // tcp.analysis.retransmission, fast_ or spurious_
    // tcp.analysis.spurious_retransmission: the peer had acknowledged all of it already.
    bool spurious = false;
    // A retransmission's leading bytes that were sent before: all of them, unless it carries new
    // data after them (a resend that takes along what waited behind the lost segment).
    std::uint32_t resent = 0;
    bool keep_alive = false;      // tcp.analysis.keep_alive: one old byte to probe the peer, not data
    // Its last bytes begin a message that a later segment ends (that message's SipMessage::start_frame);
    // over TLS, the record holding that message's first byte.
    bool begins_message = false;
    // It newly acknowledges bytes of the other direction the capture lacks (tcp.analysis.ack_lost_segment):
    // sent and received, but dropped by the capture.
    bool acks_unseen = false;
    // TLS data of which Wireshark decrypted nothing: after a record the capture lacks, a direction
    // of the connection can no longer be decrypted.
    bool opaque = false;
    // Capture points merged into one file see each connection at each point. `home`: the
    // interface where its first segment was seen; its analysis is kept there, on that point's
    // clock. `copy`: this interface sees a transmission of a segment another point already saw
    // (set by CapturePoints), or sees it again (captured_again, set by the Decoder): nothing new.
    // A transmission is counted wherever it is seen first.
    std::uint32_t home = 0;
    bool copy = false;
    // So far each direction of the connection was seen at one interface, not the other's: one
    // machine's two NICs, each seeing one direction (a tap's two ports), on one clock.
    bool split = false;
    // Seen at another point than its home before the two points' clock offset was known: its time
    // is on that point's clock (set by the Engine).
    bool unplaced = false;
    static constexpr std::uint16_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
    bool has(std::uint16_t f) const { return (flags & f) != 0; }
};

struct SipContact {
    std::string_view uri;          // sip.contact.uri
    std::uint32_t first_param = 0; // index into Frame::contact_params (header parameters, "expires=120")
    std::uint32_t param_count = 0;
};

struct SipMessage {
    bool is_request = false;
    std::string_view method;       // requests
    std::uint32_t status = 0;      // responses
    std::string_view call_id;
    std::uint32_t cseq = 0;
    std::string_view cseq_method;
    bool has_expires = false;
    std::uint32_t expires = 0;     // Expires header
    std::string_view to_addr;      // AOR
    std::uint32_t first_contact = 0;  // index into Frame::contacts
    std::uint32_t contact_count = 0;
    // Position in the TCP byte stream: the message ends `tail` bytes before the end of the data
    // that completed it, and spans `length` bytes. Over TLS, the bytes of the records that carry
    // it; unknown (0) when the decoder could not follow them.
    std::uint32_t length = 0;
    std::uint32_t tail = 0;
    // The frame that carried the message's first byte when an earlier segment began it; 0: this one.
    std::uint32_t start_frame = 0;
    // Cut short by the capture's snap length: only the start line, and a response's CSeq when its
    // line was captured whole, are set (sip::parse_truncated_message()).
    bool truncated = false;
};

struct SkinnyMessage {
    std::uint32_t id = 0;
    std::string_view device_name;
    bool has_keepalive_interval = false;
    std::uint32_t keepalive_interval = 0;
    bool has_secondary_interval = false;
    std::uint32_t secondary_interval = 0;
    bool has_status = false;  // UnregisterAck: 0 Ok, 1 Error, 2 NAK (refused, e.g. during a call)
    std::uint32_t status = 0;
};

namespace skinny {
constexpr std::uint32_t kKeepAliveReq = 0x0000, kRegisterReq = 0x0001, kUnregisterReq = 0x0027,
                        kRegisterAck = 0x0081, kRegisterReject = 0x009d, kKeepAliveAck = 0x0100,
                        kUnregisterAck = 0x0118;
}

struct ArpPacket {
    std::uint16_t opcode = 0;  // 1 request, 2 reply
    Mac sender_mac = 0;
    std::uint32_t sender_ip = 0;  // host order
    Mac target_mac = 0;
    std::uint32_t target_ip = 0;
    bool gratuitous = false;
};

// An ICMP or ICMPv6 destination unreachable about the UDP datagram it quotes: that datagram's sender
// learns it was not delivered, and does not send it again (RFC 3261 18.4).
struct Unreachable {
    bool present = false;
    IpAddr src, dst;  // of the datagram quoted
    std::uint16_t src_port = 0, dst_port = 0;
};

struct Frame {
    std::uint32_t number = 0;
    Nanos time = 0;
    std::uint32_t interface_id = 0;
    bool interface_known = true;  // RawFrame::interface_known

    bool has_eth = false;  // Ethernet source and destination known
    Mac eth_src = 0;
    Mac eth_dst = 0;
    std::uint32_t vlan = 0;  // 802.1Q/802.1ad VLAN ids of the Ethernet header (wire::Packet::vlan)

    IpAddr src_ip, dst_ip;
    Transport transport = Transport::None;
    std::uint16_t src_port = 0, dst_port = 0;
    TcpInfo tcp;

    std::vector<SipMessage> sip;
    std::vector<SipContact> contacts;
    std::vector<std::string_view> contact_params;
    std::vector<SkinnyMessage> skinny;
    std::vector<ArpPacket> arp;
    std::vector<std::string_view> syslog;
    bool sip_ping = false;  // UDP: a SIP keep-alive ping (sip::keepalive_ping)
    Unreachable unreachable;

    // Keeps vector capacity: no allocation per frame once warm.
    void clear();
    bool has_signalling() const { return !sip.empty() || !skinny.empty(); }
};

}  // namespace ka
