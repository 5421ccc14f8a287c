# SPDX-License-Identifier: Apache-2.0
"""MaxMind databases for the geo system tests, written at test time by MaxMind's own writer
(tests/tools/write-mmdb, libmaxmind-db-writer-perl), and records read back with mmdblookup
(mmdb-bin), whose text output is parsed here."""

import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
WRITE_MMDB = os.path.join(HERE, "..", "tools", "write-mmdb")


def write_mmdb(path, networks, database_type="GeoIP2-City", ip_version=6):
    """Writes [(cidr, record)] to path (via a temporary file renamed over it, as an operator's
    update tool would)."""
    spec = {"database_type": database_type, "ip_version": ip_version, "networks": networks}
    spec_path = path + ".json"
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    tmp = path + ".tmp"
    subprocess.run([WRITE_MMDB, spec_path, tmp], check=True, timeout=120)
    os.replace(tmp, path)
    os.unlink(spec_path)


def city(continent, country=None, subdivision=None, location=None):
    record = {"continent": {"code": continent}}
    if country:
        record["country"] = {"iso_code": country}
    if subdivision:
        record["subdivisions"] = [{"iso_code": subdivision}]
    if location:
        record["location"] = {"latitude": location[0], "longitude": location[1]}
    return record


_TOKEN = re.compile(r'\s*(?:(\{|\}|\[|\])|"((?:[^"\\]|\\.)*)"\s*(:)?|(-?[0-9][0-9.eE+-]*))'
                    r'\s*(?:<[a-z0-9_]+>)?')


def parse_mmdblookup(text):
    """mmdblookup's output (JSON-like: no commas, each value followed by <type>) as Python."""
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError("mmdblookup output at %d: %r" % (pos, text[pos:pos + 40]))
        pos = m.end()
        if m.group(1):
            tokens.append(m.group(1))
        elif m.group(2) is not None:
            tokens.append(("key" if m.group(3) else "str", m.group(2)))
        else:
            tokens.append(("num", m.group(4)))

    def value(i):
        t = tokens[i]
        if t == "{":
            out, i = {}, i + 1
            while tokens[i] != "}":
                key = tokens[i][1]
                out[key], i = value(i + 1)
            return out, i + 1
        if t == "[":
            out, i = [], i + 1
            while tokens[i] != "]":
                item, i = value(i)
                out.append(item)
            return out, i + 1
        return t[1], i + 1

    return value(0)[0] if tokens else None


def lookup(path, address):
    """The record mmdblookup finds for address, or None."""
    p = subprocess.run(["mmdblookup", "--file", path, "--ip", address], capture_output=True,
                       text=True, timeout=10)
    if "Could not find an entry" in p.stdout + p.stderr:
        return None
    if p.returncode != 0:
        raise RuntimeError("mmdblookup %s: %s" % (address, p.stderr))
    return parse_mmdblookup(p.stdout)
