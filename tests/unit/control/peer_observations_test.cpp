// SPDX-License-Identifier: Apache-2.0
// The strict JSON reader and the observations reader: what this instance writes reads back
// field for field; what RFC 8259 refuses, duplicates, wrong types, a wrong format and counts
// past the bounds are refused with a reason; sections a later format adds are skipped.
#include <doctest/doctest.h>

#include "control/json_reader.hpp"
#include "control/observations.hpp"
#include "control/peer_observations.hpp"
#include "control_test_support.hpp"

using namespace gslbd::control;

namespace {

bool json_ok(std::string_view text) {
  std::string error;
  return parse_json(text, error).has_value();
}

std::string observations_error(std::string_view text) {
  std::string error;
  const auto parsed = parse_peer_observations(text, error);
  return parsed ? std::string() : error;
}

const std::string kDigest(64, 'a');

}  // namespace

TEST_CASE("json reader: RFC 8259 values, and only them") {
  std::string error;
  const auto v = parse_json(R"( {"a": [1, 0, 18446744073709551615, 2.5, -3, true, null],
                              "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u0041"} )",
                            error);
  REQUIRE(v);
  const auto* a = v->find("a")->as_array();
  REQUIRE(a != nullptr);
  CHECK((*a)[0].as_uint() == 1u);
  CHECK((*a)[1].as_uint() == 0u);
  CHECK((*a)[2].as_uint() == UINT64_MAX);
  CHECK_FALSE((*a)[3].as_uint());  // a fraction is a number, not a whole one
  CHECK_FALSE((*a)[4].as_uint());
  CHECK((*a)[5].as_bool() == true);
  CHECK((*a)[6].is_null());
  CHECK(*v->find("s")->as_string() ==
        "x\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80"
        "A");

  CHECK_FALSE(parse_json("18446744073709551616", error)->as_uint());  // too big: not whole
  for (const char* bad : {"",
                          " ",
                          "{",
                          "[1,]",
                          "{\"a\":1,}",
                          "{\"a\" 1}",
                          "{'a':1}",
                          "01",
                          "1.",
                          ".5",
                          "-",
                          "1e",
                          "+1",
                          "tru",
                          "nul",
                          "\"\\x\"",
                          "\"\\u12\"",
                          "\"\\ud800\"",
                          "\"\\udc00\"",
                          "\"\\ud800\\u0041\"",
                          "\"a\nb\"",
                          "\"\xc3\x28\"",
                          "\"\xc0\xaf\"",
                          "\"\xed\xa0\x80\"",
                          "\"\xf4\x90\x80\x80\"",
                          "\"abc",
                          "{\"a\":1,\"a\":2}",
                          "[1] [2]",
                          "// x\n1",
                          "NaN"}) {
    CAPTURE(bad);
    CHECK_FALSE(json_ok(bad));
  }
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  CHECK_FALSE(parse_json(deep, error));
  CHECK(error.find("nested too deeply") != std::string::npos);
  CHECK(json_ok(std::string(kMaxJsonDepth, '[') + "0" + std::string(kMaxJsonDepth, ']')));
  std::string wide = "{";
  for (std::size_t i = 0; i <= kMaxJsonObjectMembers; ++i) {
    wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  }
  CHECK_FALSE(json_ok(wide + "}"));
}

TEST_CASE("observations: what this instance writes, its peers read back") {
  auto config = std::make_shared<gslbd::runtime::Config>(*test::make_config());
  gslbd::runtime::Snapshot snapshot{config, 9};
  ObservationsInput in;
  in.snapshot = &snapshot;
  in.instance = "ns1.example";
  const std::string text = render_observations(in);
  std::string error;
  const auto parsed = parse_peer_observations(text, error);
  INFO(error);
  REQUIRE(parsed);
  CHECK(parsed->instance == "ns1.example");
  CHECK(parsed->generation == 9);
  REQUIRE(parsed->pools.size() == config->pools->pools.size());
  CHECK(parsed->pools[0].name == "app");
  CHECK(parsed->pools[0].digest.size() == 64);
  REQUIRE(parsed->pools[0].members.size() == 3);
  CHECK(parsed->pools[0].members[0].name == "a");
  CHECK(parsed->pools[0].members[0].up);  // no checks: always up, never stale
  CHECK(parsed->pools[0].members[0].age_ms == 0u);
  CHECK(parsed->pools[0].members[0].generation == 9);
}

TEST_CASE("observations: strict fields, a later format's sections skipped") {
  const std::string member = R"({"name":"a","known":true,"up":true,"age_ms":5,"generation":2})";
  auto doc = [&](const std::string& members, const std::string& extra = "") {
    return R"({"format":1,"instance":"ns2","generation":2,"pools":[{"name":"web","digest":")" +
           kDigest + R"(","members":[)" + members + "]}]" + extra + "}";
  };
  CHECK(observations_error(doc(member)).empty());
  CHECK(observations_error(doc(member, R"(,"operator_actions":[{"seq":1}])")).empty());
  CHECK(observations_error(doc(R"({"name":"a","known":false,"up":false,"age_ms":null,)"
                               R"("generation":2})"))
            .empty());

  CHECK(observations_error("[]") == "document: not an object");
  CHECK(observations_error(R"({"format":2,"instance":"x","generation":1,"pools":[]})") ==
        "document: format 2, expected 1");
  CHECK(observations_error(R"({"format":1,"generation":1,"pools":[]})") ==
        "document: 'instance' is missing");
  CHECK(observations_error(doc(R"({"name":"a","known":true,"up":"yes","age_ms":5,)"
                               R"("generation":2})")) ==
        "pools[0].members[0]: 'up' is not true or false");
  CHECK(observations_error(doc(R"({"name":"a","known":true,"up":true,"age_ms":-5,)"
                               R"("generation":2})")) ==
        "pools[0].members[0]: 'age_ms' is not a whole number or null");
  CHECK(observations_error(doc(member + "," + member)) ==
        "pools[0].members[1]: member 'a' is listed twice");
  CHECK(observations_error(doc(R"({"name":"","known":true,"up":true,"age_ms":5,)"
                               R"("generation":2})"))
            .find("'name' is not a string of 1 to 255") != std::string::npos);
  std::string bad_digest = doc(member);
  bad_digest.replace(bad_digest.find(kDigest), 1, "A");
  CHECK(observations_error(bad_digest) == "pools[0]: 'digest' is not 64 lower-case hex digits");
  CHECK(observations_error("<html>").rfind("not JSON: offset 0", 0) == 0);
}
