#include "daemon.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "gslbd/server/listen_sockets.hpp"
#include "monitor_plan.hpp"
#include "privileges.hpp"
#include "summary.hpp"

namespace gslbd::app {
namespace {

constexpr std::uint64_t kCollectIntervalMs = 1000;

unsigned worker_count(unsigned configured) {
  if (configured != 0) return configured;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : cores;
}

std::string listen_text(const std::vector<config::ListenAddress>& listen) {
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

Daemon::Daemon(Options options, std::shared_ptr<const config::Config> config)
    : options_(std::move(options)), config_(std::move(config)) {
  uv_loop_init(&loop_);
}

Daemon::~Daemon() {
  // The control server closes its own handles (their callbacks free its connections) before
  // the walk below closes whatever else is left; then the loop runs those callbacks.
  if (control_) control_->stop();
  workers_.clear();
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  control_.reset();
  uv_loop_close(&loop_);
}

int Daemon::run() {
  const config::ServerConfig& server = config_->server;
  const unsigned workers = worker_count(server.workers);
  std::string error;
  auto sockets = server::open_listen_sockets(server.listen, workers, error);
  if (sockets.empty()) {
    spdlog::critical("{}", error);
    return 1;
  }
  // Before any thread starts, so every thread runs as the unprivileged user.
  const auto name_or_none = [](const std::string& name) {
    return name.empty() ? std::nullopt : std::optional<std::string>(name);
  };
  if (!drop_privileges(name_or_none(server.user), name_or_none(server.group), error)) {
    spdlog::critical("{}", error);
    return 1;
  }
  health_loop_.start();
  put_in_service(config_);
  for (unsigned i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<server::Worker>(i, publisher_, std::move(sockets[i])));
  }
  for (auto& worker : workers_) worker->start();
  if (!start_control(error)) {
    spdlog::critical("{}", error);
    shutdown();
    return 1;
  }

  uv_signal_init(&loop_, &sighup_);
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sigint_);
  sighup_.data = sigterm_.data = sigint_.data = this;
  uv_signal_start(
      &sighup_,
      [](uv_signal_t* s, int) {
        auto* daemon = static_cast<Daemon*>(s->data);
        const control::ReloadOutcome outcome = daemon->reload();
        if (daemon->control_) daemon->control_->note_reload(outcome);
      },
      SIGHUP);
  auto stop = [](uv_signal_t* s, int) { static_cast<Daemon*>(s->data)->shutdown(); };
  uv_signal_start(&sigterm_, stop, SIGTERM);
  uv_signal_start(&sigint_, stop, SIGINT);
  uv_timer_init(&loop_, &collect_timer_);
  collect_timer_.data = this;
  uv_timer_start(
      &collect_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->publisher_.collect(); },
      kCollectIntervalMs, kCollectIntervalMs);
  uv_timer_init(&loop_, &watchdog_timer_);
  watchdog_timer_.data = this;
  if (const std::uint64_t ms = notify_.watchdog_ms(); ms != 0) {
    uv_timer_start(
        &watchdog_timer_,
        [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->notify_.ping_watchdog(); }, ms, ms);
  }

  spdlog::info("gslbd serving {} on {} with {} worker{}", summarize(*config_),
               listen_text(server.listen), workers, workers == 1 ? "" : "s");
  notify_.ready("serving " + summarize(*config_));
  uv_run(&loop_, UV_RUN_DEFAULT);
  spdlog::info("gslbd stopped");
  return 0;
}

control::ReloadOutcome Daemon::reload() {
  const SdReloadScope reloading(notify_);  // RELOADING=1 now, READY=1 on every way out
  spdlog::info("reload: reading {}", options_.config_path);
  config::LoadResult result = config::load_config(options_.config_path);
  control::ReloadOutcome outcome;
  if (!result.config) {
    for (const auto& error : result.errors) {
      spdlog::error("{}", error.to_string());
      outcome.errors.push_back(error.to_string());
    }
    spdlog::error("reload rejected ({} error{}); config generation {} stays in service",
                  result.errors.size(), result.errors.size() == 1 ? "" : "s",
                  publisher_.generation());
    outcome.generation = publisher_.generation();
    return outcome;
  }
  auto next = apply_overrides(*result.config, options_);
  {
    auto adjusted = std::make_shared<config::Config>(*next);
    config::carry_cookie_secrets(config_->server.cookies, adjusted->server.cookies);
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
  config_ = next;
  put_in_service(config_);
  if (control_) control_->update(control_settings(config_->server.control));
  spdlog::info("reload: config generation {} in service: {}", publisher_.generation(),
               summarize(*config_));
  outcome.ok = true;
  outcome.generation = publisher_.generation();
  return outcome;
}

control::ControlSettings Daemon::control_settings(const config::ControlConfig& config) {
  control::ControlSettings settings;
  settings.listen = config.listen;
  settings.token = config.token;
  settings.admin_without_token = config.admin_without_token;
  settings.max_connections = config.max_connections;
  settings.max_request_bytes = config.max_request_bytes;
  settings.idle_timeout_ms = config.idle_timeout_ms;
  return settings;
}

bool Daemon::start_control(std::string& error) {
  const config::ControlConfig& config = config_->server.control;
  if (!config.enabled) return true;
  control::ControlContext context;
  context.publisher = &publisher_;
  context.health = &health_loop_;
  context.worker_stats = [this] {
    std::vector<const stats::WorkerStats*> stats;
    for (const auto& worker : workers_) {
      for (const stats::WorkerStats* thread : worker->stats()) stats.push_back(thread);
    }
    return stats;
  };
  context.reload = [this] { return reload(); };
  context.serving = [this] { return !workers_.empty(); };
  context.version = GSLBD_VERSION;
  context.started = started_;
  control_ = std::make_unique<control::ControlServer>(&loop_, control_settings(config),
                                                      std::move(context));
  if (!control_->start(error)) {
    error = "control endpoint: " + error;
    control_.reset();
    return false;
  }
  return true;
}

void Daemon::put_in_service(std::shared_ptr<const config::Config> config) {
  health_loop_.adopt(monitor_plan(config->pools));
  health_loop_.wait_adopted();
  publisher_.publish(std::move(config));
}

void Daemon::shutdown() {
  spdlog::info("stopping");
  notify_.stopping();
  if (control_) control_->stop();
  for (auto& worker : workers_) worker->stop();
  for (auto& worker : workers_) worker->join();
  health_loop_.stop();
  uv_signal_stop(&sighup_);
  uv_signal_stop(&sigterm_);
  uv_signal_stop(&sigint_);
  uv_timer_stop(&collect_timer_);
  uv_timer_stop(&watchdog_timer_);
  uv_stop(&loop_);
}

}  // namespace gslbd::app
