// SPDX-License-Identifier: Apache-2.0
// POST /peer/actions: a peer hands over the operator actions it has just taken. The request
// needs the fleet token (peers.token_file) or the admin token, never none, whatever
// admin_without_token says; it carries nothing but action records, each checked field by
// field, and they go through OperatorState::merge_from_peer, the same newest-wins rule as the
// records a poll brings. What is merged here is never pushed on. A refused request (401, 400,
// 413, 415) changes nothing and is logged, at most once per second. Control thread.
#pragma once

#include <string>

#include "control_counters.hpp"
#include "gslbd/control/operator_state.hpp"
#include "gslbd/runtime/config.hpp"
#include "gslbd/util/address.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace gslbd::control {

struct PushEnv {
  const runtime::Config* config = nullptr;  // in service (null before the first publish)
  const std::string& admin_token;           // control.token
  OperatorState& actions;
  PushCounters& counters;
};

// The answer to a POST /peer/actions whose request was read whole; from_whom names the client
// in log lines.
HttpResponse receive_push(const HttpRequest& request, const util::Address& from_whom, PushEnv env);

// Counts and logs a push refused before it could be read (the request parser's 413).
void note_oversized_push(PushCounters& counters, const util::Address& from_whom,
                         const std::string& reason);

}  // namespace gslbd::control
