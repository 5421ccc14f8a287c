// SPDX-License-Identifier: Apache-2.0
// Which handler answers a request: path and method dispatch, the admin token rule, and the
// state the handlers share (settings, context, force expiries, endpoint counters).
// Control thread only; no sockets here, so handlers can be called directly.
#pragma once

#include <uv.h>

#include <optional>

#include "admin.hpp"
#include "control_counters.hpp"
#include "force_timers.hpp"
#include "gslbd/control/control_server.hpp"
#include "gslbd/util/address.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace gslbd::control {

struct ControlState {
  ControlState(uv_loop_t* loop, runtime::ControlConfig s, ControlContext c)
      : settings(std::move(s)), context(std::move(c)), timers(loop) {}

  runtime::ControlConfig settings;
  ControlContext context;
  ForceTimers timers;
  ControlCounters counters;
};

// The response to a request, or nullopt when it comes later through `later` (POST
// /admin/reload answers once the reload is done). `later` is called on the control thread, at
// most once, possibly before route() returns.
std::optional<HttpResponse> route(const HttpRequest& request, const util::Address& peer,
                                  ControlState& state, const Responder& later);

}  // namespace gslbd::control
