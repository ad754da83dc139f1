// SPDX-License-Identifier: GPL-2.0-or-later
// TLS 1.2 record layer writer for scenarios: a deterministic session with
// fixed randoms and master secret, cipher suite TLS_RSA_WITH_AES_128_GCM_SHA256
// (0x009c), that Wireshark decrypts from the key log line it writes
// (`CLIENT_RANDOM <client random> <master secret>`, tshark option
// `-o tls.keylog_file:FILE`).
//
//   tls::Session s(tls::SessionParams::from_seed(7));
//   tcp.send(t, Dir::ToServer, s.client_hello());
//   tcp.send(t + 1_ms, Dir::ToClient, s.server_hello());          // ServerHello + ServerHelloDone
//   tcp.send(t + 2_ms, Dir::ToServer, s.client_finished_flight()); // ClientKeyExchange, CCS, Finished
//   tcp.send(t + 3_ms, Dir::ToClient, s.server_finished_flight()); // CCS, Finished
//   tcp.send(t + 4_ms, Dir::ToServer, s.application_data(Dir::ToServer, reg.bytes()));
//
// No certificate is sent and the ClientKeyExchange carries filler instead of a
// premaster secret encrypted to a real key: with the master secret in the key
// log, Wireshark needs neither. The Finished messages carry the correct
// verify_data over the transcript. Each call that encrypts advances that
// direction's record sequence number (0 = its Finished), so records must be
// generated in the order they are sent; a TCP retransmission re-sends the
// Segment, never a new record.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "bytes.h"
#include "flow.h"

namespace kagen::tls {

constexpr std::uint16_t kVersion12 = 0x0303;
constexpr std::uint16_t kRsaAes128GcmSha256 = 0x009c;

// Record content types.
constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;

struct SessionParams {
  std::array<std::uint8_t, 32> client_random{};
  std::array<std::uint8_t, 32> server_random{};
  std::array<std::uint8_t, 48> master_secret{};
  std::array<std::uint8_t, 32> session_id{};  ///< the ServerHello's (the ClientHello offers none)
  std::string server_name;                    ///< SNI in the ClientHello; omitted when empty

  /// Every value derived from `seed` with the generator's SplitMix64 (rng.h).
  static SessionParams from_seed(std::uint64_t seed);
};

/// One TLS 1.2 connection's handshake and records, both directions.
class Session {
 public:
  explicit Session(SessionParams p);

  /// One handshake record: ClientHello offering only 0x009c.
  Bytes client_hello();
  /// One handshake record: ServerHello (0x009c, no extensions) + ServerHelloDone.
  Bytes server_hello();
  /// ClientKeyExchange record, ChangeCipherSpec record, encrypted Finished record.
  Bytes client_finished_flight();
  /// ChangeCipherSpec record, encrypted Finished record.
  Bytes server_finished_flight();
  /// One application_data record carrying `plaintext` (at most 2^14 bytes)
  /// from the client (ToServer) or the server (ToClient).
  Bytes application_data(Dir dir, const Bytes& plaintext);

  /// `CLIENT_RANDOM <64 hex> <96 hex>` (no newline), NSS key log format.
  std::string keylog_line() const;
  const SessionParams& params() const { return p_; }

  /// Records encrypted so far in `dir` (its Finished included).
  std::uint64_t records_sent(Dir dir) const { return seq_[dir == Dir::ToServer ? 0 : 1]; }

 private:
  Bytes handshake_message(std::uint8_t type, const Bytes& body);
  Bytes encrypt_record(Dir dir, std::uint8_t type, const Bytes& plaintext);
  Bytes finished(Dir dir);

  SessionParams p_;
  Bytes transcript_;  // every handshake message so far, for the Finished verify_data
  std::array<std::uint8_t, 16> key_[2]{};
  std::array<std::uint8_t, 4> iv_[2]{};
  std::uint64_t seq_[2] = {0, 0};
};

/// TLS 1.2 PRF with HMAC-SHA256 (RFC 5246 section 5): `length` bytes.
Bytes prf_sha256(const Bytes& secret, const std::string& label, const Bytes& seed, std::size_t length);

/// A complete TLS record: type, version 0x0303, length, fragment.
Bytes record(std::uint8_t type, const Bytes& fragment);

/// Writes `line` and a newline to `path` (a key log file); throws std::runtime_error on failure.
void write_keylog(const std::string& path, const std::string& line);

/// Lower-case hex of `b`.
std::string hex(const std::uint8_t* b, std::size_t n);

/// Opens `tcp` and runs the TLS handshake at the times the SIP/TLS scenarios use: TCP handshake
/// at t0 - 40 ms, - 39 ms, - 38.9 ms; ClientHello t0 - 38.8 ms, ServerHello + ServerHelloDone
/// t0 - 37 ms, ClientKeyExchange + CCS + Finished t0 - 20 ms, CCS + Finished t0 - 10 ms.
void open_session(TcpFlow& tcp, Session& tls, TimeNs t0);

}  // namespace kagen::tls
