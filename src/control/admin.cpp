// SPDX-License-Identifier: Apache-2.0
#include "admin.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/pool/selection.hpp"
#include "gslbd/util/address.hpp"
#include "gslbd/util/duration.hpp"
#include "gslbd/util/sockaddr.hpp"
#include "json_writer.hpp"
#include "operator_actions.hpp"
#include "time_text.hpp"

namespace gslbd::control {
namespace {

// Forces longer than this are a mistake (a permanent force needs no expiry).
constexpr std::uint64_t kMaxExpiryMs = 30ull * 24 * 3600 * 1000;

// Reads ?expires= for an override that may lapse; `applies` is false when the request clears
// the override, which has nothing to expire. An error response when the value is refused.
std::optional<HttpResponse> read_expiry(const HttpRequest& request, bool applies,
                                        std::string_view not_applicable,
                                        std::optional<std::uint64_t>& expires_ms) {
  const std::string* expires = request.param("expires");
  if (expires == nullptr) return std::nullopt;
  if (!applies) return json_error(400, std::string(not_applicable));
  expires_ms = util::parse_duration_ms(*expires);
  if (!expires_ms || *expires_ms == 0 || *expires_ms > kMaxExpiryMs) {
    return json_error(400, "expires must be a duration such as 30s or 10m, at most 30d");
  }
  return std::nullopt;
}

// " for N ms" after a logged override that lapses, nothing for one that lasts.
std::string expiry_text(const std::optional<std::uint64_t>& expires_ms) {
  return expires_ms ? " for " + std::to_string(*expires_ms) + " ms" : std::string();
}

// The override's end in the reply: a time, or null for one that lasts.
void write_expiry(JsonWriter& json, const AdminEnv& env,
                  const std::optional<std::uint64_t>& expires_ms) {
  json.key("expires_at");
  if (expires_ms) {
    json.string(rfc3339(env.now + std::chrono::milliseconds(*expires_ms)));
  } else {
    json.null();
  }
}

struct Target {
  std::shared_ptr<const runtime::Snapshot> snapshot;
  std::int32_t pool = -1;
  std::string key;  // "pool/member", the health loop's key
  std::string pool_name;
  std::string member_name;
};

// Finds ?pool=&member= in the config in service; an error response when it cannot.
std::optional<HttpResponse> find_target(const HttpRequest& request, const AdminEnv& env,
                                        Target& out) {
  const std::string* pool = request.param("pool");
  const std::string* member = request.param("member");
  if (pool == nullptr || member == nullptr || pool->empty() || member->empty()) {
    return json_error(400, "pool and member parameters are required");
  }
  if (env.context.publisher == nullptr || env.context.health == nullptr) {
    return json_error(503, "no config or health loop");
  }
  out.snapshot = env.context.publisher->current();
  if (!out.snapshot || !out.snapshot->config || !out.snapshot->config->pools) {
    return json_error(503, "no config in service yet");
  }
  const pool::PoolSet& pools = *out.snapshot->config->pools;
  out.pool = pools.find(*pool);
  if (out.pool < 0) return json_error(404, "no pool named '" + *pool + "'");
  const auto& members = pools.pools[static_cast<std::size_t>(out.pool)].members;
  if (std::none_of(members.begin(), members.end(),
                   [&](const pool::Member& m) { return m.name == *member; })) {
    return json_error(404, "pool '" + *pool + "' has no member '" + *member + "'");
  }
  out.pool_name = *pool;
  out.member_name = *member;
  out.key = *pool + "/" + *member;
  return std::nullopt;
}

// The answer when an action could not be kept or applied; nullopt when it was.
std::optional<HttpResponse> refused(OperatorState::Outcome outcome) {
  switch (outcome) {
    case OperatorState::Outcome::ok:
      return std::nullopt;
    case OperatorState::Outcome::queue_full:
      return json_error(503, "the health loop's admin queue is full; try again");
    case OperatorState::Outcome::too_many:
      return json_error(503,
                        "too many operator actions are kept (" + std::to_string(kMaxActions) + ")");
  }
  return std::nullopt;
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // Every octet of the longer input is visited; the result folds in the length difference.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

AdminAccess admin_access(const runtime::ControlConfig& settings, const std::string* authorization) {
  // The opt-out is honoured only where every client is local: on a loopback listener, and
  // never over a configured token (the config refuses both; this holds for any caller).
  if (settings.admin_without_token && settings.token.empty() &&
      util::is_loopback_host(settings.listen.host)) {
    return AdminAccess::allowed;
  }
  return bearer_access(settings.token, authorization);
}

AdminAccess bearer_access(const std::string& token, const std::string* authorization) {
  if (token.empty()) return AdminAccess::no_token_configured;
  if (authorization == nullptr) return AdminAccess::missing;
  std::string_view value = *authorization;
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || value[kScheme.size()] != ' ') return AdminAccess::missing;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = value[i] >= 'A' && value[i] <= 'Z' ? static_cast<char>(value[i] + 32) : value[i];
    if (c != kScheme[i]) return AdminAccess::missing;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return constant_time_equal(value, token) ? AdminAccess::allowed : AdminAccess::wrong;
}

AdminAccess peer_access(const std::string& peers_token, const std::string& admin_token,
                        const std::string* authorization) {
  const AdminAccess as_peer = bearer_access(peers_token, authorization);
  if (as_peer == AdminAccess::allowed) return as_peer;
  const AdminAccess as_admin = bearer_access(admin_token, authorization);
  if (as_admin == AdminAccess::allowed) return as_admin;
  // The more useful reason: "wrong token" once any token is configured.
  if (as_peer == AdminAccess::no_token_configured) return as_admin;
  return as_peer;
}

HttpResponse unauthorized(AdminAccess access, std::string_view none_configured) {
  const std::string why = access == AdminAccess::no_token_configured ? std::string(none_configured)
                          : access == AdminAccess::missing ? "send Authorization: Bearer <token>"
                                                           : "wrong token";
  HttpResponse r = json_error(401, why);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"gslbd\"");
  return r;
}

std::uint32_t largest_ttl_naming(const runtime::Config& config, std::int32_t pool_index) noexcept {
  if (!config.pools || !config.zones || pool_index < 0) return 0;
  // Pools whose answers can hold pool_index's members: itself, and pools whose fallback chain
  // reaches it.
  auto reaches = [&](std::int32_t start) {
    return start >= 0 && pool::fallback_chain(*config.pools, static_cast<std::uint32_t>(start))
                             .reaches(static_cast<std::uint32_t>(pool_index));
  };
  std::uint32_t largest = 0;
  for (const auto& zone : config.zones->zones()) {
    for (const zone::Service& service : zone->services()) {
      if (!reaches(service.pool_index)) continue;
      largest = std::max({largest, service.ttl, service.degraded_ttl});
    }
  }
  return largest;
}

HttpResponse admin_drain(const HttpRequest& request, AdminEnv& env, bool drained) {
  Target target;
  if (auto error = find_target(request, env, target)) return std::move(*error);
  if (auto error = refused(env.actions.take(ActionKind::drain, target.pool_name, target.member_name,
                                            drained ? 1 : 0, 0))) {
    return std::move(*error);
  }
  spdlog::info("control: {} {}", drained ? "drain" : "undrain", target.key);
  JsonWriter json;
  json.begin_object();
  json.key("pool").string(target.pool_name);
  json.key("member").string(target.member_name);
  json.key("drained").boolean(drained);
  json.key("at").string(rfc3339(env.now));
  if (drained) {
    // Caches may hold answers naming the member until the largest TTL they were given runs out.
    const std::uint32_t ttl = largest_ttl_naming(*target.snapshot->config, target.pool);
    json.key("largest_ttl").number(std::uint64_t{ttl});
    json.key("safe_after").string(rfc3339(env.now + std::chrono::seconds(ttl)));
  }
  json.end_object();
  return json_response(200, json.take());
}

HttpResponse admin_force(const HttpRequest& request, AdminEnv& env) {
  Target target;
  if (auto error = find_target(request, env, target)) return std::move(*error);
  const std::string* state = request.param("state");
  std::optional<bool> up;
  if (state == nullptr) return json_error(400, "state=up|down|auto is required");
  if (*state == "up") {
    up = true;
  } else if (*state == "down") {
    up = false;
  } else if (*state != "auto") {
    return json_error(400, "state must be up, down or auto");
  }
  std::optional<std::uint64_t> expires_ms;
  if (auto error = read_expiry(request, up.has_value(),
                               "expires applies to state=up or state=down only", expires_ms)) {
    return std::move(*error);
  }
  // A new force replaces the pending expiry of an earlier one (or cancels it).
  const std::int64_t value = up ? (*up ? 1 : 0) : kClear;
  if (auto error = refused(env.actions.take(ActionKind::force, target.pool_name, target.member_name,
                                            value, expires_ms.value_or(0)))) {
    return std::move(*error);
  }
  if (up) {
    spdlog::info("control: {} forced {}{}", target.key, *state, expiry_text(expires_ms));
  } else {
    spdlog::info("control: {} follows its checks again", target.key);
  }
  JsonWriter json;
  json.begin_object();
  json.key("pool").string(target.pool_name);
  json.key("member").string(target.member_name);
  json.key("state").string(*state);
  write_expiry(json, env, expires_ms);
  json.end_object();
  return json_response(200, json.take());
}

HttpResponse admin_weight(const HttpRequest& request, AdminEnv& env) {
  Target target;
  if (auto error = find_target(request, env, target)) return std::move(*error);
  const std::string* text = request.param("weight");
  if (text == nullptr) return json_error(400, "weight=N|auto is required");
  std::optional<std::uint32_t> weight;
  if (*text != "auto") {
    std::uint64_t n = 0;
    bool digits = !text->empty() && text->size() <= 7;
    for (const char c : *text) {
      digits = digits && c >= '0' && c <= '9';
      if (digits) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!digits || n > pool::kMaxMemberWeight) {
      return json_error(400, "weight must be auto or a whole number from 0 to " +
                                 std::to_string(pool::kMaxMemberWeight));
    }
    weight = static_cast<std::uint32_t>(n);
  }
  std::optional<std::uint64_t> expires_ms;
  if (auto error = read_expiry(request, weight.has_value(),
                               "expires applies to a weight, not to auto", expires_ms)) {
    return std::move(*error);
  }
  const std::int64_t value = weight ? std::int64_t{*weight} : kClear;
  if (auto error = refused(env.actions.take(ActionKind::weight, target.pool_name,
                                            target.member_name, value, expires_ms.value_or(0)))) {
    return std::move(*error);
  }
  if (weight) {
    spdlog::info("control: {} weight set to {}{}", target.key, *weight, expiry_text(expires_ms));
  } else {
    spdlog::info("control: {} back to its configured weight", target.key);
  }
  JsonWriter json;
  json.begin_object();
  json.key("pool").string(target.pool_name);
  json.key("member").string(target.member_name);
  json.key("weight");
  if (weight) {
    json.number(std::uint64_t{*weight});
  } else {
    json.string("auto");
  }
  write_expiry(json, env, expires_ms);
  json.end_object();
  return json_response(200, json.take());
}

std::optional<HttpResponse> admin_reload(AdminEnv& env, const Responder& later) {
  if (!env.context.reload) return json_error(501, "reload is not available");
  env.context.reload([later](const ReloadOutcome& outcome) { later(reload_response(outcome)); });
  return std::nullopt;
}

HttpResponse reload_response(const ReloadOutcome& outcome) {
  JsonWriter json;
  json.begin_object();
  json.key("ok").boolean(outcome.ok);
  json.key("generation").number(outcome.generation);
  json.key("errors").begin_array();
  for (const std::string& error : outcome.errors) json.string(error);
  json.end_array();
  json.end_object();
  return json_response(outcome.ok ? 200 : 422, json.take());
}

}  // namespace gslbd::control
