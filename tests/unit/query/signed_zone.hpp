// SPDX-License-Identifier: Apache-2.0
// A signed zone for the query tests: signed.test, read by the zone-file loader with the test
// keys (KSK and ZSK of algorithm 13), with static names, a wildcard, an empty non-terminal, a
// signed and an unsigned delegation, and the services of test_zone.hpp's service pools.
#pragma once

// test_zone.hpp first: it includes ldns the way ldns needs.
#include "test_zone.hpp"
// clang-format off
#include <ctime>

#include "gslbd/config/load.hpp"
// clang-format on

namespace test {

inline const char* kSignedZone =
    "version: 1\n"
    "zone: signed.test\n"
    "soa: {mname: ns1, rname: hostmaster, serial: 1, minimum: 5m}\n"
    "ns: [ns1]\n"
    "records:\n"
    "  - {name: ns1, type: A, data: [192.0.2.1]}\n"
    "  - {name: www, type: A, ttl: 300, data: [192.0.2.80, 192.0.2.81]}\n"
    "  - {name: mail, type: MX, data: ['10 MAIL.Signed.Test.']}\n"
    "  - {name: mx4, type: MX, data: ['10 m1', '20 m2', '30 m3', '40 m4']}\n"
    "  - {name: m1, type: A, data: [192.0.2.101]}\n"
    "  - {name: m2, type: A, data: [192.0.2.102]}\n"
    "  - {name: m3, type: A, data: [192.0.2.103]}\n"
    "  - {name: m4, type: A, data: [192.0.2.104]}\n"
    "  - {name: '*.wild', type: A, data: [192.0.2.90]}\n"
    "  - {name: deep.ent, type: TXT, data: ['\"x\"']}\n"
    "  - {name: secure, type: NS, data: [ns.secure]}\n"
    "  - {name: ns.secure, type: A, data: [192.0.2.53]}\n"
    "  - {name: secure, type: DS, data: ['1 13 2 "
    "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF']}\n"
    "  - {name: insecure, type: NS, data: [ns.insecure]}\n"
    "  - {name: ns.insecure, type: A, data: [192.0.2.54]}\n"
    "services:\n"
    "  - {name: app, pool: app, ttl: 30}\n"
    "  - {name: sticky, pool: sticky, ttl: 60}\n"
    "dnssec:\n"
    "  keys:\n"
    "    - {file: Ksigned.test.+013+26620, role: ksk}\n"
    "    - {file: Ksigned.test.+013+63210, role: zsk}\n";

// The service snapshot's pools and health with signed.test in place of its zone.
inline ServiceSnapshot signed_snapshot() {
  ServiceSnapshot base = service_snapshot();
  std::vector<gslbd::util::SourceError> errors;
  auto zone =
      gslbd::config::load_zone_text(std::string(GSLBD_TEST_DATA) + "/dnssec/signed.test.zone.yaml",
                                    kSignedZone, {"app", "sticky"}, errors);
  if (!zone) throw std::runtime_error("signed zone does not load: " + errors.front().to_string());
  auto config = std::make_shared<gslbd::runtime::Config>(*base.snapshot->config);
  std::vector<std::unique_ptr<gslbd::zone::Zone>> zones;
  zones.push_back(std::move(zone));
  config->zones = std::make_shared<gslbd::zone::ZoneSet>(std::move(zones));
  return {std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 11}),
          base.health};
}

inline QueryOptions dnssec_ok(std::uint16_t extra_flags = 0) {
  QueryOptions o;
  o.edns = true;
  o.edns_flags = static_cast<std::uint16_t>(0x8000 | extra_flags);
  return o;
}

}  // namespace test
