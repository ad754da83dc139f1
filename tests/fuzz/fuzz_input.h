// Decodes fuzzer bytes into what the Wireshark glue would hand the engine: a Config within the
// preference ranges and a sequence of ka::Frame objects. Strings are views into the input itself,
// as in the plugin they are views into Wireshark's memory. The format is read front to back and
// every read past the end yields zeros, so every byte string is a valid input and corpus seeds
// can be written by tests/fuzz/seed_corpus.py from real captures.
//
//   config   u8 refresh_delta s, u8 grace s, u16 late_tolerance ms, u8 sccp_interval s,
//            u8 sccp_backup_interval s, u8 sccp_missed_threshold, u8 loss_pattern_min
//   frame*   u8 flags (FrameFlag), i32 time step (us, or s with HugeStep; may go backwards), u8 interface,
//            u8 src host, u8 dst host, u16 src port, u16 dst port,
//            [tcp: u8 stream, u32 seq, u32 (unused, kept for the corpus), u16 len, u32 ack, u8 flags],
//            u8 counts (sip:2 bits, skinny:2, arp:2, syslog:2), then the messages:
//   sip      u8 flags (SipFlag), str method, u16 status, str call_id, u32 cseq, str cseq_method,
//            u32 expires, str to, str (unused, kept for the corpus), u16 length, u16 tail, u8 contacts (<= 3) and per
//            contact: str uri, u8 params (<= 7), str param*
//   skinny   u32 id, str device, u8 flags (bit0 interval, bit1 secondary), u32 interval, u32 secondary
//   arp      u8 opcode, u8 sender host, u8 target host, u8 gratuitous, u8 sender mac (0 = host's)
//   syslog   str16
//   str = u8 length + bytes, str16 = u16 length + bytes (little-endian; truncated at the end).
// Hosts index a small pool of addresses (IPv4 10.0.0.h, or IPv6 2001:db8::h with FrameFlag::Ipv6)
// so that frames of one input meet the same endpoints; host h's MAC is 02:00:00:00:00:h.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.h"
#include "core/events.h"

namespace kafuzz {

enum FrameFlag : std::uint8_t {
    Tcp = 0x01, Udp = 0x02, Eth = 0x04, Ipv6 = 0x08, Tls = 0x10, Retrans = 0x20, NoIp = 0x40, HugeStep = 0x80
};
enum SipFlag : std::uint8_t { Request = 0x01, HasExpires = 0x02 };  // 0x04 (a SIP resend) is no longer read

constexpr ka::Nanos kStart = 1683669600LL * ka::kSecond;  // 2023-05-09 22:00:00 UTC

class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
    bool done() const { return p_ >= end_; }

    std::uint8_t u8() { return p_ < end_ ? *p_++ : 0; }
    std::uint16_t u16() {
        std::uint16_t lo = u8();
        return static_cast<std::uint16_t>(lo | u8() << 8);
    }
    std::uint32_t u32() {
        std::uint32_t lo = u16();
        return lo | std::uint32_t(u16()) << 16;
    }
    std::string_view str(std::size_t n) {
        std::size_t avail = static_cast<std::size_t>(end_ - p_);
        if (n > avail) n = avail;
        std::string_view s(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return s;
    }
    std::string_view str8() { return str(u8()); }
    std::string_view str16() { return str(u16()); }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

inline ka::Config read_config(Reader& r) {
    // Preferences are unsigned in Wireshark: zero is reachable, negative is not.
    ka::Config c;
    c.refresh_delta = ka::seconds(r.u8());
    c.grace_window = ka::seconds(r.u8());
    c.late_tolerance = ka::millis(r.u16());
    c.sccp_interval = r.u8();
    c.sccp_backup_interval = r.u8();
    c.sccp_missed_threshold = r.u8();
    c.loss_pattern_min = r.u8();
    return c;
}

inline ka::IpAddr host_ip(std::uint8_t h, bool v6) {
    if (!v6) return ka::IpAddr::v4(0x0a000000u | h);
    std::uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
    b[15] = h;
    return ka::IpAddr::v6(b);
}

inline ka::Mac host_mac(std::uint8_t h) { return 0x020000000000ull | h; }

// Reads the next frame into `f` (cleared first); `time` carries the clock between frames.
inline void read_frame(Reader& r, std::uint32_t number, ka::Nanos& time, ka::Frame& f) {
    f.clear();
    f.number = number;
    std::uint8_t flags = r.u8();
    auto step = static_cast<std::int32_t>(r.u32());
    // HugeStep (seconds instead of microseconds) reaches the ends of the time line: before 1970 and
    // the saturated far future.
    time = ka::add_sat(time, ka::Nanos{step} * ((flags & HugeStep) ? ka::kSecond : ka::kMicrosecond));
    f.time = time;
    f.interface_id = r.u8();
    std::uint8_t src = r.u8(), dst = r.u8();
    bool v6 = (flags & Ipv6) != 0;
    if (!(flags & NoIp)) {
        f.src_ip = host_ip(src, v6);
        f.dst_ip = host_ip(dst, v6);
    }
    if (flags & Eth) {
        f.has_eth = true;
        f.eth_src = host_mac(src);
        f.eth_dst = host_mac(dst);
    }
    f.src_port = r.u16();
    f.dst_port = r.u16();
    if (flags & Tcp) {
        f.transport = (flags & Tls) ? ka::Transport::Tls : ka::Transport::Tcp;
        f.tcp.present = true;
        f.tcp.stream = r.u8();
        f.tcp.seq = r.u32();
        r.u32();
        f.tcp.len = r.u16();
        f.tcp.ack = r.u32();
        f.tcp.flags = r.u8();
        f.tcp.retransmission = (flags & Retrans) != 0;
        f.tcp.resent = f.tcp.retransmission ? f.tcp.len : 0;
    } else if (flags & Udp) {
        f.transport = ka::Transport::Udp;
    } else {
        f.src_port = f.dst_port = 0;
    }

    std::uint8_t counts = r.u8();
    unsigned nsip = counts & 3, nskinny = counts >> 2 & 3, narp = counts >> 4 & 3, nsyslog = counts >> 6 & 3;
    f.sip.resize(nsip);
    for (ka::SipMessage& m : f.sip) {
        std::uint8_t sf = r.u8();
        m.is_request = (sf & Request) != 0;
        m.method = r.str8();
        m.status = r.u16();
        m.call_id = r.str8();
        m.cseq = r.u32();
        m.cseq_method = r.str8();
        m.has_expires = (sf & HasExpires) != 0;
        m.expires = r.u32();
        m.to_addr = r.str8();
        r.str8();  // a Via branch, no longer read
        m.length = r.u16();
        m.tail = r.u16();
        m.first_contact = static_cast<std::uint32_t>(f.contacts.size());
        m.contact_count = r.u8() & 3;
        for (std::uint32_t c = 0; c < m.contact_count; ++c) {
            ka::SipContact contact;
            contact.uri = r.str8();
            contact.first_param = static_cast<std::uint32_t>(f.contact_params.size());
            contact.param_count = r.u8() & 7;
            for (std::uint32_t p = 0; p < contact.param_count; ++p) f.contact_params.push_back(r.str8());
            f.contacts.push_back(contact);
        }
    }
    f.skinny.resize(nskinny);
    for (ka::SkinnyMessage& m : f.skinny) {
        m.id = r.u32();
        m.device_name = r.str8();
        std::uint8_t sf = r.u8();
        m.has_keepalive_interval = (sf & 1) != 0;
        m.keepalive_interval = r.u32();
        m.has_secondary_interval = (sf & 2) != 0;
        m.secondary_interval = r.u32();
    }
    f.arp.resize(narp);
    for (ka::ArpPacket& a : f.arp) {
        a.opcode = r.u8();
        std::uint8_t s = r.u8(), t = r.u8();
        a.gratuitous = r.u8() != 0;
        std::uint8_t mac = r.u8();
        a.sender_ip = host_ip(s, false).v4_host_order();
        a.target_ip = host_ip(t, false).v4_host_order();
        a.sender_mac = host_mac(mac ? mac : s);
        a.target_mac = a.opcode == 2 ? host_mac(t) : 0;
    }
    for (unsigned i = 0; i < nsyslog; ++i) f.syslog.push_back(r.str16());
}

}  // namespace kafuzz
