// SIP REGISTER requests and their responses as text (CRLF line endings,
// Content-Length: 0 unless a REGISTER carries a body). Header values are
// written verbatim, so a scenario can reproduce exactly what a phone or
// registrar put on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bytes.h"
#include "flow.h"
#include "timebase.h"

namespace kagen::sip {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One Contact header value: `["display" ]<uri>;param;param...`.
struct Contact {
  std::string uri;                  ///< "sip:1001@10.0.0.5:5060;transport=tcp" (brackets added)
  std::vector<std::string> params;  ///< verbatim: "expires=120", "cisco-keep-alive",
                                    ///< "+sip.instance=\"<urn:uuid:...>\""
  std::string display_name;         ///< optional

  std::string str() const;
};

/// The RFC 5626 instance parameter, +sip.instance="<urn:uuid:UUID>".
std::string instance_param(const std::string& uuid);
/// The identity parameters Cisco phones put in their Contact:
/// +sip.instance="<urn:uuid:UUID>", +u.sip!devicename.ccm.cisco.com="NAME",
/// +u.sip!model.ccm.cisco.com="MODEL".
Contact cisco_contact(const std::string& uri, const std::string& instance_uuid, const std::string& device_name,
                      const std::string& model);
/// Cisco-style instance UUID derived from a MAC: 00000000-0000-0000-0000-<mac>.
std::string cisco_instance_uuid(const Mac& mac);
/// cisco_contact() of the phone with MAC `mac`: its instance UUID and device name "SEP" + MAC.
Contact cisco_phone_contact(const std::string& uri, const Mac& mac, const std::string& model);
/// `user` at `phone`'s address and port, `sip:USER@HOST:PORT`, with ";transport=T" when
/// `transport` (lower case, as phones write it) is given.
std::string contact_uri(const std::string& user, const Endpoint& phone, const std::string& transport = {});

/// A copy of `c` with `expires=N` appended (what a registrar returns in a 2xx).
Contact with_expires(Contact c, std::uint32_t expires);

/// A REGISTER request.
struct Register {
  std::string request_uri;              ///< "sip:178.215.139.22"
  std::string transport = "UDP";        ///< Via transport: "UDP", "TCP" or "TLS"
  std::string via_host;                 ///< Via sent-by host
  std::uint16_t via_port = 5060;        ///< Via sent-by port
  std::string branch;                   ///< Via branch ("z9hG4bK" is prepended when missing)
  std::vector<std::string> via_params;  ///< extra Via parameters, e.g. "rport"
  unsigned max_forwards = 70;
  std::string from_uri;                 ///< address of record, e.g. "sip:1001@cucm.example.com"
  std::string from_display;
  std::string from_tag;
  std::string to_uri;                   ///< empty: same as from_uri
  std::string to_display;
  std::string call_id;
  std::uint32_t cseq = 1;
  std::vector<Contact> contacts;
  std::optional<std::uint32_t> expires;         ///< Expires header
  std::optional<std::string> authorization;     ///< Authorization header value
  std::optional<std::string> proxy_authorization;
  std::string user_agent;                       ///< omitted when empty
  HeaderList extra_headers;                     ///< added before Content-Length
  /// A message body, e.g. the multipart remotecc body Cisco phones register with; when set,
  /// Content-Type is written and Content-Length counts it.
  std::string content_type;
  std::string body;

  std::string via() const;
  std::string from() const;
  std::string to() const;
  std::string text() const;
  Bytes bytes() const { return to_bytes(text()); }
};

/// A REGISTER from `phone` for `user`@`domain` over `transport`: Request-URI sip:DOMAIN, Via sent by
/// the phone's address and port, From and To sip:USER@DOMAIN. Tags, Call-ID, CSeq, branch and
/// Contacts are the caller's.
Register phone_register(const Endpoint& phone, const std::string& user, const std::string& domain,
                        const std::string& transport = "UDP");
/// A Cisco phone's first REGISTER over TLS to `cucm` for extension `ext` (Expires 3600, Via TLS,
/// the Cisco Contact with ";transport=tls" and model "540"); the caller sets CSeq and branch.
Register cisco_tls_register(const Endpoint& phone, const Endpoint& cucm, const std::string& ext,
                            const std::string& from_tag, const std::string& call_id);

/// A response. respond() fills the copied headers from a request.
struct Response {
  int code = 200;
  std::string reason = "OK";
  std::string via, from, to, call_id, cseq;  ///< header values
  std::vector<Contact> contacts;
  std::optional<std::uint32_t> expires;
  std::optional<std::string> www_authenticate;
  std::optional<std::string> proxy_authenticate;
  std::string server;  ///< Server header, omitted when empty
  HeaderList extra_headers;

  std::string text() const;
  Bytes bytes() const { return to_bytes(text()); }
};

/// Standard reason phrase ("OK", "Unauthorized", ...).
std::string reason_phrase(int code);

/// Response to `req` copying Via, From, To, Call-ID and CSeq; `to_tag` is added
/// to To unless empty. `reason` defaults to reason_phrase(code).
Response respond(const Register& req, int code, const std::string& to_tag = {}, std::string reason = {});
/// 100 Trying (no To tag).
Response trying(const Register& req);
/// 200 OK listing `contacts` (typically with_expires(...) of the registered ones).
Response ok(const Register& req, const std::string& to_tag, std::vector<Contact> contacts = {});
/// 401 with WWW-Authenticate: Digest realm, nonce, algorithm=MD5.
Response unauthorized(const Register& req, const std::string& to_tag, const std::string& realm,
                      const std::string& nonce);
/// 407 with Proxy-Authenticate.
Response proxy_auth_required(const Register& req, const std::string& to_tag, const std::string& realm,
                             const std::string& nonce);
/// 403 Forbidden.
Response forbidden(const Register& req, const std::string& to_tag);

// ----------------------------------------------------------------- exchanges

/// A UDP phone's refreshes of `reg` on `udp`, attempts k = 1..`attempts` with CSeq k and branch
/// `branch` + k: the first sent at `first`, each answered 10 ms after delivery by a 200 OK (To tag
/// `to_tag` + k) granting `contact` ";expires=120", the next sent 115 s after that answer. Attempt
/// `lost` (0: none) loses its first transmission, resent 500 ms later (Timer E's T1).
void udp_refreshes(UdpFlow& udp, Register reg, const Contact& contact, TimeNs first, std::uint32_t attempts,
                   const std::string& branch, const std::string& to_tag, std::uint32_t lost = 0);

/// One transaction over TCP: `request` from the phone at `t`, then tcp_answer() from `t`.
/// Returns the response's time.
TimeNs tcp_transaction(TcpFlow& tcp, TimeNs t, const Bytes& request, TimeNs answer_after, const Bytes& response);

/// The registrar's side of a TCP transaction whose request reached it at `delivered`: its pure ACK
/// 300 us later, `response` `answer_after` after `delivered`, and the phone's ACK 200 us after that.
/// Returns the response's time.
TimeNs tcp_answer(TcpFlow& tcp, TimeNs delivered, TimeNs answer_after, const Bytes& response);

/// `Digest realm="R", nonce="N", algorithm=MD5`
std::string digest_challenge(const std::string& realm, const std::string& nonce);
/// `Digest username="U", realm="R", nonce="N", uri="URI", response="RESP", algorithm=MD5`.
/// The response hash is not checked by anything here; pass any 32 hex digits.
std::string digest_credentials(const std::string& user, const std::string& realm, const std::string& nonce,
                               const std::string& uri, const std::string& response);

}  // namespace kagen::sip
