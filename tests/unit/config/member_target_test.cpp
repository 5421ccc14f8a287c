// SPDX-License-Identifier: Apache-2.0
// Pool members given by host name: what the reader makes of `target:`, and the errors of a
// pool (or fallback chain) that mixes names and addresses, of both keys, of a relative name,
// and of a target without server.resolver to resolve it, each at file:line:column.
#include <doctest/doctest.h>

#include "config/main_file.hpp"
#include "config/pool_file.hpp"
#include "config_test_support.hpp"

namespace {

using gslbd::test::errors_text;
using gslbd::test::has_error;

struct Loaded {
  std::shared_ptr<gslbd::pool::PoolSet> set;
  std::vector<gslbd::util::SourceError> errors;
};

constexpr const char* kFile = "names.pool.yaml";

Loaded load(const std::string& text, bool resolver = true) {
  Loaded out;
  std::vector<std::string> names;
  out.set = gslbd::config::detail::load_pool_files({{kFile, text}}, names, out.errors, 1, resolver);
  return out;
}

}  // namespace

TEST_CASE("a target member: lowercase name, stored CNAME record, the name family") {
  const Loaded l = load(
      "version: 1\n"
      "pools:\n"
      "  - name: cloud\n"
      "    max_records: 4\n"
      "    members:\n"
      "      - {name: eu, target: LB-1.EU.cloud.example.}\n"
      "      - {name: us, target: lb-2.us.cloud.example., check_address: 127.0.0.9}\n");
  INFO(errors_text(l.errors));
  REQUIRE(l.set);
  const gslbd::pool::Pool& pool = l.set->pools.at(0);
  CHECK(pool.by_name);
  CHECK(pool.max_records == 4);  // kept; the selection names one member of a pool of names
  const gslbd::pool::Member& eu = pool.members.at(0);
  CHECK(eu.target == "lb-1.eu.cloud.example.");
  CHECK(eu.address.family == gslbd::pool::kNameFamily);
  CHECK(eu.check_address.family == 0);  // the health loop probes what the name resolves to
  const std::string wire(
      "\x04lb-1\x02"
      "eu\x05"
      "cloud\x07"
      "example",
      22);
  REQUIRE(eu.target_record.size() == 2 + wire.size() + 1);
  CHECK(eu.target_record[0] == 0);
  CHECK(eu.target_record[1] == wire.size() + 1);
  CHECK(std::string(eu.target_record.begin() + 2, eu.target_record.end() - 1) == wire);
  CHECK(eu.target_record.back() == 0);
  const gslbd::pool::Member& us = pool.members.at(1);
  CHECK(us.check_address.family == 4);  // check_address overrides the resolution
}

TEST_CASE("a pool of addresses is not by name") {
  const Loaded l = load(
      "version: 1\npools:\n  - name: web\n    members:\n      - {name: a, address: 192.0.2.1}\n");
  REQUIRE(l.set);
  CHECK_FALSE(l.set->pools.at(0).by_name);
  CHECK(l.set->pools.at(0).members.at(0).target.empty());
}

TEST_CASE("a pool mixing addresses and names is refused at the first odd member") {
  const Loaded l = load(
      "version: 1\n"
      "pools:\n"
      "  - name: mixed\n"
      "    members:\n"
      "      - {name: n1, target: a.example.}\n"
      "      - {name: a1, address: 192.0.2.1}\n"
      "      - {name: n2, target: b.example.}\n");
  INFO(errors_text(l.errors));
  CHECK(l.set == nullptr);
  CHECK(l.errors.size() == 1);
  CHECK(has_error(l.errors, kFile, 6, 20,
                  "member 'a1' of pool 'mixed' is reached by address, but member 'n1' (line 5) "
                  "by host name: expected all members of a pool to be host names"));
}

TEST_CASE("a fallback chain mixing names and addresses is refused at fallback_pool") {
  const Loaded l = load(
      "version: 1\n"
      "pools:\n"
      "  - name: names\n"
      "    all_down: fallback_pool\n"
      "    fallback_pool: middle\n"
      "    members: [{name: n, target: a.example.}]\n"
      "  - name: middle\n"
      "    all_down: fallback_pool\n"
      "    fallback_pool: addresses\n"
      "    members: [{name: m, target: b.example.}]\n"
      "  - name: addresses\n"
      "    members: [{name: a, address: 192.0.2.1}]\n");
  INFO(errors_text(l.errors));
  CHECK(l.set == nullptr);
  CHECK(l.errors.size() == 2);  // both pools whose chain reaches the pool of addresses
  CHECK(has_error(l.errors, kFile, 5, 20, "its fallback chain reaches pool 'addresses'"));
  CHECK(has_error(l.errors, kFile, 9, 20, "pool 'middle' has members that are host names"));
}

TEST_CASE("target errors: both keys, a relative name, no resolver, a bad name") {
  const Loaded both = load(
      "version: 1\npools:\n  - name: p\n    members:\n"
      "      - {name: a, target: a.example., address: 192.0.2.1}\n");
  CHECK(has_error(both.errors, kFile, 5, 39, "'address' beside 'target'"));
  INFO(errors_text(both.errors));
  const Loaded relative =
      load("version: 1\npools:\n  - name: p\n    members:\n      - {name: a, target: a.example}\n");
  INFO(errors_text(relative.errors));
  CHECK(has_error(relative.errors, kFile, 5, 27,
                  "'target': 'a.example' is not an absolute host name"));
  const Loaded unresolved =
      load("version: 1\npools:\n  - name: p\n    members:\n      - {name: a, target: a.example.}\n",
           false);
  INFO(errors_text(unresolved.errors));
  CHECK(has_error(unresolved.errors, kFile, 5, 19, "needs 'server.resolver'"));
  const Loaded probed_elsewhere = load(
      "version: 1\npools:\n  - name: p\n    members:\n"
      "      - {name: a, target: a.example., check_address: 127.0.0.1}\n",
      false);
  CHECK(probed_elsewhere.errors.empty());
  const Loaded label = load(
      "version: 1\npools:\n  - name: p\n    members:\n"
      "      - {name: a, target: "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.}\n");
  CHECK(label.set == nullptr);
  CHECK(label.errors.size() == 1);
}

TEST_CASE("server.resolver: a list of address:port, each once, at most four") {
  std::vector<gslbd::util::SourceError> errors;
  const auto good = gslbd::config::detail::load_main_file(
      "main.yaml", "version: 1\nserver:\n  resolver: ['127.0.0.1:5353', '[::1]:53']\n", errors);
  REQUIRE(good.server.resolvers.size() == 2);
  CHECK(good.server.resolvers[0].host == "127.0.0.1");
  CHECK(good.server.resolvers[0].port == 5353);
  CHECK(good.server.resolvers[1].host == "::1");
  for (const auto& error : errors) CHECK(error.message.find("resolver") == std::string::npos);
  errors.clear();
  gslbd::config::detail::load_main_file(
      "main.yaml",
      "version: 1\nserver:\n  resolver: ['127.0.0.1:53', 'resolver.example:53', "
      "'127.0.0.1:53', '127.0.0.1']\n",
      errors);
  INFO(errors_text(errors));
  CHECK(has_error(errors, "main.yaml", 3, 30, "'resolver.example' is not an IPv4 address"));
  CHECK(has_error(errors, "main.yaml", 3, 53, "'127.0.0.1:53' is listed twice"));
  CHECK(has_error(errors, "main.yaml", 3, 69, "expected address:port"));
  errors.clear();
  gslbd::config::detail::load_main_file(
      "main.yaml",
      "version: 1\nserver:\n  resolver: ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', "
      "'127.0.0.1:4', '127.0.0.1:5']\n",
      errors);
  CHECK(has_error(errors, "main.yaml", 3, 13, "5 resolvers, expected at most 4"));
  errors.clear();
  gslbd::config::detail::load_main_file("main.yaml", "version: 1\nserver:\n  resolver: []\n",
                                        errors);
  CHECK_FALSE(errors.empty());
}
