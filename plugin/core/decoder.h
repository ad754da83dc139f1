// From raw frames to the facts the analysers use (ka::Frame): the frame's own bytes decoded by
// core/wire, TCP streams numbered and their retransmissions detected the way Wireshark's TCP
// analysis does, SIP and SKINNY messages cut out of TCP (and decrypted TLS) byte streams.
// Wireshark only says which protocols it recognised and hands over decrypted TLS data: reading its
// fields would force it to build a protocol tree for every frame, which doubles tshark's time.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "events.h"
#include "wire.h"

namespace ka {

struct RawFrame {
    std::uint32_t number = 0;
    Nanos time = 0;
    std::uint32_t interface_id = 0;
    // False when the capture format records no interfaces (classic pcap): one capture point.
    bool interface_known = true;
    wire::Link link = wire::Link::Unknown;
    const std::uint8_t* data = nullptr;
    std::size_t captured = 0;

    // Protocols Wireshark's dissectors recognised in this frame (its port tables, heuristics and
    // Decode As decide what SIP and SKINNY are; the decoder follows them).
    bool saw_sip = false;
    bool saw_skinny = false;
    bool saw_syslog = false;
    bool saw_tls = false;
    bool saw_vxlan = false;  // on its own port (4789) VXLAN is followed without it
    // An MPLS pseudowire's Ethernet, with or without a control word (Wireshark's pw-eth heuristic).
    bool saw_pw_eth_cw = false;
    bool saw_pw_eth_nocw = false;

    // The plaintext of each TLS record Wireshark decrypted in this frame (those that end in its
    // segment; none that is empty), in order.
    const std::string_view* tls_data = nullptr;
    std::size_t tls_data_count = 0;
    // The transport header and payload of an IP datagram this frame's fragment completed.
    std::string_view reassembled_ip;
    // A protected 802.11 frame's body as Wireshark decrypted it (WEP, TKIP, CCMP, GCMP).
    std::string_view wlan_body;
};

class Decoder {
public:
    Decoder();
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    // Fills `out` (cleared first). Frames must come in capture order, each once. String views in
    // `out` point into `raw`'s memory or the decoder's buffers: valid until the next call.
    void decode(const RawFrame& raw, Frame& out);
    // The same in two steps, so that the caller can look up state by address while the payload
    // is parsed: headers (addresses, ports, TCP stream and sequence analysis), then the payload's
    // messages.
    void decode_headers(const RawFrame& raw, Frame& out);
    void decode_payload(const RawFrame& raw, Frame& out);

    std::size_t state_bytes() const;

    // Bounds: TCP connections followed at once, and bytes kept per direction for a message that
    // has not ended yet (SIP headers are far smaller; beyond that the stream is not SIP).
    static constexpr std::size_t kMaxStreams = 1u << 16;
    static constexpr std::size_t kMaxPending = 64u * 1024u;
    // Recent segments sent without an IP identification, remembered to tell their copies: the
    // table's bytes, made on the first such segment.
    static constexpr std::size_t kSightings = 1024, kSightingsBytes = kSightings * 24;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ka
