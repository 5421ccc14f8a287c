// SPDX-License-Identifier: Apache-2.0
#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>

namespace gslbd::app {

void print_usage() {
  std::fputs(
      "usage: gslbd -c FILE [options]\n"
      "  -c, --config FILE     main configuration file (YAML)\n"
      "      --listen ADDR:PORT  listen here instead of server.listen (repeatable; [v6]:port)\n"
      "      --workers N       worker threads (0 = one per core)\n"
      "      --identity NAME   NSID and CHAOS id.server answer\n"
      "      --log-level L     trace, debug, info, warn, error or off\n"
      "      --control ADDR:PORT  the control endpoint's address (default 127.0.0.1:9253)\n"
      "      --user NAME       after binding, run as this user (started as root)\n"
      "      --group NAME      and this group (default: the user's primary group)\n"
      "      --check-config    validate the configuration, print a summary or the errors, exit\n"
      "      --print-ds ZONE   load the configuration, print the DS records of ZONE, exit\n"
      "      --version         print the version and exit\n",
      stderr);
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  auto fail = [](const std::string& why) -> std::optional<Options> {
    std::fprintf(stderr, "gslbd: %s (see --help)\n", why.c_str());
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string text;
    if (arg == "-h" || arg == "--help") {
      options.help = true;
    } else if (arg == "--version") {
      options.version = true;
    } else if (arg == "--check-config") {
      options.check_config = true;
    } else if (arg == "--print-ds") {
      if (!value(text) || text.empty()) return fail("--print-ds needs a zone");
      options.print_ds = text;
    } else if (arg == "-c" || arg == "--config") {
      if (!value(options.config_path)) return fail("--config needs a file");
    } else if (arg == "--listen") {
      if (!value(text)) return fail("--listen needs ADDR:PORT");
      runtime::ListenAddress address;
      std::string error;
      if (!runtime::parse_listen_address(text, address, error)) {
        return fail("--listen " + text + ": " + error);
      }
      options.listen.push_back(address);
    } else if (arg == "--workers") {
      if (!value(text)) return fail("--workers needs a number");
      unsigned n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n > 256) {
        return fail("--workers takes 0..256");
      }
      options.workers = n;
    } else if (arg == "--identity") {
      if (!value(text)) return fail("--identity needs a name");
      options.identity = text;
    } else if (arg == "--log-level") {
      if (!value(text)) return fail("--log-level needs a level");
      options.log_level = text;
    } else if (arg == "--control") {
      if (!value(text)) return fail("--control needs ADDR:PORT");
      runtime::ListenAddress address;
      std::string error;
      if (!runtime::parse_listen_address(text, address, error)) {
        return fail("--control " + text + ": " + error);
      }
      options.control = address;
    } else if (arg == "--user" || arg == "--group") {
      if (!value(text) || text.empty()) return fail(std::string(arg) + " needs a name");
      (arg == "--user" ? options.user : options.group) = text;
    } else {
      return fail("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (!options.help && !options.version && options.config_path.empty()) {
    return fail("no configuration file given (-c FILE)");
  }
  return options;
}

std::shared_ptr<const runtime::Config> apply_overrides(const runtime::Config& loaded,
                                                       const Options& options) {
  auto config = std::make_shared<runtime::Config>(loaded);
  if (!options.listen.empty()) config->server.listen = options.listen;
  if (options.workers) config->server.workers = *options.workers;
  if (options.identity) config->server.identity = *options.identity;
  if (options.log_level) config->server.log_level = *options.log_level;
  if (options.control) config->server.control.listen = *options.control;
  if (options.user) config->server.user = *options.user;
  if (options.group) config->server.group = *options.group;
  return config;
}

}  // namespace gslbd::app
