# SPDX-License-Identifier: Apache-2.0
"""dnstap output: gslbd writes AUTH_QUERY/AUTH_RESPONSE messages as Frame Streams to a real
collector (fstrm_capture) or to a file, and Debian's dnstap-ldns reads them back; every field
the server fills in is checked against the exchange the test made."""

import calendar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

import dns.message
import dns.query
import dns.rcode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gslbd_harness as h  # noqa: E402

CONTENT_TYPE = "protobuf:dnstap.Dnstap"
IDENTITY = "ns-tap.example"


def tools_missing():
    missing = [t for t in ("fstrm_capture", "dnstap-ldns") if shutil.which(t) is None]
    return ", ".join(missing)


class TapServer(h.Server):
    """A server whose main file has a dnstap: section."""

    def __init__(self, spec, dnstap_lines):
        self.dnstap_lines = dnstap_lines
        super().__init__(spec)

    def main_yaml(self):
        return super().main_yaml() + "dnstap:\n" + "".join("  %s\n" % x for x in self.dnstap_lines)


def read_dnstap(path):
    """dnstap-ldns -y output split into one dict per message (flat keys, message text kept)."""
    out = subprocess.run(["dnstap-ldns", "-y", "-r", path], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    messages = []
    for doc in out.split("\n---"):
        if not doc.strip():
            continue
        fields = {}
        text_key = None
        for line in doc.splitlines():
            m = re.match(r"^(\s*)([a-z_]+): ?(.*)$", line)
            if m and len(m.group(1)) <= 2:
                key, value = m.group(2), m.group(3).strip()
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                fields[key] = value
                text_key = key if value == "|" else None
                if text_key:
                    fields[key] = ""
            elif text_key:
                fields[text_key] += line.strip() + "\n"
        messages.append(fields)
    return messages


def wall_time(stamp):
    """dnstap-ldns prints "!!timestamp 2026-12-06 04:53:52.755413" in UTC."""
    text = stamp.replace("!!timestamp", "").strip()
    return calendar.timegm(time.strptime(text.split(".")[0], "%Y-%m-%d %H:%M:%S")) + \
        float("0." + text.split(".")[1]) if "." in text else 0.0


def metrics(server):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.control_port,
                                timeout=5) as r:
        return r.read().decode()


def metric(text, sample):
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return int(float(line.split()[-1]))
    raise AssertionError("no sample %s in:\n%s" % (sample, text))


def exchange(port, qname, qtype, tcp=False):
    """Sends one query from a socket the test binds itself; returns (id, source port, reply)."""
    q = dns.message.make_query(qname, qtype, use_edns=False)
    family = socket.AF_INET
    kind = socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
    with socket.socket(family, kind) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(h.QUERY_TIMEOUT)
        source_port = s.getsockname()[1]
        if tcp:
            s.connect(("127.0.0.1", port))
            dns.query.send_tcp(s, q)
            reply, _ = dns.query.receive_tcp(s)
        else:
            dns.query.send_udp(s, q, ("127.0.0.1", port))
            reply, _ = dns.query.receive_udp(s, ("127.0.0.1", port))
    return q.id, source_port, reply


@unittest.skipIf(tools_missing(), "needs fstrm_capture (fstrm-bin) and dnstap-ldns: %s missing"
                 % tools_missing())
class DnstapTest(unittest.TestCase):

    def start(self, dnstap_lines):
        spec = h.ServerSpec(identity=IDENTITY, v6=False, zones=["example.com.zone.yaml"],
                            control=True)
        server = TapServer(spec, dnstap_lines)
        self.addCleanup(server.cleanup)
        self.addCleanup(server.kill)
        server.start()
        return server

    def stop(self, server):
        rc, killed = server.stop()
        self.assertFalse(killed, server.stderr_text())
        self.assertEqual(rc, 0, server.stderr_text())

    def start_collector(self, directory):
        sock = os.path.join(directory, "collector.sock")
        capture = os.path.join(directory, "capture.fstrm")
        log = open(os.path.join(directory, "collector.log"), "wb")
        proc = subprocess.Popen(["fstrm_capture", "-t", CONTENT_TYPE, "-u", sock, "-w", capture],
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            self.assertLess(time.monotonic(), deadline, "fstrm_capture made no socket")
            self.assertIsNone(proc.poll(), "fstrm_capture exited")
            time.sleep(0.02)
        return proc, sock, capture

    def stop_collector(self, proc):
        proc.send_signal(signal.SIGINT)
        proc.wait(10)

    def test_socket_collector_gets_every_field(self):
        directory = h.tempfile.mkdtemp(prefix="gslbd-dnstap-")
        self.addCleanup(shutil.rmtree, directory, True)
        collector, sock, capture = self.start_collector(directory)
        server = self.start(["socket: %s" % sock])
        before = time.time()
        exchanges = []
        exchanges.append(("udp", "NOERROR") + exchange(server.port, "www.example.com.", "A"))
        exchanges.append(("tcp", "NOERROR") +
                         exchange(server.port, "www.example.com.", "A", tcp=True))
        exchanges.append(("udp", "NXDOMAIN") + exchange(server.port, "nope.example.com.", "A"))
        after = time.time()
        time.sleep(0.3)  # the writer drains every 20 ms
        metrics_text = metrics(server)
        self.stop(server)
        self.stop_collector(collector)
        self.assertIn("dnstap: writing to", server.stderr_text())

        messages = read_dnstap(capture)
        for proto, status, qid, port, reply in exchanges:
            self.assertEqual(dns.rcode.to_text(reply.rcode()), status)
            mine = [m for m in messages if m.get("query_port") == str(port)]
            kinds = sorted(m.get("type") for m in mine)
            self.assertEqual(kinds, ["AUTH_QUERY", "AUTH_RESPONSE"], messages)
            for m in mine:
                self.assertEqual(m["identity"], IDENTITY)
                self.assertTrue(m["version"].startswith("gslbd "), m)
                self.assertEqual(m["socket_family"], "INET")
                self.assertEqual(m["socket_protocol"], proto.upper())
                self.assertEqual(m["query_address"], "127.0.0.1")
                self.assertEqual(m["response_address"], "127.0.0.1")
                self.assertEqual(m["response_port"], str(server.port))
                for key in ("query_time", "response_time"):
                    if key in m:
                        stamp = wall_time(m[key])
                        self.assertGreaterEqual(stamp, before - 1, m)
                        self.assertLessEqual(stamp, after + 1, m)
                text_key = "query_message" if m["type"] == "AUTH_QUERY" else "response_message"
                text = m[text_key]
                self.assertIn("id: %d" % qid, text)
                flags = text.split("flags:")[1].split(";")[0].split()
                if m["type"] == "AUTH_QUERY":
                    self.assertNotIn("qr", flags)
                    self.assertNotIn("response_time", m)
                else:
                    self.assertIn("rcode: %s" % status, text)
                    self.assertIn("qr", flags)
                    self.assertIn("aa", flags)
                    self.assertIn("response_time", m)
                self.assertIn("nope.example.com." if status == "NXDOMAIN" else "www.example.com.",
                              text)
        self.assertEqual(metric(metrics_text, 'gslbd_dnstap_messages_total{result="written"}'),
                         len(messages))
        self.assertEqual(metric(metrics_text, 'gslbd_dnstap_messages_total{result="dropped"}'), 0)

    def test_file_with_responses_only(self):
        server = self.start(["file: tap.fstrm", "messages: [response]"])
        _, port, _ = exchange(server.port, "www.example.com.", "A")
        _, port_tcp, _ = exchange(server.port, "www.example.com.", "A", tcp=True)
        time.sleep(0.3)
        self.stop(server)
        messages = read_dnstap(os.path.join(server.dir, "tap.fstrm"))
        self.assertTrue(messages)
        self.assertEqual({m["type"] for m in messages}, {"AUTH_RESPONSE"})
        ports = {m["query_port"]: m["socket_protocol"] for m in messages}
        self.assertEqual(ports.get(str(port)), "UDP")
        self.assertEqual(ports.get(str(port_tcp)), "TCP")

    def test_no_collector_keeps_answering(self):
        directory = h.tempfile.mkdtemp(prefix="gslbd-dnstap-")
        self.addCleanup(shutil.rmtree, directory, True)
        server = self.start(["socket: %s" % os.path.join(directory, "nobody.sock")])
        for _ in range(20):
            _, _, reply = exchange(server.port, "www.example.com.", "A")
            self.assertEqual(reply.rcode(), dns.rcode.NOERROR)
        time.sleep(0.3)
        self.assertGreaterEqual(
            metric(metrics(server), 'gslbd_dnstap_messages_total{result="dropped"}'), 40)
        self.stop(server)
        self.assertIn("dnstap: cannot reach", server.stderr_text())

    def test_config_errors(self):
        cases = [
            (["socket: a.sock", "file: b.fstrm"], "exactly one of 'socket' or 'file'"),
            (["messages: [query, answers]"], "unknown dnstap message 'answers'"),
            (["file: t.fstrm", "queue_size: 10"], "queue_size"),
            (["file: t.fstrm", "colour: red"], "colour"),
        ]
        for lines, expected in cases:
            spec = h.ServerSpec(v6=False, zones=["example.com.zone.yaml"])
            server = TapServer(spec, lines)
            self.addCleanup(server.cleanup)
            result = subprocess.run([h.binary(), "-c", server.main_path, "--check-config"],
                                    capture_output=True, text=True, timeout=30)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn(expected, result.stderr)
            self.assertRegex(result.stderr, r"main\.yaml:\d+:\d+:")

    def test_unwritable_file_is_a_clear_start_error(self):
        server = TapServer(h.ServerSpec(v6=False, zones=["example.com.zone.yaml"]),
                           ["file: /nonexistent-dir/tap.fstrm"])
        self.addCleanup(server.cleanup)
        result = subprocess.run([h.binary(), "-c", server.main_path, "--listen",
                                 "127.0.0.1:%d" % h.free_port(False)],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("dnstap: cannot open '/nonexistent-dir/tap.fstrm'", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
