// SPDX-License-Identifier: Apache-2.0
// The load-based policies do not herd: with two sites and a steady load, the answer shares
// approach their balance from one side and stay in a band, poll after poll, instead of sending
// each poll's new clients to whichever site was least loaded at the last one.
//
// The loop is the real one: select_members draws the answers from the published Load, new
// long-lived sessions follow those answers, and the balancer's session count goes through
// health::LoadAverager before it is published again, as the health loop does it.
#include <cmath>
#include <vector>

#include "gslbd/health/load.hpp"
#include "pool_test_support.hpp"

using namespace test;

namespace {

struct Site {
  std::string name;
  std::uint32_t limit;
  double sessions = 0;
  gslbd::health::LoadAverager averager;
};

// Shares of site "a" per poll. Each poll: `rounds` answers are drawn; every answer brings
// `per_answer` new sessions; sessions end at `turnover` per poll.
std::vector<double> run(PolicyKind kind, std::vector<Site>& sites, double start_a, double start_b,
                        int polls, int rounds, double per_answer = 0.25, double turnover = 0.2) {
  World w;
  const auto p = w.add(make_pool("lc", kind, 1), {{"a", "198.18.1.1"}, {"b", "198.18.2.1"}});
  w.finish();
  sites[0].sessions = start_a;
  sites[1].sessions = start_b;
  std::vector<double> shares;
  std::uint64_t now_ns = 1'000'000'000;
  for (int poll = 0; poll < polls; ++poll) {
    for (Site& site : sites) {
      gslbd::health::LoadSample sample;
      sample.sessions = static_cast<std::uint64_t>(std::llround(site.sessions));
      sample.session_limit = site.limit;
      site.averager.add(sample, now_ns);
      w.set.health->write_load(w.slot_of(p, site.name), site.averager.load());
    }
    now_ns += 1'000'000'000;
    const auto counts = tally(rounds, [&] { return w.select(p); });
    const double a = counts.count("a") ? counts.at("a") : 0;
    const double b = counts.count("b") ? counts.at("b") : 0;
    shares.push_back(a / (a + b));
    sites[0].sessions = sites[0].sessions * (1 - turnover) + a * per_answer;
    sites[1].sessions = sites[1].sessions * (1 - turnover) + b * per_answer;
  }
  return shares;
}

// Deviations from the settled share that flip sign from one poll to the next.
int alternations(const std::vector<double>& shares, double settled, double band) {
  int flips = 0;
  for (std::size_t i = 1; i < shares.size(); ++i) {
    const double before = shares[i - 1] - settled;
    const double now = shares[i] - settled;
    if (std::abs(before) > band && std::abs(now) > band && (before > 0) != (now > 0)) ++flips;
  }
  return flips;
}

}  // namespace

TEST_CASE("least_connections: shares settle from an unbalanced start without alternating") {
  // Steady state: 4000 answers x 0.25 sessions / 0.2 turnover = 5000 sessions over two sites
  // of 4000 each: balanced at 2500 each, share 0.5.
  std::vector<Site> sites{{"a", 4000, 0, {}}, {"b", 4000, 0, {}}};
  const auto shares = run(PolicyKind::least_connections, sites, 3500, 0, 30, 4000);
  std::string trace;
  for (double s : shares) trace += std::to_string(s).substr(0, 5) + " ";
  MESSAGE("shares of site a per poll: " << trace);
  // Site a starts loaded: it gets less than half at first...
  CHECK(shares.front() < 0.35);
  // ...and the shares then settle within a band around the balance and stay there.
  for (std::size_t i = 15; i < shares.size(); ++i) CHECK(std::abs(shares[i] - 0.5) < 0.05);
  CHECK(alternations(shares, 0.5, 0.03) <= 1);
}

TEST_CASE("least_connections: sites of different limits settle at their capacity ratio") {
  // 6000 sessions over limits of 2000 and 6000. The balance equalises the spare fraction:
  // (2000 - x) / 2000 = (6000 - (6000 - x)) / 6000 -> x = 1500: site a's share 0.25.
  // 4800 answers x 0.25 / 0.2 = 6000 sessions.
  std::vector<Site> sites{{"a", 2000, 0, {}}, {"b", 6000, 0, {}}};
  const auto shares = run(PolicyKind::least_connections, sites, 0, 0, 30, 4800);
  std::string trace;
  for (double s : shares) trace += std::to_string(s).substr(0, 5) + " ";
  MESSAGE("shares of site a per poll: " << trace);
  double late = 0;
  for (std::size_t i = 20; i < shares.size(); ++i) late += shares[i];
  late /= static_cast<double>(shares.size() - 20);
  CHECK(late > 0.15);
  CHECK(late < 0.35);
  CHECK(alternations(shares, late, 0.03) <= 1);
}

TEST_CASE("least_connections: short sessions under heavy load do not swing between sites") {
  // Every session ends within a poll (turnover 1): each poll's count is only the answers of
  // the poll before, the hardest case for feedback. 4000 answers x 1.25 = 5000 sessions on
  // 2 x 4000: with the newest poll taken whole the shares would jump from one side of the
  // balance to the other every poll; averaged, they settle within a few polls.
  std::vector<Site> sites{{"a", 4000, 0, {}}, {"b", 4000, 0, {}}};
  const auto shares = run(PolicyKind::least_connections, sites, 4000, 0, 30, 4000, 1.25, 1.0);
  std::string trace;
  for (double s : shares) trace += std::to_string(s).substr(0, 5) + " ";
  MESSAGE("shares of site a per poll: " << trace);
  for (std::size_t i = 8; i < shares.size(); ++i) CHECK(std::abs(shares[i] - 0.5) < 0.05);
  CHECK(alternations(shares, 0.5, 0.05) <= 2);
}
