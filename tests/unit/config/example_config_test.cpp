// SPDX-License-Identifier: Apache-2.0
// The example config in zones/ (run by tools/run) loads and shows what it promises.
#include <doctest/doctest.h>

#include <string>

#include "gslbd/config/load.hpp"
#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"

namespace {

// Zone views are spans; the expected values are written as vectors.
template <typename T>
std::vector<std::remove_const_t<T>> to_vector(std::span<T> items) {
  return {items.begin(), items.end()};
}

using namespace gslbd;

std::string wire(const char* text) {
  return *dns::name_from_text(text, std::string(1, '\0'), nullptr);
}

std::size_t rdata_octets(const zone::RRset& set) {
  return set.records().size() - 2u * set.count;
}

}  // namespace

TEST_CASE("the example config loads without errors") {
  const config::LoadResult result = config::load_config(GSLBD_TEST_DATA "/../../zones/gslbd.yaml");
  for (const auto& error : result.errors) MESSAGE(error.to_string());
  REQUIRE(result.errors.empty());
  REQUIRE(result.config);
  const runtime::Config& config = *result.config;
  CHECK(config.server.listen == std::vector<runtime::ListenAddress>{{"127.0.0.1", 5300}});
  CHECK(config.server.identity == "gslbd-example");
  REQUIRE(config.pools);
  REQUIRE(config.pools->pools.size() == 2);
  CHECK(config.pools->pools[0].name == "app");
  CHECK(config.pools->pools[0].members.size() == 4);
  CHECK(config.pools->pools[1].policy == pool::PolicyKind::hash);

  REQUIRE(config.zones->zones().size() == 1);
  const zone::Zone* z = config.zones->find(wire("x.gslb.example.com."));
  REQUIRE(z != nullptr);
  CHECK(z->apex() == wire("gslb.example.com."));

  auto node = [&](const char* name) -> const zone::Node* {
    const std::uint32_t i = z->find(wire(name));
    return i == zone::kNoNode ? nullptr : &z->node(i);
  };
  const zone::Node* apex = node("gslb.example.com.");
  REQUIRE(apex);
  for (std::uint16_t type : {dns::type::SOA, dns::type::NS, dns::type::A, dns::type::AAAA,
                             dns::type::MX, dns::type::TXT, std::uint16_t{257}}) {
    CHECK_MESSAGE(apex->find(type), "apex type " << type);
  }
  CHECK(z->negative_ttl() == 60);
  REQUIRE(node("www.gslb.example.com."));
  CHECK(node("www.gslb.example.com.")->find(dns::type::CNAME));
  // MX and SRV targets are in the zone, so they carry additional-section links.
  CHECK(to_vector(apex->find(dns::type::MX)->additional_nodes()) ==
        std::vector<std::uint32_t>{z->find(wire("mail.gslb.example.com."))});
  REQUIRE(node("_sip._udp.gslb.example.com."));
  CHECK(node("_sip._udp.gslb.example.com.")->find(dns::type::SRV)->additional_nodes().size() == 1);
  REQUIRE(node("*.wild.gslb.example.com."));
  REQUIRE(node("sub.gslb.example.com."));
  CHECK(node("sub.gslb.example.com.")->is_delegation_point());
  REQUIRE(node("ns1.sub.gslb.example.com."));
  CHECK(node("ns1.sub.gslb.example.com.")->cut == z->find(wire("sub.gslb.example.com.")));
  REQUIRE(node("b.deep.gslb.example.com."));
  CHECK(node("b.deep.gslb.example.com.")->empty_non_terminal());
  REQUIRE(node("big.gslb.example.com."));
  const zone::RRset* big = node("big.gslb.example.com.")->find(dns::type::TXT);
  REQUIRE(big);
  CHECK(big->count == 7);
  CHECK(rdata_octets(*big) == 7 * 201);
}
