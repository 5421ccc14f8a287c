# SPDX-License-Identifier: Apache-2.0
"""--check-config on pool files with errors: exits 1 and reports each error as file:line:col
(unknown key, dangling check template, a service naming a missing pool, a fallback cycle)."""

import os
import shutil
import subprocess
import tempfile
import unittest

import gslbd_harness as h

DATA = os.path.join(h.DATA, "pools")

UNKNOWN_KEY = ("bad.pool.yaml:10:5: unknown key 'polcy' in item 1 of 'pools'; "
               "did you mean 'policy'?")
DANGLING = "bad.pool.yaml:15:48: item 1 of 'checks': no check template named 'nosuch'"
MISSING_POOL = "bad.zone.yaml:13:11: 'pool': pool 'missing-pool' is not defined"
CYCLE_A = "bad.pool.yaml:18:20: fallback pools form a cycle: loop-a -> loop-b -> loop-a"
CYCLE_B = "bad.pool.yaml:23:20: fallback pools form a cycle: loop-b -> loop-a -> loop-b"


class CheckConfig(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gslbd-poolcheck-")
        for n in ("main.yaml", "bad.pool.yaml", "bad.zone.yaml"):
            shutil.copy(os.path.join(DATA, n), os.path.join(self.dir, n))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def edit(self, name, old, new):
        path = os.path.join(self.dir, name)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new))

    def check(self):
        p = subprocess.run([h.binary(), "--check-config", "-c", "main.yaml"], cwd=self.dir,
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stderr.splitlines()

    def assertReported(self, lines, want):
        for w in want:
            self.assertTrue(any(line.startswith(w) for line in lines),
                            "missing error %r in:\n%s" % (w, "\n".join(lines)))

    def test_each_error_alone(self):
        fixes = {  # error -> the edits that remove it
            UNKNOWN_KEY: [("bad.pool.yaml", "    polcy: weighted", "    policy: weighted")],
            DANGLING: [("bad.pool.yaml", "checks: [nosuch]", "checks: [ping]")],
            MISSING_POOL: [("bad.zone.yaml", "pool: missing-pool", "pool: typo")],
            CYCLE_A: [("bad.pool.yaml", "fallback_pool: loop-a", "fallback_pool: typo")],
        }
        for error, _ in fixes.items():
            with self.subTest(error=error):
                self.tearDown()
                self.setUp()
                for other, edits in fixes.items():
                    if other != error:
                        for e in edits:
                            self.edit(*e)
                rc, lines = self.check()
                self.assertEqual(rc, 1, "\n".join(lines))
                want = [CYCLE_A, CYCLE_B] if error == CYCLE_A else [error]
                self.assertReported(lines, want)
                errors = [line for line in lines if not line.startswith("gslbd: ")]
                self.assertEqual(len(errors), len(want), "exactly the expected errors:\n%s"
                                 % "\n".join(lines))

    def test_fixed_config_passes(self):
        self.edit("bad.pool.yaml", "    polcy: weighted", "    policy: weighted")
        self.edit("bad.pool.yaml", "checks: [nosuch]", "checks: [ping]")
        self.edit("bad.zone.yaml", "pool: missing-pool", "pool: typo")
        self.edit("bad.pool.yaml", "fallback_pool: loop-a", "fallback_pool: typo")
        rc, lines = self.check()
        self.assertEqual(rc, 0, "\n".join(lines))

    def test_non_cycle_errors_at_once(self):
        self.edit("bad.pool.yaml", "fallback_pool: loop-a", "fallback_pool: typo")
        rc, lines = self.check()
        self.assertEqual(rc, 1, "\n".join(lines))
        self.assertReported(lines, [UNKNOWN_KEY, DANGLING, MISSING_POOL])

    def test_all_errors_at_once(self):
        rc, lines = self.check()
        self.assertEqual(rc, 1, "\n".join(lines))
        self.assertReported(lines, [UNKNOWN_KEY, DANGLING, MISSING_POOL, CYCLE_A, CYCLE_B])


if __name__ == "__main__":
    unittest.main(verbosity=2)
