// SPDX-License-Identifier: Apache-2.0
#include "explain.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dns/names.hpp"
#include "gslbd/pool/selection.hpp"
#include "gslbd/pool/selection_trace.hpp"
#include "gslbd/zone/chain.hpp"
#include "json_writer.hpp"
#include "load_json.hpp"
#include "policy_names.hpp"
#include "target_json.hpp"
#include "votes_json.hpp"

namespace gslbd::control {
namespace {

// What the reader of an explanation needs to know to read two of its fields.
constexpr const char* kSeedNote =
    "seeds the random draw of this explanation (weighted and latency policies): the same seed "
    "gives the same draw; without seed= it is derived from name, type and client. Real queries "
    "draw from each worker's own random sequence, so their answers can differ from this one";
constexpr const char* kWeightNote =
    "weight x agent_weight: the configured weight (or the operator's weight_override; relative to "
    "the other members of the pool) "
    "times the percentage an agent check reports (100 without one); 10000 = weight 100 at 100%";

// FNV-1a: the default seed is a function of the request, so repeating it repeats the draw.
std::uint64_t request_seed(std::string_view name, std::uint16_t type, std::string_view client) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto feed = [&](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ull;
    }
    h ^= 0xff;
    h *= 0x100000001b3ull;
  };
  feed(name);
  feed(std::to_string(type));
  feed(client);
  return h;
}

struct Request {
  const std::vector<probe::MemberStatus>* members = nullptr;  // for votes; may be null
  std::string name_wire;                                      // lowercase
  std::uint16_t type = dns::type::A;
  util::Client client;
  std::string client_text;
  const char* client_source = "no client given: the address this request came from";
  std::uint64_t seed = 0;
};

std::optional<HttpResponse> parse(const HttpRequest& http, const runtime::Snapshot* snapshot,
                                  const util::Address& peer, Request& out) {
  const std::string* name = http.param("name");
  if (name == nullptr || name->empty()) return json_error(400, "name is required");
  std::string error;
  const auto wire = dns::name_from_text(*name, std::string_view("\0", 1), &error);
  if (!wire) return json_error(400, "bad name: " + error);
  out.name_wire = dns::lowercased(*wire);
  if (const std::string* type = http.param("type")) {
    const auto parsed = dns::parse_rr_type(*type);
    if (!parsed) return json_error(400, "type must be A, AAAA, another type name or TYPEnnn");
    out.type = *parsed;
  }
  const bool ecs_on =
      snapshot != nullptr && snapshot->config && snapshot->config->server.client_subnet;
  if (const std::string* client = http.param("client")) {
    const std::size_t slash = client->find('/');
    const auto address = util::parse_address(std::string_view(*client).substr(0, slash));
    if (!address) return json_error(400, "client must be an address or address/prefix");
    const unsigned width = address->family == 4 ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string::npos) {
      const std::string_view digits = std::string_view(*client).substr(slash + 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (ec != std::errc{} || end != digits.data() + digits.size() || prefix > width) {
        return json_error(400, "client prefix must be 0.." + std::to_string(width));
      }
    }
    out.client.address = util::masked(*address, prefix);
    out.client.prefix = static_cast<std::uint8_t>(prefix);
    out.client.from_ecs = slash != std::string::npos;
    out.client_source = out.client.from_ecs ? "parameter, as an ECS subnet" : "parameter";
    if (out.client.from_ecs && !ecs_on) {
      // The server ignores ECS then: the resolver's own address decides. The subnet's address
      // is the best stand-in we have for it.
      out.client.address = *address;
      out.client.prefix = static_cast<std::uint8_t>(width);
      out.client.from_ecs = false;
      out.client_source = "parameter; ECS is off (server.client_subnet), used as a source address";
    }
  } else {
    out.client.address = peer;
    out.client.prefix = peer.family == 4 ? 32 : peer.family == 6 ? 128 : 0;
  }
  out.client_text =
      util::address_text(out.client.address) + "/" + std::to_string(unsigned{out.client.prefix});
  if (const std::string* seed = http.param("seed")) {
    const auto [end, ec] = std::from_chars(seed->data(), seed->data() + seed->size(), out.seed);
    if (ec != std::errc{} || end != seed->data() + seed->size()) {
      return json_error(400, "seed must be an unsigned integer");
    }
  } else {
    out.seed = request_seed(out.name_wire, out.type, out.client_text);
  }
  return std::nullopt;
}

const char* reason_code(pool::MemberReason reason) {
  switch (reason) {
    case pool::MemberReason::not_drawn:
      return "not_drawn";
    case pool::MemberReason::chosen:
      return "chosen";
    case pool::MemberReason::other_family:
      return "other_family";
    case pool::MemberReason::no_health_slot:
      return "no_health_slot";
    case pool::MemberReason::down:
      return "down";
    case pool::MemberReason::drained:
      return "drained";
    case pool::MemberReason::weight_zero:
      return "weight_zero";
    case pool::MemberReason::outside_tolerance:
      return "outside_tolerance";
    case pool::MemberReason::not_measured:
      return "not_measured";
    case pool::MemberReason::other_region:
      return "other_region";
    case pool::MemberReason::region_not_preferred:
      return "region_not_preferred";
    case pool::MemberReason::group_later:
      return "group_later";
    case pool::MemberReason::group_short:
      return "group_short";
    case pool::MemberReason::group_held:
      return "group_held";
    case pool::MemberReason::lower_score:
      return "lower_score";
    case pool::MemberReason::outside_rotation:
      return "outside_rotation";
    case pool::MemberReason::less_capacity:
      return "less_capacity";
    case pool::MemberReason::farther:
      return "farther";
    case pool::MemberReason::not_located:
      return "not_located";
    case pool::MemberReason::pool_short:
      return "pool_short";
  }
  return "not_drawn";
}

std::string km_text(double km) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f km", km);
  return text;
}

std::string chosen_text(const pool::Pool& pool, const pool::PoolTrace& traced, bool fallback) {
  if (traced.served_all) return "chosen regardless of health (all down: serve_all)";
  std::string text = fallback ? "fallback pool: " : "";
  if (traced.closest_decided) {
    return text + "chosen: within the distance tolerance of the nearest (" +
           km_text(traced.closest_best_km) + ", up to " + km_text(traced.closest_limit_km) +
           "), by weighted draw";
  }
  if (pool.policy == pool::PolicyKind::geo && traced.chosen_region != nullptr) {
    text += "in region '" + *traced.chosen_region + "', ";
  }
  switch (traced.decided_by) {
    case pool::PolicyKind::weighted:
    case pool::PolicyKind::geo:
      return text + "chosen by weighted draw";
    case pool::PolicyKind::round_robin:
      return text + "chosen by rotation";
    case pool::PolicyKind::latency:
      return text + "chosen: within the latency tolerance of the best, by weighted draw";
    case pool::PolicyKind::failover:
      return text + "chosen: priority group " + std::to_string(traced.failover_group) +
             (traced.failover_held ? " keeps answering (preempt off)"
                                   : " answers (the first group, by ascending priority value, "
                                     "with min_healthy serving members)");
    case pool::PolicyKind::hash:
      return text + "chosen: highest rendezvous score for this client subnet";
    case pool::PolicyKind::least_load:
      return text + "chosen: most spare capacity";
    case pool::PolicyKind::least_connections:
    case pool::PolicyKind::response_time:
    case pool::PolicyKind::bandwidth:
      return text + "chosen by a draw in proportion to load_weight (spare capacity)";
  }
  return text + "chosen";
}

// Why a pool with serving members counted as all down.
std::string min_healthy_text(const pool::Pool& pool, const pool::PoolTrace& traced) {
  return std::to_string(traced.serving) +
         " of the pool's members serve, fewer than its min_healthy (" +
         std::to_string(pool.pool_min_healthy) + "): the pool counts as all down and all_down " +
         std::string(pool::all_down_name(pool.all_down)) + " decides";
}

// The selection's reason for one member, in words; the numbers come from the trace.
std::string reason_text(const pool::Pool& pool, const pool::Member& member,
                        const pool::PoolTrace& traced, const pool::MemberTrace& m, bool fallback) {
  const std::string records = "max_records " + std::to_string(pool.max_records);
  const std::string group = "priority group " + std::to_string(traced.failover_group);
  const std::string own = "its priority group " + std::to_string(member.priority);
  const std::string min_healthy = "min_healthy (" + std::to_string(pool.min_healthy) + ")";
  switch (m.reason) {
    case pool::MemberReason::chosen:
      return chosen_text(pool, traced, fallback);
    case pool::MemberReason::not_drawn:
      if (pool::reads_load(traced.decided_by)) {
        return "not drawn this time (drawn in proportion to load_weight, " + records + ")";
      }
      return "not drawn this time (" + records + ")";
    case pool::MemberReason::other_family:
      return "other family";
    case pool::MemberReason::no_health_slot:
      return "its health cannot be read (no slot in the health table)";
    case pool::MemberReason::down:
      if (m.health.forced) return "forced down";
      return m.health.known ? "down" : "not checked yet";
    case pool::MemberReason::drained:
      return "drained";
    case pool::MemberReason::weight_zero:
      return "weight 0 while others have weight";
    case pool::MemberReason::outside_tolerance:
      return "rtt " + std::to_string(m.health.rtt_us) + " us outside the tolerance (" +
             std::to_string(traced.latency_limit_us) + " us; best " +
             std::to_string(traced.latency_best_us) + " us)";
    case pool::MemberReason::not_measured:
      return "not measured yet while others are";
    case pool::MemberReason::other_region:
      return "other region (answered from region '" +
             (traced.chosen_region != nullptr ? *traced.chosen_region : std::string()) + "')";
    case pool::MemberReason::region_not_preferred:
      return "its region is not in the client's preference order";
    case pool::MemberReason::group_later:
      return group + " is serving, and groups with lower priority values come first";
    case pool::MemberReason::group_short:
      return own + " has fewer than " + min_healthy + " serving members; " + group + " answers";
    case pool::MemberReason::group_held:
      return own + " is serving again, but without preempt " + group +
             " keeps answering while it has " + min_healthy + " serving members";
    case pool::MemberReason::lower_score:
      return "lower rendezvous score for this client subnet";
    case pool::MemberReason::outside_rotation:
      return "outside this rotation window (" + records + ")";
    case pool::MemberReason::less_capacity:
      return "less spare capacity (agent weight)";
    case pool::MemberReason::farther:
      return km_text(m.distance_km) + " from the client, outside the tolerance (" +
             km_text(traced.closest_limit_km) + "; nearest " + km_text(traced.closest_best_km) +
             ")";
    case pool::MemberReason::not_located:
      return "no location (neither its own nor its region's) while other members have one";
    case pool::MemberReason::pool_short:
      return min_healthy_text(pool, traced);
  }
  return "not chosen";
}

// Each check's verdict as the health loop last published it, and the one rule that combined
// them (health::combine, as the loop applies it).
void write_check_verdicts(JsonWriter& json, const pool::Member& member,
                          const health::HealthTable* table) {
  const bool readable = table != nullptr && member.health_slot < table->size();
  const health::CheckVerdicts verdicts =
      readable ? table->read_verdicts(member.health_slot) : health::CheckVerdicts{};
  const health::RuleOutcome outcome = health::combine(member.healthy_when, verdicts);
  json.key("healthy_when").begin_object();
  json.key("rule").string(health::rule_text(member.healthy_when));
  json.key("passing").number(std::uint64_t{outcome.passing});
  json.key("checks").number(std::uint64_t{outcome.checks});
  json.key("needed").number(std::uint64_t{outcome.needed});
  json.key("up").boolean(outcome.up);
  json.key("text").string(health::outcome_text(member.healthy_when, outcome));
  json.end_object();
  json.key("checks").begin_array();
  for (std::size_t i = 0; i < member.checks.size() && i < health::kMaxRuleChecks; ++i) {
    const health::CheckSpec& check = member.checks[i];
    const auto bit = 1u << i;
    json.begin_object();
    json.key("name").string(check.name);
    json.key("type").string(health::check_type_name(check.type));
    json.key("inverted").boolean(check.invert);
    const bool published = i < verdicts.count;
    json.key("known").boolean(published && (verdicts.known & bit) != 0);
    json.key("up").boolean(published && (verdicts.passing & bit) != 0);
    json.end_object();
  }
  json.end_array();
}

void write_members(JsonWriter& json, const pool::PoolSet& pools, const pool::PoolTrace& traced,
                   bool fallback, const MemberStatusIndex& statuses) {
  const pool::Pool& pool = pools.pools[traced.pool];
  const health::HealthTable* table = pools.health.get();
  for (std::uint32_t i = 0; i < traced.members; ++i) {
    const pool::Member& member = pool.members[i];
    const pool::MemberTrace& m = traced.member[i];
    const health::Health& h = m.health;
    json.begin_object();
    json.key("pool").string(pool.name);
    json.key("name").string(member.name);
    const auto status = statuses.find(pool.name + "/" + member.name);
    write_member_address(json, member, status != statuses.end() ? status->second : nullptr);
    json.key("family").number(unsigned{member.address.family});
    json.key("up").boolean(h.up);
    json.key("known").boolean(h.known);
    json.key("drained").boolean(h.drained);
    json.key("forced").boolean(h.forced);
    json.key("weight").number(std::uint64_t{member.weight});
    json.key("weight_override");
    if (m.weight_override >= 0) {
      json.number(static_cast<std::uint64_t>(m.weight_override));
    } else {
      json.null();
    }
    json.key("agent_weight").number(unsigned{h.agent_weight});
    json.key("effective_weight").number(m.weight);
    if (m.draw_weight > 0) json.key("draw_weight").number(m.draw_weight);
    json.key("rtt_ms").number(static_cast<double>(h.rtt_us) / 1000.0);
    if (m.distance_km >= 0) json.key("distance_km").number(m.distance_km);
    if (m.load_read) {
      json.key("load");
      write_load(json, m.load);
      json.key("load_weight").number(m.draw_weight);
    } else if (pool::reports_load(member)) {
      // Shown for the operator; no policy of this pool read it for this answer.
      const bool readable = table != nullptr && member.health_slot < table->size();
      json.key("load");
      write_load(json, readable ? table->read_load(member.health_slot) : health::Load{});
    }
    json.key("priority").number(std::uint64_t{member.priority});
    if (!member.region.empty()) json.key("region").string(member.region);
    write_check_verdicts(json, member, table);
    if (member.slow_start_ms > 0) {
      // The share the draw used: effective_weight is already ramped by it.
      json.key("slow_start").begin_object();
      json.key("ms").number(std::uint64_t{member.slow_start_ms});
      json.key("share").number(static_cast<double>(m.ramp_permille) / 1000.0);
      json.key("ramping").boolean(m.ramp_permille < 1000);
      json.end_object();
    }
    const bool chosen = m.reason == pool::MemberReason::chosen;
    json.key("chosen").boolean(chosen);
    if (chosen) json.key("position").number(std::uint64_t{m.position});
    json.key("reason_code").string(reason_code(m.reason));
    json.key("reason").string(reason_text(pool, member, traced, m, fallback));
    json.end_object();
  }
}

// The votes of the walk's members whose pool has a consensus rule: who said what, and the
// rule's result, as the health loop last derived them.
void write_votes(JsonWriter& json, const pool::PoolSet& pools, const pool::SelectionTrace& trace,
                 const std::vector<probe::MemberStatus>* members) {
  if (members == nullptr) return;
  const MemberStatusIndex by_key = index_members(*members);
  json.key("votes").begin_array();
  for (std::uint32_t p = 0; p < trace.pools; ++p) {
    const pool::Pool& pool = pools.pools[trace.pool[p].pool];
    if (pool.consensus.rule == pool::ConsensusRule::own) continue;
    for (std::uint32_t i = 0; i < trace.pool[p].members; ++i) {
      const pool::Member& member = pool.members[i];
      const auto found = by_key.find(pool.name + "/" + member.name);
      json.begin_object();
      json.key("pool").string(pool.name);
      json.key("name").string(member.name);
      write_member_votes(json, pool, found != by_key.end() ? found->second : nullptr);
      json.end_object();
    }
  }
  json.end_array();
}

void write_point(JsonWriter& json, const geo::Coordinates& at) {
  json.begin_object();
  json.key("lat").number(at.latitude);
  json.key("lon").number(at.longitude);
  json.end_object();
}

// What the geo map said about the client, as the selection recorded it: the database, the
// network that matched and the key that placed it, and with closest where the client stands.
void write_geo(JsonWriter& json, const pool::PoolTrace& traced, const util::Client& client) {
  json.key("geo").begin_object();
  const geo::GeoMap* map = traced.geo_map;
  json.key("database");
  if (map != nullptr && !map->database_info().path.empty()) {
    const geo::DatabaseInfo& info = map->database_info();
    json.begin_object();
    json.key("path").string(info.path);
    json.key("type").string(info.type);
    json.key("build_epoch").number(info.build_epoch);
    json.end_object();
  } else {
    json.null();
  }
  const geo::GeoMatch& match = traced.geo_match;
  json.key("network");
  if (match.region >= 0) {
    json.string(util::address_text(util::masked(client.address, match.prefix)) + "/" +
                std::to_string(unsigned{match.prefix}));
  } else {
    json.null();
  }
  json.key("prefix").number(unsigned{match.prefix});
  json.key("scope").number(unsigned{match.scope});
  json.key("source");
  if (match.region < 0) {
    json.null();
  } else {
    json.string(match.from_database ? "database" : "networks");
  }
  json.key("key");
  if (map != nullptr && match.key >= 0 &&
      static_cast<std::size_t>(match.key) < map->database_keys().size()) {
    const geo::DatabaseKey& key = map->database_keys()[static_cast<std::size_t>(match.key)];
    json.begin_object();
    json.key("kind").string(key.kind);
    json.key("value").string(key.key);
    json.end_object();
  } else {
    json.null();
  }
  json.key("region");
  if (traced.client_region != nullptr) {
    json.string(*traced.client_region);
  } else {
    json.null();
  }
  if (traced.closest_decided) {
    json.key("closest").begin_object();
    json.key("client_location");
    write_point(json, traced.client_location);
    const geo::LocationMatch& located = traced.location_match;
    json.key("located_by")
        .string(traced.located_by_region ? "region"
                : located.from_database  ? "database"
                                         : "networks");
    if (!traced.located_by_region) {
      json.key("location_network")
          .string(util::address_text(util::masked(client.address, located.prefix)) + "/" +
                  std::to_string(unsigned{located.prefix}));
    }
    json.key("nearest_km").number(traced.closest_best_km);
    json.key("limit_km").number(traced.closest_limit_km);
    json.end_object();
  }
  json.end_object();
}

// What each pool of the walk decided, beyond its members.
void write_pool(JsonWriter& json, const pool::PoolSet& pools, const pool::PoolTrace& traced,
                const util::Client& client) {
  const pool::Pool& pool = pools.pools[traced.pool];
  json.begin_object();
  json.key("name").string(pool.name);
  json.key("policy").string(pool::policy_name(pool.policy));
  json.key("decided_by").string(pool::policy_name(traced.decided_by));
  json.key("all_down").boolean(traced.all_down);
  if (traced.all_down) json.key("action").string(pool::all_down_name(pool.all_down));
  json.key("min_healthy").number(std::uint64_t{pool.pool_min_healthy});
  json.key("serving").number(std::uint64_t{traced.serving});
  json.key("below_min_healthy").boolean(traced.below_min_healthy);
  if (traced.below_min_healthy) {
    json.key("all_down_reason").string(min_healthy_text(pool, traced));
  }
  if (traced.latency_limit_us > 0) {
    json.key("latency_best_us").number(traced.latency_best_us);
    json.key("latency_limit_us").number(traced.latency_limit_us);
  }
  if (traced.decided_by == pool::PolicyKind::failover) {
    json.key("failover_group").number(std::uint64_t{traced.failover_group});
    json.key("failover_held").boolean(traced.failover_held);
  }
  if (pool.policy == pool::PolicyKind::geo) {
    json.key("client_region");
    if (traced.client_region != nullptr) {
      json.string(*traced.client_region);
    } else {
      json.null();
    }
    json.key("chosen_region");
    if (traced.chosen_region != nullptr) {
      json.string(*traced.chosen_region);
    } else {
      json.null();
    }
    write_geo(json, traced, client);
  }
  json.end_object();
}

// The service part of the explanation; returns the result word. For a pool of host names that
// chose one, *target is set to the CNAME's target (wire form, valid as long as config).
std::string explain_service(JsonWriter& json, const runtime::Config& config,
                            const zone::Service& service, const Request& request,
                            std::string_view* target) {
  json.key("service").begin_object();
  json.key("name").string(dns::name_to_text(service.name));
  json.key("pool").string(service.pool);
  json.key("ttl").begin_object();
  json.key("normal").number(std::uint64_t{service.ttl});
  json.key("degraded").number(std::uint64_t{service.degraded_ttl});
  const std::uint16_t qtype = request.type == dns::type::ANY ? dns::type::A : request.type;
  const pool::PoolSet* pools = config.pools.get();
  const bool by_name = pools != nullptr && service.pool_index >= 0 &&
                       static_cast<std::size_t>(service.pool_index) < pools->pools.size() &&
                       pools->pools[static_cast<std::size_t>(service.pool_index)].by_name;
  if (!by_name && qtype != dns::type::A && qtype != dns::type::AAAA) {
    json.end_object();
    json.key("note").string("service names answer A and AAAA only (ANY with the A set)");
    json.end_object();
    return "NODATA";
  }
  if (pools == nullptr || service.pool_index < 0 ||
      static_cast<std::size_t>(service.pool_index) >= pools->pools.size()) {
    json.end_object();
    json.end_object();
    return "SERVFAIL";
  }
  // A pool of host names answers every type with the same CNAME (service_answer.hpp).
  const std::uint8_t family = by_name ? pool::kNameFamily : qtype == dns::type::A ? 4 : 6;
  util::Rng rng(request.seed);
  // Round-robin positions are per worker; the explanation starts every rotation at 0.
  std::vector<std::uint32_t> rotation(pools->pools.size(), 0);
  pool::SelectContext context{rng, rotation};
  const auto index = static_cast<std::uint32_t>(service.pool_index);
  // About 100 KiB: a trace holds every member of every pool the walk may visit.
  const auto trace = std::make_unique<pool::SelectionTrace>();
  const pool::Selection selection =
      pool::select_members(*pools, index, family, request.client, context, trace.get());
  json.key("used").number(std::uint64_t{selection.degraded ? service.degraded_ttl : service.ttl});
  json.end_object();
  const pool::Pool& asked = pools->pools[index];
  json.key("policy").string(pool::policy_name(asked.policy));
  json.key("max_records").number(std::uint64_t{asked.max_records});
  json.key("all_down").string(pool::all_down_name(asked.all_down));
  json.key("family").number(unsigned{family});
  json.key("outcome").string(outcome_name(selection.outcome));
  json.key("degraded").boolean(selection.degraded);
  if (selection.pool != nullptr && selection.pool != &asked) {
    json.key("answered_from_pool").string(selection.pool->name);
  }
  json.key("ecs_scope");
  if (request.client.from_ecs) {
    json.number(unsigned{selection.ecs_scope});
  } else {
    json.null();  // no ECS in the question: none is echoed
  }
  json.key("answer").begin_array();
  for (std::uint32_t i = 0; i < selection.count && selection.pool != nullptr; ++i) {
    const pool::Member& chosen = selection.pool->members[selection.members[i]];
    json.string(chosen.target.empty() ? util::address_text(chosen.address) : chosen.target);
  }
  json.end_array();
  if (by_name) {
    // The one CNAME the answer carries; the resolver (or the chain below) follows it.
    json.key("cname");
    if (selection.count > 0 && selection.pool != nullptr) {
      const pool::Member& chosen = selection.pool->members[selection.members[0]];
      json.string(chosen.target);
      if (target != nullptr && chosen.target_record.size() > 2) {
        *target = {reinterpret_cast<const char*>(chosen.target_record.data() + 2),
                   chosen.target_record.size() - 2};
      }
    } else {
      json.null();
    }
  }
  const MemberStatusIndex statuses =
      request.members != nullptr ? index_members(*request.members) : MemberStatusIndex{};
  json.key("pools").begin_array();
  for (std::uint32_t p = 0; p < trace->pools; ++p)
    write_pool(json, *pools, trace->pool[p], request.client);
  json.end_array();
  json.key("members").begin_array();
  for (std::uint32_t p = 0; p < trace->pools; ++p) {
    write_members(json, *pools, trace->pool[p], selection.outcome == pool::Outcome::fallback,
                  statuses);
  }
  json.end_array();
  write_votes(json, *pools, *trace, request.members);
  json.end_object();
  if (selection.servfail) return "SERVFAIL";
  return selection.count == 0 ? "NODATA" : "NOERROR";
}

const char* where_name(zone::Where where) {
  switch (where) {
    case zone::Where::exact:
      return "exact";
    case zone::Where::empty_nonterminal:
      return "empty_non_terminal";
    case zone::Where::wildcard:
      return "wildcard";
    case zone::Where::delegation:
      return "delegation";
    case zone::Where::dname:
      return "dname";
    case zone::Where::nxdomain:
      return "nxdomain";
  }
  return "nxdomain";
}

std::string node_text(const zone::Zone& zone, std::uint32_t node) {
  return dns::name_to_text(zone.node(node).name());
}

// One name of the chain: what it is, and where the zone says it lives.
void step_entry(JsonWriter& json, const zone::Zone& zone, const zone::Hop& hop, const char* kind,
                const std::string& detail) {
  const zone::Location& at = hop.location;
  json.begin_object();
  json.key("owner").string(dns::name_to_text(dns::lowercased(hop.owner)));
  json.key("kind").string(kind);
  json.key("detail").string(detail);
  json.key("match").string(where_name(at.where));
  if (at.encloser != zone::kNoNode) {
    json.key("closest_encloser").string(node_text(zone, at.encloser));
  }
  if (at.where == zone::Where::wildcard) {
    json.key("source_of_synthesis").string(node_text(zone, at.node));
  }
  if (at.cut != zone::kNoNode) json.key("cut").string(node_text(zone, at.cut));
  if (hop.link == zone::Link::dname) json.key("dname_owner").string(node_text(zone, at.node));
  if (!hop.target.empty()) {
    json.key("target").string(dns::name_to_text(dns::lowercased(hop.target)));
  }
  json.end_object();
}

}  // namespace

HttpResponse explain(const HttpRequest& http, const runtime::Snapshot* snapshot,
                     const util::Address& peer, const std::vector<probe::MemberStatus>* members) {
  Request request;
  request.members = members;
  if (auto error = parse(http, snapshot, peer, request)) return std::move(*error);
  if (snapshot == nullptr || !snapshot->config || !snapshot->config->zones) {
    return json_error(503, "no config in service yet");
  }
  const runtime::Config& config = *snapshot->config;
  JsonWriter json;
  json.begin_object();
  json.key("name").string(dns::name_to_text(request.name_wire));
  json.key("type").string(dns::rr_type_text(request.type));
  json.key("client").string(request.client_text);
  json.key("client_source").string(request.client_source);
  // A string: 64-bit seeds do not survive JSON readers that hold numbers as doubles.
  json.key("seed").string(std::to_string(request.seed));
  json.key("notes").begin_object();
  json.key("seed").string(kSeedNote);
  json.key("effective_weight").string(kWeightNote);
  json.end_object();
  json.key("generation").number(snapshot->generation);

  const zone::Zone* zone = config.zones->find(request.name_wire);
  json.key("zone");
  if (zone == nullptr) {
    json.null();
    json.key("result").string("REFUSED");
    json.key("detail").string("no zone served here contains the name");
    json.end_object();
    return json_response(200, json.take());
  }
  json.string(dns::name_to_text(zone->apex()));

  std::string result;
  std::string detail;
  // The chain the query path walks, hop by hop: this only says what each hop is.
  zone::Chain chain(*zone, request.name_wire, request.name_wire, request.type);
  zone::Hop hop;
  bool explained_service = false;
  json.key("steps").begin_array();
  while (chain.next(hop)) {
    const zone::Location& at = hop.location;
    const std::string how = at.where == zone::Where::wildcard ? "wildcard" : "exact match";
    const char* kind = "nodata";
    switch (at.where) {
      case zone::Where::delegation:
        result = "referral";
        kind = "referral";
        detail = "delegated at " + node_text(*zone, at.node);
        break;
      case zone::Where::nxdomain:
        result = "NXDOMAIN";
        kind = "nxdomain";
        detail = "no such name in zone " + dns::name_to_text(zone->apex());
        break;
      case zone::Where::empty_nonterminal:
        result = "NODATA";
        detail = "empty non-terminal: the name exists without records; negative TTL " +
                 std::to_string(zone->negative_ttl());
        break;
      case zone::Where::dname:
        kind = "dname";
        result = hop.cname_record.empty() ? "YXDOMAIN" : "NOERROR";
        detail = "below the DNAME at " + node_text(*zone, at.node) + ", TTL " +
                 std::to_string(hop.alias->ttl) + ": " +
                 (hop.cname_record.empty()
                      ? std::string("the substituted name would exceed 255 octets")
                      : "synthesised CNAME to " +
                            dns::name_to_text(dns::lowercased(std::string_view(
                                reinterpret_cast<const char*>(hop.cname_record.data() + 2),
                                hop.cname_record.size() - 2))));
        break;
      case zone::Where::exact:
      case zone::Where::wildcard: {
        const zone::Node& node = zone->node(at.node);
        if (node.service >= 0 && explained_service) {
          // Reached through the CNAME of a pool of host names: explaining this name itself
          // shows its pool's choice.
          result = "NOERROR";
          kind = "service";
          detail = how + ": answered from pool " +
                   zone->services()[static_cast<std::size_t>(node.service)].pool;
          break;
        }
        if (node.service >= 0) {
          step_entry(json, *zone, hop, "service", how + ": answered from a pool");
          json.end_array();
          std::string_view target;
          result = explain_service(json, config,
                                   zone->services()[static_cast<std::size_t>(node.service)],
                                   request, &target);
          if (target.empty()) {
            json.key("result").string(result);
            json.end_object();
            return json_response(200, json.take());
          }
          // A pool of host names answered with a CNAME: the same chain goes on from its target,
          // as the answer does.
          explained_service = true;
          chain.follow(target);
          json.key("cname_steps").begin_array();
          continue;
        }
        if (hop.answer != nullptr) {
          result = "NOERROR";
          kind = "static";
          detail = how + ": static " + dns::rr_type_text(hop.answer->type) + " RRset of " +
                   std::to_string(hop.answer->count) + " record(s), TTL " +
                   std::to_string(hop.answer->ttl);
        } else if (hop.link == zone::Link::cname) {
          result = "NOERROR";
          kind = "cname";
          detail = how + ": CNAME to " + dns::name_to_text(dns::lowercased(hop.target)) + ", TTL " +
                   std::to_string(hop.alias->ttl);
        } else {
          result = "NODATA";
          detail = how + ": the name has no " + dns::rr_type_text(request.type) +
                   " records; negative TTL " + std::to_string(zone->negative_ttl());
        }
        break;
      }
    }
    step_entry(json, *zone, hop, kind, detail);
  }
  json.end_array();
  switch (chain.end()) {
    case zone::ChainEnd::answered:
    case zone::ChainEnd::too_long:
      break;
    case zone::ChainEnd::left_zone:
      detail = "CNAME leaves the zone; the resolver follows it";
      break;
    case zone::ChainEnd::loop:
      detail = "CNAME loop; the chain ends here";
      break;
    case zone::ChainEnd::hop_limit:
      detail = "CNAME chain longer than " + std::to_string(zone::Chain::kMaxHops) +
               " hops; it ends here";
      break;
  }
  json.key("result").string(result);
  json.key("detail").string(detail);
  json.end_object();
  return json_response(200, json.take());
}

}  // namespace gslbd::control
