# SPDX-License-Identifier: Apache-2.0
"""The example configurations pass gslbd --check-config: the README's quick start
(zones/examples/quickstart, HTTP checks) and the installed one (zones/examples/installed, what
the package puts in /etc/gslbd), each copied with a control token made as the README says; and
without that token each fails with an error naming token_file, so the token is really needed.
The installed one listens on loopback only and does not set admin_without_token."""

import os
import shutil
import subprocess
import tempfile
import unittest

import gslbd_harness as h

REPO = os.path.dirname(os.path.dirname(h.HERE))
EXAMPLES = os.path.join(REPO, "zones", "examples")


class Examples(unittest.TestCase):
    def check(self, name, token):
        d = tempfile.mkdtemp(prefix="gslbd-example-")
        self.addCleanup(shutil.rmtree, d, True)
        conf = os.path.join(d, name)
        shutil.copytree(os.path.join(EXAMPLES, name), conf)
        if token:
            with open(os.path.join(conf, "control.token"), "w") as f:
                f.write(os.urandom(32).hex() + "\n")
        return subprocess.run([h.binary(), "--check-config", "-c", os.path.join(conf, "gslbd.yaml")],
                              capture_output=True, text=True, timeout=60)

    def test_quickstart(self):
        r = self.check("quickstart", token=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(": ok: 1 zone", r.stdout)
        with open(os.path.join(EXAMPLES, "quickstart", "web.pool.yaml")) as f:
            self.assertIn("type: http", f.read())

    def test_installed(self):
        r = self.check("installed", token=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(EXAMPLES, "installed", "gslbd.yaml")) as f:
            text = f.read()
        self.assertNotIn("admin_without_token", text)
        self.assertIn('listen: ["127.0.0.1:53"]', text)
        self.assertIn('listen: "127.0.0.1:9253"', text)

    def test_token_is_required(self):
        for name in ("quickstart", "installed"):
            r = self.check(name, token=False)
            self.assertEqual(r.returncode, 1, name)
            self.assertRegex(r.stderr, r"gslbd\.yaml:\d+:\d+: 'token_file': cannot read ")


if __name__ == "__main__":
    h.main()
