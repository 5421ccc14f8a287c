// SPDX-License-Identifier: Apache-2.0
#include "commands.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "json_value.hpp"
#include "tables.hpp"

namespace gslbctl {
namespace {

// Reloads read every file and wait for the health loop: allow them longer than a query.
constexpr std::chrono::milliseconds kMinReloadTimeout{60'000};

// Sends the request; prints a one-line error and returns nullopt unless a 2xx JSON reply came.
std::optional<JsonValue> call(const Globals& g, const char* method, const std::string& target,
                              std::chrono::milliseconds timeout, int* status = nullptr,
                              bool accept_error_json = false) {
  const HttpResult r = http_request(g.endpoint, method, target, g.token, timeout);
  if (!r.ok) {
    std::fprintf(stderr, "gslbctl: %s\n", r.error.c_str());
    return std::nullopt;
  }
  if (status) *status = r.status;
  std::string error;
  auto value = JsonValue::parse(r.body, error);
  if ((r.status < 200 || r.status > 299) && !(accept_error_json && value)) {
    const std::string why =
        value && !(*value)["error"].is_null() ? (*value)["error"].text() : r.body;
    std::fprintf(stderr, "gslbctl: gslbd answered %d: %s\n", r.status, why.c_str());
    if (r.status == 401 && g.token.empty()) {
      std::fprintf(stderr, "gslbctl: admin actions need --token-file FILE\n");
    }
    return std::nullopt;
  }
  if (!value) {
    std::fprintf(stderr, "gslbctl: the reply is not JSON (%s)\n", error.c_str());
    return std::nullopt;
  }
  if (g.json) std::fputs(r.body.c_str(), stdout);
  return value;
}

std::string member_query(const std::string& pool, const std::string& member) {
  return "pool=" + url_encode(pool) + "&member=" + url_encode(member);
}

}  // namespace

int cmd_status(const Globals& g) {
  const auto status = call(g, "GET", "/status", g.timeout);
  if (!status) return 1;
  if (!g.json) std::fputs(status_text(*status).c_str(), stdout);
  return 0;
}

int cmd_drain(const Globals& g, const std::string& pool, const std::string& member, bool drained) {
  const std::string target =
      std::string(drained ? "/admin/drain?" : "/admin/undrain?") + member_query(pool, member);
  const auto reply = call(g, "POST", target, g.timeout);
  if (!reply) return 1;
  if (g.json) return 0;
  if (drained) {
    std::printf("%s/%s drained at %s; caches may name it until %s (largest TTL %ss)\n",
                pool.c_str(), member.c_str(), (*reply)["at"].text().c_str(),
                (*reply)["safe_after"].text().c_str(), (*reply)["largest_ttl"].text().c_str());
  } else {
    std::printf("%s/%s undrained\n", pool.c_str(), member.c_str());
  }
  return 0;
}

int cmd_force(const Globals& g, const std::string& pool, const std::string& member,
              const std::string& state, const std::string& expires) {
  std::string target = "/admin/force?" + member_query(pool, member) + "&state=" + url_encode(state);
  if (!expires.empty()) target += "&expires=" + url_encode(expires);
  const auto reply = call(g, "POST", target, g.timeout);
  if (!reply) return 1;
  if (g.json) return 0;
  if (state == "auto") {
    std::printf("%s/%s follows its checks again\n", pool.c_str(), member.c_str());
  } else if ((*reply)["expires_at"].is_null()) {
    std::printf("%s/%s forced %s until forced again\n", pool.c_str(), member.c_str(),
                state.c_str());
  } else {
    std::printf("%s/%s forced %s until %s\n", pool.c_str(), member.c_str(), state.c_str(),
                (*reply)["expires_at"].text().c_str());
  }
  return 0;
}

int cmd_weight(const Globals& g, const std::string& pool, const std::string& member,
               const std::string& weight, const std::string& expires) {
  std::string target =
      "/admin/weight?" + member_query(pool, member) + "&weight=" + url_encode(weight);
  if (!expires.empty()) target += "&expires=" + url_encode(expires);
  const auto reply = call(g, "POST", target, g.timeout);
  if (!reply) return 1;
  if (g.json) return 0;
  if (weight == "auto") {
    std::printf("%s/%s has its configured weight again\n", pool.c_str(), member.c_str());
  } else if ((*reply)["expires_at"].is_null()) {
    std::printf("%s/%s weight %s until changed again\n", pool.c_str(), member.c_str(),
                weight.c_str());
  } else {
    std::printf("%s/%s weight %s until %s\n", pool.c_str(), member.c_str(), weight.c_str(),
                (*reply)["expires_at"].text().c_str());
  }
  return 0;
}

int cmd_reload(const Globals& g) {
  int status = 0;
  const auto reply =
      call(g, "POST", "/admin/reload", std::max(g.timeout, kMinReloadTimeout), &status, true);
  if (!reply) return 1;
  if (status == 200 && (*reply)["ok"].as_bool()) {
    if (!g.json)
      std::printf("reloaded: config generation %s\n", (*reply)["generation"].text().c_str());
    return 0;
  }
  if (status == 422) {
    if (!g.json) {
      for (const JsonValue& error : (*reply)["errors"].items()) {
        std::fprintf(stderr, "%s\n", error.text().c_str());
      }
    }
    std::fprintf(stderr, "gslbctl: reload rejected; config generation %s stays in service\n",
                 (*reply)["generation"].text().c_str());
    return 1;
  }
  const std::string why = (*reply)["error"].text();
  std::fprintf(stderr, "gslbctl: gslbd answered %d%s%s\n", status, why.empty() ? "" : ": ",
               why.c_str());
  if (status == 401 && g.token.empty()) {
    std::fprintf(stderr, "gslbctl: admin actions need --token-file FILE\n");
  }
  return 1;
}

int cmd_explain(const Globals& g, const std::vector<std::string>& args) {
  std::string target = "/explain?name=" + url_encode(args[0]);
  if (args.size() > 1) target += "&type=" + url_encode(args[1]);
  if (args.size() > 2) target += "&client=" + url_encode(args[2]);
  const auto reply = call(g, "GET", target, g.timeout);
  if (!reply) return 1;
  if (!g.json) std::fputs(explain_text(*reply).c_str(), stdout);
  return 0;
}

namespace {

// Runs gslbd with args and returns its exit code; what it prints goes to ours.
int run_gslbd(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  // gslbd next to gslbctl (an install or a build tree), then the usual places, then PATH.
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path dir = self.parent_path();
    candidates = {dir / "gslbd", dir / "../sbin/gslbd", dir / "../../src/gslbd"};
  }
  candidates.emplace_back("/usr/sbin/gslbd");
  candidates.emplace_back("/usr/local/sbin/gslbd");
  std::string program = "gslbd";  // execvp searches PATH
  for (const fs::path& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) {
      program = fs::weakly_canonical(candidate, ec).string();
      if (ec) program = candidate.string();
      break;
    }
  }
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("gslbctl: fork");
    return 1;
  }
  if (child == 0) {
    std::vector<const char*> argv{program.c_str()};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    argv.push_back(nullptr);
    ::execvp(argv[0], const_cast<char* const*>(argv.data()));
    std::fprintf(stderr, "gslbctl: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 1;
}

}  // namespace

int cmd_check_config(const Globals& g, const std::string& file) {
  (void)g;
  return run_gslbd({"--check-config", "-c", file});
}

int cmd_ds(const Globals& g, const std::string& file, const std::string& zone) {
  (void)g;
  // gslbd loads the configuration and prints the zone's DS with the function --check-config
  // uses, so that gslbctl links none of the daemon's code and the two can never differ.
  return run_gslbd({"--print-ds", zone, "-c", file});
}

}  // namespace gslbctl
