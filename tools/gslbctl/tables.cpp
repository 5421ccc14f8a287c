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

std::string state_of(const JsonValue& m) {
  std::string state = !m["known"].as_bool() ? "unknown" : m["up"].as_bool() ? "up" : "down";
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

}  // namespace

std::string status_text(const JsonValue& s) {
  std::string out = "gslbd " + s["version"].text() + ", config generation " +
                    s["generation"].text() + ", started " + s["started"].text() +
                    (s["serving"].as_bool() ? ", serving" : ", NOT serving") +
                    (s["first_round_done"].as_bool() ? "" : ", first health round pending") + "\n";
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
      rows.push_back({p["name"].text(), m["name"].text(), m["address"].text(), state_of(m),
                      m["since"].is_null() ? "-" : m["since"].text(), rtt_of(m), weight,
                      m["answers"].text()});
    }
  }
  out += "\n" + render(rows);
  std::vector<Row> errors;
  for (const JsonValue& p : s["pools"].items()) {
    for (const JsonValue& m : p["members"].items()) {
      if (!m["last_error"].text().empty()) {
        errors.push_back({p["name"].text() + "/" + m["name"].text() + ":", m["last_error"].text()});
      }
    }
  }
  if (!errors.empty()) out += "\nlast check errors:\n" + render(errors);
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
    std::vector<Row> rows{
        {"POOL", "MEMBER", "ADDRESS", "STATE", "WEIGHT", "RTT", "CHOSEN", "REASON"}};
    for (const JsonValue& m : service["members"].items()) {
      rows.push_back({m["pool"].text(), m["name"].text(), m["address"].text(), state_of(m),
                      m["effective_weight"].text(), rtt_of(m), m["chosen"].as_bool() ? "yes" : "no",
                      m["reason"].text()});
    }
    out += "\n" + render(rows);
    if (!service["note"].is_null()) out += service["note"].text() + "\n";
  }
  out += "result: " + e["result"].text();
  if (!e["detail"].text().empty()) out += " (" + e["detail"].text() + ")";
  out += "\n(seed " + e["seed"].text() + ", config generation " + e["generation"].text() + ")\n";
  return out;
}

}  // namespace gslbctl
