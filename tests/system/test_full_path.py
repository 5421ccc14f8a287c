# SPDX-License-Identifier: Apache-2.0
"""The whole path, end to end: a client resolves www.gslb.example through unbound, gslbd (two
instances) answers the VIP of an HAProxy site, HAProxy passes the request to a server. Built
from network namespaces by full_path_topology.py, with the configuration files of
zones/examples/haproxy (the ones docs/full-path.md shows): site A is a keepalived pair of
HAProxy nodes sharing one VIP, site B a single HAProxy; gslbd reads both through HAProxy's
runtime API (check type haproxy) and answers with policy least_connections.

Real requests from the client namespace show:
 1. the name resolves to a healthy site's VIP and a request through it reaches a server;
 2. URL switching: /api/ and /static/ reach different server groups;
 3. context switching: the Host header (and Accept: image/...) picks the group;
 4. cookie persistence: 20 requests with the cookie stay on one server, without it they spread;
 5. X-Forwarded-For/-Proto/-Port: the server sees the client's address, port and protocol;
 6. site A loses every server while its HAProxy stays up: gslbd stops answering A's VIP within
    the bound derived from the configured intervals, new resolutions go to B; A comes back;
 7. the MASTER node of site A dies: the VIP moves to the BACKUP, gslbd keeps answering A, and
    the failed requests of a fixed-rate stream are bounded;
 8. least connections: long-lived sessions on site A move answers toward B in proportion to
    the spare sessions, and the shares settle (within a band, not alternating).
Failover times, failed requests and the shares are printed.

Every bound is derived from the intervals in the example files (Topology.timings). Needs root,
haproxy, keepalived and unbound; otherwise skipped with the reason printed. Every namespace and
process is removed (by PID) in a class cleanup, which also runs when the set-up fails.
"""

import math
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

import gslbd_harness as h
import full_path_topology as fp

VIP_A, VIP_B = fp.VIP["a"], fp.VIP["b"]
URL = "http://%s/" % fp.SERVICE
NAMESERVERS = ",".join(fp.NS.values())

# A query round of the DNS watch: this many queries to each instance. With two members and
# max_records 1, a serving member is missing from all of them by chance with probability below
# 0.8^20 ~ 1 %, so the watch asks again in the next round before believing a member is gone.
WATCH_QUERIES = 10
WATCH_PERIOD = 0.25
# How many rounds in a row without a member prove it is not answered any more.
GONE_ROUNDS = 4
STREAM_RATE = 20.0          # requests per second in the failover streams
REQUEST_TIMEOUT = 2.0
SLACK = 1.0                 # for the scheduling of a loaded CI host, once per bound

# Step 8
HELD_SESSIONS = 60          # long-lived sessions opened to site A
SHARE_ROUNDS = 8
SHARE_QUERIES = 100         # per instance and round: 200 answers per poll interval
SHARE_BAND = 0.12           # a round's share of A may differ this much from the expected one
SHARE_MEAN_BAND = 0.06      # the mean over the rounds this much


def why_skip():
    if os.geteuid() != 0:
        return "builds network namespaces: needs root (not root here)"
    missing = fp.missing_tools()
    if missing:
        return "missing: %s (tools/install-deps --test installs them)" % ", ".join(missing)
    return None


REASON = why_skip()
if REASON:
    print("skipping the full-path test: %s" % REASON, file=sys.stderr)


def servers(results):
    return [r["body"]["server"] for r in results if r.get("ok")]


def header(r, name):
    for k, v in r["body"]["headers"].items():
        if k.lower() == name.lower():
            return v
    return None


def has(round_, address):
    return round_["answers"].get(address, 0) > 0


def share_of(round_, address):
    total = sum(round_["answers"].values())
    return round_["answers"].get(address, 0) / total if total else float("nan")


@unittest.skipIf(REASON, REASON or "")
class FullPath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.T = fp.Topology.timings()
        cls.dir = tempfile.mkdtemp(prefix="gslbd-full-path-")
        cls.topo = fp.Topology(cls.dir, "fp%d-" % (os.getpid() % 100000), h.binary(),
                               log=lambda m: print(m, file=sys.stderr))
        cls.addClassCleanup(cls.cleanup)
        cls.topo.up()
        print("timings from zones/examples/haproxy: %s" % cls.T, file=sys.stderr)

    @classmethod
    def cleanup(cls):
        cls.topo.down()
        if os.environ.get("GSLBD_KEEP_TEST_DIR"):
            print("kept %s" % cls.dir, file=sys.stderr)
        else:
            shutil.rmtree(cls.dir, True)

    def setUp(self):
        # every step starts from the whole path healthy
        self.wait_members({"site-a": True, "site-b": True})

    def run(self, result=None):
        failures = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > failures:
            for name in sorted(self.topo.pids):
                print("--- %s log:\n%s" % (name, self.topo.log_text(name, 3000)),
                      file=sys.stderr)
        return out

    # --- helpers -----------------------------------------------------------------------------
    def wait_members(self, want, timeout=None):
        timeout = timeout or self.up_bound() * 3 + 10
        for instance in fp.NS:
            for member, up in want.items():
                self.topo.wait_until("%s: %s up=%s" % (instance, member, up),
                                     lambda: self.topo.member_up(instance, member) is up,
                                     timeout=timeout, period=0.2)

    def down_bound(self):
        """From the last server of a site dying to gslbd no longer answering its VIP: HAProxy's
        own checks take the servers out (fall checks, one interval apart, plus the one under
        way), then gslbd's check fails `fall` times, each interval stretched by the jitter,
        the last one taking up to its timeout; one watch round to see it; SLACK."""
        T = self.T
        haproxy = T["haproxy_inter"] * (T["haproxy_fall"] + 1)
        gslbd = T["interval"] * (1 + T["jitter"]) * T["fall"] + T["timeout"]
        return haproxy + gslbd + WATCH_PERIOD * GONE_ROUNDS + SLACK

    def up_bound(self):
        T = self.T
        haproxy = T["haproxy_inter"] * (T["haproxy_rise"] + 1)
        gslbd = T["interval"] * (1 + T["jitter"]) * T["rise"] + T["timeout"]
        return haproxy + gslbd + WATCH_PERIOD + SLACK

    def get(self, url=URL, *args):
        results = self.topo.client("get", url, *args)
        for r in results:
            self.assertTrue(r["ok"], "request %s failed: %s" % (url, r))
        return results

    def dig(self, name=fp.SERVICE):
        r = self.topo.in_ns("client", ["dig", "+short", "+tries=3", "+time=1", name, "A"])
        return [line for line in r.stdout.split() if line[0].isdigit()]

    # --- 1-5: the path and HAProxy's L7 features ---------------------------------------------
    def test_1_resolves_to_a_healthy_vip_and_reaches_a_server(self):
        answers = self.dig()
        self.assertEqual(len(answers), 1, "max_records 1: %s" % answers)
        self.assertIn(answers[0], (VIP_A, VIP_B))
        seen = set()
        for r in self.get(URL, "--count", "10"):
            self.assertIn(r["address"], (VIP_A, VIP_B))
            site = "a" if r["address"] == VIP_A else "b"
            self.assertRegex(r["body"]["server"], "^%s-web[12]$" % site)
            # HAProxy is a full proxy: the server's peer is the node, not the client
            self.assertIn(r["body"]["peer"], [a for n, a in fp.NODE.items() if n[0] == site])
            seen.add(r["address"])
        print("step 1: %s resolved through unbound to %s; 10 requests went to %s"
              % (fp.SERVICE, answers, sorted(seen)), file=sys.stderr)

    def test_2_url_switching(self):
        api = servers(self.get(URL + "api/v1/items", "--count", "6", "--pin"))
        static = servers(self.get(URL + "static/app.css", "--count", "6", "--pin"))
        web = servers(self.get(URL + "index.html", "--count", "6", "--pin"))
        for got, group in ((api, "api"), (static, "static"), (web, "web")):
            self.assertTrue(all(s.split("-")[1].rstrip("12") == group for s in got),
                            "%s: %s" % (group, got))
            self.assertEqual(len(set(got)), 2, "round robin over both %s servers: %s"
                             % (group, got))
        print("step 2: /api/ -> %s, /static/ -> %s, / -> %s"
              % (sorted(set(api)), sorted(set(static)), sorted(set(web))), file=sys.stderr)

    def test_3_context_switching(self):
        by_host = servers(self.get(URL, "--header", "Host: static.gslb.example", "--count", "4"))
        self.assertTrue(all("-static" in s for s in by_host), by_host)
        # api.gslb.example is a CNAME of www: resolved through unbound, Host says api
        by_name = servers(self.get("http://api.gslb.example/", "--count", "4"))
        self.assertTrue(all("-api" in s for s in by_name), by_name)
        by_accept = servers(self.get(URL + "logo", "--header", "Accept: image/png",
                                     "--count", "4"))
        self.assertTrue(all("-static" in s for s in by_accept), by_accept)
        plain = servers(self.get(URL + "logo", "--count", "4"))
        self.assertTrue(all("-web" in s for s in plain), plain)
        print("step 3: Host static -> %s, name api -> %s, Accept image/ -> %s, plain -> %s"
              % (sorted(set(by_host)), sorted(set(by_name)), sorted(set(by_accept)),
                 sorted(set(plain))), file=sys.stderr)

    def test_4_cookie_persistence(self):
        jar = self.get(URL, "--count", "20", "--jar", "--pin")
        with_cookie = servers(jar)
        self.assertEqual(len(with_cookie), 20)
        self.assertEqual(len(set(with_cookie)), 1, "with the cookie: %s" % with_cookie)
        cookie = jar[0]["set_cookie"]
        self.assertRegex(cookie or "", r"^SRV=web[12]", "the first answer sets SRV")
        self.assertTrue(all(r["set_cookie"] is None for r in jar[1:]),
                        "a request carrying SRV is not given a new one")
        without = servers(self.get(URL, "--count", "20", "--pin"))
        self.assertEqual(len(set(without)), 2, "without the cookie: %s" % without)
        print("step 4: with the cookie (%s) 20/20 on %s; without it %s"
              % (cookie.split(";")[0], with_cookie[0],
                 {s: without.count(s) for s in sorted(set(without))}), file=sys.stderr)

    def test_5_forwarded_headers(self):
        r = self.get(URL + "whoami")[0]
        xff = header(r, "X-Forwarded-For")
        self.assertEqual(xff.split(",")[-1].strip(), fp.CLIENT_ADDRESS, r)
        self.assertEqual(header(r, "X-Forwarded-Proto"), "http", r)
        self.assertEqual(header(r, "X-Forwarded-Port"), "80", r)
        self.assertNotEqual(r["body"]["peer"], fp.CLIENT_ADDRESS, "HAProxy is a full proxy")
        print("step 5: the server saw peer %s, X-Forwarded-For %s, -Proto %s, -Port %s"
              % (r["body"]["peer"], xff, header(r, "X-Forwarded-Proto"),
                 header(r, "X-Forwarded-Port")), file=sys.stderr)

    # --- 6: deep health --------------------------------------------------------------------
    def watch_and_stream(self, duration, stream_args=()):
        """A DNS watch of both instances and a request stream, both running (at most
        `duration` seconds, until collect()) when this returns."""
        self.stop_file = os.path.join(self.topo.workdir, "stop-%d" % time.monotonic_ns())
        watch = self.topo.client_popen("dnswatch", fp.SERVICE, "--servers", NAMESERVERS,
                                       "--period", WATCH_PERIOD, "--queries", WATCH_QUERIES,
                                       "--duration", duration, "--stop-file", self.stop_file)
        stream = self.topo.client_popen("stream", URL, "--rate", STREAM_RATE, "--duration",
                                        duration, "--timeout", REQUEST_TIMEOUT, "--stop-file",
                                        self.stop_file, *stream_args)
        self.topo.wait_until("the watch and the stream under way",
                             lambda: self.topo.client_lines(watch) and
                             self.topo.client_lines(stream), timeout=30)
        time.sleep(2 * WATCH_PERIOD)
        return watch, stream

    def collect(self, watch, stream, duration):
        with open(self.stop_file, "w"):
            pass
        wait = duration + REQUEST_TIMEOUT * 3 + 30
        return (self.topo.client_result(watch, wait),
                self.topo.client_result(stream, wait)["requests"])

    def gone_at(self, rounds, address, after):
        """The start of the first round (after `after`) from which `address` is missing for
        GONE_ROUNDS rounds in a row and in every later one; None if it never is."""
        later = [r for r in rounds if r["start"] >= after]
        for i, r in enumerate(later):
            tail = later[i:]
            if len(tail) >= GONE_ROUNDS and not any(has(x, address) for x in tail):
                return r["start"]
        return None

    def test_6_site_a_loses_every_server(self):
        T = self.T
        down_bound = self.down_bound()
        resolve_bound = down_bound + T["ttl"]
        # the resolver holds A's VIP when A loses its servers, so clients keep coming to A for
        # what is left of the TTL: the worst case for them. Each TTL the resolver asks again,
        # and A is the answer about half the time: 20 TTLs leave a chance of 1e-6 to wait
        # longer.
        wait_for_a = 20 * T["ttl"]
        duration = wait_for_a + resolve_bound + 10.0
        watch, stream = self.watch_and_stream(duration)
        self.topo.wait_until("unbound answers A's VIP", lambda: self.dig() == [VIP_A],
                             timeout=wait_for_a, period=0.2)
        killed = time.clock_gettime(time.CLOCK_MONOTONIC)
        self.topo.stop("backends-a", signal.SIGKILL)
        try:
            time.sleep(resolve_bound + 2.0)
            self.site_a_down(watch, stream, duration, killed)
        finally:
            if "backends-a" not in self.topo.pids:
                self.topo.start_backends("a")

    def site_a_down(self, watch, stream, duration, killed):
        T = self.T
        down_bound = self.down_bound()
        resolve_bound = down_bound + T["ttl"]
        rounds, requests = self.collect(watch, stream, duration)
        before = [r for r in rounds if r["end"] < killed]
        self.assertTrue(any(has(r, VIP_A) for r in before), "A was answered before: %s" % before)
        gone = self.gone_at(rounds, VIP_A, killed)
        self.assertIsNotNone(gone, "gslbd still answers A's VIP: %s" % rounds[-8:])
        stop_time = gone - killed
        after = [r for r in requests if r and r["start"] >= killed]
        to_a = [r["start"] - killed for r in after if r.get("address") == VIP_A]
        last_a = max(to_a) if to_a else 0.0
        failed = [r for r in after if not r["ok"]]
        print("step 6: site A lost every server at t=0; gslbd stopped answering its VIP at "
              "t=%.2f s (bound %.2f s = HAProxy %g x %d + gslbd %g x %d + timeout + slack); "
              "the last resolution to A at t=%.2f s (bound %.2f s with the %g s TTL); "
              "%d of %d requests failed (%d went to A after it lost its servers)"
              % (stop_time, down_bound, T["haproxy_inter"], T["haproxy_fall"], T["interval"],
                 T["fall"], last_a, resolve_bound, T["ttl"], len(failed), len(after),
                 len(to_a)), file=sys.stderr)
        self.assertLessEqual(stop_time, down_bound)
        self.assertLessEqual(last_a, resolve_bound)
        settled = [r for r in after if r["start"] - killed > resolve_bound]
        self.assertTrue(settled, "no request after the bound")
        self.assertTrue(all(r["ok"] and r["address"] == VIP_B for r in settled),
                        [r for r in settled if not (r["ok"] and r["address"] == VIP_B)][:3])
        self.assertLessEqual(len(failed), math.ceil(STREAM_RATE * resolve_bound))

    def test_6b_site_a_gets_its_servers_back(self):
        self.topo.stop("backends-a", signal.SIGKILL)
        self.wait_members({"site-a": False})
        up_bound = self.up_bound()
        watch = self.topo.client_popen("dnswatch", fp.SERVICE, "--servers", NAMESERVERS,
                                       "--period", WATCH_PERIOD, "--queries", WATCH_QUERIES,
                                       "--duration", up_bound + 2)
        back = time.clock_gettime(time.CLOCK_MONOTONIC)
        self.topo.start_backends("a")
        rounds = self.topo.client_result(watch, up_bound + 30)
        returned = [r["start"] - back for r in rounds if r["start"] >= back and has(r, VIP_A)]
        self.assertTrue(returned, "A is not answered again within %.2f s: %s"
                        % (up_bound, rounds[-4:]))
        print("step 6: the servers came back at t=0; gslbd answered A again at t=%.2f s "
              "(bound %.2f s = HAProxy %g x %d + gslbd %g x %d + timeout + slack)"
              % (returned[0], up_bound, self.T["haproxy_inter"], self.T["haproxy_rise"],
                 self.T["interval"], self.T["rise"]), file=sys.stderr)
        self.assertLessEqual(returned[0], up_bound)

    # --- 7: the redundant pair ---------------------------------------------------------------
    def kill_node(self, node):
        """The node dies as at a power loss: its processes freeze (SIGSTOP), its link goes
        down, then they are killed by PID. Frozen first, because a keepalived that is told to
        stop, or whose VRRP child or parent dies, hands the VIP over at once with a
        priority-0 advert (or respawns the child), and the kernel of a node whose HAProxy
        died but whose link is up refuses connections: a dead node does neither."""
        child = self.topo.keepalived_child(node)
        self.assertIsNotNone(child, "keepalived on %s wrote no VRRP pid file" % node)
        frozen = [self.topo.pids["keepalived-" + node], child, self.topo.pids["haproxy-" + node]]
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        self.topo.ip(node, "link", "set", "eth0", "down")
        os.kill(child, signal.SIGKILL)
        self.topo.stop("keepalived-" + node, signal.SIGKILL)
        self.topo.stop("haproxy-" + node, signal.SIGKILL)

    def revive_node(self, node):
        # a rebooted node comes up without the VIP it had
        self.topo.ip(node, "addr", "del", "%s/24" % VIP_A, "dev", "eth0", check=False)
        self.topo.ip(node, "link", "set", "eth0", "up")
        self.topo.ip(node, "route", "replace", "default", "via", fp.SEGMENTS["a"][1])
        self.topo.start_haproxy(node)
        self.topo.start_keepalived(node)

    def test_7_master_node_dies(self):
        T = self.T
        self.assertEqual(self.topo.vip_holder(), ["a1"], "a1 (priority 150) is MASTER")
        # RFC 5798: the BACKUP takes over after 3 adverts plus its skew, (256 - 100)/256 of one
        master_down = 3 * T["advert_int"] + (256 - 100) / 256 * T["advert_int"]
        move_bound = master_down + T["advert_int"] + SLACK
        duration = move_bound * 3 + REQUEST_TIMEOUT + 10.0
        watch, stream = self.watch_and_stream(duration, ("--address", VIP_A))
        killed = time.monotonic()
        try:
            self.kill_node("a1")
            # a1 keeps the VIP on its dead link (nobody lived to remove it): what counts is
            # that a2 has it and answers for it
            self.topo.wait_until("the VIP on a2", lambda: "a2" in self.topo.vip_holder(),
                                 timeout=move_bound * 3, period=0.02)
            moved = time.monotonic() - killed
            # the requests sent while the VIP moved are answered or have given up by then
            time.sleep(REQUEST_TIMEOUT + 1.0)
            rounds, requests = self.collect(watch, stream, duration)
            failed = [r for r in requests if r and not r["ok"]]
            latency = max(r["end"] - r["start"] for r in requests if r and r["ok"])
            # a request fails when it was under way on a1, or when no node held the VIP for so
            # long that its SYN's retransmission (after 1 s, then 3 s) came too late too: at
            # most the ones sent while the VIP moved, plus the one under way
            fail_bound = math.ceil(STREAM_RATE * move_bound) + 1
            print("step 7: MASTER a1 killed at t=0; the VIP was on a2 at t=%.2f s (bound %.2f s "
                  "= 3 x advert_int %g + skew + one advert + slack); %d of %d requests (%.0f/s "
                  "to the VIP) failed (bound %d), the slowest answered in %.2f s"
                  % (moved, move_bound, T["advert_int"], len(failed), len(requests),
                     STREAM_RATE, fail_bound, latency), file=sys.stderr)
            for r in failed[:5]:
                print("  failed at t=%.2f: %s" % (r["start"] - killed, r.get("error",
                                                                              r.get("status"))),
                      file=sys.stderr)
            self.assertLessEqual(moved, move_bound)
            self.assertLessEqual(len(failed), fail_bound)
            missing = [r for r in rounds if not has(r, VIP_A)]
            self.assertLessEqual(len(missing), 1, "gslbd's answer changed: A missing from %d "
                                 "rounds of %d queries: %s" % (len(missing), 2 * WATCH_QUERIES,
                                                               missing[:3]))
            print("step 7: A's VIP was in %d of %d DNS rounds while the VIP moved"
                  % (len(rounds) - len(missing), len(rounds)), file=sys.stderr)
            for instance in fp.NS:
                self.assertIs(self.topo.member_up(instance, "site-a"), True, instance)
        finally:
            self.revive_node("a1")
            self.topo.wait_until("the VIP back on a1 (preempt)",
                                 lambda: self.topo.vip_holder() == ["a1"], timeout=30)

    # --- 8: least connections ----------------------------------------------------------------
    def shares(self, rounds):
        result = self.topo.client("shares", fp.SERVICE, "--servers", NAMESERVERS, "--rounds",
                                  rounds, "--period", self.T["interval"], "--queries",
                                  SHARE_QUERIES, timeout=rounds * self.T["interval"] * 4 + 30)
        return [share_of(r, VIP_A) for r in result]

    def test_8_least_connections_in_proportion(self):
        T = self.T
        slim = T["frontend_maxconn"]
        # weight x spare/slim for both members, equal weights; B holds no sessions
        spare_a = (slim - HELD_SESSIONS) / slim
        expected = spare_a / (spare_a + 1.0)
        # the EWMA (0.5 a poll) is within 1/16 of a step after 4 polls
        settle = 4 * T["interval"] * (1 + T["jitter"]) + T["timeout"] + SLACK
        baseline = self.shares(3)
        # the sessions last until the servers answer: through the settling and the rounds
        # measured, then they end by themselves (HAProxy keeps a session whose client went
        # away until its server answers, so ending the client early would not free it)
        hold_for = settle + SHARE_ROUNDS * T["interval"] * 1.5 + 10
        hold = self.topo.client_popen("hold", VIP_A, "--count", HELD_SESSIONS, "--seconds",
                                      hold_for)
        try:
            self.topo.wait_until("the sessions open", lambda: self.topo.client_lines(hold),
                                 timeout=30)
            time.sleep(settle)
            loaded = self.shares(SHARE_ROUNDS)
            self.assertIsNone(hold.poll(), "the sessions ended before the rounds did: make "
                              "hold_for longer")
            closed = self.topo.client_result(hold, hold_for + 30)
            # The sessions lasted through the rounds: none ended early and freed HAProxy's slots.
            self.assertEqual(closed, {"closed": HELD_SESSIONS, "answered": HELD_SESSIONS})
        finally:
            if hold.poll() is None:
                hold.kill()
                hold.wait(10)
            self.topo.pids.pop("client-%d" % hold.pid, None)
        time.sleep(settle)
        after = self.shares(3)
        mean = sum(loaded) / len(loaded)
        # herding would swing the share far past the settled one at every poll; a sign flip
        # of the deviation by more than 2 standard deviations of a round's sampling noise
        # (binomial, 2 x SHARE_QUERIES answers) on both sides is such a swing
        sigma = math.sqrt(expected * (1 - expected) / (2 * SHARE_QUERIES))
        devs = [x - mean for x in loaded]
        flips = sum(1 for x, y in zip(devs, devs[1:]) if x * y < 0)
        swings = sum(1 for x, y in zip(devs, devs[1:])
                     if x * y < 0 and min(abs(x), abs(y)) > 2 * sigma)
        fmt = lambda xs: " ".join("%.2f" % x for x in xs)
        print("step 8: A's share of answers per %g s poll interval: idle %s; with %d of %d "
              "sessions held on A: %s (expected %.3f = (1 - %d/%d) / (2 - %d/%d), mean %.3f, "
              "sign flips %d of %d, of them beyond 2 sigma = %.3f: %d); after they ended: %s"
              % (T["interval"], fmt(baseline), HELD_SESSIONS, slim, fmt(loaded), expected,
                 HELD_SESSIONS, slim, HELD_SESSIONS, slim, mean, flips, len(loaded) - 1,
                 2 * sigma, swings, fmt(after)), file=sys.stderr)
        for s in loaded:
            self.assertLess(abs(s - expected), SHARE_BAND, fmt(loaded))
        self.assertLess(abs(mean - expected), SHARE_MEAN_BAND)
        self.assertLessEqual(swings, (len(loaded) - 1) // 2, "the share swings every interval")
        for s in baseline + after:
            self.assertLess(abs(s - 0.5), SHARE_BAND, "idle sites share evenly")


if __name__ == "__main__":
    h.main()
