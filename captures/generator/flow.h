// Conversations between a client and a server: TCP with full sequence/ack
// tracking (handshake, data, exact retransmissions, losses, FIN/RST) and UDP.
//
// Time model: every call takes the time `t` at which the segment is sent. Each
// CapturePoint of the flow records it at t + that point's delay for the
// segment's direction, on the point's interface, framed for that interface's
// link type. By default a flow has one point: interface 0, on the client side,
// no delay, i.e. a capture taken at the client's switch port. With delays,
// pick each reply's `t` so that it follows its request as the replying side
// sees it (the flow does not reorder causes and effects for you).
//
// Loss model: a segment sent with Delivery::Lost is dropped between the client
// side and the server side. Points on the sender's side still record it; points
// on the other side do not, and the receiver does not acknowledge it until a
// retransmission (retransmit()) is delivered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bytes.h"
#include "capture.h"
#include "packet.h"
#include "timebase.h"

namespace kagen {

/// Direction a segment travels.
enum class Dir { ToServer, ToClient };
inline Dir reverse(Dir d) { return d == Dir::ToServer ? Dir::ToClient : Dir::ToServer; }

/// Where a capture point sits relative to where losses happen.
enum class Side { Client, Server };

enum class Delivery { Delivered, Lost };

struct CapturePoint {
  int iface = 0;                 ///< interface id in the Capture
  Side side = Side::Client;      ///< which side of a loss this point is on
  TimeNs delay_to_server = 0;    ///< added to the time of client->server segments
  TimeNs delay_to_client = 0;    ///< added to the time of server->client segments
  /// Set on a leg of a routed path whose two VLANs one SPAN session mirrors (router-on-a-stick,
  /// a layer-3 switch's VLAN interfaces): the far side's MAC on this leg is the router's, and a
  /// packet the router forwarded onto it has its TTL (hop limit) one lower.
  std::optional<Mac> router;
  std::optional<std::uint16_t> vlan;  ///< this leg's 802.1Q tag, in place of FlowOptions::vlan
};

/// The points of Capture::merged(): the client's (interface 0) and the server's (interface 1), which
/// a client->server segment reaches `transit` later, on a clock `skew` ahead.
std::vector<CapturePoint> merged_points(TimeNs transit, TimeNs skew = 0);

/// The two legs of `router` as one SPAN session mirrors them on interface 0: the client's VLAN
/// and the server's, each packet seen on the sender's leg and `forwarding` later on the other.
std::vector<CapturePoint> routed_points(const Mac& router, std::uint16_t client_vlan, std::uint16_t server_vlan,
                                        TimeNs forwarding);

struct FlowOptions {
  /// Capture points recording this flow (default: one, interface 0, client side).
  std::vector<CapturePoint> points{CapturePoint{}};
  std::optional<std::uint16_t> vlan;   ///< 802.1Q tag on Ethernet frames
  /// On an 802.11 link: the network (BSSID, WEP key); the client is the station, and each frame
  /// takes the next IV and sequence number.
  std::optional<WlanOptions> wlan;
  std::uint8_t ttl = 64;               ///< IPv4 TTL / IPv6 hop limit
  std::uint8_t dscp = 0;
  std::uint16_t client_ip_id = 0x1000;  ///< first IPv4 id used by the client (+1 per packet)
  std::uint16_t server_ip_id = 0x5000;  ///< first IPv4 id used by the server
  bool udp_checksum = true;             ///< IPv4 only; IPv6 always has one
  /// UDP over IPv4: a datagram whose IP packet exceeds this many bytes goes out as fragments of
  /// at most this size, all at the datagram's time (0: never fragment).
  std::size_t mtu = 0;
  // TCP only:
  std::uint32_t client_isn = 1000000000u;  ///< client initial sequence number (SYN's seq)
  std::uint32_t server_isn = 3000000000u;  ///< server initial sequence number
  std::uint16_t window = 64240;
  std::uint16_t mss = 1460;                ///< MSS option on SYN and SYN/ACK

  /// The defaults but for the two initial sequence numbers.
  static FlowOptions with_isns(std::uint32_t client, std::uint32_t server) {
    FlowOptions opt;
    opt.client_isn = client;
    opt.server_isn = server;
    return opt;
  }
};

/// Shared plumbing: endpoints, per-direction MACs and IP ids, capture points.
class FlowBase {
 public:
  const Endpoint& client() const { return client_; }
  const Endpoint& server() const { return server_; }
  /// Overrides the Ethernet addresses of frames travelling in `dir` from now on,
  /// e.g. a phone that sends to a proxy-ARP MAC while the server answers from its own.
  void set_macs(Dir dir, const Mac& src, const Mac& dst);

 protected:
  FlowBase(Capture& cap, Endpoint client, Endpoint server, FlowOptions opt);
  std::uint16_t take_ip_id(Dir dir);
  /// Records an IP packet at every capture point that sees it.
  void emit_ip(TimeNs t, Dir dir, const Bytes& ip, Delivery d);
  const Endpoint& sender(Dir d) const { return d == Dir::ToServer ? client_ : server_; }
  const Endpoint& receiver(Dir d) const { return d == Dir::ToServer ? server_ : client_; }
  IpOptions ip_options(std::uint16_t id) const;

  Capture& cap_;
  Endpoint client_;
  Endpoint server_;
  FlowOptions opt_;

 private:
  Mac src_mac_[2];
  Mac dst_mac_[2];
  std::uint16_t ip_id_[2];
  std::uint32_t wlan_frames_ = 0;
};

/// A TCP segment as sent; keep it to retransmit the exact same bytes later.
struct Segment {
  Dir dir = Dir::ToServer;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  Bytes payload;
  std::uint16_t ip_id = 0;
  std::uint64_t offset = 0;  ///< position in the direction's byte stream (ISN = 0)

  std::uint32_t len() const { return static_cast<std::uint32_t>(payload.size()); }
  /// Sequence number after this segment (SYN and FIN count as one).
  std::uint32_t end_seq() const;
};

/// One TCP connection. Sequence numbers wrap modulo 2^32 as on the wire; set
/// FlowOptions::client_isn near 0xFFFFFFFF to exercise wrap-around.
///
/// Data segments carry ACK+PSH and acknowledge everything the sender has
/// received contiguously so far. Sending data without a handshake models a
/// capture that starts mid-connection.
class TcpFlow : public FlowBase {
 public:
  TcpFlow(Capture& cap, Endpoint client, Endpoint server, FlowOptions opt = {});

  Segment syn(TimeNs t, Delivery d = Delivery::Delivered);
  Segment syn_ack(TimeNs t, Delivery d = Delivery::Delivered);
  /// SYN, SYN/ACK and the client's ACK at the three given times.
  void handshake(TimeNs t_syn, TimeNs t_syn_ack, TimeNs t_ack);
  /// The same with the SYN at `t_syn`, the SYN/ACK `rtt` later and the ACK 0.1 ms after that.
  void handshake(TimeNs t_syn, TimeNs rtt);

  /// One data segment (ACK+PSH) carrying `payload` (may hold several messages).
  Segment send(TimeNs t, Dir dir, const Bytes& payload, Delivery d = Delivery::Delivered);
  /// `payload` cut into segments of at most `max_len` bytes, sent at t,
  /// t + spacing, ...; only the last has PSH.
  std::vector<Segment> send_split(TimeNs t, Dir dir, const Bytes& payload, std::size_t max_len,
                                  TimeNs spacing = 0, Delivery d = Delivery::Delivered);
  /// The same with each segment's own fate, `each[i]` for segment i (one per segment): a
  /// segment lost while a later one gets through, which the receiver holds behind the hole.
  std::vector<Segment> send_split(TimeNs t, Dir dir, const Bytes& payload, std::size_t max_len, TimeNs spacing,
                                  const std::vector<Delivery>& each);
  /// Exact retransmission of `seg` (same seq, flags and bytes; the ack field
  /// and IP id are current).
  Segment retransmit(TimeNs t, const Segment& seg, Delivery d = Delivery::Delivered);
  /// send() at `t`, or with `resend_after` > 0 a lost send() and its retransmission that much
  /// later. Returns when the data got through.
  TimeNs send_delivered(TimeNs t, Dir dir, const Bytes& payload, TimeNs resend_after = 0);

  /// Pure ACK travelling in `dir`, acknowledging all data received so far
  /// from the other side.
  Segment ack(TimeNs t, Dir dir);
  /// Pure ACK travelling in `dir` with an explicit acknowledgement number.
  Segment ack_to(TimeNs t, Dir dir, std::uint32_t ack_seq);
  /// TCP keep-alive probe (seq = next - 1): no data (Linux), or `garbage`, one byte that
  /// BSD-derived and Windows stacks send in the byte's place.
  Segment keepalive(TimeNs t, Dir dir, const Bytes& garbage = {});
  Segment fin(TimeNs t, Dir dir, Delivery d = Delivery::Delivered);
  Segment rst(TimeNs t, Dir dir);

  /// Records an arbitrary segment without touching the flow state (for
  /// hand-crafted segments).
  void emit(TimeNs t, const Segment& seg, Delivery d = Delivery::Delivered);

  /// Next sequence number the sender in `dir` will use.
  std::uint32_t next_seq(Dir dir) const;
  /// Acknowledgement number a segment travelling in `dir` would carry now.
  std::uint32_t ack_value(Dir dir) const;

 private:
  Segment make(Dir dir, std::uint8_t flags, const Bytes& payload, std::uint64_t offset);
  void establish_implicitly();
  void deliver(Dir dir, std::uint64_t from, std::uint64_t to);
  std::uint32_t isn(Dir dir) const { return dir == Dir::ToServer ? opt_.client_isn : opt_.server_isn; }
  static int idx(Dir d) { return d == Dir::ToServer ? 0 : 1; }

  std::uint64_t snd_nxt_[2] = {0, 0};  // next stream offset to send, per direction
  std::uint64_t rcv_nxt_[2] = {0, 0};  // contiguous stream offset delivered, per direction
  std::vector<std::pair<std::uint64_t, std::uint64_t>> delivered_[2];
};

/// UDP datagrams between two endpoints (same capture-point and loss model).
class UdpFlow : public FlowBase {
 public:
  UdpFlow(Capture& cap, Endpoint client, Endpoint server, FlowOptions opt = {});
  void send(TimeNs t, Dir dir, const Bytes& payload, Delivery d = Delivery::Delivered);
};

}  // namespace kagen
