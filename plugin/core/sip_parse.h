// SIP messages decoded from their bytes, giving the engine the values Wireshark 4.0's SIP dissector
// puts in sip.Method, sip.Status-Code, sip.Call-ID, sip.CSeq.*, sip.Expires, sip.to.addr,
// sip.contact.uri and sip.contact.parameter, so that the glue needs no protocol tree.
// The parsing follows packet-sip.c's own rules, quirks included, because the analysis must see what a
// user sees in Wireshark for the same frame.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events.h"

namespace ka::sip {

// A header section that has not ended after this many bytes is not SIP: it bounds what a caller
// buffers while waiting for the rest of a message.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
// Same for a Content-Length: larger bodies are not signalling.
constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;
// Contacts kept per message: a flood of contacts is not a phone's binding.
constexpr std::uint32_t kMaxContacts = 64;

struct Extent {
    enum Kind : std::uint8_t { NotSip, Incomplete, Whole } kind = NotSip;
    std::size_t skip = 0;    // leading CRLF keep-alive bytes (RFC 5626 "\r\n\r\n" pings) before the message
    std::size_t length = 0;  // Whole: the message's length after `skip`: start line + headers + blank line + Content-Length body
};

// Framing of a byte stream (SIP over TCP or TLS): where the first message at the start of `data`
// ends. Incomplete when the headers or the body are not all there yet; `skip` is then still valid,
// and data made only of CR/LF is Incomplete with everything skipped. NotSip when `data` does not
// start (after CRLFs) with a SIP request or status line, when headers exceed kMaxHeaderBytes without
// a blank line, or when Content-Length exceeds kMaxBodyBytes. A missing or non-numeric
// Content-Length on a stream means 0 body bytes (RFC 3261 18.3 requires it there).
Extent message_extent(std::string_view data);

// True when `data` starts with a SIP request line ("REGISTER sip:... SIP/2.0") or status line
// ("SIP/2.0 200 OK"), as Wireshark's SIP dissector decides it (strict version "SIP/2.0").
bool looks_like_sip(std::string_view data);

// True when `data` may be the beginning of a start line not yet ended: an upper-case letter, then
// printable bytes without a line end (a first TCP segment shorter than its start line, which
// Wireshark's SIP dissector waits out).
bool start_line_prefix(std::string_view data);

// True when a UDP datagram is a keep-alive that a SIP endpoint sends on its flow between requests
// (RFC 5626 4.4): a CRLF ping ("\r\n\r\n"; some send one CRLF) or a STUN Binding request or
// indication with the RFC 5389 magic cookie. Wireshark shows the first as data, the second as STUN.
bool keepalive_ping(std::string_view datagram);

// Parses one whole SIP message (start line and headers; the body is ignored) and appends one
// SipMessage to out.sip, its Contacts to out.contacts and their header parameters to
// out.contact_params, as Wireshark 4.0's fields give them (parameters without trailing CR/LF/space).
// SipMessage::length and tail are left for the caller. False, and nothing appended, when
// `msg` is not a SIP message. String views point into `msg`.
bool parse_message(std::string_view msg, Frame& out);

// The same for a message the capture's snap length cut short (fewer bytes captured than were on the
// wire): Wireshark 4.0 then gives the start line's fields only (its header item would reach past the
// captured bytes, which ends the dissection), so only is_request/method or status are set, and
// `truncated`. A response's CSeq number and method too when its line was captured whole: they tell
// what the message was, not what it says.
bool parse_truncated_message(std::string_view captured, Frame& out);

}  // namespace ka::sip
