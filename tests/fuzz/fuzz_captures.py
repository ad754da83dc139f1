#!/usr/bin/env python3
"""fuzz_captures.py BUILD_DIR: Wireshark-style capture fuzzing of the plugin.

Mutates every bundled capture (captures/third_party and BUILD_DIR/captures) with `editcap -E RATE
--seed N` at several rates (three seeds in five also restamp every frame: TIMES) and dissects each
mutated file with the system tshark and the plugin of BUILD_DIR, which should be an AddressSanitizer
+ UndefinedBehaviorSanitizer build (cmake -DKA_SANITIZE=ON): libasan is preloaded into tshark, which
is not instrumented itself. tshark runs as in the integration tests (unprivileged,
WIRESHARK_PLUGIN_DIR), with -V so that every annotation is rendered, and with the keepalive
statistics tree; a capture's key log and Decode As come along (decrypted SIP and SKINNY are fuzzed
too). Fails on any crash, sanitizer report or "Dissector bug" line naming the plugin; prints a
summary. Failing files are kept in --keep.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
RATES = [0.001, 0.005, 0.01, 0.02, 0.05]
# editcap options that restamp every frame, by seed % 5 (the others keep their times): past 2262,
# beyond 64-bit nanoseconds (pcapng holds it); every frame 0 s after the one before it; 0.5 s.
TIMES = {2: ["-F", "pcapng", "-t", "31000000000"], 3: ["-S", "-0"], 4: ["-S", "-0.5"]}
# Mutating the 50 MB Call-ID flood dozens of times would cost more than all the others together and
# exercise nothing they do not: captures above this size are left out.
MAX_BYTES = 5 << 20
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: AddressSanitizer",
                   "SUMMARY: UndefinedBehaviorSanitizer")
OURS = ("keepalive", "Keepalive")


def asan_runtime():
    """The libasan the plugin links against (gcc's or clang's), to preload into tshark."""
    plugin = glob.glob(os.path.join(os.environ["KA_BUILD_DIR"], "plugins", "*", "epan", "keepalive.so"))[0]
    out = subprocess.run(["ldd", plugin], stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        if "libasan" in line or "libclang_rt.asan" in line:
            return line.split("=>")[1].split()[0]
    raise SystemExit("%s is not built with AddressSanitizer (configure with -DKA_SANITIZE=ON)" % plugin)


def run(harness, preload, args):
    """tshark with the plugin (harness.command) and the sanitizer runtime preloaded."""
    cmd = harness.command(args)
    at = cmd.index("env") + 1
    # tshark leaks by design at exit: leak reports would drown everything else.
    cmd[at:at] = ["LD_PRELOAD=" + preload, "ASAN_OPTIONS=detect_leaks=0:exitcode=86",
                  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, errors="replace")


def check(harness, preload, path, two_pass, options):
    """Dissects one file with the original capture's `options` (key log, Decode As); returns (problem
    or None, number of Dissector bug lines not naming the plugin)."""
    args = ["-n", "-V", "-r", path, "-z", "keepalive,tree"] + options
    if two_pass:
        args.insert(0, "-2")
    p = run(harness, preload, args)
    others = 0
    for stream in (p.stdout, p.stderr):
        for line in stream.splitlines():
            if "Dissector bug" in line:
                if any(o in line for o in OURS):
                    return "dissector bug: " + line.strip(), others
                others += 1
    for mark in SANITIZER_MARKS:
        if mark in p.stderr:
            return "sanitizer: " + p.stderr[p.stderr.index(mark):][:2000], others
    if p.returncode < 0:
        return "killed by signal %d" % -p.returncode, others
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, p.stderr.strip()[-500:]), others
    return None, others


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", help="build directory with a KA_SANITIZE=ON plugin and generated captures")
    ap.add_argument("--files", type=int, default=2000, help="mutated files to test (at least)")
    ap.add_argument("--first-seed", type=int, default=1,
                    help="first editcap seed: a later run can mutate files no earlier run has tried")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", default=None, help="where failing files are copied (default BUILD/fuzz-failures)")
    a = ap.parse_args()
    os.environ["KA_BUILD_DIR"] = os.path.abspath(a.build)
    sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
    import harness  # noqa: E402  (reads KA_BUILD_DIR)
    from seed_corpus import capture_options  # noqa: E402

    captures = sorted(c for c in glob.glob(os.path.join(SOURCE, "captures", "third_party", "*.pcap*")) +
                      glob.glob(os.path.join(os.environ["KA_BUILD_DIR"], "captures", "*.pcap*"))
                      if os.path.getsize(c) <= MAX_BYTES)
    if not captures:
        raise SystemExit("no captures found")
    preload = asan_runtime()
    loaded = run(harness, preload, ["-G", "protocols"])
    if not any(line.split("\t")[2:3] == ["keepalive"] for line in loaded.stdout.splitlines()):
        raise SystemExit("the sanitizer build of the plugin did not load: " + loaded.stderr[-2000:])
    keep = a.keep or os.path.join(a.build, "fuzz-failures")
    per_capture = -(-a.files // (len(captures) * len(RATES)))
    seeds = range(a.first_seed, a.first_seed + per_capture)
    work = tempfile.mkdtemp(prefix="ka-fuzzcap-")
    os.chmod(work, 0o755)
    jobs = []
    for cap in captures:
        for rate in RATES:
            for seed in seeds:
                jobs.append((cap, rate, seed))

    def one(job):
        cap, rate, seed = job
        times = TIMES.get(seed % 5, [])
        ng = cap.endswith("ng") or "pcapng" in times
        name = "%s-E%s-s%d%s" % (os.path.basename(cap).split(".")[0], rate, seed, ".pcapng" if ng else ".pcap")
        path = os.path.join(work, name)
        subprocess.run(["editcap", "-E", str(rate), "--seed", str(seed)] + times + [cap, path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.chmod(path, 0o644)
        problem, others = check(harness, preload, path, seed % 4 == 0, capture_options(cap, harness._capture_copy))
        if problem:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(path, keep)
        os.unlink(path)
        return name, problem, others

    start = time.time()
    failures, others, done = [], 0, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for name, problem, n in pool.map(one, jobs):
            done += 1
            others += n
            if problem:
                failures.append((name, problem))
                print("FAIL %s: %s" % (name, problem.splitlines()[0]), flush=True)
            if done % 250 == 0:
                print("%d/%d files, %d failures, %.0f s" % (done, len(jobs), len(failures), time.time() - start), flush=True)
    shutil.rmtree(work, True)
    print("\nfuzz-captures: %d mutated files from %d captures at rates %s (seeds %d..%d), %.0f s" %
          (done, len(captures), ", ".join(map(str, RATES)), seeds[0], seeds[-1], time.time() - start))
    print("  crashes, sanitizer reports, plugin Dissector bugs: %d" % len(failures))
    print("  Dissector bug lines of other dissectors (not ours): %d" % others)
    for name, problem in failures:
        print("  %s (kept in %s): %s" % (name, keep, problem))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
