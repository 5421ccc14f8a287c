// SPDX-License-Identifier: Apache-2.0
// gslbctl: the operator's command line for a running gslbd (status, drain, force, weight, reload,
// explain) and a front for gslbd --check-config.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "commands.hpp"
#include "config_file.hpp"
#include "members.hpp"

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: gslbctl [-c FILE] [--control ADDR:PORT] [--token-file FILE] [--timeout SECONDS] "
      "[--json] COMMAND\n"
      "commands:\n"
      "  status                                  pools and members in a table\n"
      "  drain POOL MEMBER                       no new answers name the member\n"
      "  undrain POOL MEMBER\n"
      "  force POOL MEMBER up|down|auto [--expires DURATION]\n"
      "  weight POOL MEMBER N|auto [--expires DURATION]\n"
      "                                          N replaces the member's weight; auto undoes it\n"
      "  reload                                  reload the config; fails with its errors\n"
      "  explain NAME [TYPE] [CLIENT[/PREFIX]]   the answer decision gslbd would make now\n"
      "  check-config                            gslbd --check-config -c FILE\n"
      "  ds ZONE                                 the DS records of a signed zone, for its parent\n"
      "  members                                 POOL<TAB>MEMBER lines (scripts, completion)\n"
      "--all: run the command on this instance and on every peer of -c FILE's peers: section\n"
      "  (its instances' urls), one after the other, each one's output under a line naming it;\n"
      "  --instances ADDR:PORT,...: on these control endpoints instead (the same token for all)\n"
      "-c FILE: gslbd's main file; gslbctl reads control.listen and control.token_file from it\n"
      "  (default " GSLBCTL_DEFAULT_CONFIG
      " when it exists and neither --control nor $GSLBCTL_CONTROL is set).\n"
      "Each setting comes from its option, else $GSLBCTL_CONTROL / $GSLBCTL_TOKEN_FILE, else\n"
      "the config file, else the default (--control 127.0.0.1:9253, no token).\n",
      out);
}

int bad_usage(const std::string& why) {
  std::fprintf(stderr, "gslbctl: %s\n", why.c_str());
  usage(stderr);
  return 2;
}

bool read_token(const std::string& path, std::string& token, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read token file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    error = "token file " + path + " must hold one non-empty line";
    return false;
  }
  return true;
}

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// The installed main file, read only when nothing names the endpoint: an explicit address may
// belong to another instance, whose token this file does not hold.
std::optional<std::string> implicit_config() {
  std::string path = environment("GSLBCTL_CONFIG").value_or(GSLBCTL_DEFAULT_CONFIG);
  if (::access(path.c_str(), F_OK) != 0) {
    // A directory gslbctl may not enter (/etc/gslbd is 0750 root:gslbd) hides the file: say so,
    // since the defaults below may then name the wrong endpoint or no token.
    if (errno == EACCES) {
      std::fprintf(stderr, "gslbctl: note: cannot read %s (%s); using the defaults\n", path.c_str(),
                   std::strerror(errno));
    }
    return std::nullopt;
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gslbctl;
  Globals g;
  g.self = argc > 0 ? argv[0] : "gslbctl";
  std::optional<std::string> control;
  std::optional<std::string> token_file;
  std::optional<std::string> config_file;
  std::string expires;
  bool all = false;
  std::optional<std::string> instances;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    } else if (arg == "--version") {
      std::puts("gslbctl " GSLBD_VERSION);
      return 0;
    } else if (arg == "--control") {
      if (!value(control.emplace())) return bad_usage("--control needs ADDR:PORT");
    } else if (arg == "--token-file") {
      if (!value(token_file.emplace())) return bad_usage("--token-file needs a file");
    } else if (arg == "--timeout") {
      std::string seconds;
      if (!value(seconds)) return bad_usage("--timeout needs seconds");
      char* end = nullptr;
      const long n = std::strtol(seconds.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 3600) return bad_usage("--timeout takes 1..3600 seconds");
      g.timeout = std::chrono::seconds(n);
    } else if (arg == "--json") {
      g.json = true;
    } else if (arg == "--all") {
      all = true;
    } else if (arg == "--instances") {
      if (!value(instances.emplace())) return bad_usage("--instances needs ADDR:PORT,...");
    } else if (arg == "--expires") {
      if (!value(expires)) return bad_usage("--expires needs a duration such as 30s");
    } else if (arg == "-c" || arg == "--config") {
      if (!value(config_file.emplace())) return bad_usage("-c needs a file");
    } else if (arg.size() > 1 && arg[0] == '-') {
      return bad_usage("unknown option " + arg);
    } else {
      words.push_back(arg);
    }
  }
  if (words.empty()) return bad_usage("no command");
  const std::string command = words[0];
  const std::vector<std::string> args(words.begin() + 1, words.end());

  if (!control) control = environment("GSLBCTL_CONTROL");
  if (!token_file) token_file = environment("GSLBCTL_TOKEN_FILE");
  if (!config_file && !control) config_file = implicit_config();

  if (command == "check-config") {
    if (!config_file || !args.empty()) return bad_usage("usage: check-config -c FILE");
    return cmd_check_config(g, *config_file);
  }
  if (command == "ds") {
    if (!config_file || args.size() != 1) return bad_usage("usage: ds ZONE [-c FILE]");
    return cmd_ds(g, *config_file, args[0]);
  }
  std::string error;
  if (config_file && (!control || !token_file)) {
    ControlSettings settings;
    if (!read_control_settings(*config_file, settings, error)) {
      std::fprintf(stderr, "gslbctl: %s\n", error.c_str());
      return 1;
    }
    if (!settings.enabled && !control) {
      std::fprintf(stderr, "gslbctl: %s has the control endpoint turned off (control.enabled)\n",
                   config_file->c_str());
      return 1;
    }
    if (!control) control = settings.listen;
    if (!token_file) token_file = settings.token_file;
  }
  // The endpoints to address: this one, and with --all its peers; or --instances.
  std::vector<std::string> targets{control.value_or("127.0.0.1:9253")};
  if (instances) {
    targets.clear();
    std::string list = *instances;
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) targets.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    if (targets.empty()) return bad_usage("--instances needs ADDR:PORT,...");
  } else if (all) {
    if (!config_file) return bad_usage("--all needs -c FILE (its peers: section)");
    ControlSettings settings;
    if (!read_control_settings(*config_file, settings, error)) {
      std::fprintf(stderr, "gslbctl: %s\n", error.c_str());
      return 1;
    }
    for (const std::string& url : settings.peer_urls) {
      std::string_view address = url;
      if (address.substr(0, 7) == "http://") address.remove_prefix(7);
      while (!address.empty() && address.back() == '/') address.remove_suffix(1);
      targets.emplace_back(address);
    }
  }
  std::vector<Endpoint> endpoints;
  for (const std::string& target : targets) {
    Endpoint endpoint;
    if (!parse_endpoint(target, endpoint, error)) return bad_usage(error);
    endpoints.push_back(endpoint);
  }
  g.endpoint = endpoints.front();
  const bool admin = command == "drain" || command == "undrain" || command == "force" ||
                     command == "weight" || command == "reload";
  if (admin && token_file && !read_token(*token_file, g.token, error)) {
    std::fprintf(stderr, "gslbctl: %s\n", error.c_str());
    return 1;
  }
  auto run = [&]() -> int {
    if (command == "status") {
      if (!args.empty()) return bad_usage("status takes no arguments");
      return cmd_status(g);
    }
    if (command == "drain" || command == "undrain") {
      if (args.size() != 2) return bad_usage(command + " needs POOL MEMBER");
      return cmd_drain(g, args[0], args[1], command == "drain");
    }
    if (command == "force") {
      if (args.size() != 3) return bad_usage("force needs POOL MEMBER up|down|auto");
      if (args[2] != "up" && args[2] != "down" && args[2] != "auto") {
        return bad_usage("force state must be up, down or auto");
      }
      if (!expires.empty() && args[2] == "auto") return bad_usage("--expires needs up or down");
      return cmd_force(g, args[0], args[1], args[2], expires);
    }
    if (command == "weight") {
      if (args.size() != 3) return bad_usage("weight needs POOL MEMBER N|auto");
      if (!expires.empty() && args[2] == "auto") return bad_usage("--expires needs a weight");
      return cmd_weight(g, args[0], args[1], args[2], expires);
    }
    if (command == "reload") {
      if (!args.empty()) return bad_usage("reload takes no arguments");
      return cmd_reload(g);
    }
    if (command == "members") {
      if (!args.empty()) return bad_usage("members takes no arguments");
      return cmd_members(g);
    }
    if (command == "explain") {
      if (args.empty() || args.size() > 3) return bad_usage("explain needs NAME [TYPE] [CLIENT]");
      return cmd_explain(g, args);
    }
    return bad_usage("unknown command " + command);
  };
  if (endpoints.size() == 1) return run();
  int status = 0;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    g.endpoint = endpoints[i];
    std::printf("%s:\n", targets[i].c_str());
    std::fflush(stdout);
    const int one = run();
    std::fflush(stdout);
    if (one == 2) return one;  // a usage error is the same everywhere
    if (one != 0) status = 1;
  }
  return status;
}
