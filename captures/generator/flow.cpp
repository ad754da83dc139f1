#include "flow.h"

#include <algorithm>
#include <stdexcept>

namespace kagen {

// ------------------------------------------------------------------ FlowBase

FlowBase::FlowBase(Capture& cap, Endpoint client, Endpoint server, FlowOptions opt)
    : cap_(cap), client_(std::move(client)), server_(std::move(server)), opt_(std::move(opt)) {
  if (client_.ip.is_v4() != server_.ip.is_v4()) throw std::invalid_argument("flow endpoints mix IPv4 and IPv6");
  if (opt_.points.empty()) throw std::invalid_argument("a flow needs at least one capture point");
  for (const CapturePoint& p : opt_.points) (void)cap_.iface(p.iface);
  src_mac_[0] = client_.mac;
  dst_mac_[0] = server_.mac;
  src_mac_[1] = server_.mac;
  dst_mac_[1] = client_.mac;
  ip_id_[0] = opt_.client_ip_id;
  ip_id_[1] = opt_.server_ip_id;
}

void FlowBase::set_macs(Dir dir, const Mac& src, const Mac& dst) {
  const int i = dir == Dir::ToServer ? 0 : 1;
  src_mac_[i] = src;
  dst_mac_[i] = dst;
}

std::uint16_t FlowBase::take_ip_id(Dir dir) { return ip_id_[dir == Dir::ToServer ? 0 : 1]++; }

IpOptions FlowBase::ip_options(std::uint16_t id) const {
  IpOptions o;
  o.ttl = opt_.ttl;
  o.dscp = opt_.dscp;
  o.id = id;
  return o;
}

void FlowBase::emit_ip(TimeNs t, Dir dir, const Bytes& ip, Delivery d) {
  const int i = dir == Dir::ToServer ? 0 : 1;
  const Side sender_side = dir == Dir::ToServer ? Side::Client : Side::Server;
  for (const CapturePoint& p : opt_.points) {
    if (d == Delivery::Lost && p.side != sender_side) continue;
    LinkAddressing a;
    a.src = src_mac_[i];
    a.dst = dst_mac_[i];
    a.eth.vlan = p.vlan ? p.vlan : opt_.vlan;
    a.sll_type = p.side == sender_side ? SllPacketType::Outgoing : SllPacketType::Host;
    // The far side of a routed leg is behind the router.
    if (p.router) ((p.side == Side::Client) == (dir == Dir::ToServer) ? a.dst : a.src) = *p.router;
    if (opt_.wlan) {
      a.wlan = opt_.wlan;
      a.wlan->from_ds = dir == Dir::ToClient;
      a.wlan->iv = a.wlan->iv + wlan_frames_;
      a.wlan->seq = static_cast<std::uint16_t>(a.wlan->seq + wlan_frames_);
      ++wlan_frames_;
    }
    const bool forwarded = p.router && p.side != sender_side;
    const TimeNs at = t + (dir == Dir::ToServer ? p.delay_to_server : p.delay_to_client);
    cap_.add(at, link_frame(cap_.link(p.iface), a, ethertype_for(client_.ip), forwarded ? routed(ip) : ip), p.iface);
  }
}

// ------------------------------------------------------------------- Segment

std::uint32_t Segment::end_seq() const {
  std::uint32_t n = len();
  if (flags & tcpflag::SYN) ++n;
  if (flags & tcpflag::FIN) ++n;
  return seq + n;
}

// ------------------------------------------------------------------- TcpFlow

TcpFlow::TcpFlow(Capture& cap, Endpoint client, Endpoint server, FlowOptions opt)
    : FlowBase(cap, std::move(client), std::move(server), std::move(opt)) {}

std::uint32_t TcpFlow::next_seq(Dir dir) const {
  return isn(dir) + static_cast<std::uint32_t>(snd_nxt_[idx(dir)]);
}

std::uint32_t TcpFlow::ack_value(Dir dir) const {
  const Dir other = reverse(dir);
  return isn(other) + static_cast<std::uint32_t>(rcv_nxt_[idx(other)]);
}

void TcpFlow::deliver(Dir dir, std::uint64_t from, std::uint64_t to) {
  if (to <= from) return;
  auto& v = delivered_[idx(dir)];
  v.emplace_back(from, to);
  std::uint64_t& nxt = rcv_nxt_[idx(dir)];
  bool advanced = true;
  while (advanced) {
    advanced = false;
    for (const auto& r : v) {
      if (r.first <= nxt && r.second > nxt) {
        nxt = r.second;
        advanced = true;
      }
    }
  }
  v.erase(std::remove_if(v.begin(), v.end(), [nxt](const auto& r) { return r.second <= nxt; }), v.end());
}

void TcpFlow::establish_implicitly() {
  for (Dir d : {Dir::ToServer, Dir::ToClient}) {
    if (snd_nxt_[idx(d)] == 0) {
      snd_nxt_[idx(d)] = 1;
      deliver(d, 0, 1);
    }
  }
}

Segment TcpFlow::make(Dir dir, std::uint8_t flags, const Bytes& payload, std::uint64_t offset) {
  Segment s;
  s.dir = dir;
  s.offset = offset;
  s.seq = isn(dir) + static_cast<std::uint32_t>(offset);
  s.flags = flags;
  if (rcv_nxt_[idx(reverse(dir))] > 0 && flags != tcpflag::SYN) {
    s.flags |= tcpflag::ACK;
    s.ack = ack_value(dir);
  }
  s.payload = payload;
  s.ip_id = take_ip_id(dir);
  return s;
}

void TcpFlow::emit(TimeNs t, const Segment& s, Delivery d) {
  TcpHeader h;
  h.sport = sender(s.dir).port;
  h.dport = receiver(s.dir).port;
  h.seq = s.seq;
  h.ack = s.ack;
  h.flags = s.flags;
  h.window = opt_.window;
  if (s.flags & tcpflag::SYN) h.options = tcp_mss_option(opt_.mss);
  const IpAddr& src = sender(s.dir).ip;
  const IpAddr& dst = receiver(s.dir).ip;
  emit_ip(t, s.dir, ip_packet(src, dst, ipproto::TCP, tcp(src, dst, h, s.payload), ip_options(s.ip_id)), d);
}

Segment TcpFlow::syn(TimeNs t, Delivery d) {
  if (snd_nxt_[0] != 0) throw std::logic_error("TcpFlow::syn: client already started");
  Segment s = make(Dir::ToServer, tcpflag::SYN, {}, 0);
  snd_nxt_[0] = 1;
  if (d == Delivery::Delivered) deliver(Dir::ToServer, 0, 1);
  emit(t, s, d);
  return s;
}

Segment TcpFlow::syn_ack(TimeNs t, Delivery d) {
  if (snd_nxt_[1] != 0) throw std::logic_error("TcpFlow::syn_ack: server already started");
  if (rcv_nxt_[0] == 0) throw std::logic_error("TcpFlow::syn_ack: no SYN delivered yet");
  Segment s = make(Dir::ToClient, tcpflag::SYN, {}, 0);
  s.flags |= tcpflag::ACK;
  s.ack = ack_value(Dir::ToClient);
  snd_nxt_[1] = 1;
  if (d == Delivery::Delivered) deliver(Dir::ToClient, 0, 1);
  emit(t, s, d);
  return s;
}

void TcpFlow::handshake(TimeNs t_syn, TimeNs t_syn_ack, TimeNs t_ack) {
  syn(t_syn);
  syn_ack(t_syn_ack);
  ack(t_ack, Dir::ToServer);
}

void TcpFlow::handshake(TimeNs t_syn, TimeNs rtt) { handshake(t_syn, t_syn + rtt, t_syn + rtt + micros(100)); }

Segment TcpFlow::send(TimeNs t, Dir dir, const Bytes& payload, Delivery d) {
  if (payload.empty()) throw std::invalid_argument("TcpFlow::send: empty payload (use ack())");
  establish_implicitly();
  const std::uint64_t off = snd_nxt_[idx(dir)];
  Segment s = make(dir, tcpflag::PSH, payload, off);
  snd_nxt_[idx(dir)] += payload.size();
  if (d == Delivery::Delivered) deliver(dir, off, off + payload.size());
  emit(t, s, d);
  return s;
}

std::vector<Segment> TcpFlow::send_split(TimeNs t, Dir dir, const Bytes& payload, std::size_t max_len,
                                         TimeNs spacing, Delivery d) {
  if (max_len == 0 || payload.empty()) throw std::invalid_argument("TcpFlow::send_split: nothing to split");
  return send_split(t, dir, payload, max_len, spacing,
                    std::vector<Delivery>((payload.size() + max_len - 1) / max_len, d));
}

std::vector<Segment> TcpFlow::send_split(TimeNs t, Dir dir, const Bytes& payload, std::size_t max_len,
                                         TimeNs spacing, const std::vector<Delivery>& each) {
  if (max_len == 0 || payload.empty()) throw std::invalid_argument("TcpFlow::send_split: nothing to split");
  if (each.size() != (payload.size() + max_len - 1) / max_len)
    throw std::invalid_argument("TcpFlow::send_split: one delivery per segment");
  establish_implicitly();
  std::vector<Segment> out;
  for (std::size_t pos = 0; pos < payload.size(); pos += max_len) {
    const std::size_t n = std::min(max_len, payload.size() - pos);
    const bool last = pos + n == payload.size();
    const Bytes part(payload.begin() + static_cast<std::ptrdiff_t>(pos),
                     payload.begin() + static_cast<std::ptrdiff_t>(pos + n));
    const std::uint64_t off = snd_nxt_[idx(dir)];
    const Delivery d = each[out.size()];
    Segment s = make(dir, last ? tcpflag::PSH : 0, part, off);
    snd_nxt_[idx(dir)] += n;
    if (d == Delivery::Delivered) deliver(dir, off, off + n);
    emit(t + static_cast<TimeNs>(out.size()) * spacing, s, d);
    out.push_back(std::move(s));
  }
  return out;
}

Segment TcpFlow::retransmit(TimeNs t, const Segment& seg, Delivery d) {
  Segment s = seg;
  s.ip_id = take_ip_id(s.dir);
  if (s.flags != tcpflag::SYN && rcv_nxt_[idx(reverse(s.dir))] > 0) {
    s.flags |= tcpflag::ACK;
    s.ack = ack_value(s.dir);
  }
  const std::uint64_t consumed = seg.payload.size() + ((seg.flags & tcpflag::SYN) ? 1 : 0) +
                                 ((seg.flags & tcpflag::FIN) ? 1 : 0);
  if (d == Delivery::Delivered) deliver(s.dir, s.offset, s.offset + consumed);
  emit(t, s, d);
  return s;
}

TimeNs TcpFlow::send_delivered(TimeNs t, Dir dir, const Bytes& payload, TimeNs resend_after) {
  const Segment s = send(t, dir, payload, resend_after ? Delivery::Lost : Delivery::Delivered);
  if (resend_after) retransmit(t + resend_after, s);
  return t + resend_after;
}

Segment TcpFlow::ack(TimeNs t, Dir dir) {
  establish_implicitly();
  Segment s = make(dir, 0, {}, snd_nxt_[idx(dir)]);
  emit(t, s);
  return s;
}

Segment TcpFlow::ack_to(TimeNs t, Dir dir, std::uint32_t ack_seq) {
  establish_implicitly();
  Segment s = make(dir, 0, {}, snd_nxt_[idx(dir)]);
  s.flags |= tcpflag::ACK;
  s.ack = ack_seq;
  emit(t, s);
  return s;
}

Segment TcpFlow::keepalive(TimeNs t, Dir dir, const Bytes& garbage) {
  establish_implicitly();
  Segment s = make(dir, 0, garbage, snd_nxt_[idx(dir)] - 1);
  emit(t, s);
  return s;
}

Segment TcpFlow::fin(TimeNs t, Dir dir, Delivery d) {
  establish_implicitly();
  const std::uint64_t off = snd_nxt_[idx(dir)];
  Segment s = make(dir, tcpflag::FIN, {}, off);
  snd_nxt_[idx(dir)] += 1;
  if (d == Delivery::Delivered) deliver(dir, off, off + 1);
  emit(t, s, d);
  return s;
}

Segment TcpFlow::rst(TimeNs t, Dir dir) {
  establish_implicitly();
  Segment s = make(dir, tcpflag::RST, {}, snd_nxt_[idx(dir)]);
  emit(t, s);
  return s;
}

// ------------------------------------------------------------------- UdpFlow

UdpFlow::UdpFlow(Capture& cap, Endpoint client, Endpoint server, FlowOptions opt)
    : FlowBase(cap, std::move(client), std::move(server), std::move(opt)) {}

void UdpFlow::send(TimeNs t, Dir dir, const Bytes& payload, Delivery d) {
  const Endpoint& s = sender(dir);
  const Endpoint& r = receiver(dir);
  const Bytes dgram = udp(s.ip, s.port, r.ip, r.port, payload, opt_.udp_checksum);
  IpOptions o = ip_options(take_ip_id(dir));
  if (opt_.mtu == 0 || !s.ip.is_v4() || 20 + dgram.size() <= opt_.mtu) {
    emit_ip(t, dir, ip_packet(s.ip, r.ip, ipproto::UDP, dgram, o), d);
    return;
  }
  if (opt_.mtu < 28) throw std::invalid_argument("UdpFlow: MTU below 28 bytes");
  const std::size_t chunk = (opt_.mtu - 20) / 8 * 8;
  o.dont_fragment = false;
  for (std::size_t at = 0; at < dgram.size(); at += chunk) {
    const std::size_t n = std::min(chunk, dgram.size() - at);
    o.fragment_offset = static_cast<std::uint16_t>(at);
    o.more_fragments = at + n < dgram.size();
    const auto first = dgram.begin() + static_cast<std::ptrdiff_t>(at);
    emit_ip(t, dir, ipv4(s.ip, r.ip, ipproto::UDP, Bytes(first, first + static_cast<std::ptrdiff_t>(n)), o), d);
  }
}

std::vector<CapturePoint> merged_points(TimeNs transit, TimeNs skew) {
  return {CapturePoint{0, Side::Client, 0, 0, std::nullopt, std::nullopt},
          CapturePoint{1, Side::Server, skew + transit, skew - transit, std::nullopt, std::nullopt}};
}

std::vector<CapturePoint> routed_points(const Mac& router, std::uint16_t client_vlan, std::uint16_t server_vlan,
                                        TimeNs forwarding) {
  return {CapturePoint{0, Side::Client, 0, forwarding, router, client_vlan},
          CapturePoint{0, Side::Server, forwarding, 0, router, server_vlan}};
}

}  // namespace kagen
