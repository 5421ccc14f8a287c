# SPDX-License-Identifier: Apache-2.0
"""Redundant instances behind a real resolver: two gslbd processes started from the SAME config
files (ns1 on 127.0.0.2, ns2 on 127.0.0.3, one port, told apart only by --listen, --identity
and --control on the command line), each running its own health checks against loopback
listeners this test starts, and a real unbound on 127.0.0.1 whose stub zone names both.

What it checks:
- resolution through unbound keeps working while one instance is killed with SIGKILL, after it
  is restarted, and then with only the restarted one left (so unbound really uses it again);
- `hash` answers agree between the instances for the same client subnet (ECS), also while a
  member is down: each instance sees the failure with its own checks and moves the same
  subnets;
- NSID and CHAOS TXT id.server (and dig +nsid) name the instance that answered; the
  command-line identity survives a reload;
- static data is identical on both, over UDP and TCP; a reload of both serves the new file.

Only 127.0.0.0/8 is ever used. Every wait and every stream of queries is bounded; the processes
(both instances, unbound) and the listeners are stopped in tearDownClass, and by setUpClass
itself when it fails. unbound missing or failing to start is a test error, never a skip: CI
installs it (tools/install-deps).
"""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode

import gslbd_harness as h
import pool_harness as p
import resolver_harness as rh

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "data", "redundant")
ZONE = "gslb.example."
INSTANCES = (("ns1", "127.0.0.2"), ("ns2", "127.0.0.3"))
RESOLVER_ADDRESS = "127.0.0.1"

# hash pool `sticky`: members checked by tcp against listeners on these loopback hosts
STICKY = ["192.0.2.60", "192.0.2.61", "192.0.2.62", "192.0.2.63"]
STICKY_HOSTS = ["127.0.0.20", "127.0.0.21", "127.0.0.22", "127.0.0.23"]
# weighted pool `app`: two checked members and one without checks
APP = ["192.0.2.70", "192.0.2.71", "192.0.2.72"]
APP_HOSTS = ["127.0.0.24", "127.0.0.25"]
WILDCARD_ANSWER = "192.0.2.99"

V4_SUBNETS = ["10.%d.%d.0" % (k // 13 + 1, (k * 41) % 256) for k in range(200)]
V6_SUBNETS = ["2001:db8:%x:%x00::" % (k, (k * 7) % 256) for k in range(50)]

UNBOUND_START_TIMEOUT = 20.0
DIRECT_TIMEOUT = 2.0

# Queries through unbound are sent the way a stub resolver sends them (glibc: `options
# timeout:1 attempts:3`): again after each second without an answer. That matters: unbound
# drops a reply that took longer than its discard-timeout (1.9 s; Debian backports it to 1.17)
# and counts on the client to ask again, and a query that meets the killed instance a few
# times before it reaches the live one takes about that long.
RESOLVER_TRY = 1.0
RESOLVER_TRIES = 4  # one more than glibc: margin for a loaded CI host

# Streams through unbound: a query every STREAM_PERIOD seconds; one instance is killed early in
# the stream. unbound, after timeouts from the killed instance (a few hundred ms each), sends
# the query to the other stub-addr and soon stops choosing the dead one, so every query must
# resolve: the tolerance is zero. A failed query means unbound could not get an answer from
# the surviving instance within a stub's tries.
STREAM_PERIOD = 0.05
STREAM_TOLERANCE = 0
STREAM_DEADLINE = 60.0  # a stream that overruns this stops; its unsent queries count as failed


def host_in(subnet, last):
    return subnet.rsplit(".", 1)[0] + ".%d" % last


def nsid_of(r):
    for opt in r.options:
        if opt.otype == dns.edns.NSID:
            return opt.to_wire() if hasattr(opt, "to_wire") else opt.data
    return None


def scope_of(r):
    for o in r.options:
        if o.otype == dns.edns.ECS:
            return o.scopelen
    return None


def addresses(r):
    return sorted(x.to_text() for rr in r.answer if rr.rdtype in (1, 28) for x in rr)


_control_option = []


def supports_control():
    """Whether this gslbd has the --control option (its control endpoint listens on a fixed
    default address, which two instances on one host cannot share)."""
    if not _control_option:
        p_ = subprocess.run([h.binary(), "--help"], capture_output=True, text=True, timeout=10)
        _control_option.append("--control" in p_.stdout + p_.stderr)
    return _control_option[0]


# ---------------------------------------------------------------------------------------------
# Processes


class Instance:
    """One gslbd process: the shared main file, its own --listen and --identity."""

    def __init__(self, identity, address, main_path, workdir):
        self.identity = identity
        self.address = address
        self.main_path = main_path
        self.port = None
        self.control_port = None
        self.proc = None
        self.stderr_path = os.path.join(workdir, "%s.stderr.log" % identity)
        self.workdir = workdir
        self.cmd = None

    def start(self, port):
        self.port = port
        self.cmd = [h.binary(), "-c", self.main_path, "--listen",
                    "%s:%d" % (self.address, port), "--identity", self.identity]
        if supports_control():
            # the control endpoint's default address is one fixed port: each instance sharing
            # the config gets its own, on its own loopback address
            if self.control_port is None:
                self.control_port = h.free_port_on([self.address])
            self.cmd += ["--control", "%s:%d" % (self.address, self.control_port)]
        with open(self.stderr_path, "ab") as err:
            err.write(b"--- start: %s\n" % " ".join(self.cmd).encode())
            err.flush()
            self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=err,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir)

    def wait_ready(self, timeout=h.START_TIMEOUT):
        """Until it answers the SOA over UDP and TCP; RuntimeError when it exits or times out."""
        q = dns.message.make_query(ZONE, "SOA")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gslbd %s exited with %d during startup\n%s"
                                   % (self.identity, self.proc.returncode, self.stderr_text()))
            try:
                dns.query.udp(q, self.address, port=self.port, timeout=0.2)
                dns.query.tcp(q, self.address, port=self.port, timeout=1.0)
                return
            except (dns.exception.DNSException, OSError, EOFError):
                time.sleep(0.05)
        raise RuntimeError("gslbd %s did not answer on %s:%d within %.0f s\n%s"
                           % (self.identity, self.address, self.port, timeout,
                              self.stderr_text()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def sigkill(self):
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(h.STOP_TIMEOUT)

    def stop(self):
        """SIGTERM and wait (SIGKILL after STOP_TIMEOUT): (returncode, killed), or None when it
        was not running."""
        if not self.alive():
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(h.STOP_TIMEOUT), False
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(h.STOP_TIMEOUT), True

    def stderr_text(self):
        return rh.read_tail(self.stderr_path)

    def reload_and_wait(self, timeout=10.0):
        pattern = re.compile(r"reload: config generation \d+ in service")
        before = len(pattern.findall(self.stderr_text()))
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(pattern.findall(self.stderr_text())) > before:
                return
            time.sleep(0.02)
        raise AssertionError("%s: no reload logged within %.0f s of SIGHUP\n%s"
                             % (self.identity, timeout, self.stderr_text()[-4000:]))


class Unbound(rh.UnboundProcess):
    """unbound on 127.0.0.1 with a stub zone for ZONE naming every instance. Its cache never
    hides a failure: cache-max-ttl 0 (every answer is fetched again) and the streams ask fresh
    names anyway. Its queries leave from 127.0.0.1, so both instances hash the same client for
    it."""

    START_TIMEOUT = UNBOUND_START_TIMEOUT

    def __init__(self, workdir, stub_addrs):
        super().__init__(workdir)
        self.stub_addrs = list(stub_addrs)
        self.log = os.path.join(self.dir, "unbound.log")

    def config_text(self):
        lines = [
            "server:",
            "    interface: %s" % RESOLVER_ADDRESS,
            "    port: %d" % self.port,
            "    do-ip6: no",
            "    num-threads: 1",
            "    so-reuseport: no",
            "    do-daemonize: no",
            "    do-not-query-localhost: no",
            "    outgoing-interface: %s" % RESOLVER_ADDRESS,
            "    access-control: 127.0.0.0/8 allow",
            '    chroot: ""',
            '    username: ""',
            '    directory: "%s"' % self.dir,
            '    pidfile: "%s"' % os.path.join(self.dir, "unbound.pid"),
            '    logfile: "%s"' % self.log,
            "    use-syslog: no",
            "    verbosity: 1",
            '    module-config: "iterator"',
            "    qname-minimisation: no",
            "    cache-max-ttl: 0",
            "    cache-max-negative-ttl: 0",
            "    prefetch: no",
            "    serve-expired: no",
            # unbound remembers a server that timed out (and backs off from it) for
            # infra-host-ttl, 900 s by default; 2 s lets it learn within this test that the
            # restarted instance answers again, so the last stream really goes through it
            "    infra-host-ttl: 2",
            "",
            "stub-zone:",
            '    name: "%s"' % ZONE,
        ]
        lines += ["    stub-addr: %s@%d" % (a, port) for a, port in self.stub_addrs]
        return "\n".join(lines) + "\n"

    def pick_ports(self):
        self.port = h.free_port_on([RESOLVER_ADDRESS])

    def not_ready(self):
        q = h.make_query("www." + ZONE, "A", edns=0)
        try:
            r = dns.query.udp(q, RESOLVER_ADDRESS, port=self.port, timeout=0.5)
        except (dns.exception.DNSException, OSError, EOFError) as e:
            return "www.%s: %r" % (ZONE, e)
        if r.rcode() == dns.rcode.NOERROR and r.answer:
            return None
        return "www.%s: answer %s" % (ZONE, dns.rcode.to_text(r.rcode()))

    def output(self):
        return "%s--- unbound log ---\n%s" % (super().output(), rh.read_tail(self.log))


# ---------------------------------------------------------------------------------------------
# Config


def pool_yaml(sticky_ports, app_ports, consensus=None):
    rule = "    consensus: %s\n" % consensus if consensus else ""
    text = "version: 1\nchecks:\n" + p.fast_check("tcp-fast") + "pools:\n"
    text += ("  - name: sticky\n"
             "    policy: hash\n"
             "    max_records: 1\n"
             "    initial_state: wait\n" + rule +
             "    members:\n")
    for i, (address, host, port) in enumerate(zip(STICKY, STICKY_HOSTS, sticky_ports)):
        text += ("      - {name: s%d, address: %s, check_address: %s,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n" % (i, address, host, port))
    text += ("  - name: app\n"
             "    policy: weighted\n"
             "    max_records: 2\n"
             "    initial_state: wait\n" + rule +
             "    members:\n")
    for i, (host, port) in enumerate(zip(APP_HOSTS, app_ports)):
        text += ("      - {name: a%d, address: %s, check_address: %s, weight: 100,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n" % (i, APP[i], host, port))
    text += "      - {name: a2, address: %s, weight: 100, checks: []}\n" % APP[2]
    return text


MAIN_YAML = """version: 1
server:
  workers: 1
  identity: from-config-file   # both instances override it with --identity
  log:
    level: info
zones:
  - "*.zone.yaml"
pools:
  - "*.pool.yaml"
"""


# ---------------------------------------------------------------------------------------------
# Test case


PEERS_YAML = """peers:
  token_file: fleet.token
  interval: 300ms
  timeout: 250ms
  stale_after: 1s
  instances:
"""


class Redundant(unittest.TestCase):
    # The pools' consensus rule. None: the default (own), one main file for both instances
    # and no peers; a rule: each instance gets the main file plus a peers: section naming
    # the other one (test_redundant_consensus.py).
    CONSENSUS = None
    dir = None
    instances = []
    unbound = None
    peers = []
    port = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="gslbd-redundant-")
        cls.instances = []
        cls.peers = []
        cls.unbound = None
        try:
            for host in STICKY_HOSTS + APP_HOSTS:
                cls.peers.append(p.ListenerPeer(host).start())
            cls.sticky_peers = cls.peers[:len(STICKY_HOSTS)]
            cls.app_peers = cls.peers[len(STICKY_HOSTS):]
            cls.main_path = os.path.join(cls.dir, "gslbd.yaml")
            with open(cls.main_path, "w") as f:
                f.write(MAIN_YAML)
            shutil.copy(os.path.join(FIXTURE, "gslb.example.zone.yaml"),
                        os.path.join(cls.dir, "gslb.example.zone.yaml"))
            with open(os.path.join(cls.dir, "gslb.example.pool.yaml"), "w") as f:
                f.write(pool_yaml([x.port for x in cls.sticky_peers],
                                  [x.port for x in cls.app_peers], cls.CONSENSUS))
            cls.instances = [Instance(name, address, cls.main_path, cls.dir)
                             for name, address in INSTANCES]
            if cls.CONSENSUS:
                cls.add_peers()
            cls.start_instances()
            cls.unbound = Unbound(cls.dir, [(i.address, cls.port) for i in cls.instances])
            cls.unbound.start()
        except BaseException:
            cls.cleanup(report=True)
            raise

    @classmethod
    def add_peers(cls):
        """Gives each instance its own main file: the shared one plus peers: naming the other
        instances' control endpoints (ports chosen now, kept across restarts)."""
        with open(os.path.join(cls.dir, "fleet.token"), "w") as f:
            f.write("fleet-0123456789abcdefghij\n")
        os.chmod(os.path.join(cls.dir, "fleet.token"), 0o600)
        for inst in cls.instances:
            inst.control_port = h.free_port_on([inst.address])
        for inst in cls.instances:
            text = MAIN_YAML + PEERS_YAML
            for other in cls.instances:
                if other is not inst:
                    text += ("    - name: %s\n      url: http://%s:%d\n"
                             % (other.identity, other.address, other.control_port))
            inst.main_path = os.path.join(cls.dir, "gslbd-%s.yaml" % inst.identity)
            with open(inst.main_path, "w") as f:
                f.write(text)

    @classmethod
    def start_instances(cls):
        """Both on one port free on both addresses (retried when the port was taken)."""
        last = None
        for _attempt in range(3):
            cls.port = h.free_port_on([i.address for i in cls.instances])
            for inst in cls.instances:
                inst.start(cls.port)
            try:
                for inst in cls.instances:
                    inst.wait_ready()
                return
            except RuntimeError as e:
                last = e
                for inst in cls.instances:
                    inst.stop()
                if "in use" not in str(e):
                    break
        raise last

    @classmethod
    def tearDownClass(cls):
        problems = cls.cleanup(report=False)
        if problems:
            raise AssertionError("; ".join(problems))

    @classmethod
    def cleanup(cls, report):
        """Stops unbound, the instances and the peers; removes the temp dir. Returns what went
        wrong at shutdown (an instance not exiting 0 on SIGTERM)."""
        problems = []
        if cls.unbound is not None:
            try:
                cls.unbound.stop()
            except Exception as e:  # noqa: BLE001 - best effort, go on with the rest
                problems.append("unbound stop: %r" % e)
        for inst in cls.instances:
            try:
                res = inst.stop()
            except Exception as e:  # noqa: BLE001
                problems.append("%s stop: %r" % (inst.identity, e))
                continue
            if res is not None and (res[1] or res[0] != 0):
                problems.append("gslbd %s exited %s after SIGTERM%s, expected 0"
                                % (inst.identity, res[0], " (killed)" if res[1] else ""))
        if problems or report:
            cls.dump_logs()
        for peer in cls.peers:
            try:
                peer.stop()
            except Exception:  # noqa: BLE001
                pass
        if cls.dir:
            shutil.rmtree(cls.dir, ignore_errors=True)
        return problems

    @classmethod
    def dump_logs(cls):
        for inst in cls.instances:
            sys.stderr.write("\n--- gslbd %s stderr ---\n%s--- end ---\n"
                             % (inst.identity, inst.stderr_text()[-8000:]))
        if cls.unbound is not None:
            sys.stderr.write("\n%s--- end ---\n" % cls.unbound.output()[-8000:])

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > before:
            self.dump_logs()
        return result

    def setUp(self):
        # a test that killed an instance restarts it; this catches one that failed midway
        for inst in self.instances:
            if not inst.alive():
                self.restart(inst)
        self.wait_all_members_up()

    # --- helpers
    def restart(self, inst):
        """Starts inst again on its address and port; retried while the port is still bound."""
        deadline = time.monotonic() + h.START_TIMEOUT
        while True:
            inst.start(self.port)
            try:
                inst.wait_ready()
                return
            except RuntimeError as e:
                inst.stop()
                if "in use" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def direct(self, inst, name, qtype="A", qclass="IN", subnet=None, nsid=False, tcp=False,
               timeout=DIRECT_TIMEOUT):
        options = [dns.edns.ECSOption(subnet[0], subnet[1], 0)] if subnet else []
        q = h.make_query(name, qtype, qclass, edns=0, options=options, want_nsid=nsid)
        if tcp:
            return dns.query.tcp(q, inst.address, port=inst.port, timeout=timeout)
        return dns.query.udp(q, inst.address, port=inst.port, timeout=timeout)

    def pick(self, inst, subnet, prefix):
        r = self.direct(inst, "sticky." + ZONE, subnet=(subnet, prefix))
        self.assertEqual(dns.rcode.to_text(r.rcode()), "NOERROR", "%s\n%s" % (inst.identity, r))
        a = addresses(r)
        self.assertEqual(len(a), 1, "%s: max_records 1\n%s" % (inst.identity, r))
        return a[0], scope_of(r)

    def mapping(self, inst, subnets=V4_SUBNETS, prefix=24):
        return {s: self.pick(inst, s, prefix) for s in subnets}

    def wait_until(self, what, predicate, timeout=p.HEALTH_WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail("%s: not reached within %.0f s" % (what, timeout))

    def serving(self, inst, name, members):
        """True when an answer for name from inst has its full service TTL (2 s: every member
        of the pool serving; 1 s is the degraded TTL) and only addresses among members."""
        r = self.direct(inst, name + "." + ZONE)
        return (r.rcode() == dns.rcode.NOERROR and r.answer and r.answer[0].ttl == 2
                and set(addresses(r)) <= set(members))

    def wait_all_members_up(self):
        for inst in self.instances:
            self.wait_until("%s: every sticky member up" % inst.identity,
                            lambda i=inst: self.serving(i, "sticky", STICKY))
            self.wait_until("%s: every app member up" % inst.identity,
                            lambda i=inst: self.serving(i, "app", APP))

    def resolve(self, name, qtype="A"):
        """One query through unbound, sent the way a stub resolver does: on one socket, sent
        again after each RESOLVER_TRY seconds without an answer, RESOLVER_TRIES times in all,
        any reply to it accepted. Returns (ok, seconds, reply or what went wrong)."""
        q = h.make_query(name, qtype, edns=0)
        wire = q.to_wire()
        t0 = time.monotonic()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((RESOLVER_ADDRESS, 0))
            for attempt in range(RESOLVER_TRIES):
                s.sendto(wire, (RESOLVER_ADDRESS, self.unbound.port))
                deadline = time.monotonic() + RESOLVER_TRY
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    s.settimeout(left)
                    try:
                        data, source = s.recvfrom(65535)
                    except socket.timeout:
                        break
                    if source != (RESOLVER_ADDRESS, self.unbound.port):
                        continue
                    try:
                        r = dns.message.from_wire(data)
                    except dns.exception.DNSException:
                        continue
                    if not q.is_response(r):
                        continue
                    took = time.monotonic() - t0
                    if r.rcode() != dns.rcode.NOERROR:
                        return False, took, "%s: %s after %d tries" % (
                            name, dns.rcode.to_text(r.rcode()), attempt + 1)
                    return True, took, r
        return False, time.monotonic() - t0, "%s: no answer to %d tries %.1f s apart" % (
            name, RESOLVER_TRIES, RESOLVER_TRY)

    def stream(self, label, count, action_at=None, action=None):
        """count queries through unbound, one every STREAM_PERIOD seconds, each a name unbound
        has not seen: fresh wildcard names, with the hash service (`sticky`, which must answer
        the same member for unbound's own address whichever instance answers) and the weighted
        service (`app`) in between. action() runs before query number action_at. Returns
        (failures, latencies) after checking every answer that came."""
        failures = []
        latencies = []
        sticky_seen = set()
        start = time.monotonic()
        for i in range(count):
            if time.monotonic() - start > STREAM_DEADLINE:
                failures += ["%s #%d: not sent, stream over %.0f s" % (label, k, STREAM_DEADLINE)
                             for k in range(i, count)]
                break
            if i == action_at and action is not None:
                action()
            wait = start + i * STREAM_PERIOD - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            kind = i % 4
            if kind == 2:
                name = "sticky." + ZONE
            elif kind == 3:
                name = "app." + ZONE
            else:
                name = "%s-%d-%d.dyn.%s" % (label, i, os.getpid(), ZONE)
            ok, took, r = self.resolve(name)
            latencies.append(took)
            if not ok:
                failures.append("%s #%d %s" % (label, i, r))
                continue
            got = addresses(r)
            if kind == 2:
                self.assertEqual(len(got), 1, "%s: sticky through unbound\n%s" % (label, r))
                sticky_seen.add(got[0])
            elif kind == 3:
                self.assertEqual(len(got), 2, "%s: app through unbound\n%s" % (label, r))
                self.assertTrue(set(got) <= set(APP), "%s: app answer %s" % (label, got))
            else:
                self.assertEqual(got, [WILDCARD_ANSWER], "%s: %s\n%s" % (label, name, r))
        self.assertLessEqual(len(sticky_seen), 1,
                             "%s: sticky answers through unbound changed (%s): the instances "
                             "disagree for the same client" % (label, sorted(sticky_seen)))
        sys.stderr.write("%s: %d/%d resolved, latency median %.1f ms, max %.1f ms\n"
                         % (label, count - len(failures), count,
                            1000 * statistics.median(latencies) if latencies else 0,
                            1000 * max(latencies) if latencies else 0))
        for f in failures:
            sys.stderr.write("  failed: %s\n" % f)
        self.assertLessEqual(len(failures), STREAM_TOLERANCE,
                             "%s: %d of %d queries through unbound failed (tolerance %d):\n%s"
                             % (label, len(failures), count, STREAM_TOLERANCE,
                                "\n".join(failures[:20])))
        return failures, latencies

    def assert_down(self, inst):
        with self.assertRaises((dns.exception.Timeout, OSError),
                               msg="%s still answers after SIGKILL" % inst.identity):
            self.direct(inst, "www." + ZONE, timeout=0.5)

    def assert_identity(self, inst):
        r = self.direct(inst, "www." + ZONE, nsid=True)
        self.assertEqual(nsid_of(r), inst.identity.encode(), "NSID of %s\n%s" % (inst.address, r))
        r = self.direct(inst, "id.server.", "TXT", "CH")
        self.assertEqual(dns.rcode.to_text(r.rcode()), "NOERROR", str(r))
        self.assertEqual([b"".join(x.strings) for rr in r.answer for x in rr],
                         [inst.identity.encode()], "CHAOS id.server of %s\n%s" % (inst.address, r))

    # --- tests
    def test_resolver_survives_sigkill_and_uses_restarted_instance(self):
        ns1, ns2 = self.instances
        # both up: unbound resolves; it spreads its queries over both stub addresses
        self.stream("warm", 40)

        # ns2 killed early in a ~10 s stream: unbound retries at ns1
        killed = {}

        def kill_ns2():
            killed["rc"] = ns2.sigkill()

        self.stream("kill-ns2", 200, action_at=40, action=kill_ns2)
        self.assertEqual(killed.get("rc"), -signal.SIGKILL, "ns2 should have died of SIGKILL")
        self.assert_down(ns2)

        # ns2 restarted on the same address and port: it answers again, as itself, with the
        # same data as ns1
        self.restart(ns2)
        self.assert_identity(ns2)
        self.wait_until("restarted ns2: every sticky member up",
                        lambda: self.serving(ns2, "sticky", STICKY))
        self.assertEqual(self.mapping(ns2, V4_SUBNETS[:50]), self.mapping(ns1, V4_SUBNETS[:50]),
                         "restarted ns2 and ns1 disagree on hash answers")
        for name, qtype in ((ZONE, "SOA"), ("www." + ZONE, "A")):
            self.assertEqual(self.direct(ns2, name, qtype).answer,
                             self.direct(ns1, name, qtype).answer, "restarted ns2: %s" % name)
        # unbound forgets its timeouts to ns2 after infra-host-ttl (2 s): this ~5 s stream
        # goes to both again
        self.stream("restarted", 100)

        # now ns1 is killed: every answer must come from the restarted ns2
        killed.clear()

        def kill_ns1():
            killed["rc"] = ns1.sigkill()

        self.stream("kill-ns1", 100, action_at=0, action=kill_ns1)
        self.assertEqual(killed.get("rc"), -signal.SIGKILL, "ns1 should have died of SIGKILL")
        self.restart(ns1)
        self.assert_identity(ns1)

    def test_nsid_and_id_server_name_the_instance(self):
        for inst in self.instances:
            for tcp in (False, True):
                r = self.direct(inst, "www." + ZONE, nsid=True, tcp=tcp)
                self.assertEqual(nsid_of(r), inst.identity.encode(),
                                 "NSID of %s (tcp %s)\n%s" % (inst.address, tcp, r))
            self.assert_identity(inst)
            r = self.direct(inst, "hostname.bind.", "TXT", "CH")
            self.assertEqual([b"".join(x.strings) for rr in r.answer for x in rr],
                             [inst.identity.encode()],
                             "hostname.bind of %s\n%s" % (inst.address, r))
            d = subprocess.run(["dig", "@" + inst.address, "-p", str(inst.port), "+time=2",
                                "+tries=1", "+nsid", "www." + ZONE, "A"],
                               capture_output=True, text=True, timeout=15)
            self.assertEqual(d.returncode, 0, d.stdout + d.stderr)
            self.assertEqual(h.ToolAnswer(d.stdout).nsid, inst.identity, d.stdout)

    def test_hash_answers_agree_for_the_same_client(self):
        ns1, ns2 = self.instances
        m1 = self.mapping(ns1)
        m2 = self.mapping(ns2)
        self.assertEqual(m1, m2, "ns1 and ns2 disagree on hash answers for the same ECS subnet")
        self.assertEqual({scope for _, scope in m1.values()}, {24}, "ECS scope /24")
        spread = {a for a, _ in m1.values()}
        self.assertGreaterEqual(len(spread), 3, "200 subnets should spread: %s" % spread)
        # hosts inside a subnet and the same subnets over TCP
        for s in V4_SUBNETS[:20]:
            for inst in self.instances:
                self.assertEqual(self.pick(inst, host_in(s, 77), 32), m1[s],
                                 "%s: %s/32 differs from %s/24" % (inst.identity, s, s))
                r = self.direct(inst, "sticky." + ZONE, subnet=(s, 24), tcp=True)
                self.assertEqual(addresses(r), [m1[s][0]], "%s over TCP" % inst.identity)
        v6_1 = self.mapping(ns1, V6_SUBNETS, 56)
        self.assertEqual(v6_1, self.mapping(ns2, V6_SUBNETS, 56), "IPv6 /56 subnets disagree")
        self.assertEqual({scope for _, scope in v6_1.values()}, {56}, "ECS scope /56")
        # without ECS the key is the source address: 127.0.0.1 for both
        self.assertEqual(addresses(self.direct(ns1, "sticky." + ZONE)),
                         addresses(self.direct(ns2, "sticky." + ZONE)), "no ECS: source key")

    def test_each_instance_checks_health_and_moves_the_same_subnets(self):
        ns1, ns2 = self.instances
        before = self.mapping(ns1)
        self.assertEqual(self.mapping(ns2), before)
        counts = {m: sum(1 for a, _ in before.values() if a == m) for m in STICKY}
        victim = max(counts, key=counts.get)
        k = STICKY.index(victim)
        accepted = [None, None]
        self.sticky_peers[k].stop()
        try:
            for inst in self.instances:
                self.wait_until("%s drops %s" % (inst.identity, victim),
                                lambda i=inst: victim not in
                                {a for a, _ in self.mapping(i, V4_SUBNETS[:40]).values()}
                                and not self.serving(i, "sticky", STICKY))
            after1 = self.mapping(ns1)
            after2 = self.mapping(ns2)
            self.assertEqual(after1, after2, "instances disagree while %s is down" % victim)
            for s in V4_SUBNETS:
                if before[s][0] == victim:
                    self.assertNotEqual(after1[s][0], victim)
                else:
                    self.assertEqual(after1[s], before[s], "%s moved though it was not on %s"
                                     % (s, victim))
            accepted[0] = self.sticky_peers[k].accepted
        finally:
            self.sticky_peers[k].start()
        for inst in self.instances:
            self.wait_until("%s: %s back" % (inst.identity, victim),
                            lambda i=inst: self.mapping(i) == before)
        self.assertGreater(self.sticky_peers[k].accepted, accepted[0],
                           "the checks reached the listener again")

    def test_weighted_answers_may_differ_but_stay_in_the_pool(self):
        seen = set()
        for inst in self.instances:
            for _ in range(60):
                a = addresses(self.direct(inst, "app." + ZONE))
                self.assertEqual(len(a), 2, "%s: max_records 2: %s" % (inst.identity, a))
                self.assertTrue(set(a) <= set(APP), "%s: %s" % (inst.identity, a))
                seen.update(a)
        self.assertEqual(seen, set(APP), "every app member drawn at least once")

    def test_static_data_identical(self):
        ns1, ns2 = self.instances
        questions = [(ZONE, "SOA"), (ZONE, "NS"), (ZONE, "MX"), (ZONE, "TXT"), ("www." + ZONE, "A"),
                     ("www." + ZONE, "AAAA"), ("alias." + ZONE, "A"), ("ns1." + ZONE, "A"),
                     ("x.dyn." + ZONE, "A"), ("nope." + ZONE, "A"), ("www." + ZONE, "MX"),
                     ("dyn." + ZONE, "A"), ("other.example.", "A")]
        for name, qtype in questions:
            for tcp in (False, True):
                r1 = self.direct(ns1, name, qtype, tcp=tcp)
                r2 = self.direct(ns2, name, qtype, tcp=tcp)
                what = "%s %s (tcp %s)" % (name, qtype, tcp)
                self.assertEqual(r1.rcode(), r2.rcode(), what)
                self.assertEqual(r1.flags, r2.flags, what)
                for section in ("answer", "authority", "additional"):
                    self.assertEqual(sorted(x.to_text() for x in getattr(r1, section)),
                                     sorted(x.to_text() for x in getattr(r2, section)),
                                     "%s: %s differs\nns1: %s\nns2: %s" % (what, section, r1, r2))
        r = self.direct(ns1, "www." + ZONE)
        self.assertEqual(addresses(r), ["192.0.2.10", "192.0.2.11"], str(r))
        self.assertTrue(r.flags & dns.flags.AA, str(r))

    def test_reload_both(self):
        zone_path = os.path.join(self.dir, "gslb.example.zone.yaml")
        with open(zone_path) as f:
            text = f.read()
        marker = "reloaded-%d" % os.getpid()
        text = text.replace("services:",
                            "  - name: reload-marker\n    type: TXT\n    data: ['\"%s\"']\n"
                            "services:" % marker, 1)
        with open(zone_path + ".tmp", "w") as f:
            f.write(text)
        os.replace(zone_path + ".tmp", zone_path)
        for inst in self.instances:
            inst.reload_and_wait()
        for inst in self.instances:
            r = self.direct(inst, "reload-marker." + ZONE, "TXT")
            self.assertEqual([b"".join(x.strings) for rr in r.answer for x in rr],
                             [marker.encode()], "%s after reload\n%s" % (inst.identity, r))
            self.assert_identity(inst)  # --identity still wins over the file after a reload
        ok, _, r = self.resolve("reload-marker." + ZONE, "TXT")
        self.assertTrue(ok, "through unbound: %s" % r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
