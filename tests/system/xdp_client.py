# SPDX-License-Identifier: Apache-2.0
"""Runs inside the client namespace of test_xdp.py: sends each query (hex wire) of a JSON list
over UDP to (address, port) and prints the replies as a JSON list of hex strings ("" when no
reply came). argv: address port queries-json"""

import json
import socket
import sys


def main():
    address, port, queries = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    out = []
    for wire_hex in queries:
        wire = bytes.fromhex(wire_hex)
        reply = b""
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(2.0)
            for _attempt in range(3):
                s.sendto(wire, (address, port))
                try:
                    while True:
                        data, _peer = s.recvfrom(65535)
                        if data[:2] == wire[:2]:
                            reply = data
                            break
                    break
                except socket.timeout:
                    continue
        out.append(reply.hex())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
