// SPDX-License-Identifier: Apache-2.0
// import: of RFC 1035 master files: errors as file:line of the master file, and SOA rules.
#include <doctest/doctest.h>

#include "config_test_support.hpp"

using gslbd::test::check_only_error;
using gslbd::test::errors_text;
using gslbd::test::fixture;
using gslbd::test::has_error;
using gslbd::test::load_zone_fixture;

TEST_CASE("import: every bad entry is reported with its line, parsing goes on") {
  const auto load = load_zone_fixture("bad/zone/import_bad.zone.yaml");
  INFO(errors_text(load.errors));
  const std::string master = fixture("bad/zone/import_bad.zone");
  CHECK(load.zone == nullptr);
  CHECK(load.errors.size() == 5);
  CHECK(has_error(load.errors, master, 4, 0, "could not parse the RR's rdata"));
  CHECK(has_error(load.errors, master, 5, 0, "$INCLUDE is not supported"));
  CHECK(has_error(load.errors, master, 6, 0, "x.other.test. is outside the zone bad.test."));
  CHECK(has_error(load.errors, master, 7, 0, "CNAME at www.bad.test. beside other data"));
  CHECK(has_error(load.errors, master, 9, 0, "RR type number 650008 is above 65535"));
}

TEST_CASE("import: an SOA in both soa: and the imported file") {
  const auto load = load_zone_fixture("bad/zone/soa_twice.zone.yaml");
  check_only_error(
      load, "bad/zone/soa_twice.zone.yaml", 4, 1,
      "SOA given twice: in soa: and in the imported file " + fixture("bad/zone/soa_twice.zone"));
}

TEST_CASE("import: a file that cannot be read") {
  const auto load = load_zone_fixture("bad/zone/import_missing.zone.yaml");
  check_only_error(load, "bad/zone/import_missing.zone.yaml", 5, 9,
                   "'import': cannot read " + fixture("bad/zone/no-such-file.zone") +
                       ": No such file or directory");
}

TEST_CASE("import: a directory is not a zone file") {
  std::vector<gslbd::util::SourceError> errors;
  const std::string path = fixture("bad/zone/in_memory.zone.yaml");
  const auto zone = gslbd::config::load_zone_text(path,
                                                  "version: 1\nzone: bad.test\nsoa: {mname: ns1, "
                                                  "rname: admin.bad.test., serial: 1}\nns: [ns1]\n"
                                                  "import: ../zone\n",
                                                  {}, errors);
  CHECK(zone == nullptr);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 5);
  CHECK(errors[0].message.find("not a regular file") != std::string::npos);
}

TEST_CASE("zone file: data below a DNAME names each offending record's file and line") {
  const auto load = load_zone_fixture("bad/zone/below_dname.zone.yaml");
  INFO(errors_text(load.errors));
  CHECK(load.zone == nullptr);
  CHECK(load.errors.size() == 2);
  CHECK(has_error(load.errors, fixture("bad/zone/below_dname.zone.yaml"), 14, 12,
                  "A at www.old.r.test. is below the DNAME at old.r.test., where no data may be "
                  "(RFC 6672 section 2.4)"));
  CHECK(has_error(load.errors, fixture("bad/zone/below_dname.zone"), 4, 0,
                  "MX at mail.old.r.test. is below the DNAME at old.r.test."));
}
