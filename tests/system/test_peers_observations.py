# SPDX-License-Identifier: Apache-2.0
"""GET /peer/observations on real instances: the fleet token is required (wrong or missing:
401, never the document), each member carries the checks' verdict and the age of its last probe,
and the pool digest is equal on instances with identical pool files and differs where the pool
files differ."""

import unittest

import peers_harness as ph
import pool_harness as p


class ObservationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.up = p.ListenerPeer("127.0.0.1").start()
        cls.down = p.ListenerPeer("127.0.0.1").start()
        cls.down.stop()  # its port now refuses connections
        members = [("a", "192.0.2.1", cls.up.port), ("b", "192.0.2.2", cls.down.port)]
        same = ph.pool_yaml(members)
        cls.one = ph.Instance("ns1", "127.0.0.21", same)
        cls.two = ph.Instance("ns2", "127.0.0.22", same)
        cls.three = ph.Instance("ns3", "127.0.0.23", ph.pool_yaml(members, fall=3))
        cls.instances = [cls.one, cls.two, cls.three]
        # Each knows the others (nobody polls yet: the endpoint alone is under test here).
        try:
            ph.start_fleet(cls.instances)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for i in cls.instances:
            i.cleanup()
        cls.up.stop()

    def observations(self, instance):
        return instance.get_json("/peer/observations")

    def test_tokens(self):
        status, body = self.one.get("/peer/observations", token=None)
        self.assertEqual(status, 401, body)
        self.assertNotIn("digest", body)
        status, body = self.one.get("/peer/observations", token="wrong-0123456789abcdef")
        self.assertEqual(status, 401, body)
        self.assertIn("wrong token", body)
        status, _ = self.one.get("/peer/observations")
        self.assertEqual(status, 200)

    def test_verdicts_and_ages(self):
        def settled():
            doc = self.observations(self.one)
            members = {m["name"]: m for m in doc["pools"][0]["members"]}
            if members["a"]["known"] and members["b"]["known"]:
                return doc
            return None
        doc = ph.wait_for("first verdicts on ns1", settled)
        self.assertEqual(doc["format"], 1)
        self.assertEqual(doc["instance"], "ns1")
        self.assertGreaterEqual(doc["generation"], 1)
        members = {m["name"]: m for m in doc["pools"][0]["members"]}
        self.assertTrue(members["a"]["up"])
        self.assertFalse(members["b"]["up"])
        for m in members.values():
            # Checks every 200ms: the last probe is recent, and the generation is the document's.
            self.assertLess(m["age_ms"], 2000, m)
            self.assertEqual(m["generation"], doc["generation"])

    def test_digests(self):
        d1 = self.observations(self.one)["pools"][0]["digest"]
        d2 = self.observations(self.two)["pools"][0]["digest"]
        d3 = self.observations(self.three)["pools"][0]["digest"]
        self.assertEqual(len(d1), 64)
        self.assertEqual(d1, d2, "identical pool files, different digests")
        self.assertNotEqual(d1, d3, "pool files differ (fall), digests do not")


if __name__ == "__main__":
    unittest.main()
