// SPDX-License-Identifier: Apache-2.0
// HAProxy's statistics in CSV (`show stat` on the runtime API, or the stats page's ";csv"):
// the parser for that untrusted text and the deep-health verdict for one member built from it.
// Pure functions: no I/O, no throw, bounded by the limits below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/health/load.hpp"

namespace gslbd::probe {

// Larger replies are refused as a whole, not cut: a partial table would count too few servers.
inline constexpr std::size_t kMaxHaproxyStatsBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxHaproxyStatsRows = 20'000;

enum class HaproxyRowType : std::uint8_t { frontend, backend, server, listener, unknown };

// One row: the proxy and service names, the type, the status text and the numbers gslbd reads
// (absent when the column is missing or empty). Views point into the parsed text.
struct HaproxyRow {
  std::string_view proxy;    // pxname
  std::string_view service;  // svname: FRONTEND, BACKEND or the server's name
  HaproxyRowType type = HaproxyRowType::unknown;
  std::string_view status;  // OPEN, UP, DOWN, "UP 1/3", MAINT, DRAIN, NOLB, "no check", ...
  std::optional<std::uint64_t> sessions;       // scur
  std::optional<std::uint64_t> session_limit;  // slim
  std::optional<std::uint64_t> session_rate;   // rate (per second, over the last second)
  std::optional<std::uint64_t> bytes_in;       // bin (cumulative)
  std::optional<std::uint64_t> bytes_out;      // bout (cumulative)
  std::optional<std::uint64_t> queue;          // qcur
  std::optional<std::uint64_t> response_ms;    // rtime: average response time, last 1024
  std::optional<std::uint64_t> total_ms;       // ttime: average total session time, last 1024
};

struct HaproxyStats {
  std::vector<HaproxyRow> rows;
};

// Parses the CSV text. Columns are found by the names in the "# pxname,svname,..." header, so
// any HAProxy version's column order works; pxname, svname, status and type must be there.
// Returns an empty string on success, else why the text is not usable (the member's check
// then fails with that reason).
std::string parse_haproxy_stats(std::string_view text, HaproxyStats& out);

// What a member is in HAProxy: one frontend (its VIP) and the backends behind it.
struct HaproxyTarget {
  std::string frontend;
  std::vector<std::string> backends;
  std::uint32_t min_up_servers = 1;  // per backend
};

// The load figures of a member (summed over its backends where that is the meaning).
using HaproxyLoad = health::LoadSample;

struct HaproxyVerdict {
  bool up = false;
  std::string reason;  // why down; empty when up
  HaproxyLoad load;
};

// Deep health: down when the frontend is missing or not OPEN, or a backend is missing or has
// fewer than min_up_servers servers that take new traffic (UP, "UP n/m" going down, or
// "no check"; not DRAIN, NOLB or MAINT).
HaproxyVerdict evaluate_haproxy(const HaproxyStats& stats, const HaproxyTarget& target);

}  // namespace gslbd::probe
