// SPDX-License-Identifier: Apache-2.0
#include "explain.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <vector>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/pool/load_weight.hpp"
#include "gslbd/pool/selection.hpp"
#include "gslbd/zone/chain.hpp"
#include "json_writer.hpp"
#include "load_json.hpp"
#include "policy_names.hpp"

namespace gslbd::control {
namespace {

// What the reader of an explanation needs to know to read two of its fields.
constexpr const char* kSeedNote =
    "seeds the random draw of this explanation (weighted and latency policies): the same seed "
    "gives the same draw; without seed= it is derived from name, type and client. Real queries "
    "draw from each worker's own random sequence, so their answers can differ from this one";
constexpr const char* kWeightNote =
    "weight x agent_weight: the configured weight (relative to the other members of the pool) "
    "times the percentage an agent check reports (100 without one); 10000 = weight 100 at 100%";

struct TypeName {
  std::uint16_t type;
  const char* name;
};
constexpr std::array<TypeName, 15> kTypes = {{{1, "A"},
                                              {2, "NS"},
                                              {5, "CNAME"},
                                              {6, "SOA"},
                                              {12, "PTR"},
                                              {15, "MX"},
                                              {16, "TXT"},
                                              {28, "AAAA"},
                                              {33, "SRV"},
                                              {39, "DNAME"},
                                              {43, "DS"},
                                              {65, "HTTPS"},
                                              {255, "ANY"},
                                              {257, "CAA"},
                                              {64, "SVCB"}}};

std::optional<std::uint16_t> parse_type(std::string_view text) {
  for (const TypeName& t : kTypes) {
    if (text.size() != std::strlen(t.name)) continue;
    bool same = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i] >= 'a' && text[i] <= 'z' ? static_cast<char>(text[i] - 32) : text[i];
      same = same && c == t.name[i];
    }
    if (same) return t.type;
  }
  if (text.size() > 4 && (text.substr(0, 4) == "TYPE" || text.substr(0, 4) == "type")) {
    text.remove_prefix(4);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::string type_text(std::uint16_t type) {
  for (const TypeName& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "TYPE" + std::to_string(type);
}

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
  std::string name_wire;  // lowercase
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
    const auto parsed = parse_type(*type);
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

// Why `member` of `pool` was not named, given what select_members decided.
std::string not_chosen_reason(const pool::PoolSet& pools, const pool::Pool& pool,
                              const pool::Member& member, std::uint8_t family,
                              const pool::Selection& selection) {
  if (member.address.family != family) return "other family";
  const health::HealthTable* table = pools.health.get();
  if (table == nullptr || member.health_slot >= table->size())
    return "its health cannot be read (no slot in the health table)";
  const health::Health h = table->read(member.health_slot);
  if (!h.up) {
    if (h.forced) return "forced down";
    return h.known ? "down" : "not checked yet";
  }
  if (h.drained) return "drained";
  if (selection.pool != &pool) return "pool not used for this answer";
  const std::uint64_t effective = std::uint64_t{member.weight} * h.agent_weight;
  if (effective == 0) {
    for (const pool::Member& other : pool.members) {
      if (other.address.family != family || other.health_slot >= table->size()) continue;
      const health::Health o = table->read(other.health_slot);
      if (health::serving(o) && std::uint64_t{other.weight} * o.agent_weight > 0) {
        return "weight 0 while others have weight";
      }
    }
  }
  const pool::Member* first = selection.count > 0 ? &pool.members[selection.members[0]] : nullptr;
  const std::string not_drawn =
      "not drawn this time (max_records " + std::to_string(pool.max_records) + ")";
  switch (pool.policy) {
    case pool::PolicyKind::weighted:
      return not_drawn;
    case pool::PolicyKind::round_robin:
      return "outside this rotation window (max_records " + std::to_string(pool.max_records) + ")";
    case pool::PolicyKind::latency: {
      std::uint64_t best = 0;
      for (const pool::Member& other : pool.members) {
        if (other.address.family != family || other.health_slot >= table->size()) continue;
        const health::Health o = table->read(other.health_slot);
        if (health::serving(o) && o.rtt_us > 0 && (best == 0 || o.rtt_us < best)) best = o.rtt_us;
      }
      if (best == 0) return not_drawn;
      if (h.rtt_us == 0) return "not measured yet while others are";
      const std::uint64_t limit = std::max(best * (100u + pool.latency.tolerance_percent) / 100u,
                                           best + pool.latency.tolerance_min_us);
      if (h.rtt_us > limit) {
        return "rtt " + std::to_string(h.rtt_us) + " us outside the tolerance (" +
               std::to_string(limit) + " us)";
      }
      return not_drawn;
    }
    case pool::PolicyKind::failover: {
      if (first == nullptr) return not_drawn;
      const std::string answering = "priority group " + std::to_string(first->priority);
      if (member.priority > first->priority) {
        return answering + " is serving, and groups with lower priority values come first";
      }
      if (member.priority < first->priority) {
        std::uint32_t serving = 0;
        for (const pool::Member& other : pool.members) {
          if (other.priority != member.priority || other.address.family != family ||
              other.health_slot >= table->size()) {
            continue;
          }
          if (health::serving(table->read(other.health_slot))) ++serving;
        }
        const std::uint32_t needed = pool.min_healthy == 0 ? 1 : pool.min_healthy;
        const std::string own = "its priority group " + std::to_string(member.priority);
        if (serving >= needed && !pool.preempt) {
          return own + " is serving again, but without preempt " + answering +
                 " keeps answering while it has min_healthy (" + std::to_string(needed) +
                 ") serving members";
        }
        return own + " has " + std::to_string(serving) + " serving member(s), fewer than " +
               "min_healthy (" + std::to_string(needed) + "); " + answering + " answers";
      }
      return not_drawn;
    }
    case pool::PolicyKind::hash:
      return "lower rendezvous score for this client subnet";
    case pool::PolicyKind::geo:
      if (first != nullptr && member.region != first->region) {
        return "other region (answered from region '" + first->region + "')";
      }
      if (first == nullptr) return "its region is not in the client's preference order";
      return "not chosen within the region";
    case pool::PolicyKind::least_load:
      if (first != nullptr && table->read(first->health_slot).agent_weight > h.agent_weight) {
        return "less spare capacity (agent weight)";
      }
      return not_drawn;
    case pool::PolicyKind::least_connections:
    case pool::PolicyKind::response_time:
    case pool::PolicyKind::bandwidth:
      return "not drawn this time (drawn in proportion to load_weight, max_records " +
             std::to_string(pool.max_records) + ")";
  }
  return "not chosen";
}

std::string chosen_reason(const pool::Pool& pool, const pool::Member& member,
                          const pool::Selection& selection) {
  if (selection.outcome == pool::Outcome::all_down) {
    return "chosen regardless of health (all down: serve_all)";
  }
  const std::string prefix = selection.outcome == pool::Outcome::fallback ? "fallback pool: " : "";
  switch (pool.policy) {
    case pool::PolicyKind::weighted:
      return prefix + "chosen by weighted draw";
    case pool::PolicyKind::round_robin:
      return prefix + "chosen by rotation";
    case pool::PolicyKind::latency:
      return prefix + "chosen: within the latency tolerance of the best, by weighted draw";
    case pool::PolicyKind::failover:
      return prefix + "chosen: priority group " + std::to_string(member.priority) +
             " answers (the first group, by ascending priority value, with min_healthy serving "
             "members)";
    case pool::PolicyKind::hash:
      return prefix + "chosen: highest rendezvous score for this client subnet";
    case pool::PolicyKind::geo:
      return prefix + "chosen in region '" + member.region + "'";
    case pool::PolicyKind::least_load:
      return prefix + "chosen: most spare capacity";
    case pool::PolicyKind::least_connections:
    case pool::PolicyKind::response_time:
    case pool::PolicyKind::bandwidth:
      return prefix + "chosen by a draw in proportion to load_weight (spare capacity)";
  }
  return prefix + "chosen";
}

void write_members(JsonWriter& json, const pool::PoolSet& pools, const pool::Pool& pool,
                   std::uint8_t family, const pool::Selection& selection) {
  const health::HealthTable* table = pools.health.get();
  for (std::size_t i = 0; i < pool.members.size(); ++i) {
    const pool::Member& member = pool.members[i];
    bool chosen = false;
    std::size_t position = 0;
    for (std::uint32_t k = 0; k < selection.count && selection.pool == &pool; ++k) {
      if (selection.members[k] == i) {
        chosen = true;
        position = k;
      }
    }
    const bool readable = table != nullptr && member.health_slot < table->size();
    const health::Health h = readable ? table->read(member.health_slot) : health::Health{};
    json.begin_object();
    json.key("pool").string(pool.name);
    json.key("name").string(member.name);
    json.key("address").string(util::address_text(member.address));
    json.key("family").number(unsigned{member.address.family});
    json.key("up").boolean(h.up);
    json.key("known").boolean(h.known);
    json.key("drained").boolean(h.drained);
    json.key("forced").boolean(h.forced);
    json.key("weight").number(std::uint64_t{member.weight});
    json.key("agent_weight").number(unsigned{h.agent_weight});
    json.key("effective_weight").number(std::uint64_t{member.weight} * h.agent_weight);
    json.key("rtt_ms").number(static_cast<double>(h.rtt_us) / 1000.0);
    if (pool::reports_load(member)) {
      const health::Load load = readable ? table->read_load(member.health_slot) : health::Load{};
      json.key("load");
      write_load(json, load);
      const pool::PolicyKind chooser =
          pool.policy == pool::PolicyKind::geo ? pool.geo.within_region : pool.policy;
      if (pool::reads_load(chooser)) {
        json.key("load_weight")
            .number(pool::load_weight(chooser, member,
                                      std::uint64_t{member.weight} * h.agent_weight, load));
      }
    }
    json.key("priority").number(std::uint64_t{member.priority});
    if (!member.region.empty()) json.key("region").string(member.region);
    json.key("chosen").boolean(chosen);
    if (chosen) json.key("position").number(static_cast<std::uint64_t>(position));
    json.key("reason").string(chosen ? chosen_reason(pool, member, selection)
                                     : not_chosen_reason(pools, pool, member, family, selection));
    json.end_object();
  }
}

// The service part of the explanation; returns the result word.
std::string explain_service(JsonWriter& json, const runtime::Config& config,
                            const zone::Service& service, const Request& request) {
  json.key("service").begin_object();
  json.key("name").string(dns::name_to_text(service.name));
  json.key("pool").string(service.pool);
  json.key("ttl").begin_object();
  json.key("normal").number(std::uint64_t{service.ttl});
  json.key("degraded").number(std::uint64_t{service.degraded_ttl});
  const std::uint16_t qtype = request.type == dns::type::ANY ? dns::type::A : request.type;
  const pool::PoolSet* pools = config.pools.get();
  if (qtype != dns::type::A && qtype != dns::type::AAAA) {
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
  const std::uint8_t family = qtype == dns::type::A ? 4 : 6;
  util::Rng rng(request.seed);
  // Round-robin positions are per worker; the explanation starts every rotation at 0.
  std::vector<std::uint32_t> rotation(pools->pools.size(), 0);
  pool::SelectContext context{rng, rotation};
  const auto index = static_cast<std::uint32_t>(service.pool_index);
  const pool::Selection selection =
      pool::select_members(*pools, index, family, request.client, context);
  json.key("used").number(std::uint64_t{selection.degraded ? service.degraded_ttl : service.ttl});
  json.end_object();
  const pool::Pool& asked = pools->pools[index];
  json.key("policy").string(pool::policy_name(asked.policy));
  json.key("max_records").number(std::uint64_t{asked.max_records});
  json.key("all_down").string(all_down_name(asked.all_down));
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
    json.string(util::address_text(selection.pool->members[selection.members[i]].address));
  }
  json.end_array();
  json.key("members").begin_array();
  write_members(json, *pools, asked, family, selection);
  if (selection.pool != nullptr && selection.pool != &asked) {
    write_members(json, *pools, *selection.pool, family, selection);
  }
  json.end_array();
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
                     const util::Address& peer) {
  Request request;
  if (auto error = parse(http, snapshot, peer, request)) return std::move(*error);
  if (snapshot == nullptr || !snapshot->config || !snapshot->config->zones) {
    return json_error(503, "no config in service yet");
  }
  const runtime::Config& config = *snapshot->config;
  JsonWriter json;
  json.begin_object();
  json.key("name").string(dns::name_to_text(request.name_wire));
  json.key("type").string(type_text(request.type));
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
        if (node.service >= 0) {
          step_entry(json, *zone, hop, "service", how + ": answered from a pool");
          json.end_array();
          result = explain_service(
              json, config, zone->services()[static_cast<std::size_t>(node.service)], request);
          json.key("result").string(result);
          json.end_object();
          return json_response(200, json.take());
        }
        if (hop.answer != nullptr) {
          result = "NOERROR";
          kind = "static";
          detail = how + ": static " + type_text(hop.answer->type) + " RRset of " +
                   std::to_string(hop.answer->count) + " record(s), TTL " +
                   std::to_string(hop.answer->ttl);
        } else if (hop.link == zone::Link::cname) {
          result = "NOERROR";
          kind = "cname";
          detail = how + ": CNAME to " + dns::name_to_text(dns::lowercased(hop.target)) + ", TTL " +
                   std::to_string(hop.alias->ttl);
        } else {
          result = "NODATA";
          detail = how + ": the name has no " + type_text(request.type) +
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
