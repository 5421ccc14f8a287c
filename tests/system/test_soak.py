# SPDX-License-Identifier: Apache-2.0
"""tools/soak, short: a 20 s run against this build passes (no wrong answers, no lost queries,
clean exit; growth is reported but not judged: 20 s is warm-up, and sanitizer allocators keep
memory), and its answer checker rejects the answers it exists to catch."""

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import unittest

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

import gslbd_harness as h

ROOT = os.path.abspath(os.path.join(h.HERE, "..", ".."))
SOAK = os.path.join(ROOT, "tools", "soak")


def load_soak():
    loader = importlib.machinery.SourceFileLoader("soak_tool", SOAK)
    spec = importlib.util.spec_from_loader("soak_tool", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def reply(name, rtype, rcode=dns.rcode.NOERROR, answer=(), soa=False):
    query = dns.message.make_query(name, rtype)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    response.set_rcode(rcode)
    if answer:
        response.answer.append(dns.rrset.from_text_list(name, 30, "IN", rtype, list(answer)))
    if soa:
        response.authority.append(dns.rrset.from_text(
            "soak.example.", 300, "IN", "SOA",
            "ns1.soak.example. hostmaster.soak.example. 1 3600 900 604800 300"))
    return response


class SoakChecker(unittest.TestCase):
    """problems_for, the rule every soak answer is held to, on answers built here."""

    @classmethod
    def setUpClass(cls):
        cls.soak = load_soak()

    def problems(self, config, response, name, rtype, view=None):
        return self.soak.problems_for(config, response, name, rtype, view or {})

    def test_pool_answers(self):
        web = "web.soak.example."
        everyone = {"anchor": True, "m1": True, "m2": True, "m3": True}
        right = reply(web, "A", answer=["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"])
        self.assertEqual(self.problems("A", right, web, "A", everyone), [])
        # a member of config B only, while A serves
        extra = reply(web, "A", answer=["192.0.2.10", "192.0.2.14"])
        self.assertTrue(self.problems("A", extra, web, "A", {}))
        self.assertEqual(self.problems("B", extra, web, "A", {}), [])
        # a member known not to be serving, and a serving one left out
        self.assertTrue(self.problems("A", right, web, "A", dict(everyone, m2=False)))
        partial = reply(web, "A", answer=["192.0.2.10"])
        self.assertTrue(self.problems("A", partial, web, "A", everyone))
        # members whose state is unsettled may be named or not
        self.assertEqual(self.problems("A", partial, web, "A", {"anchor": True}), [])
        self.assertTrue(self.problems("A", reply(web, "A"), web, "A", {}))

    def test_static_and_negative_answers(self):
        ver = "ver.soak.example."
        a = reply(ver, "TXT", answer=['"config-a"'])
        self.assertEqual(self.problems("A", a, ver, "TXT"), [])
        self.assertTrue(self.problems("B", a, ver, "TXT"))
        only = "only-b.soak.example."
        self.assertEqual(self.problems("A", reply(only, "TXT", dns.rcode.NXDOMAIN, soa=True),
                                       only, "TXT"), [])
        self.assertTrue(self.problems("A", reply(only, "TXT", dns.rcode.NXDOMAIN), only, "TXT"))
        self.assertTrue(self.problems("B", reply(only, "TXT", dns.rcode.NXDOMAIN, soa=True),
                                      only, "TXT"))
        nodata = reply(ver, "A", soa=True)
        self.assertEqual(self.problems("A", nodata, ver, "A"), [])
        self.assertTrue(self.problems("A", reply(ver, "A", dns.rcode.NXDOMAIN, soa=True),
                                      ver, "A"))
        outside = "outside.example.org."
        self.assertEqual(self.problems("A", reply(outside, "A", dns.rcode.REFUSED), outside, "A"),
                         [])
        self.assertTrue(self.problems("A", reply(outside, "A", dns.rcode.SERVFAIL), outside, "A"))

    def test_config_history(self):
        world = self.soak.World()
        world.configs = [(0.0, 0.0, "A"), (10.0, 10.5, "B"), (20.0, float("inf"), "A")]
        self.assertEqual(world.configs_between(1.0, 2.0), {"A"})
        self.assertEqual(world.configs_between(10.2, 10.3), {"A", "B"})
        self.assertEqual(world.configs_between(11.0, 12.0), {"B"})
        self.assertEqual(world.configs_between(20.5, 20.6), {"A", "B"})


class SoakSmoke(unittest.TestCase):
    def test_short_soak_passes(self):
        env = dict(os.environ, SOAK_SECONDS="20", SOAK_SAMPLE_EVERY="2", SOAK_UDP_QPS="100",
                   SOAK_TCP_QPS="20", SOAK_JUNK_PPS="20", SOAK_JUDGE_GROWTH="0")
        env["GSLBD_BINARY"] = h.binary()
        p = subprocess.run([sys.executable, SOAK], capture_output=True, text=True, timeout=150,
                           env=env, stdin=subprocess.DEVNULL)
        report = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, report)
        self.assertIn("wrong answers: 0\n", report)
        self.assertRegex(report, r"growth: .*rss_kib median middle \d+")
        self.assertIn("verdict: PASS", report)
        self.assertRegex(report, r"reloads: [1-9]\d* ok, 0 failed")
        self.assertRegex(report, r"admin actions: [1-9]\d* ok, 0 failed; member flaps: [1-9]")


if __name__ == "__main__":
    unittest.main()
