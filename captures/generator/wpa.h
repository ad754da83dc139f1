// WPA2-Personal (RSN with a passphrase, CCMP): the keys a station and its access point derive in
// the 4-way handshake, the handshake's EAPOL-Key frames, and CCMP protection of data frames, so
// that a capture can be decrypted by Wireshark from the passphrase and the SSID
// (-o wlan.enable_decryption:TRUE -o "uat:80211_keys:\"wpa-pwd\",\"passphrase:SSID\"").
#pragma once

#include <cstdint>
#include <string>

#include "bytes.h"
#include "capture.h"
#include "timebase.h"

namespace kagen::wpa {

struct Network {
  std::string ssid;
  std::string passphrase;
  Mac bssid;
};

/// Messages 1 and 2 of the 4-way handshake as 802.11 data frames (no radiotap), message 1 from the
/// access point at `t` and message 2 from the station 1 ms later, on interface 0 of an 802.11
/// capture: what Wireshark needs to derive the station's keys (it checks message 2's MIC).
/// Returns the pairwise temporal key (CCMP's 16 bytes) the nonces give (IEEE 802.11-2016
/// 12.7.1.3; the PMK from passphrase and SSID, 12.4.2).
Bytes handshake(Capture& cap, TimeNs t, const Network& net, const Mac& station, const Bytes& anonce,
                const Bytes& snonce);

/// The CCMP-protected body of a non-QoS data frame: the CCMP header (packet number `pn`, key id 0),
/// `plaintext` encrypted with AES-CCM under `tk`, and the 8-byte MIC (12.5.3). `header` is the
/// frame's 24-byte MAC header, Protected bit set, from which the nonce and additional data come.
Bytes ccmp_protect(const Bytes& header, const Bytes& plaintext, const Bytes& tk, std::uint64_t pn);

}  // namespace kagen::wpa
