// SPDX-License-Identifier: Apache-2.0
// Every kind of zone-file error, each from a small fixture, with its file:line:column.
#include <doctest/doctest.h>

#include "config_test_support.hpp"

using gslbd::test::check_only_error;
using gslbd::test::fixture;
using gslbd::test::has_error;
using gslbd::test::load_zone_fixture;

namespace {
const std::vector<std::string> kPools{"app-pool"};
}

TEST_CASE("zone file: YAML syntax error has the parser's position") {
  const auto load = load_zone_fixture("bad/zone/syntax.zone.yaml");
  check_only_error(load, "bad/zone/syntax.zone.yaml", 7, 1, "YAML syntax error");
}

TEST_CASE("zone file: empty file") {
  const auto load = load_zone_fixture("bad/zone/empty.zone.yaml");
  check_only_error(load, "bad/zone/empty.zone.yaml", 0, 0, "the file is empty");
}

TEST_CASE("zone file: more than one YAML document") {
  const auto load = load_zone_fixture("bad/zone/two_documents.zone.yaml");
  check_only_error(load, "bad/zone/two_documents.zone.yaml", 3, 1,
                   "a second YAML document; a file holds one");
}

TEST_CASE("zone file: a stray ',' at the top is an error, not a hang (yaml-cpp 0.7 stalls)") {
  const auto load = load_zone_fixture("bad/zone/stray_comma.zone.yaml");
  check_only_error(load, "bad/zone/stray_comma.zone.yaml", 1, 1,
                   "YAML syntax error: unexpected ','");
}

TEST_CASE("zone file: unknown top-level key suggests the near one") {
  const auto load = load_zone_fixture("bad/zone/unknown_key.zone.yaml");
  check_only_error(load, "bad/zone/unknown_key.zone.yaml", 3, 1,
                   "unknown key 'defualt_ttl' in the zone file; did you mean 'default_ttl'?");
}

TEST_CASE("zone file: unknown record key suggests the near one") {
  const auto load = load_zone_fixture("bad/zone/unknown_record_key.zone.yaml");
  check_only_error(load, "bad/zone/unknown_record_key.zone.yaml", 8, 5,
                   "unknown key 'tll' in item 1 of 'records'; did you mean 'ttl'?");
}

TEST_CASE("zone file: unknown key far from all known ones lists them") {
  const auto load = load_zone_fixture("bad/zone/three_errors.zone.yaml");
  INFO(gslbd::test::errors_text(load.errors));
  CHECK(has_error(load.errors, fixture("bad/zone/three_errors.zone.yaml"), 4, 43,
                  "unknown key 'colour' in 'soa'; expected one of: mname, rname, serial"));
}

TEST_CASE("zone file: missing required key in a record") {
  const auto load = load_zone_fixture("bad/zone/missing_key.zone.yaml");
  check_only_error(load, "bad/zone/missing_key.zone.yaml", 6, 5,
                   "missing required key 'data' in item 1 of 'records'");
}

TEST_CASE("zone file: missing zone key") {
  const auto load = load_zone_fixture("bad/zone/missing_zone.zone.yaml");
  check_only_error(load, "bad/zone/missing_zone.zone.yaml", 1, 1,
                   "missing required key 'zone' in the zone file");
}

TEST_CASE("zone file: missing version") {
  const auto load = load_zone_fixture("bad/zone/no_version.zone.yaml");
  check_only_error(load, "bad/zone/no_version.zone.yaml", 1, 1,
                   "missing required key 'version' in the zone file");
}

TEST_CASE("zone file: version other than 1") {
  const auto load = load_zone_fixture("bad/zone/version_2.zone.yaml");
  check_only_error(load, "bad/zone/version_2.zone.yaml", 1, 10, "'version': expected 1");
}

TEST_CASE("zone file: a string where a map belongs") {
  const auto load = load_zone_fixture("bad/zone/not_a_map.zone.yaml");
  check_only_error(load, "bad/zone/not_a_map.zone.yaml", 3, 6,
                   "'soa': expected a map, got a string");
}

TEST_CASE("zone file: a string where a list belongs") {
  const auto load = load_zone_fixture("bad/zone/not_a_list.zone.yaml");
  check_only_error(load, "bad/zone/not_a_list.zone.yaml", 4, 5,
                   "'ns': expected a list, got a string");
}

TEST_CASE("zone file: a list where a string belongs") {
  const auto load = load_zone_fixture("bad/zone/not_a_string.zone.yaml");
  check_only_error(load, "bad/zone/not_a_string.zone.yaml", 2, 7,
                   "'zone': expected a string, got a list");
}

TEST_CASE("zone file: a word where a number belongs") {
  const auto load = load_zone_fixture("bad/zone/not_a_number.zone.yaml");
  check_only_error(load, "bad/zone/not_a_number.zone.yaml", 6, 11,
                   "'serial': expected auto or a number (0..4294967295), got 'soon'");
}

TEST_CASE("zone file: duplicate map key (yaml-cpp would keep it silently)") {
  const auto load = load_zone_fixture("bad/zone/duplicate_key.zone.yaml");
  check_only_error(load, "bad/zone/duplicate_key.zone.yaml", 6, 1,
                   "duplicate key 'default_ttl' in the zone file (first given on line 3)");
}

TEST_CASE("zone file: the same record twice, across entries and case") {
  const auto load = load_zone_fixture("bad/zone/duplicate_record.zone.yaml");
  check_only_error(load, "bad/zone/duplicate_record.zone.yaml", 11, 25,
                   "duplicate A record at www.bad.test.");
}

TEST_CASE("zone file: the same service twice") {
  const auto load = load_zone_fixture("bad/zone/duplicate_service.zone.yaml", kPools);
  check_only_error(load, "bad/zone/duplicate_service.zone.yaml", 8, 11,
                   "service app.bad.test. is defined twice");
}

TEST_CASE("zone file: bad rdata carries ldns's reason") {
  const auto load = load_zone_fixture("bad/zone/bad_rdata.zone.yaml");
  check_only_error(load, "bad/zone/bad_rdata.zone.yaml", 8, 25,
                   "item 2 of 'data': bad A data '192.0.2': Syntax error, could not parse");
}

TEST_CASE("zone file: several errors are all reported") {
  const auto load = load_zone_fixture("bad/zone/three_errors.zone.yaml");
  const std::string file = fixture("bad/zone/three_errors.zone.yaml");
  INFO(gslbd::test::errors_text(load.errors));
  CHECK(load.zone == nullptr);
  CHECK(load.errors.size() == 3);
  CHECK(has_error(load.errors, file, 3, 14, "'default_ttl': expected a duration"));
  CHECK(has_error(load.errors, file, 4, 43, "unknown key 'colour'"));
  CHECK(has_error(load.errors, file, 9, 12, "bad A data '300.0.0.1'"));
}

TEST_CASE("zone file: unknown RR type suggests a known one") {
  const auto load = load_zone_fixture("bad/zone/unknown_type.zone.yaml");
  check_only_error(load, "bad/zone/unknown_type.zone.yaml", 7, 11,
                   "unknown RR type 'AAA'; did you mean 'AAAA'?");
}

TEST_CASE("zone file: TYPE<number> must be a whole number from 1 to 65535") {
  for (const char* type : {"TYPE70000", "TYPE650008", "TYPE1x", "TYPE0", "TYPE"}) {
    std::vector<gslbd::util::SourceError> errors;
    const std::string text = std::string(
                                 "version: 1\nzone: t.test\nsoa: {mname: ns1, rname: a.t.test., "
                                 "serial: 1}\nns: [ns1]\nrecords:\n  - name: x\n    type: ") +
                             type + "\n    data: ['\\# 0']\n";
    CHECK(gslbd::config::load_zone_text("/nonexistent/t.zone.yaml", text, {}, errors) == nullptr);
    REQUIRE_MESSAGE(errors.size() == 1, type);
    CHECK(errors[0].line == 7);
    CHECK(errors[0].column == 11);
    CHECK_MESSAGE(errors[0].message.find("unknown RR type") != std::string::npos, type);
  }
  std::vector<gslbd::util::SourceError> errors;
  const auto zone = gslbd::config::load_zone_text(
      "/nonexistent/t.zone.yaml",
      "version: 1\nzone: t.test\nsoa: {mname: ns1, rname: a.t.test., serial: 1}\nns: [ns1]\n"
      "records:\n  - {name: x, type: TYPE65535, data: ['\\# 1 ff']}\n",
      {}, errors);
  REQUIRE(zone);
  CHECK(zone->node(zone->find(gslbd::test::wire("x.t.test."))).find(65535));
}

TEST_CASE("zone file: meta types are refused") {
  const auto load = load_zone_fixture("bad/zone/meta_type.zone.yaml");
  check_only_error(load, "bad/zone/meta_type.zone.yaml", 7, 11, "ANY is a meta type");
}

TEST_CASE("zone file: SOA only comes from soa:") {
  const auto load = load_zone_fixture("bad/zone/soa_record.zone.yaml");
  check_only_error(load, "bad/zone/soa_record.zone.yaml", 7, 11,
                   "the SOA record comes from the soa: section");
}

TEST_CASE("zone file: apex NS only comes from ns:") {
  const auto load = load_zone_fixture("bad/zone/apex_ns_record.zone.yaml");
  check_only_error(load, "bad/zone/apex_ns_record.zone.yaml", 8, 12,
                   "NS records at the apex come from the zone's ns: list only");
}

TEST_CASE("zone file: record outside the zone") {
  const auto load = load_zone_fixture("bad/zone/outside.zone.yaml");
  check_only_error(load, "bad/zone/outside.zone.yaml", 6, 11,
                   "www.other.test. is outside the zone bad.test.");
}

TEST_CASE("zone file: CNAME beside other data") {
  const auto load = load_zone_fixture("bad/zone/cname_beside.zone.yaml");
  check_only_error(load, "bad/zone/cname_beside.zone.yaml", 11, 12,
                   "TXT at www.bad.test. beside a CNAME");
}

TEST_CASE("zone file: TTLs of one RRset must agree") {
  const auto load = load_zone_fixture("bad/zone/ttl_mismatch.zone.yaml");
  check_only_error(load, "bad/zone/ttl_mismatch.zone.yaml", 13, 12, "TTL 120 differs from TTL 60");
}

TEST_CASE("zone file: missing SOA is reported at zone:") {
  const auto load = load_zone_fixture("bad/zone/no_soa.zone.yaml");
  check_only_error(load, "bad/zone/no_soa.zone.yaml", 2, 7, "zone bad.test. has no SOA record");
}

TEST_CASE("zone file: missing apex NS is reported at zone:") {
  const auto load = load_zone_fixture("bad/zone/no_ns.zone.yaml");
  check_only_error(load, "bad/zone/no_ns.zone.yaml", 3, 7, "zone bad.test. has no apex NS");
}

TEST_CASE("zone file: non-glue data below a delegation is reported at zone:") {
  const auto load = load_zone_fixture("bad/zone/below_delegation.zone.yaml");
  check_only_error(load, "bad/zone/below_delegation.zone.yaml", 2, 7,
                   "TXT at www.sub.bad.test. is below the delegation at sub.bad.test.");
}

TEST_CASE("zone file: bad duration") {
  const auto load = load_zone_fixture("bad/zone/bad_duration.zone.yaml");
  check_only_error(load, "bad/zone/bad_duration.zone.yaml", 3, 14,
                   "'default_ttl': expected a duration such as 500ms, 30s");
}

TEST_CASE("zone file: TTL above 2^31-1") {
  const auto load = load_zone_fixture("bad/zone/ttl_too_big.zone.yaml");
  check_only_error(load, "bad/zone/ttl_too_big.zone.yaml", 8, 10,
                   "2147483648 seconds is above the largest TTL 2147483647");
}

TEST_CASE("zone file: TTL in fractions of a second") {
  const auto load = load_zone_fixture("bad/zone/ttl_fraction.zone.yaml");
  check_only_error(load, "bad/zone/ttl_fraction.zone.yaml", 8, 10,
                   "'ttl': a TTL is whole seconds, got '1500ms'");
}

TEST_CASE("zone file: empty data list") {
  const auto load = load_zone_fixture("bad/zone/empty_data.zone.yaml");
  check_only_error(load, "bad/zone/empty_data.zone.yaml", 8, 11,
                   "'data': expected a list with at least one item");
}

TEST_CASE("zone file: a relative name that repeats the apex") {
  const auto load = load_zone_fixture("bad/zone/relative_repeat.zone.yaml");
  check_only_error(
      load, "bad/zone/relative_repeat.zone.yaml", 3, 14,
      "would mean ns1.bad.test.bad.test.; end it with a dot if you mean ns1.bad.test.");
}

TEST_CASE("zone file: an e-mail address as SOA rname") {
  const auto load = load_zone_fixture("bad/zone/rname_at.zone.yaml");
  check_only_error(load, "bad/zone/rname_at.zone.yaml", 3, 26,
                   "'rname': write the mailbox with a dot instead of '@'");
}

TEST_CASE("zone file: a service naming an undefined pool") {
  const auto with_pools = load_zone_fixture("bad/zone/undefined_pool.zone.yaml", kPools);
  check_only_error(with_pools, "bad/zone/undefined_pool.zone.yaml", 7, 11,
                   "pool 'app-pol' is not defined; did you mean 'app-pool'?");
  const auto without = load_zone_fixture("bad/zone/undefined_pool.zone.yaml");
  check_only_error(without, "bad/zone/undefined_pool.zone.yaml", 7, 11,
                   "pool 'app-pol' is not defined; no pools are defined");
}

TEST_CASE("zone file: a service name that also has records") {
  const auto load = load_zone_fixture("bad/zone/service_with_records.zone.yaml", kPools);
  check_only_error(load, "bad/zone/service_with_records.zone.yaml", 10, 11,
                   "service app.bad.test. also has records");
}
