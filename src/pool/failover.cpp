// SPDX-License-Identifier: Apache-2.0
// The failover policy: the most preferred priority group with enough serving members, and the
// health loop's no-preempt bookkeeping of which group is active.
#include <limits>

#include "gslbd/pool/min_healthy.hpp"
#include "policy.hpp"

namespace gslbd::pool::detail {

namespace {

constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();

std::uint32_t count_in_group(const Pool& pool, std::span<const Candidate> candidates,
                             std::uint32_t priority) noexcept {
  std::uint32_t n = 0;
  for (const Candidate& c : candidates) {
    if (pool.members[c.member].priority == priority) ++n;
  }
  return n;
}

// Smallest priority strictly above `above` (kNone = no lower bound yet), or kNone.
std::uint64_t next_priority(const Pool& pool, std::span<const Candidate> candidates,
                            std::uint64_t above) noexcept {
  std::uint64_t best = kNone;
  for (const Candidate& c : candidates) {
    const std::uint64_t p = pool.members[c.member].priority;
    if ((above == kNone || p > above) && p < best) best = p;
  }
  return best;
}

// The normal rule: the first group by ascending priority with >= min_healthy candidates; if
// none has that many, the first group with any (serving something beats serving nothing).
std::uint64_t choose_group(const Pool& pool, std::span<const Candidate> candidates) noexcept {
  const std::uint64_t first = next_priority(pool, candidates, kNone);
  for (std::uint64_t p = first; p != kNone; p = next_priority(pool, candidates, p)) {
    if (meets_min_healthy(pool.min_healthy,
                          count_in_group(pool, candidates, static_cast<std::uint32_t>(p)))) {
      return p;
    }
  }
  return first;
}

}  // namespace

void pick_failover(const PolicyArgs& args, std::span<const Candidate> candidates,
                   Picked& out) noexcept {
  if (candidates.empty()) return;
  const Pool& pool = args.pool;
  std::uint64_t group = kNone;
  bool held = false;
  if (!pool.preempt) {
    // The health loop keeps the active group in its own slot; it is honoured while that group
    // still qualifies for this family, so a recovered better group does not take over.
    const health::HealthTable* table = args.pools.health.get();
    if (table != nullptr && pool.failover_slot < table->size()) {
      const std::uint64_t active = table->read_word(pool.failover_slot);
      if (active <= std::numeric_limits<std::uint32_t>::max() &&
          meets_min_healthy(pool.min_healthy,
                            count_in_group(pool, candidates, static_cast<std::uint32_t>(active)))) {
        group = active;
        held = true;
      }
    }
  }
  if (group == kNone) group = choose_group(pool, candidates);

  CandidateList members;
  for (const Candidate& c : candidates) {
    const std::uint32_t priority = pool.members[c.member].priority;
    if (priority == group) {
      members.push(c);
    } else if (args.trace != nullptr) {
      // A group preferred to the one answering either lacks min_healthy candidates or is
      // passed over because preempt is off and the active group still qualifies.
      const bool qualifies =
          meets_min_healthy(pool.min_healthy, count_in_group(pool, candidates, priority));
      mark(args.trace, c.member,
           priority > group    ? MemberReason::group_later
           : held && qualifies ? MemberReason::group_held
                               : MemberReason::group_short);
    }
  }
  if (args.trace != nullptr) {
    args.trace->failover_group = static_cast<std::uint32_t>(group);
    args.trace->failover_held = held;
  }
  draw_weighted(members.view(), args.want, args.context.rng, out);
}

}  // namespace gslbd::pool::detail

namespace gslbd::pool {

std::uint32_t failover_active_priority(const Pool& pool, const health::HealthTable& health,
                                       std::uint32_t previous_priority) noexcept {
  // Serving members of both families, in the same candidate form the policy uses.
  detail::CandidateList serving;
  std::uint32_t lowest = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t i = 0; i < pool.members.size(); ++i) {
    const Member& member = pool.members[i];
    if (member.priority < lowest) lowest = member.priority;
    if (member.health_slot < health.size() && health::serving(health.read(member.health_slot))) {
      detail::Candidate c;
      c.member = static_cast<std::uint32_t>(i);
      c.serving = true;
      serving.push(c);
    }
  }
  if (pool.members.empty()) return previous_priority;

  if (meets_min_healthy(pool.min_healthy,
                        detail::count_in_group(pool, serving.view(), previous_priority))) {
    return previous_priority;
  }
  if (serving.size() > 0) {
    return static_cast<std::uint32_t>(detail::choose_group(pool, serving.view()));
  }
  return lowest;  // nothing serves: the most preferred group, so recovery follows the normal rule
}

}  // namespace gslbd::pool
