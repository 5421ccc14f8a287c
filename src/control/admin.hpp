// SPDX-License-Identifier: Apache-2.0
// Admin actions of the control endpoint (drain, undrain, force, weight, reload) and the rule that
// guards them: a bearer token, unless the operator turned that off for a loopback listener.
// Actions reach the health loop by message; it stays the only writer of health state.
// Control thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "control_counters.hpp"
#include "gslbd/control/control_server.hpp"
#include "gslbd/control/operator_state.hpp"
#include "gslbd/runtime/config.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace gslbd::control {

enum class AdminAccess : std::uint8_t {
  allowed,
  no_token_configured,  // admin needs a token and none is configured
  missing,              // no "Authorization: Bearer ..." sent
  wrong,                // a token that does not match
};

// The decision for one request; `authorization` is the Authorization field (or null).
AdminAccess admin_access(const runtime::ControlConfig& settings, const std::string* authorization);
// "Authorization: Bearer <token>" against one token (none configured: refused).
AdminAccess bearer_access(const std::string& token, const std::string* authorization);

// The rule of the endpoints peers use (GET /peer/observations, POST /peer/actions): a bearer
// token equal to the fleet's (peers.token_file) or to the admin token (control.token_file; who
// may change state may do what a peer does). Never without a token, whatever
// admin_without_token says: the observations are made to leave the host, and a push changes
// state on every instance.
AdminAccess peer_access(const std::string& peers_token, const std::string& admin_token,
                        const std::string* authorization);

// 401 with WWW-Authenticate and why; none_configured is the why when no token is configured.
HttpResponse unauthorized(AdminAccess access, std::string_view none_configured);

// Equal-length-independent comparison whose time depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// The largest TTL (normal or degraded) of any service that can name a member of pool_index:
// services of that pool and of pools that fall back to it (within pool::kMaxFallbackHops).
// 0 when no service uses it.
std::uint32_t largest_ttl_naming(const runtime::Config& config, std::int32_t pool_index) noexcept;

struct AdminEnv {
  const ControlContext& context;
  OperatorState& actions;
  std::chrono::system_clock::time_point now;
};

// Sends a response that was not ready when the request was routed.
using Responder = std::function<void(HttpResponse)>;

// POST /admin/drain and /admin/undrain ?pool=P&member=M
HttpResponse admin_drain(const HttpRequest& request, AdminEnv& env, bool drained);
// POST /admin/force ?pool=P&member=M&state=up|down|auto[&expires=DURATION]
HttpResponse admin_force(const HttpRequest& request, AdminEnv& env);
// POST /admin/weight ?pool=P&member=M&weight=N|auto[&expires=DURATION]: N (0 to
// pool::kMaxMemberWeight) replaces the member's configured weight; auto goes back to it.
HttpResponse admin_weight(const HttpRequest& request, AdminEnv& env);
// POST /admin/reload: asks the daemon to reload; the outcome goes to `later` (200 with the
// generation, 422 with the errors), or the error response is returned at once.
std::optional<HttpResponse> admin_reload(AdminEnv& env, const Responder& later);
// The answer for one reload outcome.
HttpResponse reload_response(const ReloadOutcome& outcome);

}  // namespace gslbd::control
