# SPDX-License-Identifier: Apache-2.0
"""The command line: --check-config on good and bad configs, --version, a bad config at start,
SIGINT."""

import os
import re
import signal
import subprocess
import unittest

import gslbd_harness as h

BROKEN = "broken/broken.zone.yaml"
# (line, column) of each error in data/broken/broken.zone.yaml, 1-based, at the offending node:
# bad A data, unknown type, bad duration, unknown key
BROKEN_POSITIONS = [(17, 12), (19, 11), (23, 10), (28, 5)]


class CheckConfig(unittest.TestCase):
    def config_dir(self, zones=None):
        server = h.Server(h.ServerSpec(zones=zones))
        self.addCleanup(server.cleanup)
        return server

    def run_binary(self, *args):
        return subprocess.run([h.binary()] + list(args), capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def test_good_config(self):
        server = self.config_dir()
        p = self.run_binary("--check-config", "-c", server.main_path)
        self.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, "one summary line expected on stdout:\n%s" % p.stdout)
        self.assertTrue(lines[0].strip(), "empty summary line")

    def test_bad_config_reports_every_error(self):
        server = self.config_dir(zones=["example.com.zone.yaml", BROKEN])
        p = self.run_binary("--check-config", "-c", server.main_path)
        self.assertEqual(p.returncode, 1, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))
        errors = re.findall(r"^(\S*broken\.zone\.yaml):(\d+):(\d+): (.+)$", p.stderr, re.M)
        self.assertEqual(sorted((int(e[1]), int(e[2])) for e in errors), BROKEN_POSITIONS,
                         "error positions, from stderr:\n%s" % p.stderr)
        for path, _line, _col, message in errors:
            self.assertEqual(os.path.basename(path), "broken.zone.yaml", path)
            self.assertTrue(message.strip(), "empty message")
        self.assertNotRegex(p.stderr, r"example\.com\.zone\.yaml:\d+",
                            "the good zone file was reported")

    def test_missing_file(self):
        p = self.run_binary("--check-config", "-c", "/nonexistent/gslbd-system-test.yaml")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("gslbd-system-test.yaml", p.stderr)

    def test_bad_config_at_start_exits_nonzero(self):
        server = self.config_dir(zones=["example.com.zone.yaml", BROKEN])
        port = h.free_port(False)
        p = self.run_binary("-c", server.main_path, "--listen", "127.0.0.1:%d" % port)
        self.assertNotEqual(p.returncode, 0, "gslbd started with a broken config")
        self.assertRegex(p.stderr, r"broken\.zone\.yaml:\d+:\d+: ")

    def test_sigint_exits_zero(self):
        server = h.Server(h.ServerSpec(args=["--log-level", "debug"]))
        self.addCleanup(server.cleanup)
        server.start()
        try:
            server.signal(signal.SIGINT)
            rc = server.proc.wait(h.STOP_TIMEOUT)
        finally:
            server.kill()
        self.assertEqual(rc, 0, "exit status after SIGINT\n" + server.stderr_text())

    def test_version(self):
        p = self.run_binary("--version")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\d+\.\d+\.\d+")


if __name__ == "__main__":
    h.main()
