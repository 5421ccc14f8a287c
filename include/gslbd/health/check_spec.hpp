// SPDX-License-Identifier: Apache-2.0
// What a health check is (gdnsd's "service type"): a named template with its timing and
// anti-flap settings, independent of who runs it (the probe module) or reads it (policies).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gslbd::health {

enum class CheckType : std::uint8_t { none, tcp, http, https, agent, icmp, haproxy };

struct CheckTypeName {
  std::string_view name;
  CheckType type;
};
// The types as the config spells them ("tcp", "http", ...): the loader reads them from this
// table, and logs, /status and /metrics print them from it.
inline constexpr CheckTypeName kCheckTypeNames[] = {
    {"none", CheckType::none},      {"tcp", CheckType::tcp},     {"http", CheckType::http},
    {"https", CheckType::https},    {"agent", CheckType::agent}, {"icmp", CheckType::icmp},
    {"haproxy", CheckType::haproxy}};

inline std::string_view check_type_name(CheckType type) noexcept {
  for (const CheckTypeName& entry : kCheckTypeNames) {
    if (entry.type == type) return entry.name;
  }
  return "unknown";
}

struct CheckSpec {
  std::string name;  // template name (or "<member>/<n>" for inline checks)
  CheckType type = CheckType::tcp;
  std::uint32_t interval_ms = 5000;
  std::uint32_t timeout_ms = 2000;    // < interval_ms (the loader checks)
  std::uint32_t rise = 2;             // consecutive successes to go up
  std::uint32_t fall = 3;             // consecutive failures to go down
  std::uint32_t jitter_percent = 10;  // each interval is stretched by up to this much, at random
  std::uint16_t port = 0;  // tcp, http(s), agent, haproxy; 0 = the type's default (80/443)
  // The probe's result is reversed before rise/fall sees it: a check that passes means down
  // (a maintenance page that answers). tcp, http, https and icmp only (the loader checks).
  bool invert = false;

  // tcp: optional banner exchange. send is written after connect; if expect is not empty the
  // first bytes read must contain it.
  std::string send;
  std::string expect;

  // http / https
  std::string method = "GET";
  std::string path = "/";
  std::string host;  // Host header; empty = the target address
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::uint16_t> expect_status{200};
  std::string expect_body;  // substring of the body; empty = not checked
  bool tls_verify = true;
  std::string ca_file;
  std::string sni;  // empty = host

  // haproxy: HAProxy's runtime API (`show stat`) on a UNIX socket, or over TCP at the target's
  // `port` when socket is empty; the member is its frontend and the backends behind it.
  std::string socket;
  std::string frontend;
  std::vector<std::string> backends;
  std::uint32_t min_up_servers = 1;  // per backend
  // Or HAProxy's HTTP stats page (its `stats uri`) at the target's `port`, in CSV: ";csv" is
  // appended to a path that lacks it. `host`, `headers` (credentials for `stats auth`) and, with
  // stats_tls, `tls_verify`, `ca_file` and `sni` shape that request as for http(s) checks.
  std::string stats_page;
  bool stats_tls = false;

  bool operator==(const CheckSpec&) const = default;
};

// Forced or initial states a member can be in before/without checks.
enum class InitialState : std::uint8_t { up, down, wait };

}  // namespace gslbd::health
