# SPDX-License-Identifier: Apache-2.0
"""The icmp check, where CAP_NET_RAW is available (CI runs as root): a member with an icmp check
on 127.0.0.1 comes up. Skipped with the reason printed when raw sockets are not allowed."""

import socket
import unittest

import pool_harness as p


def raw_icmp_allowed():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
        return True, ""
    except OSError as e:
        return False, "no CAP_NET_RAW (raw ICMP socket: %s)" % e


class Icmp(p.PoolTestCase):
    @classmethod
    def setUpClass(cls):
        ok, why = raw_icmp_allowed()
        if not ok:
            print("skipping icmp system test: %s" % why)
            raise unittest.SkipTest(why)
        super().setUpClass()

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("ping", "icmp") + "pools:\n"
                 "  - name: pinged\n"
                 "    max_records: 4\n"
                 "    initial_state: down\n"
                 "    all_down: nodata\n"
                 "    members:\n"
                 "      - {name: lo, address: 192.0.2.160, check_address: 127.0.0.1,\n"
                 "         checks: [ping]}\n")
        return p.zone_yaml([("pinged", "pinged", "30s", None)]), {"icmp.pool.yaml": pools}

    def test_loopback_member_comes_up(self):
        self.wait_answer("pinged", ["192.0.2.160"])
        for _ in range(20):
            self.assertEqual(self.answer("pinged"), ["192.0.2.160"], "stays up")


if __name__ == "__main__":
    p.main()
