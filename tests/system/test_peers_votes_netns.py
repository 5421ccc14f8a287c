# SPDX-License-Identifier: Apache-2.0
"""Votes between three real instances, each in a network namespace of its own, so that they
can disagree about a member: member `only1` (198.18.1.10) is reachable from ns1 only, member
`all` (198.18.1.20) from every instance.

    hub namespace: bridge br0 198.18.0.254 (the test queries from here)
      |-- ns1 198.18.0.1: gslbd, listeners on 198.18.1.10 and 198.18.1.20
      |-- ns2 198.18.0.2: gslbd, listener on 198.18.1.20
      |-- ns3 198.18.0.3: gslbd, listener on 198.18.1.20

Covered: with `consensus: majority` every instance keeps only1 down (1 of 3 see it up) and all
three answer the same A records, while an own-rule pool of the same members differs between
instances; with `any` all three serve it; when both peers are SIGKILLed ns1 falls back to its own
view (status and metrics say so, only1 comes up there) and returns to the vote when they are
restarted; and how long a vote takes to follow a real failure, against interval x fall.

The timings of the measurement can be changed for a run by hand (the defaults are the test's):
GSLBD_VOTES_CHECK_INTERVAL_MS (200), GSLBD_VOTES_FALL (2), GSLBD_VOTES_POLL_MS (peers.interval,
300), GSLBD_VOTES_STALE_MS (peers.stale_after, 1000).

Needs root (namespaces); skips with the reason otherwise. Namespaces are named after this
process, processes are ended by PID, and everything is removed in tearDown.
"""

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import http.client

import dns.message
import dns.query

import gslbd_harness as h
import pool_harness as p

FLEET_TOKEN = "fleet-0123456789abcdefghij"
DNS_PORT = 5353
CONTROL_PORT = 9253
ONLY1 = "198.18.1.10"
ALL = "198.18.1.20"
CHECK_PORT = 8080
CHECK_INTERVAL_MS = int(os.environ.get("GSLBD_VOTES_CHECK_INTERVAL_MS", "200"))
FALL = int(os.environ.get("GSLBD_VOTES_FALL", "2"))
POLL = int(os.environ.get("GSLBD_VOTES_POLL_MS", "300")) / 1000.0  # peers.interval, seconds
STALE_MS = int(os.environ.get("GSLBD_VOTES_STALE_MS", "1000"))
CLONE_NEWNET = 0x40000000

LISTENER = r"""
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.close()
"""

libc = ctypes.CDLL("libc.so.6", use_errno=True)


def run(*argv):
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))
    return r.stdout


def missing():
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if shutil.which("ip") is None:
        return "needs ip (iproute2)"
    return None


def pool_text(name, consensus):
    lines = ["version: 1", "checks:",
             p.fast_check("fast-" + name, port=CHECK_PORT).rstrip("\n")
             .replace("interval: 200ms", "interval: %dms" % CHECK_INTERVAL_MS)
             .replace("fall: %d" % p.FALL, "fall: %d" % FALL),
             "pools:", "  - name: %s" % name, "    policy: weighted", "    max_records: 8"]
    if consensus is not None:
        lines.append("    consensus: %s" % consensus)
    lines += ["    members:"]
    for member, address in (("only1", ONLY1), ("all", ALL)):
        lines += ["      - name: %s" % member, "        address: %s" % address,
                  "        checks: [{template: fast-%s}]" % name]
    return "\n".join(lines) + "\n"


class Fleet:
    def __init__(self, consensus):
        self.prefix = "gv%d" % os.getpid()
        self.hub = self.prefix + "-hub"
        self.names = ["ns1", "ns2", "ns3"]
        self.namespaces = []
        self.procs = {}  # name -> Popen
        self.dir = tempfile.mkdtemp(prefix="gslbd-votes-netns-")
        self.consensus = consensus
        self.original = os.open("/proc/self/ns/net", os.O_RDONLY)

    def ns(self, name):
        return "%s-%s" % (self.prefix, name)

    def address(self, name):
        return "198.18.0.%d" % (self.names.index(name) + 1)

    def build(self):
        run("ip", "netns", "add", self.hub)
        self.namespaces.append(self.hub)
        run("ip", "-n", self.hub, "link", "set", "lo", "up")
        run("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.hub, "addr", "add", "198.18.0.254/24", "dev", "br0")
        run("ip", "-n", self.hub, "link", "set", "br0", "up")
        for n, name in enumerate(self.names, 1):
            ns = self.ns(name)
            run("ip", "netns", "add", ns)
            self.namespaces.append(ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", self.hub, "link", "add", "v%d" % n, "type", "veth", "peer", "name",
                "eth0", "netns", ns)
            run("ip", "-n", self.hub, "link", "set", "v%d" % n, "master", "br0", "up")
            run("ip", "-n", ns, "addr", "add", "%s/24" % self.address(name), "dev", "eth0")
            run("ip", "-n", ns, "link", "set", "eth0", "up")
            run("ip", "-n", ns, "addr", "add", ALL + "/32", "dev", "lo")
            self.listen(name, ALL)
        run("ip", "-n", self.ns("ns1"), "addr", "add", ONLY1 + "/32", "dev", "lo")
        self.listen("ns1", ONLY1)
        for name in self.names:
            self.write_config(name)

    def listen(self, name, address):
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(name), sys.executable, "-c", LISTENER, address,
             str(CHECK_PORT)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.procs["listen-%s-%s" % (name, address)] = proc
        if proc.stdout.readline().strip() != b"ready":
            raise RuntimeError("listener %s in %s did not start" % (address, name))

    def stop_proc(self, key, sig=signal.SIGTERM):
        proc = self.procs.pop(key, None)
        if proc is None:
            return
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(h.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(h.STOP_TIMEOUT)

    def path(self, name, file):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, file)

    def write_config(self, name):
        with open(self.path(name, "zone.zone.yaml"), "w") as f:
            f.write(p.zone_yaml([("www", "web", "5s", None), ("own", "web-own", "5s", None)]))
        with open(self.path(name, "web.pool.yaml"), "w") as f:
            f.write(pool_text("web", self.consensus))
        with open(self.path(name, "own.pool.yaml"), "w") as f:
            f.write(pool_text("web-own", None))
        with open(self.path(name, "fleet.token"), "w") as f:
            f.write(FLEET_TOKEN + "\n")
        os.chmod(self.path(name, "fleet.token"), 0o600)
        lines = ["version: 1", "server:", "  workers: 1", "  identity: %s" % name,
                 "zones:", '  - "*.zone.yaml"', "pools:", '  - "*.pool.yaml"', "control:",
                 '  listen: "%s:%d"' % (self.address(name), CONTROL_PORT),
                 "peers:", "  token_file: fleet.token", "  interval: %dms" % (POLL * 1000),
                 "  timeout: 250ms", "  stale_after: %dms" % STALE_MS, "  instances:"]
        for other in self.names:
            if other != name:
                lines += ["    - name: %s" % other,
                          "      url: http://%s:%d" % (self.address(other), CONTROL_PORT)]
        with open(self.path(name, "main.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, name):
        err = open(self.path(name, "stderr.log"), "ab")
        self.procs[name] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(name), h.binary(), "-c", self.path(name, "main.yaml"),
             "--listen", "%s:%d" % (self.address(name), DNS_PORT)],
            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
            cwd=os.path.dirname(self.path(name, "main.yaml")))
        err.close()
        deadline = time.monotonic() + h.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError("gslbd %s exited:\n%s" % (name, self.log(name)))
            try:
                self.status(name)
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
        raise RuntimeError("gslbd %s did not start:\n%s" % (name, self.log(name)))

    def log(self, name):
        try:
            with open(self.path(name, "stderr.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def in_hub(self, fn):
        fd = os.open("/run/netns/" + self.hub, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns to the hub namespace")
            try:
                return fn()
            finally:
                if libc.setns(self.original, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back")
        finally:
            os.close(fd)

    def get(self, name, path):
        def fetch():
            conn = http.client.HTTPConnection(self.address(name), CONTROL_PORT, timeout=5)
            try:
                conn.request("GET", path, headers={"Authorization": "Bearer " + FLEET_TOKEN})
                r = conn.getresponse()
                return r.status, r.read().decode()
            finally:
                conn.close()
        return self.in_hub(fetch)

    def status(self, name):
        code, body = self.get(name, "/status")
        if code != 200:
            raise http.client.HTTPException("status %d" % code)
        return json.loads(body)

    def answers(self, name, qname="www." + p.GSLB_ZONE):
        def query():
            r = dns.query.udp(dns.message.make_query(qname, "A"), self.address(name),
                              port=DNS_PORT, timeout=h.QUERY_TIMEOUT)
            return sorted(rr.address for rrset in r.answer for rr in rrset)
        return self.in_hub(query)

    def teardown(self):
        for key in [k for k in self.procs if k in self.names]:
            self.stop_proc(key)
        for key in list(self.procs):
            self.stop_proc(key)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
        os.close(self.original)
        shutil.rmtree(self.dir, ignore_errors=True)


def member(status, pool, name):
    for p_ in status["pools"]:
        if p_["name"] == pool:
            for m in p_["members"]:
                if m["name"] == name:
                    return m
    raise KeyError("%s/%s" % (pool, name))


def pool_of(status, pool):
    return [x for x in status["pools"] if x["name"] == pool][0]


def wait_for(what, predicate, timeout=p.HEALTH_WAIT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError("timed out after %.0f s waiting for %s (last: %r)" % (timeout, what, last))


class NetnsVotes(unittest.TestCase):
    def setUp(self):
        reason = missing()
        if reason:
            print("skipped: " + reason)
            self.skipTest(reason)
        self.fleet = None

    def tearDown(self):
        if self.fleet is None:
            return
        failed = self._outcome.result.failures or self._outcome.result.errors
        for name in self.fleet.names:
            if failed:
                print("\n--- %s stderr ---\n%s" % (name, self.fleet.log(name)[-4000:]))
        self.fleet.teardown()

    def start(self, consensus):
        self.fleet = Fleet(consensus)
        self.fleet.build()
        for name in self.fleet.names:
            self.fleet.start(name)
        f = self.fleet
        # Every instance has a verdict of its own and both peers' for every member.
        def voted(name):
            s = f.status(name)
            return all(v["vote"] in ("up", "down")
                       for m in ("only1", "all")
                       for v in member(s, "web", m)["votes"]["instances"])
        for name in f.names:
            wait_for("%s to see both peers' votes" % name, lambda name=name: voted(name))
        return f

    def test_majority_agrees_and_falls_back_when_peers_die(self):
        f = self.start("majority")
        # Only ns1 reaches only1: 1 of 3 is no majority, so every instance keeps it down and
        # all three give the same answer. The own-rule pool shows that they do disagree.
        for name in f.names:
            wait_for("%s answers without only1" % name, lambda name=name: f.answers(name) == [ALL])
        self.assertEqual(f.answers("ns1", "own." + p.GSLB_ZONE), sorted([ONLY1, ALL]))
        self.assertEqual(f.answers("ns2", "own." + p.GSLB_ZONE), [ALL])
        s1 = f.status("ns1")
        votes = member(s1, "web", "only1")["votes"]
        self.assertEqual(votes["consensus"], "majority")
        self.assertEqual(votes["result"], "down")
        self.assertEqual((votes["up"], votes["voters"], votes["needed"]), (1, 3, 2))
        self.assertEqual({v["instance"]: v["vote"] for v in votes["instances"]},
                         {"self": "up", "ns2": "down", "ns3": "down"})
        self.assertFalse(votes["own_view_only"])
        self.assertFalse(pool_of(s1, "web")["own_view_only"])
        self.assertIn("consensus majority: 1 of 3", member(s1, "web", "only1")["down_reason"])
        # /explain shows the same votes.
        code, body = f.get("ns1", "/explain?name=www.gslb.example&type=A")
        self.assertEqual(code, 200, body)
        explained = {v["name"]: v["votes"] for v in json.loads(body)["service"]["votes"]}
        self.assertEqual(explained["only1"]["result"], "down")
        # What ns1 tells its peers is its own verdict, not the vote's.
        code, body = f.get("ns1", "/peer/observations")
        obs = json.loads(body)
        web = [x for x in obs["pools"] if x["name"] == "web"][0]
        self.assertTrue([m for m in web["members"] if m["name"] == "only1"][0]["up"])

        # Both peers die: ns1 has no votes left and falls back to its own view.
        f.stop_proc("ns2", signal.SIGKILL)
        f.stop_proc("ns3", signal.SIGKILL)
        killed = time.monotonic()
        wait_for("ns1 to answer with only1 from its own view",
                 lambda: f.answers("ns1") == sorted([ONLY1, ALL]))
        print("measured: peers SIGKILLed, ns1 on its own view after %.2f s (stale_after %.1f s)"
              % (time.monotonic() - killed, STALE_MS / 1000.0))
        wait_for("ns1's status to say pool web is served by its own view only",
                 lambda: pool_of(f.status("ns1"), "web")["own_view_only"])
        s1 = f.status("ns1")
        self.assertTrue(member(s1, "web", "only1")["votes"]["own_view_only"])
        code, metrics = f.get("ns1", "/metrics")
        self.assertIn('gslbd_pool_own_view_only{pool="web"} 1', metrics)

        # They come back: the vote applies again.
        f.start("ns2")
        f.start("ns3")
        wait_for("ns1 to drop only1 again by the vote", lambda: f.answers("ns1") == [ALL])
        wait_for("ns1's status to say pool web votes again",
                 lambda: not pool_of(f.status("ns1"), "web")["own_view_only"])
        code, metrics = f.get("ns1", "/metrics")
        self.assertIn('gslbd_pool_own_view_only{pool="web"} 0', metrics)
        for name in f.names:
            wait_for("%s answers without only1" % name, lambda name=name: f.answers(name) == [ALL])

        # How long a vote takes to follow a real failure, against interval x fall: every
        # listener of `all` stops at once; time until each pool's word for it (as the workers
        # read it, in /status) says down on ns1. (Answers would not show it: with both members
        # down the pool serves all.)
        for name in f.names:
            f.stop_proc("listen-%s-%s" % (name, ALL))
        start = time.monotonic()
        own_at = vote_at = None
        deadline = start + p.HEALTH_WAIT
        while time.monotonic() < deadline and (own_at is None or vote_at is None):
            now = time.monotonic() - start
            s1 = f.status("ns1")
            if own_at is None and not member(s1, "web-own", "all")["up"]:
                own_at = now
            if vote_at is None and not member(s1, "web", "all")["up"]:
                vote_at = now
            time.sleep(0.01)
        self.assertIsNotNone(own_at)
        self.assertIsNotNone(vote_at)
        budget = CHECK_INTERVAL_MS / 1000.0 * FALL
        print("measured: interval x fall = %.2f s; own view down after %.2f s; majority vote "
              "down after %.2f s (peers.interval %.1f s)" % (budget, own_at, vote_at, POLL))
        # The vote waits for a second instance's verdict, which arrives by the next poll.
        self.assertLess(vote_at, budget + 2 * POLL + 1.5)
        self.assertLess(own_at, budget + 1.5)

    def test_any_serves_what_one_instance_reaches(self):
        f = self.start("any")
        for name in f.names:
            wait_for("%s answers with only1" % name,
                     lambda name=name: f.answers(name) == sorted([ONLY1, ALL]))
        votes = member(f.status("ns2"), "web", "only1")["votes"]
        self.assertEqual(votes["result"], "up")
        self.assertEqual({v["instance"]: v["vote"] for v in votes["instances"]},
                         {"self": "down", "ns1": "up", "ns3": "down"})
        # ns2's own checks still say down: that is what it publishes to its peers.
        code, body = f.get("ns2", "/peer/observations")
        web = [x for x in json.loads(body)["pools"] if x["name"] == "web"][0]
        self.assertFalse([m for m in web["members"] if m["name"] == "only1"][0]["up"])
        # ns1 goes: only1 has no one left to see it up.
        f.stop_proc("ns1", signal.SIGKILL)
        for name in ("ns2", "ns3"):
            wait_for("%s drops only1" % name, lambda name=name: f.answers(name) == [ALL])


if __name__ == "__main__":
    unittest.main(verbosity=2)
