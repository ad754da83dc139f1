// The engine alone on a real capture: loads a pcap into memory, marks SIP/SKINNY/syslog frames by
// their well-known ports (standing in for Wireshark's dissector tables), then times
// ka::Engine::process over every frame, as the plugin's first pass does without tshark around it.
// For profiling the engine (perf record bench/replay fleet.pcap) and for its time per frame: the
// fastest of RUNS runs, each with a new engine, since a shared machine only ever adds time.
// With --digest it also prints a hash of everything the engine found (every frame's annotations as
// the store returns them, and its experts), so that a change meant to be a pure speed-up can be
// checked for findings left exactly as they were.
//   replay [--digest] CAPTURE [FRAMES [RUNS]]
// SPDX-License-Identifier: GPL-2.0-or-later
#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/engine.h"

namespace {

struct Record {
    std::size_t offset, captured;
    ka::Nanos time;
    bool sip, skinny, syslog, tls;
};

bool port(const ka::wire::Packet& p, std::uint16_t n) { return p.src_port == n || p.dst_port == n; }

// 64-bit FNV-1a.
class Digest {
public:
    void add(const void* data, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ static_cast<const std::uint8_t*>(data)[i]) * 0x100000001b3ull;
    }
    void add(std::uint64_t v) { add(&v, sizeof v); }
    // Strings by content, length first: their ids depend on the order they were first seen in.
    void add(const std::string& s) {
        add(s.size());
        add(s.data(), s.size());
    }
    std::uint64_t value() const { return h_; }

private:
    std::uint64_t h_ = 0xcbf29ce484222325ull;
};

// Every annotated frame's number, experts and annotations, field by field in order.
std::uint64_t findings_digest(const ka::Engine& engine, std::uint32_t frames) {
    Digest d;
    for (std::uint32_t f = 1; f <= frames; ++f) {
        const std::size_t n = engine.count(f);
        if (n == 0) continue;
        d.add(f);
        d.add(n);
        d.add(engine.experts(f));
        for (std::size_t i = 0; i < n; ++i) {
            const ka::Annotation a = engine.get(f, i);
            d.add(static_cast<std::uint64_t>(a.subject));
            d.add(static_cast<std::uint64_t>(a.role));
            d.add(engine.strings().get(a.endpoint));
            d.add(engine.strings().get(a.server));
            d.add(a.experts());
            d.add(a.present_mask());
            for (std::size_t k = 0; k < ka::kFieldCount; ++k)
                if (a.has(static_cast<ka::Field>(k))) d.add(static_cast<std::uint64_t>(a.get(static_cast<ka::Field>(k))));
        }
    }
    return d.value();
}

}  // namespace

int main(int argc, char** argv) {
    const bool digest = argc > 1 && std::strcmp(argv[1], "--digest") == 0;
    if (digest) --argc, ++argv;
    if (argc < 2) {
        std::fprintf(stderr, "usage: replay [--digest] CAPTURE [FRAMES [RUNS]]\n");
        return 2;
    }
    const std::size_t limit = argc > 2 && std::strtoull(argv[2], nullptr, 10) ? std::strtoull(argv[2], nullptr, 10) : SIZE_MAX;
    const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* pc = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (!pc) {
        std::fprintf(stderr, "replay: %s\n", err);
        return 1;
    }
    const ka::wire::Link link = ka::wire::link_from_linktype(static_cast<std::uint32_t>(pcap_datalink(pc)));
    std::vector<std::uint8_t> bytes;
    std::vector<Record> records;
    pcap_pkthdr* h;
    const u_char* d;
    ka::wire::Packet p;
    while (records.size() < limit && pcap_next_ex(pc, &h, &d) == 1) {
        Record r{bytes.size(), h->caplen, ka::Nanos(h->ts.tv_sec) * ka::kSecond + h->ts.tv_usec, false, false, false, false};
        bytes.insert(bytes.end(), d, d + h->caplen);
        if (ka::wire::decode(link, d, h->caplen, p) && !p.payload.empty()) {
            r.sip = port(p, 5060);
            r.tls = p.transport == ka::Transport::Tcp && port(p, 5061);
            r.skinny = p.transport == ka::Transport::Tcp && port(p, 2000);
            r.syslog = p.transport == ka::Transport::Udp && port(p, 514);
        }
        records.push_back(r);
    }
    pcap_close(pc);

    using Clock = std::chrono::steady_clock;
    const auto us = [](Clock::time_point a, Clock::time_point b) {
        return std::chrono::duration<double, std::micro>(b - a).count();
    };
    double best = 0, best_first = 0;
    std::size_t state = 0, cache = 0;
    std::uint64_t found = 0;
    for (int run = 0; run < runs; ++run) {
        ka::Engine engine{ka::Config{}};
        const auto start = Clock::now();
        auto mark = start;
        for (std::size_t i = 0; i < records.size(); ++i) {
            const Record& r = records[i];
            ka::RawFrame raw;
            raw.number = static_cast<std::uint32_t>(i + 1);
            raw.time = r.time;
            raw.link = link;
            raw.interface_known = false;  // libpcap gives no interface ids
            raw.data = bytes.data() + r.offset;
            raw.captured = r.captured;
            raw.saw_sip = r.sip;
            raw.saw_skinny = r.skinny;
            raw.saw_syslog = r.syslog;
            raw.saw_tls = r.tls;
            engine.process(raw);
            if (i + 1 == 100000) mark = Clock::now();
        }
        const double total = us(start, Clock::now()), first = us(start, mark);
        if (run == 0 || total < best) best = total, best_first = first;
        state = engine.state_bytes();
        cache = engine.cache_bytes();
        if (digest) found = findings_digest(engine, static_cast<std::uint32_t>(records.size()));
    }
    const double n = double(records.size());
    std::printf("%zu frames: %.3f s, %.3f us/frame", records.size(), best / 1e6, best / n);
    if (records.size() > 100000)
        std::printf(" (first 100k %.3f us/frame, rest %.3f us/frame)", best_first / 1e5, (best - best_first) / (n - 1e5));
    std::printf("\nstate %zu B, cache %zu B\n", state, cache);
    if (digest) std::printf("digest %016llx\n", static_cast<unsigned long long>(found));
    return 0;
}
