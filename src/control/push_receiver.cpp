// SPDX-License-Identifier: Apache-2.0
#include "push_receiver.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "admin.hpp"
#include "push_document.hpp"

namespace gslbd::control {
namespace {

constexpr auto kLogEvery = std::chrono::seconds(1);

// One line per second at most; the refusals in between are counted into the next one.
void log_refusal(PushCounters& counters, const util::Address& from_whom, int status,
                 const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  if (counters.last_log != std::chrono::steady_clock::time_point{} &&
      now - counters.last_log < kLogEvery) {
    ++counters.unlogged;
    return;
  }
  const std::uint64_t before = counters.unlogged;
  counters.unlogged = 0;
  counters.last_log = now;
  spdlog::warn("control: push of operator actions from {} refused with {}: {}; nothing changed{}",
               util::address_text(from_whom), status, why,
               before > 0
                   ? " (" + std::to_string(before) + " more refused since the last such line)"
                   : std::string());
}

HttpResponse refuse(PushCounters& counters, std::uint64_t PushCounters::*counter,
                    const util::Address& from_whom, int status, const std::string& why) {
  ++(counters.*counter);
  log_refusal(counters, from_whom, status, why);
  return json_error(status, why);
}

// "application/json", with parameters (charset) or not, in any case.
bool is_json(const std::string* content_type) {
  if (content_type == nullptr) return false;
  std::string type = content_type->substr(0, content_type->find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& c : type) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return type == "application/json";
}

}  // namespace

HttpResponse receive_push(const HttpRequest& request, const util::Address& from_whom, PushEnv env) {
  const AdminAccess access =
      peer_access(env.config != nullptr ? env.config->peers.token : std::string(), env.admin_token,
                  request.header("authorization"));
  if (access != AdminAccess::allowed) {
    ++env.counters.unauthorized;
    HttpResponse r =
        unauthorized(access, "pushes need a token and none is configured (peers.token_file)");
    log_refusal(env.counters, from_whom, 401,
                access == AdminAccess::missing ? "no token" : "wrong token or none configured");
    return r;
  }
  // A web page cannot send this type without a preflight that the endpoint never answers; the
  // Origin rule (request_guard) already refuses what a browser sends, this is a second lock.
  if (!is_json(request.header("content-type"))) {
    return refuse(env.counters, &PushCounters::malformed, from_whom, 415,
                  "a push must be Content-Type: application/json");
  }
  std::string error;
  const auto document = parse_push(request.body, error);
  if (!document) {
    return refuse(env.counters, &PushCounters::malformed, from_whom, 400,
                  "not a push of operator actions: " + error);
  }
  if (env.config == nullptr) return json_error(503, "no config in service yet");
  const MergeCounts merged =
      env.actions.merge_from_peer(document->instance + " (pushed)", document->actions);
  ++env.counters.accepted;
  env.counters.applied += merged.taken;
  env.counters.older += merged.older;
  env.counters.refused += merged.refused;
  PushOutcome outcome;
  outcome.applied = merged.taken;
  outcome.older = merged.older;
  outcome.refused = merged.refused;
  return json_response(200, render_push_outcome(outcome));
}

void note_oversized_push(PushCounters& counters, const util::Address& from_whom,
                         const std::string& reason) {
  ++counters.oversized;
  log_refusal(counters, from_whom, 413, reason);
}

}  // namespace gslbd::control
