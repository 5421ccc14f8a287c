// SPDX-License-Identifier: Apache-2.0
#include "router.hpp"

#include "explain.hpp"
#include "metrics.hpp"
#include "observations.hpp"
#include "push_document.hpp"
#include "push_receiver.hpp"
#include "status.hpp"

namespace gslbd::control {
namespace {

bool is_read(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

HttpResponse method_not_allowed(const char* allow) {
  HttpResponse r = json_error(405, std::string("method not allowed; use ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

std::vector<const stats::WorkerStats*> workers_of(const ControlContext& context) {
  return context.worker_stats ? context.worker_stats() : std::vector<const stats::WorkerStats*>{};
}

std::shared_ptr<const runtime::Snapshot> snapshot_of(const ControlContext& context) {
  return context.publisher != nullptr ? context.publisher->current() : nullptr;
}

HttpResponse readyz(const ControlState& state) {
  const ControlContext& c = state.context;
  if (c.publisher == nullptr || c.publisher->generation() == 0) {
    return text_response(503, "not ready: no config published\n");
  }
  if (!c.serving || !c.serving()) return text_response(503, "not ready: not serving yet\n");
  if (c.health != nullptr && !c.health->first_round_done()) {
    return text_response(503, "not ready: first round of health checks not done\n");
  }
  return text_response(200, "ready\n");
}

HttpResponse metrics(const ControlState& state) {
  const auto snapshot = snapshot_of(state.context);
  MetricsInput in;
  in.snapshot = snapshot.get();
  in.workers = workers_of(state.context);
  if (state.context.health != nullptr) {
    in.probes = state.context.health->counters();
    in.has_probes = true;
  }
  if (state.context.reload_stats) {
    in.reloads = state.context.reload_stats();
  } else {
    in.reloads.last_success = state.context.started;
  }
  in.control = &state.counters;
  in.version = state.context.version;
  if (state.context.dnstap) in.dnstap = state.context.dnstap();
  if (state.context.peers) in.peers = state.context.peers();
  if (state.context.watched_files) in.watched_files = state.context.watched_files();
  if (state.context.health != nullptr && in.peers.configured) {
    in.members = state.context.health->status();
  }
  HttpResponse r = text_response(200, render_metrics(in));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

HttpResponse status(const ControlState& state) {
  const auto snapshot = snapshot_of(state.context);
  StatusInput in;
  in.snapshot = snapshot.get();
  if (state.context.health != nullptr) {
    in.members = state.context.health->status();
    in.first_round_done = state.context.health->first_round_done();
    in.probes = state.context.health->counters();
    in.has_probes = true;
  }
  in.workers = workers_of(state.context);
  in.version = state.context.version;
  if (state.context.peers) in.peers = state.context.peers();
  in.started = state.context.started;
  in.serving = state.context.serving && state.context.serving();
  if (state.context.reload_stats) {
    const ReloadStats reloads = state.context.reload_stats();
    in.reload_in_progress = reloads.in_progress;
    in.reload_since = reloads.in_progress_since;
  }
  if (state.context.watched_files) in.watched_files = state.context.watched_files();
  if (state.context.xdp) in.xdp = state.context.xdp();
  in.operator_state = &state.actions();
  return json_response(200, render_status(in));
}

HttpResponse observations(const HttpRequest& request, const ControlState& state) {
  const auto snapshot = snapshot_of(state.context);
  const runtime::Config* config =
      snapshot != nullptr && snapshot->config ? snapshot->config.get() : nullptr;
  const AdminAccess access = peer_access(config != nullptr ? config->peers.token : std::string(),
                                         state.settings.token, request.header("authorization"));
  if (access != AdminAccess::allowed) {
    return unauthorized(access,
                        "observations need a token and none is configured (peers.token_file)");
  }
  ObservationsInput in;
  in.snapshot = snapshot.get();
  if (state.context.health != nullptr) in.members = state.context.health->status();
  if (config != nullptr) in.instance = config->server.identity;
  in.actions = &state.actions().actions();
  std::string body = render_observations(in);
  // What a peer would refuse unread is refused here, with the reason where the operator sees it.
  const std::uint32_t bound =
      config != nullptr ? config->peers.max_reply_bytes : runtime::PeersConfig{}.max_reply_bytes;
  if (body.size() > bound) {
    return json_error(500, "the observations (" + std::to_string(body.size()) +
                               " octets) exceed peers.max_reply_bytes (" + std::to_string(bound) +
                               "); raise it on every instance");
  }
  return json_response(200, std::move(body));
}

}  // namespace

std::optional<HttpResponse> route(const HttpRequest& request, const util::Address& peer,
                                  ControlState& state, const Responder& later) {
  const std::string& path = request.path;
  if (path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/status" ||
      path == "/explain") {
    if (!is_read(request)) return method_not_allowed("GET, HEAD");
    if (path == "/healthz") return text_response(200, "ok\n");
    if (path == "/readyz") return readyz(state);
    if (path == "/metrics") return metrics(state);
    if (path == "/status") return status(state);
    const auto snapshot = snapshot_of(state.context);
    std::vector<probe::MemberStatus> members;
    if (state.context.health != nullptr) members = state.context.health->status();
    return explain(request, snapshot.get(), peer, &members);
  }
  if (path == "/peer/observations") {
    if (!is_read(request)) return method_not_allowed("GET, HEAD");
    return observations(request, state);
  }
  if (path == kPushPath) {
    if (request.method != "POST") return method_not_allowed("POST");
    const auto snapshot = snapshot_of(state.context);
    return receive_push(request, peer,
                        PushEnv{snapshot != nullptr ? snapshot->config.get() : nullptr,
                                state.settings.token, state.actions(), state.counters.pushes});
  }
  if (path == "/admin/drain" || path == "/admin/undrain" || path == "/admin/force" ||
      path == "/admin/weight" || path == "/admin/reload") {
    if (request.method != "POST") return method_not_allowed("POST");
    const AdminAccess access = admin_access(state.settings, request.header("authorization"));
    if (access != AdminAccess::allowed) {
      return unauthorized(access,
                          "admin actions need a token and none is configured (control.token_file)");
    }
    AdminEnv env{state.context, state.actions(), std::chrono::system_clock::now()};
    if (path == "/admin/drain") return admin_drain(request, env, true);
    if (path == "/admin/undrain") return admin_drain(request, env, false);
    if (path == "/admin/force") return admin_force(request, env);
    if (path == "/admin/weight") return admin_weight(request, env);
    return admin_reload(env, later);
  }
  return json_error(404, "no such endpoint");
}

}  // namespace gslbd::control
