# SPDX-License-Identifier: Apache-2.0
"""Differential check of a geo map walked from a MaxMind database: for 10,000 random addresses
(IPv4, IPv6 and IPv4-mapped, most inside the database's nested networks, the rest anywhere), the
region the running gslbd reports through GET /explain equals the region derived from the record
mmdblookup (libmaxminddb's own lookup, Debian mmdb-bin) finds, by the documented precedence:
the most specific subdivision, then the country, then the continent."""

import http.client
import ipaddress
import json
import os
import shutil
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import control_harness as c
import geo_database as g
import pool_harness as p

SEED = 20261206
ADDRESSES = 10_000
CONTINENTS = ["EU", "NA", "AS", "OC", "SA", "AF"]
COUNTRIES = {"EU": ["DE", "FR", "IT"], "NA": ["US", "CA"], "AS": ["JP", "IN"],
             "OC": ["AU"], "SA": ["BR"], "AF": ["ZA"]}
SUBDIVISIONS = {"US": ["NY", "CA"], "DE": ["BY", "BE"], "JP": ["13"]}
RULES = {"continents": {"EU": "europe", "AS": "asia"},
         "countries": {"US": "usa", "JP": "japan", "BR": "brazil"},
         "subdivisions": {"US-NY": "newyork", "DE-BY": "bavaria"}}


def random_record(rng):
    continent = rng.choice(CONTINENTS)
    record = {"continent": {"code": continent}}
    if rng.random() < 0.9:
        country = rng.choice(COUNTRIES[continent])
        record["country"] = {"iso_code": country}
        if country in SUBDIVISIONS and rng.random() < 0.6:
            record["subdivisions"] = [{"iso_code": rng.choice(SUBDIVISIONS[country])}]
    return record


def random_networks(rng):
    """Nested networks: wide ones first, then narrower ones inside some of them."""
    out = []
    for _ in range(400):
        base = ipaddress.ip_network((rng.getrandbits(32), rng.randint(8, 16)), strict=False)
        out.append(base)
    for _ in range(1200):
        parent = rng.choice(out)
        if parent.prefixlen >= 30:
            continue
        prefix = rng.randint(parent.prefixlen + 1, min(parent.prefixlen + 12, 30))
        host = int(parent.network_address) + rng.getrandbits(parent.max_prefixlen -
                                                               parent.prefixlen)
        out.append(ipaddress.ip_network((host, prefix), strict=False))
    for _ in range(300):
        net = ipaddress.ip_network(((0xfd << 120) | rng.getrandbits(112) << 8,
                                    rng.randint(16, 64)), strict=False)
        out.append(net)
    out.sort(key=lambda n: (n.version, n.prefixlen))
    return [[str(n), random_record(rng)] for n in out]


def random_addresses(rng, networks):
    out = []
    for i in range(ADDRESSES):
        kind = rng.random()
        if kind < 0.7:
            net = ipaddress.ip_network(rng.choice(networks)[0])
            host = int(net.network_address) + rng.getrandbits(net.max_prefixlen - net.prefixlen)
            address = ipaddress.ip_address(host)
        elif kind < 0.85:
            address = ipaddress.IPv4Address(rng.getrandbits(32))
        elif kind < 0.93:
            address = ipaddress.IPv6Address((0xfd << 120) | rng.getrandbits(120))
        else:
            v4 = int(ipaddress.ip_network(rng.choice(networks[:1600])[0]).network_address)
            address = ipaddress.IPv6Address((0xffff << 32) | (v4 + rng.getrandbits(8)))
        out.append(str(address))
    return out


def expected_region(record):
    """The region the map's rules give the record (mmdblookup's view), or None."""
    if record is None:
        return None
    country = record.get("country", {}).get("iso_code")
    for sub in reversed(record.get("subdivisions", [])):
        region = RULES["subdivisions"].get("%s-%s" % (country, sub.get("iso_code")))
        if region:
            return region
    if country in RULES["countries"]:
        return RULES["countries"][country]
    return RULES["continents"].get(record.get("continent", {}).get("code"))


def pool_text(db_path):
    regions = []
    for kind, table in RULES.items():
        by_region = {}
        for key, region in table.items():
            by_region.setdefault(region, []).append(key)
        for region, keys in by_region.items():
            regions.append("      - {name: %s, %s: [%s]}\n" % (region, kind, ", ".join(keys)))
    return ("version: 1\n"
            "geo_maps:\n"
            "  - name: world\n"
            "    database: %s\n"
            "    regions:\n%s"
            "pools:\n"
            "  - name: geo\n"
            "    policy: geo\n"
            "    geo: {map: world, default: [europe]}\n"
            "    members:\n"
            "      - {name: a, address: 192.0.2.1, region: europe}\n"
            % (db_path, "".join(regions)))


class GeoDifferential(c.ControlTestCase):
    @classmethod
    def peers(cls):
        return []

    @classmethod
    def services(cls):
        return [("g", "geo", "30s", None)]

    @classmethod
    def config(cls):
        rng = random.Random(SEED)
        cls.db_dir = tempfile.mkdtemp(prefix="gslbd-geodiff-")
        cls.db = os.path.join(cls.db_dir, "random.mmdb")
        cls.networks = random_networks(rng)
        g.write_mmdb(cls.db, cls.networks)
        cls.addresses = random_addresses(rng, cls.networks)
        return cls.zone_text(), {"geo.pool.yaml": pool_text(cls.db)}

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.db_dir, ignore_errors=True)

    def explain_regions(self, addresses):
        """The region /explain reports for each address, over one kept-alive connection."""
        regions = []
        conn = http.client.HTTPConnection("127.0.0.1", self.cport, timeout=10)
        try:
            for address in addresses:
                for attempt in range(2):
                    try:
                        conn.request("GET", "/explain?name=g.gslb.example&type=A&client=" +
                                     address)
                        reply = conn.getresponse()
                        body = reply.read()
                        break
                    except (http.client.HTTPException, ConnectionError):
                        if attempt:
                            raise
                        conn.close()  # the endpoint closed an idle or used-up connection
                        conn = http.client.HTTPConnection("127.0.0.1", self.cport, timeout=10)
                self.assertEqual(reply.status, 200, body)
                regions.append(json.loads(body)["service"]["pools"][0]["geo"]["region"])
        finally:
            conn.close()
        return regions

    def test_regions_agree_with_mmdblookup(self):
        start = time.monotonic()
        got = self.explain_regions(self.addresses)
        explain_s = time.monotonic() - start
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=2) as pool:
            records = list(pool.map(lambda a: g.lookup(self.db, a), self.addresses))
        lookup_s = time.monotonic() - start
        want = [expected_region(r) for r in records]
        wrong = [(a, w, gs) for a, w, gs in zip(self.addresses, want, got) if w != gs]
        placed = sum(1 for w in want if w is not None)
        print("%d addresses (%d in a region, %d in the database): /explain %.1f s, mmdblookup "
              "%.1f s" % (len(self.addresses), placed, sum(r is not None for r in records),
                          explain_s, lookup_s))
        self.assertGreater(placed, len(self.addresses) // 3, "too few addresses in a region")
        self.assertEqual(wrong[:20], [], "%d of %d differ (address, mmdblookup, gslbd)"
                         % (len(wrong), len(self.addresses)))


if __name__ == "__main__":
    p.main()
