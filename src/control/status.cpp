// SPDX-License-Identifier: Apache-2.0
#include "status.hpp"

#include <initializer_list>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "gslbd/dns/name.hpp"
#include "gslbd/pool/slow_start.hpp"
#include "json_writer.hpp"
#include "load_json.hpp"
#include "operator_actions.hpp"
#include "policy_names.hpp"
#include "target_json.hpp"
#include "time_text.hpp"
#include "votes_json.hpp"

namespace gslbd::control {
namespace {

// "key": the text, or null when it is empty.
void write_optional(JsonWriter& json, std::string_view key, const std::string& text) {
  json.key(key);
  if (text.empty()) {
    json.null();
  } else {
    json.string(text);
  }
}

// "key": a time, or null when there is none yet.
void write_optional(JsonWriter& json, std::string_view key,
                    const std::optional<std::chrono::system_clock::time_point>& at) {
  json.key(key);
  if (at) {
    json.string(rfc3339(*at));
  } else {
    json.null();
  }
}

struct Count {
  std::string_view key;
  std::uint64_t value;
};

// "key": number for each count, in order.
void write_counts(JsonWriter& json, std::initializer_list<Count> counts) {
  for (const Count& count : counts) json.key(count.key).number(count.value);
}

// Whole seconds from `then` to `now`, 0 if the clock went back.
std::uint64_t age_seconds(std::chrono::system_clock::time_point then,
                          std::chrono::system_clock::time_point now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
  return s > 0 ? static_cast<std::uint64_t>(s) : 0;
}

// Each check's verdict after invert and rise/fall, and how healthy_when combined them.
void write_check_verdicts(JsonWriter& json, const pool::Member& member,
                          const probe::MemberStatus* status) {
  json.key("healthy_when").string(health::rule_text(member.healthy_when));
  write_optional(json, "checks_outcome", status != nullptr ? status->healthy_when : std::string());
  json.key("check_verdicts");
  write_check_verdict_list(json,
                           status != nullptr ? status->checks : std::vector<probe::CheckStatus>{});
}

}  // namespace

namespace {

// The operator's actions as this instance keeps them, and how their state file fares.
void write_operator_state(JsonWriter& json, const OperatorState& state,
                          std::chrono::system_clock::time_point now) {
  const OperatorStateReport r = state.report();
  const auto now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  auto time_of = [](std::uint64_t ms) {
    return rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
  };
  json.key("operator_state").begin_object();
  write_optional(json, "file", r.file);
  write_optional(json, "load_error", r.load_error);
  json.key("loaded").number(static_cast<std::uint64_t>(r.loaded));
  json.key("dropped").number(static_cast<std::uint64_t>(r.dropped));
  json.key("writes").number(r.writes);
  json.key("write_failures").number(r.write_failures);
  write_optional(json, "last_write_error", r.last_write_error);
  json.key("peer_adopted").number(r.peer_adopted);
  json.key("peer_refused").number(r.peer_refused);
  json.key("actions").begin_array();
  for (const auto& [key, a] : state.actions().records()) {
    json.begin_object();
    json.key("pool").string(a.pool);
    json.key("member").string(a.member);
    json.key("kind").string(action_kind_name(a.kind));
    json.key("value").string(a.value_text());
    json.key("in_force").boolean(!a.clears(now_ms));
    json.key("expires_at");
    if (a.expires_at_ms != 0) {
      json.string(time_of(a.expires_at_ms));
    } else {
      json.null();
    }
    json.key("origin").string(a.origin);
    json.key("at").string(time_of(a.at_ms));
    json.key("seq").number(a.seq);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

}  // namespace

std::string render_status(const StatusInput& in) {
  std::unordered_map<std::string, const probe::MemberStatus*> by_key;
  for (const probe::MemberStatus& s : in.members) by_key.emplace(s.key, &s);
  const runtime::Config* config = in.snapshot != nullptr ? in.snapshot->config.get() : nullptr;

  JsonWriter json;
  json.begin_object();
  json.key("version").string(in.version);
  json.key("generation").number(in.snapshot != nullptr ? in.snapshot->generation : 0u);
  json.key("started").string(rfc3339(in.started));
  json.key("serving").boolean(in.serving);
  json.key("first_round_done").boolean(in.first_round_done);
  json.key("reload_in_progress").boolean(in.reload_in_progress);
  json.key("reload_since");
  if (in.reload_in_progress) {
    json.string(rfc3339(in.reload_since));
  } else {
    json.null();
  }
  json.key("xdp");
  if (in.xdp) {
    json.begin_object();
    json.key("active").boolean(in.xdp->active);
    json.key("detail").string(in.xdp->detail);
    json.end_object();
  } else {
    json.null();
  }
  json.key("watched_files").begin_array();
  for (const WatchedFile& file : in.watched_files) {
    json.begin_object();
    json.key("path").string(file.path);
    json.key("kind").string(file.kind);
    json.key("last_load");
    if (file.loaded) {
      json.string(rfc3339(file.last_load));
    } else {
      json.null();
    }
    json.key("last_result").string(!file.loaded ? "none" : file.last_ok ? "ok" : "error");
    if (!file.last_ok) json.key("last_error").string(file.last_error);
    json.key("loads_ok").number(file.loads_ok);
    json.key("loads_failed").number(file.loads_failed);
    json.end_object();
  }
  json.end_array();
  if (in.has_probes) {
    const probe::ProbeCounters& c = in.probes;
    json.key("health_checks").begin_object();
    json.key("planned_per_second").number(c.planned_per_second);
    json.key("started_last_second").number(c.started_last_second);
    json.key("lag_ms").number(static_cast<double>(c.lag_us) / 1000.0);
    json.key("late_last_second").number(c.late_last_second);
    json.key("late_total").number(c.late);
    json.key("behind_schedule").boolean(c.late_last_second > 0);
    json.key("in_flight").number(std::uint64_t{c.in_flight});
    json.end_object();
  }

  if (in.operator_state != nullptr) write_operator_state(json, *in.operator_state, in.now);

  if (in.peers.configured) {
    json.key("peers").begin_object();
    json.key("own_view_only").boolean(in.peers.own_view_only);
    json.key("instances").begin_array();
    for (const PeerReport& peer : in.peers.peers) {
      json.begin_object();
      json.key("name").string(peer.name);
      json.key("url").string(peer.url);
      json.key("fresh").boolean(peer.fresh);
      write_optional(json, "instance", peer.instance);
      json.key("generation").number(peer.generation);
      write_optional(json, "last_success", peer.last_success);
      write_optional(json, "last_error", peer.last_error);
      json.key("differing_pools").begin_array();
      for (const std::string& pool : peer.differing_pools) json.string(pool);
      json.end_array();
      write_counts(json, {{"polls", peer.polls},
                          {"succeeded", peer.succeeded},
                          {"failed", peer.failed},
                          {"unauthorized", peer.unauthorized},
                          {"malformed", peer.malformed},
                          {"oversized", peer.oversized},
                          {"bytes", peer.bytes}});
      const PushReport& push = peer.push;
      json.key("push").begin_object();
      write_counts(json, {{"sent", push.sent},
                          {"succeeded", push.succeeded},
                          {"failed", push.failed},
                          {"unauthorized", push.unauthorized},
                          {"records", push.records},
                          {"dropped", push.dropped}});
      write_optional(json, "last_result", push.last_result);
      json.key("last_ok").boolean(push.last_ok);
      write_optional(json, "last_at", push.last_at);
      json.end_object();
      json.end_object();
    }
    json.end_array();
    json.end_object();
  }

  json.key("zones").begin_array();
  if (config != nullptr && config->zones) {
    for (const auto& zone : config->zones->zones()) {
      json.begin_object();
      json.key("name").string(dns::name_to_text(zone->apex()));
      json.key("serial").number(std::uint64_t{zone->serial()});
      json.key("services").number(static_cast<std::uint64_t>(zone->services().size()));
      json.end_object();
    }
  }
  json.end_array();

  json.key("pools").begin_array();
  const pool::PoolSet* pools = config != nullptr ? config->pools.get() : nullptr;
  const health::HealthTable* table = pools != nullptr ? pools->health.get() : nullptr;
  std::uint64_t now_ms = 0;  // for slow start's shares, read once
  if (pools != nullptr) {
    for (const pool::Pool& pool : pools->pools) {
      json.begin_object();
      json.key("name").string(pool.name);
      json.key("policy").string(pool::policy_name(pool.policy));
      json.key("all_down").string(pool::all_down_name(pool.all_down));
      std::uint64_t serving = 0;
      json.key("members").begin_array();
      for (const pool::Member& member : pool.members) {
        const bool readable = table != nullptr && member.health_slot < table->size();
        const health::Health h = readable ? table->read(member.health_slot) : health::Health{};
        if (health::serving(h)) ++serving;
        const auto found = by_key.find(pool.name + "/" + member.name);
        const probe::MemberStatus* status = found != by_key.end() ? found->second : nullptr;
        std::uint64_t answers = 0;
        if (member.health_slot < stats::kMaxMembers) {
          for (const stats::WorkerStats* w : in.workers) {
            if (w != nullptr) answers += w->selections(member.health_slot);
          }
        }
        json.begin_object();
        json.key("name").string(member.name);
        write_member_address(json, member, status);
        json.key("up").boolean(h.up);
        json.key("known").boolean(h.known);
        json.key("forced").boolean(h.forced);
        json.key("drained").boolean(h.drained);
        json.key("serving").boolean(health::serving(h));
        json.key("since");
        if (status != nullptr) {
          json.string(rfc3339(status->since));
        } else {
          json.null();
        }
        // The present: why it is down now. History: the latest failure, even if it is up again.
        json.key("down_reason");
        if (status != nullptr && !h.up && !status->down_reason.empty()) {
          json.string(status->down_reason);
        } else if (!h.up && h.forced) {
          json.string("forced down by admin");
        } else {
          json.null();
        }
        json.key("last_error").string(status != nullptr ? status->last_error : std::string());
        write_optional(json, "last_error_check",
                       status != nullptr ? status->last_error_check : std::string());
        json.key("last_error_at");
        if (status != nullptr && status->last_error_at) {
          json.string(rfc3339(*status->last_error_at));
          json.key("last_error_age_s").number(age_seconds(*status->last_error_at, in.now));
        } else {
          json.null();
          json.key("last_error_age_s").null();
        }
        json.key("rtt_ms").number(static_cast<double>(h.rtt_us) / 1000.0);
        json.key("agent_weight").number(unsigned{h.agent_weight});
        json.key("weight").number(std::uint64_t{member.weight});
        json.key("weight_override");
        if (status != nullptr && status->weight_override) {
          json.number(std::uint64_t{*status->weight_override});
        } else {
          json.null();
        }
        json.key("priority").number(std::uint64_t{member.priority});
        if (!member.region.empty()) json.key("region").string(member.region);
        json.key("checks").number(static_cast<std::uint64_t>(member.checks.size()));
        write_check_verdicts(json, member, status);
        if (member.slow_start_ms > 0) {
          const std::uint32_t share =
              readable ? pool::member_ramp_permille(member, *table, health::serving(h), now_ms)
                       : pool::kFullPermille;
          json.key("slow_start").begin_object();
          json.key("ms").number(std::uint64_t{member.slow_start_ms});
          json.key("share").number(static_cast<double>(share) / 1000.0);
          json.key("ramping").boolean(share < pool::kFullPermille);
          json.end_object();
        }
        if (pool::reports_load(member)) {
          json.key("load");
          write_load(json, readable ? table->read_load(member.health_slot) : health::Load{});
        }
        json.key("answers").number(answers);
        write_member_votes(json, pool, status);
        json.end_object();
      }
      json.end_array();
      json.key("serving").number(serving);
      if (pool.consensus.rule != pool::ConsensusRule::own) {
        json.key("consensus").string(pool::consensus_text(pool.consensus));
        json.key("own_view_only").boolean(pool_own_view_only(pool, by_key));
      }
      json.end_object();
    }
  }
  json.end_array();
  json.end_object();
  return json.take();
}

}  // namespace gslbd::control
