// SPDX-License-Identifier: Apache-2.0
// The rule against requests from web pages: which Host values name the endpoint, and which
// requests carry a browser's marks.
#include <doctest/doctest.h>

#include "control/request_guard.hpp"

using namespace gslbd;
using namespace gslbd::control;

namespace {

LocalEndpoint endpoint(const char* address, std::uint16_t port) {
  return LocalEndpoint{*util::parse_address(address), port};
}

HttpRequest request(const std::string& method,
                    std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.method = method;
  r.target = r.path = "/admin/drain";
  r.headers = std::move(headers);
  return r;
}

}  // namespace

TEST_CASE("Host names the endpoint by its address, with or without our port") {
  const auto v4 = endpoint("127.0.0.1", 9253);
  const std::vector<std::string> none;
  CHECK(host_names_endpoint("127.0.0.1", v4, none));
  CHECK(host_names_endpoint("127.0.0.1:9253", v4, none));
  CHECK(host_names_endpoint("localhost", v4, none));
  CHECK(host_names_endpoint("LocalHost:9253", v4, none));
  CHECK(host_names_endpoint("localhost.", v4, none));
  CHECK_FALSE(host_names_endpoint("127.0.0.1:9254", v4, none));
  CHECK_FALSE(host_names_endpoint("127.0.0.2", v4, none));
  CHECK_FALSE(host_names_endpoint("evil.example", v4, none));
  CHECK_FALSE(host_names_endpoint("evil.example:9253", v4, none));
  CHECK_FALSE(host_names_endpoint("127.0.0.1.evil.example", v4, none));
  CHECK_FALSE(host_names_endpoint("", v4, none));
  CHECK_FALSE(host_names_endpoint(":9253", v4, none));
  CHECK_FALSE(host_names_endpoint("127.0.0.1:", v4, none));
  CHECK_FALSE(host_names_endpoint("127.0.0.1:09253x", v4, none));
  CHECK_FALSE(host_names_endpoint("127.0.0.1:109253", v4, none));
  CHECK_FALSE(host_names_endpoint("[127.0.0.1]", v4, none));

  const auto v6 = endpoint("::1", 9253);
  CHECK(host_names_endpoint("[::1]", v6, none));
  CHECK(host_names_endpoint("[::1]:9253", v6, none));
  CHECK(host_names_endpoint("[0:0:0:0:0:0:0:1]:9253", v6, none));
  CHECK(host_names_endpoint("localhost:9253", v6, none));
  CHECK_FALSE(host_names_endpoint("::1", v6, none));  // unbracketed
  CHECK_FALSE(host_names_endpoint("[::1]9253", v6, none));
  CHECK_FALSE(host_names_endpoint("[::1", v6, none));
  CHECK_FALSE(host_names_endpoint("[::2]:9253", v6, none));
}

TEST_CASE("localhost only for a loopback address, other names only when listed") {
  const auto routable = endpoint("192.0.2.10", 9253);
  const std::vector<std::string> allowed{"gslb1.example.net"};
  CHECK_FALSE(host_names_endpoint("localhost", routable, {}));
  CHECK(host_names_endpoint("192.0.2.10:9253", routable, {}));
  CHECK(host_names_endpoint("gslb1.example.net:9253", routable, allowed));
  CHECK(host_names_endpoint("GSLB1.Example.NET", routable, allowed));
  CHECK_FALSE(host_names_endpoint("gslb1.example.net:80", routable, allowed));
  CHECK_FALSE(host_names_endpoint("gslb2.example.net", routable, allowed));
}

TEST_CASE("a browser's cross-site POST is refused, whatever the path, tools are not") {
  const auto local = endpoint("127.0.0.1", 9253);
  const std::vector<std::string> none;
  // What a page on another site sends to a loopback address.
  const HttpRequest cross_site = request("POST", {{"host", "127.0.0.1:9253"},
                                                  {"origin", "http://evil.example"},
                                                  {"content-type", "text/plain"}});
  const auto refused = browser_refusal(cross_site, local, none);
  REQUIRE(refused);
  CHECK(refused->find("Origin") != std::string::npos);
  CHECK(browser_refusal(request("POST", {{"host", "127.0.0.1:9253"}, {"origin", "null"}}), local,
                        none));
  CHECK(browser_refusal(
      request("POST", {{"host", "127.0.0.1:9253"}, {"sec-fetch-site", "cross-site"}}), local,
      none));
  // A rebound name: the Host names the attacker's site.
  const auto rebound =
      browser_refusal(request("GET", {{"host", "evil.example:9253"}}), local, none);
  REQUIRE(rebound);
  CHECK(rebound->find("evil.example") != std::string::npos);
  CHECK(browser_refusal(request("POST", {{"host", "evil.example"}}), local, none));
  // gslbctl, curl, Prometheus.
  CHECK_FALSE(browser_refusal(request("POST", {{"host", "127.0.0.1:9253"}}), local, none));
  CHECK_FALSE(browser_refusal(request("GET", {{"host", "localhost:9253"}}), local, none));
  CHECK_FALSE(browser_refusal(request("POST", {}), local, none));  // HTTP/1.0 without Host
  // A GET with an Origin can read nothing without CORS headers, which gslbd never sends.
  CHECK_FALSE(browser_refusal(
      request("GET", {{"host", "127.0.0.1:9253"}, {"origin", "http://evil.example"}}), local,
      none));
}
