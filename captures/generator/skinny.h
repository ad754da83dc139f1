// SKINNY (SCCP) messages laid out as Wireshark's packet-skinny.c decodes them.
//
// Wire format of every message (all integers little-endian):
//   uint32 data_length   = 4 + body size (message id + body; the length and
//                          header-version words themselves are not counted)
//   uint32 header_version  (0 = "Basic")
//   uint32 message_id
//   body
// Several messages may share one TCP segment: concat() them. The exchanges at the end send
// the messages of a registration or a keepalive on a connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bytes.h"
#include "flow.h"
#include "timebase.h"

namespace kagen::skinny {

namespace msg {
constexpr std::uint32_t KeepAliveReq = 0x0000;
constexpr std::uint32_t RegisterReq = 0x0001;
constexpr std::uint32_t UnregisterReq = 0x0027;
constexpr std::uint32_t RegisterAck = 0x0081;
constexpr std::uint32_t RegisterReject = 0x009d;
constexpr std::uint32_t KeepAliveAck = 0x0100;
constexpr std::uint32_t UnregisterAck = 0x0118;
}  // namespace msg

/// Any message: header + `body`.
Bytes message(std::uint32_t id, const Bytes& body = {}, std::uint32_t header_version = 0);

/// KeepAliveReq (phone -> call manager), no body.
Bytes keepalive_req();
/// KeepAliveAck (call manager -> phone), no body.
Bytes keepalive_ack();

/// RegisterReq. The default is the 128-byte body modern phones send; set
/// `extended = false` for the 36-byte legacy body (up to maxStreams).
struct RegisterReq {
  std::string device_name;           ///< "SEP001122334455" (at most 15 characters)
  std::uint32_t user_id = 0;         ///< sid.reserved_for_future_use (station user id)
  std::uint32_t instance = 1;        ///< sid.instance
  IpAddr station_ip;                 ///< IPv4 (stationIpAddr, network order)
  std::uint32_t device_type = 434;   ///< Wireshark DeviceType value (434 = Cisco 7942)
  std::uint32_t max_streams = 5;
  bool extended = true;
  // Extended body only:
  std::uint32_t active_streams = 0;
  std::uint8_t protocol_version = 20;
  std::uint16_t phone_features = 0;
  std::uint32_t max_conferences = 0;
  std::uint32_t active_conferences = 0;
  Mac mac;                           ///< station MAC (usually the device name's MAC)
  std::uint32_t ipv4_address_scope = 0;
  std::uint32_t max_lines = 0;
  std::optional<IpAddr> station_ipv6;
  std::uint32_t ipv6_address_scope = 0;
  std::string firmware_load_name;    ///< at most 31 characters
};
Bytes register_req(const RegisterReq& r);
/// RegisterReq of a Cisco phone: device name "SEP" + its MAC, its address and MAC; the rest default.
RegisterReq phone_register_req(const Mac& mac, const IpAddr& ip);

/// RegisterAck: keepAliveInterval (primary, s), dateTemplate (6 chars),
/// secondaryKeepAliveInterval (backup, s), maxProtocolVer, phone features.
struct RegisterAck {
  std::uint32_t keepalive_interval = 30;
  std::string date_template = "M/D/YA";
  std::uint32_t secondary_keepalive_interval = 60;
  std::uint8_t max_protocol_version = 20;
  std::uint16_t phone_features = 0;
};
Bytes register_ack(const RegisterAck& r);

/// RegisterReject with a reason text (at most 31 characters).
Bytes register_reject(const std::string& text);
/// UnregisterReq. Without a reason: empty body (data_length 4). With one: the
/// reason followed by 8 zero bytes (data_length 16), because Wireshark 4.0 only
/// decodes skinny.unRegReasonCode when data_length > 12.
Bytes unregister_req(std::optional<std::uint32_t> reason_code = std::nullopt);
/// UnregisterAck with a status (0 = Ok).
Bytes unregister_ack(std::uint32_t status = 0);

// ----------------------------------------------------------------- exchanges

/// A registration on `flow`: `req` at `t`, `ack` from the call manager `reply_after` later and
/// the phone's pure ACK of it 0.2 ms after that.
void registration(TcpFlow& flow, TimeNs t, const RegisterReq& req, const RegisterAck& ack = {},
                  TimeNs reply_after = millis(2));
/// A keepalive the call manager answers: KeepAliveReq at `t`, KeepAliveAck `reply_after` later and
/// the phone's pure ACK of it 0.2 ms after that.
void acked_keepalive(TcpFlow& flow, TimeNs t, TimeNs reply_after = millis(1));
/// A whole session whose phone never sends a pure ACK (its ACKs ride on its next message): the
/// handshake at `start`, `req` 1 ms later, the default RegisterAck 3 ms after it, then `keepalives`
/// KeepAliveReqs 30 s apart, each answered 2 ms later. Returns the time of `req`.
TimeNs session(TcpFlow& flow, const RegisterReq& req, TimeNs start, int keepalives);

}  // namespace kagen::skinny
