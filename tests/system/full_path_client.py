# SPDX-License-Identifier: Apache-2.0
"""What the client of the full-path topology does, run inside its namespace
(`ip netns exec NS python3 full_path_client.py ...`). Names are resolved with getaddrinfo, so
through the namespace's /etc/resolv.conf: the unbound the topology starts there. Every command
prints one JSON document; times are CLOCK_MONOTONIC, which is the same in every namespace, so
the caller can relate them to its own.

  get URL [--header 'Name: value']... [--count N] [--jar] [--pin]
      N requests one after another; --jar keeps the SRV cookie HAProxy sets and sends it back;
      --pin resolves the name once and sends all N to that address (as a browser does).
  stream URL --rate R --duration D [--address IP] [--timeout T] [--stop-file F]
      a request every 1/R seconds for D seconds (or until file F exists), each on a thread of
      its own so a slow one does not delay the next; --address skips the resolution (to
      follow one VIP).
  hold ADDRESS --count N --seconds S
      N long-lived requests (GET /hold?seconds=S) kept open; prints {"open": N} once all are
      sent, then reads each to its end and prints {"closed": N}.
  dnswatch NAME --servers IP[,IP] --period P --duration D --queries K [--stop-file F]
      every P seconds, K queries for NAME to each server directly: which addresses came back.
stream and dnswatch print {"started": T} first.
  shares NAME --servers IP[,IP] --rounds R --period P --queries K
      R rounds of K queries to each server, one round per P seconds: answer counts per round.
"""

import argparse
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

import dns.message
import dns.query
import dns.rdatatype


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def request(url, headers=(), address=None, timeout=2.0, cookie=None):
    """One GET: a dict with where it went and what came back (never raises)."""
    u = urllib.parse.urlsplit(url)
    port = u.port or 80
    out = {"start": now(), "ok": False}
    try:
        if address is None:
            infos = socket.getaddrinfo(u.hostname, port, socket.AF_INET, socket.SOCK_STREAM)
            address = infos[0][4][0]
        out["address"] = address
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
        hdrs = {"Host": u.netloc}
        for h in headers:
            name, value = h.split(":", 1)
            hdrs[name.strip()] = value.strip()
        if cookie:
            hdrs["Cookie"] = cookie
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        conn.request("GET", path, headers=hdrs)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        out["status"] = r.status
        out["set_cookie"] = r.getheader("Set-Cookie")
        try:
            out["body"] = json.loads(body)
        except ValueError:
            out["body"] = body.decode("utf-8", "replace")[:200]
        out["ok"] = r.status == 200
    except (OSError, http.client.HTTPException) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
    out["end"] = now()
    return out


def cmd_get(a):
    results, cookie, address = [], None, None
    for _ in range(a.count):
        r = request(a.url, a.header, address=address, timeout=a.timeout,
                    cookie=cookie if a.jar else None)
        if a.pin:
            address = r.get("address")
        if a.jar and r.get("set_cookie"):
            cookie = r["set_cookie"].split(";", 1)[0]
        results.append(r)
    return results


def stopped(a):
    return getattr(a, "stop_file", None) is not None and os.path.exists(a.stop_file)


def cmd_stream(a):
    count = int(a.rate * a.duration)
    results = [None] * count
    threads = []
    t0 = now()
    print(json.dumps({"started": t0}), flush=True)

    def one(i):
        results[i] = request(a.url, a.header, address=a.address, timeout=a.timeout)

    for i in range(count):
        delay = t0 + i / a.rate - now()
        if delay > 0:
            time.sleep(delay)
        if stopped(a):
            break
        t = threading.Thread(target=one, args=(i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(a.timeout * 3 + 5)
    return {"rate": a.rate, "requests": [r for r in results if r is not None]}


def cmd_hold(a):
    socks = []
    for _ in range(a.count):
        s = socket.create_connection((a.address, 80), timeout=5)
        s.sendall(("GET /hold?seconds=%g HTTP/1.1\r\nHost: www.gslb.example\r\n"
                   "Connection: close\r\n\r\n" % a.seconds).encode())
        socks.append(s)
    print(json.dumps({"open": len(socks), "at": now()}), flush=True)
    deadline = now() + a.seconds + 5
    answered = 0
    for s in socks:
        s.settimeout(max(deadline - now(), 0.1))
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk[:64] if len(data) < 64 else b""
        except OSError:
            pass
        s.close()
        answered += data.startswith(b"HTTP/1.1 200")
    return {"closed": len(socks), "answered": answered}


def ask(name, server, timeout=1.0):
    q = dns.message.make_query(name, "A")
    r = dns.query.udp(q, server, port=53, timeout=timeout)
    return [x.to_text() for rr in r.answer if rr.rdtype == dns.rdatatype.A for x in rr]


def rounds(a, count):
    servers = a.servers.split(",")
    out = []
    t0 = now()
    print(json.dumps({"started": t0}), flush=True)
    for k in range(count):
        delay = t0 + k * a.period - now()
        if delay > 0:
            time.sleep(delay)
        if stopped(a):
            break
        seen, errors = {}, 0
        start = now()
        for _ in range(a.queries):
            for server in servers:
                try:
                    for addr in ask(a.name, server):
                        seen[addr] = seen.get(addr, 0) + 1
                except Exception:  # a lost query is counted, whatever dnspython raised
                    errors += 1
        out.append({"start": start, "end": now(), "answers": seen, "errors": errors})
    return out


def cmd_dnswatch(a):
    return rounds(a, max(int(a.duration / a.period), 1))


def cmd_shares(a):
    return rounds(a, a.rounds)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("get")
    g.add_argument("url")
    g.add_argument("--header", action="append", default=[])
    g.add_argument("--count", type=int, default=1)
    g.add_argument("--jar", action="store_true")
    g.add_argument("--pin", action="store_true")
    g.add_argument("--timeout", type=float, default=2.0)
    s = sub.add_parser("stream")
    s.add_argument("url")
    s.add_argument("--header", action="append", default=[])
    s.add_argument("--rate", type=float, required=True)
    s.add_argument("--duration", type=float, required=True)
    s.add_argument("--address")
    s.add_argument("--timeout", type=float, default=2.0)
    s.add_argument("--stop-file")
    h = sub.add_parser("hold")
    h.add_argument("address")
    h.add_argument("--count", type=int, required=True)
    h.add_argument("--seconds", type=float, required=True)
    for name in ("dnswatch", "shares"):
        w = sub.add_parser(name)
        w.add_argument("name")
        w.add_argument("--servers", required=True)
        w.add_argument("--period", type=float, required=True)
        w.add_argument("--queries", type=int, required=True)
        if name == "dnswatch":
            w.add_argument("--duration", type=float, required=True)
            w.add_argument("--stop-file")
        else:
            w.add_argument("--rounds", type=int, required=True)
    a = ap.parse_args(argv)
    result = {"get": cmd_get, "stream": cmd_stream, "hold": cmd_hold, "dnswatch": cmd_dnswatch,
              "shares": cmd_shares}[a.cmd](a)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
