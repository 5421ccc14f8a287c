// SPDX-License-Identifier: Apache-2.0
// Private to the pool module: the candidate list every policy works on, and one entry point
// per policy. select.cpp gathers candidates and handles all-down; policies only choose.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

#include "gslbd/pool/selection.hpp"
#include "gslbd/pool/selection_trace.hpp"

namespace gslbd::pool::detail {

// One member of the asked family that a policy may name.
struct Candidate {
  std::uint64_t weight = 0;  // effective weight, >= 1 once the weight-0 rule has run
  std::uint32_t member = 0;  // index into Pool::members
  std::uint32_t rtt_us = 0;  // RTT EWMA from the health word; 0 = none yet
  std::uint8_t agent_weight = 100;
  bool serving = false;
};

// Bounded scratch list: room for kMaxMembers entries on the stack (about 6 KiB), left
// uninitialised: only the first `count` are ever read, and filling all of them on every query
// cost most of a pool answer (tools/bench-micro, Select/*). The entries are Candidates, not
// bytes, so that writing one does not oblige the compiler to reload everything else a loop
// reads (a char store may alias any object).
class CandidateList {
 public:
  CandidateList() noexcept {}  // items_ is deliberately left uninitialised
  CandidateList(const CandidateList&) = delete;
  CandidateList& operator=(const CandidateList&) = delete;

  std::span<const Candidate> view() const noexcept { return {items_, count_}; }
  std::uint32_t size() const noexcept { return count_; }
  void push(const Candidate& c) noexcept {
    if (count_ < kMaxMembers) items_[count_++] = c;  // begins the entry's lifetime
  }

 private:
  static_assert(std::is_trivially_copyable_v<Candidate> &&
                std::is_trivially_destructible_v<Candidate>);
  std::uint32_t count_ = 0;
  union {
    Candidate items_[kMaxMembers];
  };
};

// What a policy produced: members in answer order, and the ECS scope its choice depends on.
struct Picked {
  std::uint32_t members[kMaxRecords] = {};
  std::uint32_t count = 0;
  std::uint8_t scope = 0;

  void push(std::uint32_t member) noexcept {
    if (count < kMaxRecords) members[count++] = member;
  }
};

// Everything a policy may read besides the candidates.
struct PolicyArgs {
  const PoolSet& pools;
  const Pool& pool;
  std::uint32_t pool_index;
  const util::Client& client;
  SelectContext& context;
  std::uint32_t want;          // records to name, 1..kMaxRecords
  bool serve_all = false;      // all-down serve_all: candidates are every member of the family
  PoolTrace* trace = nullptr;  // where the policy records why it left members out; may be null
};

// Records why `member` was left out, unless an earlier step of the selection already said why
// (a member down under serve_all stays down). A null trace records nothing.
inline void mark(PoolTrace* trace, std::uint32_t member, MemberReason reason) noexcept {
  if (trace != nullptr && member < trace->members &&
      trace->member[member].reason == MemberReason::not_drawn) {
    trace->member[member].reason = reason;
  }
}

// Each policy chooses among `candidates` (all to be treated as serving, weights >= 1) and adds
// at most args.want members to `out`. An empty result means nothing could be chosen (all down).

// Weighted sampling without replacement: up to `want` distinct candidates, each draw in
// proportion to weight among those not yet drawn. Shared by several policies.
void draw_weighted(std::span<const Candidate> candidates, std::uint32_t want, util::Rng& rng,
                   Picked& out) noexcept;

void pick_weighted(const PolicyArgs& args, std::span<const Candidate> candidates,
                   Picked& out) noexcept;
void pick_round_robin(const PolicyArgs& args, std::span<const Candidate> candidates,
                      Picked& out) noexcept;
void pick_latency(const PolicyArgs& args, std::span<const Candidate> candidates,
                  Picked& out) noexcept;
void pick_failover(const PolicyArgs& args, std::span<const Candidate> candidates,
                   Picked& out) noexcept;
void pick_hash(const PolicyArgs& args, std::span<const Candidate> candidates, Picked& out) noexcept;
void pick_geo(const PolicyArgs& args, std::span<const Candidate> candidates, Picked& out) noexcept;
void pick_least_load(const PolicyArgs& args, std::span<const Candidate> candidates,
                     Picked& out) noexcept;

// least_connections, response_time and bandwidth (`kind`): weighted draw by load_weight().
void pick_by_load(PolicyKind kind, const PolicyArgs& args, std::span<const Candidate> candidates,
                  Picked& out) noexcept;

// Dispatches on kind (and records it as the trace's decided_by).
void pick(PolicyKind kind, const PolicyArgs& args, std::span<const Candidate> candidates,
          Picked& out) noexcept;

}  // namespace gslbd::pool::detail
