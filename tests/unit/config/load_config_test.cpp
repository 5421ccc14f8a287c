// SPDX-License-Identifier: Apache-2.0
// load_config on a good main file: server settings, the files read, and the zones built.
#include <doctest/doctest.h>

#include <unistd.h>

#include <climits>

#include "config_test_support.hpp"
#include "gslbd/dns/constants.hpp"

namespace {

// Zone views are spans; the expected values are written as vectors.
template <typename T>
std::vector<std::remove_const_t<T>> to_vector(std::span<T> items) {
  return {items.begin(), items.end()};
}

using namespace gslbd;
using test::bytes;
using test::fixture;
using test::rdata_of;
using test::wire;

std::uint32_t u32_at(const std::vector<std::uint8_t>& data, std::size_t at) {
  return (std::uint32_t{data[at]} << 24) | (std::uint32_t{data[at + 1]} << 16) |
         (std::uint32_t{data[at + 2]} << 8) | std::uint32_t{data[at + 3]};
}

std::vector<std::uint8_t> wire_bytes(const char* name) {
  const std::string w = wire(name);
  return std::vector<std::uint8_t>(w.begin(), w.end());
}

const zone::Node* node(const zone::Zone& z, const char* name) {
  const std::uint32_t i = z.find(wire(name));
  return i == zone::kNoNode ? nullptr : &z.node(i);
}

std::shared_ptr<const runtime::Config> load_good() {
  const config::LoadResult result = config::load_config(fixture("good/gslbd.yaml"));
  INFO(test::errors_text(result.errors));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config);
  return result.config;
}

}  // namespace

TEST_CASE("good config: server settings are read") {
  const auto config = load_good();
  const runtime::ServerConfig& server = config->server;
  CHECK(server.listen == std::vector<runtime::ListenAddress>{{"127.0.0.1", 5353}, {"::1", 5354}});
  CHECK(server.workers == 4);
  CHECK(server.edns_udp_size == 1400);
  CHECK(server.identity == "test-ns");
  CHECK(server.tcp_max_connections == 100);
  CHECK(server.tcp_idle_timeout_ms == 3000);
  CHECK(server.log_level == "debug");
}

TEST_CASE("good config: defaults when server: is absent, identity is the host name") {
  const config::LoadResult result = config::load_config(fixture("good/minimal.yaml"));
  REQUIRE(result.errors.empty());
  const runtime::ServerConfig& server = result.config->server;
  CHECK(server.listen == std::vector<runtime::ListenAddress>{{"127.0.0.1", 5300}});
  CHECK(server.workers == 0);
  CHECK(server.edns_udp_size == 1232);
  CHECK(server.tcp_max_connections == 1024);
  CHECK(server.tcp_idle_timeout_ms == 10000);
  CHECK(server.log_level == "info");
  char host[HOST_NAME_MAX + 1] = {};
  REQUIRE(gethostname(host, sizeof host - 1) == 0);
  CHECK(server.identity == host);
}

TEST_CASE("good config: the zone set finds zones by longest suffix") {
  const auto config = load_good();
  REQUIRE(config->zones->zones().size() == 2);
  const zone::Zone* example = config->zones->find(wire("a.b.example.com."));
  REQUIRE(example);
  CHECK(example->apex() == wire("example.com."));  // written Example.COM. in the file
  const zone::Zone* legacy = config->zones->find(wire("www.legacy.test."));
  REQUIRE(legacy);
  CHECK(legacy->apex() == wire("legacy.test."));
  CHECK(config->zones->find(wire("example.org.")) == nullptr);
  CHECK(config->zones->find(wire("com.")) == nullptr);
  REQUIRE(config->pools);  // never null in a loaded config, even without pools
  CHECK(config->pools->pools.empty());
}

TEST_CASE("good config: SOA fields, serial and negative TTL") {
  const auto config = load_good();
  const zone::Zone& z = *config->zones->find(wire("example.com."));
  CHECK(z.serial() == 2024010101u);
  CHECK(z.negative_ttl() == 300);  // min(SOA TTL 1h, minimum 5m)
  CHECK(z.soa().ttl == 3600);
  CHECK(z.soa().count == 1);
  const auto soa = rdata_of(z.soa(), 0);
  std::vector<std::uint8_t> names = wire_bytes("ns1.example.com.");
  const auto rname = wire_bytes("hostmaster.example.com.");
  names.insert(names.end(), rname.begin(), rname.end());
  REQUIRE(soa.size() == names.size() + 20);
  CHECK(std::equal(names.begin(), names.end(), soa.begin()));
  CHECK(u32_at(soa, names.size()) == 2024010101u);
  CHECK(u32_at(soa, names.size() + 4) == 7200);      // refresh 2h
  CHECK(u32_at(soa, names.size() + 8) == 1800);      // retry 30m
  CHECK(u32_at(soa, names.size() + 12) == 1209600);  // expire 2w
  CHECK(u32_at(soa, names.size() + 16) == 300);      // minimum 5m
}

TEST_CASE("good config: apex RRsets, TTLs and rdata") {
  const auto config = load_good();
  const zone::Zone& z = *config->zones->find(wire("example.com."));
  const zone::Node& apex = z.apex_node();

  const zone::RRset* ns = apex.find(dns::type::NS);
  REQUIRE(ns);
  CHECK(ns->ttl == 86400);  // ns_ttl: 1d
  CHECK(ns->count == 2);
  CHECK(rdata_of(*ns, 0) == wire_bytes("ns1.example.com."));
  CHECK(rdata_of(*ns, 1) == wire_bytes("ns2.example.net."));
  CHECK(to_vector(ns->additional_nodes()) ==
        std::vector<std::uint32_t>{z.find(wire("ns1.example.com."))});

  const zone::RRset* a = apex.find(dns::type::A);
  REQUIRE(a);
  CHECK(a->ttl == 60);
  CHECK(a->count == 2);
  CHECK(rdata_of(*a, 0) == bytes({192, 0, 2, 1}));
  CHECK(rdata_of(*a, 1) == bytes({192, 0, 2, 2}));

  const zone::RRset* mx = apex.find(dns::type::MX);
  REQUIRE(mx);
  CHECK(mx->ttl == 600);  // default_ttl: 10m
  std::vector<std::uint8_t> mx0 = bytes({0, 10});
  const auto mail = wire_bytes("mail.example.com.");
  mx0.insert(mx0.end(), mail.begin(), mail.end());
  CHECK(rdata_of(*mx, 0) == mx0);
  CHECK(to_vector(mx->additional_nodes()) ==
        std::vector<std::uint32_t>{z.find(wire("mail.example.com."))});
  CHECK(apex.find(dns::type::TXT) == nullptr);
}

TEST_CASE("good config: names below the apex") {
  const auto config = load_good();
  const zone::Zone& z = *config->zones->find(wire("example.com."));

  const zone::Node* ns1 = node(z, "ns1.example.com.");  // type written "a"
  REQUIRE(ns1);
  REQUIRE(ns1->find(dns::type::A));
  CHECK(ns1->find(dns::type::A)->ttl == 600);

  const zone::Node* www = node(z, "www.example.com.");
  REQUIRE(www);
  REQUIRE(www->find(dns::type::CNAME));
  CHECK(rdata_of(*www->find(dns::type::CNAME), 0) == wire_bytes("example.com."));

  const zone::Node* mail = node(z, "mail.example.com.");
  REQUIRE(mail);
  REQUIRE(mail->find(dns::type::AAAA));
  CHECK(mail->find(dns::type::AAAA)->ttl == 120);

  const zone::Node* wild = node(z, "*.wild.example.com.");
  REQUIRE(wild);
  REQUIRE(wild->find(dns::type::TXT));
  CHECK(rdata_of(*wild->find(dns::type::TXT), 0) ==
        bytes({5, 'h', 'e', 'l', 'l', 'o', 5, 'w', 'o', 'r', 'l', 'd'}));
  REQUIRE(node(z, "wild.example.com."));
  CHECK(node(z, "wild.example.com.")->empty_non_terminal());

  const zone::Node* unknown = node(z, "unknown.example.com.");
  REQUIRE(unknown);
  REQUIRE(unknown->find(65000));
  CHECK(rdata_of(*unknown->find(65000), 0) == bytes({1, 2, 3}));

  CHECK(z.find(wire("nothing.example.com.")) == zone::kNoNode);
}

TEST_CASE("good config: delegation with glue and empty non-terminals") {
  const auto config = load_good();
  const zone::Zone& z = *config->zones->find(wire("example.com."));
  const std::uint32_t sub = z.find(wire("sub.example.com."));
  REQUIRE(sub != zone::kNoNode);
  CHECK(z.node(sub).is_delegation_point());
  CHECK(z.node(sub).cut == sub);
  REQUIRE(node(z, "ns.sub.example.com."));
  CHECK(node(z, "ns.sub.example.com.")->cut == sub);
  CHECK(z.apex_node().cut == zone::kNoNode);
  for (const char* ent : {"y.deep.example.com.", "deep.example.com."}) {
    REQUIRE_MESSAGE(node(z, ent), ent);
    CHECK(node(z, ent)->empty_non_terminal());
  }
  REQUIRE(node(z, "x.y.deep.example.com."));
  CHECK_FALSE(node(z, "x.y.deep.example.com.")->empty_non_terminal());
}

TEST_CASE("good config: a zone built from an RFC 1035 import plus YAML records") {
  const auto config = load_good();
  const zone::Zone& z = *config->zones->find(wire("legacy.test."));
  CHECK(z.serial() == 77);
  CHECK(z.soa().ttl == 300);       // $TTL 300
  CHECK(z.negative_ttl() == 120);  // min(300, minimum 120)
  const zone::RRset* ns = z.apex_node().find(dns::type::NS);
  REQUIRE(ns);
  CHECK(rdata_of(*ns, 0) == wire_bytes("ns.legacy.test."));
  CHECK(to_vector(ns->additional_nodes()) ==
        std::vector<std::uint32_t>{z.find(wire("ns.legacy.test."))});
  REQUIRE(node(z, "www.legacy.test."));
  const zone::RRset* www = node(z, "www.legacy.test.")->find(dns::type::A);
  REQUIRE(www);
  CHECK(www->ttl == 60);
  CHECK(www->count == 2);
  CHECK(rdata_of(*www, 1) == bytes({198, 51, 100, 81}));
  REQUIRE(node(z, "extra.legacy.test."));
  CHECK(node(z, "extra.legacy.test.")->find(dns::type::A)->ttl == 3600);  // default_ttl 1h
  CHECK(node(z, "ns.legacy.test.")->find(dns::type::A)->ttl == 300);
}
