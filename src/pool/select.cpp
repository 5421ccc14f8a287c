// SPDX-License-Identifier: Apache-2.0
// select_members: gathers the asked family's candidates from the health table, runs the pool's
// policy, and applies the pool's all-down action (following fallback pools a bounded number of
// hops). Worker thread; noexcept; everything lives on the stack.
#include "gslbd/pool/min_healthy.hpp"
#include "gslbd/pool/slow_start.hpp"
#include "policy.hpp"

namespace gslbd::pool::detail {

void pick(PolicyKind kind, const PolicyArgs& args, std::span<const Candidate> candidates,
          Picked& out) noexcept {
  if (args.trace != nullptr) args.trace->decided_by = kind;
  switch (kind) {
    case PolicyKind::weighted:
      return pick_weighted(args, candidates, out);
    case PolicyKind::round_robin:
      return pick_round_robin(args, candidates, out);
    case PolicyKind::latency:
      return pick_latency(args, candidates, out);
    case PolicyKind::failover:
      return pick_failover(args, candidates, out);
    case PolicyKind::hash:
      return pick_hash(args, candidates, out);
    case PolicyKind::geo:
      return pick_geo(args, candidates, out);
    case PolicyKind::least_load:
      return pick_least_load(args, candidates, out);
    case PolicyKind::least_connections:
    case PolicyKind::response_time:
    case PolicyKind::bandwidth:
      return pick_by_load(kind, args, candidates, out);
  }
  pick_weighted(args, candidates, out);  // an out-of-range enum value (never from the loader)
}

namespace {

struct Gathered {
  CandidateList members;  // every member of the family (first kMaxMembers of them)
  std::uint32_t family = 0;
  std::uint32_t serving = 0;
  std::uint32_t serving_weighted = 0;  // serving with an effective weight above 0

  // Every member of the family is listed, serves and weighs something: the policy's
  // candidates are then the list as it is.
  bool all_eligible() const noexcept {
    return serving_weighted == family && family == members.size();
  }
};

// The weight every policy starts from: the operator's override when there is one, else the
// configured weight. The slot must be readable.
template <bool kTraced>
inline std::uint32_t base_weight(const Member& member, const health::HealthTable& table,
                                 MemberTrace* traced) noexcept {
  const std::optional<std::uint32_t> weight = table.read_weight_override(member.health_slot);
  if (kTraced && traced != nullptr && weight) traced->weight_override = *weight;
  return weight.value_or(member.weight);
}

// kTraced: whether a trace may be given (/explain); the query path's instantiation has none,
// and so not one branch per member for it.
template <bool kTraced>
void gather(const Pool& pool, const health::HealthTable* table, std::uint8_t family, Gathered& out,
            PoolTrace* trace) noexcept {
  std::uint64_t now_ms = 0;  // read once, and only when a member ramps
  // A slot past the table (or no table) cannot be read: such a member is not serving.
  const std::size_t slots = table != nullptr ? table->size() : 0;
  const std::size_t members = pool.members.size();
  // Counted in locals and stored once: the loop's stores to the list would otherwise make the
  // compiler keep them in memory.
  std::uint32_t in_family = 0;
  std::uint32_t serving = 0;
  std::uint32_t serving_weighted = 0;
  for (std::size_t i = 0; i < members; ++i) {
    const Member& member = pool.members[i];
    MemberTrace* traced = nullptr;
    if constexpr (kTraced) {
      if (trace != nullptr && i < trace->members) traced = &trace->member[i];
    }
    const bool readable = member.health_slot < slots;
    if (member.address.family != family) {
      if (kTraced && traced != nullptr) {
        traced->reason = MemberReason::other_family;
        std::uint32_t weight = member.weight;
        if (readable) {
          traced->health = table->read(member.health_slot);  // shown, not used
          weight = base_weight<kTraced>(member, *table, traced);
        }
        traced->weight = std::uint64_t{weight} * traced->health.agent_weight;
      }
      continue;
    }
    ++in_family;
    Candidate c;
    c.member = static_cast<std::uint32_t>(i);
    std::uint32_t ramp = kFullPermille;
    if (readable) {
      const health::Health h = table->read(member.health_slot);
      c.serving = health::serving(h);
      c.agent_weight = h.agent_weight;
      c.rtt_us = h.rtt_us;
      c.weight = std::uint64_t{base_weight<kTraced>(member, *table, traced)} * c.agent_weight;
      ramp = member_ramp_permille(member, *table, c.serving, now_ms);
      c.weight = ramped_weight(c.weight, ramp);
    } else {
      c.agent_weight = 0;
      c.weight = 0;
    }
    serving += c.serving ? 1 : 0;
    serving_weighted += c.serving && c.weight > 0 ? 1 : 0;
    out.members.push(c);
    if (kTraced && traced != nullptr) {
      if (readable) traced->health = table->read(member.health_slot);
      traced->weight = c.weight;
      traced->ramp_permille = ramp;
      traced->reason = !readable                ? MemberReason::no_health_slot
                       : !traced->health.up     ? MemberReason::down
                       : traced->health.drained ? MemberReason::drained
                                                : MemberReason::not_drawn;
    }
  }
  out.family = in_family;
  out.serving = serving;
  out.serving_weighted = serving_weighted;
}

// The candidates a policy sees: serving members (or all of them under serve_all), then the
// weight-0 rule: members with effective weight 0 only while no one else has more, and then
// as equals (weight 1) so that the pool still answers.
template <bool kTraced>
void eligible(const Gathered& gathered, bool every_member, CandidateList& out,
              PoolTrace* trace) noexcept {
  bool positive = false;
  for (const Candidate& c : gathered.members.view()) {
    if ((every_member || c.serving) && c.weight > 0) positive = true;
  }
  for (const Candidate& c : gathered.members.view()) {
    if (!every_member && !c.serving) continue;
    if (positive && c.weight == 0) {
      if constexpr (kTraced) mark(trace, c.member, MemberReason::weight_zero);
      continue;
    }
    Candidate e = c;
    if (!positive) e.weight = 1;
    out.push(e);
    if (kTraced && trace != nullptr && e.member < trace->members)
      trace->member[e.member].draw_weight = e.weight;
  }
}

// eligible(gathered, false, ...) as a view: the gathered list itself when all of it is
// eligible (every member up, the common case), else scratch filled by eligible().
template <bool kTraced>
std::span<const Candidate> serving_candidates(const Gathered& gathered, CandidateList& scratch,
                                              PoolTrace* trace) noexcept {
  if (gathered.all_eligible()) {
    if constexpr (kTraced) {
      for (const Candidate& c : gathered.members.view()) {
        if (trace != nullptr && c.member < trace->members)
          trace->member[c.member].draw_weight = c.weight;
      }
    }
    return gathered.members.view();
  }
  eligible<kTraced>(gathered, false, scratch, trace);
  return scratch.view();
}

PoolTrace* start_trace(SelectionTrace& trace, std::uint32_t index, const Pool& pool) noexcept {
  if (trace.pools >= std::size(trace.pool)) return nullptr;
  PoolTrace& traced = trace.pool[trace.pools++];
  traced.pool = index;
  traced.members = static_cast<std::uint32_t>(
      pool.members.size() < kMaxMembers ? pool.members.size() : kMaxMembers);
  for (std::uint32_t i = 0; i < traced.members; ++i) traced.member[i] = MemberTrace{};
  traced.decided_by = pool.policy;
  traced.all_down = traced.served_all = false;
  traced.serving = 0;
  traced.below_min_healthy = false;
  traced.latency_best_us = traced.latency_limit_us = 0;
  traced.failover_group = 0;
  traced.failover_held = false;
  traced.client_region = traced.chosen_region = nullptr;
  return &traced;
}

std::uint32_t clamp_records(std::uint32_t max_records) noexcept {
  if (max_records == 0) return 1;
  return max_records > kMaxRecords ? static_cast<std::uint32_t>(kMaxRecords) : max_records;
}

template <bool kTraced>
void copy_out(const Picked& picked, Selection& selection, PoolTrace* trace) noexcept {
  for (std::uint32_t i = 0; i < picked.count && i < kMaxRecords; ++i) {
    selection.members[i] = picked.members[i];
    if (kTraced && trace != nullptr && picked.members[i] < trace->members) {
      trace->member[picked.members[i]].reason = MemberReason::chosen;
      trace->member[picked.members[i]].position = static_cast<std::uint8_t>(i);
    }
  }
  selection.count = picked.count;
  if (picked.scope > selection.ecs_scope) selection.ecs_scope = picked.scope;
}

template <bool kTraced>
Selection select(const PoolSet& pools, std::uint32_t pool_index, std::uint8_t family,
                 const util::Client& client, SelectContext& context,
                 SelectionTrace* trace) noexcept {
  Selection selection;
  const health::HealthTable* table = pools.health.get();
  if constexpr (kTraced) trace->pools = 0;
  if (pool_index >= pools.pools.size()) return selection;  // no pool: count 0, outcome normal
  // The walk is worked out only when the first pool's all-down action needs it: the common
  // answer comes from the pool asked for and pays nothing for it.
  FallbackChain chain;
  chain.pool[0] = pool_index;
  chain.count = 1;

  for (std::uint32_t hop = 0; hop < chain.usable(); ++hop) {
    const std::uint32_t index = chain.pool[hop];
    const Pool& pool = pools.pools[index];
    selection.pool = &pool;
    selection.count = 0;
    PoolTrace* traced = nullptr;
    if constexpr (kTraced) traced = start_trace(*trace, index, pool);

    Gathered gathered;
    gather<kTraced>(pool, table, family, gathered, traced);
    if (hop == 0 && gathered.serving < gathered.family) selection.degraded = true;
    if (gathered.family == 0) {
      // NODATA for the pool asked; a fallback pool without the family has nothing to give.
      if (hop > 0) selection.outcome = Outcome::all_down;
      return selection;
    }

    // A name can have one CNAME only: a pool of host names names one member, whatever its
    // max_records.
    const std::uint32_t records = pool.by_name ? 1 : clamp_records(pool.max_records);
    PolicyArgs args{pools, pool, index, client, context, records, false, traced};
    // Too few serving members: the pool counts as all down, whatever its policy would choose.
    const bool enough = meets_min_healthy(pool.pool_min_healthy, gathered.serving);
    if (kTraced && traced != nullptr) {
      traced->serving = gathered.serving;
      traced->below_min_healthy = !enough;
    }
    if (!enough) {
      for (const Candidate& c : gathered.members.view()) {
        if (c.serving) mark(traced, c.member, MemberReason::pool_short);
      }
    } else {
      CandidateList scratch;
      const std::span<const Candidate> candidates =
          serving_candidates<kTraced>(gathered, scratch, traced);
      Picked picked;
      pick(pool.policy, args, candidates, picked);
      copy_out<kTraced>(picked, selection, traced);
      if (picked.count > 0) {
        selection.outcome = hop == 0 ? Outcome::normal : Outcome::fallback;
        return selection;
      }
    }

    // All down (for this client: a geo pool may be down only in the regions it prefers).
    selection.degraded = true;
    selection.outcome = Outcome::all_down;
    if (kTraced && traced != nullptr) traced->all_down = true;
    switch (pool.all_down) {
      case AllDownAction::serve_all: {
        CandidateList candidates;
        eligible<kTraced>(gathered, true, candidates, traced);
        args.serve_all = true;
        if (kTraced && traced != nullptr) traced->served_all = true;
        Picked picked;
        pick(pool.policy, args, candidates.view(), picked);
        copy_out<kTraced>(picked, selection, traced);
        return selection;
      }
      case AllDownAction::nodata:
        return selection;
      case AllDownAction::servfail:
        selection.servfail = true;
        return selection;
      case AllDownAction::fallback_pool:
        if (hop == 0) chain = fallback_chain(pools, pool_index);
        break;  // the next pool of the chain, if the chain has one; else as nodata
    }
  }
  // No pool asked (pool_index out of range: count 0, outcome normal), or the chain ended with
  // every pool all down.
  selection.count = 0;
  return selection;
}

}  // namespace

}  // namespace gslbd::pool::detail

namespace gslbd::pool {

Selection select_members(const PoolSet& pools, std::uint32_t pool_index, std::uint8_t family,
                         const util::Client& client, SelectContext& context,
                         SelectionTrace* trace) noexcept {
  if (trace == nullptr)
    return detail::select<false>(pools, pool_index, family, client, context, nullptr);
  return detail::select<true>(pools, pool_index, family, client, context, trace);
}

}  // namespace gslbd::pool
