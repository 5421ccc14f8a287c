// SPDX-License-Identifier: Apache-2.0
// Operator action records: the newest per (pool, member, kind) wins whatever the order they
// arrive in; the state document round-trips and every malformed record is refused with where
// and why; the state file is replaced atomically and read within its bound.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "control/operator_actions.hpp"
#include "control/state_file.hpp"

using namespace gslbd::control;

namespace {

OperatorAction make(const char* member, ActionKind kind, std::int64_t value, std::uint64_t at,
                    std::uint64_t seq, const char* origin = "ns1") {
  OperatorAction a;
  a.pool = "web";
  a.member = member;
  a.kind = kind;
  a.value = value;
  a.origin = origin;
  a.at_ms = at;
  a.seq = seq;
  return a;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/gslbd-state-test-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("the newest record per member and kind wins, in any order of arrival") {
  const OperatorAction older = make("a", ActionKind::drain, 1, 1000, 5, "ns1");
  const OperatorAction newer_time = make("a", ActionKind::drain, 0, 2000, 1, "ns2");
  const OperatorAction same_time_higher_seq = make("a", ActionKind::drain, 1, 2000, 2, "ns0");
  const OperatorAction other_kind = make("a", ActionKind::weight, 5, 10, 1);
  for (int order = 0; order < 2; ++order) {
    ActionSet set;
    if (order == 0) {
      CHECK(set.merge(older));
      CHECK(set.merge(newer_time));
      CHECK(set.merge(same_time_higher_seq));
    } else {
      CHECK(set.merge(same_time_higher_seq));
      CHECK_FALSE(set.merge(newer_time));
      CHECK_FALSE(set.merge(older));
    }
    CHECK(set.merge(other_kind));
    REQUIRE(set.size() == 2);
    CHECK(*set.find("web", "a", ActionKind::drain) == same_time_higher_seq);
    CHECK(set.find("web", "a", ActionKind::weight)->value == 5);
    CHECK_FALSE(set.merge(same_time_higher_seq));  // the same record again changes nothing
  }
  // equal time and seq: the origin decides, the same way on every instance
  CHECK(newer(make("a", ActionKind::drain, 1, 5, 1, "ns2"),
              make("a", ActionKind::drain, 1, 5, 1, "ns1")));
  CHECK_FALSE(newer(make("a", ActionKind::drain, 1, 5, 1, "ns1"),
                    make("a", ActionKind::drain, 1, 5, 1, "ns2")));
}

TEST_CASE("a set holds at most kMaxActions keys") {
  ActionSet set;
  for (std::size_t i = 0; i < kMaxActions; ++i) {
    REQUIRE(set.merge(make(("m" + std::to_string(i)).c_str(), ActionKind::drain, 1, 1, 1)));
  }
  CHECK_FALSE(set.merge(make("one-more", ActionKind::drain, 1, 1, 1)));
  CHECK(set.merge(make("m0", ActionKind::drain, 0, 2, 2)));  // an existing key still updates
}

TEST_CASE("clearing records and expiry") {
  CHECK(make("a", ActionKind::drain, 0, 1, 1).clears(0));
  CHECK_FALSE(make("a", ActionKind::drain, 1, 1, 1).clears(0));
  CHECK(make("a", ActionKind::force, kClear, 1, 1).clears(0));
  OperatorAction forced = make("a", ActionKind::force, 0, 1, 1);
  forced.expires_at_ms = 100;
  CHECK_FALSE(forced.clears(99));
  CHECK(forced.clears(100));
  CHECK(make("a", ActionKind::weight, 0, 1, 1).value_text() == "0");
  CHECK(make("a", ActionKind::weight, kClear, 1, 1).describe() == "weight web/a auto");
}

TEST_CASE("the state document round-trips") {
  ActionSet set;
  OperatorAction f = make("a", ActionKind::force, 1, 1700000000000, 3);
  f.expires_at_ms = 1700000060000;
  set.merge(f);
  set.merge(make("b", ActionKind::weight, 1000000, 1700000000001, 4, "ns2"));
  set.merge(make("b", ActionKind::drain, 0, 1700000000002, 5));
  std::string error;
  const auto doc = parse_state(render_state("ns1", 5, set), error);
  REQUIRE_MESSAGE(doc, error);
  CHECK(doc->instance == "ns1");
  CHECK(doc->seq == 5);
  ActionSet back;
  for (const OperatorAction& a : doc->actions) back.merge(a);
  CHECK(back.records() == set.records());
}

TEST_CASE("malformed state documents are refused with where and why") {
  const std::string good_action =
      R"({"pool":"web","member":"a","kind":"drain","value":"on","expires_at_ms":0,)"
      R"("origin":"ns1","at_ms":1,"seq":1})";
  auto doc_with = [](const std::string& action) {
    return R"({"format":1,"instance":"ns1","seq":1,"actions":[)" + action + "]}";
  };
  std::string error;
  REQUIRE(parse_state(doc_with(good_action), error));
  struct Case {
    std::string text;
    std::string says;
  };
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good_action;
    s.replace(s.find(from), from.size(), to);
    return doc_with(s);
  };
  const Case cases[] = {
      {"", "offset 0"},
      {R"({"format":1,"instance":"ns1","seq":1,"actions":[)", "offset"},
      {"[]", "not a JSON object"},
      {R"({"format":2,"instance":"x","seq":1,"actions":[]})", "'format' is not 1"},
      {R"({"format":1,"instance":"x","seq":1})", "no 'actions'"},
      {R"({"format":1,"instance":"x","seq":-1,"actions":[]})", "'seq'"},
      {replace(R"("kind":"drain")", R"("kind":"pause")"), "actions[0]: 'kind'"},
      {replace(R"("value":"on")", R"("value":"up")"), "actions[0]: 'value' does not fit"},
      {replace(R"("pool":"web")", R"("pool":"")"), "actions[0]: 'pool'"},
      {replace(R"("pool":"web")", R"("pool":")" + std::string(256, 'p') + "\""), "'pool'"},
      {replace(R"("expires_at_ms":0)", R"("expires_at_ms":5)"), "cannot expire"},
      {replace(R"("at_ms":1)", R"("at_ms":1.5)"), "'at_ms'"},
      {doc_with(good_action + ",7"), "actions[1]: not an object"},
      {replace(R"("kind":"drain","value":"on")", R"("kind":"weight","value":"1000001")"),
       "'value'"},
      {replace(R"("kind":"drain","value":"on")", R"("kind":"weight","value":"-1")"), "'value'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    error.clear();
    CHECK_FALSE(parse_state(c.text, error));
    CHECK_MESSAGE(error.find(c.says) != std::string::npos, error);
  }
}

TEST_CASE("the state file is replaced whole and read within its bound") {
  TempDir dir;
  std::string error;
  std::string text;
  CHECK(read_bounded((dir.path / "f").string(), 100, text, error) == ReadOutcome::missing);
  REQUIRE_MESSAGE(replace_file(dir.path.string(), "f", "first", error), error);
  REQUIRE_MESSAGE(replace_file(dir.path.string(), "f", "second", error), error);
  CHECK(read_bounded((dir.path / "f").string(), 100, text, error) == ReadOutcome::ok);
  CHECK(text == "second");
  CHECK_FALSE(std::filesystem::exists(dir.path / "f.tmp"));
  CHECK(read_bounded((dir.path / "f").string(), 5, text, error) == ReadOutcome::failed);
  CHECK(error.find("larger than 5 octets") != std::string::npos);
  CHECK_FALSE(replace_file((dir.path / "missing").string(), "f", "x", error));
  CHECK(error.find("cannot create") != std::string::npos);
}
