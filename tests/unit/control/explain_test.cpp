// SPDX-License-Identifier: Apache-2.0
// /explain: the decision for weighted and hash pools, fallback, and static names; the same
// request gives the same explanation.
#include <doctest/doctest.h>

#include "control_test_support.hpp"
#include "gslbd/pool/selection.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

namespace {

bool has(const std::string& body, const std::string& fragment) {
  const bool found = body.find(fragment) != std::string::npos;
  if (!found) MESSAGE("missing " << fragment << " in " << body);
  return found;
}

}  // namespace

TEST_CASE("weighted pool: drained and other-family members are explained; degraded TTL") {
  Fixture f;
  REQUIRE(f.health.drain("app/b", true));
  REQUIRE(wait_until([&] { return f.config->pools->health->read(1).drained; }));
  const std::string target = "/explain?name=app.example.test&type=A&client=198.51.100.7";
  const HttpReply reply = http(f.server->port(), "GET", target);
  REQUIRE(reply.status == 200);
  const std::string& body = reply.body;
  CHECK(has(body, R"("name":"app.example.test.","type":"A","client":"198.51.100.7/32",)"
                  R"("client_source":"parameter","seed":")"));
  CHECK(has(body, R"("zone":"example.test.")"));
  CHECK(has(body, R"("service":{"name":"app.example.test.","pool":"app",)"
                  R"("ttl":{"normal":30,"degraded":5,"used":5},"policy":"weighted")"));
  CHECK(has(body, R"("outcome":"normal","degraded":true,"ecs_scope":null,"answer":["192.0.2.1"])"));
  CHECK(has(body, R"("name":"a","address":"192.0.2.1","family":4,"up":true,"known":true,)"
                  R"("drained":false,"forced":false,"weight":100,"agent_weight":100,)"
                  R"("effective_weight":10000,"rtt_ms":0,"priority":0,"chosen":true,"position":0,)"
                  R"("reason":"chosen by weighted draw"})"));
  CHECK(has(body, R"("name":"b","address":"192.0.2.2","family":4,"up":true,"known":true,)"
                  R"("drained":true)"));
  CHECK(has(body, R"("chosen":false,"reason":"drained"})"));
  CHECK(has(body, R"("chosen":false,"reason":"other family"})"));
  CHECK(has(body, R"("result":"NOERROR")"));
  // Deterministic: the same request, the same explanation.
  CHECK(http(f.server->port(), "GET", target).body == body);
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
  CHECK(has(reply.body, R"("outcome":"fallback")"));
  CHECK(has(reply.body, R"("answered_from_pool":"spare")"));
  CHECK(has(reply.body, R"("answer":["192.0.2.99"])"));
  CHECK(has(reply.body, R"("reason":"forced down")"));
  CHECK(has(reply.body, R"("pool":"spare","name":"x")"));
  CHECK(has(reply.body, R"("reason":"fallback pool: chosen by weighted draw"})"));
}

TEST_CASE("hash pool: the subnet decides, the scope is the hash prefix") {
  Fixture f;
  const HttpReply reply = http(f.server->port(), "GET",
                               "/explain?name=sticky.example.test&type=A&client=198.51.100.0/24");
  REQUIRE(reply.status == 200);
  const std::string& body = reply.body;
  CHECK(has(body, R"("client":"198.51.100.0/24","client_source":"parameter, as an ECS subnet")"));
  CHECK(has(body, R"("policy":"hash")"));
  CHECK(has(body, R"("ecs_scope":24)"));

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
  CHECK(has(body, "\"name\":\"" + chosen.name + "\",\"address\":\"" +
                      gslbd::util::address_text(chosen.address) + "\""));
  CHECK(has(body, R"("reason":"chosen: highest rendezvous score for this client subnet"})"));
  std::size_t lower = 0;
  for (std::size_t at = body.find("lower rendezvous score"); at != std::string::npos;
       at = body.find("lower rendezvous score", at + 1)) {
    ++lower;
  }
  CHECK(lower == 2);
  // Another address in the same /24 gets the same member.
  const HttpReply same =
      http(f.server->port(), "GET", "/explain?name=sticky.example.test&client=198.51.100.200/24");
  CHECK(has(same.body, "\"answer\":[\"" + gslbd::util::address_text(chosen.address) + "\"]"));
}

TEST_CASE("static names: RRset, CNAME, NODATA, NXDOMAIN, referral, REFUSED") {
  Fixture f;
  const auto port = f.server->port();
  const HttpReply www = http(port, "GET", "/explain?name=www.example.test.&type=A");
  CHECK(has(www.body,
            R"("kind":"static","detail":"exact match: static A RRset of 1 record(s), TTL 60")"));
  CHECK(has(www.body, R"("client_source":"no client given: the address this request came from")"));
  CHECK(has(www.body, R"("result":"NOERROR")"));
  const HttpReply alias = http(port, "GET", "/explain?name=alias.example.test&type=A");
  CHECK(has(alias.body,
            R"("kind":"cname","detail":"exact match: CNAME to www.example.test., TTL 120")"));
  CHECK(has(alias.body, R"("owner":"www.example.test.","kind":"static")"));
  const HttpReply nodata = http(port, "GET", "/explain?name=www.example.test&type=AAAA");
  CHECK(has(nodata.body, R"("result":"NODATA")"));
  const HttpReply nx = http(port, "GET", "/explain?name=nothing.example.test");
  CHECK(has(nx.body, R"("result":"NXDOMAIN")"));
  const HttpReply referral = http(port, "GET", "/explain?name=host.sub.example.test");
  CHECK(has(referral.body, R"("result":"referral","detail":"delegated at sub.example.test.")"));
  const HttpReply refused = http(port, "GET", "/explain?name=www.example.org");
  CHECK(has(refused.body, R"("zone":null,"result":"REFUSED")"));
  const HttpReply txt = http(port, "GET", "/explain?name=app.example.test&type=TXT");
  CHECK(has(txt.body, R"("result":"NODATA")"));
}

TEST_CASE("a name below a DNAME: the DNAME step with its target, then the new name") {
  Fixture f;
  const HttpReply reply = http(f.server->port(), "GET", "/explain?name=www.dn.example.test");
  CHECK(has(reply.body, R"("owner":"www.dn.example.test.","kind":"dname","detail":"below the )"
                        R"(DNAME at dn.example.test., TTL 600: synthesised CNAME to )"
                        R"(www.example.test.","match":"dname","closest_encloser":)"
                        R"("dn.example.test.","dname_owner":"dn.example.test.","target":)"
                        R"("www.example.test."})"));
  CHECK(has(reply.body, R"("owner":"www.example.test.","kind":"static")"));
  CHECK(has(reply.body, R"("result":"NOERROR")"));
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
