// SPDX-License-Identifier: Apache-2.0
// Every kind of pool-file error, each from a small fixture, with its file:line:column.
#include <doctest/doctest.h>

#include "pool_test_support.hpp"

using gslbd::test::check_pool_errors;

TEST_CASE("pool file: unknown keys at every level suggest the near one") {
  check_pool_errors(
      "bad/pools/unknown_keys.pool.yaml",
      {{5, 5, "unknown key 'intervall' in item 1 of 'checks'; did you mean 'interval'?"},
       {8, 5, "unknown key 'polcy' in item 1 of 'pools'; did you mean 'policy'?"},
       {11, 9, "unknown key 'adress' in item 1 of 'members'; did you mean 'address'?"},
       {10, 9,
        "item 1 of 'members': missing 'address' (an IPv4 or IPv6 address) or 'target' (a "
        "host name)"}});
}

TEST_CASE("pool file: a duplicate key") {
  check_pool_errors(
      "bad/pools/duplicate_key.pool.yaml",
      {{8, 9, "duplicate key 'weight' in item 1 of 'members' (first given on line 7)"}});
}

TEST_CASE("pool file: missing name, members, address and type") {
  check_pool_errors(
      "bad/pools/missing_keys.pool.yaml",
      {{3, 5, "item 1 of 'checks': a check needs 'type' (or 'template')"},
       {6, 5, "missing required key 'name' in item 1 of 'pools'"},
       {9, 5, "missing required key 'members' in item 2 of 'pools'"},
       {12, 9,
        "item 1 of 'members': missing 'address' (an IPv4 or IPv6 address) or 'target' (a "
        "host name)"}});
}

TEST_CASE("pool file: empty names and names with control characters") {
  check_pool_errors("bad/pools/names.pool.yaml",
                    {{3, 12, "'name': expected a non-empty name"},
                     {3, 57, "'region': expected a non-empty name"},
                     {5, 11, "'name': expected a non-empty name"},
                     {6, 22, "'name': a name cannot hold control characters"}});
}

TEST_CASE("pool file: bad member addresses") {
  check_pool_errors("bad/pools/bad_address.pool.yaml",
                    {{5, 28, "'address': '192.0.2.300' is not an IPv4 or IPv6 address"},
                     {6, 54, "'check_address': 'lb.example.com' is not an IPv4 or IPv6 address"}});
}

TEST_CASE("pool file: bad networks in a geo map") {
  check_pool_errors(
      "bad/pools/geo_networks.pool.yaml",
      {{5, 19, "'network': expected address/prefix, e.g. 192.0.2.0/24"},
       {6, 19, "'network': prefix length '33' is not 0..32"},
       {7, 19, "'network': address has bits set past /24 (did you mean 192.0.2.0/24?)"},
       {8, 19, "'network': 'lan' is not an IP address"},
       {10, 19, "'network': '2001:db8::/32' is already mapped to another region in this geo map"}});
}

TEST_CASE("pool file: unknown check templates, by name and in an override") {
  check_pool_errors(
      "bad/pools/unknown_template.pool.yaml",
      {{6, 14, "item 1 of 'checks': no check template named 'wbe'; expected one of: web"},
       {8, 59, "'template': no check template named 'webb'; did you mean 'web'?"}});
}

TEST_CASE("pool file: a check template cannot use a template") {
  check_pool_errors("bad/pools/template_template.pool.yaml",
                    {{4, 18, "a check template cannot itself use 'template'"}});
}

TEST_CASE("pool file: duplicate template, geo map, member and pool") {
  const std::string file = gslbd::test::fixture("bad/pools/duplicates.pool.yaml");
  check_pool_errors("bad/pools/duplicates.pool.yaml",
                    {{4, 5, "check template 'web' is already defined at " + file + ":3"},
                     {7, 5, "geo map 'world' is already defined at " + file + ":6"},
                     {12, 9, "member 'a' is already in pool 'app' at " + file + ":11"},
                     {13, 11, "pool 'app' is already defined at " + file + ":9"}});
}

TEST_CASE("pool file: a pool defined in two files names the first") {
  const auto load = gslbd::test::load_pool_fixtures(
      {"bad/pools/multi/a.pool.yaml", "bad/pools/multi/b.pool.yaml"});
  INFO(gslbd::test::errors_text(load.errors));
  CHECK(load.set == nullptr);
  CHECK(load.errors.size() == 3);
  CHECK(gslbd::test::has_error(load.errors, gslbd::test::fixture("bad/pools/multi/b.pool.yaml"), 6,
                               11,
                               "pool 'app' is already defined at " +
                                   gslbd::test::fixture("bad/pools/multi/a.pool.yaml") + ":5"));
  // Both names are known, so services naming them are not reported as well.
  CHECK(load.names == std::vector<std::string>{"app", "spare"});
}

TEST_CASE("pool file: check values out of range and fields that clash") {
  check_pool_errors(
      "bad/pools/check_values.pool.yaml",
      {{3, 5, "item 1 of 'checks': a check of type tcp needs 'port'"},
       {4, 5, "item 2 of 'checks': a check of type agent needs 'port'"},
       {5, 51, "item 3 of 'checks': timeout (1000ms) must be shorter than interval (1000ms)"},
       {6, 38, "'interval': must be between 10ms and 1h"},
       {7, 38, "'interval': must be between 10ms and 1h"},
       {8, 34, "'rise': expected a number (1..100), got '0'"},
       {8, 43, "'fall': expected a number (1..100), got '0'"},
       {9, 36, "'jitter': expected a number (0..100), got '101'"},
       {10, 44, "item 1 of 'expect_status': expected a number (100..599), got '99'"},
       {10, 48, "item 2 of 'expect_status': expected a number (100..599), got '600'"},
       {11, 34, "'path': expected a path that starts with '/'"},
       // The default timeout 2s against a 1s interval: reported at the interval.
       {12, 39, "item 10 of 'checks': timeout (2000ms) must be shorter than interval (1000ms)"},
       {13, 59, "'sni' does not apply to checks of type http"},
       {13, 37, "'method': expected an HTTP method"},
       {13, 52, "'host': expected a host name or IPv4 address"},
       {14, 40, "'headers': 'Bad Name' is not a valid header name"},
       {14, 61, "'headers': the value of 'X-Ok' cannot hold line breaks"},
       {15, 70, "'timeout': must be between 1ms and 1h"},
       {15, 50, "'headers': header 'x-a' given twice (first on line 15)"}});
}

TEST_CASE("pool file: fields of another check type") {
  check_pool_errors("bad/pools/fields.pool.yaml",
                    {{3, 36, "'path' does not apply to checks of type tcp"},
                     {4, 43, "'send' does not apply to checks of type http"},
                     {4, 27, "'sni' does not apply to checks of type http"},
                     {5, 27, "'port' does not apply to checks of type icmp"},
                     {6, 27, "'expect' does not apply to checks of type none"}});
}

TEST_CASE("pool file: a list, map or string where another belongs") {
  check_pool_errors("bad/pools/wrong_types.pool.yaml",
                    {{6, 11, "'port': expected a number (1..65535), got a list"},
                     {5, 14, "'headers': expected a map of header names to values"},
                     {9, 14, "'members': expected a list, got a map"},
                     {11, 13, "'checks': expected a list, got a string"},
                     {13, 9, "item 1 of 'members': expected a map, got a list"},
                     {16, 16, "'name': expected a string, got a map"}});
}

TEST_CASE("pool file: booleans are true or false") {
  check_pool_errors("bad/pools/bad_booleans.pool.yaml",
                    {{3, 40, "'tls_verify': expected true or false"},
                     {7, 25, "'preempt': expected true or false"}});
}

TEST_CASE("pool file: unknown policy, all_down, initial_state, check type, within_region") {
  check_pool_errors(
      "bad/pools/unknown_values.pool.yaml",
      {{3, 23, "'type': unknown value 'htp'; did you mean 'http'?"},
       {8, 13, "'policy': unknown value 'weighed'; did you mean 'weighted'?"},
       {9, 15,
        "'all_down': unknown value 'fallback'; expected one of: serve_all, fallback_pool, nodata, "
        "servfail"},
       {10, 20, "'initial_state': unknown value 'waiting'; expected one of: up, down, wait"},
       {15, 38, "'within_region': geo cannot be used within a region"},
       {20, 38, "'within_region': unknown value 'weigted'; did you mean 'weighted'?"}});
}

TEST_CASE("pool file: sections of another policy") {
  check_pool_errors(
      "bad/pools/wrong_sections.pool.yaml",
      {{6, 5, "'hash' applies only to policy hash (or policy geo with within_region: hash)"},
       {11, 5, "'failover' applies only to policy failover"},
       {12, 5, "'latency' applies only to policy latency"},
       {13, 5, "'geo' applies only to policy geo"},
       {19, 25, "'preempt': false is supported only with policy failover"}});
}

TEST_CASE("pool file: geo policy without geo, with an unknown map or region") {
  check_pool_errors(
      "bad/pools/geo_policy.pool.yaml",
      {{5, 5, "policy geo needs a 'geo' section with at least 'map'"},
       {11, 16, "'map': geo map 'wrld' is not defined; did you mean 'world'?"},
       {18, 27, "'regions': geo map 'world' has no region 'uss'; expected one of: eu"},
       {25, 27, "'regions': region 'eu' given twice (first on line 25)"}});
}

TEST_CASE("pool file: fallback_pool and all_down: fallback_pool go together") {
  check_pool_errors("bad/pools/fallback.pool.yaml",
                    {{4, 5, "'fallback_pool' is used only with all_down: fallback_pool"},
                     {7, 5, "all_down: fallback_pool needs 'fallback_pool'"},
                     {13, 20, "'fallback_pool': pool 'othr' is not defined; did you mean 'other'?"},
                     {18, 20, "a pool cannot be its own fallback"}});
}

TEST_CASE("pool file: a fallback cycle is reported for each pool in it") {
  check_pool_errors("bad/pools/fallback_cycle.pool.yaml",
                    {{5, 20, "fallback pools form a cycle: a -> b -> a"},
                     {9, 20, "fallback pools form a cycle: b -> a -> b"}});
}

TEST_CASE("pool file: a fallback chain of 4 hops") {
  // p2 -> p3 -> p4 -> p5 is 3 hops, which is allowed.
  check_pool_errors("bad/pools/fallback_chain.pool.yaml",
                    {{3, 56, "fallback chain longer than 3 hops: p1 -> p2 -> p3 -> p4 -> p5"}});
}

TEST_CASE("pool file: more than 256 members") {
  check_pool_errors("bad/pools/too_many_members.pool.yaml",
                    {{5, 7, "'members': at most 256 members per pool"}});
}

TEST_CASE("pool file: more than 16 checks") {
  check_pool_errors("bad/pools/too_many_checks.pool.yaml",
                    {{6, 13, "'checks': at most 16 checks per member"}});
}

TEST_CASE("pool file: max_records is 1..16") {
  check_pool_errors("bad/pools/max_records.pool.yaml",
                    {{4, 18, "'max_records': expected a number (1..16), got '0'"},
                     {7, 18, "'max_records': expected a number (1..16), got '17'"}});
}

TEST_CASE("pool file: a template without a name is an error, not an exception") {
  // Found by fuzzing: the loader looked up the name of a bad template with yaml-cpp's [],
  // which throws for a missing key.
  check_pool_errors("bad/pools/template_no_name.pool.yaml",
                    {{3, 5, "missing required key 'name' in item 1 of 'checks'"},
                     {6, 35, "'headers' does not apply to checks of type tcp"}});
}

TEST_CASE("pool file: an unknown value is reported with one suggestion or one list") {
  const auto load = gslbd::test::load_pool_fixtures({"bad/pools/unknown_values.pool.yaml"});
  REQUIRE(load.errors.size() == 6);
  CHECK(load.errors[0].message == "'type': unknown value 'htp'; did you mean 'http'?");
  CHECK(load.errors[2].message ==
        "'all_down': unknown value 'fallback'; expected one of: serve_all, fallback_pool, "
        "nodata, servfail");
}

TEST_CASE(
    "pool file: haproxy checks (runtime API and stats page), load-based policies, bandwidth") {
  check_pool_errors(
      "bad/pools/haproxy.pool.yaml",
      {{5, 40, "'frontend' does not apply to checks of type tcp"},
       {11, 9,
        "member 'b': policy least_connections draws by the load its balancer reports, so "
        "the member needs exactly one check of type haproxy (it has 0)"},
       {12, 48, "item 1 of 'checks': a check of type haproxy needs 'frontend'"},
       {12, 48, "item 1 of 'checks': a check of type haproxy needs 'backends'"},
       {13, 48,
        "a check of type haproxy needs either 'socket' (the runtime API's UNIX socket), "
        "'port' (the runtime API over TCP) or 'stats_page' with 'port' (the HTTP stats page)"},
       {14, 72, "'socket': expected an absolute path"},
       {15, 48, "'stats_page' is fetched over HTTP at 'port'; it cannot go with 'socket'"},
       {16, 48,
        "'tls', 'host', 'headers', 'tls_verify', 'ca_file' and 'sni' shape the request for "
        "the stats page: they need 'stats_page'"},
       {17, 48, "'tls_verify', 'ca_file' and 'sni' need 'tls: true'"},
       {18, 78, "'stats_page': expected a path that starts with '/'"},
       {22, 9, "member 'a': policy bandwidth needs its link capacity, e.g. 'bandwidth: 1Gbit'"},
       {23, 67,
        "'bandwidth': '1Gbps' is not a bandwidth; expected a number with kbit, Mbit, Gbit "
        "or Tbit"},
       {24, 67, "'bandwidth': '100kbit' is outside 1Mbit..10Tbit"},
       {28, 39, "'bandwidth' applies only to policy bandwidth"}});
}

TEST_CASE("pool file: control characters in quoted text are blanked so the error stays one line") {
  std::vector<gslbd::util::SourceError> errors;
  std::vector<std::string> names;
  const std::string text =
      "version: 1\n\"key\\x01with\\x1bcontrols\": 1\npools:\n  - name: \"p\\x7fq\"\n"
      "    policy: \"weigh\\x02ted\"\n    members: [{name: a, address: 192.0.2.1}]\n";
  gslbd::config::detail::load_pool_files({{"controls.pool.yaml", text}}, names, errors);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].message.starts_with("unknown key 'key with controls' in the pool file"));
  CHECK(errors[1].message.find("control characters") != std::string::npos);
  CHECK(errors[2].message.find("unknown value 'weigh ted'") != std::string::npos);
}

TEST_CASE("pool file: healthy_when and invert") {
  check_pool_errors(
      "bad/pools/healthy_when.pool.yaml",
      {{4, 44, "'invert' does not apply to checks of type agent"},
       {7, 19,
        "member 'a': healthy_when at_least 3 (from its pool) is more than its 2 checks, "
        "expected at most 2"},
       {12, 64, "'at_least': expected a number (1..16), got '0'"},
       {13, 53, "'healthy_when': unknown value 'most', expected all, any or {at_least: N}"},
       {14, 54, "unknown key 'atleast' in 'healthy_when'; did you mean 'at_least'?"},
       {14, 53, "missing required key 'at_least' in 'healthy_when'"},
       {15, 53, "'healthy_when': expected all, any or {at_least: N}"},
       {18, 23, "member 'g': healthy_when at_least 2 is more than its 1 check, expected at most 1"},
       {20, 101, "'invert' does not apply to checks of type haproxy"},
       {21, 69, "'invert': expected true or false"}});
}

TEST_CASE("pool file: healthy_when from the pool or the member, and inverted checks") {
  using gslbd::health::RuleKind;
  const auto load = gslbd::test::load_pool_fixtures({"good/rules/healthy_when.pool.yaml"});
  INFO(gslbd::test::errors_text(load.errors));
  REQUIRE(load.set != nullptr);
  const auto& app = load.set->pools.at(0);
  CHECK(app.members.at(0).healthy_when.kind == RuleKind::any);  // the pool's
  CHECK(app.members.at(1).healthy_when.kind == RuleKind::all);  // its own
  CHECK(app.members.at(2).healthy_when.kind == RuleKind::at_least);
  CHECK(app.members.at(2).healthy_when.at_least == 2);
  REQUIRE(app.members.at(2).checks.size() == 3);
  CHECK_FALSE(app.members.at(2).checks.at(0).invert);
  CHECK(app.members.at(2).checks.at(1).invert);  // from the template
  CHECK_FALSE(app.members.at(2).checks.at(2).invert);
  // Unsaid, a member's checks must all pass, as before the rule existed.
  CHECK(load.set->pools.at(1).members.at(0).healthy_when == gslbd::health::CheckRule{});
}

TEST_CASE("pool file: a pool's min_healthy is 1 to its number of members") {
  check_pool_errors(
      "bad/pools/min_healthy.pool.yaml",
      {{4, 18, "'min_healthy': 3 is more than the pool's 2 members, expected at most 2"},
       {9, 18, "'min_healthy': expected a number (1..256), got '0'"}});
}

TEST_CASE("pool file: slow_start is a duration of at most an hour") {
  check_pool_errors("bad/pools/slow_start.pool.yaml",
                    {{4, 17, "'slow_start': at most 1h"},
                     {6, 51, "'slow_start': expected a duration such as 500ms"}});
}
