"""SIGHUP reload: changed data is served; a broken file is rejected with file:line:col on stderr
while the old config keeps serving; a fixed file is picked up on the next SIGHUP."""

import re
import signal
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
        with open(path, "w") as f:
            f.write("\n".join(lines))
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


class ReloadBroken(ReloadBase):
    def test_broken_file_keeps_old_config(self):
        self.assertEqual(self.reload_answer(), ["192.0.2.200"])
        line = self.write_reload_data('"not-an-address"')
        self.server.signal(signal.SIGHUP)
        self.wait_for_stderr(r"%s:%d:\d+: " % (re.escape(ZONE_FILE), line))
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
