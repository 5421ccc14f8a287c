// SPDX-License-Identifier: Apache-2.0
// Fuzzes the whole query path on untrusted bytes: parse_query, the zone lookup and the response
// writer, over UDP and TCP limits, against a zone that has every kind of node. The answer must
// never exceed the limit of its transport, and parsing must never read outside the input.
// A second snapshot turns on rate limiting (a small table, so keys are replaced) with cookies:
// each input is answered from a few client networks, so limits, slips, drops and BADCOOKIE
// happen; a query carrying a valid server cookie for the input's first octets runs the
// cookie-verification and exemption paths the fuzzer cannot reach by guessing a hash.
// A third snapshot serves pools (weighted with both families, hash keyed by the ECS subnet or
// the source) with rate limiting and cookies on; the input's last octet takes one member down
// or up, so degraded, all-down and ECS-scope paths run too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../unit/query/cookie_test_support.hpp"
#include "../unit/query/test_zone.hpp"
#include "gslbd/dns/cookie.hpp"

namespace {

void check(const std::vector<std::uint8_t>& out, std::size_t size, std::size_t limit) {
  if (size > limit) std::abort();
  if (size != 0 && (out[2] & 0x80) == 0) std::abort();  // every answer has QR set
}

// The service snapshot with rate limiting on and a cookie secret.
std::shared_ptr<const gslbd::runtime::Snapshot> limited_services(
    const test::ServiceSnapshot& services) {
  auto config = std::make_shared<gslbd::runtime::Config>(*services.snapshot->config);
  for (std::size_t i = 0; i < 16; ++i)
    config->server.cookies.secret[i] = static_cast<std::uint8_t>(0x50 + i);
  config->server.rate_limit.enabled = true;
  config->server.rate_limit.responses_per_second = 3;
  config->server.rate_limit.table_size = 8;
  return std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, 9});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto snapshot = test::example_snapshot();
  static const auto limited = test::with_server(7, [](gslbd::runtime::ServerConfig& server) {
    server.rate_limit.enabled = true;
    server.rate_limit.responses_per_second = server.rate_limit.nodata_per_second =
        server.rate_limit.nxdomains_per_second = server.rate_limit.referrals_per_second =
            server.rate_limit.errors_per_second = 2;
    server.rate_limit.table_size = 8;
    server.rate_limit.exempt.push_back({*gslbd::util::parse_address("192.0.2.0"), 24});
  });
  static gslbd::query::PolicyState limited_state(5);
  static std::uint32_t clock = 1'700'000'000;
  static std::vector<std::uint8_t> out(65535);
  const auto udp_context = test::client_context(gslbd::query::Transport::udp);
  const auto tcp_context = test::client_context(gslbd::query::Transport::tcp);
  udp_context.policy_state->prepare(*snapshot);
  // Copy so that reads past the end are caught by ASan instead of landing in the caller's data.
  const std::vector<std::uint8_t> request(data, data + size);
  check(out,
        gslbd::query::answer_query(*snapshot, request.data(), request.size(), udp_context,
                                   out.data(), out.size()),
        1232);
  check(out,
        gslbd::query::answer_query(*snapshot, request.data(), request.size(), tcp_context,
                                   out.data(), out.size()),
        65535);

  // The clock moves a second every few inputs, so balances are credited as well as spent.
  limited_state.fix_time(clock + (size % 3 == 0 ? 1 : 0));
  clock = limited_state.now_s();
  limited_state.prepare(*limited);
  gslbd::query::QueryContext context;
  context.policy_state = &limited_state;
  for (const char* source : {"198.51.100.7", "192.0.2.1", "2001:db8::1"}) {
    context.source = *gslbd::util::parse_address(source);
    for (int repeat = 0; repeat < 3; ++repeat) {
      check(out,
            gslbd::query::answer_query(*limited, request.data(), request.size(), context,
                                       out.data(), out.size()),
            1232);
    }
  }
  static const auto services = test::service_snapshot();
  static const auto services_limited = limited_services(services);
  static gslbd::query::PolicyState services_state(11);
  if (size > 0) {
    gslbd::health::Health health;
    health.known = true;
    health.up = (data[size - 1] & 0x80) == 0;
    services.health->write((data[size - 1] & 0x7f) % services.health->size(), health);
  }
  services_state.fix_time(clock);
  services_state.prepare(*services_limited);
  gslbd::query::QueryContext service_context;
  service_context.policy_state = &services_state;
  for (const char* source : {"203.0.113.9", "2001:db8:1::9"}) {
    service_context.source = *gslbd::util::parse_address(source);
    for (auto transport : {gslbd::query::Transport::udp, gslbd::query::Transport::tcp}) {
      service_context.transport = transport;
      check(out,
            gslbd::query::answer_query(*services_limited, request.data(), request.size(),
                                       service_context, out.data(), out.size()),
            transport == gslbd::query::Transport::udp ? 1232 : 65535);
    }
  }

  if (size >= gslbd::dns::kClientCookieSize) {
    std::vector<std::uint8_t> cookie(data, data + gslbd::dns::kClientCookieSize);
    cookie.resize(gslbd::dns::kClientCookieSize + gslbd::dns::kServerCookieSize);
    context.source = *gslbd::util::parse_address("198.51.100.7");
    gslbd::dns::make_server_cookie(limited->config->server.cookies.secret, cookie.data(),
                                   context.source.bytes.data(), 4, clock - (data[0] % 64) * 60,
                                   cookie.data() + gslbd::dns::kClientCookieSize);
    const auto query = test::cookie_query("www.example.test.", 1, cookie);
    check(out,
          gslbd::query::answer_query(*limited, query.data(), query.size(), context, out.data(),
                                     out.size()),
          1232);
  }
  return 0;
}
