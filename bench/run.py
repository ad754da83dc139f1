#!/usr/bin/env python3
"""bench/run.py [--build DIR] [--pairs N]: the plugin's cost in tshark, against tshark alone and
against a Lua post-dissector (bench/keepalive.lua) reading the same fields (small run).

Uses the `fleet` scenario capture (generated into BUILD/bench/ with ka-gen if missing). For each
mode, runs alternately tshark without the plugin, with it, and with the Lua script, N times, timing
each run (wall and user+sys CPU time) and taking its peak RSS (/usr/bin/time); every other pair
runs the plugin first. Reports medians, the ratio of the medians, the median of the per-pair
ratios and the ratio of the fastest runs. With --concurrent, the two runs of a pair run at the
same time instead, each pinned to its own CPU (swapped every pair): both then share whatever load
the machine has, which on a shared virtual machine gives steadier ratios (the Lua alternative is
not run then). tshark runs
as in the integration tests (unprivileged, WIRESHARK_PLUGIN_DIR), "without" with an empty plugin
folder. Modes:
  summary  tshark -n -r F                    (summary lines to /dev/null)
  fields   tshark -n -r F -T fields -e frame.number
  stats    -q -z keepalive,tree (plugin) vs -q -z sip,stat (without)
  small    summary mode on the first --small frames (-c), for time per frame at two sizes, and
           the Lua alternative (too slow for the full capture on a shared machine);
  startup  summary mode with -c 1, subtracted for the per-frame figures;
  calls    summary mode on the `fleet-calls` capture (BUILD/bench/fleet-calls.pcap): the fleet's
           first minute with 100 calls' RTP, 92% of its frames, as a voice VLAN's SPAN sees it;
  data     summary mode on the `fleet-data` capture: the fleet's first minute with 100 bulk TCP
           downloads, 84% of its frames, as a trunk that also carries data sees it.
Then runs bench/engine_state.cpp (built against BUILD's libkacore.a) for the engine's state per
endpoint, and bench/replay.cpp for the engine's own time per frame on the capture, without tshark.
Prints a Markdown report.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import glob
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    ts = subprocess.run(["tshark", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                        text=True).stdout.splitlines()[0]
    return "%d CPUs (%s), %d MiB RAM, %s, %s" % (os.cpu_count(), cpu, mem, platform.platform(), ts)


def frame_count(path):
    out = subprocess.run(["capinfos", "-c", "-M", path], stdout=subprocess.PIPE, text=True).stdout
    return int(re.search(r"Number of packets:\s*(\d+)", out).group(1))


class Runner:
    def __init__(self, harness, lua):
        self.harness = harness
        self.empty = tempfile.mkdtemp(prefix="ka-bench-noplugin-")
        os.chmod(self.empty, 0o755)
        # Not in the plugin folder: Wireshark would load a .lua found there into every run.
        scripts = tempfile.mkdtemp(prefix="ka-bench-lua-")
        os.chmod(scripts, 0o755)
        self.lua = os.path.join(scripts, "keepalive.lua")
        shutil.copy(lua, self.lua)
        os.chmod(self.lua, 0o644)

    def command(self, variant, args):
        cmd = self.harness.command(args)
        if variant != "plugin":
            cmd = [("WIRESHARK_PLUGIN_DIR=" + self.empty) if a.startswith("WIRESHARK_PLUGIN_DIR=") else a for a in cmd]
        if variant == "lua":
            cmd += ["-X", "lua_script:" + self.lua]
        return cmd

    def run(self, variant, args):
        """(wall seconds, peak RSS KiB, CPU seconds) of one tshark run, output to /dev/null."""
        return self.run_together([(variant, args, None)])[0]

    def run_together(self, runs):
        """Starts the runs [(variant, args, CPU or None)] at once, each pinned to its CPU; their
        (wall seconds, peak RSS KiB, CPU seconds) in order."""
        started = []
        for variant, args, cpu in runs:
            pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
            cmd = pin + ["/usr/bin/time", "-f", "KA_MAXRSS %M KA_CPU %U %S KA_WALL %e"] + self.command(variant, args)
            started.append((cmd, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
        results = []
        for cmd, p in started:
            _, err = p.communicate()
            if p.returncode != 0 or "Dissector bug" in err:
                raise SystemExit("tshark failed: %s\n%s" % (" ".join(cmd), err[-2000:]))
            m = re.search(r"KA_MAXRSS (\d+) KA_CPU ([\d.]+) ([\d.]+) KA_WALL ([\d.]+)", err)
            results.append((float(m.group(4)), int(m.group(1)), float(m.group(2)) + float(m.group(3))))
        return results


def generated(build, scenario, path=None):
    """The benchmark scenario's capture, BUILD/bench/SCENARIO.pcap unless given (generated when missing)."""
    cap = path or os.path.join(build, "bench", scenario + ".pcap")
    if not os.path.exists(cap):
        subprocess.run([os.path.join(build, "captures", "generator", "ka-gen"), os.path.dirname(cap), scenario], check=True)
    return cap


def fleet(build_arg, capture):
    """The harness module set up for BUILD, and the fleet capture (generated when missing)."""
    build = os.path.abspath(build_arg)
    os.environ["KA_BUILD_DIR"] = build
    sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
    import harness

    return harness, generated(build, "fleet", capture)


def build_tools(build):
    """bench/engine_state and bench/replay, built against BUILD's libkacore.a."""
    lib = os.path.join(build, "libkacore.a")
    tools = []
    for name, libs in (("engine_state", []), ("replay", ["-lpcap"])):
        tool = os.path.join(build, "bench", name)
        os.makedirs(os.path.dirname(tool), exist_ok=True)
        subprocess.run(["c++", "-std=c++17", "-O2", "-I", os.path.join(SOURCE, "plugin"), os.path.join(HERE, name + ".cpp"),
                        lib] + libs + ["-o", tool], check=True)
        tools.append(tool)
    return tools


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--capture", help="default: BUILD/bench/fleet.pcap (generated when missing)")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--small", type=int, default=100000, help="frames of the small run")
    ap.add_argument("--modes", default="summary,fields,stats,small,startup,calls,data")
    ap.add_argument("--no-lua", action="store_true")
    ap.add_argument("--concurrent", action="store_true", help="run the two variants of a pair at once, one per CPU")
    a = ap.parse_args()
    if a.concurrent and len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("--concurrent needs two CPUs")
    build = os.path.abspath(a.build)
    harness, cap = fleet(build, a.capture)
    frames = frame_count(cap)
    r = Runner(harness, os.path.join(HERE, "keepalive.lua"))
    harness.assert_plugin_loaded()
    # The engine's own tools are built first: a missing header (libpcap-dev, which `make bench`
    # installs) stops the run before the timed runs, not after them.
    tool, replay = build_tools(build)

    def readable(path):
        """The sandbox copy tshark reads, read once into the page cache so that no variant pays for the disk."""
        copy = harness._capture_copy(os.path.abspath(path))
        with open(copy, "rb") as f:
            while f.read(1 << 24):
                pass
        return copy

    copy = readable(cap)
    calls = readable(generated(build, "fleet-calls")) if "calls" in a.modes.split(",") else None
    data = readable(generated(build, "fleet-data")) if "data" in a.modes.split(",") else None
    modes = {
        "summary": ({"none": ["-n", "-r", copy]}, None),
        # RTP as tshark decodes it when the calls' SDP is in the capture (fleet-calls has none).
        "calls": ({"none": ["-n", "-r", calls, "--enable-heuristic", "rtp_udp"]}, None),
        "data": ({"none": ["-n", "-r", data]}, None),
        "fields": ({"none": ["-n", "-r", copy, "-T", "fields", "-e", "frame.number"]}, None),
        "stats": ({"none": ["-n", "-r", copy, "-q", "-z", "sip,stat"],
                   "plugin": ["-n", "-r", copy, "-q", "-z", "keepalive,tree"]}, None),
        "small": ({"none": ["-n", "-r", copy, "-c", str(a.small)]}, a.small),
        "startup": ({"none": ["-n", "-r", copy, "-c", "1"]}, 1),
    }
    lua = not a.no_lua and not a.concurrent and "small" in a.modes.split(",")
    results = {}
    pair_ratios = {}
    print("# fleet: %s, %d frames; %d runs of each variant per mode, %s" % (
        os.path.basename(cap), frames, a.pairs, "concurrent, one per CPU" if a.concurrent else "alternating"), flush=True)
    cpus = sorted(os.sched_getaffinity(0))[:2]
    for mode in a.modes.split(","):
        argsets, _ = modes[mode]
        # The Lua alternative is several times slower: timed on the small run only.
        variants = ["none", "plugin"] + (["lua"] if lua and mode == "small" else [])
        samples = {v: [] for v in variants}
        for i in range(a.pairs):
            if a.concurrent:
                # The CPUs swap every pair: a slower one then favours neither variant.
                pin = cpus if i % 2 == 0 else cpus[::-1]
                both = r.run_together([(v, argsets.get(v, argsets["none"]), c) for v, c in zip(variants, pin)])
                for v, res in zip(variants, both):
                    samples[v].append(res)
            else:
                # Every other pair runs the plugin first: a load that rises or falls during the run
                # then favours neither variant.
                for v in (variants if i % 2 == 0 else ["plugin", "none"] + variants[2:]):
                    samples[v].append(r.run(v, argsets.get(v, argsets["none"])))
            print("  %s pair %d: %s" % (mode, i + 1, ", ".join("%s %.2f s (CPU %.2f s) %d MiB" % (v, s[-1][0], s[-1][2], s[-1][1] // 1024)
                                                             for v, s in samples.items())), flush=True)
        results[mode] = {v: tuple(statistics.median(x[k] for x in s) for k in range(3)) for v, s in samples.items()}
        # The two runs of a pair ran back to back, under the same load: their ratio is steadier.
        # Load from elsewhere only ever adds time: the fastest run of each variant is the other
        # estimate of its undisturbed cost.
        pairs = list(zip(samples["none"], samples["plugin"]))
        pair_ratios[mode] = (statistics.median(p[0] / n[0] for n, p in pairs),
                             statistics.median(p[2] / n[2] for n, p in pairs),
                             min(x[0] for x in samples["plugin"]) / min(x[0] for x in samples["none"]))

    print("\n## Results (%s)\n" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    print("Machine: %s; load average at the end %s\n" % (machine(), " ".join(open("/proc/loadavg").read().split()[:3])))
    print("| mode | without plugin | with plugin | ratio | ratio per pair | fastest ratio | CPU without | CPU with | CPU ratio | "
          "CPU ratio per pair | RSS without | RSS with | RSS ratio |%s" % (" Lua | Lua ratio | Lua RSS |" if lua else ""))
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|%s" % ("---|---|---|" if lua else ""))
    for mode, res in results.items():
        (tn, mn, cn), (tp, mp, cp) = res["none"], res["plugin"]
        wall_pair, cpu_pair, fastest = pair_ratios[mode]
        line = "| %s | %.2f s | %.2f s | %.3f | %.3f | %.3f | %.2f s | %.2f s | %.3f | %.3f | %d MiB | %d MiB | %.3f |" % (
            mode, tn, tp, tp / tn, wall_pair, fastest, cn, cp, cp / cn, cpu_pair, mn // 1024, mp // 1024, mp / mn)
        if "lua" in res:
            tl, ml, _ = res["lua"]
            line += " %.2f s | %.2f | %d MiB |" % (tl, tl / tn, ml // 1024)
        print(line + (" | | |" if lua and "lua" not in res else ""))
    if "small" in results and "summary" in results and "startup" in results:
        print("\nTime per frame (summary mode, tshark start-up from the -c 1 run subtracted):\n")
        for v in ("none", "plugin"):
            s0 = results["startup"][v][0]
            small = (results["small"][v][0] - s0) / a.small * 1e6
            full = (results["summary"][v][0] - s0) / frames * 1e6
            print("- %s: %.2f us/frame at %d frames, %.2f us/frame at %d frames (ratio %.3f)" %
                  (v, small, a.small, full, frames, full / small))
        added_small = ((results["small"]["plugin"][0] - results["small"]["none"][0]) / a.small) * 1e6
        added_full = ((results["summary"]["plugin"][0] - results["summary"]["none"][0]) / frames) * 1e6
        print("- plugin's own cost: %.2f us/frame at %d frames, %.2f us/frame at %d frames" %
              (added_small, a.small, added_full, frames))

    print("\nEngine state (bench/engine_state, synthetic fleet of the same shape):\n")
    print("```\n" + subprocess.run([tool], stdout=subprocess.PIPE, text=True, check=True).stdout + "```")
    print("\nThe engine alone on the capture (bench/replay, fastest of 3 runs):\n")
    print("```\n" + subprocess.run([replay, cap, "0", "3"], stdout=subprocess.PIPE, text=True, check=True).stdout + "```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
