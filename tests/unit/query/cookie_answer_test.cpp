// SPDX-License-Identifier: Apache-2.0
// DNS cookies on the query path (RFC 7873 section 5.2, 5.4; RFC 9018 section 4.3).
#include <doctest/doctest.h>

#include <cstring>

#include "cookie_test_support.hpp"
#include "gslbd/dns/cookie.hpp"

using gslbd::query::PolicyState;
using gslbd::stats::CookieSeen;
using test::ask_with;
using test::cookie_only_query;
using test::cookie_query;
using test::with_server;

namespace {

constexpr std::uint32_t kNow = 1'700'000'000;
const std::vector<std::uint8_t> kClient = {1, 2, 3, 4, 5, 6, 7, 8};

std::vector<std::uint8_t> server_cookie(const gslbd::runtime::CookieConfig& cookies,
                                        std::uint32_t when, const char* source = "198.51.100.7") {
  const auto address = *gslbd::util::parse_address(source);
  std::vector<std::uint8_t> out(kClient);
  out.resize(24);
  gslbd::dns::make_server_cookie(cookies.secret, kClient.data(), address.bytes.data(),
                                 address.length(), when, out.data() + 8);
  return out;
}

}  // namespace

TEST_CASE("a client cookie alone is answered normally, with a fresh server cookie") {
  const auto s = with_server(10, [](auto&) {});
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  const auto reply = ask_with(*s, state, cookie_query("www.example.test.", 1, kClient));
  CHECK(reply.rcode == 0);
  CHECK(reply.ancount == 2);
  REQUIRE(reply.cookie);
  CHECK(*reply.cookie == server_cookie(s->config->server.cookies, kNow));
  CHECK(reply.record.cookie == CookieSeen::client_only);
}

TEST_CASE("a valid server cookie is echoed for half an hour, then renewed") {
  const auto s = with_server(11, [](auto&) {});
  PolicyState state(1);
  const auto issued = server_cookie(s->config->server.cookies, kNow);
  state.fix_time(kNow + 1800);
  state.prepare(*s);
  auto reply = ask_with(*s, state, cookie_query("www.example.test.", 1, issued));
  CHECK(reply.record.cookie == CookieSeen::valid);
  CHECK(reply.ancount == 2);
  CHECK(*reply.cookie == issued);

  state.fix_time(kNow + 1801);
  state.prepare(*s);
  reply = ask_with(*s, state, cookie_query("www.example.test.", 1, issued));
  CHECK(reply.record.cookie == CookieSeen::valid);
  CHECK(*reply.cookie == server_cookie(s->config->server.cookies, kNow + 1801));
}

TEST_CASE("a bad or expired server cookie is answered normally with a fresh one (RFC 7873 5.2.4)") {
  const auto s = with_server(12, [](auto&) {});
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  auto forged = server_cookie(s->config->server.cookies, kNow);
  forged[23] ^= 1;
  const auto expired = server_cookie(s->config->server.cookies, kNow - 3601);
  const auto other_client = server_cookie(s->config->server.cookies, kNow, "198.51.100.8");
  for (const auto& cookie : {forged, expired, other_client}) {
    const auto reply = ask_with(*s, state, cookie_query("www.example.test.", 1, cookie));
    CHECK(reply.rcode == 0);
    CHECK(reply.ancount == 2);
    CHECK(reply.record.cookie == CookieSeen::invalid);
    CHECK(*reply.cookie == server_cookie(s->config->server.cookies, kNow));
  }
}

TEST_CASE("a COOKIE option of a wrong length is FORMERR (RFC 7873 5.2.2)") {
  const auto s = with_server(13, [](auto&) {});
  PolicyState state(1);
  state.prepare(*s);
  for (std::size_t len : {0u, 1u, 7u, 9u, 15u, 41u, 64u}) {
    CAPTURE(len);
    const auto reply = ask_with(
        *s, state, cookie_query("www.example.test.", 1, std::vector<std::uint8_t>(len, 7)));
    CHECK(reply.rcode == 1);
    CHECK(reply.ancount == 0);
    CHECK_FALSE(reply.has_opt);
  }
  for (std::size_t len : {8u, 16u, 24u, 40u}) {
    CAPTURE(len);
    const auto reply = ask_with(
        *s, state, cookie_query("www.example.test.", 1, std::vector<std::uint8_t>(len, 7)));
    CHECK(reply.rcode == 0);
    CHECK(reply.ancount == 2);
  }
}

TEST_CASE("a request for a server cookie alone (QDCOUNT 0, RFC 7873 5.4)") {
  const auto s = with_server(14, [](auto&) {});
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  auto reply = ask_with(*s, state, cookie_only_query(kClient));
  CHECK(reply.rcode == 0);
  CHECK(reply.qdcount == 0);
  CHECK(reply.ancount == 0);
  CHECK(*reply.cookie == server_cookie(s->config->server.cookies, kNow));

  auto forged = server_cookie(s->config->server.cookies, kNow);
  forged[20] ^= 0xff;
  reply = ask_with(*s, state, cookie_only_query(forged));
  CHECK(reply.rcode == gslbd::dns::rcode::BADCOOKIE);
  CHECK(*reply.cookie == server_cookie(s->config->server.cookies, kNow));

  reply = ask_with(*s, state, cookie_only_query(server_cookie(s->config->server.cookies, kNow)));
  CHECK(reply.rcode == 0);

  // Without a COOKIE option, or with cookies off, QDCOUNT 0 stays FORMERR.
  auto no_cookie = cookie_only_query(kClient);
  no_cookie.resize(no_cookie.size() - 12);  // drop the option
  no_cookie[no_cookie.size() - 1] = 0;      // OPT rdlength 0
  CHECK(ask_with(*s, state, no_cookie).rcode == 1);
  const auto off = with_server(15, [](auto& server) { server.cookies.enabled = false; });
  state.prepare(*off);
  CHECK(ask_with(*off, state, cookie_only_query(kClient)).rcode == 1);
}

TEST_CASE("with cookies off a COOKIE option is ignored") {
  const auto s = with_server(16, [](auto& server) { server.cookies.enabled = false; });
  PolicyState state(1);
  state.prepare(*s);
  const auto reply = ask_with(*s, state, cookie_query("www.example.test.", 1, kClient));
  CHECK(reply.rcode == 0);
  CHECK(reply.has_opt);
  CHECK_FALSE(reply.cookie);
  CHECK(reply.record.cookie == CookieSeen::none);
}

TEST_CASE("after a secret rotation the previous secret is accepted for one more rotation") {
  gslbd::runtime::CookieConfig first;
  first.secret_file = "/etc/a";
  first.secret.fill(1);
  gslbd::runtime::CookieConfig second = first;
  second.secret.fill(2);
  gslbd::runtime::carry_cookie_secrets(first, second);
  CHECK(second.has_previous);
  CHECK(second.previous == first.secret);
  gslbd::runtime::CookieConfig third = second;
  third.secret.fill(3);
  gslbd::runtime::carry_cookie_secrets(second, third);
  CHECK(third.previous == second.secret);

  PolicyState state(1);
  state.fix_time(kNow);
  const auto old_cookie = server_cookie(first, kNow - 10);
  const auto s2 = with_server(17, [&](auto& server) { server.cookies = second; });
  state.prepare(*s2);
  auto reply = ask_with(*s2, state, cookie_query("www.example.test.", 1, old_cookie));
  CHECK(reply.record.cookie == CookieSeen::valid);
  CHECK(*reply.cookie == server_cookie(second, kNow));  // renewed with the new secret

  const auto s3 = with_server(18, [&](auto& server) { server.cookies = third; });
  state.prepare(*s3);
  reply = ask_with(*s3, state, cookie_query("www.example.test.", 1, old_cookie));
  CHECK(reply.record.cookie == CookieSeen::invalid);

  // A random secret (no file) is kept across reloads instead of rotating.
  gslbd::runtime::CookieConfig random_running;
  random_running.secret.fill(9);
  gslbd::runtime::CookieConfig random_next;
  random_next.secret.fill(4);
  gslbd::runtime::carry_cookie_secrets(random_running, random_next);
  CHECK(random_next.secret == random_running.secret);
  CHECK_FALSE(random_next.has_previous);
}

TEST_CASE("cookies are answered over TCP too") {
  const auto s = with_server(19, [](auto&) {});
  PolicyState state(1);
  state.fix_time(kNow);
  state.prepare(*s);
  const auto reply = ask_with(*s, state, cookie_query("www.example.test.", 1, kClient),
                              "198.51.100.7", gslbd::query::Transport::tcp);
  CHECK(*reply.cookie == server_cookie(s->config->server.cookies, kNow));
}
