// SPDX-License-Identifier: Apache-2.0
// ZoneSet: the zone served for a name is the one with the longest matching apex.
#include "gslbd/zone/zone_set.hpp"

#include <doctest/doctest.h>

#include "zone_test_support.hpp"

namespace {

using namespace gslbd;

std::unique_ptr<zone::Zone> make_zone(const std::string& apex) {
  auto b = test::valid_builder(apex);
  std::vector<std::string> errors;
  auto z = b.build(errors);
  REQUIRE(z);
  return z;
}

zone::ZoneSet make_set(std::initializer_list<const char*> apexes) {
  std::vector<std::unique_ptr<zone::Zone>> zones;
  for (const char* apex : apexes) zones.push_back(make_zone(apex));
  return zone::ZoneSet(std::move(zones));
}

std::string apex_of(const zone::ZoneSet& set, const std::string& name) {
  const zone::Zone* z = set.find(test::wire(name));
  return z ? dns::name_to_text(z->apex()) : "none";
}

}  // namespace

TEST_CASE("zone set: longest suffix wins") {
  const auto set = make_set({"example.com.", "sub.example.com.", "example.net."});
  CHECK(set.zones().size() == 3);
  CHECK(apex_of(set, "example.com.") == "example.com.");
  CHECK(apex_of(set, "www.example.com.") == "example.com.");
  CHECK(apex_of(set, "sub.example.com.") == "sub.example.com.");
  CHECK(apex_of(set, "a.b.sub.example.com.") == "sub.example.com.");
  CHECK(apex_of(set, "xsub.example.com.") == "example.com.");
  CHECK(apex_of(set, "www.example.net.") == "example.net.");
}

TEST_CASE("zone set: names outside every zone find nothing") {
  const auto set = make_set({"example.com."});
  CHECK(apex_of(set, "com.") == "none");
  CHECK(apex_of(set, "example.org.") == "none");
  CHECK(apex_of(set, "badexample.com.") == "none");
  CHECK(set.find(std::string(1, '\0')) == nullptr);
}

TEST_CASE("zone set: an empty set and a root zone") {
  const zone::ZoneSet empty(std::vector<std::unique_ptr<zone::Zone>>{});
  CHECK(empty.find(test::wire("example.com.")) == nullptr);
  const auto with_root = make_set({".", "example.com."});
  CHECK(apex_of(with_root, "www.example.com.") == "example.com.");
  CHECK(apex_of(with_root, "www.example.org.") == ".");
}
