// SPDX-License-Identifier: Apache-2.0
// The health loop: one thread with its own libuv loop that runs every member's checks, applies
// the rise/fall machine, and is the ONLY writer of the health table of the config generation
// in service. Other threads talk to it by message (adopt a new plan, admin actions).
// It is also the one place that logs health: each member's first verdict and up/down change
// (warning for down, info for up, with pool, address, check and reason), pools entering and
// leaving "all down" (judged from the words it wrote, never on the query path), and, at most
// once a minute, probes starting behind schedule.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gslbd/health/check_rule.hpp"
#include "gslbd/health/check_spec.hpp"
#include "gslbd/health/health_table.hpp"
#include "gslbd/health/load.hpp"
#include "gslbd/pool/consensus.hpp"
#include "gslbd/probe/vote.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::probe {

// A recursive resolver the health loop asks for the addresses of members given by host name.
struct ResolverEndpoint {
  util::Address address;
  std::uint16_t port = 53;
  bool operator==(const ResolverEndpoint&) const = default;
};

// Re-resolving a member's host name: after the answer's TTL, kept within these bounds (fixed:
// the floor keeps a TTL of 0 from turning into a query storm, the ceiling keeps a long TTL
// from hiding a move for hours); after a failure, again after the floor.
inline constexpr std::uint32_t kResolveFloorSeconds = 5;
inline constexpr std::uint32_t kResolveCeilingSeconds = 300;

// One member to monitor. Its health word is up when its checks meet its rule (all of them by
// default, see check_rule.hpp); a member with no checks (or only type none) is always up.
struct MonitoredMember {
  std::string key;         // stable across reloads: "pool/member" (the daemon's choice)
  std::uint32_t slot = 0;  // in the plan's health table
  util::Address target;    // check_address if given, else the VIP; family 0: see target_name
  // A member given by host name without a check_address: its checks probe every address the
  // name resolves to (at most 8 of each family, the lowest), re-resolved through the plan's
  // resolvers; it is up when its checks meet its rule at one address at least, and down once
  // `fall` lookups in a row fail (the largest fall of its checks). Empty = none.
  std::string target_name;  // as text, "lb-1.eu.cloud.example."
  std::string target_wire;  // the same in wire form, which the queries carry
  std::vector<health::CheckSpec> checks;
  health::CheckRule rule;  // healthy_when
  health::InitialState initial = health::InitialState::wait;
  // For logs and the all-down watch; optional (a plan without them logs the key and target).
  std::string name;                      // the member's name in its pool
  std::optional<util::Address> address;  // the VIP answers name; its family decides A or AAAA
  std::int32_t pool = -1;                // index in MonitorPlan::pools, -1 = none
  pool::Consensus consensus;             // its pool's rule for combining peers' verdicts
};

// A pool whose members are watched for "all down": no member of a family is serving (up and
// not drained) once every one of them has a verdict. Workers then answer with the pool's
// all_down action; the loop logs when a pool enters and leaves that state.
struct MonitoredPool {
  std::string name;
  std::string all_down;  // the action as logs show it: "serve_all", "fallback_pool NAME", ...
  // The pool counts as all down while fewer of a family's members serve (pool::min_healthy.hpp).
  std::uint32_t min_healthy = 1;
};

struct MonitorPlan {
  std::shared_ptr<health::HealthTable> table;
  std::vector<MonitoredMember> members;
  std::vector<MonitoredPool> pools;
  // Runs on the loop thread after the plan is adopted and after every change of a member's
  // word, so state derived from several members (failover's active group without preempt)
  // is written by the same single writer. Must not block.
  std::function<void(health::HealthTable&)> after_change;
  std::vector<ResolverEndpoint> resolvers;  // server.resolver, for members with target_name
};

// Result of one finished probe; its error is what logs and /status show.
struct ProbeResult {
  bool ok = false;
  std::uint32_t rtt_us = 0;
  std::int32_t agent_weight = -1;          // percent from an agent reply, -1 = none
  bool agent_drain = false;                // agent said drain/maint
  bool agent_down = false;                 // agent said down/fail/stopped
  bool agent_ready = false;                // agent said ready/up (clears an earlier drain)
  std::optional<health::LoadSample> load;  // an haproxy check that read the statistics
  std::string error;                       // why it failed, for logs and /status
};

// One check of a member as /status shows it: its verdict after invert and rise/fall.
struct CheckStatus {
  std::string check;  // "check web (http to 127.0.0.1:8080)"
  bool inverted = false;
  bool up = false;
  bool known = false;
};

// One member as /status shows it; copied by the loop after each probe.
struct MemberStatus {
  std::string key;
  bool up = false;
  bool known = false;
  bool drained = false;
  bool forced = false;
  std::optional<std::uint32_t> weight_override;        // an operator's, see HealthLoop::weight
  std::chrono::steady_clock::time_point since_steady;  // last up/down change (or adoption)
  std::chrono::system_clock::time_point since;         // the same instant, wall clock
  // History: the latest failed probe of any check, even if the member is up again since.
  std::string last_error;
  std::string last_error_check;  // the check's name
  std::optional<std::chrono::system_clock::time_point> last_error_at;
  // The present: why the member is down now (its failing checks, or an admin force); empty
  // while it is up.
  std::string down_reason;
  std::uint32_t rtt_us = 0;
  std::uint8_t agent_weight = 100;
  // The checks' own verdict after rise/fall, before admin forces and drains: what this instance
  // observes, as its peers are told.
  bool checks_up = false;
  bool checks_known = false;
  std::vector<CheckStatus> checks;  // in config order
  // A member given by host name: the name, what it resolved to last, when, why the latest
  // resolution failed (empty when it succeeded) and how many failed in a row; the checks'
  // verdicts at each address probed (`checks` above are those of the deciding address, the
  // first that passes, else the first: `checks_probe`).
  std::string target;
  std::vector<std::string> resolved;
  std::string resolve_error;
  std::uint32_t resolve_failures = 0;
  std::optional<std::chrono::system_clock::time_point> resolved_at;
  struct AddressStatus {
    std::string address;
    bool up = false;  // its checks meet the member's rule there
    bool known = false;
    std::string outcome;  // "1 of 1 check passes, all: up"
    std::vector<CheckStatus> checks;
  };
  std::vector<AddressStatus> addresses;
  std::string checks_probe;  // the deciding address; empty before the name resolves
  std::string healthy_when;  // how the rule combined them: "2 of 3 checks pass, any: up"
  std::optional<std::chrono::system_clock::time_point> last_probe_at;  // latest finished probe
  // Votes, for members of a pool whose consensus is not own: the rule, its tally (`up` above
  // is its result) and what each peer said ("up", "down", "stale", ...), in peers' order.
  std::string consensus;  // empty: own
  bool own_view_only = false;
  std::uint32_t vote_ups = 0;
  std::uint32_t vote_voters = 0;
  std::uint32_t vote_needed = 0;
  struct PeerVote {
    std::string peer;
    std::string state;
  };
  std::vector<PeerVote> votes;
};

// Totals since start (relaxed counters; for /metrics and tests).
// Probe duration histogram upper bounds, in microseconds (Prometheus "le" buckets).
inline constexpr std::uint32_t kCheckDurationBucketsUs[] = {
    500, 1'000, 5'000, 10'000, 50'000, 100'000, 500'000, 1'000'000, 5'000'000};
inline constexpr std::size_t kCheckDurationBuckets = std::size(kCheckDurationBucketsUs);
inline constexpr std::size_t kCheckTypes = 7;  // health::CheckType values
static_assert(kCheckTypes == static_cast<std::size_t>(health::CheckType::haproxy) + 1);

struct ProbeCounters {
  std::uint64_t by_type[kCheckTypes][2] = {};  // [CheckType][0 = success, 1 = failure]
  std::uint64_t duration_buckets[kCheckDurationBuckets] = {};  // non-cumulative
  std::uint64_t duration_count = 0;
  std::uint64_t duration_sum_us = 0;
  std::uint64_t became_up = 0;    // members' transitions to up
  std::uint64_t became_down = 0;  // and to down
  std::uint64_t started = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped_busy = 0;        // ticks skipped because the previous probe still ran
  std::uint64_t waited_for_slot = 0;     // probes that had to wait for the max_in_flight bound
  std::uint64_t admin_dropped = 0;       // admin messages dropped because the queue was full
  std::uint64_t peer_votes_dropped = 0;  // peer vote messages replaced before the loop read them
  std::uint32_t in_flight = 0;
  // Schedule: how late probes start against their due time (timer due + wait for a slot).
  std::uint64_t late = 0;              // probes that started late (see kLateProbe)
  std::uint64_t lag_us = 0;            // the largest lag of the last second's probe starts
  std::uint64_t late_last_second = 0;  // late probe starts in the last second
  std::uint64_t started_last_second = 0;
  double planned_per_second = 0;  // probes the plan's checks ask for, on average
};

// A probe starts late when it starts more than this fraction of its check's interval (and at
// least kLateMinimumMs) after its due time: the check then runs markedly less often than asked.
inline constexpr std::uint32_t kLateIntervalPercent = 50;
inline constexpr std::uint32_t kLateMinimumMs = 5;
bool is_late(std::uint64_t lag_us, std::uint32_t interval_ms) noexcept;

class HealthLoop {
 public:
  // seed 0 = seed the jitter PRNG from the clock; tests pass a fixed one.
  explicit HealthLoop(std::uint32_t max_in_flight = 1024, std::uint64_t seed = 0);
  ~HealthLoop();
  HealthLoop(const HealthLoop&) = delete;
  HealthLoop& operator=(const HealthLoop&) = delete;

  // start() once; stop() is prompt (cancels probes in flight, closes every handle, joins) and
  // idempotent. The loop cannot be restarted after stop().
  void start();
  void stop() noexcept;

  // Any thread: the loop takes over `plan` (asynchronously). Members whose key it already
  // monitors keep their state (rise/fall counters, RTT, agent weight), which it writes into the
  // new table at once; new members start from their initial state; the others are dropped.
  void adopt(MonitorPlan plan);

  // Any thread: blocks until the loop has adopted every plan handed over so far (tests, reload).
  void wait_adopted();

  // Any thread: true once every member of the current plan has completed its first round.
  bool first_round_done() const noexcept;

  // Any thread, by message (the loop stays the only writer): force a member up/down
  // (nullopt = back to its checks), or drain it. Unknown keys are ignored; the setting is kept
  // across adopt() while the key stays. Returns false if the bounded queue was full.
  bool force(std::string key, std::optional<bool> up);
  bool drain(std::string key, bool drained);
  // Likewise: override the member's configured weight (nullopt = back to the configured one).
  // The weight is not checked here: callers keep it within pool::kMaxMemberWeight.
  bool weight(std::string key, std::optional<std::uint32_t> weight);

  // Any thread (the peer poller), by message: what every peer said, for the members whose pool
  // votes. Only the newest message is kept: one not yet read when the next comes is dropped
  // and counted, since the next one says everything it said.
  void peer_votes(PeerVotes votes);

  // Any thread: a copy of every member's status (plan order), for /status.
  std::vector<MemberStatus> status() const;
  ProbeCounters counters() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gslbd::probe
