// libFuzzer target for the stateful raw-frame path: a sequence of captured frames, with what
// Wireshark's dissectors would have said about each, through ka::Engine::process(const RawFrame&)
// and so through ka::Decoder (TCP streams, retransmissions, SIP/SKINNY framing, decrypted TLS,
// reassembled IP fragments), then everything the plugin reads back on display. Each record:
//
//   u8   hints: bit0 saw_sip, bit1 saw_skinny, bit2 saw_syslog, bit3 saw_tls,
//        bits 4-6 link (ka::wire::Link value), bit7 a reassembled IP payload follows the TLS chunk
//   i32  time step in microseconds (may go backwards)
//   u8   interface id
//   u16  frame length + the frame's bytes, from its link header on
//   u8   number of decrypted TLS chunks (low 2 bits), then per chunk u16 length + bytes
//        (Wireshark adds one "Decrypted TLS" data source per record: handshake ones too)
//   [u16 reassembled IP payload length + bytes: the transport header and payload]  (hint bit7)
//
// Little-endian; reads past the end yield zeros and lengths are cut to what is left, so every byte
// string is a valid input; tests/fuzz/seed_corpus.py writes seeds from real captures. Every buffer
// gets its own allocation of exactly its length, freed after the frame, so that a read past the
// captured length or a view kept beyond the call is a sanitizer report, not a silent read of the
// next record. The frames also go through a separate Decoder whose output is checked for
// consistency.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/decoder.h"
#include "fuzz_input.h"
#include "read_back.h"

namespace {

constexpr std::uint32_t kMaxFrames = 4096;

// The bytes of `v` in a buffer of their own (null for none, as the glue passes an empty frame).
std::unique_ptr<std::uint8_t[]> own(std::string_view v) {
    if (v.empty()) return nullptr;
    std::unique_ptr<std::uint8_t[]> p(new std::uint8_t[v.size()]);
    std::memcpy(p.get(), v.data(), v.size());
    return p;
}

std::size_t touch(std::string_view v) {
    std::size_t sum = v.size();
    for (char c : v) sum += static_cast<unsigned char>(c);
    return sum;
}

// What the analysers rely on in a decoded frame; reading every view lets ASan check its lifetime.
std::size_t check(const ka::Frame& f) {
    const bool tcp = f.transport == ka::Transport::Tcp || f.transport == ka::Transport::Tls;
    if (f.tcp.present != tcp) std::abort();
    if (f.transport == ka::Transport::None && (f.src_port || f.dst_port || f.has_signalling())) std::abort();
    std::size_t sum = 0;
    for (const ka::SipMessage& m : f.sip) {
        if (std::size_t{m.first_contact} + m.contact_count > f.contacts.size()) std::abort();
        for (std::string_view v : {m.method, m.call_id, m.cseq_method, m.to_addr}) sum += touch(v);
    }
    for (const ka::SipContact& c : f.contacts) {
        if (std::size_t{c.first_param} + c.param_count > f.contact_params.size()) std::abort();
        sum += touch(c.uri);
    }
    for (std::string_view p : f.contact_params) sum += touch(p);
    for (const ka::SkinnyMessage& m : f.skinny) sum += touch(m.device_name);
    for (std::string_view s : f.syslog) sum += touch(s);
    return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kafuzz::Reader r(data, size);
    ka::Engine engine{ka::Config{}};
    ka::Decoder decoder;
    ka::Frame decoded;
    ka::Nanos time = kafuzz::kStart;
    std::uint32_t number = 0;
    volatile std::size_t sink = 0;
    while (!r.done() && number < kMaxFrames) {
        const std::uint8_t hints = r.u8();
        time = ka::add_sat(time, ka::Nanos{static_cast<std::int32_t>(r.u32())} * ka::kMicrosecond);
        const std::uint8_t interface_id = r.u8();
        const std::string_view frame_bytes = r.str16();
        const std::size_t tls_count = r.u8() & 3;
        std::unique_ptr<std::uint8_t[]> tls_buf[3];
        std::string_view tls[3];
        for (std::size_t i = 0; i < tls_count; ++i) {
            const std::string_view b = r.str16();
            tls_buf[i] = own(b);
            tls[i] = std::string_view(reinterpret_cast<const char*>(tls_buf[i].get()), b.size());
        }
        const std::string_view ip_bytes = (hints & 0x80) ? r.str16() : std::string_view{};
        const auto frame_buf = own(frame_bytes), ip_buf = own(ip_bytes);

        ka::RawFrame raw;
        raw.number = ++number;
        raw.time = time;
        raw.interface_id = interface_id;
        raw.link = static_cast<ka::wire::Link>(hints >> 4 & 7);
        raw.data = frame_buf.get();
        raw.captured = frame_bytes.size();
        raw.saw_sip = (hints & 0x01) != 0;
        raw.saw_skinny = (hints & 0x02) != 0;
        raw.saw_syslog = (hints & 0x04) != 0;
        raw.saw_tls = (hints & 0x08) != 0;
        if (tls_count > 0) {
            raw.tls_data = tls;
            raw.tls_data_count = tls_count;
        }
        if (ip_buf) raw.reassembled_ip = std::string_view(reinterpret_cast<const char*>(ip_buf.get()), ip_bytes.size());

        decoder.decode(raw, decoded);
        if (decoded.number != raw.number || decoded.time != raw.time) std::abort();
        sink = sink + check(decoded);
        engine.process(raw);
        sink = sink + kafuzz::read_back(engine, number);
    }
    // A second pass (tshark -2, the GUI) reads the cache again in any order.
    for (std::uint32_t n = number; n > 0; --n) sink = sink + kafuzz::read_back(engine, n);
    sink = sink + engine.state_bytes() + engine.cache_bytes() + decoder.state_bytes();
    return 0;
}
