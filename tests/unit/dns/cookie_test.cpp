// SPDX-License-Identifier: Apache-2.0
// RFC 9018 server cookies against the test vectors of its Appendix A, and their checks.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gslbd/dns/cookie.hpp"

using gslbd::dns::CookieSecret;
using gslbd::dns::ServerCookieCheck;

namespace {

std::vector<std::uint8_t> unhex(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

CookieSecret secret(const std::string& text) {
  CookieSecret out{};
  const auto bytes = unhex(text);
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::vector<std::uint8_t> address(const char* text) {
  std::uint8_t bytes[16] = {};
  if (inet_pton(AF_INET, text, bytes) == 1) return {bytes, bytes + 4};
  REQUIRE(inet_pton(AF_INET6, text, bytes) == 1);
  return {bytes, bytes + 16};
}

std::vector<std::uint8_t> make(const CookieSecret& key, const std::string& client, const char* ip,
                               std::uint32_t when) {
  const auto c = unhex(client);
  const auto a = address(ip);
  std::vector<std::uint8_t> out(16);
  gslbd::dns::make_server_cookie(key, c.data(), a.data(), a.size(), when, out.data());
  return out;
}

ServerCookieCheck check(const CookieSecret& key, const std::string& option, const char* ip,
                        std::uint32_t now) {
  const auto o = unhex(option);
  const auto a = address(ip);
  return gslbd::dns::check_server_cookie(key, o.data(), o.data() + 8, o.size() - 8, a.data(),
                                         a.size(), now);
}

const CookieSecret kSecretA = secret("e5e973e5a6b2a43f48e7dc849e37bfcf");

}  // namespace

TEST_CASE("A.1: learning a new server cookie") {
  CHECK(make(kSecretA, "2464c4abcf10c957", "198.51.100.100", 1559731985) ==
        unhex("010000005cf79f111f8130c3eee29480"));
}

TEST_CASE("A.2: the same client renews its cookie 40 minutes later") {
  // The cookie of A.1 is still valid (under an hour) and is renewed (over half an hour).
  CHECK(check(kSecretA, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100",
              1559734385) == ServerCookieCheck::valid);
  CHECK(1559734385 - 1559731985 > gslbd::dns::kCookieRenewAge);
  CHECK(make(kSecretA, "2464c4abcf10c957", "198.51.100.100", 1559734385) ==
        unhex("010000005cf7a871d4a564a1442aca77"));
}

TEST_CASE("A.3: a cookie with reserved octets set is checked over them, the new one has zeros") {
  const std::string received = "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5";
  // Valid when it was made (1559727985); 1h52m later, at the reply, it has expired.
  CHECK(check(kSecretA, received, "203.0.113.203", 1559727985 + 60) == ServerCookieCheck::valid);
  CHECK(check(kSecretA, received, "203.0.113.203", 1559734700) == ServerCookieCheck::expired);
  CHECK(make(kSecretA, "fc93fc62807ddb86", "203.0.113.203", 1559734700) ==
        unhex("010000005cf7a9acf73a7810aca2381e"));
}

TEST_CASE("A.4: IPv6, made with the previous secret, renewed with the new one") {
  const CookieSecret old_secret = secret("dd3bdf9344b678b185a6f5cb60fca715");
  const CookieSecret new_secret = secret("445536bcd2513298075a5d379663c962");
  const char* ip = "2001:db8:220:1:59de:d0f4:8769:82b8";
  const std::string received = "22681ab97d52c298010000005cf7c57926556bd0934c72f8";
  CHECK(check(old_secret, received, ip, 1559741961) == ServerCookieCheck::valid);
  CHECK(check(new_secret, received, ip, 1559741961) == ServerCookieCheck::forged);
  CHECK(make(new_secret, "22681ab97d52c298", ip, 1559741961) ==
        unhex("010000005cf7c609a6bb79d16625507a"));
}

TEST_CASE("server cookie checks: address, client cookie, version, length, time window") {
  const std::string good = "2464c4abcf10c957010000005cf79f111f8130c3eee29480";
  const std::uint32_t made = 1559731985;
  CHECK(check(kSecretA, good, "198.51.100.100", made) == ServerCookieCheck::valid);
  CHECK(check(kSecretA, good, "198.51.100.101", made) == ServerCookieCheck::forged);
  CHECK(check(kSecretA, "2464c4abcf10c958010000005cf79f111f8130c3eee29480", "198.51.100.100",
              made) == ServerCookieCheck::forged);
  CHECK(check(kSecretA, "2464c4abcf10c957020000005cf79f111f8130c3eee29480", "198.51.100.100",
              made) == ServerCookieCheck::forged);
  CHECK(check(kSecretA, good + "00", "198.51.100.100", made) == ServerCookieCheck::forged);
  // One hour into the past and five minutes into the future (RFC 9018 section 4.3).
  CHECK(check(kSecretA, good, "198.51.100.100", made + 3600) == ServerCookieCheck::valid);
  CHECK(check(kSecretA, good, "198.51.100.100", made + 3601) == ServerCookieCheck::expired);
  CHECK(check(kSecretA, good, "198.51.100.100", made - 300) == ServerCookieCheck::valid);
  CHECK(check(kSecretA, good, "198.51.100.100", made - 301) == ServerCookieCheck::expired);
}

TEST_CASE("cookie timestamps compare in serial arithmetic across the 32-bit wrap") {
  const auto c = unhex("0102030405060708");
  const auto a = address("192.0.2.1");
  std::uint8_t cookie[16];
  gslbd::dns::make_server_cookie(kSecretA, c.data(), a.data(), a.size(), 0xfffffff0u, cookie);
  CHECK(gslbd::dns::check_server_cookie(kSecretA, c.data(), cookie, 16, a.data(), a.size(),
                                        0x00000100u) == ServerCookieCheck::valid);
}
