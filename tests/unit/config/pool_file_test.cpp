// SPDX-License-Identifier: Apache-2.0
// A good config with several pool files: templates, geo maps and fallbacks used across files,
// every policy and check type, health slots and initial health words, and services.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "pool_test_support.hpp"

namespace {

using namespace gslbd;
using health::CheckType;
using test::fixture;
using test::wire;

std::shared_ptr<const runtime::Config> load_good() {
  const config::LoadResult result = config::load_config(fixture("good/pools/gslbd.yaml"));
  INFO(test::errors_text(result.errors));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config);
  REQUIRE(result.config->pools);
  return result.config;
}

const pool::Pool& pool_named(const pool::PoolSet& set, const char* name) {
  const std::int32_t index = set.find(name);
  REQUIRE_MESSAGE(index >= 0, "no pool " << name);
  return set.pools[static_cast<std::size_t>(index)];
}

const pool::Member& member_named(const pool::Pool& pool, const char* name) {
  const auto it = std::find_if(pool.members.begin(), pool.members.end(),
                               [&](const pool::Member& m) { return m.name == name; });
  REQUIRE_MESSAGE(it != pool.members.end(), "no member " << name << " in " << pool.name);
  return *it;
}

util::Address address(const char* text) {
  return *util::parse_address(text);
}

health::Health up_known() {
  health::Health h;
  h.up = true;
  h.known = true;
  return h;
}

health::Health up_unknown() {
  health::Health h;
  h.up = true;
  return h;
}

}  // namespace

TEST_CASE("pool files: every file is read once, pools in file order") {
  const auto config = load_good();
  std::vector<std::string> names;
  for (const auto& p : config->pools->pools) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"web", "rr", "fast", "standby", "sticky", "spare",
                                          "global", "backup", "last"});
  CHECK_FALSE(config->server.client_subnet);
}

TEST_CASE("pool files: the server's client_subnet defaults to true") {
  const config::LoadResult result = config::load_config(fixture("good/minimal.yaml"));
  REQUIRE(result.config);
  CHECK(result.config->server.client_subnet);
}

TEST_CASE("pool files: every policy with its settings") {
  const auto config = load_good();
  const pool::PoolSet& set = *config->pools;

  const pool::Pool& web = pool_named(set, "web");
  CHECK(web.policy == pool::PolicyKind::weighted);
  CHECK(web.max_records == 3);
  CHECK(web.all_down == pool::AllDownAction::fallback_pool);
  CHECK(web.fallback_pool == set.find("backup"));  // a pool of another file

  const pool::Pool& rr = pool_named(set, "rr");
  CHECK(rr.policy == pool::PolicyKind::round_robin);
  CHECK(rr.max_records == 2);  // default
  CHECK(rr.all_down == pool::AllDownAction::serve_all);
  CHECK(rr.fallback_pool == -1);

  const pool::Pool& fast = pool_named(set, "fast");
  CHECK(fast.policy == pool::PolicyKind::latency);
  CHECK(fast.latency.tolerance_percent == 20);
  CHECK(fast.latency.tolerance_min_us == 5000);

  const pool::Pool& standby = pool_named(set, "standby");
  CHECK(standby.policy == pool::PolicyKind::failover);
  CHECK(standby.min_healthy == 2);
  CHECK_FALSE(standby.preempt);
  CHECK(standby.all_down == pool::AllDownAction::servfail);
  CHECK(member_named(standby, "s1").priority == 10);
  CHECK(member_named(standby, "s3").priority == 20);

  const pool::Pool& sticky = pool_named(set, "sticky");
  CHECK(sticky.policy == pool::PolicyKind::hash);
  CHECK(sticky.hash_prefix_v4 == 20);
  CHECK(sticky.hash_prefix_v6 == 48);
  CHECK(sticky.all_down == pool::AllDownAction::nodata);

  CHECK(pool_named(set, "spare").policy == pool::PolicyKind::least_load);
  CHECK(pool_named(set, "backup").fallback_pool == set.find("last"));

  const pool::Pool& last = pool_named(set, "last");  // everything defaulted
  CHECK(last.policy == pool::PolicyKind::weighted);
  CHECK(last.hash_prefix_v4 == 24);
  CHECK(last.hash_prefix_v6 == 56);
  CHECK(last.min_healthy == 1);
  CHECK(last.preempt);
  CHECK(last.latency.tolerance_percent == 50);
  CHECK(last.latency.tolerance_min_us == 1000);
  CHECK(member_named(last, "l1").weight == 100);
  CHECK(member_named(last, "l1").initial_state == health::InitialState::wait);
}

TEST_CASE("pool files: a geo pool, its map in another file, failover within regions") {
  const auto config = load_good();
  const pool::PoolSet& set = *config->pools;
  const pool::Pool& global = pool_named(set, "global");
  CHECK(global.policy == pool::PolicyKind::geo);
  REQUIRE(set.geo_maps.size() == 1);
  CHECK(global.geo.geo_map == 0);
  CHECK(global.geo.within_region == pool::PolicyKind::failover);
  CHECK(global.preempt);
  using Preference = std::pair<std::string, std::vector<std::string>>;
  CHECK(global.geo.preference == std::vector<Preference>{{"eu", {"eu", "us"}}, {"us", {"us"}}});
  CHECK(global.geo.default_order == std::vector<std::string>{"us", "eu"});
  CHECK(member_named(global, "g-eu").region == "eu");
  CHECK(member_named(global, "g-eu").priority == 1);

  const geo::GeoMap& world = set.geo_maps[0];
  CHECK(world.regions() == std::vector<std::string>{"eu", "us"});
  const auto region_of = [&](const char* text, std::uint8_t prefix) {
    util::Client client;
    client.address = address(text);
    client.prefix = prefix;
    const geo::GeoMatch match = world.lookup(client);
    return match.region < 0 ? std::string("-")
                            : world.regions()[static_cast<std::size_t>(match.region)];
  };
  CHECK(region_of("192.0.2.99", 32) == "eu");
  CHECK(region_of("198.51.100.1", 32) == "us");
  CHECK(region_of("2001:db8:1::1", 128) == "us");
  CHECK(region_of("203.0.113.1", 32) == "-");
}

TEST_CASE("pool files: members, addresses and check_address") {
  const auto config = load_good();
  const pool::Pool& web = pool_named(*config->pools, "web");
  REQUIRE(web.members.size() == 4);
  const pool::Member& a = member_named(web, "a");
  CHECK(a.address == address("192.0.2.10"));
  CHECK(a.check_address == address("10.0.0.10"));
  CHECK(a.weight == 200);
  CHECK(a.initial_state == health::InitialState::up);
  const pool::Member& b = member_named(web, "b");
  CHECK(b.address == address("2001:db8::10"));
  CHECK(b.address.family == 6);
  CHECK(b.check_address == b.address);  // default: the answered address
  CHECK(member_named(web, "c").weight == 0);
}

TEST_CASE("pool files: check templates with every field, used from another file") {
  const auto config = load_good();
  const pool::Pool& web = pool_named(*config->pools, "web");
  const pool::Member& a = member_named(web, "a");  // the pool's checks: [web]
  REQUIRE(a.checks.size() == 1);
  const health::CheckSpec& http = a.checks[0];
  CHECK(http.name == "web");
  CHECK(http.type == CheckType::http);
  CHECK(http.port == 80);  // the http default
  CHECK(http.interval_ms == 10000);
  CHECK(http.timeout_ms == 3000);
  CHECK(http.rise == 3);
  CHECK(http.fall == 4);
  CHECK(http.jitter_percent == 0);
  CHECK(http.method == "HEAD");
  CHECK(http.path == "/healthz?full=1");
  CHECK(http.host == "app.example.com");
  using Header = std::pair<std::string, std::string>;
  CHECK(http.headers == std::vector<Header>{{"X-Check", "gslbd"}, {"Accept", "text/plain"}});
  CHECK(http.expect_status == std::vector<std::uint16_t>{200, 204});
  CHECK(http.expect_body == "ok");

  const pool::Pool& rr = pool_named(*config->pools, "rr");
  const pool::Member& r1 = member_named(rr, "r1");
  REQUIRE(r1.checks.size() == 2);
  const health::CheckSpec& tcp = r1.checks[0];
  CHECK(tcp.type == CheckType::tcp);
  CHECK(tcp.port == 25);
  CHECK(tcp.send == "EHLO gslbd\r\n");
  CHECK(tcp.expect == "250");
  CHECK(tcp.interval_ms == 5000);  // defaults
  CHECK(tcp.timeout_ms == 2000);
  CHECK(tcp.rise == 2);
  CHECK(tcp.fall == 3);
  CHECK(tcp.jitter_percent == 10);
  const health::CheckSpec& https = r1.checks[1];
  CHECK(https.type == CheckType::https);
  CHECK(https.port == 443);  // the https default
  CHECK_FALSE(https.tls_verify);
  CHECK(https.ca_file == "/etc/ssl/ca.pem");
  CHECK(https.sni == "secure.example.com");
  CHECK(https.path == "/");
  CHECK(https.method == "GET");
  CHECK(https.expect_status == std::vector<std::uint16_t>{200});

  const pool::Member& s1 = member_named(pool_named(*config->pools, "standby"), "s1");
  REQUIRE(s1.checks.size() == 1);
  CHECK(s1.checks[0].type == CheckType::agent);
  CHECK(s1.checks[0].port == 5555);
  CHECK(s1.checks[0].interval_ms == 1000);
  CHECK(s1.checks[0].timeout_ms == 500);

  const pool::Member& f1 = member_named(pool_named(*config->pools, "fast"), "f1");
  REQUIRE(f1.checks.size() == 1);
  CHECK(f1.checks[0].type == CheckType::icmp);
  CHECK(f1.checks[0].port == 0);
}

TEST_CASE("pool files: member checks replace the pool's, overrides, inline, [] and none") {
  const auto config = load_good();
  const pool::Pool& web = pool_named(*config->pools, "web");
  const pool::Member& b = member_named(web, "b");
  REQUIRE(b.checks.size() == 3);
  CHECK(b.checks[0].port == 80);
  // {template: web, port: 8080, path: /alt}: the template with two fields replaced.
  CHECK(b.checks[1].name == "web");
  CHECK(b.checks[1].type == CheckType::http);
  CHECK(b.checks[1].port == 8080);
  CHECK(b.checks[1].path == "/alt");
  CHECK(b.checks[1].host == "app.example.com");
  CHECK(b.checks[1].interval_ms == 10000);
  // {type: tcp, port: 22}: inline, with the defaults.
  CHECK(b.checks[2].type == CheckType::tcp);
  CHECK(b.checks[2].port == 22);
  CHECK(b.checks[2].interval_ms == 5000);
  CHECK(b.checks[2].send.empty());

  CHECK(member_named(web, "c").checks.empty());    // checks: []
  const pool::Member& d = member_named(web, "d");  // [off, ping]: none is dropped
  REQUIRE(d.checks.size() == 1);
  CHECK(d.checks[0].type == CheckType::icmp);
  CHECK(member_named(pool_named(*config->pools, "rr"), "r2").checks.empty());  // [off]

  const pool::Member& bk1 = member_named(pool_named(*config->pools, "backup"), "bk1");
  REQUIRE(bk1.checks.size() == 1);  // an override in a pool's own checks
  CHECK(bk1.checks[0].interval_ms == 20000);
  CHECK(bk1.checks[0].timeout_ms == 10000);
  CHECK(bk1.checks[0].method == "HEAD");
}

TEST_CASE("pool files: health slots are dense and distinct, one more per sticky failover") {
  const auto config = load_good();
  const pool::PoolSet& set = *config->pools;
  REQUIRE(set.health);
  std::set<std::uint32_t> slots;
  std::size_t members = 0;
  for (const pool::Pool& p : set.pools) {
    for (const pool::Member& m : p.members) {
      slots.insert(m.health_slot);
      ++members;
    }
  }
  const pool::Pool& standby = pool_named(set, "standby");
  CHECK(members == 16);
  CHECK(slots.size() == members);  // distinct
  CHECK_FALSE(slots.contains(standby.failover_slot));
  slots.insert(standby.failover_slot);
  CHECK(set.health->size() == 17);  // dense: 0..16
  CHECK(*slots.begin() == 0);
  CHECK(*slots.rbegin() == 16);
  // The active group starts as the most preferred one.
  CHECK(set.health->read_word(standby.failover_slot) == 5);
  // Pools with preempt (the default) have no slot of their own.
  CHECK(pool_named(set, "global").failover_slot == 0);
}

TEST_CASE("pool files: initial health words") {
  const auto config = load_good();
  const pool::PoolSet& set = *config->pools;
  const auto health_of = [&](const char* pool, const char* member) {
    return set.health->read(member_named(pool_named(set, pool), member).health_slot);
  };
  // initial_state: up
  CHECK(health_of("web", "a") == up_unknown());
  CHECK(health_of("web", "b") == up_unknown());
  CHECK(health_of("web", "c") == up_known());  // no checks: up and known at once
  CHECK(health_of("web", "d") == up_unknown());
  // initial_state: down
  CHECK(health_of("rr", "r1") == health::Health{});
  CHECK(health_of("rr", "r2") == up_known());  // only a none check
  // initial_state: wait (the default)
  CHECK(health_of("fast", "f1") == health::Health{});
  CHECK(health_of("standby", "s1") == health::Health{});
  CHECK(health_of("standby", "s3") == up_known());
  CHECK(health_of("spare", "l1") == health::Health{});
  CHECK(health_of("last", "l1") == up_known());
  CHECK_FALSE(health_of("backup", "bk1").up);
  CHECK_FALSE(health_of("backup", "bk1").known);
}

TEST_CASE("pool files: services resolve their pool index and TTLs") {
  const auto config = load_good();
  const zone::Zone* z = config->zones->find(wire("svc.test."));
  REQUIRE(z);
  const auto service = [&](const char* name) -> const zone::Service& {
    const std::uint32_t node = z->find(wire(name));
    REQUIRE(node != zone::kNoNode);
    REQUIRE(z->node(node).service >= 0);
    return z->services()[static_cast<std::size_t>(z->node(node).service)];
  };
  const zone::Service& www = service("www.svc.test.");
  CHECK(www.pool == "web");
  CHECK(www.pool_index == config->pools->find("web"));
  CHECK(www.pool_index == 0);
  CHECK(www.ttl == 60);
  CHECK(www.degraded_ttl == 10);
  const zone::Service& sticky = service("sticky.svc.test.");
  CHECK(sticky.pool_index == 4);
  CHECK(sticky.ttl == 30);           // default
  CHECK(sticky.degraded_ttl == 30);  // default: ttl
  const zone::Service& geo = service("geo.svc.test.");
  CHECK(geo.pool_index == config->pools->find("global"));
  CHECK(geo.ttl == 20);
  CHECK(geo.degraded_ttl == 20);
}

TEST_CASE("pool files: load_pool_files names every pool, also when some have errors") {
  const auto load =
      test::load_pool_fixtures({"good/pools/checks.pool.yaml", "good/pools/apps.pool.yaml",
                                "good/pools/geo.pool.yaml", "good/pools/more/backup.pool.yaml"});
  INFO(test::errors_text(load.errors));
  REQUIRE(load.set);
  CHECK(load.errors.empty());
  CHECK(load.names.size() == 9);
  CHECK(load.names[6] == "global");

  // Without the file that defines 'backup' and the templates, web's fallback and checks fail.
  const auto partial = test::load_pool_fixtures({"good/pools/apps.pool.yaml"});
  CHECK(partial.set == nullptr);
  CHECK_FALSE(partial.errors.empty());
  CHECK(partial.names ==
        std::vector<std::string>{"web", "rr", "fast", "standby", "sticky", "spare"});
}

TEST_CASE("pool files: no pool files give an empty set with an empty health table") {
  std::vector<std::string> names;
  std::vector<util::SourceError> errors;
  const auto set = config::detail::load_pool_files({}, names, errors);
  REQUIRE(set);
  CHECK(errors.empty());
  CHECK(set->pools.empty());
  REQUIRE(set->health);
  CHECK(set->health->size() == 0);
}

TEST_CASE("pool files: an haproxy check on the runtime API or on the HTTP stats page") {
  std::vector<util::SourceError> errors;
  std::vector<std::string> names;
  const std::string text = R"(version: 1
checks:
  - {name: api, type: haproxy, socket: /run/haproxy/admin.sock, frontend: www, backends: [app]}
  - name: page
    type: haproxy
    port: 8404
    stats_page: /stats
    tls: true
    host: lb.example
    headers: {Authorization: "Basic c3RhdHM6c2VjcmV0"}
    ca_file: /etc/ssl/lb-ca.pem
    frontend: www
    backends: [app, static]
    min_up_servers: 2
pools:
  - name: lc
    policy: least_connections
    members:
      - {name: a, address: 192.0.2.1, checks: [api]}
      - {name: b, address: 192.0.2.2, checks: [page]}
)";
  const auto set = config::detail::load_pool_files({{"haproxy.pool.yaml", text}}, names, errors);
  INFO((errors.empty() ? std::string() : errors.front().message));
  REQUIRE(set != nullptr);
  const pool::Pool& lc = pool_named(*set, "lc");
  const health::CheckSpec& api = member_named(lc, "a").checks.at(0);
  CHECK(api.socket == "/run/haproxy/admin.sock");
  CHECK(api.stats_page.empty());
  const health::CheckSpec& page = member_named(lc, "b").checks.at(0);
  CHECK(page.type == CheckType::haproxy);
  CHECK(page.port == 8404);
  CHECK(page.stats_page == "/stats");
  CHECK(page.stats_tls);
  CHECK(page.tls_verify);
  CHECK(page.host == "lb.example");
  CHECK(page.ca_file == "/etc/ssl/lb-ca.pem");
  CHECK(page.backends == std::vector<std::string>{"app", "static"});
  CHECK(page.min_up_servers == 2);
}
