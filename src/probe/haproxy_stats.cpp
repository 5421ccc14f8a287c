// SPDX-License-Identifier: Apache-2.0
#include "haproxy_stats.hpp"

#include <array>

namespace gslbd::probe {
namespace {

// The columns read, by their header names.
enum Column : std::size_t {
  kPxname,
  kSvname,
  kStatus,
  kType,
  kScur,
  kSlim,
  kRate,
  kBin,
  kBout,
  kQcur,
  kRtime,
  kTtime,
  kColumns
};
constexpr std::array<std::string_view, kColumns> kColumnNames = {
    "pxname", "svname", "status", "type", "scur",  "slim",
    "rate",   "bin",    "bout",   "qcur", "rtime", "ttime"};
constexpr std::size_t kRequiredColumns = kType + 1;  // pxname, svname, status, type
constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxFields = 1024;  // a header with more columns than this is refused

// Splits one line at commas (HAProxy escapes no commas inside its CSV fields) and calls
// field(index, text) for each. Returns the number of fields.
template <class Field>
std::size_t split(std::string_view line, Field&& field) {
  std::size_t index = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    const std::string_view text = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    field(index, text);
    ++index;
    if (comma == std::string_view::npos) return index;
    start = comma + 1;
  }
}

std::optional<std::uint64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

HaproxyRowType row_type(std::string_view text) {
  if (text == "0") return HaproxyRowType::frontend;
  if (text == "1") return HaproxyRowType::backend;
  if (text == "2") return HaproxyRowType::server;
  if (text == "3") return HaproxyRowType::listener;
  return HaproxyRowType::unknown;
}

bool takes_traffic(std::string_view status) {
  return status == "UP" || status.rfind("UP ", 0) == 0 || status == "no check";
}

const HaproxyRow* find_row(const HaproxyStats& stats, std::string_view proxy, HaproxyRowType type) {
  for (const HaproxyRow& row : stats.rows) {
    if (row.type == type && row.proxy == proxy) return &row;
  }
  return nullptr;
}

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 64)) {
    out += c >= 0x20 && c < 0x7f ? c : '?';
  }
  return out;
}

}  // namespace

std::string parse_haproxy_stats(std::string_view text, HaproxyStats& out) {
  out.rows.clear();
  if (text.size() > kMaxHaproxyStatsBytes) {
    return "stats reply larger than " + std::to_string(kMaxHaproxyStatsBytes) + " octets";
  }
  std::array<std::size_t, kColumns> at{};
  at.fill(kNoColumn);
  bool header = false;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!header) {
      if (line.rfind("# ", 0) != 0) {
        return "not HAProxy CSV statistics: line 1 is '" + printable(line) +
               "', expected the '# pxname,svname,...' header";
      }
      std::size_t fields = split(line.substr(2), [&](std::size_t i, std::string_view name) {
        for (std::size_t c = 0; c < kColumns; ++c) {
          if (name == kColumnNames[c] && at[c] == kNoColumn) at[c] = i;
        }
      });
      if (fields > kMaxFields) return "stats header has more than 1024 columns";
      for (std::size_t c = 0; c < kRequiredColumns; ++c) {
        if (at[c] == kNoColumn) {
          return "stats header has no '" + std::string(kColumnNames[c]) + "' column";
        }
      }
      header = true;
      continue;
    }
    if (last) {
      // HAProxy ends every line, and the reply, with a newline: a last line without one was cut.
      return "stats reply cut short at line " + std::to_string(line_number);
    }
    if (out.rows.size() >= kMaxHaproxyStatsRows) {
      return "stats reply has more than " + std::to_string(kMaxHaproxyStatsRows) + " rows";
    }
    HaproxyRow row;
    std::array<std::string_view, kColumns> value{};
    std::array<bool, kColumns> seen{};
    split(line, [&](std::size_t i, std::string_view field) {
      for (std::size_t c = 0; c < kColumns; ++c) {
        if (at[c] == i) {
          value[c] = field;
          seen[c] = true;
        }
      }
    });
    for (std::size_t c = 0; c < kRequiredColumns; ++c) {
      if (!seen[c]) {
        return "stats line " + std::to_string(line_number) + " has no '" +
               std::string(kColumnNames[c]) + "' field";
      }
    }
    row.proxy = value[kPxname];
    row.service = value[kSvname];
    row.status = value[kStatus];
    row.type = row_type(value[kType]);
    row.sessions = number(value[kScur]);
    row.session_limit = number(value[kSlim]);
    row.session_rate = number(value[kRate]);
    row.bytes_in = number(value[kBin]);
    row.bytes_out = number(value[kBout]);
    row.queue = number(value[kQcur]);
    row.response_ms = number(value[kRtime]);
    row.total_ms = number(value[kTtime]);
    out.rows.push_back(row);
  }
  if (!header) return "empty stats reply";
  return {};
}

HaproxyVerdict evaluate_haproxy(const HaproxyStats& stats, const HaproxyTarget& target) {
  HaproxyVerdict verdict;
  HaproxyLoad& load = verdict.load;
  const HaproxyRow* frontend = find_row(stats, target.frontend, HaproxyRowType::frontend);
  if (frontend == nullptr) {
    verdict.reason = "frontend '" + target.frontend + "' is not in the stats";
    return verdict;
  }
  load.sessions = frontend->sessions.value_or(0);
  load.session_limit = frontend->session_limit.value_or(0);
  load.session_rate = frontend->session_rate.value_or(0);
  load.bytes_in = frontend->bytes_in.value_or(0);
  load.bytes_out = frontend->bytes_out.value_or(0);
  std::string reason;
  if (frontend->status != "OPEN") {
    reason = "frontend '" + target.frontend + "' is " + printable(frontend->status);
  }
  for (const std::string& backend : target.backends) {
    const HaproxyRow* row = find_row(stats, backend, HaproxyRowType::backend);
    if (row == nullptr) {
      if (reason.empty()) reason = "backend '" + backend + "' is not in the stats";
      continue;
    }
    load.queue += row->queue.value_or(0);
    if (row->response_ms.value_or(0) > load.response_ms) load.response_ms = *row->response_ms;
    if (row->total_ms.value_or(0) > load.total_ms) load.total_ms = *row->total_ms;
    std::uint32_t up = 0;
    std::uint32_t servers = 0;
    for (const HaproxyRow& server : stats.rows) {
      if (server.type != HaproxyRowType::server || server.proxy != backend) continue;
      ++servers;
      if (takes_traffic(server.status)) ++up;
    }
    load.up_servers += up;
    if (up < target.min_up_servers && reason.empty()) {
      reason = "backend '" + backend + "' has " + std::to_string(up) + " of " +
               std::to_string(servers) + " servers up, needs " +
               std::to_string(target.min_up_servers);
    }
  }
  verdict.up = reason.empty();
  verdict.reason = std::move(reason);
  return verdict;
}

}  // namespace gslbd::probe
