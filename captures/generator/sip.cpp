#include "sip.h"

#include <stdexcept>

namespace kagen::sip {

namespace {

std::string name_addr(const std::string& display, const std::string& uri) {
  std::string s;
  if (!display.empty()) s += "\"" + display + "\" ";
  return s + "<" + uri + ">";
}

void header(std::string& out, const std::string& name, const std::string& value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

std::string Contact::str() const {
  std::string s = name_addr(display_name, uri);
  for (const std::string& p : params) s += ";" + p;
  return s;
}

std::string instance_param(const std::string& uuid) { return "+sip.instance=\"<urn:uuid:" + uuid + ">\""; }

Contact cisco_contact(const std::string& uri, const std::string& instance_uuid, const std::string& device_name,
                      const std::string& model) {
  Contact c;
  c.uri = uri;
  c.params.push_back(instance_param(instance_uuid));
  c.params.push_back("+u.sip!devicename.ccm.cisco.com=\"" + device_name + "\"");
  c.params.push_back("+u.sip!model.ccm.cisco.com=\"" + model + "\"");
  return c;
}

std::string cisco_instance_uuid(const Mac& mac) {
  std::string hex = mac.hex();
  for (char& ch : hex) ch = static_cast<char>(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
  return "00000000-0000-0000-0000-" + hex;
}

Contact cisco_phone_contact(const std::string& uri, const Mac& mac, const std::string& model) {
  return cisco_contact(uri, cisco_instance_uuid(mac), "SEP" + mac.hex(), model);
}

std::string contact_uri(const std::string& user, const Endpoint& phone, const std::string& transport) {
  std::string uri = "sip:" + user + "@" + phone.ip.uri_host() + ":" + std::to_string(phone.port);
  if (!transport.empty()) uri += ";transport=" + transport;
  return uri;
}

Contact with_expires(Contact c, std::uint32_t expires) {
  c.params.push_back("expires=" + std::to_string(expires));
  return c;
}

std::string Register::via() const {
  if (transport != "UDP" && transport != "TCP" && transport != "TLS") {
    throw std::invalid_argument("SIP transport must be UDP, TCP or TLS");
  }
  std::string b = branch.rfind("z9hG4bK", 0) == 0 ? branch : "z9hG4bK" + branch;
  std::string s = "SIP/2.0/" + transport + " " + via_host + ":" + std::to_string(via_port) + ";branch=" + b;
  for (const std::string& p : via_params) s += ";" + p;
  return s;
}

std::string Register::from() const {
  std::string s = name_addr(from_display, from_uri);
  if (!from_tag.empty()) s += ";tag=" + from_tag;
  return s;
}

std::string Register::to() const { return name_addr(to_display, to_uri.empty() ? from_uri : to_uri); }

std::string Register::text() const {
  std::string m = "REGISTER " + request_uri + " SIP/2.0\r\n";
  header(m, "Via", via());
  header(m, "From", from());
  header(m, "To", to());
  header(m, "Call-ID", call_id);
  header(m, "Max-Forwards", std::to_string(max_forwards));
  header(m, "CSeq", std::to_string(cseq) + " REGISTER");
  if (!user_agent.empty()) header(m, "User-Agent", user_agent);
  for (const Contact& c : contacts) header(m, "Contact", c.str());
  if (authorization) header(m, "Authorization", *authorization);
  if (proxy_authorization) header(m, "Proxy-Authorization", *proxy_authorization);
  if (expires) header(m, "Expires", std::to_string(*expires));
  for (const auto& h : extra_headers) header(m, h.first, h.second);
  if (!body.empty()) header(m, "Content-Type", content_type);
  header(m, "Content-Length", std::to_string(body.size()));
  m += "\r\n";
  return m + body;
}

std::string Response::text() const {
  std::string m = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
  header(m, "Via", via);
  header(m, "From", from);
  header(m, "To", to);
  header(m, "Call-ID", call_id);
  header(m, "CSeq", cseq);
  if (!server.empty()) header(m, "Server", server);
  if (www_authenticate) header(m, "WWW-Authenticate", *www_authenticate);
  if (proxy_authenticate) header(m, "Proxy-Authenticate", *proxy_authenticate);
  for (const Contact& c : contacts) header(m, "Contact", c.str());
  if (expires) header(m, "Expires", std::to_string(*expires));
  for (const auto& h : extra_headers) header(m, h.first, h.second);
  header(m, "Content-Length", "0");
  m += "\r\n";
  return m;
}

std::string reason_phrase(int code) {
  switch (code) {
    case 100: return "Trying";
    case 200: return "OK";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 500: return "Server Internal Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

Response respond(const Register& req, int code, const std::string& to_tag, std::string reason) {
  Response r;
  r.code = code;
  r.reason = reason.empty() ? reason_phrase(code) : std::move(reason);
  r.via = req.via();
  r.from = req.from();
  r.to = req.to();
  if (!to_tag.empty()) r.to += ";tag=" + to_tag;
  r.call_id = req.call_id;
  r.cseq = std::to_string(req.cseq) + " REGISTER";
  return r;
}

Response trying(const Register& req) { return respond(req, 100); }

Response ok(const Register& req, const std::string& to_tag, std::vector<Contact> contacts) {
  Response r = respond(req, 200, to_tag);
  r.contacts = std::move(contacts);
  return r;
}

std::string digest_challenge(const std::string& realm, const std::string& nonce) {
  return "Digest realm=\"" + realm + "\", nonce=\"" + nonce + "\", algorithm=MD5";
}

std::string digest_credentials(const std::string& user, const std::string& realm, const std::string& nonce,
                               const std::string& uri, const std::string& response) {
  return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri +
         "\", response=\"" + response + "\", algorithm=MD5";
}

Response unauthorized(const Register& req, const std::string& to_tag, const std::string& realm,
                      const std::string& nonce) {
  Response r = respond(req, 401, to_tag);
  r.www_authenticate = digest_challenge(realm, nonce);
  return r;
}

Response proxy_auth_required(const Register& req, const std::string& to_tag, const std::string& realm,
                             const std::string& nonce) {
  Response r = respond(req, 407, to_tag);
  r.proxy_authenticate = digest_challenge(realm, nonce);
  return r;
}

Response forbidden(const Register& req, const std::string& to_tag) { return respond(req, 403, to_tag); }

Register phone_register(const Endpoint& phone, const std::string& user, const std::string& domain,
                        const std::string& transport) {
  Register reg;
  reg.request_uri = "sip:" + domain;
  reg.transport = transport;
  reg.via_host = phone.ip.uri_host();
  reg.via_port = phone.port;
  reg.from_uri = "sip:" + user + "@" + domain;
  return reg;
}

Register cisco_tls_register(const Endpoint& phone, const Endpoint& cucm, const std::string& ext,
                            const std::string& from_tag, const std::string& call_id) {
  Register reg = phone_register(phone, ext, cucm.ip.uri_host(), "TLS");
  reg.from_tag = from_tag;
  reg.call_id = call_id;
  reg.user_agent = "Cisco-CP8961/9.4.2";
  reg.expires = 3600;
  reg.contacts = {cisco_phone_contact(contact_uri(ext, phone, "tls"), phone.mac, "540")};
  return reg;
}

TimeNs tcp_transaction(TcpFlow& tcp, TimeNs t, const Bytes& request, TimeNs answer_after, const Bytes& response) {
  tcp.send(t, Dir::ToServer, request);
  return tcp_answer(tcp, t, answer_after, response);
}

TimeNs tcp_answer(TcpFlow& tcp, TimeNs delivered, TimeNs answer_after, const Bytes& response) {
  using namespace kagen::literals;
  tcp.ack(delivered + 300_us, Dir::ToClient);
  const TimeNs answered = delivered + answer_after;
  tcp.send(answered, Dir::ToClient, response);
  tcp.ack(answered + 200_us, Dir::ToServer);
  return answered;
}

void udp_refreshes(UdpFlow& udp, Register reg, const Contact& contact, TimeNs first, std::uint32_t attempts,
                   const std::string& branch, const std::string& to_tag, std::uint32_t lost) {
  for (std::uint32_t k = 1; k <= attempts; ++k) {
    reg.cseq = k;
    reg.branch = branch + std::to_string(k);
    udp.send(first, Dir::ToServer, reg.bytes(), k == lost ? Delivery::Lost : Delivery::Delivered);
    const TimeNs delivered = k == lost ? first + millis(500) : first;
    if (k == lost) udp.send(delivered, Dir::ToServer, reg.bytes());
    const TimeNs ok_at = delivered + millis(10);
    udp.send(ok_at, Dir::ToClient, ok(reg, to_tag + std::to_string(k), {with_expires(contact, 120)}).bytes());
    first = ok_at + seconds(115);
  }
}

}  // namespace kagen::sip
