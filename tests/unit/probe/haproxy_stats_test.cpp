// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "probe/haproxy_stats.hpp"

namespace {

using gslbd::probe::evaluate_haproxy;
using gslbd::probe::HaproxyRowType;
using gslbd::probe::HaproxyStats;
using gslbd::probe::HaproxyTarget;
using gslbd::probe::parse_haproxy_stats;

// Replies recorded from Debian 12's HAProxy 2.6 (`echo "show stat" | socat - UNIX:...`): one
// while the servers' first checks were still running, one after.
std::string recorded(const char* name) {
  std::ifstream in(std::string(GSLBD_TEST_DATA) + "/haproxy/" + name, std::ios::binary);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HaproxyTarget web_target(unsigned min_up = 1) {
  HaproxyTarget target;
  target.frontend = "fe_web";
  target.backends = {"be_app", "be_static"};
  target.min_up_servers = min_up;
  return target;
}

// A small hand-made table with the columns in another order than HAProxy's.
std::string table(const std::string& frontend_status, const std::string& s1,
                  const std::string& s2) {
  return "# type,svname,pxname,status,scur,slim,rate,bin,bout,qcur,rtime,ttime\n"
         "0,FRONTEND,fe," +
         frontend_status +
         ",7,100,3,1000,2000,,,\n"
         "2,s1,be," +
         s1 +
         ",1,,,,,0,,\n"
         "2,s2,be," +
         s2 +
         ",1,,,,,2,,\n"
         "1,BACKEND,be,UP,2,10,,,,4,25,40\n";
}

}  // namespace

TEST_CASE("a recorded HAProxy 2.6 reply parses into every row with its figures") {
  const std::string text = recorded("show_stat_up.csv");
  HaproxyStats stats;
  REQUIRE(parse_haproxy_stats(text, stats) == "");
  REQUIRE(stats.rows.size() == 6);
  CHECK(stats.rows[0].proxy == "fe_web");
  CHECK(stats.rows[0].service == "FRONTEND");
  CHECK(stats.rows[0].type == HaproxyRowType::frontend);
  CHECK(stats.rows[0].status == "OPEN");
  CHECK(stats.rows[0].session_limit == 500);
  CHECK(stats.rows[2].service == "app2");
  CHECK(stats.rows[2].type == HaproxyRowType::server);
  CHECK(stats.rows[2].status == "DOWN");
  CHECK(stats.rows[3].type == HaproxyRowType::backend);
}

TEST_CASE("deep health from a recorded reply: a frontend OPEN with enough servers UP") {
  HaproxyStats stats;
  const std::string text = recorded("show_stat_up.csv");
  REQUIRE(parse_haproxy_stats(text, stats) == "");
  const auto verdict = evaluate_haproxy(stats, web_target());
  CHECK(verdict.up);
  CHECK(verdict.reason == "");
  CHECK(verdict.load.up_servers == 2);  // app1 and st1; app2 is DOWN
  CHECK(verdict.load.session_limit == 500);
  CHECK(verdict.load.bytes_in > 0);

  const auto two = evaluate_haproxy(stats, web_target(2));
  CHECK_FALSE(two.up);
  CHECK(two.reason == "backend 'be_app' has 1 of 2 servers up, needs 2");
}

TEST_CASE("servers whose first checks have not passed yet do not count as up") {
  HaproxyStats stats;
  const std::string text = recorded("show_stat_starting.csv");
  REQUIRE(parse_haproxy_stats(text, stats) == "");
  const auto verdict = evaluate_haproxy(stats, web_target());
  CHECK_FALSE(verdict.up);
  CHECK(verdict.reason == "backend 'be_app' has 0 of 2 servers up, needs 1");
}

TEST_CASE("which server states take traffic") {
  HaproxyStats stats;
  HaproxyTarget target;
  target.frontend = "fe";
  target.backends = {"be"};
  target.min_up_servers = 2;
  struct Case {
    const char* s1;
    const char* s2;
    bool up;
  };
  for (const Case c :
       {Case{"UP", "UP", true}, Case{"UP 1/3", "UP", true}, Case{"no check", "UP", true},
        Case{"DRAIN", "UP", false}, Case{"MAINT", "UP", false}, Case{"NOLB", "UP", false},
        Case{"DOWN 1/2", "UP", false}, Case{"MAINT (via be/s3)", "UP", false}}) {
    const std::string text = table("OPEN", c.s1, c.s2);
    REQUIRE(parse_haproxy_stats(text, stats) == "");
    CAPTURE(c.s1);
    CHECK(evaluate_haproxy(stats, target).up == c.up);
  }
}

TEST_CASE("columns are found by name, and the load figures come from the right rows") {
  HaproxyStats stats;
  const std::string text = table("OPEN", "UP", "UP");
  REQUIRE(parse_haproxy_stats(text, stats) == "");
  HaproxyTarget target;
  target.frontend = "fe";
  target.backends = {"be"};
  const auto verdict = evaluate_haproxy(stats, target);
  CHECK(verdict.up);
  CHECK(verdict.load.sessions == 7);
  CHECK(verdict.load.session_limit == 100);
  CHECK(verdict.load.session_rate == 3);
  CHECK(verdict.load.bytes_in == 1000);
  CHECK(verdict.load.bytes_out == 2000);
  CHECK(verdict.load.queue == 4);
  CHECK(verdict.load.response_ms == 25);
  CHECK(verdict.load.total_ms == 40);
}

TEST_CASE("a frontend that is not OPEN, or a missing frontend or backend, is down with a reason") {
  HaproxyStats stats;
  HaproxyTarget target;
  target.frontend = "fe";
  target.backends = {"be"};
  std::string text = table("STOP", "UP", "UP");
  REQUIRE(parse_haproxy_stats(text, stats) == "");
  CHECK(evaluate_haproxy(stats, target).reason == "frontend 'fe' is STOP");
  text = table("OPEN", "UP", "UP");
  REQUIRE(parse_haproxy_stats(text, stats) == "");
  target.frontend = "other";
  CHECK(evaluate_haproxy(stats, target).reason == "frontend 'other' is not in the stats");
  target.frontend = "fe";
  target.backends = {"be", "gone"};
  CHECK(evaluate_haproxy(stats, target).reason == "backend 'gone' is not in the stats");
}

TEST_CASE("unusable replies are refused with a reason") {
  HaproxyStats stats;
  CHECK(parse_haproxy_stats("", stats) == "empty stats reply");
  CHECK(
      parse_haproxy_stats("Unknown command. Please enter one of the following commands...\n", stats)
          .find("not HAProxy CSV statistics") == 0);
  CHECK(parse_haproxy_stats("# pxname,svname,type\n", stats) ==
        "stats header has no 'status' column");
  const std::string full = recorded("show_stat_up.csv");
  // Cut in the middle of a line: the partial line is not taken as a row.
  CHECK(parse_haproxy_stats(std::string_view(full).substr(0, full.size() - 40), stats)
            .find("stats reply cut short at line") == 0);
  CHECK(parse_haproxy_stats("# pxname,svname,status,type\nfe,FRONTEND\n", stats) ==
        "stats line 2 has no 'status' field");
  const std::string huge(gslbd::probe::kMaxHaproxyStatsBytes + 1, 'x');
  CHECK(parse_haproxy_stats(huge, stats).find("larger than") != std::string::npos);
  std::string many = "# pxname,svname,status,type\n";
  for (std::size_t i = 0; i <= gslbd::probe::kMaxHaproxyStatsRows; ++i) many += "b,s,UP,2\n";
  CHECK(parse_haproxy_stats(many, stats).find("more than") != std::string::npos);
  // Numbers that are not numbers are absent, not zero or garbage.
  REQUIRE(parse_haproxy_stats("# pxname,svname,status,type,scur\nfe,FRONTEND,OPEN,0,-5\n", stats) ==
          "");
  CHECK_FALSE(stats.rows[0].sessions.has_value());
}
