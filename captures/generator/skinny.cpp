#include "skinny.h"

#include <stdexcept>

namespace kagen::skinny {

namespace {

void put_text(Bytes& b, const std::string& text, std::size_t width, const char* what) {
  if (text.size() >= width) {
    throw std::invalid_argument(std::string("SKINNY ") + what + " longer than " + std::to_string(width - 1));
  }
  put_fixed_string(b, text, width);
}

}  // namespace

Bytes message(std::uint32_t id, const Bytes& body, std::uint32_t header_version) {
  Bytes b;
  b.reserve(12 + body.size());
  put_le32(b, static_cast<std::uint32_t>(4 + body.size()));
  put_le32(b, header_version);
  put_le32(b, id);
  append(b, body);
  return b;
}

Bytes keepalive_req() { return message(msg::KeepAliveReq); }
Bytes keepalive_ack() { return message(msg::KeepAliveAck); }

Bytes register_req(const RegisterReq& r) {
  if (!r.station_ip.is_v4()) throw std::invalid_argument("SKINNY stationIpAddr must be IPv4");
  Bytes b;
  put_text(b, r.device_name, 16, "device name");
  put_le32(b, r.user_id);
  put_le32(b, r.instance);
  append(b, r.station_ip.bytes());
  put_le32(b, r.device_type);
  put_le32(b, r.max_streams);
  if (r.extended) {
    put_le32(b, r.active_streams);
    put_u8(b, r.protocol_version);
    put_u8(b, 0);  // unknown
    put_le16(b, r.phone_features);
    put_le32(b, r.max_conferences);
    put_le32(b, r.active_conferences);
    b.insert(b.end(), r.mac.octets().begin(), r.mac.octets().end());
    put_zeros(b, 6);  // the MAC field is 12 bytes wide
    put_le32(b, r.ipv4_address_scope);
    put_le32(b, r.max_lines);
    if (r.station_ipv6) {
      if (!r.station_ipv6->is_v6()) throw std::invalid_argument("SKINNY stationIpV6Addr must be IPv6");
      append(b, r.station_ipv6->bytes());
    } else {
      put_zeros(b, 16);
    }
    put_le32(b, r.ipv6_address_scope);
    put_text(b, r.firmware_load_name, 32, "firmware load name");
  }
  return message(msg::RegisterReq, b);
}

Bytes register_ack(const RegisterAck& r) {
  if (r.date_template.size() > 6) throw std::invalid_argument("SKINNY dateTemplate is 6 characters");
  Bytes b;
  put_le32(b, r.keepalive_interval);
  put_fixed_string(b, r.date_template, 6);
  put_le16(b, 0);  // alignment padding
  put_le32(b, r.secondary_keepalive_interval);
  put_u8(b, r.max_protocol_version);
  put_u8(b, 0);  // unknown
  put_le16(b, r.phone_features);
  return message(msg::RegisterAck, b);
}

Bytes register_reject(const std::string& text) {
  Bytes b;
  put_text(b, text, 32, "reject text");
  return message(msg::RegisterReject, b);
}

Bytes unregister_req(std::optional<std::uint32_t> reason_code) {
  Bytes b;
  if (reason_code) {
    put_le32(b, *reason_code);
    put_zeros(b, 8);
  }
  return message(msg::UnregisterReq, b);
}

Bytes unregister_ack(std::uint32_t status) {
  Bytes b;
  put_le32(b, status);
  return message(msg::UnregisterAck, b);
}

RegisterReq phone_register_req(const Mac& mac, const IpAddr& ip) {
  RegisterReq r;
  r.device_name = "SEP" + mac.hex();
  r.station_ip = ip;
  r.mac = mac;
  return r;
}

void registration(TcpFlow& flow, TimeNs t, const RegisterReq& req, const RegisterAck& ack, TimeNs reply_after) {
  flow.send(t, Dir::ToServer, register_req(req));
  flow.send(t + reply_after, Dir::ToClient, register_ack(ack));
  flow.ack(t + reply_after + micros(200), Dir::ToServer);
}

void acked_keepalive(TcpFlow& flow, TimeNs t, TimeNs reply_after) {
  flow.send(t, Dir::ToServer, keepalive_req());
  flow.send(t + reply_after, Dir::ToClient, keepalive_ack());
  flow.ack(t + reply_after + micros(200), Dir::ToServer);
}

TimeNs session(TcpFlow& flow, const RegisterReq& req, TimeNs start, int keepalives) {
  flow.handshake(start, micros(400));
  const TimeNs t_reg = start + millis(1);
  flow.send(t_reg, Dir::ToServer, register_req(req));
  flow.send(t_reg + millis(3), Dir::ToClient, register_ack(RegisterAck{}));
  for (int k = 1; k <= keepalives; ++k) {
    const TimeNs t = t_reg + seconds(30 * k);
    flow.send(t, Dir::ToServer, keepalive_req());
    flow.send(t + millis(2), Dir::ToClient, keepalive_ack());
  }
  return t_reg;
}

}  // namespace kagen::skinny
