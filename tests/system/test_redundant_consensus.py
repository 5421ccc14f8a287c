# SPDX-License-Identifier: Apache-2.0
"""test_redundant.py's redundant instances behind unbound, every assertion unchanged, with
both pools under `consensus: majority` and each instance polling the other as its peer: the
vote must not cost the resolver an answer when an instance is SIGKILLed and restarted, and
hash answers must still agree between the instances while a member is down."""

import json
import time
import unittest
import urllib.request

import test_redundant as base


class RedundantMajority(base.Redundant):
    CONSENSUS = "majority"

    def test_the_instances_vote(self):
        """The variant is what it says: each instance hears its peer and its pools vote."""
        for inst in self.instances:
            url = "http://%s:%d/status" % (inst.address, inst.control_port)
            deadline = time.monotonic() + 10.0
            status = None
            while time.monotonic() < deadline:
                with urllib.request.urlopen(url, timeout=2.0) as r:
                    status = json.load(r)
                if not status["peers"]["own_view_only"]:
                    break
                time.sleep(0.1)
            self.assertFalse(status["peers"]["own_view_only"], "%s: %s"
                             % (inst.identity, status["peers"]))
            pools = {x["name"]: x for x in status["pools"]}
            for name in ("sticky", "app"):
                self.assertEqual(pools[name]["consensus"], "majority", pools[name])


if __name__ == "__main__":
    unittest.main(verbosity=2)
