// SPDX-License-Identifier: Apache-2.0
// Fixture builders for the micro-benchmarks (see bench_fixtures.hpp).
#include "bench_fixtures.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace bench {

namespace {

using gslbd::pool::PolicyKind;

// A fixture that does not build is a bug in this program: no benchmark would mean anything.
[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "gslbd-bench-micro: fixture: %s\n", what.c_str());
  std::exit(2);
}

void put_u16(std::vector<std::uint8_t>& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

std::vector<std::uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

std::vector<std::uint8_t> soa_rdata() {
  std::vector<std::uint8_t> out = bytes(wire("ns1.example.test."));
  const auto rname = bytes(wire("hostmaster.example.test."));
  out.insert(out.end(), rname.begin(), rname.end());
  for (const std::uint32_t v : {2026010101u, 3600u, 900u, 604800u, 300u}) {
    put_u16(out, v >> 16);
    put_u16(out, v & 0xffff);
  }
  return out;
}

std::vector<std::uint8_t> a_rdata(std::uint32_t host) {
  return {10, static_cast<std::uint8_t>(host >> 16), static_cast<std::uint8_t>(host >> 8),
          static_cast<std::uint8_t>(host)};
}

}  // namespace

std::string wire(std::string_view text) {
  std::string error;
  auto name = gslbd::dns::name_from_text(text, std::string(1, '\0'), &error);
  if (!name) fail("bad name " + std::string(text) + ": " + error);
  return gslbd::dns::lowercased(*name);
}

gslbd::util::Address address(std::string_view text) {
  const auto parsed = gslbd::util::parse_address(text);
  if (!parsed) fail("bad address " + std::string(text));
  return *parsed;
}

std::vector<std::uint8_t> make_query(std::string_view name, std::uint16_t qtype,
                                     const QueryShape& shape) {
  const bool edns = shape.edns || shape.ecs_prefix > 0 || shape.client_cookie;
  // ID 0x1234, RD, one question, ARCOUNT 1 when OPT follows.
  std::vector<std::uint8_t> q = {
      0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(edns ? 1 : 0)};
  const auto qname = bytes(wire(name));
  q.insert(q.end(), qname.begin(), qname.end());
  put_u16(q, qtype);
  put_u16(q, gslbd::dns::klass::IN);
  if (!edns) return q;

  std::vector<std::uint8_t> options;
  if (shape.ecs_prefix > 0) {
    const gslbd::util::Address subnet =
        gslbd::util::masked(address(shape.ecs_address), shape.ecs_prefix);
    const std::size_t octets = (shape.ecs_prefix + 7u) / 8u;
    put_u16(options, gslbd::dns::edns_option::CLIENT_SUBNET);
    put_u16(options, 4 + octets);
    put_u16(options, subnet.family == 4 ? 1 : 2);
    options.push_back(shape.ecs_prefix);
    options.push_back(0);  // scope prefix: always 0 in a query (RFC 7871 section 6)
    options.insert(options.end(), subnet.bytes.begin(),
                   subnet.bytes.begin() + static_cast<std::ptrdiff_t>(octets));
  }
  if (shape.client_cookie) {
    put_u16(options, gslbd::dns::edns_option::COOKIE);
    put_u16(options, 8);
    options.insert(options.end(), {0x5a, 0x11, 0x7e, 0x02, 0x93, 0xc4, 0x6b, 0xd8});
  }
  q.push_back(0);  // root owner
  put_u16(q, gslbd::dns::type::OPT);
  put_u16(q, shape.udp_size);
  q.insert(q.end(), {0, 0, 0, 0});  // extended rcode, version, DO and flags
  put_u16(q, options.size());
  q.insert(q.end(), options.begin(), options.end());
  return q;
}

std::string host_name(std::uint32_t i) {
  return "h" + std::to_string(i) + ".example.test.";
}

std::unique_ptr<gslbd::zone::Zone> build_zone(std::uint32_t hosts,
                                              const std::vector<gslbd::zone::Service>& services) {
  gslbd::zone::ZoneBuilder builder(wire("example.test."));
  auto check = [](const std::string& error) {
    if (!error.empty()) fail(error);
  };
  check(builder.set_soa(3600, soa_rdata()));
  check(builder.add_apex_ns(3600, bytes(wire("ns1.example.test."))));
  const std::uint16_t a = gslbd::dns::type::A;
  check(builder.add_record(wire("ns1.example.test."), a, 3600,
                           std::vector<std::uint8_t>{192, 0, 2, 53}));
  check(builder.add_record(wire("www.example.test."), a, 60,
                           std::vector<std::uint8_t>{192, 0, 2, 1}));
  check(builder.add_record(wire("www.example.test."), a, 60,
                           std::vector<std::uint8_t>{192, 0, 2, 2}));
  for (std::uint32_t i = 0; i < hosts; ++i) {
    check(builder.add_record(wire(host_name(i)), a, 300, a_rdata(i)));
  }
  for (const gslbd::zone::Service& service : services) check(builder.add_service(service));
  std::vector<std::string> errors;
  auto zone = builder.build(errors);
  if (!zone) fail("zone does not build: " + errors.front());
  return zone;
}

gslbd::pool::Pool eight_member_pool(const std::string& name, PolicyKind policy,
                                    std::uint32_t first_slot) {
  gslbd::pool::Pool pool;
  pool.name = name;
  pool.policy = policy;
  pool.max_records = 2;
  pool.min_healthy = 2;
  for (std::uint32_t i = 0; i < kPoolMembers; ++i) {
    gslbd::pool::Member m;
    m.name = "m" + std::to_string(i);
    m.address = address("192.0.2." + std::to_string(i + 1));
    m.check_address = m.address;
    m.weight = 100 * (i + 1);
    m.priority = i < kPoolMembers / 2 ? 10 : 20;
    m.region = i < kPoolMembers / 2 ? "eu" : "us";
    m.health_slot = first_slot + i;
    pool.members.push_back(m);
  }
  pool.geo.geo_map = 0;
  pool.geo.preference = {{"eu", {"eu", "us"}}, {"us", {"us", "eu"}}};
  pool.geo.default_order = {"us", "eu"};
  return pool;
}

gslbd::geo::GeoMap bench_geo_map() {
  gslbd::geo::GeoMap map;
  if (!map.add(address("198.51.100.0"), 24, "eu") || !map.add(address("203.0.113.0"), 24, "us") ||
      !map.add(address("10.0.0.0"), 8, "us") || !map.add(address("2001:db8:e000::"), 48, "eu")) {
    fail("geo map refused a network");
  }
  map.compile();  // as the config loader does with a complete map
  return map;
}

void mark_some_down(const gslbd::pool::Pool& pool, gslbd::health::HealthTable& health) {
  gslbd::health::Health down;
  down.known = true;
  for (std::uint32_t i = 0; i < 3; ++i) health.write(pool.members[i].health_slot, down);
}

std::shared_ptr<const gslbd::runtime::Snapshot> service_snapshot(std::uint32_t hosts,
                                                                 Defences defences) {
  auto pools = std::make_shared<gslbd::pool::PoolSet>();
  pools->pools = {eight_member_pool("app", PolicyKind::weighted, 0),
                  eight_member_pool("sticky", PolicyKind::hash, kPoolMembers),
                  eight_member_pool("geo", PolicyKind::geo, 2 * kPoolMembers),
                  eight_member_pool("near", PolicyKind::geo, 3 * kPoolMembers)};
  // near: geo with closest; the eu members stand around Frankfurt, the us ones around New York,
  // and the client's network (198.51.100.0/24) is located in Paris.
  gslbd::pool::Pool& near = pools->pools[3];
  near.geo.closest = true;
  for (std::uint32_t i = 0; i < kPoolMembers; ++i) {
    near.members[i].has_location = true;
    near.members[i].location = i < kPoolMembers / 2 ? gslbd::geo::Coordinates{50.1 + i, 8.7}
                                                    : gslbd::geo::Coordinates{40.7, -74.0 + i};
  }
  pools->geo_maps.push_back(bench_geo_map());
  if (!pools->geo_maps[0].add_location(address("198.51.100.0"), 24, {48.86, 2.35})) {
    fail("geo map refused a location");
  }
  pools->geo_maps[0].compile();
  gslbd::health::Health up;
  up.up = true;
  up.known = true;
  pools->health = std::make_shared<gslbd::health::HealthTable>(4 * kPoolMembers, up);

  std::vector<gslbd::zone::Service> services(4);
  services[0].name = wire("app.example.test.");
  services[0].pool = "app";
  services[0].pool_index = 0;
  services[1].name = wire("sticky.example.test.");
  services[1].pool = "sticky";
  services[1].ttl = 60;
  services[1].degraded_ttl = 60;
  services[1].pool_index = 1;
  services[2].name = wire("geo.example.test.");
  services[2].pool = "geo";
  services[2].pool_index = 2;
  services[3].name = wire("near.example.test.");
  services[3].pool = "near";
  services[3].pool_index = 3;

  auto config = std::make_shared<gslbd::runtime::Config>();
  config->server.identity = "bench";
  config->server.cookies.enabled = defences.cookies;
  config->server.cookies.secret = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  config->server.rate_limit.enabled = defences.rate_limit;
  config->server.rate_limit.log_only = true;
  std::vector<std::unique_ptr<gslbd::zone::Zone>> zones;
  zones.push_back(build_zone(hosts, services));
  config->zones = std::make_shared<gslbd::zone::ZoneSet>(std::move(zones));
  config->pools = pools;
  return std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 1});
}

const gslbd::runtime::Snapshot& cached_snapshot(std::uint32_t hosts, Defences defences) {
  static std::map<std::pair<std::uint32_t, Defences>,
                  std::shared_ptr<const gslbd::runtime::Snapshot>>
      built;
  auto& slot = built[{hosts, defences}];
  if (!slot) slot = service_snapshot(hosts, defences);
  return *slot;
}

Worker::Worker(const gslbd::runtime::Snapshot& snapshot) : snapshot_(snapshot) {
  policy_state_.prepare(snapshot);
  context_.transport = gslbd::query::Transport::udp;
  context_.source = address("198.51.100.7");
  context_.policy_state = &policy_state_;
  context_.record = &record_;
}

}  // namespace bench
