// SPDX-License-Identifier: Apache-2.0
// gslbd: load and validate the configuration, then serve it until told to stop.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "daemon.hpp"
#include "gslbd/dnssec/zone_keys.hpp"
#include "options.hpp"
#include "summary.hpp"

int main(int argc, char** argv) {
  using namespace gslbd;
  std::signal(SIGPIPE, SIG_IGN);  // a client closing a TCP connection must not kill us
  const auto options = app::parse_options(argc, argv);
  if (!options) return 2;
  if (options->help) {
    app::print_usage();
    return 0;
  }
  if (options->version) {
    std::puts("gslbd " GSLBD_VERSION);
    return 0;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("gslbd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  config::LoadResult loaded = config::load_config(options->config_path);
  for (auto warning : loaded.warnings) {
    warning.message = "warning: " + warning.message;
    std::fprintf(stderr, "%s\n", warning.to_string().c_str());
  }
  if (!loaded.config) {
    for (const auto& error : loaded.errors) std::fprintf(stderr, "%s\n", error.to_string().c_str());
    std::fprintf(stderr, "gslbd: %s: %zu error%s\n", options->config_path.c_str(),
                 loaded.error_total, loaded.error_total == 1 ? "" : "s");
    return 1;
  }
  auto config = app::apply_overrides(*loaded.config, *options);
  for (const std::string& warning : config->server.control.warnings) {
    if (options->check_config) {
      std::fprintf(stderr, "%s\n", warning.c_str());
    } else {
      spdlog::warn("{}", warning);
    }
  }
  if (options->check_config) {
    std::printf("%s: ok: %s\n", options->config_path.c_str(), app::summarize(*config).c_str());
    // The DS records each signed zone needs at its parent (or as a validator's trust anchor).
    for (const auto& zone : config->zones->zones()) {
      if (zone->keys() == nullptr) continue;
      for (const std::string& line : zone->keys()->ds_lines()) std::printf("%s\n", line.c_str());
    }
    return 0;
  }
  if (!app::apply_log_level(config->server.log_level)) {
    std::fprintf(stderr, "gslbd: unknown log level '%s'\n", config->server.log_level.c_str());
    return 2;
  }
  app::Daemon daemon(*options, config);
  return daemon.run();
}
