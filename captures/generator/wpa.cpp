// SPDX-License-Identifier: GPL-2.0-or-later
#include "wpa.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "packet.h"

namespace kagen::wpa {

namespace {

constexpr std::uint16_t kEapol = 0x888E;
// EAPOL-Key information bits (12.7.2): descriptor version 2 (HMAC-SHA1 MIC, AES key wrap),
// pairwise key, key ACK, key MIC.
constexpr std::uint16_t kVersion2 = 0x0002, kPairwise = 0x0008, kAck = 0x0080, kMic = 0x0100;
constexpr std::size_t kMicAt = 4 + 77;  // EAPOL header, then descriptor type .. reserved

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("wpa: ") + what);
}

Bytes hmac_sha1(const Bytes& key, const Bytes& data) {
  Bytes md(20);
  unsigned len = 0;
  check(HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), md.data(), &len) &&
            len == md.size(),
        "HMAC-SHA1");
  return md;
}

// PRF-384 of 12.7.1.2: HMAC-SHA1 of label, 0, data and a counter, concatenated.
Bytes prf384(const Bytes& key, std::string_view label, const Bytes& data) {
  Bytes out;
  for (std::uint8_t i = 0; out.size() < 48; ++i) {
    Bytes block = to_bytes(label);
    block.push_back(0);
    append(block, data);
    block.push_back(i);
    append(out, hmac_sha1(key, block));
  }
  out.resize(48);
  return out;
}

// KCK, KEK, TK (16 bytes each) of the station's PTK.
Bytes ptk(const Network& net, const Mac& station, const Bytes& anonce, const Bytes& snonce) {
  if (anonce.size() != 32 || snonce.size() != 32) throw std::invalid_argument("wpa: nonces have 32 bytes");
  Bytes pmk(32);
  check(PKCS5_PBKDF2_HMAC_SHA1(net.passphrase.data(), static_cast<int>(net.passphrase.size()),
                               reinterpret_cast<const unsigned char*>(net.ssid.data()), static_cast<int>(net.ssid.size()),
                               4096, static_cast<int>(pmk.size()), pmk.data()),
        "PBKDF2");
  const Bytes aa(net.bssid.octets().begin(), net.bssid.octets().end());
  const Bytes spa(station.octets().begin(), station.octets().end());
  const Bytes data = concat(std::min(aa, spa), std::max(aa, spa), std::min(anonce, snonce), std::max(anonce, snonce));
  return prf384(pmk, "Pairwise key expansion", data);
}

// An EAPOL-Key frame (802.1X-2004, RSN descriptor); its MIC field left zero.
Bytes eapol_key(std::uint16_t info, std::uint16_t key_length, std::uint64_t replay, const Bytes& nonce,
                const Bytes& key_data) {
  Bytes b{0x02, 0x03};  // version 2, EAPOL-Key
  put_be16(b, static_cast<std::uint16_t>(95 + key_data.size()));
  b.push_back(0x02);  // RSN key descriptor
  put_be16(b, info);
  put_be16(b, key_length);
  for (int shift = 56; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(replay >> shift));
  append(b, nonce);
  b.resize(b.size() + 16 + 8 + 8 + 16, 0);  // key IV, RSC, reserved, MIC
  put_be16(b, static_cast<std::uint16_t>(key_data.size()));
  append(b, key_data);
  return b;
}

}  // namespace

Bytes handshake(Capture& cap, TimeNs t, const Network& net, const Mac& station, const Bytes& anonce,
                const Bytes& snonce) {
  const Bytes k = ptk(net, station, anonce, snonce);
  const Bytes kck(k.begin(), k.begin() + 16);
  const Bytes m1 = eapol_key(kVersion2 | kPairwise | kAck, 16, 1, anonce, {});
  // The station's RSN element: CCMP group and pairwise ciphers, PSK key management.
  const Bytes rsn{0x30, 0x14, 0x01, 0x00, 0x00, 0x0F, 0xAC, 0x04, 0x01, 0x00, 0x00, 0x0F,
                  0xAC, 0x04, 0x01, 0x00, 0x00, 0x0F, 0xAC, 0x02, 0x00, 0x00};
  Bytes m2 = eapol_key(kVersion2 | kPairwise | kMic, 0, 1, snonce, rsn);
  const Bytes mic = hmac_sha1(kck, m2);
  std::copy(mic.begin(), mic.begin() + 16, m2.begin() + kMicAt);
  cap.add(t, wlan_data(station, net.bssid, kEapol, m1, WlanOptions{net.bssid, true, {}, 0, 0, {}}));
  cap.add(t + 1'000'000, wlan_data(net.bssid, station, kEapol, m2, WlanOptions{net.bssid, false, {}, 0, 1, {}}));
  return Bytes(k.begin() + 32, k.end());
}

Bytes ccmp_protect(const Bytes& header, const Bytes& plaintext, const Bytes& tk, std::uint64_t pn) {
  if (header.size() != 24 || tk.size() != 16) throw std::invalid_argument("ccmp: a 24-byte header and a 16-byte key");
  // Nonce: priority 0, A2, PN most significant byte first. Additional data: the frame control
  // with subtype, retry, power management and more-data bits cleared, A1-A3, the sequence control
  // without its sequence number.
  Bytes nonce{0};
  nonce.insert(nonce.end(), header.begin() + 10, header.begin() + 16);
  for (int shift = 40; shift >= 0; shift -= 8) nonce.push_back(static_cast<std::uint8_t>(pn >> shift));
  Bytes aad{static_cast<std::uint8_t>(header[0] & 0x8F), static_cast<std::uint8_t>((header[1] & 0xC7) | 0x40)};
  aad.insert(aad.end(), header.begin() + 4, header.begin() + 22);
  aad.push_back(static_cast<std::uint8_t>(header[22] & 0x0F));
  aad.push_back(0);

  Bytes out{static_cast<std::uint8_t>(pn), static_cast<std::uint8_t>(pn >> 8), 0, 0x20,  // ExtIV, key id 0
            static_cast<std::uint8_t>(pn >> 16), static_cast<std::uint8_t>(pn >> 24),
            static_cast<std::uint8_t>(pn >> 32), static_cast<std::uint8_t>(pn >> 40)};
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  Bytes cipher(plaintext.size()), tag(8);
  check(ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ccm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_CCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_CCM_SET_TAG, static_cast<int>(tag.size()), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, tk.data(), nonce.data()) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, nullptr, static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), cipher.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), cipher.data() + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_CCM_GET_TAG, static_cast<int>(tag.size()), tag.data()) == 1,
        "AES-CCM");
  append(out, cipher);
  append(out, tag);
  return out;
}

}  // namespace kagen::wpa
