// SPDX-License-Identifier: Apache-2.0
// /explain: the decision for weighted and hash pools, fallback, and static names; the same
// request gives the same explanation. Replies are read as JSON (gslbctl's reader).
#include <doctest/doctest.h>

#include "control_test_support.hpp"
#include "gslbd/pool/selection.hpp"
#include "json_value.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;
using gslbctl::JsonValue;

namespace {

JsonValue parsed(const HttpReply& reply) {
  std::string error;
  auto value = JsonValue::parse(reply.body, error);
  INFO(reply.body);
  REQUIRE_MESSAGE(value.has_value(), error);
  return std::move(*value);
}

// The service's member `name` of pool `pool`; null when absent.
const JsonValue& member_of(const JsonValue& e, const std::string& pool, const std::string& name) {
  static const JsonValue kNone;
  for (const JsonValue& m : e["service"]["members"].items()) {
    if (m["pool"].as_string() == pool && m["name"].as_string() == name) return m;
  }
  FAIL_CHECK("no member " << pool << "/" << name);
  return kNone;
}

std::vector<std::string> texts(const JsonValue& array) {
  std::vector<std::string> out;
  for (const JsonValue& v : array.items()) out.push_back(v.text());
  return out;
}

}  // namespace

TEST_CASE("weighted pool: drained and other-family members are explained, degraded TTL") {
  Fixture f;
  REQUIRE(f.health.drain("app/b", true));
  REQUIRE(wait_until([&] { return f.config->pools->health->read(1).drained; }));
  const std::string target = "/explain?name=app.example.test&type=A&client=198.51.100.7";
  const HttpReply reply = http(f.server->port(), "GET", target);
  REQUIRE(reply.status == 200);
  const JsonValue e = parsed(reply);
  CHECK(e["name"].as_string() == "app.example.test.");
  CHECK(e["type"].as_string() == "A");
  CHECK(e["client"].as_string() == "198.51.100.7/32");
  CHECK(e["client_source"].as_string() == "parameter");
  CHECK(e["seed"].kind() == JsonValue::Kind::string);
  CHECK(e["zone"].as_string() == "example.test.");
  const JsonValue& service = e["service"];
  CHECK(service["name"].as_string() == "app.example.test.");
  CHECK(service["pool"].as_string() == "app");
  CHECK(service["ttl"]["normal"].as_number() == 30);
  CHECK(service["ttl"]["degraded"].as_number() == 5);
  CHECK(service["ttl"]["used"].as_number() == 5);
  CHECK(service["policy"].as_string() == "weighted");
  CHECK(service["outcome"].as_string() == "normal");
  CHECK(service["degraded"].as_bool());
  CHECK(service["ecs_scope"].is_null());
  CHECK(texts(service["answer"]) == std::vector<std::string>{"192.0.2.1"});
  REQUIRE(service["pools"].items().size() == 1);
  CHECK(service["pools"].items()[0]["name"].as_string() == "app");
  CHECK_FALSE(service["pools"].items()[0]["all_down"].as_bool());

  const JsonValue& a = member_of(e, "app", "a");
  CHECK(a["address"].as_string() == "192.0.2.1");
  CHECK(a["family"].as_number() == 4);
  CHECK(a["up"].as_bool());
  CHECK(a["known"].as_bool());
  CHECK_FALSE(a["drained"].as_bool());
  CHECK_FALSE(a["forced"].as_bool());
  CHECK(a["weight"].as_number() == 100);
  CHECK(a["agent_weight"].as_number() == 100);
  CHECK(a["effective_weight"].as_number() == 10000);
  CHECK(a["draw_weight"].as_number() == 10000);
  CHECK(a["chosen"].as_bool());
  CHECK(a["position"].as_number() == 0);
  CHECK(a["reason_code"].as_string() == "chosen");
  CHECK(a["reason"].as_string() == "chosen by weighted draw");
  const JsonValue& b = member_of(e, "app", "b");
  CHECK(b["up"].as_bool());
  CHECK(b["drained"].as_bool());
  CHECK_FALSE(b["chosen"].as_bool());
  CHECK(b["reason_code"].as_string() == "drained");
  CHECK(b["reason"].as_string() == "drained");
  const JsonValue& v6 = member_of(e, "app", "v6");
  CHECK(v6["reason_code"].as_string() == "other_family");
  CHECK(v6["reason"].as_string() == "other family");
  CHECK(e["result"].as_string() == "NOERROR");
  // Deterministic: the same request, the same explanation.
  CHECK(http(f.server->port(), "GET", target).body == reply.body);
}

TEST_CASE("weighted pool all down: the fallback pool answers") {
  Fixture f;
  REQUIRE(f.health.force("app/a", false));
  REQUIRE(f.health.force("app/b", false));
  REQUIRE(wait_until([&] {
    return !f.config->pools->health->read(0).up && !f.config->pools->health->read(1).up;
  }));
  const HttpReply reply =
      http(f.server->port(), "GET", "/explain?name=app.example.test&client=198.51.100.7");
  REQUIRE(reply.status == 200);
  const JsonValue e = parsed(reply);
  const JsonValue& service = e["service"];
  CHECK(service["outcome"].as_string() == "fallback");
  CHECK(service["answered_from_pool"].as_string() == "spare");
  CHECK(texts(service["answer"]) == std::vector<std::string>{"192.0.2.99"});
  // The walk: app (all down, its action), then spare.
  REQUIRE(service["pools"].items().size() == 2);
  CHECK(service["pools"].items()[0]["name"].as_string() == "app");
  CHECK(service["pools"].items()[0]["all_down"].as_bool());
  CHECK(service["pools"].items()[0]["action"].as_string() == "fallback_pool");
  CHECK(service["pools"].items()[1]["name"].as_string() == "spare");
  const JsonValue& a = member_of(e, "app", "a");
  CHECK(a["forced"].as_bool());
  CHECK(a["reason_code"].as_string() == "down");
  CHECK(a["reason"].as_string() == "forced down");
  const JsonValue& x = member_of(e, "spare", "x");
  CHECK(x["chosen"].as_bool());
  CHECK(x["reason"].as_string() == "fallback pool: chosen by weighted draw");
}

TEST_CASE("hash pool: the subnet decides, the scope is the hash prefix") {
  Fixture f;
  const HttpReply reply = http(f.server->port(), "GET",
                               "/explain?name=sticky.example.test&type=A&client=198.51.100.0/24");
  REQUIRE(reply.status == 200);
  const JsonValue e = parsed(reply);
  CHECK(e["client"].as_string() == "198.51.100.0/24");
  CHECK(e["client_source"].as_string() == "parameter, as an ECS subnet");
  CHECK(e["service"]["policy"].as_string() == "hash");
  CHECK(e["service"]["ecs_scope"].as_number() == 24);

  // The member chosen is the one the policy itself picks for that subnet.
  gslbd::util::Client client;
  client.address = *gslbd::util::parse_address("198.51.100.0");
  client.prefix = 24;
  client.from_ecs = true;
  gslbd::util::Rng rng(1);
  gslbd::pool::SelectContext context{rng, {}};
  const auto selection = gslbd::pool::select_members(*f.config->pools, 1, 4, client, context);
  REQUIRE(selection.count == 1);
  const auto& chosen = selection.pool->members[selection.members[0]];
  const JsonValue& named = member_of(e, "sticky", chosen.name);
  CHECK(named["address"].as_string() == gslbd::util::address_text(chosen.address));
  CHECK(named["chosen"].as_bool());
  CHECK(named["reason"].as_string() == "chosen: highest rendezvous score for this client subnet");
  int lower = 0;
  for (const JsonValue& m : e["service"]["members"].items()) {
    if (m["reason_code"].as_string() == "lower_score") {
      ++lower;
      CHECK(m["reason"].as_string() == "lower rendezvous score for this client subnet");
    }
  }
  CHECK(lower == 2);
  // Another address in the same /24 gets the same member.
  const JsonValue same = parsed(
      http(f.server->port(), "GET", "/explain?name=sticky.example.test&client=198.51.100.200/24"));
  CHECK(texts(same["service"]["answer"]) ==
        std::vector<std::string>{gslbd::util::address_text(chosen.address)});
}

TEST_CASE("static names: RRset, CNAME, NODATA, NXDOMAIN, referral, REFUSED") {
  Fixture f;
  const auto port = f.server->port();
  const JsonValue www = parsed(http(port, "GET", "/explain?name=www.example.test.&type=A"));
  REQUIRE(www["steps"].items().size() == 1);
  CHECK(www["steps"].items()[0]["kind"].as_string() == "static");
  CHECK(www["steps"].items()[0]["detail"].as_string() ==
        "exact match: static A RRset of 1 record(s), TTL 60");
  CHECK(www["client_source"].as_string() == "no client given: the address this request came from");
  CHECK(www["result"].as_string() == "NOERROR");
  const JsonValue alias = parsed(http(port, "GET", "/explain?name=alias.example.test&type=A"));
  REQUIRE(alias["steps"].items().size() == 2);
  CHECK(alias["steps"].items()[0]["kind"].as_string() == "cname");
  CHECK(alias["steps"].items()[0]["detail"].as_string() ==
        "exact match: CNAME to www.example.test., TTL 120");
  CHECK(alias["steps"].items()[1]["owner"].as_string() == "www.example.test.");
  CHECK(alias["steps"].items()[1]["kind"].as_string() == "static");
  const JsonValue nodata = parsed(http(port, "GET", "/explain?name=www.example.test&type=AAAA"));
  CHECK(nodata["result"].as_string() == "NODATA");
  const JsonValue nx = parsed(http(port, "GET", "/explain?name=nothing.example.test"));
  CHECK(nx["result"].as_string() == "NXDOMAIN");
  const JsonValue referral = parsed(http(port, "GET", "/explain?name=host.sub.example.test"));
  CHECK(referral["result"].as_string() == "referral");
  CHECK(referral["detail"].as_string() == "delegated at sub.example.test.");
  const JsonValue refused = parsed(http(port, "GET", "/explain?name=www.example.org"));
  CHECK(refused["zone"].is_null());
  CHECK(refused["result"].as_string() == "REFUSED");
  const JsonValue txt = parsed(http(port, "GET", "/explain?name=app.example.test&type=TXT"));
  CHECK(txt["result"].as_string() == "NODATA");
}

TEST_CASE("a name below a DNAME: the DNAME step with its target, then the new name") {
  Fixture f;
  const JsonValue e = parsed(http(f.server->port(), "GET", "/explain?name=www.dn.example.test"));
  REQUIRE(e["steps"].items().size() == 2);
  const JsonValue& dname = e["steps"].items()[0];
  CHECK(dname["owner"].as_string() == "www.dn.example.test.");
  CHECK(dname["kind"].as_string() == "dname");
  CHECK(dname["detail"].as_string() ==
        "below the DNAME at dn.example.test., TTL 600: synthesised CNAME to www.example.test.");
  CHECK(dname["match"].as_string() == "dname");
  CHECK(dname["closest_encloser"].as_string() == "dn.example.test.");
  CHECK(dname["dname_owner"].as_string() == "dn.example.test.");
  CHECK(dname["target"].as_string() == "www.example.test.");
  CHECK(e["steps"].items()[1]["owner"].as_string() == "www.example.test.");
  CHECK(e["steps"].items()[1]["kind"].as_string() == "static");
  CHECK(e["result"].as_string() == "NOERROR");
}

TEST_CASE("bad explain parameters are 400") {
  Fixture f;
  const auto port = f.server->port();
  CHECK(http(port, "GET", "/explain").status == 400);
  CHECK(http(port, "GET", "/explain?name=www.example.test&type=BOGUS").status == 400);
  CHECK(http(port, "GET", "/explain?name=www.example.test&client=300.1.1.1").status == 400);
  CHECK(http(port, "GET", "/explain?name=www.example.test&client=192.0.2.1/33").status == 400);
  CHECK(http(port, "GET", "/explain?name=www.example.test&seed=-1").status == 400);
  CHECK(http(port, "GET", "/explain?name=a..b").status == 400);
}
