# SPDX-License-Identifier: Apache-2.0
"""Runs inside the client namespace of test_xdp.py: a bounded stream of A queries for one name,
one at a time (no retry, so a lost query stays lost), paced at `interval` seconds. Prints
"started" once the first answer came, then at the end a JSON object: how many were sent and,
in order, each answer's sorted A addresses joined by "," ("" when no answer came within
`timeout`). argv: address port qname count interval timeout"""

import json
import socket
import sys
import time

import dns.message
import dns.rdatatype


def main():
    address, port, qname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    count, interval, timeout = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    answers = []
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for i in range(count):
            query = dns.message.make_query(qname, "A")
            query.id = i & 0xffff
            s.sendto(query.to_wire(), (address, port))
            deadline = time.monotonic() + timeout
            text = ""
            while time.monotonic() < deadline:
                s.settimeout(max(deadline - time.monotonic(), 0.001))
                try:
                    data, _peer = s.recvfrom(65535)
                except socket.timeout:
                    break
                if data[:2] != query.to_wire()[:2]:
                    continue  # a late answer to an earlier query
                reply = dns.message.from_wire(data)
                text = ",".join(sorted(r.to_text() for rrset in reply.answer
                                       if rrset.rdtype == dns.rdatatype.A for r in rrset))
                break
            answers.append(text)
            if i == 0:
                print("started", flush=True)
            time.sleep(interval)
    print(json.dumps({"sent": count, "answers": answers}), flush=True)


if __name__ == "__main__":
    main()
