# SPDX-License-Identifier: Apache-2.0
"""DNSSEC through a real validator: a validating unbound whose only trust anchor is the DS that
`gslbd --check-config` prints, with a stub zone pointing at gslbd on loopback, must give AD=1
for static, wildcard-expanded and service answers (before and after a health change), for
compact-denial NXDOMAIN and NODATA (RFC 9824), for a signed delegation's DS and for the proof
that an unsigned delegation has none. A second unbound reaches gslbd through a proxy that
breaks the signature of one name: that name must fail (SERVFAIL) while the others validate,
so these tests can fail. delv and kdig check the same answers."""

import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import dns.dnssec
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdata
import dns.rdatatype

import control_harness as c
import gslbd_harness as h
import pool_harness as p

ZONE = "signed.test."
KEYS = os.path.join(h.HERE, "..", "data", "dnssec")
UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
WAIT = 20.0
OLD_ZSK = "Ksigned.test.+013+63210"
NEW_ZSK = "Ksigned.test.+013+03476"
OLD_KSK = "Ksigned.test.+013+26620"
NEW_KSK = "Ksigned.test.+013+09664"
UNBOUND_CONTROL = shutil.which("unbound-control") or "/usr/sbin/unbound-control"


def key_files():
    files = {}
    for base in (OLD_KSK, OLD_ZSK, NEW_ZSK, NEW_KSK):
        for suffix in (".key", ".private"):
            with open(os.path.join(KEYS, base + suffix)) as f:
                files[base + suffix] = f.read()
    return files


def pool_yaml(port_a, port_b):
    return ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") +
            "pools:\n"
            "  - name: app\n"
            "    policy: weighted\n"
            "    max_records: 2\n"
            "    members:\n"
            "      - {name: a, address: 192.0.2.40, check_address: 127.0.0.2,\n"
            "         checks: [{template: tcp-fast, port: %d}]}\n"
            "      - {name: b, address: 192.0.2.41, check_address: 127.0.0.3,\n"
            "         checks: [{template: tcp-fast, port: %d}]}\n"
            % (port_a, port_b))


class BreakingProxy:
    """A UDP forwarder to gslbd that flips a bit in every RRSIG of answers about `victim`."""

    def __init__(self, upstream_port, victim):
        self.upstream_port = upstream_port
        self.victim = victim.lower()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop_event.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                up.settimeout(2.0)
                up.sendto(data, ("127.0.0.1", self.upstream_port))
                try:
                    reply, _ = up.recvfrom(65535)
                except socket.timeout:
                    continue
            reply = self.tamper(reply)
            self.sock.sendto(reply, peer)

    def tamper(self, wire):
        m = dns.message.from_wire(wire)
        if not m.question or m.question[0].name.to_text().lower() != self.victim:
            return wire
        for rrset in m.answer:
            if rrset.rdtype == dns.rdatatype.RRSIG:
                broken = []
                for sig in rrset:
                    flipped = bytes([sig.signature[0] ^ 1]) + sig.signature[1:]
                    broken.append(sig.replace(signature=flipped))
                rrset.clear()
                for sig in broken:
                    rrset.add(sig)
        return m.to_wire(max_size=65535)

    def stop(self):
        self.stop_event.set()
        self.thread.join(5)
        self.sock.close()


class Unbound:
    """A validating unbound on a free loopback port, trusting only `anchor` for signed.test."""

    def __init__(self, directory, name, anchor, stub_port, control=False):
        self.dir = os.path.join(directory, name)
        os.makedirs(self.dir)
        self.port = h.free_port(False)
        self.set_anchor(anchor)
        conf = os.path.join(self.dir, "unbound.conf")
        self.conf = conf
        # remote control (plain, on loopback) only where a test reloads the trust anchors
        control_lines = ["    control-enable: no"]
        if control:
            control_lines = ["    control-enable: yes", "    control-interface: 127.0.0.1",
                             "    control-port: %d" % h.free_port(False),
                             "    control-use-cert: no"]
        lines = ["server:", "    interface: 127.0.0.1", "    port: %d" % self.port,
                 "    do-ip6: no", "    num-threads: 1", "    do-daemonize: no",
                 "    access-control: 127.0.0.0/8 allow", '    chroot: ""', '    username: ""',
                 '    directory: "%s"' % self.dir, '    pidfile: ""', "    use-syslog: no",
                 '    logfile: ""', "    verbosity: 1", "    val-log-level: 2",
                 '    module-config: "validator iterator"', "    qname-minimisation: no",
                 "    do-not-query-localhost: no", "    prefetch: no", "    infra-host-ttl: 2",
                 # service answers change with health: keep nothing longer than a second
                 "    cache-max-ttl: 1", "    cache-max-negative-ttl: 1",
                 # test. is one of unbound's default local zones (RFC 6761): let it through
                 '    local-zone: "test." nodefault',
                 '    trust-anchor-file: "%s"' % os.path.join(self.dir, "anchor"),
                 "", "stub-zone:", '    name: "%s"' % ZONE,
                 "    stub-addr: 127.0.0.1@%d" % stub_port, "",
                 "remote-control:"] + control_lines
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen([UNBOUND, "-d", "-c", conf], stdout=self.log,
                                     stderr=self.log, stdin=subprocess.DEVNULL)
        self.wait_answering()

    def wait_answering(self):
        deadline = time.monotonic() + WAIT
        q = dns.message.make_query("ns1." + ZONE, "A")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("unbound exited: %s" % self.log_text())
            try:
                dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.5)
                return
            except Exception:  # noqa: BLE001 - not answering yet
                time.sleep(0.1)
        raise RuntimeError("unbound did not answer within %.0f s" % WAIT)

    def set_anchor(self, anchor):
        with open(os.path.join(self.dir, "anchor"), "w") as f:
            f.write(anchor + "\n")

    def reload(self):
        """Reads the configuration and the trust anchors again (and drops the cache), and
        returns once unbound answers again. unbound-control says ok before the restart, and
        the restart drops the queries unbound holds: callers keep their own queries out of
        that window."""
        r = subprocess.run([UNBOUND_CONTROL, "-c", self.conf, "reload"], capture_output=True,
                           text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("unbound-control reload: %s%s" % (r.stdout, r.stderr))
        self.wait_answering()

    def query(self, name, qtype="A"):
        q = dns.message.make_query(name, qtype, want_dnssec=True)
        q.flags |= dns.flags.AD
        return dns.query.udp(q, "127.0.0.1", port=self.port, timeout=5.0)

    def log_text(self):
        with open(os.path.join(self.dir, "stderr.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


class Dnssec(h.GslbdTestCase):
    @classmethod
    def setUpClass(cls):
        cls.peers = [p.ListenerPeer("127.0.0.2").start(), p.ListenerPeer("127.0.0.3").start()]
        cls.unbounds = []
        cls.proxy = None
        try:
            with open(os.path.join(h.DATA, "dnssec", "signed.test.zone.yaml")) as f:
                zone = f.read()
            files = {"signed.test.zone.yaml": zone,
                     "app.pool.yaml": pool_yaml(cls.peers[0].port, cls.peers[1].port)}
            files.update(key_files())
            cls.SERVER = h.ServerSpec(zones=["example.com.zone.yaml"], pools=["*.pool.yaml"],
                                      files=files)
            super().setUpClass()
            check = subprocess.run([h.binary(), "--check-config", "-c", cls.server.main_path],
                                   capture_output=True, text=True, timeout=30)
            if check.returncode != 0:
                raise RuntimeError("--check-config failed: %s" % check.stderr)
            cls.ds = [line for line in check.stdout.splitlines() if " IN DS " in line]
            if len(cls.ds) != 1:
                raise RuntimeError("expected one DS line: %s" % check.stdout)
            cls.validator = Unbound(cls.server.dir, "unbound", cls.ds[0], cls.server.port)
            cls.unbounds.append(cls.validator)
            cls.proxy = BreakingProxy(cls.server.port, "www." + ZONE)
            cls.broken = Unbound(cls.server.dir, "unbound-broken", cls.ds[0], cls.proxy.port)
            cls.unbounds.append(cls.broken)
        except Exception:
            cls.cleanup_peers()
            raise

    @classmethod
    def cleanup_peers(cls):
        for u in cls.unbounds:
            u.stop()
        if cls.proxy:
            cls.proxy.stop()
        for peer in cls.peers:
            peer.stop()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.cleanup_peers()

    def validated(self, name, qtype="A", rcodes=("NOERROR",)):
        r = self.validator.query(name, qtype)
        self.assertIn(dns.rcode.to_text(r.rcode()), rcodes,
                      "%s %s\n%s\n%s" % (name, qtype, r, self.validator.log_text()))
        self.assertTrue(r.flags & dns.flags.AD,
                        "%s %s not validated (AD=0)\n%s\n%s" % (name, qtype, r,
                                                                self.validator.log_text()))
        return r

    def direct(self, name, qtype="A", do=True, co=False):
        q = dns.message.make_query(name, qtype, want_dnssec=do)
        if co:
            q.ednsflags |= 0x4000
        return dns.query.udp(q, "127.0.0.1", port=self.server.port, timeout=h.QUERY_TIMEOUT)

    # --- positive answers
    def test_static_answers_validate(self):
        r = self.validated("www." + ZONE)
        self.assertEqual(sorted(x.to_text() for rr in r.answer for x in rr
                                if rr.rdtype == dns.rdatatype.A), ["192.0.2.80", "192.0.2.81"])
        self.validated("www." + ZONE, "TXT")
        self.validated("mail." + ZONE, "MX")  # a target in upper case: canonical form
        self.validated(ZONE, "DNSKEY")
        self.validated(ZONE, "SOA")
        self.validated("alias." + ZONE, "A")  # CNAME, then the target's A

    def test_wildcard_answer_validates_as_the_expanded_name(self):
        r = self.validated("anything.wild." + ZONE)
        sigs = [x for rr in r.answer if rr.rdtype == dns.rdatatype.RRSIG for x in rr]
        self.assertTrue(sigs)
        # labels = the expanded name's: no wildcard proof is needed
        self.assertEqual(sigs[0].labels, 4)

    def test_service_answers_validate_before_and_after_a_health_change(self):
        self.wait_members(["192.0.2.40", "192.0.2.41"])
        self.validated_until(["192.0.2.40", "192.0.2.41"])
        self.peers[1].stop()
        try:
            self.wait_members(["192.0.2.40"])
            self.validated_until(["192.0.2.40"])
        finally:
            self.peers[1].start()
        self.wait_members(["192.0.2.40", "192.0.2.41"])
        self.validated_until(["192.0.2.40", "192.0.2.41"])
        self.validated("app." + ZONE, "AAAA")  # no IPv6 members: NODATA, proven

    def validated_until(self, want):
        """Asks the validator until its (short-lived) cache gives the new set; every answer on
        the way must be validated."""
        deadline = time.monotonic() + WAIT
        got = None
        while time.monotonic() < deadline:
            r = self.validated("app." + ZONE)
            got = sorted(x.to_text() for rr in r.answer for x in rr
                         if rr.rdtype == dns.rdatatype.A)
            if got == want:
                return
            time.sleep(0.1)
        self.fail("the validator answered %s, expected %s" % (got, want))

    def wait_members(self, want):
        deadline = time.monotonic() + WAIT
        got = None
        while time.monotonic() < deadline:
            r = self.direct("app." + ZONE)
            got = sorted(x.to_text() for rr in r.answer for x in rr
                         if rr.rdtype == dns.rdatatype.A)
            if got == want:
                return
            time.sleep(0.05)
        self.fail("app answered %s, expected %s" % (got, want))

    # --- denial of existence
    def test_nxdomain_and_nodata_validate(self):
        self.validated("nope." + ZONE, rcodes=("NOERROR", "NXDOMAIN"))
        self.validated("www." + ZONE, "AAAA")
        self.validated("ent." + ZONE, "A")  # empty non-terminal
        self.validated("none.wild." + ZONE, "AAAA")  # wildcard NODATA

    def test_compact_denial_follows_rfc_9824(self):
        r = self.direct("Nope." + ZONE)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        nsec = [rr for rr in r.authority if rr.rdtype == dns.rdatatype.NSEC]
        self.assertEqual(len(nsec), 1, r)
        self.assertEqual(nsec[0].name.to_text().lower(), "nope." + ZONE)
        rd = nsec[0][0]
        self.assertEqual(rd.next.to_text(), "\\000.nope." + ZONE)
        self.assertEqual(sorted(dns.rdatatype.to_text(t) for w in rd.windows
                                for t in self.window_types(w)),
                         ["NSEC", "RRSIG", "TYPE128"])
        # Compact Answers OK restores the rcode (section 4) and is echoed
        r = self.direct("nope." + ZONE, co=True)
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
        self.assertTrue(r.ednsflags & 0x4000)
        # NODATA: the name's own NSEC with its types
        r = self.direct("www." + ZONE, "AAAA")
        nsec = [rr for rr in r.authority if rr.rdtype == dns.rdatatype.NSEC][0][0]
        self.assertEqual(sorted(dns.rdatatype.to_text(t) for w in nsec.windows
                                for t in self.window_types(w)),
                         ["A", "NSEC", "RRSIG", "TXT"])
        # an explicit NXNAME question is FORMERR (section 3.5)
        self.assertEqual(self.direct("www." + ZONE, 128).rcode(), dns.rcode.FORMERR)

    @staticmethod
    def window_types(window):
        number, bitmap = window
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    yield number * 256 + i * 8 + bit

    # --- delegations
    def test_ds_at_a_signed_delegation_and_the_proof_at_an_unsigned_one(self):
        r = self.validated("secure." + ZONE, "DS")
        self.assertTrue([rr for rr in r.answer if rr.rdtype == dns.rdatatype.DS])
        r = self.validated("insecure." + ZONE, "DS")
        self.assertFalse([rr for rr in r.answer if rr.rdtype == dns.rdatatype.DS])
        # the referral itself carries the DS or the NSEC proving there is none
        ref = self.direct("www.secure." + ZONE)
        self.assertTrue([rr for rr in ref.authority if rr.rdtype == dns.rdatatype.DS], ref)
        ref = self.direct("www.insecure." + ZONE)
        nsec = [rr for rr in ref.authority if rr.rdtype == dns.rdatatype.NSEC]
        self.assertTrue(nsec, ref)
        self.assertEqual(sorted(dns.rdatatype.to_text(t) for w in nsec[0][0].windows
                                for t in self.window_types(w)), ["NS", "NSEC", "RRSIG"])

    # --- only for DO=1; unsigned zones untouched
    def test_signatures_only_for_do(self):
        r = self.direct("www." + ZONE, do=False)
        self.assertFalse([rr for rr in r.answer if rr.rdtype == dns.rdatatype.RRSIG])
        r = self.direct("nope." + ZONE, do=False)
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
        r = self.direct("www.example.com.")
        self.assertFalse([rr for rr in r.answer if rr.rdtype == dns.rdatatype.RRSIG])
        r = self.direct("nope.example.com.")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)

    def test_dnskey_over_tcp(self):
        q = dns.message.make_query(ZONE, "DNSKEY", want_dnssec=True)
        r = dns.query.tcp(q, "127.0.0.1", port=self.server.port, timeout=h.QUERY_TIMEOUT)
        types = sorted(dns.rdatatype.to_text(rr.rdtype) for rr in r.answer)
        self.assertEqual(types, ["DNSKEY", "RRSIG"])

    # --- the validator really validates
    def test_a_broken_signature_is_servfail(self):
        r = self.broken.query("www." + ZONE)
        self.assertEqual(dns.rcode.to_text(r.rcode()), "SERVFAIL", r)
        r = self.broken.query("www." + ZONE, "TXT")
        self.assertEqual(dns.rcode.to_text(r.rcode()), "SERVFAIL", r)
        # the same validator still validates what the proxy leaves alone
        r = self.broken.query("mail." + ZONE, "MX")
        self.assertTrue(r.flags & dns.flags.AD, r)

    def test_a_wrong_trust_anchor_is_servfail(self):
        fields = self.ds[0].split()
        digest = fields[-1]
        wrong = " ".join(fields[:-1] + [("0" if digest[0] != "0" else "1") + digest[1:]])
        u = Unbound(self.server.dir, "unbound-wrong-anchor", wrong, self.server.port)
        try:
            r = u.query("www." + ZONE)
            self.assertEqual(dns.rcode.to_text(r.rcode()), "SERVFAIL", r)
        finally:
            u.stop()

    # --- reloads: a bad key keeps the running config; a ZSK rollover by pre-publication
    def wait_log(self, pattern, before):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            text = self.server.stderr_text()
            if text.count(pattern) > before:
                return text
            time.sleep(0.05)
        self.fail("no %r in the log\n%s" % (pattern, self.server.stderr_text()[-3000:]))

    def reload(self):
        before = self.server.stderr_text().count(" in service: ")
        self.server.signal(signal.SIGHUP)
        self.wait_log(" in service: ", before)

    def set_keys(self, roles):
        zone = self.server.zone_path("signed.test.zone.yaml")
        with open(zone) as f:
            text = f.read()
        head = text[:text.index("dnssec:")]
        keys = "".join("    - {file: %s, role: %s}\n" % (f, r) for f, r in roles)
        self.server.write_file("signed.test.zone.yaml",
                               head + "dnssec:\n  keys:\n" + keys + "  validity: 14d\n")

    def test_reload_with_a_bad_key_keeps_the_signed_config(self):
        private = OLD_ZSK + ".private"
        good = key_files()[private]
        self.server.write_file(private, "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n"
                               "PrivateKey: bm90IGEga2V5\n")
        try:
            before = self.server.stderr_text().count("reload rejected")
            self.server.signal(signal.SIGHUP)
            text = self.wait_log("reload rejected", before)
            self.assertRegex(text, r"signed\.test\.zone\.yaml:\d+:\d+: key: .*" +
                             OLD_ZSK.replace("+", "\\+") +
                             r"\.private: the private key does not belong to the public key")
            self.validated("www." + ZONE)
        finally:
            self.server.write_file(private, good)
            self.reload()
        self.validated("www." + ZONE)

    def under_load(self, validator, steps, validator_busy=None):
        """Runs each step (then waits beyond unbound's 1 s cache, so that it fetches the DNSKEY
        set again) while a thread asks validator for static, wildcard, service and missing
        names; returns the failed validations (no AD, an error rcode, a timeout). A step that
        restarts the validator holds validator_busy meanwhile, and no query is in flight."""
        failures = []
        answers = [0]
        stop = threading.Event()
        validator_busy = validator_busy or threading.Lock()

        def load():
            names = ["www." + ZONE, "anything.wild." + ZONE, "app." + ZONE, "nope." + ZONE]
            i = 0
            while not stop.is_set():
                name = names[i % len(names)]
                i += 1
                try:
                    with validator_busy:
                        r = validator.query(name)
                    answers[0] += 1
                    if not r.flags & dns.flags.AD or r.rcode() not in (dns.rcode.NOERROR,
                                                                         dns.rcode.NXDOMAIN):
                        failures.append("%s: %s" % (name, r))
                except Exception as e:  # noqa: BLE001 - a timeout is a failure too
                    failures.append("%s: %r" % (name, e))
                time.sleep(0.01)

        thread = threading.Thread(target=load, daemon=True)
        thread.start()
        try:
            for step in steps:
                step()
                time.sleep(2.5)
        finally:
            stop.set()
            thread.join(10)
        self.assertGreater(answers[0], 20 * len(steps))
        return failures

    def dnskey_tags(self):
        r = self.direct(ZONE, "DNSKEY")
        return sorted(dns.dnssec.key_id(rd) for rr in r.answer
                      if rr.rdtype == dns.rdatatype.DNSKEY for rd in rr)

    def test_zsk_rollover_by_prepublication_under_load(self):
        ksk = (OLD_KSK, "ksk")

        def keys(roles):
            return lambda: (self.set_keys(roles), self.reload())

        try:
            failures = self.under_load(self.validator, [
                keys([ksk, (OLD_ZSK, "zsk"), (NEW_ZSK, "publish")]),
                keys([ksk, (NEW_ZSK, "zsk"), (OLD_ZSK, "publish")]),
                keys([ksk, (NEW_ZSK, "zsk")])])
            self.assertEqual(self.dnskey_tags(), [3476, 26620])
        finally:
            self.set_keys([ksk, (OLD_ZSK, "zsk")])
            self.reload()
        self.assertEqual(failures, [], "failed validations during the rollover")

    @staticmethod
    def ds_of(base):
        with open(os.path.join(KEYS, base + ".key")) as f:
            line = [ln for ln in f if ln.strip() and not ln.startswith(";")][0]
        key = dns.rdata.from_text("IN", "DNSKEY", line.split("DNSKEY", 1)[1].split(";")[0])
        return "%s IN DS %s" % (ZONE, dns.dnssec.make_ds(ZONE, key, "SHA256").to_text().upper())

    def test_ksk_rollover_by_double_ds_under_load(self):
        # RFC 6781 section 4.1.2: the parent publishes the new DS beside the old one; after its
        # TTL the zone swaps the KSK; after the DNSKEY TTL the parent drops the old DS. The
        # validator's trust anchors play the parent's DS set, reloaded at each parent step.
        if not os.access(UNBOUND_CONTROL, os.X_OK):
            self.skipTest("unbound-control (package unbound) is not installed")
        old_ds, new_ds = self.ds_of(OLD_KSK), self.ds_of(NEW_KSK)
        self.assertEqual(old_ds, self.ds[0])
        validator = Unbound(self.server.dir, "unbound-ksk", old_ds, self.server.port,
                            control=True)
        self.unbounds.append(validator)

        validator_busy = threading.Lock()

        def parent(*lines):
            def step():
                with validator_busy:
                    validator.set_anchor("\n".join(lines))
                    validator.reload()
            return step

        def keys(roles):
            return lambda: (self.set_keys(roles), self.reload())

        zsk = (OLD_ZSK, "zsk")
        try:
            failures = self.under_load(validator, [
                parent(old_ds, new_ds),
                keys([(NEW_KSK, "ksk"), zsk]),
                parent(new_ds)], validator_busy)
            self.assertEqual(self.dnskey_tags(), [9664, 63210])
            r = c.run_ctl(["-c", self.server.main_path, "ds", ZONE])
            self.assertEqual(r.stdout.splitlines(), [new_ds], r.stderr)
            # the old KSK is gone: a validator that still trusts only its DS fails
            old_only = Unbound(self.server.dir, "unbound-old-ds", old_ds, self.server.port)
            self.unbounds.append(old_only)
            self.assertEqual(old_only.query("www." + ZONE).rcode(), dns.rcode.SERVFAIL)
        finally:
            self.set_keys([(OLD_KSK, "ksk"), zsk])
            self.reload()
        self.assertEqual(failures, [], "failed validations during the KSK rollover")

    def test_ksk_rollover_by_double_signature_under_load(self):
        # RFC 6781 section 4.1.2, the double-signature way: the new KSK joins and signs the
        # DNSKEY set beside the old one; the parent swaps the DS in one step; after the DS TTL
        # the old KSK leaves. Every validator, whichever DS it holds, validates throughout.
        if not os.access(UNBOUND_CONTROL, os.X_OK):
            self.skipTest("unbound-control (package unbound) is not installed")
        old_ds, new_ds = self.ds_of(OLD_KSK), self.ds_of(NEW_KSK)
        validator = Unbound(self.server.dir, "unbound-dksk", old_ds, self.server.port,
                            control=True)
        self.unbounds.append(validator)
        validator_busy = threading.Lock()

        def parent(line):
            def step():
                with validator_busy:
                    validator.set_anchor(line)
                    validator.reload()
            return step

        def keys(roles):
            return lambda: (self.set_keys(roles), self.reload())

        zsk = (OLD_ZSK, "zsk")
        both = [(OLD_KSK, "ksk"), (NEW_KSK, "ksk"), zsk]
        try:
            self.set_keys(both)
            self.reload()
            # both KSKs sign the DNSKEY set, and both DS records are offered to the parent
            r = self.direct(ZONE, "DNSKEY")
            signers = sorted(rd.key_tag for rr in r.answer if rr.rdtype == dns.rdatatype.RRSIG
                             for rd in rr)
            self.assertEqual(signers, [9664, 26620])
            r = c.run_ctl(["-c", self.server.main_path, "ds", ZONE])
            self.assertEqual(sorted(r.stdout.splitlines()), sorted([old_ds, new_ds]), r.stderr)
            failures = self.under_load(validator, [
                parent(new_ds),
                keys([(NEW_KSK, "ksk"), zsk])], validator_busy)
            self.assertEqual(self.dnskey_tags(), [9664, 63210])
        finally:
            self.set_keys([(OLD_KSK, "ksk"), zsk])
            self.reload()
        self.assertEqual(failures, [], "failed validations during the KSK rollover")

    # --- the DS for the parent
    def test_gslbctl_ds_prints_what_check_config_prints(self):
        main = self.server.main_path
        for zone in ("signed.test", "SIGNED.test."):
            r = c.run_ctl(["-c", main, "ds", zone])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.splitlines(), self.ds)
        # the DS is the digest of the zone's KSK, the key unbound trusts through it
        r = self.direct(ZONE, "DNSKEY")
        ksk = [rd for rr in r.answer if rr.rdtype == dns.rdatatype.DNSKEY for rd in rr
               if rd.flags == 257]
        self.assertEqual(len(ksk), 1)
        want = dns.dnssec.make_ds(ZONE, ksk[0], "SHA256")
        self.assertEqual(self.ds[0].split(" IN DS ")[1].lower(), want.to_text().lower())
        r = c.run_ctl(["-c", main, "ds", "example.com"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("zone example.com. is not signed", r.stderr)
        r = c.run_ctl(["-c", main, "ds", "nowhere.test"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("no zone nowhere.test. in the configuration", r.stderr)
        r = c.run_ctl(["-c", main, "ds"])
        self.assertEqual(r.returncode, 2)

    # --- other validators and tools
    def test_delv_validates(self):
        delv = shutil.which("delv")
        if not delv:
            self.skipTest("delv (bind9-dnsutils) is not installed")
        anchors = os.path.join(self.server.dir, "delv-anchors")
        f = self.ds[0].split()
        with open(anchors, "w") as out:
            out.write('trust-anchors { %s static-ds %s %s %s "%s"; };\n'
                      % (f[0], f[3], f[4], f[5], f[6]))
        for name, qtype in (("www." + ZONE, "A"), ("anything.wild." + ZONE, "A"),
                            ("app." + ZONE, "A"), ("nope." + ZONE, "A"),
                            ("www." + ZONE, "AAAA")):
            r = subprocess.run([delv, "@127.0.0.1", "-p", str(self.server.port), "-a", anchors,
                                "+root=" + ZONE, name, qtype], capture_output=True, text=True,
                               timeout=30)
            self.assertIn("fully validated", r.stdout + r.stderr,
                          "%s %s\n%s%s" % (name, qtype, r.stdout, r.stderr))

    def test_kdig_shows_the_signatures(self):
        _, a = h.kdig(self.server, "+dnssec", "www." + ZONE, "A")
        self.assertIn("RRSIG", [rec[3] for rec in a.records()])
        _, a = h.kdig(self.server, "+dnssec", "nope." + ZONE, "A")
        self.assertIn("NSEC", [rec[3] for rec in a.records("AUTHORITY")])

    def test_kdig_shows_additional_signatures_for_in_zone_data_only(self):
        # RFC 4035 section 3.1.1: the name server's address is the zone's own data and comes
        # with its RRSIG; the glue in a referral is the child's and does not.
        _, a = h.kdig(self.server, "+dnssec", ZONE, "NS")
        additional = [(rec[0], rec[3], rec[4].split()[0]) for rec in a.records("ADDITIONAL")]
        self.assertIn(("ns1." + ZONE, "A", "192.0.2.1"), additional, a.text)
        self.assertIn(("ns1." + ZONE, "RRSIG", "A"), additional, a.text)
        _, a = h.kdig(self.server, "+dnssec", "www.secure." + ZONE, "A")
        additional = [(rec[0], rec[3]) for rec in a.records("ADDITIONAL")]
        self.assertIn(("ns.secure." + ZONE, "A"), additional, a.text)
        self.assertNotIn("RRSIG", [t for _, t in additional], a.text)
        # and the validator accepts the NS answer with its additional data
        self.validated(ZONE, "NS")


if __name__ == "__main__":
    h.main()
