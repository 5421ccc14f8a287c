// SPDX-License-Identifier: Apache-2.0
// How /status and /explain show a member's votes: the pool's consensus rule, who said what
// (this instance and each peer: up, down, unknown, stale, differs, absent, unreachable) and the
// rule's result, all as the health loop last derived them. Control thread.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "json_writer.hpp"

namespace gslbd::control {

using MemberStatusIndex = std::unordered_map<std::string, const probe::MemberStatus*>;

// The statuses by key ("pool/member").
MemberStatusIndex index_members(const std::vector<probe::MemberStatus>& members);

// Writes "votes": {...} for a member of a pool whose consensus is not own; nothing otherwise.
void write_member_votes(JsonWriter& json, const pool::Pool& pool, const probe::MemberStatus* s);

// A pool with a consensus rule whose every member is served by this instance's own verdict
// because no peer votes for it.
bool pool_own_view_only(const pool::Pool& pool, const MemberStatusIndex& members);

}  // namespace gslbd::control
