// Umbrella header of the scenario capture library (namespace kagen).
//
//   bytes.h       Bytes, concat(), Mac, IpAddr, Endpoint
//   timebase.h    TimeNs, utc("2023-05-09 22:56:17.457226"), seconds()/millis()/micros(), literals
//   packet.h      Ethernet/VLAN, Linux SLL, IPv4, IPv6, UDP, TCP, ARP builders; LinkType
//   pcap_writer.h PcapWriter (pcap, us or ns), PcapngWriter (multi-interface, ns)
//   capture.h     Capture: collects frames from flows, writes pcap/pcapng in time order
//   flow.h        TcpFlow (seq/ack tracking, loss, retransmission), UdpFlow, CapturePoint
//   sip.h         sip::Register, sip::phone_register(), sip::Response, sip::ok()/unauthorized()/...,
//                 Cisco contacts
//   skinny.h      skinny::register_req()/register_ack()/keepalive_req()/..., and on a TcpFlow
//                 skinny::registration()/acked_keepalive()/session()
//   cucm.h        cucm::endpoint_unregistered(), cucm::syslog_payload()
//   rng.h         Rng: seeded SplitMix64 for jitter
//   scenario.h    KA_SCENARIO(name, description) registry used by ka-gen
#pragma once

#include "bytes.h"
#include "capture.h"
#include "cucm.h"
#include "flow.h"
#include "packet.h"
#include "pcap_writer.h"
#include "rng.h"
#include "sip.h"
#include "skinny.h"
#include "timebase.h"
