# SPDX-License-Identifier: Apache-2.0
"""Geo maps from a MaxMind database over the real server: dig +subnet answers and ECS scopes for
regions by continent, country and subdivision, the closest option's choice, /explain and
gslbctl explain naming the database, network, deciding key, region and distance; then the
database is replaced under the running server (answers change without SIGHUP), a corrupt
replacement keeps the old answers (log line, /status, /metrics), and with server.watch_files
an edited pool file and an edited zone import are reloaded by themselves."""

import os
import shutil
import tempfile

import control_harness as c
import geo_database as g
import pool_harness as p

FRANKFURT = (50.11, 8.68)
PARIS = (48.86, 2.35)
NEW_YORK = (40.71, -74.0)
WATCH_WAIT = 15.0  # polls once a second; a change is acted on after one quiet poll

EU1, US1 = "192.0.2.70", "192.0.2.71"
FRA, PAR, NYC = "192.0.2.80", "192.0.2.81", "192.0.2.82"


def networks(france_in_us=False):
    france = g.city("NA", "US") if france_in_us else g.city("EU", "FR")
    return [
        ["198.18.0.0/24", g.city("EU", "DE", location=FRANKFURT)],
        ["198.18.1.0/24", g.city("NA", "US", "NY", location=NEW_YORK)],
        ["198.18.2.0/24", france],
        ["198.18.4.0/22", g.city("NA", "US")],
        ["fd00:1::/32", g.city("EU", "DE", location=FRANKFURT)],
    ]


def pool_text(db_path, near_tolerance_km=100):
    return ("version: 1\n"
            "geo_maps:\n"
            "  - name: world\n"
            "    database: %s\n"
            "    regions:\n"
            "      - {name: europe, continents: [EU]}\n"
            "      - {name: usa, countries: [US]}\n"
            "      - {name: newyork, subdivisions: [US-NY]}\n"
            "pools:\n"
            "  - name: geo\n"
            "    policy: geo\n"
            "    max_records: 2\n"
            "    geo:\n"
            "      map: world\n"
            "      regions: {europe: [europe, usa], usa: [usa, europe], newyork: [usa]}\n"
            "      default: [usa]\n"
            "    members:\n"
            "      - {name: eu1, address: %s, region: europe}\n"
            "      - {name: us1, address: %s, region: usa}\n"
            "  - name: near\n"
            "    policy: geo\n"
            "    max_records: 2\n"
            "    geo:\n"
            "      map: world\n"
            "      regions: {europe: [europe], usa: [usa]}\n"
            "      default: [usa]\n"
            "      closest: {tolerance_km: %d, tolerance_percent: 0}\n"
            "    members:\n"
            "      - {name: fra, address: %s, region: europe, location: {lat: %s, lon: %s}}\n"
            "      - {name: par, address: %s, region: europe, location: {lat: %s, lon: %s}}\n"
            "      - {name: nyc, address: %s, region: usa, location: {lat: %s, lon: %s}}\n"
            % (db_path, EU1, US1, near_tolerance_km, FRA, FRANKFURT[0], FRANKFURT[1], PAR,
               PARIS[0], PARIS[1], NYC, NEW_YORK[0], NEW_YORK[1]))


IMPORTED = "gslb.example.imported.zone"


def imported_text(address):
    return "static 300 IN A %s\n" % address


class GeoDatabase(c.ControlTestCase):
    SERVER_EXTRA = ("watch_files: true",)

    @classmethod
    def peers(cls):
        return []

    @classmethod
    def services(cls):
        return [("g", "geo", "30s", None), ("near", "near", "30s", None)]

    @classmethod
    def config(cls):
        cls.db_dir = tempfile.mkdtemp(prefix="gslbd-geodb-")
        cls.db = os.path.join(cls.db_dir, "city.mmdb")
        g.write_mmdb(cls.db, networks())
        zone = cls.zone_text() + "import: %s\n" % IMPORTED
        return zone, {"geo.pool.yaml": pool_text(cls.db), IMPORTED: imported_text("192.0.2.90")}

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.db_dir, ignore_errors=True)

    def dig_subnet(self, name, subnet):
        """dig +subnet: the sorted addresses and the reply's ECS scope."""
        proc, answer = p.h.dig(self.server, "+subnet=" + subnet, name + ".gslb.example", "A")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        addresses = sorted(r[4] for r in answer.records("ANSWER") if r[3] == "A")
        scope = None
        for line in proc.stdout.splitlines():
            # "; CLIENT-SUBNET: 198.18.0.0/24/24"
            if "CLIENT-SUBNET:" in line:
                scope = int(line.rsplit("/", 1)[1])
        return addresses, scope

    def check(self, name, subnet, want, scope):
        got, got_scope = self.dig_subnet(name, subnet)
        self.assertEqual(got, sorted(want), "%s from %s" % (name, subnet))
        self.assertEqual(got_scope, scope, "ECS scope of %s from %s" % (name, subnet))

    def explain(self, name, client):
        e = self.get_json("/explain?name=%s.gslb.example&type=A&client=%s" % (name, client))
        return e, e["service"]["pools"][0]["geo"]

    def test_1_answers_and_scopes(self):
        self.check("g", "198.18.0.0/24", [EU1], 24)      # continent EU
        self.check("g", "198.18.1.0/24", [US1], 24)      # subdivision US-NY -> newyork -> [usa]
        self.check("g", "198.18.2.0/24", [EU1], 24)      # continent EU (FR)
        self.check("g", "198.18.5.0/24", [US1], 22)      # country US, a /22
        # In no region: default [usa]. 203 and 198 part at the fifth bit.
        self.check("g", "203.0.113.0/24", [US1], 5)
        self.check("g", "fd00:1:2::/48", [EU1], 32)
        # An IPv4-mapped client is looked up as its IPv4 address; the scope counts IPv6 bits.
        self.check("g", "::ffff:198.18.1.0/120", [US1], 120)

    def test_1_closest(self):
        # At Frankfurt: Paris (about 480 km) is outside a 100 km tolerance.
        self.check("near", "198.18.0.0/24", [FRA], 24)
        self.check("near", "198.18.1.0/24", [NYC], 24)
        # France has no coordinates in the database: the region order decides (europe).
        self.check("near", "198.18.2.0/24", [FRA, PAR], 24)

    def test_1_explain(self):
        e, geo = self.explain("g", "198.18.1.7")
        self.assertEqual(geo["database"]["type"], "GeoIP2-City")
        self.assertEqual(geo["database"]["path"], self.db)
        self.assertEqual(geo["network"], "198.18.1.0/24")
        self.assertEqual(geo["prefix"], 24)
        self.assertEqual(geo["source"], "database")
        self.assertEqual(geo["key"], {"kind": "subdivision", "value": "US-NY"})
        self.assertEqual(geo["region"], "newyork")
        self.assertEqual(e["service"]["answer"], [US1])
        e, geo = self.explain("g", "198.18.5.9")
        self.assertEqual(geo["key"], {"kind": "country", "value": "US"})
        self.assertEqual(geo["network"], "198.18.4.0/22")
        e, geo = self.explain("g", "203.0.113.9")
        self.assertIsNone(geo["network"])
        self.assertIsNone(geo["region"])

        e, geo = self.explain("near", "198.18.0.7")
        closest = geo["closest"]
        self.assertEqual(closest["located_by"], "database")
        self.assertEqual(closest["location_network"], "198.18.0.0/24")
        self.assertAlmostEqual(closest["nearest_km"], 0.0, places=3)
        self.assertAlmostEqual(closest["limit_km"], 100.0, places=3)
        members = {m["name"]: m for m in e["service"]["members"]}
        self.assertEqual(members["fra"]["reason_code"], "chosen")
        self.assertEqual(members["par"]["reason_code"], "farther")
        self.assertTrue(470 < members["par"]["distance_km"] < 490, members["par"])
        self.assertTrue(6000 < members["nyc"]["distance_km"] < 6300, members["nyc"])

        out = c.run_ctl(["--control", "127.0.0.1:%d" % self.cport, "explain",
                         "near.gslb.example", "A", "198.18.0.7"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("database GeoIP2-City (%s)" % self.db, out.stdout)
        self.assertIn("network 198.18.0.0/24 from the database, decided by continent EU; "
                      "region europe", out.stdout)
        self.assertIn("closest: client at 50.110, 8.680 (by database 198.18.0.0/24); nearest "
                      "member 0 km, tolerance up to 100 km", out.stdout)

    def watched(self, path):
        for f in self.status()["watched_files"]:
            if f["path"] == path:
                return f
        self.fail("%s not in /status watched_files: %s" % (path, self.status()["watched_files"]))

    def test_2_database_replaced_and_corrupt(self):
        before = self.watched(self.db)
        self.assertEqual(before["kind"], "database")
        self.assertEqual(before["last_result"], "ok")
        self.check("g", "198.18.2.0/24", [EU1], 24)

        # A new database, renamed over the old one: France moves to the US; no SIGHUP.
        g.write_mmdb(self.db, networks(france_in_us=True))
        self.wait_until("the new database in service",
                        lambda: self.dig_subnet("g", "198.18.2.0/24")[0] == [US1], WATCH_WAIT)
        self.check("g", "198.18.2.0/24", [US1], 24)
        self.assertGreater(self.watched(self.db)["loads_ok"], before["loads_ok"])

        # A truncated copy: the load fails, the old map stays in service.
        with open(self.db, "rb") as f:
            data = f.read()
        with open(self.db + ".tmp", "wb") as f:
            f.write(data[: len(data) // 3])
        os.replace(self.db + ".tmp", self.db)
        self.wait_until("the corrupt database refused",
                        lambda: self.watched(self.db)["last_result"] == "error", WATCH_WAIT)
        state = self.watched(self.db)
        self.assertIn(self.db, state["last_error"])
        self.assertGreaterEqual(state["loads_failed"], 1)
        self.check("g", "198.18.2.0/24", [US1], 24)
        self.check("g", "198.18.0.0/24", [EU1], 24)
        metrics = self.metrics()
        key = ("gslbd_watched_file_loads_total",
               frozenset({"kind": "database", "path": self.db, "result": "error"}.items()))
        self.assertEqual(metrics.get(key), state["loads_failed"], metrics)
        self.assertIn("reload after %s changed failed" % self.db, self.server.stderr_text())

        # Put back, the watcher sees the fix and loads it.
        g.write_mmdb(self.db, networks())
        self.wait_until("the good database back",
                        lambda: self.watched(self.db)["last_result"] == "ok", WATCH_WAIT)
        self.check("g", "198.18.2.0/24", [EU1], 24)

    def test_3_watch_files_reloads_an_edited_pool_file(self):
        self.check("near", "198.18.0.0/24", [FRA], 24)
        pool_path = os.path.join(self.server.dir, "geo.pool.yaml")
        self.assertEqual(self.watched(pool_path)["kind"], "config")
        self.server.write_file("geo.pool.yaml", pool_text(self.db, near_tolerance_km=600))
        self.wait_until("the edited pool file in service",
                        lambda: self.dig_subnet("near", "198.18.0.0/24")[0] == [FRA, PAR],
                        WATCH_WAIT)
        # A bad edit keeps the running config.
        self.server.write_file("geo.pool.yaml", "version: 1\npools: [\n")
        self.wait_until("the bad edit refused",
                        lambda: self.watched(pool_path)["last_result"] == "error", WATCH_WAIT)
        self.check("near", "198.18.0.0/24", [FRA, PAR], 24)
        self.server.write_file("geo.pool.yaml", pool_text(self.db))
        self.wait_until("the pool file back",
                        lambda: self.dig_subnet("near", "198.18.0.0/24")[0] == [FRA],
                        WATCH_WAIT)

    def test_4_watch_files_reloads_an_edited_import(self):
        def static():
            _, answer = p.h.dig(self.server, "static.gslb.example", "A")
            return sorted(r[4] for r in answer.records("ANSWER") if r[3] == "A")

        self.assertEqual(static(), ["192.0.2.90"])
        path = os.path.join(self.server.dir, IMPORTED)
        self.assertEqual(self.watched(path)["kind"], "config")
        self.server.write_file(IMPORTED, imported_text("192.0.2.91"))
        self.wait_until("the edited import in service", lambda: static() == ["192.0.2.91"],
                        WATCH_WAIT)
        self.server.write_file(IMPORTED, "static 300 IN A not-an-address\n")
        self.wait_until("the bad import refused",
                        lambda: self.watched(path)["last_result"] == "error", WATCH_WAIT)
        self.assertIn(IMPORTED + ":1:", self.watched(path)["last_error"])
        self.assertEqual(static(), ["192.0.2.91"])


if __name__ == "__main__":
    p.main()
