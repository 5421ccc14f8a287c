// SPDX-License-Identifier: Apache-2.0
// Admin actions over real sockets: the token, drain with safe_after, force with an expiry that
// reverts, reload success and failure.
#include <doctest/doctest.h>

#include <ctime>

#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

namespace {

constexpr const char* kToken = "s3cret-token";

gslbd::health::Health health_of(Fixture& f, std::size_t slot) {
  return f.config->pools->health->read(slot);
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ".
long long parse_rfc3339(const std::string& text) {
  std::tm tm{};
  REQUIRE(strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr);
  return static_cast<long long>(timegm(&tm));
}

std::string json_string(const std::string& body, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const std::size_t at = body.find(needle);
  REQUIRE(at != std::string::npos);
  const std::size_t start = at + needle.size();
  return body.substr(start, body.find('"', start) - start);
}

}  // namespace

TEST_CASE("admin actions need the bearer token") {
  Fixture f;
  const std::string target = "/admin/drain?pool=app&member=a";
  const HttpReply none = http(f.server->port(), "POST", target);
  CHECK(none.status == 401);
  CHECK(none.head.find("WWW-Authenticate: Bearer") != std::string::npos);
  CHECK(http(f.server->port(), "POST", target, "wrong").status == 401);
  CHECK_FALSE(health_of(f, 0).drained);
  CHECK(http(f.server->port(), "POST", target, kToken).status == 200);
  CHECK(wait_until([&] { return health_of(f, 0).drained; }));
}

TEST_CASE("admin_without_token on a loopback listener needs no token") {
  gslbd::runtime::ControlConfig settings;
  settings.admin_without_token = true;
  Fixture f(settings);
  CHECK(http(f.server->port(), "POST", "/admin/drain?pool=app&member=b").status == 200);
  CHECK(wait_until([&] { return health_of(f, 1).drained; }));
}

TEST_CASE("drain reports safe_after = now + the largest TTL naming the member, undrain") {
  Fixture f;
  const auto before = std::time(nullptr);
  const HttpReply reply =
      http(f.server->port(), "POST", "/admin/drain?pool=sticky&member=s2", kToken);
  const auto after = std::time(nullptr);
  REQUIRE(reply.status == 200);
  CHECK(reply.body.find(R"("pool":"sticky","member":"s2","drained":true)") != std::string::npos);
  CHECK(reply.body.find(R"("largest_ttl":60)") != std::string::npos);
  const long long at = parse_rfc3339(json_string(reply.body, "at"));
  const long long safe = parse_rfc3339(json_string(reply.body, "safe_after"));
  CHECK(safe - at == 60);
  CHECK(at >= before - 1);
  CHECK(at <= after);
  CHECK(wait_until([&] { return health_of(f, 4).drained; }));

  // spare is also the fallback of app (TTL 30): its safe_after waits for app's answers too.
  const HttpReply spare =
      http(f.server->port(), "POST", "/admin/drain?pool=spare&member=x", kToken);
  CHECK(spare.body.find(R"("largest_ttl":30)") != std::string::npos);

  const HttpReply undrain =
      http(f.server->port(), "POST", "/admin/undrain?pool=sticky&member=s2", kToken);
  CHECK(undrain.status == 200);
  CHECK(undrain.body.find(R"("drained":false)") != std::string::npos);
  CHECK(wait_until([&] { return !health_of(f, 4).drained; }));
}

TEST_CASE("unknown pools and members are 404, missing parameters 400") {
  Fixture f;
  CHECK(http(f.server->port(), "POST", "/admin/drain?pool=nope&member=a", kToken).status == 404);
  CHECK(http(f.server->port(), "POST", "/admin/drain?pool=app&member=nope", kToken).status == 404);
  CHECK(http(f.server->port(), "POST", "/admin/drain?pool=app", kToken).status == 400);
  CHECK(http(f.server->port(), "POST", "/admin/force?pool=app&member=a", kToken).status == 400);
  CHECK(http(f.server->port(), "POST", "/admin/force?pool=app&member=a&state=sideways", kToken)
            .status == 400);
  CHECK(http(f.server->port(), "POST", "/admin/force?pool=app&member=a&state=down&expires=soon",
             kToken)
            .status == 400);
  CHECK(
      http(f.server->port(), "POST", "/admin/force?pool=app&member=a&state=auto&expires=5s", kToken)
          .status == 400);
}

TEST_CASE("force down with an expiry reverts to the checks when it expires") {
  Fixture f;
  const HttpReply reply = http(f.server->port(), "POST",
                               "/admin/force?pool=app&member=a&state=down&expires=300ms", kToken);
  REQUIRE(reply.status == 200);
  CHECK(reply.body.find(R"("state":"down","expires_at":"20)") != std::string::npos);
  REQUIRE(wait_until([&] { return !health_of(f, 0).up && health_of(f, 0).forced; }));
  // Back to its checks (none: up) once the timer fires.
  CHECK(wait_until([&] { return health_of(f, 0).up && !health_of(f, 0).forced; }));
}

TEST_CASE("a later force replaces a pending expiry") {
  Fixture f;
  REQUIRE(http(f.server->port(), "POST", "/admin/force?pool=app&member=b&state=down&expires=200ms",
               kToken)
              .status == 200);
  REQUIRE(
      http(f.server->port(), "POST", "/admin/force?pool=app&member=b&state=down", kToken).status ==
      200);
  REQUIRE(wait_until([&] { return health_of(f, 1).forced; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(health_of(f, 1).forced);  // the first expiry was cancelled
  CHECK_FALSE(health_of(f, 1).up);
  REQUIRE(
      http(f.server->port(), "POST", "/admin/force?pool=app&member=b&state=auto", kToken).status ==
      200);
  CHECK(wait_until([&] { return health_of(f, 1).up && !health_of(f, 1).forced; }));
}

TEST_CASE("reload: 200 with the generation, or 422 with the errors") {
  Fixture f;
  const HttpReply ok = http(f.server->port(), "POST", "/admin/reload", kToken);
  CHECK(ok.status == 200);
  CHECK(ok.body == "{\"ok\":true,\"generation\":2,\"errors\":[]}\n");
  f.fail_next_reload = true;
  const HttpReply bad = http(f.server->port(), "POST", "/admin/reload", kToken);
  CHECK(bad.status == 422);
  CHECK(bad.body ==
        "{\"ok\":false,\"generation\":2,\"errors\":[\"zones/bad.zone.yaml:3:7: unknown key "
        "'tll', did you mean 'ttl'?\"]}\n");
}

TEST_CASE(
    "reload in progress: the endpoint keeps answering, /status says so, callers get the "
    "outcome when it is done") {
  Fixture f;
  f.hold_reload = true;
  std::vector<std::future<HttpReply>> callers;
  for (int i = 0; i < 2; ++i) {
    callers.push_back(std::async(std::launch::async, [&] {
      return http(f.server->port(), "POST", "/admin/reload", kToken);
    }));
  }
  REQUIRE(wait_until([&] {
    std::size_t held = 0;
    f.server->on_loop([&] { held = f.held.size(); });
    return held == 2;
  }));
  CHECK(http(f.server->port(), "GET", "/healthz").status == 200);
  const HttpReply status = http(f.server->port(), "GET", "/status");
  CHECK(status.body.find("\"reload_in_progress\":true,\"reload_since\":\"") != std::string::npos);
  for (auto& caller : callers) {
    CHECK(caller.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  }
  f.server->on_loop([&] { f.finish_held_reload(); });
  for (auto& caller : callers) {
    const HttpReply reply = caller.get();
    CHECK(reply.status == 200);
    CHECK(reply.body == "{\"ok\":true,\"generation\":2,\"errors\":[]}\n");
  }
  const HttpReply after = http(f.server->port(), "GET", "/status");
  CHECK(after.body.find("\"reload_in_progress\":false,\"reload_since\":null") != std::string::npos);
}

TEST_CASE("a reload caller that hangs up before the outcome costs nothing") {
  Fixture f;
  f.hold_reload = true;
  const int fd = connect_loopback(f.server->port());
  send_all(fd, "POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   std::string(kToken) + "\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(wait_until([&] {
    std::size_t held = 0;
    f.server->on_loop([&] { held = f.held.size(); });
    return held == 1;
  }));
  ::close(fd);
  f.server->on_loop([&] { f.finish_held_reload(); });
  CHECK(http(f.server->port(), "GET", "/healthz").status == 200);
}
