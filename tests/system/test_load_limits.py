# SPDX-License-Identifier: Apache-2.0
"""What bounds a load, seen from outside: a YAML alias bomb, a zeroed or sparse import and an
RRset no message can hold are refused by --check-config quickly and with bounded output, and a
reload with them is rejected while the running config keeps serving (the bomb under an
address-space limit, where it once ended the process in std::bad_alloc). Relative target names
of several labels are warned about, and the summary line stays short with many zones."""

import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import gslbd_harness as h

ZONE_FILE = "example.com.zone.yaml"
WAIT = 30.0

HEAD = ("version: 1\nzone: %s\nsoa: {mname: ns1, rname: hostmaster.example.org., serial: 1}\n"
        "ns: [ns1]\n")


def bomb(zone, values=1000, uses=20000):
    """One anchored record with `values` TXT values, then `uses` aliases of it (about 150 KB)."""
    data = ",".join('"v%d"' % i for i in range(values))
    return (HEAD % zone + "records:\n  - {name: ns1, type: A, data: [192.0.2.1]}\n"
            + "  - &r {name: big, type: TXT, data: [%s]}\n" % data + "  - *r\n" * uses)


def big_rrset(zone):
    """280 TXT records of 255 octets at huge: about 75 KB in any answer."""
    data = "".join('      - "%d%s"\n' % (1000 + i, "x" * 250) for i in range(280))
    return (HEAD % zone + "records:\n  - {name: ns1, type: A, data: [192.0.2.1]}\n"
            + "  - name: huge\n    type: TXT\n    data:\n" + data)


class CheckConfig(unittest.TestCase):
    """--check-config on a fresh directory per test."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gslbd-limits-")
        self.main = self.write("main.yaml", "version: 1\nzones: [\"*.zone.yaml\"]\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def check(self):
        start = time.monotonic()
        p = subprocess.run([h.binary(), "--check-config", "-c", self.main], capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
        return p, time.monotonic() - start

    def test_alias_bomb_is_refused_quickly_with_one_error(self):
        self.write("bomb.zone.yaml", bomb("bomb.test"))
        p, seconds = self.check()
        self.assertEqual(p.returncode, 1, p.stderr[-2000:])
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 2, p.stderr[-2000:])  # the error and the count
        self.assertRegex(lines[0], r"bomb\.zone\.yaml:\d+:5: this alias makes the file more than")
        self.assertLess(seconds, WAIT)

    def test_errors_beyond_100_are_counted_in_one_line(self):
        records = "".join("  - {name: a%d, type: A, data: [x]}\n" % i for i in range(500))
        self.write("bad.zone.yaml", HEAD % "bad.test" + "records:\n" + records)
        p, _ = self.check()
        self.assertEqual(p.returncode, 1)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 102, p.stderr[-2000:])
        self.assertTrue(lines[100].endswith("bad.zone.yaml: 400 more errors not shown"), lines[100])
        self.assertTrue(lines[101].endswith(": 500 errors"), lines[101])

    def test_zeroed_import_is_an_error(self):
        with open(os.path.join(self.dir, "zeroed.zone"), "wb") as f:
            f.write(b"\0" * 1024)
        self.write("z.zone.yaml", HEAD % "z.test" + "import: zeroed.zone\n")
        p, _ = self.check()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("zeroed.zone:1:1: binary content: a NUL byte", p.stderr)

    def test_sparse_import_over_the_limit_is_refused_by_its_size(self):
        path = os.path.join(self.dir, "sparse.zone")
        with open(path, "wb") as f:
            f.truncate(2 << 30)  # 2 GiB of holes: no disk, but 2 GiB to read
        self.write("s.zone.yaml", HEAD % "s.test" + "import: sparse.zone\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        p, seconds = self.check()
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("the file has 2147483648 bytes, more than the limit of 1024 MiB", p.stderr)
        # Reading it took 7.5 s and 2.1 GB; refusing it by its size takes neither.
        self.assertLess(max(before, after), 512 * 1024, "KiB of the largest child's RSS")
        self.assertLess(seconds, WAIT)

    def test_rrset_over_a_message_is_an_error(self):
        self.write("big.zone.yaml", big_rrset("big.test"))
        p, _ = self.check()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stderr, r"big\.zone\.yaml:2:7: TXT RRset at huge\.big\.test\. needs "
                                   r"\d+ octets in the smallest answer, more than the 65535")

    def test_relative_target_names_warn_but_load(self):
        self.write("lb.zone.yaml",
                   "version: 1\nzone: lb.example.org\n"
                   "soa: {mname: ns1, rname: hostmaster.example.org, serial: 1}\n"
                   "ns: [ns1]\nrecords:\n  - {name: ns1, type: A, data: [192.0.2.1]}\n"
                   "  - {name: '@', type: MX, data: ['10 mail.example.org']}\n")
        p, _ = self.check()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("lb.zone.yaml:3:26: warning: relative name of several labels "
                      "'hostmaster.example.org' becomes 'hostmaster.example.org.lb.example.org.'; "
                      "add a final dot if you meant hostmaster.example.org.", p.stderr)
        self.assertIn("lb.zone.yaml:7:34: warning: relative name of several labels "
                      "'mail.example.org'", p.stderr)

    def test_summary_of_many_zones_stays_short(self):
        for i in range(300):
            self.write("z%03d.zone.yaml" % i,
                       HEAD % ("zone%03d.test" % i) + "records:\n"
                       "  - {name: ns1, type: A, data: [192.0.2.1]}\n")
        p, _ = self.check()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("300 zones, ", p.stdout)
        self.assertIn("zone000.test. (serial 1)", p.stdout)
        self.assertIn(" and 290 more", p.stdout)
        self.assertLess(len(p.stdout), 1000)


# Well above what gslbd with one worker maps (about 170 MB), far below what the bomb took.
ADDRESS_SPACE = 768 << 20


class ReloadUnderMemoryLimit(h.GslbdTestCase):
    SERVER = h.ServerSpec(zones=[ZONE_FILE], wrapper=["prlimit", "--as=%d" % ADDRESS_SPACE])

    @classmethod
    def setUpClass(cls):
        if h.sanitizer_build():
            raise unittest.SkipTest("a sanitizer build cannot run under an address-space limit")
        if shutil.which("prlimit") is None:
            raise unittest.SkipTest("prlimit (util-linux) is not installed")
        super().setUpClass()

    def setUp(self):
        with open(self.server.zone_path(ZONE_FILE)) as f:
            self.original = f.read()

    def tearDown(self):
        self.server.write_file(ZONE_FILE, self.original)

    def reload_rejected(self):
        """SIGHUP; returns the log lines of the rejected reload, from "reading" to "rejected"."""
        pattern = re.compile(r"reload rejected \((\d+) errors?\)")
        before = len(pattern.findall(self.server.stderr_text()))
        self.server.signal(signal.SIGHUP)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            text = self.server.stderr_text()
            if len(pattern.findall(text)) > before:
                lines = text.splitlines()
                end = max(i for i, x in enumerate(lines) if pattern.search(x))
                start = max(i for i, x in enumerate(lines[:end]) if "reload: reading" in x)
                return lines[start:end + 1]
            self.assertTrue(self.server.alive(), "gslbd died during the reload")
            time.sleep(0.05)
        self.fail("no rejected reload logged within %.0f s" % WAIT)

    def assertServing(self):
        self.assertTrue(self.server.alive())
        r = self.udp("www.example.com.", "A")
        self.assertRcode(r, "NOERROR", "www.example.com A after the rejected reload")
        self.assertTrue(r.answer)

    def test_alias_bomb_reload_is_rejected_and_the_server_lives(self):
        self.server.write_file(ZONE_FILE, bomb("example.com"))
        lines = self.reload_rejected()
        self.assertLessEqual(len(lines), 3, "\n".join(lines))
        self.assertIn("this alias makes the file more than", "\n".join(lines))
        self.assertServing()
        # And the server still takes a good config.
        self.server.write_file(ZONE_FILE, self.original)
        self.server.reload_and_wait()
        self.assertServing()

    def test_big_rrset_reload_is_rejected(self):
        self.server.write_file(ZONE_FILE, big_rrset("example.com"))
        lines = self.reload_rejected()
        self.assertIn("TXT RRset at huge.example.com. needs", "\n".join(lines))
        self.assertServing()
        # The old zone is served, not the new one (whose serial is 1).
        r = self.udp("example.com.", "SOA")
        self.assertEqual(r.answer[0][0].serial, 2024010101)

    def test_zeroed_zone_file_reload_is_rejected(self):
        with open(self.server.zone_path(ZONE_FILE), "wb") as f:
            f.write(b"\0" * 4096)
        lines = self.reload_rejected()
        self.assertIn(ZONE_FILE + ":1:1: binary content: a NUL byte", "\n".join(lines))
        self.assertServing()

    def test_warnings_are_logged_at_reload(self):
        text = self.original.replace("rname: hostmaster.example.com.",
                                     "rname: hostmaster.example.org")
        self.assertNotEqual(text, self.original)
        self.server.write_file(ZONE_FILE, text)
        self.server.reload_and_wait()
        self.assertRegex(self.server.stderr_text(),
                         r"warn.*example\.com\.zone\.yaml:\d+:\d+: relative name of several "
                         r"labels 'hostmaster\.example\.org' becomes "
                         r"'hostmaster\.example\.org\.example\.com\.'")


if __name__ == "__main__":
    unittest.main(verbosity=2)
