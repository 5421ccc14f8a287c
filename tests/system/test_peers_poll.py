# SPDX-License-Identifier: Apache-2.0
"""Three real instances that poll each other: /status and /metrics show every peer fresh; a
peer SIGKILLed goes stale on the others, and when every peer is gone an instance says it
answers from its own view only, then recovers when they return; pools defined differently are
reported and that peer does not vote for them; a wrong token is refused on both sides and
reported; a peer that answers garbage, an oversized reply or nothing at all is logged and
loses its vote while the instance keeps serving."""

import http.server
import socketserver
import threading
import time
import unittest

import peers_harness as ph


class FakePeer:
    """An HTTP server on 127.0.0.x answering every request with `body` (status 200)."""

    def __init__(self, host, body):
        self.body = body
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                data = outer.body.encode() if isinstance(outer.body, str) else outer.body
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = socketserver.ThreadingTCPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def peers_of(instance):
    return {x["name"]: x for x in instance.get_json("/status")["peers"]["instances"]}


class PollTest(ph.FleetTest):
    def setUp(self):
        super().setUp()
        self.pool = ph.pool_yaml([("a", "192.0.2.1", self.up.port)])

    def fleet(self, pools=None, tokens=None):
        pools = pools or [self.pool] * 3
        tokens = tokens or [ph.FLEET_TOKEN] * 3
        self.instances = [ph.Instance("ns%d" % (n + 1), "127.0.0.%d" % (31 + n), pools[n],
                                      token=tokens[n]) for n in range(3)]
        return ph.start_fleet(self.instances)

    def test_all_fresh_then_kill_and_restart(self):
        one, two, three = self.fleet()
        for i in (one, two, three):
            ph.wait_for("%s sees both peers fresh" % i.name,
                        lambda i=i: all(x["fresh"] for x in peers_of(i).values()))
        status = one.get_json("/status")
        self.assertFalse(status["peers"]["own_view_only"])
        self.assertEqual(peers_of(one)["ns2"]["instance"], "ns2")
        metrics = one.get("/metrics")[1]
        self.assertIn('gslbd_peer_fresh{peer="ns2"} 1', metrics)
        self.assertIn("gslbd_peers_own_view_only 0", metrics)

        logged = len(one.stderr_text())
        two.kill()
        ph.wait_for("ns1 sees ns2 stale",
                    lambda: not peers_of(one)["ns2"]["fresh"] and peers_of(one)["ns3"]["fresh"])
        self.assertFalse(one.get_json("/status")["peers"]["own_view_only"])
        self.assertIsNotNone(peers_of(one)["ns2"]["last_error"])
        three.kill()
        ph.wait_for("ns1 on its own view only",
                    lambda: one.get_json("/status")["peers"]["own_view_only"])
        self.assertIn("gslbd_peers_own_view_only 1", one.get("/metrics")[1])
        self.assertEqual(one.answers(), ["192.0.2.1"], "ns1 keeps serving from its own view")
        # One line when the trouble starts, not one per poll.
        time.sleep(1.0)  # three more polls of each dead peer
        since_kill = one.stderr_text()[logged:]
        self.assertEqual(since_kill.count("peers: ns2 (http://127.0.0.32"), 1, since_kill)

        two.start()
        three.start()
        ph.wait_for("ns1 sees both peers fresh again",
                    lambda: all(x["fresh"] for x in peers_of(one).values()))
        self.assertFalse(one.get_json("/status")["peers"]["own_view_only"])
        self.assertIn("its observations vote", one.stderr_text())

    def test_differing_pools_reported(self):
        other = ph.pool_yaml([("a", "192.0.2.1", self.up.port)], fall=3)
        one, two, three = self.fleet(pools=[self.pool, self.pool, other])
        ph.wait_for("ns1 reports ns3's differing pool",
                    lambda: peers_of(one)["ns3"]["differing_pools"] == ["web"])
        self.assertEqual(peers_of(one)["ns2"]["differing_pools"], [])
        self.assertEqual(peers_of(three)["ns1"]["differing_pools"], ["web"])
        self.assertIn('gslbd_peer_differing_pools{peer="ns3"} 1', one.get("/metrics")[1])
        self.assertIn("peers: ns3 defines pool web differently", one.stderr_text())

    def test_wrong_token(self):
        wrong = "other-0123456789abcdefghij"
        one, two, three = self.fleet(tokens=[ph.FLEET_TOKEN, ph.FLEET_TOKEN, wrong])
        ph.wait_for("ns1 refused by ns3",
                    lambda: peers_of(one)["ns3"]["unauthorized"] > 0)
        ph.wait_for("ns3 refused by ns1", lambda: peers_of(three)["ns1"]["unauthorized"] > 0)
        self.assertFalse(peers_of(one)["ns3"]["fresh"])
        self.assertTrue(peers_of(one)["ns2"]["fresh"])
        self.assertIn("HTTP 401", peers_of(one)["ns3"]["last_error"])
        self.assertTrue(three.get_json("/status")["peers"]["own_view_only"])
        self.assertIn("refused this instance's token", three.stderr_text())

    def test_garbage_oversized_and_silent_peers(self):
        good = "127.0.0.31"
        self.fakes = [FakePeer("127.0.0.41", "<html>garbage</html>"),
                      FakePeer("127.0.0.42", "{" + " " * (70 * 1024) + "}"),
                      FakePeer("127.0.0.43", '{"format":1,"instance":"x","generation":1,'
                                             '"pools":[{"name":"web","digest":"zz",'
                                             '"members":[]}]}')]
        one = ph.Instance("ns1", good, self.pool)
        self.instances = [one]
        one.peers = [("garbage", "127.0.0.41", self.fakes[0].port),
                     ("big", "127.0.0.42", self.fakes[1].port),
                     ("baddigest", "127.0.0.43", self.fakes[2].port),
                     ("silent", "127.0.0.44", ph.free_tcp_udp_port("127.0.0.44"))]
        one.peers_extra = ["max_reply_bytes: 65536"]
        one.start()
        ph.wait_for("every bad peer counted",
                    lambda: (lambda s: s["garbage"]["malformed"] > 0 and s["big"]["oversized"] > 0
                             and s["baddigest"]["malformed"] > 0 and s["silent"]["failed"] > 0)
                    (peers_of(one)))
        s = peers_of(one)
        self.assertIn("not JSON", s["garbage"]["last_error"])
        self.assertIn("max_reply_bytes", s["big"]["last_error"])
        self.assertIn("'digest' is not 64 lower-case hex digits", s["baddigest"]["last_error"])
        self.assertFalse(any(x["fresh"] for x in s.values()))
        self.assertTrue(one.get_json("/status")["peers"]["own_view_only"])
        self.assertEqual(one.answers(), ["192.0.2.1"])
        time.sleep(1.0)  # three more polls of each
        for name in ("garbage", "big", "baddigest", "silent"):
            self.assertEqual(one.stderr_text().count("peers: %s (" % name), 1, name)


if __name__ == "__main__":
    unittest.main()
