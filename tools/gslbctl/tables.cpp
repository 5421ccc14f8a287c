// SPDX-License-Identifier: Apache-2.0
#include "tables.hpp"

#include <algorithm>
#include <vector>

namespace gslbctl {
namespace {

using Row = std::vector<std::string>;

std::string render(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths;
  for (const Row& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

// A member given by host name has no address: its target stands in the ADDRESS column.
std::string address_of(const JsonValue& m) {
  return m["address"].is_null() ? m["target"].text() : m["address"].text();
}

std::string state_of(const JsonValue& m) {
  // Before its first verdict a member is up or down by its initial_state: say which, and that
  // no check has confirmed it yet.
  std::string state = m["up"].as_bool() ? "up" : "down";
  if (!m["known"].as_bool() && !m["forced"].as_bool()) state += ",unchecked";
  if (m["forced"].as_bool()) state = "forced-" + state;
  if (m["drained"].as_bool()) state += ",drained";
  return state;
}

std::string rtt_of(const JsonValue& m) {
  const double ms = m["rtt_ms"].as_number();
  if (ms <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", ms);
  return buf;
}

// "45s", "3m12s", "2h05m", "3d04h": an age at a glance.
std::string age_text(double seconds) {
  const auto s = static_cast<long long>(seconds < 0 ? 0 : seconds);
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  }
  return buf;
}

// One line on the health thread's schedule: what the checks ask for, what ran, how late.
std::string schedule_text(const JsonValue& c) {
  if (c.is_null()) return "";
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "health checks: %.1f probes/s planned, %s started in the last second",
                c["planned_per_second"].as_number(), c["started_last_second"].text().c_str());
  std::string out = buf;
  if (c["behind_schedule"].as_bool()) {
    std::snprintf(buf, sizeof buf,
                  "; BEHIND SCHEDULE: probes start up to %.0f ms late (%s late in the last "
                  "second, %s since start): the health thread cannot keep up",
                  c["lag_ms"].as_number(), c["late_last_second"].text().c_str(),
                  c["late_total"].text().c_str());
  } else {
    std::snprintf(buf, sizeof buf, ", on schedule (%.1f ms lag; %s late probes since start)",
                  c["lag_ms"].as_number(), c["late_total"].text().c_str());
  }
  return out + buf + "\n";
}

// "1.2 MB/s": a byte rate at a glance.
std::string rate_text(double bytes_per_second) {
  char buf[32];
  if (bytes_per_second < 1e3) {
    std::snprintf(buf, sizeof buf, "%.0f B/s", bytes_per_second);
  } else if (bytes_per_second < 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f kB/s", bytes_per_second / 1e3);
  } else if (bytes_per_second < 1e9) {
    std::snprintf(buf, sizeof buf, "%.1f MB/s", bytes_per_second / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB/s", bytes_per_second / 1e9);
  }
  return buf;
}

// The balancer load of members checked through HAProxy; empty when there are none.
std::string load_table(const JsonValue& s) {
  std::vector<Row> rows{
      {"POOL", "MEMBER", "SESSIONS", "RATE", "QUEUE", "RESPONSE", "IN", "OUT", "UP SERVERS"}};
  for (const JsonValue& p : s["pools"].items()) {
    for (const JsonValue& m : p["members"].items()) {
      const JsonValue& load = m["load"];
      if (load.is_null()) continue;
      std::string sessions = load["sessions"].text();
      if (load["session_limit"].as_number() > 0) sessions += "/" + load["session_limit"].text();
      rows.push_back({p["name"].text(), m["name"].text(), sessions,
                      load["session_rate"].text() + "/s", load["queue"].text(),
                      load["response_ms"].text() + "ms",
                      rate_text(load["bytes_in_per_s"].as_number()),
                      rate_text(load["bytes_out_per_s"].as_number()), load["up_servers"].text()});
    }
  }
  if (rows.size() == 1) return "";
  return "\nbalancer load (HAProxy statistics; sessions, response time and rates averaged over "
         "polls):\n" +
         render(rows);
}

// One row per member of a pool with a consensus rule: who said what, and the rule's result.
void add_vote_row(std::vector<Row>& rows, const std::string& pool, const JsonValue& m) {
  const JsonValue& v = m["votes"];
  if (v.is_null()) return;
  std::string said;
  for (const JsonValue& i : v["instances"].items()) {
    said += (said.empty() ? "" : ", ") + i["instance"].text() + " " + i["vote"].text();
  }
  std::string result = v["result"].is_null() ? std::string("-") : v["result"].text();
  if (!v["result"].is_null()) {
    result += v["own_view_only"].as_bool() ? " (own view only: no peer votes)"
                                           : " (" + v["up"].text() + " of " + v["voters"].text() +
                                                 " up, " + v["needed"].text() + " needed)";
  }
  rows.push_back({pool, m["name"].text(), v["consensus"].text(), result, said});
}

std::string votes_text(const std::vector<Row>& rows) {
  if (rows.size() == 1) return "";
  return "\nvotes (consensus of this instance and its peers):\n" + render(rows);
}

}  // namespace

std::string status_text(const JsonValue& s) {
  std::string out = "gslbd " + s["version"].text() + ", config generation " +
                    s["generation"].text() + ", started " + s["started"].text() +
                    (s["serving"].as_bool() ? ", serving" : ", NOT serving") +
                    (s["first_round_done"].as_bool() ? "" : ", first health round pending") + "\n" +
                    schedule_text(s["health_checks"]);
  std::vector<Row> zones{{"ZONE", "SERIAL"}};
  for (const JsonValue& z : s["zones"].items())
    zones.push_back({z["name"].text(), z["serial"].text()});
  out += "\n" + render(zones);
  std::vector<Row> rows{
      {"POOL", "MEMBER", "ADDRESS", "STATE", "SINCE", "RTT", "WEIGHT", "ANSWERS"}};
  for (const JsonValue& p : s["pools"].items()) {
    for (const JsonValue& m : p["members"].items()) {
      std::string weight = m["weight"].text();
      if (m["agent_weight"].as_number() != 100)
        weight += " (agent " + m["agent_weight"].text() + "%)";
      rows.push_back({p["name"].text(), m["name"].text(), address_of(m), state_of(m),
                      m["since"].is_null() ? "-" : m["since"].text(), rtt_of(m), weight,
                      m["answers"].text()});
    }
  }
  out += "\n" + render(rows);
  out += load_table(s);
  std::vector<Row> votes{{"POOL", "MEMBER", "CONSENSUS", "RESULT", "VOTES"}};
  for (const JsonValue& p : s["pools"].items()) {
    for (const JsonValue& m : p["members"].items()) add_vote_row(votes, p["name"].text(), m);
  }
  out += votes_text(votes);
  // The present (why members are down now) apart from history (the latest failure of members
  // that are up again), so an old error is never read as the current state.
  std::vector<Row> down;
  std::vector<Row> history;
  for (const JsonValue& p : s["pools"].items()) {
    for (const JsonValue& m : p["members"].items()) {
      const std::string who = p["name"].text() + "/" + m["name"].text() + ":";
      if (!m["down_reason"].is_null()) {
        down.push_back({who, m["down_reason"].text()});
      } else if (!m["last_error"].text().empty()) {
        std::string when =
            m["last_error_age_s"].is_null()
                ? std::string("last error")
                : "last error " + age_text(m["last_error_age_s"].as_number()) + " ago";
        if (!m["last_error_check"].is_null())
          when += " (check " + m["last_error_check"].text() + ")";
        history.push_back({who, when + ": " + m["last_error"].text()});
      }
    }
  }
  if (!down.empty()) out += "\ndown now, because:\n" + render(down);
  if (!history.empty())
    out += "\nearlier check failures (these members are up now):\n" + render(history);
  return out;
}

std::string explain_text(const JsonValue& e) {
  std::string out = e["name"].text() + " " + e["type"].text() + " for client " +
                    e["client"].text() + " (" + e["client_source"].text() + ")\n";
  out += "zone: " + (e["zone"].is_null() ? std::string("none") : e["zone"].text()) + "\n";
  for (const JsonValue& step : e["steps"].items()) {
    out += "  " + step["owner"].text() + ": " + step["kind"].text() + ": " + step["detail"].text() +
           "\n";
  }
  const JsonValue& service = e["service"];
  if (!service.is_null()) {
    out += "service " + service["name"].text() + " -> pool " + service["pool"].text() +
           " (policy " + service["policy"].text() + ", max_records " +
           service["max_records"].text() + ", all_down " + service["all_down"].text() + ")\n";
    out += "outcome: " + service["outcome"].text();
    if (!service["answered_from_pool"].is_null()) {
      out += " (answered from pool " + service["answered_from_pool"].text() + ")";
    }
    out +=
        ", TTL " + service["ttl"]["used"].text() + " (normal " + service["ttl"]["normal"].text() +
        ", degraded " + service["ttl"]["degraded"].text() + "), ECS scope " +
        (service["ecs_scope"].is_null() ? std::string("none") : service["ecs_scope"].text()) + "\n";
    std::string answer;
    for (const JsonValue& a : service["answer"].items())
      answer += (answer.empty() ? "" : " ") + a.text();
    out += "answer: " + (answer.empty() ? std::string("(none)") : answer) + "\n";
    for (const JsonValue& p : service["pools"].items()) {
      const JsonValue& geo = p["geo"];
      if (geo.is_null()) continue;
      out += "geo (pool " + p["name"].text() + "): ";
      if (!geo["database"].is_null()) {
        out += "database " + geo["database"]["type"].text() + " (" +
               geo["database"]["path"].text() + "); ";
      }
      if (geo["network"].is_null()) {
        out += "no network matched (scope /" + geo["scope"].text() + ")";
      } else {
        out += "network " + geo["network"].text() + " from the " +
               (geo["source"].text() == "database" ? std::string("database")
                                                   : std::string("map's networks"));
        if (!geo["key"].is_null()) {
          out += ", decided by " + geo["key"]["kind"].text() + " " + geo["key"]["value"].text();
        }
      }
      out +=
          "; region " +
          (geo["region"].is_null() ? std::string("none (default order)") : geo["region"].text()) +
          "\n";
      const JsonValue& closest = geo["closest"];
      if (!closest.is_null()) {
        out += "closest: client at " + closest["client_location"]["lat"].text() + ", " +
               closest["client_location"]["lon"].text() + " (by " + closest["located_by"].text() +
               (closest["location_network"].is_null() ? std::string()
                                                      : " " + closest["location_network"].text()) +
               "); nearest member " + closest["nearest_km"].text() + " km, tolerance up to " +
               closest["limit_km"].text() + " km\n";
      }
    }
    std::vector<Row> rows{
        {"POOL", "MEMBER", "ADDRESS", "STATE", "WEIGHT", "RTT", "CHOSEN", "REASON"}};
    for (const JsonValue& m : service["members"].items()) {
      std::string weight = m["weight"].text();
      if (m["agent_weight"].as_number() != 100) weight += "x" + m["agent_weight"].text() + "%";
      if (!m["load_weight"].is_null()) weight += " load " + m["load_weight"].text();
      std::string reason = m["reason"].text();
      if (!m["distance_km"].is_null() && m["reason_code"].text() != "farther") {
        reason += " (" + m["distance_km"].text() + " km)";
      }
      rows.push_back({m["pool"].text(), m["name"].text(), address_of(m), state_of(m), weight,
                      rtt_of(m), m["chosen"].as_bool() ? "yes" : "no", reason});
    }
    out += "\n" + render(rows);
    out +=
        "(WEIGHT: the configured weight, relative to the pool's other members; xN% when an "
        "agent check scales it; load N: the weight a load-based policy draws by)\n";
    std::vector<Row> votes{{"POOL", "MEMBER", "CONSENSUS", "RESULT", "VOTES"}};
    for (const JsonValue& v : service["votes"].items()) add_vote_row(votes, v["pool"].text(), v);
    out += votes_text(votes);
    if (!service["note"].is_null()) out += service["note"].text() + "\n";
  }
  out += "result: " + e["result"].text();
  if (!e["detail"].text().empty()) out += " (" + e["detail"].text() + ")";
  out += "\nconfig generation " + e["generation"].text() + "; seed " + e["seed"].text() +
         ": the random draw of this explanation (same seed, same draw); real queries draw "
         "their own, so their answers can differ\n";
  return out;
}

}  // namespace gslbctl
