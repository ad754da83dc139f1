// Library self-check: SIP responses and challenges on a Linux cooked (SLL)
// capture taken on the phone host, IPv4 and IPv6 UDP, a UDP resend, several
// contacts in a 200 OK, and a backup keepalive (Expires 0 + cisco-keep-alive).
//
// Parameters (LinuxSll, microsecond pcap, T0 = 2023-05-13 12:00:00.000000 UTC;
// phone frames are "Outgoing", server frames "to us"):
//   phone   MAC 00:24:14:2d:df:24  10.40.0.40:5060 and [2001:db8:40::40]:5060, AOR sip:4040@example.com
//   primary registrar  MAC 00:50:56:8e:40:01  10.40.0.1:5060
//   backup  registrar  MAC 00:50:56:8e:40:02  10.40.0.2:5060
//   proxy   (IPv6)     MAC 00:50:56:8e:40:03  [2001:db8:40::3]:5060
// Timeline:
//   T0+0.000  REGISTER CSeq 1 (Expires 3600) -> primary; +0.002 100 Trying;
//             +0.004 401 (realm "example.com", nonce "4b1d0c3a")
//   T0+0.010  REGISTER CSeq 2 with Authorization; +0.015 200 OK with two contacts:
//             this phone's (expires=120) and another device's (expires=45), plus "Expires: 120"
//   T0+1.000  REGISTER CSeq 1 (Expires 0) -> backup, Contact ;expires=0;cisco-keep-alive
//             (its own Call-ID); +1.006 200 OK
//   T0+2.000  REGISTER CSeq 1 over IPv6 -> proxy; T0+2.500 the same datagram again (SIP resend);
//             +2.504 407 (realm "proxy.example.com", nonce "77aa01");
//             T0+2.510 REGISTER CSeq 2 with Proxy-Authorization; +2.514 403 Forbidden
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("lib-sip-sll-auth",
            "Library check: SIP 100/401/407/403/200, multiple contacts, backup keepalive, UDP resend, SLL, IPv6") {
  const Mac phone_mac = "00:24:14:2d:df:24";
  const Endpoint phone{phone_mac, "10.40.0.40", 5060};
  const Endpoint phone6{phone_mac, "2001:db8:40::40", 5060};
  const Endpoint primary{"00:50:56:8e:40:01", "10.40.0.1", 5060};
  const Endpoint backup{"00:50:56:8e:40:02", "10.40.0.2", 5060};
  const Endpoint proxy{"00:50:56:8e:40:03", "2001:db8:40::3", 5060};
  const TimeNs t0 = utc("2023-05-13 12:00:00.000000");

  Capture cap(LinkType::LinuxSll, "any");
  UdpFlow to_primary(cap, phone, primary);
  UdpFlow to_backup(cap, phone, backup);
  UdpFlow to_proxy(cap, phone6, proxy);

  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("4040", phone), phone_mac, "437");
  sip::Register reg = sip::phone_register(phone, "4040", "example.com");
  reg.from_tag = "f00d4040";
  reg.call_id = "c4040-0001@10.40.0.40";
  reg.user_agent = "Cisco-CP7975G/9.4.2";
  reg.expires = 3600;
  reg.contacts = {contact};

  reg.cseq = 1;
  reg.branch = "z9hG4bK4040a1";
  to_primary.send(t0, Dir::ToServer, reg.bytes());
  to_primary.send(t0 + 2_ms, Dir::ToClient, sip::trying(reg).bytes());
  to_primary.send(t0 + 4_ms, Dir::ToClient, sip::unauthorized(reg, "reg1", "example.com", "4b1d0c3a").bytes());

  reg.cseq = 2;
  reg.branch = "z9hG4bK4040a2";
  reg.authorization = sip::digest_credentials("4040", "example.com", "4b1d0c3a", "sip:example.com",
                                              "0123456789abcdef0123456789abcdef");
  to_primary.send(t0 + 10_ms, Dir::ToServer, reg.bytes());
  sip::Contact other;
  other.uri = "sip:4040@10.40.0.77:5060";
  other.params = {"expires=45"};
  sip::Response ok = sip::ok(reg, "reg2", {sip::with_expires(contact, 120), other});
  ok.expires = 120;
  to_primary.send(t0 + 15_ms, Dir::ToClient, ok.bytes());

  sip::Register keep = reg;
  keep.authorization.reset();
  keep.request_uri = "sip:" + backup.ip.str();
  keep.call_id = "c4040-0002@10.40.0.40";
  keep.cseq = 1;
  keep.branch = "z9hG4bK4040b1";
  keep.expires = 0;
  sip::Contact keep_contact = contact;
  keep_contact.params.push_back("expires=0");
  keep_contact.params.push_back("cisco-keep-alive");
  keep.contacts = {keep_contact};
  to_backup.send(t0 + 1_s, Dir::ToServer, keep.bytes());
  to_backup.send(t0 + 1006_ms, Dir::ToClient, sip::ok(keep, "bk1", {keep_contact}).bytes());

  sip::Register reg6 = reg;
  reg6.authorization.reset();
  reg6.request_uri = "sip:example.com";
  reg6.via_host = phone6.ip.uri_host();
  reg6.call_id = "c4040-0003@" + phone6.ip.uri_host();
  reg6.cseq = 1;
  reg6.branch = "z9hG4bK4040c1";
  reg6.contacts = {sip::cisco_phone_contact(sip::contact_uri("4040", phone6), phone_mac, "437")};
  to_proxy.send(t0 + 2_s, Dir::ToServer, reg6.bytes());
  to_proxy.send(t0 + 2500_ms, Dir::ToServer, reg6.bytes());
  to_proxy.send(t0 + 2504_ms, Dir::ToClient,
                sip::proxy_auth_required(reg6, "px1", "proxy.example.com", "77aa01").bytes());
  reg6.cseq = 2;
  reg6.branch = "z9hG4bK4040c2";
  reg6.proxy_authorization = sip::digest_credentials("4040", "proxy.example.com", "77aa01", "sip:example.com",
                                                     "fedcba9876543210fedcba9876543210");
  to_proxy.send(t0 + 2510_ms, Dir::ToServer, reg6.bytes());
  to_proxy.send(t0 + 2514_ms, Dir::ToClient, sip::forbidden(reg6, "px2").bytes());

  out.save_pcap(cap);
}
