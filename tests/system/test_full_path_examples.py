# SPDX-License-Identifier: Apache-2.0
"""The full-path examples (zones/examples/haproxy) load, and docs/full-path.md quotes them as
they are: gslbd --check-config accepts the gslbd files (with a control token made as the README
says), haproxy -c accepts both haproxy.cfg files, keepalived -t accepts the pair's file for
each node's config id, and every fenced block of the document that starts with
`# from zones/examples/haproxy/FILE` has its lines in FILE, in that order. No root needed;
a missing haproxy or keepalived skips its part with the reason."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import gslbd_harness as h
import full_path_topology as fp

DOC = os.path.join(fp.REPO, "docs", "full-path.md")


def fenced_blocks(text):
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M)


class FullPathExamples(unittest.TestCase):
    def test_gslbd_check_config(self):
        d = tempfile.mkdtemp(prefix="gslbd-full-path-example-")
        self.addCleanup(shutil.rmtree, d, True)
        for f in ("gslbd.yaml", "gslb.example.zone.yaml", "web.pool.yaml"):
            shutil.copy(os.path.join(fp.EXAMPLES, f), d)
        with open(os.path.join(d, "control.token"), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        r = subprocess.run([h.binary(), "--check-config", "-c", os.path.join(d, "gslbd.yaml")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(": ok: 1 zone", r.stdout)

    @unittest.skipUnless(shutil.which("haproxy") or os.path.exists("/usr/sbin/haproxy"),
                         "haproxy is not installed (tools/install-deps --test)")
    def test_haproxy_accepts_both_sites(self):
        for site in ("a", "b"):
            cfg = os.path.join(fp.EXAMPLES, "haproxy-site-%s.cfg" % site)
            r = subprocess.run([fp.exe("haproxy"), "-c", "-f", cfg], capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(r.returncode, 0, "%s\n%s%s" % (cfg, r.stdout, r.stderr))
            self.assertNotIn("WARNING", r.stdout + r.stderr, cfg)
            with open(cfg) as f:
                text = f.read()
            addresses = re.findall(r"server (\w+) (198\.18\.\d+\.\d+):(\d+)", text)
            self.assertEqual([(n, a) for n, _, a in fp.servers_of(site)],
                             [(site + "-" + n, a) for n, a, _ in addresses],
                             "the servers the topology starts are the ones HAProxy uses")

    @unittest.skipUnless(shutil.which("keepalived") or os.path.exists("/usr/sbin/keepalived"),
                         "keepalived is not installed (tools/install-deps --test)")
    def test_keepalived_accepts_the_pair(self):
        conf = os.path.join(fp.EXAMPLES, "keepalived-site-a.conf")
        for node in ("lb-a1", "lb-a2"):
            r = subprocess.run([fp.exe("keepalived"), "-t", "-P", "-l", "-i", node, "-f", conf],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, "%s: %s%s" % (node, r.stdout, r.stderr))

    def test_the_document_quotes_the_files(self):
        with open(DOC) as f:
            doc = f.read()
        blocks = fenced_blocks(doc)
        quoted = 0
        for block in blocks:
            lines = block.rstrip("\n").split("\n")
            m = re.fullmatch(r"# from (zones/examples/haproxy/[\w.-]+)", lines[0])
            if not m:
                continue
            quoted += 1
            with open(os.path.join(fp.REPO, m.group(1))) as f:
                source = [line.rstrip() for line in f.read().split("\n")]
            at = 0
            for line in lines[1:]:
                try:
                    at = source.index(line.rstrip(), at) + 1
                except ValueError:
                    self.fail("docs/full-path.md quotes %r from %s, which is not there (in "
                              "this order)" % (line, m.group(1)))
        self.assertGreaterEqual(quoted, 10, "the document's quotes were not found")
        # the figures the document derives from the files
        T = fp.Topology.timings()
        master_down = 3 * T["advert_int"] + (256 - 100) / 256 * T["advert_int"]
        self.assertIn("after the MASTER falls silent: %.2f s here" % master_down,
                      " ".join(doc.split()))
        site_down = (T["haproxy_inter"] * (T["haproxy_fall"] + 1) +
                     T["interval"] * (1 + T["jitter"]) * T["fall"] + T["timeout"])
        self.assertIn("(%.1f s here)" % site_down, doc)
        self.assertIn("(%.2f s)" % master_down, doc)
        for name in os.listdir(fp.EXAMPLES):
            self.assertIn(name, doc, "docs/full-path.md does not name the example %s" % name)


if __name__ == "__main__":
    h.main()
