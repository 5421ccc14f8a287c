// SPDX-License-Identifier: Apache-2.0
// Requests a web page could make, over real sockets: a cross-site POST and a rebound Host are
// refused before any handler runs, even with admin_without_token; tools are served.
#include <doctest/doctest.h>

#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

namespace {

gslbd::runtime::ControlConfig without_token() {
  gslbd::runtime::ControlConfig settings;
  settings.admin_without_token = true;
  return settings;
}

HttpReply request(std::uint16_t port, const std::string& method, const std::string& target,
                  const std::string& fields) {
  return http_raw(port, method + " " + target + " HTTP/1.1\r\n" + fields +
                            (method == "POST" ? "Content-Length: 0\r\n" : "") + "\r\n");
}

}  // namespace

TEST_CASE("a browser's cross-site POST cannot force a member down") {
  Fixture f(without_token());
  const std::uint16_t port = f.server->port();
  const std::string target = "/admin/force?pool=app&member=a&state=down";
  const std::string here = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  // What a page on another site sends: Origin, a "simple" content type, and the Host it
  // addressed (the loopback address, or its own name after rebinding).
  const HttpReply cross = request(
      port, "POST", target, here + "Origin: http://evil.example\r\nContent-Type: text/plain\r\n");
  CHECK(cross.status == 403);
  CHECK(cross.body.find("Origin") != std::string::npos);
  const HttpReply rebound =
      request(port, "POST", target, "Host: evil.example\r\nContent-Type: text/plain\r\n");
  CHECK(rebound.status == 403);
  CHECK(request(port, "POST", target, here + "Sec-Fetch-Site: cross-site\r\n").status == 403);
  CHECK(f.config->pools->health->read(0).up);
  CHECK_FALSE(f.config->pools->health->read(0).forced);
  // gslbctl's request (no Origin, Host = the address) is served.
  CHECK(request(port, "POST", target, here).status == 200);
  CHECK(wait_until([&] { return !f.config->pools->health->read(0).up; }));
}

TEST_CASE("reads with a Host that does not name the endpoint are refused, its names are not") {
  Fixture f;
  const std::uint16_t port = f.server->port();
  const std::string p = std::to_string(port);
  const HttpReply status = request(port, "GET", "/status", "Host: evil.example:" + p + "\r\n");
  CHECK(status.status == 403);
  CHECK(status.body.find("evil.example") != std::string::npos);
  CHECK(request(port, "GET", "/metrics", "Host: 127.0.0.2:" + p + "\r\n").status == 403);
  CHECK(request(port, "GET", "/metrics", "Host: localhost:1\r\n").status == 403);
  // Prometheus, curl, gslbctl.
  CHECK(request(port, "GET", "/metrics", "Host: 127.0.0.1:" + p + "\r\n").status == 200);
  CHECK(request(port, "GET", "/status", "Host: localhost:" + p + "\r\n").status == 200);
  CHECK(request(port, "GET", "/healthz", "Host: 127.0.0.1\r\n").status == 200);
  CHECK(http_raw(port, "GET /healthz HTTP/1.0\r\n\r\n").status == 200);
  const std::string text = http(port, "GET", "/metrics").body;
  CHECK(metric(text, R"(gslbd_control_responses_total{code="403"})") == "3");
}

TEST_CASE("allowed_hosts adds names a scraper may use") {
  gslbd::runtime::ControlConfig settings;
  settings.allowed_hosts = {"gslb1.example.net"};
  Fixture f(settings);
  const std::uint16_t port = f.server->port();
  CHECK(request(port, "GET", "/metrics", "Host: gslb1.example.net:" + std::to_string(port) + "\r\n")
            .status == 200);
  CHECK(request(port, "GET", "/metrics", "Host: gslb2.example.net\r\n").status == 403);
}
