# SPDX-License-Identifier: Apache-2.0
"""docs/redundancy.md's loopback example works as written: the two gslbd command lines and the
unbound snippet are taken from the document itself, run against the installed example config
(zones/examples/installed, with a generated token), and unbound resolves through them, also
after one instance is stopped.

Only two things are changed from the text, and only when needed: the config path
/etc/gslbd/gslbd.yaml becomes this test's copy, and when port 5300 (DNS) or 9253 (control) is
taken on 127.0.0.2/127.0.0.3, a free port replaces it in the command lines and the snippet
alike. unbound gets its own `server:` clause for running in the foreground on a free port; the
snippet (with its own `server:` clause) is appended to it unchanged. unbound missing is a
failure: tools/install-deps installs it."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import dns.exception
import dns.message
import dns.query
import dns.rcode

import gslbd_harness as h

REPO = os.path.dirname(os.path.dirname(h.HERE))
DOC = os.path.join(REPO, "docs", "redundancy.md")
CONFIG = os.path.join(REPO, "zones", "examples", "installed")
RESOLVER = "127.0.0.1"
RESOLVE_TRIES = 40  # 0.5 s each


def fenced_blocks(text):
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M)


def doc_example():
    """(gslbd argument lists, unbound snippet) from the document."""
    with open(DOC) as f:
        blocks = fenced_blocks(f.read())
    snippets = [b for b in blocks if "do-not-query-localhost: no" in b]
    if len(snippets) != 1:
        raise AssertionError("docs/redundancy.md: expected one unbound snippet with "
                             "do-not-query-localhost, found %d" % len(snippets))
    commands = [b for b in blocks if "--listen 127.0.0.2" in b]
    if len(commands) != 1:
        raise AssertionError("docs/redundancy.md: expected one block of loopback gslbd commands")
    argvs = []
    for line in commands[0].splitlines():
        words = shlex.split(line.rstrip("&").strip())
        if words and words[0] == "gslbd":
            argvs.append(words)
    if len(argvs) != 2:
        raise AssertionError("expected two gslbd command lines, got %r" % argvs)
    return argvs, snippets[0]


class RedundancyDoc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.procs = []
        cls.dir = tempfile.mkdtemp(prefix="gslbd-redundancy-doc-")
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start(cls):
        argvs, snippet = doc_example()
        conf_dir = os.path.join(cls.dir, "etc")
        shutil.copytree(CONFIG, conf_dir)
        with open(os.path.join(conf_dir, "control.token"), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        hosts = ["127.0.0.2", "127.0.0.3"]
        ports = {}
        for port in (5300, 9253):
            ports[port] = port if h.port_free_on(hosts, port) else h.free_port_on(hosts)
            if ports[port] != port:
                print("port %d is taken on %s: using %d" % (port, hosts, ports[port]))
        cls.dns_port = ports[5300]

        def local(text):
            text = text.replace("/etc/gslbd/gslbd.yaml", os.path.join(conf_dir, "gslbd.yaml"))
            return re.sub(r"(127\.0\.0\.[23])([:@])(5300|9253)\b",
                          lambda m: "%s%s%d" % (m.group(1), m.group(2), ports[int(m.group(3))]),
                          text)

        cls.instances = []
        for argv in argvs:
            cmd = [h.binary()] + [local(w) for w in argv[1:]]
            err = open(os.path.join(cls.dir, "%s.log" % argv[-1]), "wb")
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                                    stdin=subprocess.DEVNULL)
            err.close()
            cls.procs.append(proc)
            cls.instances.append((proc, cmd))
        for proc, cmd in cls.instances:
            address = cmd[cmd.index("--listen") + 1].split(":")[0]
            cls.wait_answer(address, cls.dns_port, proc)

        cls.resolver_port = h.free_port_on([RESOLVER])
        cls.unbound_dir = os.path.join(cls.dir, "unbound")
        os.mkdir(cls.unbound_dir)
        conf = os.path.join(cls.unbound_dir, "unbound.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "server:",
                "    interface: %s" % RESOLVER,
                "    port: %d" % cls.resolver_port,
                "    do-ip6: no",
                "    num-threads: 1",
                "    do-daemonize: no",
                "    outgoing-interface: %s" % RESOLVER,
                "    access-control: 127.0.0.0/8 allow",
                '    chroot: ""',
                '    username: ""',
                '    directory: "%s"' % cls.unbound_dir,
                '    pidfile: "%s"' % os.path.join(cls.unbound_dir, "unbound.pid"),
                "    use-syslog: no",
                '    module-config: "iterator"',
                "    cache-max-ttl: 0",
                "    cache-max-negative-ttl: 0",
                "    infra-host-ttl: 2",
                "",
            ]) + "\n" + local(snippet))
        exe = shutil.which("unbound") or "/usr/sbin/unbound"
        if not os.path.exists(exe):
            raise AssertionError("unbound is not installed (tools/install-deps installs it)")
        checkconf = shutil.which("unbound-checkconf") or "/usr/sbin/unbound-checkconf"
        c = subprocess.run([checkconf, conf], capture_output=True, text=True, timeout=30)
        if c.returncode != 0:
            raise AssertionError("unbound-checkconf: %s%s" % (c.stdout, c.stderr))
        log = open(os.path.join(cls.unbound_dir, "stderr.log"), "wb")
        cls.unbound = subprocess.Popen([exe, "-d", "-c", conf], stdout=log, stderr=log,
                                       stdin=subprocess.DEVNULL)
        log.close()
        cls.procs.append(cls.unbound)

    @classmethod
    def wait_answer(cls, address, port, proc):
        q = dns.message.make_query("gslb.example.com.", "SOA")
        deadline = time.monotonic() + h.START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError("gslbd exited with %d" % proc.returncode)
            try:
                dns.query.udp(q, address, port=port, timeout=0.3)
                return
            except (dns.exception.DNSException, OSError):
                time.sleep(0.1)
        raise AssertionError("gslbd on %s:%d did not answer" % (address, port))

    @classmethod
    def tearDownClass(cls):
        for proc in cls.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(h.STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(cls.dir, True)

    def resolve(self, name):
        """Asks unbound like a stub resolver (again after each 0.5 s); the A addresses."""
        q = dns.message.make_query(name, "A")
        last = None
        for _ in range(RESOLVE_TRIES):
            try:
                r = dns.query.udp(q, RESOLVER, port=self.resolver_port, timeout=0.5)
                if r.rcode() == dns.rcode.NOERROR and r.answer:
                    return sorted(x.to_text() for rr in r.answer for x in rr if rr.rdtype == 1)
                last = r
            except (dns.exception.DNSException, OSError) as e:
                last = e
        self.fail("%s did not resolve through unbound: %s\n%s" % (name, last, self.logs()))

    def logs(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    out.append("--- %s\n%s" % (name, f.read()[-3000:]))
        path = os.path.join(self.unbound_dir, "stderr.log")
        with open(path, errors="replace") as f:
            out.append("--- unbound\n%s" % f.read()[-3000:])
        return "\n".join(out)

    def test_resolves_through_both_and_survives_one_stopping(self):
        self.assertEqual(self.resolve("www.gslb.example.com."), ["192.0.2.10"])
        self.assertEqual(self.resolve("app.gslb.example.com."), ["192.0.2.20", "192.0.2.21"])
        proc, _ = self.instances[0]
        proc.send_signal(signal.SIGTERM)
        proc.wait(h.STOP_TIMEOUT)
        for _ in range(5):
            self.assertEqual(self.resolve("www.gslb.example.com."), ["192.0.2.10"])


if __name__ == "__main__":
    h.main()
