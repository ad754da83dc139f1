// libFuzzer target for the text the engine parses: the input is split into lines, and the lines
// become the Contact URI and header parameters (sip.contact.parameter strings such as
// `expires=120`, `+sip.instance="<urn:uuid:...>"`) of a phone's REGISTER and of the registrar's
// 200 OK, a SKINNY device name, and CUCM syslog messages, inside an otherwise well-formed exchange
// so that the parsed values go on to drive the analysis. The whole input is also cut as a syslog
// TCP stream.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/sip_contact.h"
#include "core/syslog_parse.h"
#include "fuzz_input.h"
#include "read_back.h"

namespace {

constexpr std::size_t kMaxLines = 64;

struct Exchange {
    ka::Engine engine{ka::Config{}};
    ka::Frame f;
    std::uint32_t number = 0;
    volatile std::size_t sink = 0;

    void begin(ka::Nanos t, std::uint8_t src, std::uint8_t dst, std::uint16_t sport, std::uint16_t dport) {
        f.clear();
        f.number = ++number;
        f.time = t;
        f.has_eth = true;
        f.eth_src = kafuzz::host_mac(src);
        f.eth_dst = kafuzz::host_mac(dst);
        f.src_ip = kafuzz::host_ip(src, false);
        f.dst_ip = kafuzz::host_ip(dst, false);
        f.transport = ka::Transport::Udp;
        f.src_port = sport;
        f.dst_port = dport;
    }
    void contact(ka::SipMessage& m, std::string_view uri, const std::vector<std::string_view>& params) {
        m.first_contact = static_cast<std::uint32_t>(f.contacts.size());
        m.contact_count = 1;
        ka::SipContact c;
        c.uri = uri;
        c.first_param = static_cast<std::uint32_t>(f.contact_params.size());
        c.param_count = static_cast<std::uint32_t>(params.size());
        f.contact_params.insert(f.contact_params.end(), params.begin(), params.end());
        f.contacts.push_back(c);
    }
    void sip(ka::Nanos t, bool request, std::uint32_t cseq, std::string_view uri,
             const std::vector<std::string_view>& params) {
        begin(t, request ? 10 : 1, request ? 1 : 10, 5060, 5060);
        ka::SipMessage m;
        m.is_request = request;
        m.method = request ? "REGISTER" : "";
        m.status = request ? 0 : 200;
        m.call_id = "fuzz-call@10.0.0.10";
        m.cseq = cseq;
        m.cseq_method = "REGISTER";
        m.has_expires = request;
        m.expires = 3600;
        m.to_addr = "sip:3001@10.0.0.1";
        f.sip.push_back(m);
        contact(f.sip.back(), uri, params);
        run();
    }
    void run() {
        engine.process(f);
        sink = sink + kafuzz::read_back(engine, f.number);
    }
};

// The input as a syslog TCP stream, cut as the decoder cuts it, read on past what is not a message:
// each message lies within what it was cut from, and every cut moves on or waits for more.
std::size_t cut_syslog_stream(std::string_view stream) {
    std::size_t sum = 0;
    while (!stream.empty()) {
        const ka::syslog::Framed m = ka::syslog::framed_message(stream);
        if (m.status == ka::syslog::Framed::Invalid) {
            const std::size_t next = ka::syslog::next_start(stream);
            if (next == 0 || next > stream.size()) std::abort();
            stream.remove_prefix(next);
            continue;
        }
        if (m.status != ka::syslog::Framed::Whole) break;
        if (m.length == 0 || m.skip + m.length > stream.size()) std::abort();
        const std::string_view framed = stream.substr(m.skip, m.length);
        if (!m.text.empty() && (m.text.data() < framed.data() || m.text.data() + m.text.size() > framed.data() + framed.size()))
            std::abort();
        sum += m.text.size();
        stream.remove_prefix(m.skip + m.length);
    }
    return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> lines;
    while (!text.empty() && lines.size() < kMaxLines) {
        std::size_t nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    if (lines.empty()) return 0;
    Exchange x;
    x.sink = x.sink + cut_syslog_stream(std::string_view(reinterpret_cast<const char*>(data), size));
    // The parsers on their own first, then driving the analysis.
    for (std::string_view line : lines) {
        std::uint32_t secs = 0;
        std::string_view value;
        x.sink = x.sink + (ka::sip::parse_seconds(line, secs) ? secs : 0);
        x.sink = x.sink + (ka::sip::param_named(line, "expires", value) ? value.size() : 0);
    }
    std::string_view uri = lines[0];
    std::vector<std::string_view> params(lines.begin() + 1, lines.end());

    ka::Nanos t = kafuzz::kStart;
    for (std::uint32_t cseq = 1; cseq <= 3; ++cseq) {
        x.sip(t, true, cseq, uri, params);
        x.sip(t + ka::millis(12), false, cseq, uri, params);
        t += ka::seconds(115);
    }
    // The same lines as a device name and as syslog messages from the call manager.
    x.begin(t, 20, 1, 51000, 2000);
    x.f.transport = ka::Transport::Tcp;
    x.f.tcp.present = true;
    x.f.tcp.len = 12;
    ka::SkinnyMessage reg;
    reg.id = ka::skinny::kRegisterReq;
    reg.device_name = uri;
    x.f.skinny.push_back(reg);
    x.run();
    x.begin(t + ka::seconds(1), 1, 30, 514, 514);
    x.f.syslog.assign(lines.begin(), lines.end());
    x.run();
    for (std::uint32_t n = x.number; n > 0; --n) x.sink = x.sink + kafuzz::read_back(x.engine, n);
    return 0;
}
