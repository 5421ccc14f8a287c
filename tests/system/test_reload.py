# SPDX-License-Identifier: Apache-2.0
"""SIGHUP reload: changed data is served; a broken file is rejected with file:line:col on stderr
while the old config keeps serving; a fixed file is picked up on the next SIGHUP."""

import os
import re
import signal
import threading
import time

import gslbd_harness as h

ZONE_FILE = "example.com.zone.yaml"
RELOAD_WAIT = 10.0


class ReloadBase(h.GslbdTestCase):
    def reload_answer(self):
        r = self.udp("reload.example.com.", "A")
        self.assertRcode(r, "NOERROR", "reload.example.com A")
        return sorted(x.to_text() for x in r.answer[0])

    def write_reload_data(self, data):
        """Rewrites the reload record's data; returns the 1-based line it is on."""
        path = self.server.zone_path(ZONE_FILE)
        with open(path) as f:
            lines = f.read().split("\n")
        i = lines.index("  - name: reload")
        self.assertTrue(lines[i + 3].startswith("    data: "), lines[i + 3])
        lines[i + 3] = "    data: [%s]" % data
        with open(path + ".tmp", "w") as f:  # atomic: a reload never reads half a file
            f.write("\n".join(lines))
        os.replace(path + ".tmp", path)
        return i + 4

    def wait_for_answer(self, want):
        deadline = time.monotonic() + RELOAD_WAIT
        got = None
        while time.monotonic() < deadline:
            got = self.reload_answer()
            if got == want:
                return
            time.sleep(0.1)
        self.fail("after SIGHUP the answer is %s, expected %s" % (got, want))

    def wait_for_stderr(self, pattern):
        deadline = time.monotonic() + RELOAD_WAIT
        while time.monotonic() < deadline:
            m = re.search(pattern, self.server.stderr_text(), re.M)
            if m:
                return m
            time.sleep(0.1)
        self.fail("stderr never matched %r" % pattern)


class ReloadChange(ReloadBase):
    def test_changed_record_served(self):
        self.assertEqual(self.reload_answer(), ["192.0.2.200"])
        self.write_reload_data('"192.0.2.201", "192.0.2.202"')
        self.server.signal(signal.SIGHUP)
        self.wait_for_answer(["192.0.2.201", "192.0.2.202"])
        self.assertTrue(self.server.alive())
        # other data unchanged
        self.assertRcode(self.udp("www.example.com.", "A"), "NOERROR")


class ReloadNewZone(ReloadBase):
    def test_zone_file_added_and_removed(self):
        r = self.udp("www.added.example.", "A")
        self.assertRcode(r, "REFUSED", "before the zone is added")
        path = self.server.zone_path("added.example.zone.yaml")
        with open(path, "w") as f:
            f.write("version: 1\nzone: added.example\nsoa:\n  mname: ns1.example.com.\n"
                    "  rname: hostmaster.example.com.\n  serial: 1\n  refresh: 1h\n"
                    "  retry: 15m\n  expire: 1w\n  minimum: 5m\nns:\n  - ns1.example.com.\n"
                    "records:\n  - name: www\n    type: A\n    ttl: 50\n"
                    "    data: [\"203.0.113.5\"]\n")
        self.server.signal(signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_WAIT
        while time.monotonic() < deadline:
            r = self.udp("www.added.example.", "A")
            if r.rcode() == 0:
                break
            time.sleep(0.1)
        self.assertRcode(r, "NOERROR", "new zone file not served after SIGHUP")
        self.assertSection(r, "answer", [("www.added.example.", "A", 50, ["203.0.113.5"])])
        os.remove(path)
        self.server.signal(signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_WAIT
        while time.monotonic() < deadline:
            r = self.udp("www.added.example.", "A")
            if r.rcode() != 0:
                break
            time.sleep(0.1)
        self.assertRcode(r, "REFUSED", "removed zone file still served after SIGHUP")
        self.assertEqual(self.reload_answer(), ["192.0.2.200"])


class ReloadUnderLoad(ReloadBase):
    def test_queries_answered_during_reloads(self):
        """Queries keep being answered, old or new data, while reloads happen."""
        stop = threading.Event()
        results = []
        errors = []

        def client():
            while not stop.is_set() and len(results) < 100000:
                try:
                    r = h.udp(self.server, h.make_query("reload.example.com.", "A"))
                    results.append((r.rcode(), sorted(x.to_text() for x in r.answer[0])
                                    if r.answer else []))
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))
                    return

        t = threading.Thread(target=client)
        t.start()
        try:
            for i in range(10):
                self.write_reload_data('"192.0.2.%d"' % (210 + i))
                self.server.signal(signal.SIGHUP)
                time.sleep(0.15)
            self.wait_for_answer(["192.0.2.219"])
        finally:
            stop.set()
            t.join(10)
        self.assertFalse(t.is_alive(), "client thread did not stop")
        self.assertEqual(errors, [], "queries failed during reloads")
        self.assertGreater(len(results), 10)
        allowed = [["192.0.2.200"]] + [["192.0.2.%d" % (210 + i)] for i in range(10)]
        for rcode, answer in results:
            self.assertEqual(rcode, 0)
            self.assertIn(answer, allowed)
        self.assertTrue(self.server.alive())


class ReloadBroken(ReloadBase):
    def test_broken_file_keeps_old_config(self):
        self.assertEqual(self.reload_answer(), ["192.0.2.200"])
        line = self.write_reload_data('"not-an-address"')
        self.server.signal(signal.SIGHUP)
        # column 12: the bad item inside 'data: [...]'
        self.wait_for_stderr(r"%s:%d:12: " % (re.escape(ZONE_FILE), line))
        time.sleep(0.3)
        self.assertTrue(self.server.alive(), "gslbd exited after a broken reload")
        for _ in range(5):
            self.assertEqual(self.reload_answer(), ["192.0.2.200"],
                             "old config not kept after a broken reload")
        self.assertRcode(self.tcp("www.example.com.", "A"), "NOERROR")

        self.write_reload_data('"192.0.2.203"')
        self.server.signal(signal.SIGHUP)
        self.wait_for_answer(["192.0.2.203"])
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    h.main()
