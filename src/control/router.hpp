// SPDX-License-Identifier: Apache-2.0
// Which handler answers a request: path and method dispatch, the admin token rule, and the
// state the handlers share (settings, context, force expiries, endpoint counters).
// Control thread only; no sockets here, so handlers can be called directly.
#pragma once

#include <uv.h>

#include <optional>

#include "admin.hpp"
#include "control_counters.hpp"
#include "gslbd/control/control_server.hpp"
#include "gslbd/util/address.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace gslbd::control {

struct ControlState {
  ControlState(uv_loop_t* loop, runtime::ControlConfig s, ControlContext c)
      : settings(std::move(s)), context(std::move(c)) {
    if (context.operator_state == nullptr) {
      own_actions = std::make_unique<OperatorState>(loop, context.publisher, context.health, "");
    }
  }
  OperatorState& actions() {
    return context.operator_state != nullptr ? *context.operator_state : *own_actions;
  }
  const OperatorState& actions() const {
    return context.operator_state != nullptr ? *context.operator_state : *own_actions;
  }

  runtime::ControlConfig settings;
  ControlContext context;
  std::unique_ptr<OperatorState> own_actions;  // when the context brings none
  ControlCounters counters;
};

// The response to a request, or nullopt when it comes later through `later` (POST
// /admin/reload answers once the reload is done). `later` is called on the control thread, at
// most once, possibly before route() returns.
std::optional<HttpResponse> route(const HttpRequest& request, const util::Address& peer,
                                  ControlState& state, const Responder& later);

}  // namespace gslbd::control
