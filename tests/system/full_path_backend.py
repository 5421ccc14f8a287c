# SPDX-License-Identifier: Apache-2.0
"""The servers behind the HAProxy sites of the full-path topology (full_path_topology.py).

    full_path_backend.py ID=ADDR:PORT [ID=ADDR:PORT ...]

serves one small HTTP server per argument, each in a thread of this one process (so a site
losing every server is one kill). Every answer is JSON naming the server and echoing what it
was sent:
    {"server": "web1", "path": "/x", "method": "GET", "peer": "198.18.1.11",
     "headers": {"Host": "www.gslb.example", "X-Forwarded-For": "198.18.0.10", ...}}
GET /healthz answers "ok" (HAProxy's httpchk). GET /hold?seconds=S answers after S seconds
(at most HOLD_MAX): a long-lived request, as the least-connections part of the test opens.
A line "ready" goes to stdout once every server listens.
"""

import json
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD_MAX = 600.0


class Handler(BaseHTTPRequestHandler):
    server_version = "full-path-backend"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the test reads the answers, not a log
        pass

    def reply(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/healthz":
            self.reply(200, "ok\n", "text/plain")
            return
        if url.path == "/hold":
            query = urllib.parse.parse_qs(url.query)
            try:
                seconds = min(float(query.get("seconds", ["1"])[0]), HOLD_MAX)
            except ValueError:
                self.reply(400, "seconds must be a number\n", "text/plain")
                return
            time.sleep(max(seconds, 0.0))
        body = {"server": self.server.backend_id, "path": self.path, "method": self.command,
                "peer": self.client_address[0], "headers": dict(self.headers.items())}
        self.reply(200, json.dumps(body) + "\n", "application/json")

    do_HEAD = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's listen backlog is 5: a burst of held sessions (HAProxy opens them all at
    # once) would overflow it, and the connections dropped there reach HAProxy's connect
    # timeout and end as 503s.
    request_queue_size = 256

    def server_bind(self):
        # HTTPServer's own asks the resolver for the address's name (getfqdn), which in a
        # namespace without one waits for its timeouts; nothing here uses that name
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        # HAProxy ends its health checks with a reset: not worth a traceback in the log
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main(argv):
    if not argv or any("=" not in a or ":" not in a for a in argv):
        print(__doc__, file=sys.stderr)
        return 2
    servers = []
    for arg in argv:
        backend_id, where = arg.split("=", 1)
        host, port = where.rsplit(":", 1)
        srv = Server((host, int(port)), Handler)
        srv.backend_id = backend_id
        servers.append(srv)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    print("ready", flush=True)
    for t in threads:
        t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
