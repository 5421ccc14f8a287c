// SPDX-License-Identifier: Apache-2.0
// Pushes of operator actions: the document reads back what it writes, a bad one is refused with
// the reason, and POST /peer/actions over a real socket needs a token, JSON and a valid body,
// applies a newer record by the merge rule and ignores an older one, changing nothing on any
// refusal.
#include <doctest/doctest.h>

#include <chrono>

#include "control/push_document.hpp"
#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

namespace {

constexpr const char* kToken = "s3cret-token";

OperatorAction record(const std::string& member, ActionKind kind, std::int64_t value,
                      std::uint64_t at_ms, std::uint64_t seq = 1) {
  OperatorAction a;
  a.pool = "app";
  a.member = member;
  a.kind = kind;
  a.value = value;
  a.origin = "ns1";
  a.at_ms = at_ms;
  a.seq = seq;
  return a;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string push_error(std::string_view text) {
  std::string error;
  return parse_push(text, error) ? std::string() : error;
}

HttpReply post_push(std::uint16_t port, const std::string& body, const std::string& token,
                    const std::string& content_type = "application/json",
                    const std::string& extra = "") {
  std::string request = "POST /peer/actions HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!content_type.empty()) request += "Content-Type: " + content_type + "\r\n";
  request += extra;
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return http_raw(port, request);
}

gslbd::health::Health health_of(Fixture& f, std::size_t slot) {
  return f.config->pools->health->read(slot);
}

}  // namespace

TEST_CASE("a push document reads back what was written, record for record") {
  OperatorAction force = record("b", ActionKind::force, 0, 1'700'000'000'000, 7);
  force.expires_at_ms = 1'700'000'060'000;
  const std::vector<OperatorAction> records = {record("a", ActionKind::drain, 1, 1'700'000'000'000),
                                               force, record("v6", ActionKind::weight, 20, 5, 9)};
  std::string error;
  const auto parsed = parse_push(render_push("ns1", records), error);
  REQUIRE_MESSAGE(parsed, error);
  CHECK(parsed->instance == "ns1");
  CHECK(parsed->actions == records);
  // A later format's sections are skipped.
  std::string later = render_push("ns1", {records[0]});
  later.insert(later.find("\"actions\""), R"("later":{"x":[1]},)");
  CHECK(push_error(later) == "");
}

TEST_CASE("a bad push document is refused with what is wrong") {
  const std::string one = R"({"pool":"app","member":"a","kind":"drain","value":"on",)"
                          R"("expires_at_ms":0,"origin":"ns1","at_ms":5,"seq":1})";
  CHECK(push_error("").find("not JSON") == 0);
  CHECK(push_error("drain everything").find("not JSON") == 0);
  CHECK(push_error("[1]") == "not a JSON object");
  CHECK(push_error(R"({"instance":"ns1","actions":[)" + one + "]}") == "'format' is not 1");
  CHECK(push_error(R"({"format":2,"instance":"ns1","actions":[)" + one + "]}") ==
        "'format' is not 1");
  CHECK(push_error(R"({"format":1,"actions":[)" + one + "]}").find("'instance'") == 0);
  CHECK(push_error(R"({"format":1,"instance":"","actions":[)" + one + "]}").find("'instance'") ==
        0);
  CHECK(push_error(R"({"format":1,"instance":"ns1"})") == "no 'actions'");
  CHECK(push_error(R"({"format":1,"instance":"ns1","actions":{}})") == "'actions' is not an array");
  CHECK(push_error(R"({"format":1,"instance":"ns1","actions":[]})") ==
        "'actions' holds 0 records, expected 1 to 8");
  std::string nine = R"({"format":1,"instance":"ns1","actions":[)";
  for (int i = 0; i < 9; ++i) nine += (i == 0 ? "" : ",") + one;
  CHECK(push_error(nine + "]}") == "'actions' holds 9 records, expected 1 to 8");
  std::string bad = one;
  bad.replace(bad.find("\"on\""), 4, "\"sideways\"");
  CHECK(push_error(R"({"format":1,"instance":"ns1","actions":[)" + one + "," + bad + "]}") ==
        "actions[1]: 'value' does not fit kind drain");
  CHECK(push_error(R"({"format":1,"format":1,"instance":"ns1","actions":[)" + one + "]}")
            .find("not JSON") == 0);  // duplicate names
}

TEST_CASE("the receiver's reply reads back, anything else is not a reply") {
  const auto outcome = parse_push_outcome(render_push_outcome({3, 2, 1}));
  REQUIRE(outcome);
  CHECK(outcome->applied == 3);
  CHECK(outcome->older == 2);
  CHECK(outcome->refused == 1);
  CHECK_FALSE(parse_push_outcome(R"({"applied":1,"older":0})"));
  CHECK_FALSE(parse_push_outcome(R"({"applied":-1,"older":0,"refused":0})"));
  CHECK_FALSE(parse_push_outcome("<html>"));
}

TEST_CASE("POST /peer/actions: a token, JSON and a push document, or nothing changes") {
  Fixture f;
  const std::uint16_t port = f.server->port();
  const std::string drain_a = render_push("ns1", {record("a", ActionKind::drain, 1, now_ms())});

  CHECK(post_push(port, drain_a, "").status == 401);
  CHECK(post_push(port, drain_a, "not-the-token").status == 401);
  const HttpReply no_type = post_push(port, drain_a, kToken, "");
  CHECK(no_type.status == 415);
  CHECK(post_push(port, drain_a, kToken, "text/plain").status == 415);
  const HttpReply garbage = post_push(port, "drain everything", kToken);
  CHECK(garbage.status == 400);
  CHECK(garbage.body.find("not a push of operator actions: not JSON") != std::string::npos);
  CHECK(post_push(port, drain_a, kToken, "application/json", "Origin: https://evil.example\r\n")
            .status == 403);
  CHECK(http(port, "GET", "/peer/actions", kToken).status == 405);
  // Larger than max_request_bytes (16 KiB by default): refused before the body is read.
  CHECK(http_raw(port, std::string("POST /peer/actions HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
                           "Authorization: Bearer " + kToken +
                           "\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n")
            .status == 413);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(health_of(f, 0).drained);
  HttpReply status = http(port, "GET", "/status");
  CHECK(status.body.find(R"("actions":[])") != std::string::npos);

  const HttpReply taken = post_push(port, drain_a, kToken, "application/json; charset=utf-8");
  REQUIRE(taken.status == 200);
  CHECK(taken.body == R"({"applied":1,"older":0,"refused":0})"
                      "\n");
  CHECK(wait_until([&] { return health_of(f, 0).drained; }));
  status = http(port, "GET", "/status");
  CHECK(status.body.find(R"("kind":"drain","value":"on")") != std::string::npos);
  CHECK(status.body.find(R"("origin":"ns1")") != std::string::npos);

  // An undrain stamped before the drain loses; the same record again is not newer either; one
  // for a member this config lacks is refused.
  const std::string older =
      render_push("ns2", {record("a", ActionKind::drain, 0, now_ms() - 60'000),
                          record("zz", ActionKind::drain, 1, now_ms())});
  CHECK(post_push(port, older, kToken).body == R"({"applied":0,"older":1,"refused":1})"
                                               "\n");
  CHECK(post_push(port, drain_a, kToken).body == R"({"applied":0,"older":1,"refused":0})"
                                                 "\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(health_of(f, 0).drained);

  const std::string metrics = http(port, "GET", "/metrics").body;
  check_samples(metrics, "gslbd_peer_pushes_received_total", "result",
                {{"accepted", "3"}, {"unauthorized", "2"}, {"malformed", "3"}, {"oversized", "1"}});
  check_samples(metrics, "gslbd_peer_pushed_records_total", "result",
                {{"applied", "1"}, {"older", "2"}, {"refused", "1"}});
}

TEST_CASE("POST /peer/actions needs a token even where admin actions need none") {
  gslbd::runtime::ControlConfig settings;
  settings.admin_without_token = true;
  Fixture f(settings);
  const std::string drain_b = render_push("ns1", {record("b", ActionKind::drain, 1, now_ms())});
  const HttpReply reply = post_push(f.server->port(), drain_b, "");
  CHECK(reply.status == 401);
  CHECK(reply.body.find("pushes need a token and none is configured") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(health_of(f, 1).drained);
}

TEST_CASE("actions taken here are handed on to be pushed, records merged from peers never are") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  gslbd::runtime::SnapshotPublisher publisher;
  publisher.publish(make_config());
  {
    OperatorState state(&loop, &publisher, nullptr, "");
    std::vector<OperatorAction> handed;
    state.on_taken([&](const OperatorAction& a) { handed.push_back(a); });
    REQUIRE(state.take(ActionKind::drain, "app", "a", 1, 0) == OperatorState::Outcome::ok);
    REQUIRE(handed.size() == 1);
    CHECK(handed[0] == *state.actions().find("app", "a", ActionKind::drain));
    CHECK(handed[0].seq == 1);

    const MergeCounts merged =
        state.merge_from_peer("ns2", {record("b", ActionKind::drain, 1, now_ms()),
                                      record("a", ActionKind::drain, 0, handed[0].at_ms - 1),
                                      record("zz", ActionKind::drain, 1, now_ms()),
                                      record("b", ActionKind::force, 0, now_ms() + 3'600'000)});
    CHECK(merged.taken == 1);
    CHECK(merged.older == 1);
    CHECK(merged.refused == 2);  // no member zz; a force stamped an hour ahead
    CHECK(handed.size() == 1);   // nothing merged is pushed on
    CHECK(state.actions().find("app", "b", ActionKind::drain)->origin == "ns1");
    CHECK(state.actions().find("app", "a", ActionKind::drain)->value == 1);
    CHECK(state.actions().find("app", "b", ActionKind::force) == nullptr);
    state.stop();
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}
