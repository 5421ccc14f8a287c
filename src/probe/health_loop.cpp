// SPDX-License-Identifier: Apache-2.0
#include "gslbd/probe/health_loop.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <uv.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

#include "check_runner.hpp"
#include "gslbd/pool/min_healthy.hpp"
#include "gslbd/probe/curl_driver.hpp"
#include "gslbd/util/clock.hpp"
#include "icmp_probe.hpp"
#include "member_state.hpp"
#include "name_lookup.hpp"
#include "probe_env.hpp"
#include "probe_slots.hpp"
#include "schedule_lag.hpp"

namespace gslbd::probe {
namespace {

// Admin messages waiting for the loop; more are dropped (and counted).
constexpr std::size_t kMaxAdminQueue = 1024;

enum class AdminKind : std::uint8_t { force, drain, weight };

struct AdminMessage {
  std::string key;
  AdminKind kind = AdminKind::force;
  std::optional<bool> value;            // force: up/down/none; drain: on/off
  std::optional<std::uint32_t> weight;  // weight: the override, none = back to the configured
};

struct AdminSetting {
  std::optional<bool> forced;
  bool drained = false;
  std::optional<std::uint32_t> weight;
};

// The all-down watch of one pool: which families it has announced as all down, since when.
struct PoolWatch {
  std::string name;
  std::string all_down;
  std::uint32_t min_healthy = 1;
  std::vector<MemberState*> members;
  // [0] IPv4 (A answers), [1] IPv6 (AAAA answers), [2] host names (CNAME answers)
  bool down[3] = {false, false, false};
  std::chrono::steady_clock::time_point down_since[3];
};

// How often the loop rolls the schedule-lag window.
constexpr std::uint64_t kLagTickMs = 1000;

// At most this many members are named in an all-down log line.
constexpr std::size_t kMaxNamedMembers = 8;

std::string seconds_text(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

// "member a of pool web (192.0.2.1)"; the key and check target for a plan without names.
std::string member_label(const std::string& key, const MonitoredMember& wanted,
                         const std::string* pool) {
  const std::string where = !wanted.target_name.empty() ? wanted.target_name
                            : wanted.address            ? util::address_text(*wanted.address)
                                                        : util::address_text(wanted.target);
  if (wanted.name.empty() || !wanted.address) return key + " (" + where + ")";
  return "member " + wanted.name + (pool != nullptr ? " of pool " + *pool : std::string()) + " (" +
         where + ")";
}

}  // namespace

struct HealthLoop::Impl {
  Impl(std::uint32_t max_in_flight, std::uint64_t seed) : slots(max_in_flight) {
    if (seed == 0) {
      seed =
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
          reinterpret_cast<std::uintptr_t>(this);
    }
    rng.reseed(seed);
  }

  // ---- shared with other threads (under mu) ----
  mutable std::mutex mu;
  std::condition_variable adopted_cv;
  std::optional<MonitorPlan> pending_plan;  // only the newest plan matters
  std::uint64_t plans_given = 0;
  std::uint64_t plans_taken = 0;
  std::deque<AdminMessage> admin_queue;
  std::optional<PeerVotes> pending_votes;  // only the newest matters
  bool running = false;
  bool stopping = false;
  bool started_once = false;

  mutable std::mutex status_mu;
  std::vector<MemberStatus> status;  // plan order; under status_mu

  std::atomic<bool> first_round{false};
  LoopCounters counters;
  std::atomic<std::uint64_t> votes_dropped{0};

  // ---- loop thread only (between start and join) ----
  uv_loop_t loop;
  uv_async_t wakeup;
  std::thread thread;
  util::Rng rng;
  ProbeSlots slots;
  std::unique_ptr<CurlDriver> curl;
  std::unique_ptr<IcmpDriver> icmp;
  ProbeEnv env;
  std::shared_ptr<health::HealthTable> table;
  std::function<void(health::HealthTable&)> after_change;  // from the adopted plan
  std::vector<std::unique_ptr<MemberState>> members;
  std::unordered_map<std::string, MemberState*> by_key;
  std::unordered_map<std::string, AdminSetting> admin_settings;
  std::vector<PoolWatch> pools;
  std::vector<ResolverEndpoint> resolvers;  // from the adopted plan
  std::size_t unknown_members = 0;
  ScheduleLag lag;
  uv_timer_t lag_timer;
  std::uint64_t lag_due_ns = 0;
  // What the peers said, as of the latest PeerVotes; per peer its members by key.
  PeerVotes view;
  std::vector<std::unordered_map<std::string_view, const PeerMemberObservation*>> view_index;

  void on_wakeup() noexcept;
  void apply_votes(PeerVotes votes) noexcept;
  // Fills the member's votes from the view (nothing under the rule own); true when a vote's
  // state changed (the caller publishes).
  bool collect_votes(MemberState& member) noexcept;
  // Ages every voting member's votes and publishes those whose state changed.
  void age_votes() noexcept;
  MemberStatus member_status(const MemberState& member) const;
  void adopt_plan(MonitorPlan plan) noexcept;
  void apply_admin(const AdminMessage& message) noexcept;
  // The member's probes: at its target, or, for a member given by host name, at each address
  // of its latest resolution (none before one).
  void make_runners(MemberState& member);
  AddressProbes make_probes(MemberState& member, const util::Address& address,
                            health::InitialState initial);
  void close_runners(MemberState& member) noexcept;
  // A member given by host name: resolve it now, and again after its TTL (resolve_after).
  void start_resolving(MemberState& member) noexcept;
  void stop_resolving(MemberState& member) noexcept;
  void on_resolved(MemberState& member, Resolution resolution) noexcept;
  // Probes the member's new addresses: those that stay keep their runners (and rise/fall
  // history), new ones start from the member's initial state, gone ones are closed.
  void follow_addresses(MemberState& member, const std::vector<util::Address>& addresses);
  void resolve_after(MemberState& member, std::uint64_t ms) noexcept;
  // The probes the plan's checks ask for per second, for the schedule-lag report.
  void update_planned() noexcept;
  void on_result(MemberState& member, const CheckRunner& runner,
                 const ProbeResult& result) noexcept;
  // Writes the member's word if it changed and logs what changed; `admin` is put before the
  // reason when an admin action needs saying (nullptr otherwise). True when the word changed.
  bool publish(MemberState& member, const char* admin) noexcept;
  void refresh_status(const MemberState& member) noexcept;
  void watch_pool(PoolWatch& pool) noexcept;
  void arm_lag_tick() noexcept;
  void on_lag_tick() noexcept;
  void shut_down() noexcept;
  bool enqueue(AdminMessage message);
};

void HealthLoop::Impl::on_wakeup() noexcept {
  std::optional<MonitorPlan> plan;
  std::deque<AdminMessage> admin;
  std::optional<PeerVotes> votes;
  std::uint64_t taken = 0;
  bool stop = false;
  {
    std::lock_guard lock(mu);
    plan.swap(pending_plan);
    admin.swap(admin_queue);
    votes.swap(pending_votes);
    taken = plans_given;
    stop = stopping;
  }
  if (stop) {
    shut_down();
    return;
  }
  if (plan) adopt_plan(std::move(*plan));
  for (const AdminMessage& message : admin) apply_admin(message);
  if (votes) apply_votes(std::move(*votes));
  {
    std::lock_guard lock(mu);
    plans_taken = taken;
  }
  adopted_cv.notify_all();
}

AddressProbes HealthLoop::Impl::make_probes(MemberState& member, const util::Address& address,
                                            health::InitialState initial) {
  AddressProbes probes;
  probes.address = address;
  probes.runners.reserve(member.checks.size());  // so that a runner made is a runner kept
  try {
    for (const health::CheckSpec& spec : member.checks) {
      if (spec.type == health::CheckType::none) continue;
      MemberState* m = &member;
      auto* runner = new CheckRunner(
          env, spec, address, initial,
          [this, m](CheckRunner& r, const ProbeResult& result) { on_result(*m, r, result); });
      probes.runners.push_back(runner);
      if (address.family != 0) runner->start();
    }
  } catch (...) {
    for (CheckRunner* runner : probes.runners) runner->close();
    throw;
  }
  return probes;
}

void HealthLoop::Impl::make_runners(MemberState& member) {
  close_runners(member);
  member.probes.reserve(member.target_name.empty() ? 1 : member.resolved.size());
  if (member.target_name.empty()) {
    member.probes.push_back(make_probes(member, member.target, member.initial));
    return;
  }
  for (const util::Address& address : member.resolved) {
    member.probes.push_back(make_probes(member, address, member.initial));
  }
}

void HealthLoop::Impl::follow_addresses(MemberState& member,
                                        const std::vector<util::Address>& addresses) {
  const auto find = [&member](const util::Address& address) {
    return std::find_if(member.probes.begin(), member.probes.end(),
                        [&](const AddressProbes& p) { return p.address == address; });
  };
  // The member keeps its state when its name moves, as a server keeps its own when its address
  // changes: an address found later starts up when the checks hold the member up, and waits
  // for its first result when they hold it down (so it can neither bring a down member back
  // unprobed nor make it unknown for longer than one probe). Before any verdict the configured
  // initial state applies, as to the addresses of the first resolution.
  const health::RuleOutcome now = member_verdict(member).outcome;
  const health::InitialState initial = !now.known ? member.initial
                                       : now.up   ? health::InitialState::up
                                                  : health::InitialState::wait;
  std::vector<AddressProbes> next(addresses.size());
  // The new addresses first: only they can fail (out of memory), before anything has moved.
  try {
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      if (find(addresses[i]) == member.probes.end()) {
        next[i] = make_probes(member, addresses[i], initial);
      }
    }
  } catch (...) {
    for (AddressProbes& made : next) {
      for (CheckRunner* runner : made.runners) runner->close();
    }
    throw;
  }
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const auto kept = find(addresses[i]);
    if (kept == member.probes.end()) continue;
    next[i] = std::move(*kept);  // its runners and its agent's word
    kept->runners.clear();
  }
  for (AddressProbes& gone : member.probes) {
    for (CheckRunner* runner : gone.runners) runner->close();
  }
  member.probes = std::move(next);
  update_planned();
}

void HealthLoop::Impl::start_resolving(MemberState& member) noexcept {
  if (member.target_name.empty() || member.lookup != nullptr) return;
  MemberState* m = &member;
  try {
    member.lookup = NameLookup::start(&loop, resolvers, member.target_wire,
                                      [this, m](Resolution r) { on_resolved(*m, std::move(r)); });
  } catch (...) {  // out of memory: try again later
    resolve_after(member, std::uint64_t{kResolveFloorSeconds} * 1000);
  }
}

void HealthLoop::Impl::stop_resolving(MemberState& member) noexcept {
  if (member.lookup != nullptr) {
    member.lookup->cancel();
    member.lookup = nullptr;
  }
  if (member.resolve_timer != nullptr) {
    uv_timer_stop(member.resolve_timer);
    uv_close(reinterpret_cast<uv_handle_t*>(member.resolve_timer),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    member.resolve_timer = nullptr;
  }
}

void HealthLoop::Impl::resolve_after(MemberState& member, std::uint64_t ms) noexcept {
  if (member.resolve_timer == nullptr) {
    auto* timer = new (std::nothrow) uv_timer_t;
    if (timer == nullptr) return;
    uv_timer_init(&loop, timer);
    timer->data = &member;
    member.resolve_timer = timer;
  }
  uv_timer_start(
      member.resolve_timer,
      [](uv_timer_t* timer) {
        static_cast<Impl*>(timer->loop->data)
            ->start_resolving(*static_cast<MemberState*>(timer->data));
      },
      ms, 0);
}

namespace {

// After a failed lookup, or while lookups have not yet succeeded `rise` times in a row, the
// name is asked again at the pace of the member's fastest check (1 to 5 s): a failed lookup
// counts like a failed probe, so `fall` of them take about as long as `fall` failed probes.
std::uint64_t lookup_retry_ms(const MemberState& member) noexcept {
  std::uint64_t ms = std::uint64_t{kResolveFloorSeconds} * 1000;
  for (const health::CheckSpec& spec : member.checks) {
    if (spec.type != health::CheckType::none) ms = std::min<std::uint64_t>(ms, spec.interval_ms);
  }
  return std::max<std::uint64_t>(ms, 1000);
}

std::string address_list(const std::vector<util::Address>& addresses) {
  std::string list;
  for (const util::Address& a : addresses)
    list += (list.empty() ? "" : ", ") + util::address_text(a);
  return list;
}

}  // namespace

void HealthLoop::Impl::on_resolved(MemberState& member, Resolution resolution) noexcept {
  member.lookup = nullptr;
  std::uint64_t next_ms = lookup_retry_ms(member);
  try {
    if (resolution.ok) {
      const bool was_failing = !member.resolve_error.empty();
      member.resolution.record(true);
      member.resolve_error.clear();
      member.resolve_failures = 0;
      member.resolved_at = std::chrono::system_clock::now();
      if (member.resolved != resolution.addresses) {
        spdlog::info("health: {}: {} resolves to {}{}", member.label, member.target_name,
                     address_list(resolution.addresses),
                     member.checks.empty() ? std::string() : "; the checks probe each");
        for (int f = 0; f < 2; ++f) {
          if (resolution.offered[f] > kMaxProbedPerFamily) {
            spdlog::warn(
                "health: {}: {} has {} {} records; the checks probe the lowest {} of them only",
                member.label, member.target_name, resolution.offered[f], f == 0 ? "A" : "AAAA",
                kMaxProbedPerFamily);
          }
        }
        follow_addresses(member, resolution.addresses);
        member.resolved = std::move(resolution.addresses);
      } else if (was_failing) {
        spdlog::info("health: {}: {} resolves again", member.label, member.target_name);
      }
      if (member.resolution.up()) {
        next_ms = std::uint64_t{std::clamp(resolution.ttl, kResolveFloorSeconds,
                                           kResolveCeilingSeconds)} *
                  1000;
      }
    } else {
      member.resolution.record(false);
      ++member.resolve_failures;
      const bool first = member.resolve_error.empty();
      member.resolve_error =
          "target " + member.target_name + " does not resolve: " + resolution.error;
      // The first failure of a run is worth a line even when fall keeps the member up.
      if (first && member.resolution.up()) {
        spdlog::info("health: {}: {} (lookup failure 1 of {} before it counts as down)",
                     member.label, member.resolve_error, member.resolution.fall());
      }
    }
  } catch (...) {  // out of memory: the state stays as it was; retry later
  }
  resolve_after(member, next_ms);
  if (!publish(member, nullptr)) refresh_status(member);
}

void HealthLoop::Impl::close_runners(MemberState& member) noexcept {
  for (AddressProbes& probes : member.probes) {
    for (CheckRunner* runner : probes.runners) runner->close();
  }
  member.probes.clear();
}

void HealthLoop::Impl::update_planned() noexcept {
  double planned = 0;
  for (const auto& member : members) {
    for (const AddressProbes& probes : member->probes) {
      for (const CheckRunner* runner : probes.runners) {
        const health::CheckSpec& spec = runner->spec();
        // The mean interval: jitter stretches each one by 0..jitter_percent, uniformly.
        const double mean_ms = std::max<std::uint32_t>(spec.interval_ms, 1) *
                               (1.0 + static_cast<double>(spec.jitter_percent) / 200.0);
        planned += 1000.0 / mean_ms;
      }
    }
  }
  lag.set_planned(planned);
}

void HealthLoop::Impl::adopt_plan(MonitorPlan plan) noexcept {
  try {
    std::unordered_map<std::string, std::unique_ptr<MemberState>> old;
    for (auto& member : members) {
      std::string key = member->key;
      old.emplace(std::move(key), std::move(member));
    }
    members.clear();
    by_key.clear();
    std::unordered_map<std::string, PoolWatch> old_pools;
    for (PoolWatch& watch : pools) {
      std::string name = watch.name;
      old_pools.emplace(std::move(name), std::move(watch));
    }
    pools.clear();
    for (MonitoredPool& wanted : plan.pools) {
      PoolWatch watch;
      const auto before = old_pools.find(wanted.name);
      if (before != old_pools.end()) {
        // A pool that stays keeps what it announced, so a reload does not repeat it.
        std::copy(std::begin(before->second.down), std::end(before->second.down), watch.down);
        std::copy(std::begin(before->second.down_since), std::end(before->second.down_since),
                  watch.down_since);
      }
      watch.name = std::move(wanted.name);
      watch.all_down = std::move(wanted.all_down);
      watch.min_healthy = wanted.min_healthy;
      pools.push_back(std::move(watch));
    }
    table = plan.table;
    after_change = std::move(plan.after_change);
    const auto now_steady = std::chrono::steady_clock::now();
    const auto now = std::chrono::system_clock::now();
    for (MonitoredMember& wanted : plan.members) {
      if (!table || wanted.slot >= table->size()) {
        spdlog::error("health: member {} has slot {} outside its table; not monitored", wanted.key,
                      wanted.slot);
        continue;
      }
      if (by_key.count(wanted.key) != 0) {
        spdlog::error("health: member key {} appears twice in the plan; second ignored",
                      wanted.key);
        continue;
      }
      std::unique_ptr<MemberState> member;
      const auto it = old.find(wanted.key);
      if (it != old.end()) {
        // Same key: keep counters, RTT, agent state; restart only checks that changed.
        member = std::move(it->second);
        old.erase(it);
        member->slot = wanted.slot;
        const bool same_name =
            member->target_name == wanted.target_name && resolvers == plan.resolvers;
        const bool same_checks = member->checks == wanted.checks &&
                                 member->target == wanted.target &&
                                 member->initial == wanted.initial && same_name;
        if (!same_name) {
          // Another name, or other resolvers to ask: start over from a fresh resolution.
          stop_resolving(*member);
          member->target_name = wanted.target_name;
          member->target_wire = wanted.target_wire;
          member->resolved.clear();
          member->resolve_error.clear();
          member->resolve_failures = 0;
          member->resolved_at.reset();
        }
        if (!same_checks) {
          close_runners(*member);
          member->checks = std::move(wanted.checks);
          member->target = wanted.target;
          member->initial = wanted.initial;
          // Rise and fall of the lookups come from the checks: they start over with them, from
          // a lookup made now (the addresses of the last one are probed meanwhile).
          stop_resolving(*member);
          member->resolution = resolution_machine(*member);
          make_runners(*member);
        }
      } else {
        member = std::make_unique<MemberState>();
        member->key = std::move(wanted.key);
        member->slot = wanted.slot;
        member->target = wanted.target;
        member->target_name = wanted.target_name;
        member->target_wire = wanted.target_wire;
        member->initial = wanted.initial;
        member->checks = std::move(wanted.checks);
        member->since_steady = now_steady;
        member->since = now;
        member->resolution = resolution_machine(*member);
        make_runners(*member);
      }
      member->rule = wanted.rule;
      member->index = members.size();
      member->name = wanted.name.empty() ? member->key : wanted.name;
      member->family = wanted.address ? wanted.address->family : std::uint8_t{0};
      member->pool = -1;
      const std::string* pool_name = nullptr;
      if (wanted.pool >= 0 && static_cast<std::size_t>(wanted.pool) < pools.size()) {
        member->pool = wanted.pool;
        PoolWatch& watch = pools[static_cast<std::size_t>(wanted.pool)];
        pool_name = &watch.name;
        watch.members.push_back(member.get());
      }
      member->label = member_label(member->key, wanted, pool_name);
      member->votes.rule = wanted.consensus;
      member->votes.probe_period_ms = probe_period_ms(member->checks);
      collect_votes(*member);
      by_key.emplace(member->key, member.get());
      members.push_back(std::move(member));
    }
    for (auto& [key, member] : old) {
      close_runners(*member);
      stop_resolving(*member);
      admin_settings.erase(key);
    }
    resolvers = plan.resolvers;
    // After resolvers is set: lookups started now ask the plan's resolvers.
    for (auto& member : members) start_resolving(*member);
    // Everyone's word goes into the new table at once, whatever the table was seeded with.
    unknown_members = 0;
    std::vector<MemberStatus> fresh;
    fresh.reserve(members.size());
    for (auto& member : members) {
      const auto setting = admin_settings.find(member->key);
      if (setting != admin_settings.end()) {
        member->forced = setting->second.forced;
        member->admin_drain = setting->second.drained;
        member->weight_override = setting->second.weight;
      }
      table->write_weight_override(member->slot, member->weight_override);
      member->published = derive(*member);
      table->write(member->slot, member->published);
      table->write_verdicts(member->slot, verdicts_of(*member));
      // A ramp under way goes on in the new table; members serving now have served.
      if (health::serving(member->published)) member->has_served = true;
      table->write_ramp(member->slot, member->ramp_since_ms);
      table->write_load(member->slot, member_load(*member));
      if (member->published.known) member->first_verdict_done = true;
      if (!member->first_verdict_done) ++unknown_members;
      fresh.push_back(member_status(*member));
    }
    first_round.store(unknown_members == 0, std::memory_order_release);
    if (after_change && table) after_change(*table);
    update_planned();
    for (PoolWatch& watch : pools) watch_pool(watch);
    std::lock_guard lock(status_mu);
    status = std::move(fresh);
  } catch (const std::exception& e) {
    spdlog::error("health: cannot adopt the new plan: {}", e.what());
  }
}

void HealthLoop::Impl::apply_votes(PeerVotes votes) noexcept {
  try {
    view = std::move(votes);
    view_index.assign(view.peers.size(), {});
    for (std::size_t p = 0; p < view.peers.size(); ++p) {
      for (const PeerMemberObservation& observation : view.peers[p].members) {
        view_index[p].emplace(observation.key, &observation);
      }
    }
  } catch (const std::exception& e) {
    view = PeerVotes{};
    view_index.clear();
    spdlog::error("health: cannot take the peers' votes: {}", e.what());
  }
  for (auto& member : members) {
    // The word may stay while a peer's state changes: /status shows it anyway.
    if (collect_votes(*member) && !publish(*member, nullptr)) refresh_status(*member);
  }
}

bool HealthLoop::Impl::collect_votes(MemberState& member) noexcept {
  MemberVotes& votes = member.votes;
  if (votes.rule.rule == pool::ConsensusRule::own) {
    const bool had = !votes.states.empty();
    votes.seen.clear();
    votes.states.clear();
    return had;
  }
  try {
    std::string_view pool = member.key;
    pool = pool.substr(0, pool.find('/'));
    if (member.pool >= 0 && static_cast<std::size_t>(member.pool) < pools.size()) {
      pool = pools[static_cast<std::size_t>(member.pool)].name;
    }
    votes.seen.resize(view.peers.size());
    for (std::size_t p = 0; p < view.peers.size(); ++p) {
      const auto found = view_index[p].find(member.key);
      votes.seen[p] =
          peer_seen(view.peers[p], pool, found != view_index[p].end() ? found->second : nullptr);
    }
    return refresh_votes(votes, std::chrono::steady_clock::now(), view.stale_after_ms);
  } catch (...) {  // out of memory: no peer votes for it, its own verdict stands
    votes.seen.clear();
    votes.states.clear();
    return true;
  }
}

void HealthLoop::Impl::age_votes() noexcept {
  const auto now = std::chrono::steady_clock::now();
  for (auto& member : members) {
    if (member->votes.rule.rule == pool::ConsensusRule::own) continue;
    bool changed = false;
    try {
      changed = refresh_votes(member->votes, now, view.stale_after_ms);
    } catch (...) {
      continue;
    }
    // The word may stay while a peer's state changes: /status shows it anyway.
    if (changed && !publish(*member, nullptr)) refresh_status(*member);
  }
}

MemberStatus HealthLoop::Impl::member_status(const MemberState& member) const {
  MemberStatus s = status_of(member);
  const MemberVotes& votes = member.votes;
  if (votes.rule.rule == pool::ConsensusRule::own) return s;
  const VoteTally t = member_tally(member);
  s.consensus = pool::consensus_text(votes.rule);
  s.own_view_only = t.own_view_only;
  s.vote_ups = t.ups;
  s.vote_voters = t.voters;
  s.vote_needed = t.needed;
  for (std::size_t p = 0; p < votes.states.size() && p < view.peers.size(); ++p) {
    s.votes.push_back({view.peers[p].name, std::string(vote_state_name(votes.states[p]))});
  }
  // Down by the vote while this instance's checks pass: the vote is the reason.
  if (!s.up && !s.forced && s.down_reason.empty()) s.down_reason = describe_tally(votes.rule, t);
  return s;
}

void HealthLoop::Impl::apply_admin(const AdminMessage& message) noexcept {
  const auto it = by_key.find(message.key);
  if (it == by_key.end()) {
    spdlog::warn("health: admin action for unknown member {} ignored", message.key);
    return;
  }
  MemberState& member = *it->second;
  try {
    AdminSetting& setting = admin_settings[message.key];
    switch (message.kind) {
      case AdminKind::force:
        setting.forced = message.value;
        member.forced = message.value;
        break;
      case AdminKind::drain:
        setting.drained = message.value.value_or(false);
        member.admin_drain = setting.drained;
        break;
      case AdminKind::weight:
        setting.weight = message.weight;
        if (member.weight_override != message.weight) {
          member.weight_override = message.weight;
          table->write_weight_override(member.slot, message.weight);
          if (message.weight) {
            spdlog::info("health: {} weight set to {} by admin", member.label, *message.weight);
          } else {
            spdlog::info("health: {} back to its configured weight", member.label);
          }
          refresh_status(member);
        }
        return;
    }
  } catch (...) {
    return;
  }
  // Forcing up or down explains itself ("forced down by admin"); clearing a force does not.
  const bool cleared = message.kind == AdminKind::force && !message.value.has_value();
  publish(member, cleared ? "force cleared by admin" : nullptr);
}

void HealthLoop::Impl::on_result(MemberState& member, const CheckRunner& runner,
                                 const ProbeResult& result) noexcept {
  AddressProbes* at = nullptr;
  for (AddressProbes& probes : member.probes) {
    if (std::find(probes.runners.begin(), probes.runners.end(), &runner) != probes.runners.end()) {
      at = &probes;
      break;
    }
  }
  if (at == nullptr) return;  // a runner closed with its address: its late result counts no more
  absorb(member, *at, runner.spec(), result, util::monotonic_ns());
  // Also when no figure changed: a verdict that changed can change which addresses count.
  if (const health::Load load = member_load(member); !(load == table->read_load(member.slot))) {
    table->write_load(member.slot, load);
  }
  const bool changed = publish(member, nullptr);
  // Every result moves the time of the last probe, which peers read as the observation's age.
  if (!changed) refresh_status(member);
}

bool HealthLoop::Impl::publish(MemberState& member, const char* admin) noexcept {
  const health::Health h = derive(member);
  const health::Health before = member.published;
  // A check's verdict can change without the member's (another check still meets the rule).
  table->write_verdicts(member.slot, verdicts_of(member));
  if (h == before) return false;
  if (note_serving(member, before, h, util::monotonic_ms())) {
    table->write_ramp(member.slot, member.ramp_since_ms);  // before the word that makes it serve
  }
  table->write(member.slot, h);
  member.published = h;
  const bool first_verdict = h.known && !member.first_verdict_done;
  if (first_verdict) member.first_verdict_done = true;
  if (h.up != before.up) {
    (h.up ? counters.became_up : counters.became_down).fetch_add(1, std::memory_order_relaxed);
    member.since_steady = std::chrono::steady_clock::now();
    member.since = std::chrono::system_clock::now();
  }
  try {
    if (h.up != before.up || (first_verdict && !h.forced)) {
      // Down is what an operator must act on: warn; up (and a first verdict of up) is info.
      std::string why = h.up ? up_reason(member) : down_reason(member);
      if (member.votes.rule.rule != pool::ConsensusRule::own && !h.forced) {
        // The vote decided; say how, then what this instance's own checks say.
        const std::string own = down_reason(member);
        why = describe_tally(member.votes.rule, member_tally(member)) +
              "; this instance: " + (own.empty() ? up_reason(member) : own);
      }
      if (admin != nullptr) why = std::string(admin) + "; " + why;
      spdlog::log(h.up ? spdlog::level::info : spdlog::level::warn, "health: {} is {}{}: {}",
                  member.label, h.up ? "up" : "down",
                  first_verdict && !h.forced ? " (first verdict)" : "", why);
    }
    if (h.drained != before.drained) {
      const char* by = member.admin_drain ? "by admin" : "by its agent";
      if (h.drained) {
        spdlog::info("health: {} drained {}", member.label, by);
      } else {
        spdlog::info("health: {} no longer drained", member.label);
      }
    }
  } catch (...) {  // out of memory: the word is written, only the log line is lost
  }
  if (after_change) after_change(*table);
  if (first_verdict && unknown_members > 0) {
    if (--unknown_members == 0) first_round.store(true, std::memory_order_release);
  }
  if (member.pool >= 0 && static_cast<std::size_t>(member.pool) < pools.size() &&
      (health::serving(h) != health::serving(before) || h.known != before.known)) {
    watch_pool(pools[static_cast<std::size_t>(member.pool)]);
  }
  refresh_status(member);
  return true;
}

void HealthLoop::Impl::refresh_status(const MemberState& member) noexcept {
  try {
    MemberStatus s = member_status(member);
    std::lock_guard lock(status_mu);
    if (member.index < status.size()) status[member.index] = std::move(s);
  } catch (...) {  // out of memory: /status lags one probe
  }
}

void HealthLoop::Impl::watch_pool(PoolWatch& pool) noexcept {
  if (!table) return;
  try {
    for (int f = 0; f < 3; ++f) {
      const std::uint8_t family = f == 0 ? 4 : f == 1 ? 6 : 0;
      bool any = false;
      bool all_known = true;
      std::size_t serving = 0;
      std::size_t down = 0;
      std::string serving_names;
      std::string down_names;
      for (const MemberState* m : pool.members) {
        if (m->family != family || m->slot >= table->size()) continue;
        any = true;
        // The words as the workers read them, judged by the workers' rule (health::serving).
        const health::Health h = table->read(m->slot);
        if (health::serving(h)) {
          if (serving++ < kMaxNamedMembers) {
            serving_names += (serving_names.empty() ? "" : ", ") + m->name;
          }
          continue;
        }
        all_known = all_known && h.known;
        if (down++ < kMaxNamedMembers) {
          down_names += (down_names.empty() ? "" : ", ") + m->name +
                        (h.up      ? " drained"
                         : h.known ? " down"
                                   : " not checked yet");
        }
      }
      if (down > kMaxNamedMembers) {
        down_names += ", and " + std::to_string(down - kMaxNamedMembers) + " more";
      }
      const char* answers = family == 4 ? "A" : family == 6 ? "AAAA" : "CNAME";
      // The workers' rule: too few serving members count as none.
      const bool enough =
          pool::meets_min_healthy(pool.min_healthy, static_cast<std::uint32_t>(serving));
      if (!pool.down[f] && any && !enough && all_known) {
        pool.down[f] = true;
        pool.down_since[f] = std::chrono::steady_clock::now();
        if (serving == 0) {
          spdlog::warn("health: pool {} is all down for {} answers ({}); all_down {} applies",
                       pool.name, answers, down_names, pool.all_down);
        } else {
          spdlog::warn(
              "health: pool {} counts as all down for {} answers: {} serving ({}), min_healthy "
              "{} ({}); all_down {} applies",
              pool.name, answers, serving, serving_names, pool.min_healthy, down_names,
              pool.all_down);
        }
      } else if (pool.down[f] && (enough || !any)) {
        pool.down[f] = false;
        spdlog::info(
            "health: pool {} is no longer all down for {} answers after {} ({} serving); "
            "all_down {} no longer applies",
            pool.name, answers, seconds_text(std::chrono::steady_clock::now() - pool.down_since[f]),
            serving > 0 ? serving_names : std::string("no such member left"), pool.all_down);
      }
    }
  } catch (...) {  // out of memory: the line is lost; the state is retried on the next change
  }
}

void HealthLoop::Impl::arm_lag_tick() noexcept {
  lag_due_ns = util::monotonic_ns() + kLagTickMs * 1'000'000;
  uv_timer_start(
      &lag_timer, [](uv_timer_t* timer) { static_cast<Impl*>(timer->data)->on_lag_tick(); },
      kLagTickMs, 0);
}

void HealthLoop::Impl::on_lag_tick() noexcept {
  const std::uint64_t now = util::monotonic_ns();
  lag.roll(now, now > lag_due_ns ? now - lag_due_ns : 0);
  // Peers' votes go stale with time alone, also when no new message comes.
  age_votes();
  arm_lag_tick();
}

void HealthLoop::Impl::shut_down() noexcept {
  slots.shut_down();
  for (auto& member : members) {
    close_runners(*member);
    stop_resolving(*member);
  }
  members.clear();
  by_key.clear();
  if (curl) curl->close();
  if (icmp) icmp->close();
  uv_close(reinterpret_cast<uv_handle_t*>(&lag_timer), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&wakeup), nullptr);
}

HealthLoop::HealthLoop(std::uint32_t max_in_flight, std::uint64_t seed)
    : impl_(std::make_unique<Impl>(max_in_flight, seed)) {}

HealthLoop::~HealthLoop() {
  stop();
}

void HealthLoop::start() {
  Impl& d = *impl_;
  std::lock_guard lock(d.mu);
  if (d.started_once) return;
  // Thread-safe in libcurl >= 7.84 (Debian 12 has 7.88); reference-counted, undone in stop().
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("libcurl cannot be initialised");
  }
  if (uv_loop_init(&d.loop) != 0) {
    curl_global_cleanup();
    throw std::runtime_error("health loop: cannot create an event loop");
  }
  try {
    d.curl = std::make_unique<CurlDriver>(&d.loop);
    d.icmp = std::make_unique<IcmpDriver>(&d.loop, static_cast<std::uint16_t>(d.rng.next()));
  } catch (...) {
    if (d.curl) d.curl->close();
    uv_run(&d.loop, UV_RUN_NOWAIT);  // runs the close callbacks
    uv_loop_close(&d.loop);
    d.curl.reset();
    curl_global_cleanup();
    throw;
  }
  d.loop.data = &d;  // for the resolve timers, whose own data is their member
  d.env = ProbeEnv{&d.loop, &d.rng, d.curl.get(), d.icmp.get(), &d.slots, &d.counters, &d.lag};
  uv_timer_init(&d.loop, &d.lag_timer);
  d.lag_timer.data = &d;
  d.arm_lag_tick();
  uv_async_init(&d.loop, &d.wakeup,
                [](uv_async_t* async) { static_cast<Impl*>(async->data)->on_wakeup(); });
  d.wakeup.data = &d;
  try {
    // The thread cannot look at running before this lock is released.
    d.thread = std::thread([&d] { uv_run(&d.loop, UV_RUN_DEFAULT); });
  } catch (...) {
    // No thread (a thread limit): undo the set-up here, so that stop() has nothing to join
    // and the caller gets the exception, not a terminate from stop().
    d.curl->close();
    d.icmp->close();
    uv_close(reinterpret_cast<uv_handle_t*>(&d.lag_timer), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&d.wakeup), nullptr);
    for (int i = 0; i < 16 && uv_loop_close(&d.loop) == UV_EBUSY; ++i) {
      uv_run(&d.loop, UV_RUN_NOWAIT);
    }
    d.curl.reset();
    d.icmp.reset();
    curl_global_cleanup();
    throw;
  }
  d.started_once = true;
  d.running = true;
  if (d.pending_plan) uv_async_send(&d.wakeup);
}

void HealthLoop::stop() noexcept {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    if (!d.running || d.stopping) return;
    d.stopping = true;
    uv_async_send(&d.wakeup);
  }
  d.thread.join();
  // Everything was closed by shut_down(); a bounded drain in case a close callback is pending.
  for (int i = 0; i < 16 && uv_loop_close(&d.loop) == UV_EBUSY; ++i) uv_run(&d.loop, UV_RUN_NOWAIT);
  d.curl.reset();
  d.icmp.reset();
  curl_global_cleanup();
  {
    std::lock_guard lock(d.mu);
    d.running = false;
  }
  d.adopted_cv.notify_all();
}

void HealthLoop::adopt(MonitorPlan plan) {
  Impl& d = *impl_;
  std::lock_guard lock(d.mu);
  d.pending_plan = std::move(plan);
  ++d.plans_given;
  if (d.running && !d.stopping) uv_async_send(&d.wakeup);
}

void HealthLoop::wait_adopted() {
  Impl& d = *impl_;
  std::unique_lock lock(d.mu);
  const std::uint64_t target = d.plans_given;
  d.adopted_cv.wait(lock, [&] { return d.plans_taken >= target || !d.running || d.stopping; });
}

bool HealthLoop::first_round_done() const noexcept {
  return impl_->first_round.load(std::memory_order_acquire);
}

bool HealthLoop::Impl::enqueue(AdminMessage message) {
  std::lock_guard lock(mu);
  if (admin_queue.size() >= kMaxAdminQueue) {
    counters.admin_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  admin_queue.push_back(std::move(message));
  if (running && !stopping) uv_async_send(&wakeup);
  return true;
}

void HealthLoop::peer_votes(PeerVotes votes) {
  Impl& d = *impl_;
  std::lock_guard lock(d.mu);
  if (d.pending_votes) d.votes_dropped.fetch_add(1, std::memory_order_relaxed);
  d.pending_votes = std::move(votes);
  if (d.running && !d.stopping) uv_async_send(&d.wakeup);
}

bool HealthLoop::force(std::string key, std::optional<bool> up) {
  return impl_->enqueue(AdminMessage{std::move(key), AdminKind::force, up, std::nullopt});
}

bool HealthLoop::drain(std::string key, bool drained) {
  return impl_->enqueue(AdminMessage{std::move(key), AdminKind::drain, drained, std::nullopt});
}

bool HealthLoop::weight(std::string key, std::optional<std::uint32_t> weight) {
  return impl_->enqueue(AdminMessage{std::move(key), AdminKind::weight, std::nullopt, weight});
}

std::vector<MemberStatus> HealthLoop::status() const {
  std::lock_guard lock(impl_->status_mu);
  return impl_->status;
}

ProbeCounters HealthLoop::counters() const noexcept {
  const LoopCounters& c = impl_->counters;
  ProbeCounters out;
  out.started = c.started.load(std::memory_order_relaxed);
  out.succeeded = c.succeeded.load(std::memory_order_relaxed);
  out.failed = c.failed.load(std::memory_order_relaxed);
  out.skipped_busy = c.skipped_busy.load(std::memory_order_relaxed);
  out.waited_for_slot = c.waited_for_slot.load(std::memory_order_relaxed);
  out.admin_dropped = c.admin_dropped.load(std::memory_order_relaxed);
  out.peer_votes_dropped = impl_->votes_dropped.load(std::memory_order_relaxed);
  out.in_flight = c.in_flight.load(std::memory_order_relaxed);
  for (std::size_t t = 0; t < kCheckTypes; ++t) {
    for (std::size_t r = 0; r < 2; ++r)
      out.by_type[t][r] = c.by_type[t][r].load(std::memory_order_relaxed);
  }
  for (std::size_t b = 0; b < kCheckDurationBuckets; ++b) {
    out.duration_buckets[b] = c.duration_buckets[b].load(std::memory_order_relaxed);
  }
  out.duration_count = c.duration_count.load(std::memory_order_relaxed);
  out.duration_sum_us = c.duration_sum_us.load(std::memory_order_relaxed);
  out.became_up = c.became_up.load(std::memory_order_relaxed);
  out.became_down = c.became_down.load(std::memory_order_relaxed);
  const ScheduleLag& lag = impl_->lag;
  out.late = lag.late_total();
  out.lag_us = lag.lag_us();
  out.late_last_second = lag.late_last_second();
  out.started_last_second = lag.started_last_second();
  out.planned_per_second = lag.planned();
  return out;
}

}  // namespace gslbd::probe
