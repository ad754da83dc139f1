// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>

#include "rng.h"

namespace kagen::tls {

namespace {

// Handshake message types.
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kServerHelloDone = 14;
constexpr std::uint8_t kClientKeyExchange = 16;
constexpr std::uint8_t kFinished = 20;

constexpr std::size_t kMaxPlaintext = 1u << 14;  // RFC 5246 6.2.1
constexpr std::size_t kTagLen = 16;

int idx(Dir d) { return d == Dir::ToServer ? 0 : 1; }

void put_be24(Bytes& b, std::size_t v) {
  if (v >= (1u << 24)) throw std::length_error("tls: handshake message too long");
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

void put_be64(Bytes& b, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}

template <std::size_t N>
void put_array(Bytes& b, const std::array<std::uint8_t, N>& a) {
  b.insert(b.end(), a.begin(), a.end());
}

template <std::size_t N>
Bytes to_vec(const std::array<std::uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}

// An extension: type, 2-byte length, data.
void put_extension(Bytes& b, std::uint16_t type, const Bytes& data) {
  put_be16(b, type);
  put_be16(b, static_cast<std::uint16_t>(data.size()));
  append(b, data);
}

Bytes sha256(const Bytes& data) {
  Bytes md(32);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 || len != md.size()) {
    throw std::runtime_error("tls: SHA-256 failed");
  }
  return md;
}

Bytes hmac_sha256(const Bytes& key, const Bytes& data) {
  Bytes md(32);
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), md.data(), &len) ||
      len != md.size()) {
    throw std::runtime_error("tls: HMAC-SHA256 failed");
  }
  return md;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// AES-128-GCM: returns ciphertext || tag.
Bytes aes128_gcm_seal(const std::array<std::uint8_t, 16>& key, const Bytes& nonce, const Bytes& aad,
                      const Bytes& plaintext) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("tls: EVP_CIPHER_CTX_new failed");
  Bytes out(plaintext.size() + kTagLen);
  int len = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) == 1;
  if (ok && static_cast<std::size_t>(len) != plaintext.size()) ok = false;
  int tail = 0;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &tail) == 1 && tail == 0 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagLen),
                           out.data() + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("tls: AES-128-GCM encryption failed");
  return out;
}

}  // namespace

std::string hex(const std::uint8_t* b, std::size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s += kDigits[b[i] >> 4];
    s += kDigits[b[i] & 0x0f];
  }
  return s;
}

Bytes prf_sha256(const Bytes& secret, const std::string& label, const Bytes& seed, std::size_t length) {
  // P_SHA256(secret, label + seed): A(0) = label + seed, A(i) = HMAC(secret, A(i-1)),
  // output = HMAC(secret, A(1) + label + seed) || HMAC(secret, A(2) + label + seed) || ...
  const Bytes ls = concat(label, seed);
  Bytes out;
  Bytes a = ls;
  while (out.size() < length) {
    a = hmac_sha256(secret, a);
    append(out, hmac_sha256(secret, concat(a, ls)));
  }
  out.resize(length);
  return out;
}

Bytes record(std::uint8_t type, const Bytes& fragment) {
  if (fragment.size() > kMaxPlaintext + 2048) throw std::length_error("tls: record fragment too long");
  Bytes r;
  r.reserve(5 + fragment.size());
  put_u8(r, type);
  put_be16(r, kVersion12);
  put_be16(r, static_cast<std::uint16_t>(fragment.size()));
  append(r, fragment);
  return r;
}

SessionParams SessionParams::from_seed(std::uint64_t seed) {
  Rng rng(seed);
  SessionParams p;
  auto fill = [&rng](auto& a) {
    for (auto& byte : a) byte = static_cast<std::uint8_t>(rng.below(256));
  };
  fill(p.client_random);
  fill(p.server_random);
  fill(p.master_secret);
  fill(p.session_id);
  return p;
}

Session::Session(SessionParams p) : p_(std::move(p)) {
  // RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random + client_random);
  // AES-128-GCM uses no MAC keys: client key, server key, client IV, server IV.
  const Bytes block = prf_sha256(to_vec(p_.master_secret), "key expansion",
                                 concat(to_vec(p_.server_random), to_vec(p_.client_random)), 2 * 16 + 2 * 4);
  for (int d = 0; d < 2; ++d) {
    for (std::size_t i = 0; i < 16; ++i) key_[d][i] = block[static_cast<std::size_t>(d) * 16 + i];
    for (std::size_t i = 0; i < 4; ++i) iv_[d][i] = block[32 + static_cast<std::size_t>(d) * 4 + i];
  }
}

Bytes Session::handshake_message(std::uint8_t type, const Bytes& body) {
  Bytes m;
  put_u8(m, type);
  put_be24(m, body.size());
  append(m, body);
  append(transcript_, m);
  return m;
}

Bytes Session::client_hello() {
  Bytes body;
  put_be16(body, kVersion12);
  put_array(body, p_.client_random);
  put_u8(body, 0);  // no session id to resume
  put_be16(body, 2);
  put_be16(body, kRsaAes128GcmSha256);
  put_u8(body, 1);  // compression methods: null only
  put_u8(body, 0);

  Bytes ext;
  if (!p_.server_name.empty()) {
    Bytes sni;  // server_name_list with one host_name entry
    put_be16(sni, static_cast<std::uint16_t>(p_.server_name.size() + 3));
    put_u8(sni, 0);
    put_be16(sni, static_cast<std::uint16_t>(p_.server_name.size()));
    append(sni, p_.server_name);
    put_extension(ext, 0x0000, sni);
  }
  // signature_algorithms: rsa_pkcs1_sha256 and rsa_pkcs1_sha384, as a TLS 1.2 RSA client offers.
  put_extension(ext, 0x000d, Bytes{0x00, 0x04, 0x04, 0x01, 0x05, 0x01});
  put_be16(body, static_cast<std::uint16_t>(ext.size()));
  append(body, ext);
  return record(kHandshake, handshake_message(kClientHello, body));
}

Bytes Session::server_hello() {
  Bytes body;
  put_be16(body, kVersion12);
  put_array(body, p_.server_random);
  put_u8(body, static_cast<std::uint8_t>(p_.session_id.size()));
  put_array(body, p_.session_id);
  put_be16(body, kRsaAes128GcmSha256);
  put_u8(body, 0);  // null compression; no extensions
  Bytes msgs = handshake_message(kServerHello, body);
  append(msgs, handshake_message(kServerHelloDone, {}));
  return record(kHandshake, msgs);
}

Bytes Session::finished(Dir dir) {
  // RFC 5246 7.4.9: verify_data = PRF(master, finished_label, SHA-256(handshake messages))[0..11].
  const char* label = dir == Dir::ToServer ? "client finished" : "server finished";
  const Bytes verify = prf_sha256(to_vec(p_.master_secret), label, sha256(transcript_), 12);
  return handshake_message(kFinished, verify);
}

Bytes Session::client_finished_flight() {
  // EncryptedPreMasterSecret as for a 2048-bit RSA key; nothing can decrypt it and nothing needs
  // to: the key log gives the master secret. Deterministic filler derived from the session.
  Bytes body;
  put_be16(body, 256);
  append(body, prf_sha256(to_vec(p_.master_secret), "filler", to_vec(p_.client_random), 256));
  Bytes out = record(kHandshake, handshake_message(kClientKeyExchange, body));
  append(out, record(kChangeCipherSpec, Bytes{1}));
  append(out, encrypt_record(Dir::ToServer, kHandshake, finished(Dir::ToServer)));
  return out;
}

Bytes Session::server_finished_flight() {
  Bytes out = record(kChangeCipherSpec, Bytes{1});
  append(out, encrypt_record(Dir::ToClient, kHandshake, finished(Dir::ToClient)));
  return out;
}

Bytes Session::application_data(Dir dir, const Bytes& plaintext) {
  return encrypt_record(dir, kApplicationData, plaintext);
}

Bytes Session::encrypt_record(Dir dir, std::uint8_t type, const Bytes& plaintext) {
  if (plaintext.size() > kMaxPlaintext) throw std::length_error("tls: plaintext longer than one record");
  const int d = idx(dir);
  const std::uint64_t seq = seq_[d]++;
  // RFC 5288 3: nonce = salt (client/server IV) || explicit nonce; the explicit part is the
  // sequence number, as most implementations choose. AAD (RFC 5246 6.2.3.3) = seq || type ||
  // version || plaintext length.
  Bytes explicit_nonce;
  put_be64(explicit_nonce, seq);
  const Bytes nonce = concat(to_vec(iv_[d]), explicit_nonce);
  Bytes aad;
  put_be64(aad, seq);
  put_u8(aad, type);
  put_be16(aad, kVersion12);
  put_be16(aad, static_cast<std::uint16_t>(plaintext.size()));
  return record(type, concat(explicit_nonce, aes128_gcm_seal(key_[d], nonce, aad, plaintext)));
}

std::string Session::keylog_line() const {
  return "CLIENT_RANDOM " + hex(p_.client_random.data(), p_.client_random.size()) + " " +
         hex(p_.master_secret.data(), p_.master_secret.size());
}

void write_keylog(const std::string& path, const std::string& line) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << line << '\n';
  f.flush();
  if (!f) throw std::runtime_error("cannot write " + path);
}

void open_session(TcpFlow& tcp, Session& tls, TimeNs t0) {
  using namespace kagen::literals;
  tcp.handshake(t0 - 40_ms, 1_ms);
  tcp.send(t0 - 38800_us, Dir::ToServer, tls.client_hello());
  tcp.send(t0 - 37_ms, Dir::ToClient, tls.server_hello());
  tcp.send(t0 - 20_ms, Dir::ToServer, tls.client_finished_flight());
  tcp.send(t0 - 10_ms, Dir::ToClient, tls.server_finished_flight());
}

}  // namespace kagen::tls
