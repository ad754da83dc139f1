// SPDX-License-Identifier: GPL-2.0-or-later
#include "skinny_parse.h"

namespace ka::skinny {

namespace {

std::uint32_t le32(std::string_view s, std::size_t off) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + off;
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

constexpr std::uint32_t kRegisterTokenReq = 0x0029, kConfigStat = 0x0093, kSpcpRegisterTokenReq = 0x8000;
constexpr std::size_t kHeader = 12, kDeviceNameSize = 16;

}  // namespace

std::size_t pdu_length(std::string_view data) {
    if (data.size() < 4) return 0;
    std::uint32_t len = le32(data, 0);
    if (len < 4 || len > kMaxDataLength) return kBad;
    std::size_t total = std::size_t{len} + 8;
    return data.size() < total ? 0 : total;
}

bool known_version(std::uint32_t version) {
    return version == 0 || version == 0x0a || version == 0x0b || (version >= 0x0f && version <= 0x16);
}

bool plausible_start(std::string_view data) {
    return data.size() >= kCheckedBytes && le32(data, 0) >= 4 && known_version(le32(data, 4));
}

bool parse_pdu(std::string_view pdu, SkinnyMessage& out) {
    out = SkinnyMessage{};
    if (pdu.size() < kHeader) return false;
    out.id = le32(pdu, 8);
    switch (out.id) {
    case kRegisterReq:
    case kRegisterTokenReq:
    case kConfigStat:
    case kSpcpRegisterTokenReq:
        if (pdu.size() >= kHeader + kDeviceNameSize) {
            std::string_view name = pdu.substr(kHeader, kDeviceNameSize);
            out.device_name = name.substr(0, name.find('\0'));
        }
        break;
    case kRegisterAck:
        if (pdu.size() >= kHeader + 4) {
            out.has_keepalive_interval = true;
            out.keepalive_interval = le32(pdu, kHeader);
        }
        if (pdu.size() >= kHeader + 16) {  // after dateTemplate (6) and padding (2)
            out.has_secondary_interval = true;
            out.secondary_interval = le32(pdu, kHeader + 12);
        }
        break;
    case kUnregisterAck:
        if (pdu.size() >= kHeader + 4) {
            out.has_status = true;
            out.status = le32(pdu, kHeader);
        }
        break;
    default: break;
    }
    return true;
}

void parse_truncated(std::string_view data, std::vector<SkinnyMessage>& out) {
    if (!plausible_start(data)) return;
    while (data.size() >= kHeader) {
        const std::uint32_t len = le32(data, 0);
        if (len < 4 || len > kMaxDataLength) return;
        const std::size_t total = std::size_t{len} + 8;
        SkinnyMessage m;
        if (parse_pdu(data.substr(0, total), m)) out.push_back(m);
        if (total >= data.size()) return;
        data.remove_prefix(total);
    }
}

}  // namespace ka::skinny
