#!/usr/bin/env python3
"""`make package` builds a .deb that puts the plugin where a plain root tshark finds it."""
# SPDX-License-Identifier: GPL-2.0-or-later
import glob
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PACKAGE = "wireshark-plugin-keepalive"


def run(*cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True).stdout


@unittest.skipUnless(os.geteuid() == 0, "installs a package: needs root (CI runs as root)")
class Package(unittest.TestCase):
    def test_deb_installs_into_the_global_plugin_folder(self):
        run("cpack", "-B", harness.BUILD, "--config", os.path.join(harness.BUILD, "CPackConfig.cmake"))
        debs = glob.glob(os.path.join(harness.BUILD, PACKAGE + "_*.deb"))
        self.assertEqual(len(debs), 1, debs)
        info = run("dpkg-deb", "-f", debs[0], "Depends")
        # Plugins are tied to the major.minor they were built for: 4.0 on bookworm, 4.4 on trixie, 4.2
        # on Ubuntu 24.04, whose library packages are named for their 64-bit time_t (libwireshark17t64).
        major, minor = (int(v) for v in run("pkg-config", "--modversion", "wireshark").split(".")[:2])
        self.assertRegex(info, r"libwireshark\d+(t64)? \(>= %d\.%d\.0\), libwireshark\d+(t64)? \(<< %d\.%d\)"
                         % (major, minor, major, minor + 1))
        plugindir = run("pkg-config", "--variable=plugindir", "wireshark").strip()
        self.assertIn("./" + plugindir.lstrip("/") + "/epan/keepalive.so", run("dpkg-deb", "-c", debs[0]))

        was_installed = subprocess.run(["dpkg", "-s", PACKAGE], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL).returncode == 0
        run("dpkg", "-i", debs[0])
        try:
            # Plain tshark as root: no personal plugin folder involved.
            env = {k: v for k, v in os.environ.items() if k != "WIRESHARK_PLUGIN_DIR"}
            plugins = subprocess.run(["tshark", "-G", "plugins"], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True).stdout
            self.assertIn(os.path.join(plugindir, "epan", "keepalive.so"), plugins)
            protocols = subprocess.run(["tshark", "-G", "protocols"], env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True).stdout
            self.assertIn("\tkeepalive", protocols)
        finally:
            if not was_installed:
                run("dpkg", "-r", PACKAGE)


if __name__ == "__main__":
    harness.main()
