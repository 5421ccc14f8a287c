# SPDX-License-Identifier: Apache-2.0
"""Requests a web page could make reach the control endpoint but do nothing: with
admin_without_token, a browser-style cross-site POST (Origin, text/plain, a foreign Host) gets
403 and the member stays up; reads with a rebound Host get 403 while the address and localhost
are served. Config: token_file with admin_without_token is an error at file:line:col; a token
file others can read is a warning at --check-config, at start and on reload. The example config
in zones/ runs with its token file, and the README's gslbctl commands work against it."""

import os
import re
import signal
import socket
import subprocess
import time
import unittest

import control_harness as c
import gslbd_harness as h

ROOT = os.path.abspath(os.path.join(h.HERE, "..", ".."))
EXAMPLE = os.path.join(ROOT, "zones", "gslbd.yaml")
EXAMPLE_TOKEN = os.path.join(ROOT, "zones", "control.token")


def raw(port, text, timeout=c.HTTP_TIMEOUT):
    """Sends text as is; returns (status, body) of the reply (status 0 when none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(text.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data.startswith(b"HTTP/1.1 "):
        return 0, data
    return int(data[9:12]), data.split(b"\r\n\r\n", 1)[1].decode()


class CrossSite(c.ControlTestCase):
    TOKEN = None
    CONTROL_EXTRA = ("admin_without_token: true",)

    def post_from_page(self, host, origin="http://evil.example"):
        text = ("POST /admin/force?pool=web&member=a&state=down HTTP/1.1\r\nHost: %s\r\n" % host)
        if origin is not None:
            text += "Origin: %s\r\n" % origin
        text += "Content-Type: text/plain\r\nContent-Length: 1\r\n\r\nx"
        return raw(self.cport, text)

    def test_cross_site_post_cannot_force_a_member_down(self):
        self.wait_member_up("a", True)
        here = "127.0.0.1:%d" % self.cport
        for host, origin in (("evil.example", "http://evil.example"),
                             (here, "http://evil.example"), (here, "null"),
                             ("evil.example:%d" % self.cport, None)):
            status, body = self.post_from_page(host, origin)
            self.assertEqual(status, 403, (host, origin, body))
        m = self.member("web", "a")
        self.assertTrue(m["up"], m)
        self.assertFalse(m["forced"], m)
        # gslbctl (no Origin, Host = the address) still may.
        self.ctl_ok("force", "web", "a", "down", token=False)
        self.wait_member_up("a", False)
        self.ctl_ok("force", "web", "a", "auto", token=False)
        self.wait_member_up("a", True)

    def test_reads_with_a_rebound_host_are_refused(self):
        p = self.cport
        for target in ("/status", "/metrics", "/explain?name=web.gslb.example", "/healthz"):
            status, body = raw(p, "GET %s HTTP/1.1\r\nHost: rebound.evil.example:%d\r\n\r\n"
                               % (target, p))
            self.assertEqual(status, 403, (target, body))
            self.assertIn("rebound.evil.example", body)
        for host in ("127.0.0.1:%d" % p, "127.0.0.1", "localhost:%d" % p):
            status, body = raw(p, "GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n" % host)
            self.assertEqual(status, 200, (host, body[:200]))
        # Prometheus's own client library and http.client (what the harness uses) are served.
        self.assertEqual(self.get("/metrics").status, 200)


class TokenRules(unittest.TestCase):
    def setUp(self):
        self.server = h.Server(h.ServerSpec(control=True, token=c.TOKEN))
        self.addCleanup(self.server.cleanup)

    def check_config(self):
        return subprocess.run([h.binary(), "--check-config", "-c", self.server.main_path],
                              capture_output=True, text=True, timeout=60)

    def test_token_file_with_admin_without_token_is_an_error(self):
        self.server.spec.control_extra = ["admin_without_token: true"]
        self.server.write_config()
        p = self.check_config()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stderr, re.escape(self.server.main_path) +
                         r":\d+:\d+: 'admin_without_token': cannot be used with 'token_file'")

    def test_a_token_file_others_can_read_is_warned_about(self):
        p = self.check_config()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("warning", p.stderr)
        os.chmod(self.server.token_path, 0o644)
        p = self.check_config()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        warning = re.compile(re.escape(self.server.main_path) +
                             r":\d+:\d+: warning: 'token_file': .* readable by group or others "
                             r"\(mode 0644\); chmod 600 it")
        self.assertRegex(p.stderr, warning)
        # At start and on every reload, in the log.
        self.server.start()
        try:
            self.assertEqual(len(warning.findall(self.server.stderr_text())), 1)
            self.server.reload_and_wait()
            self.assertEqual(len(warning.findall(self.server.stderr_text())), 2)
        finally:
            self.assertEqual(self.server.stop(), (0, False))


class ExampleConfig(unittest.TestCase):
    """zones/gslbd.yaml as tools/run serves it (on free ports here), driven as the README says."""

    def test_example_runs_and_gslbctl_needs_its_token_file(self):
        dns_port = h.free_port(False)
        control_port = h.free_tcp_port(avoid=(dns_port,))
        control = "127.0.0.1:%d" % control_port
        log = open(os.devnull, "wb")
        proc = subprocess.Popen([h.binary(), "-c", EXAMPLE, "--listen", "127.0.0.1:%d" % dns_port,
                                 "--control", control], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + h.START_TIMEOUT
            while True:
                self.assertIsNone(proc.poll(), "the example config did not start")
                try:
                    with socket.create_connection(("127.0.0.1", control_port), timeout=1.0):
                        break
                except OSError:
                    self.assertLess(time.monotonic(), deadline, "no control endpoint")
                    time.sleep(0.05)
            status = c.run_ctl(["--control", control, "status"])
            self.assertEqual(status.returncode, 0, status.stderr)
            self.assertIn("lb-a", status.stdout)
            refused = c.run_ctl(["--control", control, "drain", "app", "lb-a"])
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("--token-file", refused.stderr)
            for action in ("drain", "undrain"):
                r = c.run_ctl(["--control", control, "--token-file", EXAMPLE_TOKEN, action, "app",
                               "lb-a"])
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(h.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(h.STOP_TIMEOUT)
            log.close()


if __name__ == "__main__":
    h.main()
