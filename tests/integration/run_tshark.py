#!/usr/bin/env python3
"""run_tshark.py BUILD_DIR TSHARK_ARGS...: tshark with the plugin built in BUILD_DIR (also as root)."""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import subprocess
import sys

os.environ.setdefault("KA_BUILD_DIR", os.path.abspath(sys.argv[1]))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

args = sys.argv[2:]
if "-r" in args:  # the capture must be readable by the unprivileged user
    i = args.index("-r") + 1
    args[i] = harness._capture_copy(os.path.abspath(args[i]))
sys.exit(subprocess.run(harness.command(args), cwd=harness.workdir()).returncode)
