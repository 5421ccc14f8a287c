// SPDX-License-Identifier: Apache-2.0
// gslbd: load and validate the configuration, then serve it until told to stop.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "daemon.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dnssec/zone_keys.hpp"
#include "options.hpp"
#include "summary.hpp"

namespace {

// The DS records of the zone named text (presentation form, final dot optional), as
// --check-config prints them; 0, or 1 with the reason on stderr.
int print_ds(const gslbd::runtime::Config& config, const std::string& text) {
  using namespace gslbd;
  std::string error;
  const auto wire = dns::name_from_text(text, std::string(1, '\0'), &error);
  if (!wire) {
    std::fprintf(stderr, "gslbd: --print-ds %s: %s\n", text.c_str(), error.c_str());
    return 1;
  }
  const std::string apex = dns::lowercased(*wire);
  for (const auto& zone : config.zones->zones()) {
    if (zone->apex() != apex) continue;
    if (zone->keys() == nullptr) {
      std::fprintf(stderr, "gslbd: zone %s is not signed (its file has no dnssec: section)\n",
                   dns::name_to_text(apex).c_str());
      return 1;
    }
    for (const std::string& line : zone->keys()->ds_lines()) std::printf("%s\n", line.c_str());
    return 0;
  }
  std::fprintf(stderr, "gslbd: no zone %s in the configuration\n", dns::name_to_text(apex).c_str());
  return 1;
}

}  // namespace

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
    if (options->check_config || options->print_ds) {
      std::fprintf(stderr, "%s\n", warning.c_str());
    } else {
      spdlog::warn("{}", warning);
    }
  }
  if (options->print_ds) return print_ds(*config, *options->print_ds);
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
