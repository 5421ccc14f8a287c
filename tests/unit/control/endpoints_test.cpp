// SPDX-License-Identifier: Apache-2.0
// The read-only endpoints over real sockets: /healthz, /readyz, /status, unknown paths and
// methods.
#include <doctest/doctest.h>

#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

TEST_CASE("/healthz answers ok, HEAD gets the head only") {
  Fixture f;
  const HttpReply reply = http(f.server->port(), "GET", "/healthz");
  CHECK(reply.status == 200);
  CHECK(reply.body == "ok\n");
  CHECK(reply.head.find("Connection: close") != std::string::npos);
  CHECK(reply.head.find("Content-Length: 3") != std::string::npos);
  const HttpReply head = http(f.server->port(), "HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
}

TEST_CASE("/readyz: 200 when serving and the first round is done, else 503 with the reason") {
  Fixture f;
  CHECK(http(f.server->port(), "GET", "/readyz").status == 200);
  f.serving = false;
  const HttpReply not_serving = http(f.server->port(), "GET", "/readyz");
  CHECK(not_serving.status == 503);
  CHECK(not_serving.body.find("not serving") != std::string::npos);
}

TEST_CASE("/readyz: 503 while the health loop has not finished its first round") {
  Fixture f({}, false);  // the health loop never runs: no round completes
  const HttpReply reply = http(f.server->port(), "GET", "/readyz");
  CHECK(reply.status == 503);
  CHECK(reply.body.find("first round") != std::string::npos);
}

TEST_CASE("unknown paths get 404, wrong methods 405 with Allow") {
  Fixture f;
  CHECK(http(f.server->port(), "GET", "/nope").status == 404);
  const HttpReply post = http(f.server->port(), "POST", "/status");
  CHECK(post.status == 405);
  CHECK(post.head.find("Allow: GET, HEAD") != std::string::npos);
  const HttpReply get = http(f.server->port(), "GET", "/admin/reload", "s3cret-token");
  CHECK(get.status == 405);
  CHECK(get.head.find("Allow: POST") != std::string::npos);
}

TEST_CASE("/status lists zones with serials and members with health and answers") {
  Fixture f;
  gslbd::stats::QueryRecord record;
  record.pool = 1;
  record.selected = 1;
  record.selected_slots[0] = 4;  // sticky/s2
  for (int i = 0; i < 3; ++i) f.workers[0]->record(record, 10);
  f.workers[1]->record(record, 10);
  REQUIRE(f.health.drain("app/b", true));
  REQUIRE(wait_until([&] { return f.config->pools->health->read(1).drained; }));

  const HttpReply reply = http(f.server->port(), "GET", "/status");
  REQUIRE(reply.status == 200);
  CHECK(reply.head.find("Content-Type: application/json") != std::string::npos);
  const std::string& body = reply.body;
  CHECK(body.find(R"("version":"9.9.9-test","generation":1,)") != std::string::npos);
  CHECK(body.find(R"("zones":[{"name":"example.test.","serial":2026010101,"services":3}])") !=
        std::string::npos);
  CHECK(body.find(R"({"name":"app","policy":"weighted","all_down":"fallback_pool","members":[)") !=
        std::string::npos);
  CHECK(body.find(R"({"name":"a","address":"192.0.2.1","up":true,"known":true,"forced":false,)"
                  R"("drained":false,"serving":true,"since":")") != std::string::npos);
  CHECK(body.find(R"({"name":"b","address":"192.0.2.2","up":true,"known":true,"forced":false,)"
                  R"("drained":true,"serving":false,)") != std::string::npos);
  CHECK(body.find(R"("name":"v6","address":"2001:db8::1")") != std::string::npos);
  CHECK(body.find(
            R"("down_reason":null,"last_error":"","last_error_check":null,)"
            R"("last_error_at":null,"last_error_age_s":null,"rtt_ms":0,"agent_weight":100,)"
            R"("weight":100,"weight_override":null,"priority":0,"checks":0,"healthy_when":"all",)"
            R"("checks_outcome":"no checks: up","check_verdicts":[],"answers":4})") !=
        std::string::npos);  // s2
  CHECK(body.find(R"("health_checks":{"planned_per_second":0,"started_last_second":)") !=
        std::string::npos);
  CHECK(body.find(R"("policy":"hash")") != std::string::npos);
  CHECK(body.find(R"("serving":2})") != std::string::npos);  // app: a and v6
  CHECK(body.find(R"("started":"20)") != std::string::npos);
}
