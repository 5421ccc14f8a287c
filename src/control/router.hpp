// Which handler answers a request: path and method dispatch, the admin token rule, and the
// state the handlers share (settings, context, force expiries, reload and endpoint counters).
// Control thread only; no sockets here, so handlers can be called directly.
#pragma once

#include <uv.h>

#include "admin.hpp"
#include "control_counters.hpp"
#include "force_timers.hpp"
#include "gslbd/control/control_server.hpp"
#include "gslbd/util/address.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace gslbd::control {

struct ControlState {
  ControlState(uv_loop_t* loop, ControlSettings s, ControlContext c)
      : settings(std::move(s)), context(std::move(c)), timers(loop) {
    reloads.last_success = context.started;
  }

  ControlSettings settings;
  ControlContext context;
  ForceTimers timers;
  ReloadStats reloads;
  ControlCounters counters;
};

HttpResponse route(const HttpRequest& request, const util::Address& peer, ControlState& state);

}  // namespace gslbd::control
