# SPDX-License-Identifier: Apache-2.0
"""Harness for the gslbd system tests: runs the real binary on loopback and queries it.

A test class derives from GslbdTestCase and sets SERVER (a ServerSpec); setUpClass writes the
config (a generated main file plus the fixture zone files from data/) into a fresh temp dir,
starts the binary on free ports of 127.0.0.1 (and ::1 when it works), waits until it answers and
tearDownClass stops it with SIGTERM and checks it exited 0. When a test fails, the server's
stderr is printed after it.

Every wait is bounded. The binary comes from $GSLBD_BINARY (set by ctest).
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
ZONE = "example.com."

# Sanitizer builds are several times slower; every bound below is generous on purpose.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
QUERY_TIMEOUT = 2.0


def binary():
    path = os.environ.get("GSLBD_BINARY")
    if not path:
        raise RuntimeError("GSLBD_BINARY is not set (run these tests through ctest)")
    return path


def sanitizer_build(path=None):
    """True when the gslbd binary (default: binary()) is built with AddressSanitizer or
    ThreadSanitizer. gcc links their runtimes as shared libraries, clang into the binary: both
    leave the runtime's entry point among the binary's dynamic symbols."""
    try:
        out = subprocess.run(["nm", "-D", path or binary()], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    symbols = {line.split()[-1] for line in out.splitlines() if line.split()}
    return "__asan_init" in symbols or "__tsan_init" in symbols


def ipv6_loopback_works():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def bind_udp_and_tcp(hosts, port):
    """Sockets bound for UDP and TCP on port on every address in hosts, the first TCP one
    first; port 0 takes the port the kernel gives that first socket. IPv6 ones are v6-only when
    hosts holds IPv4 ones too (so "0.0.0.0" and "::" can both be asked), else they hold the
    port for IPv4 as well. OSError, with the sockets closed, when one is taken."""
    v6only = any(":" not in host for host in hosts)
    socks = []
    try:
        for host in hosts:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(family, kind)
                socks.append(s)
                if family == socket.AF_INET6 and v6only:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((host, port))
                port = socks[0].getsockname()[1]
        return socks
    except OSError:
        for s in socks:
            s.close()
        raise


def port_free_on(hosts, port):
    """Whether port is free for UDP and TCP on every address in hosts now."""
    try:
        socks = bind_udp_and_tcp(hosts, port)
    except OSError:
        return False
    for s in socks:
        s.close()
    return True


def free_port_on(hosts):
    """A port free for UDP and TCP on every address in hosts (all loopback or wildcards)."""
    for _ in range(100):
        try:
            socks = bind_udp_and_tcp(hosts, 0)
        except OSError:
            continue
        port = socks[0].getsockname()[1]
        for s in socks:
            s.close()
        return port
    raise RuntimeError("no port free on %s in 100 tries" % ", ".join(hosts))


def free_port(with_v6):
    """A port free for both UDP and TCP on 127.0.0.1 (and on ::1 when with_v6)."""
    return free_port_on(["127.0.0.1", "::1"] if with_v6 else ["127.0.0.1"])


def free_tcp_port(avoid=()):
    """A TCP port free on 127.0.0.1 now, not in avoid (for the control endpoint)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
        if port not in avoid:
            return port
    raise RuntimeError("no free TCP port found in 100 tries")


class ServerSpec:
    """What to run: server settings for the generated main file and extra command-line args."""

    def __init__(self, workers=1, edns_udp_size=None, identity="ns-test.example",
                 tcp_max_connections=None, tcp_idle_timeout=None, args=(), zones=None,
                 v6=True, pools=None, files=None, client_subnet=None, control=False,
                 token=None, control_flag=False, control_extra=None, tcp_extra=None,
                 wrapper=(), server_extra=None):
        self.workers = workers
        self.edns_udp_size = edns_udp_size
        self.identity = identity
        self.tcp_max_connections = tcp_max_connections
        self.tcp_idle_timeout = tcp_idle_timeout
        # more `tcp:` lines, e.g. ["frame_timeout: 1s"]
        self.tcp_extra = list(tcp_extra or [])
        self.args = list(args)
        # zone files copied from data/ (default: every *.zone.yaml there)
        self.zones = zones
        self.v6 = v6
        # pool file globs for the main file's `pools:` (None: no `pools:` key)
        self.pools = list(pools) if pools is not None else None
        # extra files written into the temp dir: {base name: text} (generated zones, pools)
        self.files = dict(files or {})
        # server.client_subnet (None: not written, the server's default applies)
        self.client_subnet = client_subnet
        # control=True runs the control endpoint on a free loopback port (Server.control_port);
        # token (a string) is written to control.token and named by control.token_file;
        # control_flag=True passes the port with --control and writes another (unused) free
        # port into the file; control_extra: more `control:` lines, e.g. ["max_connections: 4"]
        self.control = control
        self.token = token
        self.control_flag = control_flag
        self.control_extra = list(control_extra or [])
        # a command that runs gslbd in place of itself (exec), e.g. ["prlimit", "--as=..."]
        self.wrapper = list(wrapper)
        # more `server:` lines, e.g. ["rate_limit:", "  enabled: true"] (indented below server:)
        self.server_extra = list(server_extra or [])

    def main_yaml(self, control_listen=None):
        lines = ["version: 1", "server:", "  workers: %d" % self.workers]
        if self.edns_udp_size is not None:
            lines.append("  edns_udp_size: %d" % self.edns_udp_size)
        if self.identity is not None:
            lines.append("  identity: %s" % self.identity)
        if self.tcp_max_connections is not None or self.tcp_idle_timeout is not None or \
                self.tcp_extra:
            lines.append("  tcp:")
            if self.tcp_max_connections is not None:
                lines.append("    max_connections: %d" % self.tcp_max_connections)
            if self.tcp_idle_timeout is not None:
                lines.append("    idle_timeout: %s" % self.tcp_idle_timeout)
            lines += ["    " + x for x in self.tcp_extra]
        if self.client_subnet is not None:
            lines.append("  client_subnet: %s" % ("true" if self.client_subnet else "false"))
        lines += ["  " + x for x in self.server_extra]
        lines += ["  log:", "    level: info", "zones:", '  - "*.zone.yaml"']
        # Tests run in parallel: the control endpoint's fixed default port would collide.
        # Tests of the endpoint itself enable it (control=True) on a free port.
        if self.control:
            lines += ["control:", "  enabled: true"]
            if control_listen is not None:
                lines.append('  listen: "%s"' % control_listen)
            if self.token is not None:
                lines.append("  token_file: control.token")
            lines += ["  " + x for x in self.control_extra]
        else:
            lines += ["control:", "  enabled: false"]
        if self.pools is not None:
            lines.append("pools:")
            lines += ['  - "%s"' % g for g in self.pools]
        lines.append("")
        return "\n".join(lines)


class Server:
    """One running gslbd process with its own temp dir and ports."""

    def __init__(self, spec):
        self.spec = spec
        self.dir = tempfile.mkdtemp(prefix="gslbd-system-")
        self.proc = None
        self.port = None
        self.v6 = spec.v6 and ipv6_loopback_works()
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.main_path = os.path.join(self.dir, "main.yaml")
        self.control_port = None  # the control endpoint's port when spec.control
        self.file_control_port = None  # the port the main file names (differs with control_flag)
        self.token_path = None
        if spec.token is not None:
            self.token_path = os.path.join(self.dir, "control.token")
            with open(self.token_path, "w") as f:
                f.write(spec.token + "\n")
            os.chmod(self.token_path, 0o600)  # gslbd warns about a token others can read
        self.write_config()

    def main_yaml(self):
        """The main file's text for the ports chosen now."""
        listen = None
        if self.file_control_port is not None:
            listen = "127.0.0.1:%d" % self.file_control_port
        return self.spec.main_yaml(listen)

    def write_config(self):
        with open(self.main_path, "w") as f:
            f.write(self.main_yaml())
        names = self.spec.zones
        if names is None:
            names = sorted(n for n in os.listdir(DATA) if n.endswith(".zone.yaml"))
        for n in names:  # a name may be a path under data/; it is copied by its base name
            shutil.copy(os.path.join(DATA, n), os.path.join(self.dir, os.path.basename(n)))
        for n, text in self.spec.files.items():
            self.write_file(n, text)

    def write_file(self, name, text):
        """Writes a file into the temp dir atomically (a reload never reads half a file)."""
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        return path

    def zone_path(self, name):
        return os.path.join(self.dir, name)

    def start(self):
        last_error = None
        for _attempt in range(3):  # a port taken between free_port() and bind() is retried
            self.port = free_port(self.v6)
            cmd = self.spec.wrapper + [binary(), "-c", self.main_path,
                                       "--listen", "127.0.0.1:%d" % self.port]
            if self.v6:
                cmd += ["--listen", "[::1]:%d" % self.port]
            if self.spec.control:
                self.control_port = free_tcp_port(avoid=(self.port,))
                self.file_control_port = self.control_port
                if self.spec.control_flag:
                    self.file_control_port = free_tcp_port(avoid=(self.port, self.control_port))
                    cmd += ["--control", "127.0.0.1:%d" % self.control_port]
                with open(self.main_path, "w") as f:
                    f.write(self.main_yaml())
            cmd += self.spec.args
            self.cmd = cmd
            err = open(self.stderr_path, "ab")
            out = open(self.stdout_path, "ab")
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         cwd=self.dir)
            err.close()
            out.close()
            try:
                self.wait_ready()
                return
            except RuntimeError as e:
                last_error = e
                if self.proc.poll() is None:
                    self.kill()
                    break  # running but not answering: no point retrying
                if b"in use" not in self.stderr_bytes():
                    break
        raise RuntimeError("%s\ncommand: %s\nstderr:\n%s" % (last_error, " ".join(self.cmd),
                                                             self.stderr_text()))

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        q = dns.message.make_query(ZONE, "SOA")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gslbd exited with %d during startup" % self.proc.returncode)
            try:
                dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.2)
                dns.query.tcp(q, "127.0.0.1", port=self.port, timeout=1.0)
                if self.spec.control:
                    # the control endpoint accepts connections too
                    with socket.create_connection(("127.0.0.1", self.control_port), timeout=1.0):
                        pass
                return
            except (dns.exception.Timeout, OSError, EOFError, dns.exception.DNSException):
                time.sleep(0.05)
        raise RuntimeError("gslbd did not answer within %.0f s" % START_TIMEOUT)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def reload_and_wait(self, timeout=10.0):
        """SIGHUP, then waits until stderr logs one more "config generation N in service"."""
        pattern = re.compile(r"reload: config generation \d+ in service")
        before = len(pattern.findall(self.stderr_text()))
        self.signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(pattern.findall(self.stderr_text())) > before:
                return
            time.sleep(0.02)
        raise AssertionError("no reload logged within %.0f s of SIGHUP\n%s"
                             % (timeout, self.stderr_text()[-4000:]))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)

    def stop(self):
        """SIGTERM, wait; SIGKILL after STOP_TIMEOUT. Returns (returncode, killed)."""
        if self.proc is None:
            return None, False
        if self.proc.poll() is not None:
            return self.proc.returncode, False
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(STOP_TIMEOUT), False
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(STOP_TIMEOUT), True

    def stderr_bytes(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def stderr_text(self):
        return self.stderr_bytes().decode("utf-8", "replace")

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Queries


def make_query(qname, qtype="A", qclass="IN", edns=None, payload=None, options=None, rd=True,
               want_nsid=False, qid=None):
    """A dnspython query. edns=None: no OPT; edns=0: version 0 (payload default 1232)."""
    q = dns.message.make_query(qname, qtype, qclass, use_edns=False)
    if edns is not None:
        # use_edns() directly: make_query(use_edns=1) silently sends version 0 in dnspython 2.3
        opts = list(options or [])
        if want_nsid:
            opts.append(dns.edns.GenericOption(dns.edns.NSID, b""))
        q.use_edns(edns, payload=payload if payload is not None else 1232, options=opts)
        assert q.edns == edns
    if not rd:
        q.flags &= ~dns.flags.RD
    if qid is not None:
        q.id = qid
    return q


def udp(server, q, timeout=QUERY_TIMEOUT, v6=False):
    where = "::1" if v6 else "127.0.0.1"
    return dns.query.udp(q, where, port=server.port, timeout=timeout, ignore_trailing=False)


def tcp(server, q, timeout=QUERY_TIMEOUT, v6=False):
    where = "::1" if v6 else "127.0.0.1"
    return dns.query.tcp(q, where, port=server.port, timeout=timeout)


def udp_raw(server, data, timeout=QUERY_TIMEOUT):
    """Sends raw bytes over UDP; returns the raw reply or None when none came within timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(data, ("127.0.0.1", server.port))
        try:
            reply, _ = s.recvfrom(65535)
            return reply
        except socket.timeout:
            return None


def recv_exact(sock, n, deadline):
    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out reading %d octets (got %d)" % (n, len(buf)))
        sock.settimeout(left)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d octets" % (len(buf), n))
        buf += chunk
    return buf


def tcp_connect(server, timeout=QUERY_TIMEOUT):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def tcp_send_msg(sock, wire):
    sock.sendall(struct.pack("!H", len(wire)) + wire)


def tcp_read_msg(sock, timeout=QUERY_TIMEOUT):
    deadline = time.monotonic() + timeout
    (n,) = struct.unpack("!H", recv_exact(sock, 2, deadline))
    return recv_exact(sock, n, deadline)


def tcp_raw(server, data, timeout=QUERY_TIMEOUT):
    """Sends one length-prefixed raw message over a new TCP connection; returns the reply."""
    with tcp_connect(server, timeout) as s:
        tcp_send_msg(s, data)
        return tcp_read_msg(s, timeout)


def header(wire):
    """(id, flags, qdcount, ancount, nscount, arcount) of a raw message."""
    return struct.unpack("!HHHHHH", wire[:12])


def raw_header(qid, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def raw_question(name, qtype=1, qclass=1):
    return dns.name.from_text(name).to_wire() + struct.pack("!HH", qtype, qclass)


# ---------------------------------------------------------------------------------------------
# dig and kdig


class ToolAnswer:
    """The parts of a dig/kdig text answer the tests look at."""

    def __init__(self, text):
        self.text = text
        self.status = None
        self.id = None
        self.opcode = None
        self.flags = set()
        self.counts = {}
        self.sections = {}  # "ANSWER" -> list of (owner, ttl, class, type, rdata)
        self.nsid = None
        self.udp_size = None
        self._parse()

    def _parse(self):
        section = None
        for line in self.text.splitlines():
            m = re.search(r"->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;] id: (\d+)", line)
            if m:
                self.opcode, self.status, self.id = m.group(1), m.group(2), int(m.group(3))
                continue
            m = re.match(r";; [Ff]lags: ([a-z ]*);(.*)", line)
            if m:
                self.flags = set(m.group(1).split())
                for name, value in re.findall(r"(\w+): (\d+)", m.group(2)):
                    self.counts[name] = int(value)
                continue
            if "NSID:" in line:
                q = re.search(r'"([^"]*)"', line)  # dig: (".."), kdig: ".."
                if q:
                    self.nsid = q.group(1)
                continue
            m = re.search(r"; udp: (\d+)|UDP size: (\d+) B", line)
            if m:
                self.udp_size = int(m.group(1) or m.group(2))
                continue
            m = re.match(r";; (\w+) SECTION:", line)
            if m:
                section = m.group(1)
                self.sections.setdefault(section, [])
                continue
            if not line.strip():
                continue
            if line.startswith(";"):
                continue
            if section is None:
                section = "ANSWER"  # +noall +answer prints records without a section line
                self.sections.setdefault(section, [])
            parts = line.split(None, 4)
            if len(parts) >= 5 and parts[1].isdigit():
                self.sections[section].append(
                    (parts[0].lower(), int(parts[1]), parts[2], parts[3], parts[4].strip()))

    def records(self, section="ANSWER"):
        return self.sections.get(section, [])


def run_tool(argv, timeout=15):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return p


def dig(server, *args, tcp=False):
    argv = ["dig", "@127.0.0.1", "-p", str(server.port), "+time=2", "+tries=1"]
    if tcp:
        argv.append("+tcp")
    argv += list(args)
    p = run_tool(argv)
    return p, ToolAnswer(p.stdout)


def kdig(server, *args, tcp=False):
    argv = ["kdig", "@127.0.0.1", "-p", str(server.port), "+time=2", "+retry=0"]
    if tcp:
        argv.append("+tcp")
    argv += list(args)
    p = run_tool(argv)
    return p, ToolAnswer(p.stdout)


# ---------------------------------------------------------------------------------------------
# Test base class


class GslbdTestCase(unittest.TestCase):
    """Starts one server per class from SERVER; shows its stderr under a failing test."""

    SERVER = ServerSpec()
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.SERVER)
        try:
            cls.server.start()
        except Exception:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        srv = cls.server
        if srv is None:
            return
        rc, killed = srv.stop()
        text = srv.stderr_text()
        srv.cleanup()
        if killed or rc != 0:
            sys.stderr.write("\n--- gslbd stderr ---\n%s--- end ---\n" % text)
        if killed:
            raise AssertionError("gslbd did not exit within %.0f s of SIGTERM" % STOP_TIMEOUT)
        if rc != 0:
            raise AssertionError("gslbd exited %s after SIGTERM, expected 0" % rc)

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > before and self.server is not None:
            sys.stderr.write("\n--- gslbd stderr (%s) ---\n%s--- end ---\n"
                             % (self.id(), self.server.stderr_text()[-20000:]))
        return result

    # --- queries
    def udp(self, *args, **kwargs):
        return udp(self.server, make_query(*args, **kwargs))

    def tcp(self, *args, **kwargs):
        return tcp(self.server, make_query(*args, **kwargs))

    def both(self, *args, **kwargs):
        """The same query over UDP and over TCP: [("udp", reply), ("tcp", reply)]."""
        return [("udp", self.udp(*args, **kwargs)), ("tcp", self.tcp(*args, **kwargs))]

    # --- assertions
    def assertRcode(self, r, rcode, what=""):
        self.assertEqual(dns.rcode.to_text(r.rcode()), rcode,
                         "%s: rcode\n%s" % (what, r))

    def assertFlags(self, r, aa=None, tc=None, rd=None, ra=False, qr=True, what=""):
        for flag, want in (("AA", aa), ("TC", tc), ("RD", rd), ("RA", ra), ("QR", qr)):
            if want is None:
                continue
            got = bool(r.flags & dns.flags.from_text(flag))
            self.assertEqual(got, want, "%s: flag %s should be %s\n%s" % (what, flag, want, r))

    def rrsets(self, section):
        return sorted((rr.name.to_text().lower(), dns.rdatatype.to_text(rr.rdtype), rr.ttl,
                       sorted(x.to_text() for x in rr)) for rr in section)

    def assertSection(self, r, section_name, expected, what=""):
        """expected: list of (owner, type, ttl, [rdata text...]) in any order."""
        section = getattr(r, section_name)
        want = sorted((o.lower(), t, ttl, sorted(d)) for o, t, ttl, d in expected)
        self.assertEqual(self.rrsets(section), want, "%s: %s section\n%s" % (what, section_name, r))

    def assertNegative(self, r, rcode, soa_ttl=300, zone=ZONE, what=""):
        """NXDOMAIN/NODATA: AA, no answer, exactly the zone SOA in authority with soa_ttl."""
        self.assertRcode(r, rcode, what)
        self.assertFlags(r, aa=True, tc=False, what=what)
        self.assertEqual(len(r.answer), 0, "%s: answer should be empty\n%s" % (what, r))
        self.assertEqual(len(r.authority), 1, "%s: authority should hold the SOA\n%s" % (what, r))
        soa = r.authority[0]
        self.assertEqual(dns.rdatatype.to_text(soa.rdtype), "SOA", "%s\n%s" % (what, r))
        self.assertEqual(soa.name, dns.name.from_text(zone), "%s: SOA owner\n%s" % (what, r))
        self.assertEqual(soa.ttl, soa_ttl, "%s: negative TTL\n%s" % (what, r))


def main():
    unittest.main(verbosity=2)
