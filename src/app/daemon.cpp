// SPDX-License-Identifier: Apache-2.0
#include "daemon.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <ctime>
#include <thread>

#include "gslbd/probe/monitor_plan.hpp"
#include "gslbd/server/listen_guard.hpp"
#include "gslbd/server/listen_sockets.hpp"
#include "gslbd/util/address.hpp"
#include "gslbd/zone/zone_signing.hpp"
#include "privileges.hpp"
#include "summary.hpp"

namespace gslbd::app {
namespace {

constexpr std::uint64_t kCollectIntervalMs = 1000;
constexpr std::uint64_t kRefreshCheckMs = 60 * 1000;
// How often watched files are stat()ed; a change is acted on after one quiet poll.
constexpr std::chrono::milliseconds kWatchIntervalMs{1000};

unsigned worker_count(unsigned configured) {
  if (configured != 0) return configured;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : cores;
}

std::string listen_text(const std::vector<runtime::ListenAddress>& listen) {
  std::string out;
  for (const auto& address : listen) {
    if (!out.empty()) out += ", ";
    out += address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
    out += ":" + std::to_string(address.port);
  }
  return out;
}

}  // namespace

bool apply_log_level(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

Daemon::Daemon(Options options, std::shared_ptr<const runtime::Config> config)
    : options_(std::move(options)),
      config_(std::move(config)),
      reloader_(
          [path = options_.config_path] {
            spdlog::info("reload: reading {}", path);
            return config::load_config(path);
          },
          [this](config::LoadResult result) { return apply_reload(std::move(result)); }, notify_),
      watcher_(
          [this](const std::string& path) {
            spdlog::info("reload: {} changed", path);
            reloader_.request([path](const control::ReloadOutcome& outcome) {
              if (!outcome.ok) {
                spdlog::error(
                    "reload after {} changed failed; config generation {} stays in "
                    "service with the files it was read from",
                    path, outcome.generation);
              }
            });
          },
          kWatchIntervalMs) {
  // Handles are initialised here and started by start(), so shutdown() may stop them at any
  // point of a failed start-up. A failure (no file descriptors left) is reported by run().
  init_error_ = uv_loop_init(&loop_);
  loop_ready_ = init_error_ == 0;
  for (uv_signal_t* signal : {&sighup_, &sigterm_, &sigint_}) {
    if (init_error_ == 0) init_error_ = uv_signal_init(&loop_, signal);
    signal->data = this;
  }
  for (uv_timer_t* timer : {&collect_timer_, &watchdog_timer_, &refresh_timer_}) {
    if (init_error_ == 0) init_error_ = uv_timer_init(&loop_, timer);
    timer->data = this;
  }
  if (init_error_ == 0) init_error_ = reloader_.init(&loop_);
  if (init_error_ == 0) init_error_ = watcher_.init(&loop_);
  reloader_.set_last_success(started_);
  if (config_) {
    watcher_.watch(*config_);
    watcher_.note(control::ReloadOutcome{true, 0, {}}, started_);
  }
}

Daemon::~Daemon() {
  // The control server closes its own handles (their callbacks free its connections) before
  // the walk below closes whatever else is left; then the loop runs those callbacks.
  if (control_) control_->stop();
  if (peers_) peers_->stop();
  if (operator_state_) operator_state_->stop();
  shards_.clear();
  if (!loop_ready_) return;
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
  // Twice at most: a uv_stop() made before the loop ever ran (a failed start-up) ends the
  // first run before it runs the close callbacks.
  for (int i = 0; i < 2 && uv_run(&loop_, UV_RUN_DEFAULT) != 0; ++i) {
  }
  control_.reset();
  peers_.reset();
  uv_loop_close(&loop_);
}

int Daemon::run() {
  std::string error;
  bool started = false;
  try {
    started = start(error);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!started) {
    spdlog::critical("gslbd cannot start: {}", error);
    shutdown();
    return 1;
  }
  const unsigned workers = static_cast<unsigned>(shards_.size());
  const runtime::ControlConfig& control = config_->server.control;
  spdlog::info("gslbd serving {} on {} with {} worker{}; control endpoint {}", summarize(*config_),
               listen_text(config_->server.listen), workers, workers == 1 ? "" : "s",
               control_ ? "on " + listen_text({control.listen}) : std::string("disabled"));
  notify_.ready("serving " + summarize(*config_));
  uv_run(&loop_, UV_RUN_DEFAULT);
  spdlog::info("gslbd stopped");
  return 0;
}

bool Daemon::start(std::string& error) {
  if (init_error_ != 0) {
    error = std::string("cannot set up the control loop: ") + uv_strerror(init_error_);
    return false;
  }
  // First: workers answer queries before start-up is over, and a SIGTERM sent as soon as they
  // do must find our handler (the loop acts on it once it runs), not the default action.
  start_signals();
  const runtime::ServerConfig& server = config_->server;
  const unsigned workers = worker_count(server.workers);
  const std::string lock_dir = server::lock_directory();
  if (lock_dir.empty()) {
    spdlog::warn(
        "no writable runtime directory for listen lock files (RUNTIME_DIRECTORY, "
        "/run/gslbd, $XDG_RUNTIME_DIR, /tmp): two instances starting at the same moment "
        "are not kept apart");
  }
  auto sockets = server::open_exclusive_listen_sockets(server.listen, workers, lock_dir, error);
  if (sockets.empty()) return false;
  if (!open_xdp(error)) {
    server::close_sockets(sockets);
    return false;
  }
  // Before any thread starts, so every thread runs as the unprivileged user.
  const auto name_or_none = [](const std::string& name) {
    return name.empty() ? std::nullopt : std::optional<std::string>(name);
  };
  if (!drop_privileges(name_or_none(server.user), name_or_none(server.group), error)) {
    server::close_sockets(sockets);
    return false;
  }
  if (server.dnstap.enabled()) {
    const std::string identity =
        server.dnstap.identity.empty() ? server.identity : server.dnstap.identity;
    dnstap_ = dnstap::Writer::start(server.dnstap, identity, "gslbd " GSLBD_VERSION, error);
    if (!dnstap_) {
      server::close_sockets(sockets);
      return false;
    }
  }
  try {
    health_loop_.start();
  } catch (const std::exception& e) {
    server::close_sockets(sockets);
    const std::string what = e.what();
    error = what.rfind("health loop", 0) == 0 ? what : "health loop: " + what;
    return false;
  }
  put_in_service(config_);
  for (unsigned i = 0; i < workers; ++i) {
    shards_.push_back(
        std::make_unique<server::Shard>(i, publisher_, std::move(sockets[i]), dnstap_.get()));
  }
  for (unsigned i = 0; i < workers; ++i) {
    try {
      shards_[i]->start();
    } catch (const std::exception& e) {
      error = "worker " + std::to_string(i) + ": " + e.what();
      return false;
    }
  }
  if (xdp_) xdp_->start(dnstap_.get());
  return start_control(error);
}

void Daemon::start_signals() {
  uv_signal_start(
      &sighup_, [](uv_signal_t* s, int) { static_cast<Daemon*>(s->data)->reloader_.request({}); },
      SIGHUP);
  auto stop = [](uv_signal_t* s, int) {
    spdlog::info("stopping");
    static_cast<Daemon*>(s->data)->shutdown();
  };
  uv_signal_start(&sigterm_, stop, SIGTERM);
  uv_signal_start(&sigint_, stop, SIGINT);
  uv_timer_start(
      &collect_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->publisher_.collect(); },
      kCollectIntervalMs, kCollectIntervalMs);
  if (const std::uint64_t ms = notify_.watchdog_ms(); ms != 0) {
    uv_timer_start(
        &watchdog_timer_,
        [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->notify_.ping_watchdog(); }, ms, ms);
  }
  uv_timer_start(
      &refresh_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->refresh_signatures(); },
      kRefreshCheckMs, kRefreshCheckMs);
  watcher_.start();
}

void Daemon::refresh_signatures() {
  const std::uint32_t due = zone::refresh_time(*config_->zones);
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  // A reload that failed (a file being edited) is retried, but not more often than this.
  constexpr std::uint32_t kRetryS = 600;
  if (due == 0 || now < due || (refresh_asked_ != 0 && now - refresh_asked_ < kRetryS)) return;
  refresh_asked_ = now;
  spdlog::info("dnssec: signatures have lived half their validity; reloading to sign afresh");
  reloader_.request({});
}

control::ReloadOutcome Daemon::apply_reload(config::LoadResult result) {
  for (const auto& warning : result.warnings) spdlog::warn("{}", warning.to_string());
  control::ReloadOutcome outcome;
  if (!result.config) {
    for (const auto& error : result.errors) {
      spdlog::error("{}", error.to_string());
      outcome.errors.push_back(error.to_string());
    }
    spdlog::error("reload rejected ({} error{}); config generation {} stays in service",
                  result.error_total, result.error_total == 1 ? "" : "s", publisher_.generation());
    outcome.generation = publisher_.generation();
    watcher_.note(outcome, std::chrono::system_clock::now());
    return outcome;
  }
  auto next = apply_overrides(*result.config, options_);
  {
    auto adjusted = std::make_shared<runtime::Config>(*next);
    runtime::carry_cookie_secrets(config_->server.cookies, adjusted->server.cookies);
    if (adjusted->server.xdp != config_->server.xdp) {
      // The XDP program and sockets are opened with privileges that are gone by now, so they
      // cannot be rebuilt here. The config in service keeps describing what runs: /status
      // stays true, and every later reload of the changed file says so again.
      spdlog::warn(
          "reload: the xdp section changed; it applies only on restart, the running XDP program "
          "and sockets stay as they are (the rest of the reload applies)");
      adjusted->server.xdp = config_->server.xdp;
    }
    next = std::move(adjusted);
  }
  if (next->server.listen != config_->server.listen ||
      next->server.workers != config_->server.workers) {
    spdlog::warn("reload: listen addresses and worker count change only on restart");
  }
  if (!apply_log_level(next->server.log_level)) {
    spdlog::warn("reload: unknown log level '{}' ignored", next->server.log_level);
  }
  if (next->server.control.listen != config_->server.control.listen ||
      next->server.control.enabled != config_->server.control.enabled ||
      next->server.user != config_->server.user || next->server.group != config_->server.group) {
    spdlog::warn("reload: the control address and the user change only on restart");
  }
  if (next->server.dnstap != config_->server.dnstap) {
    spdlog::warn("reload: dnstap settings change only on restart");
  }
  for (const std::string& warning : next->server.control.warnings) spdlog::warn("{}", warning);
  config_ = next;
  put_in_service(config_);
  if (control_) control_->update(config_->server.control);
  if (operator_state_) operator_state_->config_changed();
  spdlog::info("reload: config generation {} in service: {}", publisher_.generation(),
               summarize(*config_));
  outcome.ok = true;
  outcome.generation = publisher_.generation();
  watcher_.watch(*config_);
  watcher_.note(outcome, std::chrono::system_clock::now());
  return outcome;
}

// server.state_directory, else the directory systemd made for the unit's StateDirectory=
// (the first of $STATE_DIRECTORY's colon-separated list), else none.
std::string Daemon::state_directory(const runtime::ServerConfig& server) {
  if (!server.state_directory.empty()) return server.state_directory;
  const char* from_systemd = std::getenv("STATE_DIRECTORY");
  if (from_systemd == nullptr) return {};
  const std::string list = from_systemd;
  return list.substr(0, list.find(':'));
}

bool Daemon::start_control(std::string& error) {
  const runtime::ControlConfig& config = config_->server.control;
  if (!config.enabled) return true;
  control::ControlContext context;
  context.publisher = &publisher_;
  context.health = &health_loop_;
  operator_state_ = std::make_unique<control::OperatorState>(&loop_, &publisher_, &health_loop_,
                                                             state_directory(config_->server));
  operator_state_->load();
  context.operator_state = operator_state_.get();
  context.worker_stats = [this] {
    std::vector<const stats::WorkerStats*> stats;
    for (const auto& worker : shards_) {
      for (const stats::WorkerStats* thread : worker->stats()) stats.push_back(thread);
    }
    if (xdp_) {
      for (const stats::WorkerStats* thread : xdp_->stats()) stats.push_back(thread);
    }
    return stats;
  };
  context.reload = [this](control::ReloadDone done) { reloader_.request(std::move(done)); };
  context.reload_stats = [this] { return reloader_.stats(); };
  context.serving = [this] { return !shards_.empty(); };
  context.dnstap = [this]() -> std::optional<control::DnstapCounts> {
    if (!dnstap_) return std::nullopt;
    return control::DnstapCounts{dnstap_->written(), dnstap_->dropped()};
  };
  context.watched_files = [this] { return watcher_.files(); };
  context.xdp = [this] { return xdp_report_; };
  context.version = GSLBD_VERSION;
  context.started = started_;
  peers_ = std::make_unique<control::PeerPoller>(&loop_, publisher_, &health_loop_,
                                                 operator_state_.get());
  context.peers = [this] { return peers_->report(); };
  // An action taken here goes to every peer at once; what peers send is merged, never sent on.
  operator_state_->on_taken([this](const control::OperatorAction& action) {
    if (peers_) peers_->push(action);
  });
  control_ = std::make_unique<control::ControlServer>(&loop_, config, std::move(context));
  if (!control_->start(error)) {
    control_.reset();
    return false;
  }
  return peers_->start(error);
}

bool Daemon::open_xdp(std::string& error) {
  const runtime::XdpConfig& config = config_->server.xdp;
  if (!config.enabled()) return true;
  std::string why;
  xdp_ = server::XdpService::open(config, publisher_, why);
  if (xdp_) {
    spdlog::info("xdp: answering UDP port {} in {}", config.port, xdp_->description());
    xdp_report_ = control::XdpReport{true, xdp_->description()};
  } else if (config.required) {
    error = "xdp: " + why + " (xdp.required is true: no fallback to the sockets)";
    return false;
  } else {
    spdlog::error("xdp: {}; answering over the sockets only", why);
    xdp_report_ = control::XdpReport{false, why + "; answering over the sockets only"};
  }
  return true;
}

void Daemon::put_in_service(std::shared_ptr<const runtime::Config> config) {
  std::vector<probe::ResolverEndpoint> resolvers;
  for (const runtime::ListenAddress& resolver : config->server.resolvers) {
    // The loader accepted it as a numeric address, so it parses.
    if (const auto address = util::parse_address(resolver.host)) {
      resolvers.push_back({*address, resolver.port});
    }
  }
  health_loop_.adopt(probe::monitor_plan(config->pools, std::move(resolvers)));
  health_loop_.wait_adopted();
  publisher_.publish(std::move(config));
}

void Daemon::shutdown() {
  notify_.stopping();
  if (control_) control_->stop();
  if (peers_) peers_->stop();
  reloader_.stop();
  for (auto& worker : shards_) worker->stop();
  for (auto& worker : shards_) worker->join();
  if (xdp_) xdp_->stop();
  health_loop_.stop();
  // Handles the constructor could not initialise are still zero, which libuv's stop calls
  // take as "not active".
  uv_signal_stop(&sighup_);
  uv_signal_stop(&sigterm_);
  uv_signal_stop(&sigint_);
  uv_timer_stop(&collect_timer_);
  uv_timer_stop(&watchdog_timer_);
  uv_timer_stop(&refresh_timer_);
  watcher_.stop();
  uv_stop(&loop_);
}

}  // namespace gslbd::app
