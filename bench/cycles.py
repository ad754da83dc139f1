#!/usr/bin/env python3
"""bench/cycles.py [--build DIR]: what the plugin adds to tshark per frame, counted rather than
timed, on a steady stretch of the fleet capture.

Wall times on a shared machine swing by more than the plugin costs; callgrind's counts do not. This
runs tshark (summary lines, as bench/run.py's summary mode) under callgrind with a cache simulation
(I1 32 KiB, D1 48 KiB, LL 2 MiB), with and without the plugin, on two cuts of the fleet capture
that start at the same frame: WARM frames, and WARM + MEASURE frames. The difference of the two is
the last MEASURE frames, analysed with the state of the frames before them (the engine has seen
every phone once: SIP phones refresh every 115 s, which WARM frames cover), so first sights, table
growth and start-up do not count. Reported per frame of that stretch: instructions, instruction
and data cache misses, last-level misses, and kcachegrind's cycle estimate (Ir + 10 x L1 misses +
100 x LL misses) with its ratio to tshark alone. The two variants run at once, one per CPU.
Wireshark's hash tables draw a random multiplier at start-up (g_random_int), which moves tshark's
own counts by about 1% and its cache misses by much more between runs: a small preloaded library
returns the same sequence in every run, so that runs differ only by what they run.
Takes about 15 minutes; not part of make test.
"""

import argparse
import os
import shutil
import subprocess
import tempfile

import run

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
CACHES = ["--I1=32768,8,64", "--D1=49152,12,64", "--LL=2097152,16,64"]
EVENTS = ["Ir", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"]
# GLib's g_random_int() as a fixed sequence (splitmix64).
FIXED_RANDOM = r"""
#include <stdint.h>
uint32_t g_random_int(void) {
    static uint64_t s;
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}
"""


def totals(path):
    """The event totals of a callgrind output file."""
    names = None
    with open(path) as f:
        for line in f:
            if line.startswith("events:"):
                names = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                return dict(zip(names, map(int, line.split()[1:])))
    raise SystemExit("no totals in " + path)


def cycles(t):
    return t["Ir"] + 10 * (t["I1mr"] + t["D1mr"] + t["D1mw"]) + 100 * (t["ILmr"] + t["DLmr"] + t["DLmw"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--capture", help="default: BUILD/bench/fleet.pcap (generated when missing)")
    ap.add_argument("--start", type=int, default=1000001, help="first frame of the cuts")
    ap.add_argument("--warm", type=int, default=60000)
    ap.add_argument("--measure", type=int, default=40000)
    a = ap.parse_args()
    harness, cap = run.fleet(a.build, a.capture)
    harness.assert_plugin_loaded()
    work = tempfile.mkdtemp(prefix="ka-cycles-")
    try:
        measure(a, harness, cap, work)
    finally:
        shutil.rmtree(work, True)


def measure(a, harness, cap, work):
    os.chmod(work, 0o777)  # tshark runs unprivileged and writes its profiles here
    empty = os.path.join(work, "noplugin")
    os.mkdir(empty)
    os.chmod(empty, 0o755)
    source = os.path.join(work, "fixed_random.c")
    with open(source, "w") as f:
        f.write(FIXED_RANDOM)
    shim = os.path.join(work, "fixed_random.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", shim, source], check=True)
    os.chmod(shim, 0o755)

    cuts = {}
    for name, n in (("warm", a.warm), ("all", a.warm + a.measure)):
        path = os.path.join(work, name + ".pcap")
        subprocess.run(["editcap", "-r", cap, path, "%d-%d" % (a.start, a.start + n - 1)], check=True)
        os.chmod(path, 0o644)
        cuts[name] = path

    def command(variant, cut, out):
        cmd = harness.command(["-n", "-r", cuts[cut]])
        if variant == "none":
            cmd = [("WIRESHARK_PLUGIN_DIR=" + empty) if c.startswith("WIRESHARK_PLUGIN_DIR=") else c for c in cmd]
        i = cmd.index("tshark")
        return cmd[:i] + ["LD_PRELOAD=" + shim, "valgrind", "--tool=callgrind", "--cache-sim=yes"] + CACHES + \
            ["--callgrind-out-file=" + out] + cmd[i:]

    t = {}
    for cut in ("warm", "all"):
        procs = []
        for cpu, variant in enumerate(("none", "plugin")):
            out = os.path.join(work, "%s.%s.out" % (variant, cut))
            cmd = ["taskset", "-c", str(cpu % os.cpu_count())] + command(variant, cut, out)
            procs.append((variant, out, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
        for variant, out, p in procs:
            _, err = p.communicate()
            if p.returncode != 0 or "Dissector bug" in err:
                raise SystemExit("tshark under callgrind failed:\n" + err[-2000:])
            t[variant, cut] = totals(out)

    n = a.measure
    steady = {v: {e: t[v, "all"].get(e, 0) - t[v, "warm"].get(e, 0) for e in EVENTS} for v in ("none", "plugin")}
    print("Frames %d-%d of %s, per frame of the last %d (warmed by the %d before):\n" %
          (a.start, a.start + a.warm + a.measure - 1, os.path.basename(cap), n, a.warm))
    print("| | instructions | I1 misses | D1 misses | LL misses | estimated cycles |")
    print("|---|---|---|---|---|---|")
    rows = [("tshark alone", steady["none"]), ("with the plugin", steady["plugin"]),
            ("added", {e: steady["plugin"][e] - steady["none"][e] for e in EVENTS})]
    for label, s in rows:
        print("| %s | %.0f | %.1f | %.1f | %.1f | %.0f |" % (
            label, s["Ir"] / n, s["I1mr"] / n, (s["D1mr"] + s["D1mw"]) / n,
            (s["ILmr"] + s["DLmr"] + s["DLmw"]) / n, cycles(s) / n))
    print("\nRatio of estimated cycles, with / without: %.3f" % (cycles(steady["plugin"]) / cycles(steady["none"])))


if __name__ == "__main__":
    main()
