#!/usr/bin/env python3
"""The shipped "Keepalive" profile loads without complaint and shows its columns and colours."""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PROFILE = os.path.join(harness.SOURCE, "packaging", "profile", "Keepalive")
CAPTURE = os.path.join(harness.GENERATED, "sip-tcp-case-study-b.pcap")


def install_profile():
    root = harness._make_sandbox()
    dest = os.path.join(root, "home", ".config", "wireshark", "profiles", "Keepalive")
    if not os.path.isdir(dest):
        shutil.copytree(PROFILE, dest)
        for d, _, files in os.walk(os.path.dirname(dest)):
            os.chmod(d, 0o777)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)


def run(args):
    p = subprocess.run(harness.command(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


class Profile(unittest.TestCase):
    def setUp(self):
        install_profile()

    def test_profile_files_parse(self):
        # Bad preference, colouring rule or filter makes tshark complain on stderr.
        code, out, err = run(["-C", "Keepalive", "--color", "-r", harness._capture_copy(CAPTURE), "-c", "5"])
        self.assertEqual(code, 0, err)
        self.assertEqual(err.strip(), "", err)

    def test_custom_columns_show_the_endpoint(self):
        code, out, err = run(["-C", "Keepalive", "-r", harness._capture_copy(CAPTURE), "-Y", "keepalive.endpoint"])
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertTrue(lines, "no annotated frame")
        for line in lines:
            self.assertIn("SEPA44C118F2E61", line)

    def test_colouring_rules_keep_ordinary_keepalives_readable(self):
        # colorfilters lists [background][foreground]: the catch-all rule must be a light background
        # with dark text, errors a dark background with light text.
        def luminance(rgb):
            r, g, b = (int(x) / 65535 for x in rgb.split(","))
            return 0.2126 * r + 0.7152 * g + 0.0722 * b

        rules = {}
        for line in open(os.path.join(PROFILE, "colorfilters")):
            if line.startswith("@"):
                _, name, _, colours = line.rstrip("\n").split("@")
                bg, fg = colours.strip("[]").split("][")
                rules[name] = (luminance(bg), luminance(fg))
        self.assertGreater(rules["KA keepalive"][0], 0.8)
        self.assertLess(rules["KA keepalive"][1], 0.2)
        self.assertLess(rules["KA grace breach"][0], 0.3)
        self.assertGreater(rules["KA grace breach"][1], 0.8)

    def test_every_filter_of_the_profile_compiles(self):
        filters = []
        for name in ("dfilter_buttons", "io_graphs"):
            for line in open(os.path.join(PROFILE, name)):
                if line.startswith('"'):
                    filters.append(line.split('","')[2])
        for line in open(os.path.join(PROFILE, "colorfilters")):
            if line.startswith("@"):
                filters.append(line.split("@")[2])
        self.assertGreaterEqual(len(filters), 15)
        for f in filters:
            if f:
                code, _, err = run(["-Y", f, "-r", harness._capture_copy(CAPTURE), "-c", "1"])
                self.assertEqual(code, 0, "%s: %s" % (f, err))


if __name__ == "__main__":
    harness.main()
