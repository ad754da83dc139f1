// SKINNY (SCCP) PDUs from TCP payload bytes, as Wireshark 4.0's skinny dissector reads them: the
// message id, the device name, and RegisterAck's keepalive intervals.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "events.h"

namespace ka::skinny {

// Length of the whole SKINNY PDU at the start of `data` (8 + the little-endian length field), or 0
// when `data` holds less than a whole PDU. Implausible headers (length < 4 or > 64 KiB): kBad.
constexpr std::size_t kBad = std::size_t(-1);
constexpr std::size_t kMaxDataLength = 64 * 1024;
std::size_t pdu_length(std::string_view data);

// Whether the header version (bytes 4..7, little-endian) is one Wireshark accepts: it takes a TCP
// segment for SKINNY only when the first PDU's version is 0 (basic) or 0x0a, 0x0b, 0x0f..0x16 and
// its length field is at least 4; later PDUs of the same segment are not checked. Message layouts
// do not depend on the version for the fields read here.
bool known_version(std::uint32_t version);
// The first PDU header at the start of `data` passes Wireshark's check (needs kCheckedBytes).
constexpr std::size_t kCheckedBytes = 8;
bool plausible_start(std::string_view data);

// One whole PDU => message id and, as Wireshark 4.0 decodes them, the device name (RegisterReq
// 0x0001, RegisterTokenReq 0x0029, ConfigStat 0x0093, SPCPRegisterTokenReq 0x8000: 16 bytes at
// offset 12, up to the first NUL) and keepAliveInterval (offset 12) / secondaryKeepAliveInterval
// (offset 24) of RegisterAck. A field is set only when it lies wholly inside the PDU. False when
// the PDU is too short for its header (12 bytes).
bool parse_pdu(std::string_view pdu, SkinnyMessage& out);

// The PDUs of a TCP segment the snap length cut short (`data`: its captured bytes, starting with a
// PDU Wireshark accepts): the whole ones, then what lies within the captured bytes of the last (a
// RegisterReq's device name, a RegisterAck's intervals), appended to `out`.
void parse_truncated(std::string_view data, std::vector<SkinnyMessage>& out);

}  // namespace ka::skinny
