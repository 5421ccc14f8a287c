// SPDX-License-Identifier: Apache-2.0
#include "votes_json.hpp"

namespace gslbd::control {

MemberStatusIndex index_members(const std::vector<probe::MemberStatus>& members) {
  MemberStatusIndex out;
  for (const probe::MemberStatus& s : members) out.emplace(s.key, &s);
  return out;
}

void write_member_votes(JsonWriter& json, const pool::Pool& pool, const probe::MemberStatus* s) {
  if (pool.consensus.rule == pool::ConsensusRule::own) return;
  json.key("votes").begin_object();
  json.key("consensus").string(pool::consensus_text(pool.consensus));
  if (s == nullptr || s->consensus.empty()) {
    // Not yet adopted by the health loop (a reload in progress).
    json.key("result").null();
    json.end_object();
    return;
  }
  json.key("result").string(s->up ? "up" : "down");
  json.key("own_view_only").boolean(s->own_view_only);
  json.key("up").number(std::uint64_t{s->vote_ups});
  json.key("voters").number(std::uint64_t{s->vote_voters});
  json.key("needed").number(std::uint64_t{s->vote_needed});
  json.key("instances").begin_array();
  json.begin_object();
  json.key("instance").string("self");
  json.key("vote").string(!s->checks_known ? "unknown" : s->checks_up ? "up" : "down");
  json.end_object();
  for (const probe::MemberStatus::PeerVote& v : s->votes) {
    json.begin_object();
    json.key("instance").string(v.peer);
    json.key("vote").string(v.state);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

bool pool_own_view_only(const pool::Pool& pool, const MemberStatusIndex& members) {
  if (pool.consensus.rule == pool::ConsensusRule::own || pool.members.empty()) return false;
  for (const pool::Member& member : pool.members) {
    const auto found = members.find(pool.name + "/" + member.name);
    if (found == members.end() || !found->second->own_view_only) return false;
  }
  return true;
}

}  // namespace gslbd::control
