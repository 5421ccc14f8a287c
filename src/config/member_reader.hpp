// SPDX-License-Identifier: Apache-2.0
// Pool members, and the member settings a pool may give all its members (slow_start,
// healthy_when).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "check_reader.hpp"
#include "gslbd/pool/pool.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// What a pool gives its members unless they say otherwise.
struct MemberDefaults {
  std::vector<health::CheckSpec> checks;
  std::uint32_t slow_start_ms = 0;
  health::CheckRule healthy_when;
  std::optional<YAML::Mark> healthy_when_mark;  // set when the pool gives one
  health::InitialState initial_state = health::InitialState::wait;
};

// slow_start: a duration up to an hour; 0s turns it off.
std::optional<std::uint32_t> read_slow_start(Diagnostics& diag, const Value& value);
// healthy_when: `all`, `any` or `{at_least: N}`.
std::optional<health::CheckRule> read_check_rule(Diagnostics& diag, const Value& value);

// The keys a member may have.
std::vector<std::string_view> member_key_names();

// One item of a pool's `members:` list: reached by `address`, or by host name (`target`, see
// member_target.hpp; resolver: server.resolver is set). policy is what chooses among the members
// (for a geo pool, its within_region policy): it decides which keys a member needs. nullopt
// after errors, which are reported.
std::optional<pool::Member> read_member(Diagnostics& diag, const Value& value, CheckReader& checks,
                                        const MemberDefaults& defaults, pool::PolicyKind policy,
                                        bool resolver);

}  // namespace gslbd::config::detail
