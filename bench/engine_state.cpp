// Engine state per endpoint: runs ka::Engine over a synthetic fleet shaped like the `fleet`
// scenario (SIP phones refreshing every 115 s on a 120 s grant, SCCP phones keeping alive every
// 60 s, one hour) and prints the analysis state and the per-frame cache it keeps.
//   engine_state [SIP_PHONES [SCCP_PHONES [SECONDS]]]   (defaults 20000 5000 3600)
// SPDX-License-Identifier: GPL-2.0-or-later
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <string>
#include <vector>

#include "core/engine.h"

using namespace ka;

namespace {

struct Phone {
    bool sccp = false;
    std::uint32_t index = 0;
    IpAddr ip;
    std::string call_id, aor, uri, instance, device;
    std::uint32_t cseq = 0;
    std::uint32_t seq = 1;     // phone's next TCP sequence number (relative)
    std::uint32_t cm_seq = 1;  // call manager's
};

struct Event {
    Nanos time;
    std::uint32_t phone;
    int step;  // SIP: 0 REGISTER, 1 200 OK; SCCP: 0 handshake..RegisterAck, 1 KeepAliveReq, 2 KeepAliveAck
    bool operator>(const Event& o) const { return time > o.time; }
};

const IpAddr kCm = IpAddr::v4(0x0a01000a);

void base(Frame& f, std::uint32_t number, Nanos t, const Phone& p, bool to_server) {
    f.clear();
    f.number = number;
    f.time = t;
    f.has_eth = true;
    f.eth_src = to_server ? 0x001e13000000ull + p.index : 0x00505601000aull;
    f.eth_dst = to_server ? 0x00505601000aull : 0x001e13000000ull + p.index;
    f.src_ip = to_server ? p.ip : kCm;
    f.dst_ip = to_server ? kCm : p.ip;
}

void sip(Frame& f, const Phone& p, bool request) {
    f.transport = Transport::Udp;
    f.src_port = f.dst_port = 5060;
    SipMessage m;
    m.is_request = request;
    m.method = request ? "REGISTER" : "";
    m.status = request ? 0 : 200;
    m.call_id = p.call_id;
    m.cseq = p.cseq;
    m.cseq_method = "REGISTER";
    m.has_expires = request;
    m.expires = 3600;
    m.to_addr = p.aor;
    m.contact_count = 1;
    f.sip.push_back(m);
    SipContact c;
    c.uri = p.uri;
    c.param_count = request ? 2 : 3;
    f.contacts.push_back(c);
    f.contact_params.push_back(p.instance);
    f.contact_params.push_back(p.device);
    if (!request) f.contact_params.push_back("expires=120");
}

void sccp(Frame& f, Phone& p, bool to_server, std::uint32_t id, std::uint32_t len) {
    f.transport = Transport::Tcp;
    f.src_port = to_server ? static_cast<std::uint16_t>(49152 + p.index % 16000) : 2000;
    f.dst_port = to_server ? 2000 : static_cast<std::uint16_t>(49152 + p.index % 16000);
    f.tcp.present = true;
    f.tcp.stream = p.index;
    std::uint32_t& seq = to_server ? p.seq : p.cm_seq;
    f.tcp.seq = seq;
    f.tcp.len = len;
    f.tcp.ack = to_server ? p.cm_seq : p.seq;
    f.tcp.flags = TcpInfo::kAck | TcpInfo::kPsh;
    seq += len;
    SkinnyMessage m;
    m.id = id;
    if (id == skinny::kRegisterReq) m.device_name = p.device;
    if (id == skinny::kRegisterAck) {
        m.has_keepalive_interval = m.has_secondary_interval = true;
        m.keepalive_interval = 60;
        m.secondary_interval = 120;
    }
    f.skinny.push_back(m);
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint32_t nsip = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 20000;
    const std::uint32_t nsccp = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 5000;
    const Nanos duration = seconds(argc > 3 ? std::atoi(argv[3]) : 3600);
    const Nanos t0 = seconds(1683878400);

    std::vector<Phone> phones(nsip + nsccp);
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue;
    for (std::uint32_t i = 0; i < phones.size(); ++i) {
        Phone& p = phones[i];
        p.sccp = i >= nsip;
        p.index = i;
        p.ip = IpAddr::v4((p.sccp ? 0x0a500001u : 0x0a400001u) + i);
        char mac[13];
        std::snprintf(mac, sizeof mac, "%012llX", static_cast<unsigned long long>(0x001e13000000ull + i));
        p.device = p.sccp ? std::string("SEP") + mac : std::string("+u.sip!devicename.ccm.cisco.com=\"SEP") + mac + "\"";
        p.instance = std::string("+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-") + mac + ">\"";
        p.call_id = std::string(mac) + "-fleet@" + p.ip.to_string();
        p.aor = "sip:" + std::to_string(100000 + i) + "@10.1.0.10";
        p.uri = "sip:" + std::to_string(100000 + i) + "@" + p.ip.to_string() + ":5060";
        // Spread the phones' phases over one interval, as the fleet scenario does.
        const Nanos phase = (p.sccp ? seconds(60) : seconds(115)) * Nanos{i} / static_cast<Nanos>(phones.size());
        queue.push({t0 + phase, i, 0});
    }

    Engine engine{Config{}};
    Frame f;
    std::uint32_t number = 0;
    auto start = std::chrono::steady_clock::now();
    while (!queue.empty() && queue.top().time < t0 + duration) {
        Event e = queue.top();
        queue.pop();
        Phone& p = phones[e.phone];
        if (!p.sccp) {
            bool request = e.step == 0;
            if (request) {
                ++p.cseq;
            }
            base(f, ++number, e.time, p, request);
            sip(f, p, request);
            engine.process(f);
            queue.push(request ? Event{e.time + millis(12), e.phone, 1} : Event{e.time + seconds(115), e.phone, 0});
        } else if (e.step == 0) {
            base(f, ++number, e.time, p, true);
            sccp(f, p, true, skinny::kRegisterReq, 140);
            engine.process(f);
            base(f, ++number, e.time + millis(2), p, false);
            sccp(f, p, false, skinny::kRegisterAck, 28);
            engine.process(f);
            queue.push({e.time + seconds(60), e.phone, 1});
        } else {
            bool req = e.step == 1;
            base(f, ++number, e.time, p, req);
            sccp(f, p, req, req ? skinny::kKeepAliveReq : skinny::kKeepAliveAck, 12);
            engine.process(f);
            queue.push(req ? Event{e.time + millis(3), e.phone, 2} : Event{e.time + seconds(60) - millis(3), e.phone, 1});
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t endpoints = phones.size();
    std::printf("endpoints %zu (SIP %u, SCCP %u), frames %u, simulated %lld s\n", endpoints, nsip, nsccp, number,
                static_cast<long long>(duration / kSecond));
    std::printf("state_bytes %zu = %.0f bytes per endpoint\n", engine.state_bytes(),
                double(engine.state_bytes()) / double(endpoints));
    std::printf("cache_bytes %zu = %.1f bytes per frame\n", engine.cache_bytes(), double(engine.cache_bytes()) / number);
    std::printf("engine time %.3f s = %.0f ns per frame\n", secs, secs * 1e9 / number);
    return 0;
}
