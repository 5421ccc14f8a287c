// SPDX-License-Identifier: Apache-2.0
// Builds small zones and queries for the query-path tests without the YAML loader, and decodes
// answers with ldns (a decoder other than ours).
#pragma once

// ldns defines bool/false as macros unless stdbool.h came first.
#include <stdbool.h>
// clang-format off
#include <ldns/ldns.h>
// clang-format on

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gslbd/dns/name.hpp"
#include "gslbd/query/answer.hpp"
#include "gslbd/runtime/config.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace test {

inline std::string wire(const std::string& text, const std::string& origin = std::string(1, 0)) {
  std::string error;
  auto name = gslbd::dns::name_from_text(text, origin, &error);
  if (!name) throw std::runtime_error("bad test name " + text + ": " + error);
  return *name;
}

inline std::vector<std::uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

inline std::vector<std::uint8_t> a_rdata(std::uint8_t a, std::uint8_t b, std::uint8_t c,
                                         std::uint8_t d) {
  return {a, b, c, d};
}

inline std::vector<std::uint8_t> soa_rdata(const std::string& apex, std::uint32_t serial,
                                           std::uint32_t minimum) {
  std::vector<std::uint8_t> out = bytes(wire("ns1." + apex + "."));
  const auto rname = bytes(wire("hostmaster." + apex + "."));
  out.insert(out.end(), rname.begin(), rname.end());
  for (std::uint32_t v : {serial, 3600u, 900u, 604800u, minimum}) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

inline std::vector<std::uint8_t> txt_rdata(const std::string& text) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(text.size())};
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

// example.test: SOA (TTL 3600, minimum 300), NS ns1, ns1 A, www A x2, alias CNAME www,
// dn DNAME example.test., mail MX 10 mx1 with mx1 A, *.wild TXT, deep.a.b ENT chain, sub delegated
// with glue, big TXT RRset of ~2000 octets.
inline std::shared_ptr<const gslbd::runtime::Snapshot> example_snapshot(
    std::uint16_t edns_udp_size = 1232) {
  const std::string apex = wire("example.test.");
  gslbd::zone::ZoneBuilder builder(apex);
  auto add = [&](const std::string& name, std::uint16_t type, std::uint32_t ttl,
                 const std::vector<std::uint8_t>& rdata) {
    const std::string error = builder.add_record(wire(name, apex), type, ttl, rdata);
    if (!error.empty()) throw std::runtime_error(error);
  };
  builder.set_soa(3600, soa_rdata("example.test", 2026112701, 300));
  builder.add_apex_ns(3600, bytes(wire("ns1.example.test.")));
  add("ns1", 1, 3600, a_rdata(192, 0, 2, 53));
  add("www", 1, 60, a_rdata(192, 0, 2, 1));
  add("www", 1, 60, a_rdata(192, 0, 2, 2));
  add("alias", 5, 120, bytes(wire("www.example.test.")));
  add("loop", 5, 120, bytes(wire("loop.example.test.")));
  add("dangling", 5, 120, bytes(wire("nowhere.example.test.")));
  add("outside", 5, 120, bytes(wire("www.example.org.")));
  add("dn", 39, 120, bytes(wire("example.test.")));
  std::vector<std::uint8_t> mx{0, 10};
  const auto mx1 = bytes(wire("mx1.example.test."));
  mx.insert(mx.end(), mx1.begin(), mx1.end());
  add("mail", 15, 300, mx);
  add("mx1", 1, 300, a_rdata(192, 0, 2, 25));
  add("*.wild", 16, 30, txt_rdata("wildcard"));
  add("host.wild", 1, 30, a_rdata(192, 0, 2, 80));
  add("deep.a.b", 1, 30, a_rdata(192, 0, 2, 90));
  add("sub", 2, 86400, bytes(wire("ns.sub.example.test.")));
  add("ns.sub", 1, 86400, a_rdata(192, 0, 2, 99));
  for (int i = 0; i < 10; ++i) add("big", 16, 60, txt_rdata(std::string(200, char('a' + i))));
  std::vector<std::string> errors;
  auto zone = builder.build(errors);
  if (!zone) throw std::runtime_error("test zone does not build: " + errors.front());

  auto config = std::make_shared<gslbd::runtime::Config>();
  config->server.identity = "test-instance";
  config->server.edns_udp_size = edns_udp_size;
  std::vector<std::unique_ptr<gslbd::zone::Zone>> zones;
  zones.push_back(std::move(zone));
  config->zones = std::make_shared<gslbd::zone::ZoneSet>(std::move(zones));
  config->pools = std::make_shared<gslbd::pool::PoolSet>();
  return std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 1});
}

struct QueryOptions {
  std::uint16_t id = 0x1234;
  std::uint16_t flags = 0x0100;  // RD
  bool edns = false;
  std::uint16_t udp_size = 1232;
  std::uint8_t version = 0;
  bool nsid = false;
  std::uint16_t edns_flags = 0;  // 0x8000 = DO, 0x4000 = CO
  std::uint16_t qclass = 1;
  std::vector<std::uint8_t> options;  // further raw EDNS options (code, length, data)
};

inline std::vector<std::uint8_t> make_query(const std::string& name, std::uint16_t qtype,
                                            const QueryOptions& o = {}) {
  std::vector<std::uint8_t> q{static_cast<std::uint8_t>(o.id >> 8),
                              static_cast<std::uint8_t>(o.id & 0xff),
                              static_cast<std::uint8_t>(o.flags >> 8),
                              static_cast<std::uint8_t>(o.flags & 0xff),
                              0,
                              1,
                              0,
                              0,
                              0,
                              0,
                              0,
                              static_cast<std::uint8_t>(o.edns ? 1 : 0)};
  const auto qname = bytes(wire(name));
  q.insert(q.end(), qname.begin(), qname.end());
  q.insert(q.end(),
           {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype),
            static_cast<std::uint8_t>(o.qclass >> 8), static_cast<std::uint8_t>(o.qclass)});
  if (o.edns) {
    const std::size_t rdlen = (o.nsid ? 4 : 0) + o.options.size();
    q.insert(q.end(), {0, 0, 41, static_cast<std::uint8_t>(o.udp_size >> 8),
                       static_cast<std::uint8_t>(o.udp_size), 0, o.version,
                       static_cast<std::uint8_t>(o.edns_flags >> 8),
                       static_cast<std::uint8_t>(o.edns_flags & 0xff),
                       static_cast<std::uint8_t>(rdlen >> 8), static_cast<std::uint8_t>(rdlen)});
    if (o.nsid) q.insert(q.end(), {0, 3, 0, 0});
    q.insert(q.end(), o.options.begin(), o.options.end());
  }
  return q;
}

struct Answer {
  std::vector<std::uint8_t> wire;
  ldns_pkt* pkt = nullptr;
  Answer() = default;
  Answer(const Answer&) = delete;
  Answer& operator=(const Answer&) = delete;
  ~Answer() {
    if (pkt) ldns_pkt_free(pkt);
  }
};

// A client at 198.51.100.7 with a fixed-seed policy state (deterministic answers).
inline gslbd::query::QueryContext client_context(gslbd::query::Transport transport) {
  static gslbd::query::PolicyState state(42);
  gslbd::query::QueryContext context;
  context.transport = transport;
  context.source = *gslbd::util::parse_address("198.51.100.7");
  context.policy_state = &state;
  return context;
}

inline std::unique_ptr<Answer> ask(
    const gslbd::runtime::Snapshot& snapshot, const std::vector<std::uint8_t>& query,
    gslbd::query::Transport transport = gslbd::query::Transport::udp) {
  auto answer = std::make_unique<Answer>();
  answer->wire.resize(65535);
  const auto context = client_context(transport);
  context.policy_state->prepare(snapshot);
  const std::size_t size = gslbd::query::answer_query(snapshot, query.data(), query.size(), context,
                                                      answer->wire.data(), 65535);
  answer->wire.resize(size);
  if (size > 0 && ldns_wire2pkt(&answer->pkt, answer->wire.data(), size) != LDNS_STATUS_OK) {
    throw std::runtime_error("ldns cannot decode our answer");
  }
  return answer;
}

inline std::string rr_text(const ldns_rr* rr) {
  char* text = ldns_rr2str(rr);
  std::string out(text);
  free(text);
  while (!out.empty() && (out.back() == '\n')) out.pop_back();
  return out;
}

inline std::vector<std::string> section(const ldns_rr_list* list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
    out.push_back(rr_text(ldns_rr_list_rr(list, i)));
  }
  return out;
}

}  // namespace test

namespace test {

inline gslbd::pool::Member pool_member(const std::string& name, const std::string& address,
                                       std::uint32_t weight = 100) {
  gslbd::pool::Member member;
  member.name = name;
  member.address = *gslbd::util::parse_address(address);
  member.check_address = member.address;
  member.weight = weight;
  return member;
}

// example.test with two services: app (weighted pool "app": 2 v4 + 1 v6 members, ttl 30,
// degraded 5) and sticky (hash pool "sticky" /24 /56, 3 members). Every member starts up; the
// returned table lets a test change health.
struct ServiceSnapshot {
  std::shared_ptr<const gslbd::runtime::Snapshot> snapshot;
  std::shared_ptr<gslbd::health::HealthTable> health;
};

inline ServiceSnapshot service_snapshot(
    gslbd::pool::AllDownAction all_down = gslbd::pool::AllDownAction::serve_all) {
  const std::string apex = wire("example.test.");
  gslbd::zone::ZoneBuilder builder(apex);
  builder.set_soa(3600, soa_rdata("example.test", 1, 300));
  builder.add_apex_ns(3600, bytes(wire("ns1.example.test.")));
  gslbd::zone::Service app;
  app.name = wire("app", apex);
  app.pool = "app";
  app.ttl = 30;
  app.degraded_ttl = 5;
  app.pool_index = 0;
  builder.add_service(app);
  gslbd::zone::Service sticky;
  sticky.name = wire("sticky", apex);
  sticky.pool = "sticky";
  sticky.ttl = 60;
  sticky.degraded_ttl = 60;
  sticky.pool_index = 1;
  builder.add_service(sticky);
  std::vector<std::string> errors;
  auto zone = builder.build(errors);
  if (!zone) throw std::runtime_error("service zone does not build: " + errors.front());

  auto pools = std::make_shared<gslbd::pool::PoolSet>();
  gslbd::pool::Pool weighted;
  weighted.name = "app";
  weighted.max_records = 2;
  weighted.all_down = all_down;
  weighted.members = {pool_member("a", "192.0.2.1"), pool_member("b", "192.0.2.2"),
                      pool_member("v6", "2001:db8::1")};
  gslbd::pool::Pool hash;
  hash.name = "sticky";
  hash.policy = gslbd::pool::PolicyKind::hash;
  hash.max_records = 1;
  hash.members = {pool_member("s1", "192.0.2.11"), pool_member("s2", "192.0.2.12"),
                  pool_member("s3", "192.0.2.13")};
  std::uint32_t slot = 0;
  for (auto* p : {&weighted, &hash}) {
    for (auto& m : p->members) m.health_slot = slot++;
  }
  pools->pools = {weighted, hash};
  gslbd::health::Health up;
  up.up = true;
  up.known = true;
  pools->health = std::make_shared<gslbd::health::HealthTable>(slot, up);

  auto config = std::make_shared<gslbd::runtime::Config>();
  config->server.identity = "test-instance";
  std::vector<std::unique_ptr<gslbd::zone::Zone>> zones;
  zones.push_back(std::move(zone));
  config->zones = std::make_shared<gslbd::zone::ZoneSet>(std::move(zones));
  config->pools = pools;
  return {std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 7}),
          pools->health};
}

}  // namespace test
