// SPDX-License-Identifier: Apache-2.0
#include "pool_file.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "consensus_reader.hpp"
#include "error_list.hpp"
#include "geo_map_reader.hpp"
#include "gslbd/pool/selection.hpp"
#include "member_target.hpp"
#include "suggest.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {
namespace {

using health::CheckSpec;
using health::CheckType;

constexpr std::uint64_t kMinIntervalMs = 10;
constexpr std::uint64_t kMaxIntervalMs = 3'600'000;
constexpr std::uint64_t kMaxWeight = 1'000'000;

const std::vector<std::string_view> kCheckKeys = {
    "name",     "template",      "type",           "port",       "interval", "timeout", "rise",
    "fall",     "jitter",        "send",           "expect",     "method",   "path",    "host",
    "headers",  "expect_status", "expect_body",    "tls_verify", "ca_file",  "sni",     "socket",
    "frontend", "backends",      "min_up_servers", "stats_page", "tls",      "invert"};

constexpr const auto& kCheckTypes = health::kCheckTypeNames;

constexpr const auto& kPolicies = pool::kPolicyNames;

constexpr const auto& kAllDown = pool::kAllDownNames;

struct NamedInitial {
  std::string_view name;
  health::InitialState state;
};
constexpr NamedInitial kInitial[] = {{"up", health::InitialState::up},
                                     {"down", health::InitialState::down},
                                     {"wait", health::InitialState::wait}};

// Reads a string that must be one of table's names; reports the choices otherwise.
template <typename Entry, std::size_t N>
const Entry* read_choice(Diagnostics& diag, const Value& value, const Entry (&table)[N]) {
  const auto text = read_string(diag, value);
  if (!text) return nullptr;
  std::vector<std::string_view> names;
  for (const Entry& entry : table) {
    if (entry.name == *text) return &entry;
    names.push_back(entry.name);
  }
  diag.error(value.mark,
             value.label + ": unknown value " + quoted(*text) + suggestion(*text, names));
  return nullptr;
}

std::optional<bool> read_bool(Diagnostics& diag, const Value& value) {
  if (value.node.IsScalar()) {
    const std::string& text = value.node.Scalar();
    if (text == "true") return true;
    if (text == "false") return false;
  }
  diag.error(value.mark, value.label + ": expected true or false");
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// An HTTP token (RFC 9110 section 5.6.2): method and header names.
bool is_token(std::string_view text) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alnum(c) || extra.find(c) != std::string_view::npos;
  });
}

// A host name or IPv4 address as it goes into the URL, the Host header and SNI.
bool is_host_name(std::string_view text) {
  return !text.empty() && text.size() <= 253 && std::all_of(text.begin(), text.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '_';
  });
}

// slow_start: a duration up to an hour; 0s turns it off (for a member of a pool that has it).
std::optional<std::uint32_t> read_slow_start(Diagnostics& diag, const Value& value) {
  const auto ms = read_duration_ms(diag, value);
  if (!ms) return std::nullopt;
  if (*ms > 3'600'000) {
    diag.error(value.mark, value.label + ": at most 1h");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*ms);
}

// healthy_when: `all`, `any` or `{at_least: N}`.
std::optional<health::CheckRule> read_check_rule(Diagnostics& diag, const Value& value) {
  constexpr const char* kExpected = "expected all, any or {at_least: N}";
  health::CheckRule rule;
  if (value.node.IsScalar()) {
    const std::string& text = value.node.Scalar();
    if (text == "all") return rule;
    if (text == "any") {
      rule.kind = health::RuleKind::any;
      return rule;
    }
    diag.error(value.mark, value.label + ": unknown value " + quoted(text) + ", " + kExpected);
    return std::nullopt;
  }
  if (!value.node.IsMap()) {
    diag.error(value.mark, value.label + ": " + kExpected);
    return std::nullopt;
  }
  const MapReader map(diag, value, {"at_least"});
  if (!map.is_map()) return std::nullopt;
  const auto n = map.require("at_least");
  if (!n) return std::nullopt;
  const auto count = read_number(diag, *n, 1, health::kMaxRuleChecks);
  if (!count) return std::nullopt;
  rule.kind = health::RuleKind::at_least;
  rule.at_least = static_cast<std::uint32_t>(*count);
  return rule;
}

// Which check types use a field; a field given to another type would silently do nothing.
bool field_applies(std::string_view key, CheckType type) {
  const bool http = type == CheckType::http || type == CheckType::https;
  if (key == "port") {
    return http || type == CheckType::tcp || type == CheckType::agent || type == CheckType::haproxy;
  }
  if (key == "socket" || key == "frontend" || key == "backends" || key == "min_up_servers" ||
      key == "stats_page" || key == "tls") {
    return type == CheckType::haproxy;
  }
  if (key == "send") return type == CheckType::tcp || type == CheckType::agent;
  // Reversing a verdict fits checks that only say pass or fail. An agent's reply and an haproxy
  // poll also carry weights, drains and load that a reversed verdict would contradict.
  if (key == "invert") {
    return http || type == CheckType::tcp || type == CheckType::icmp;
  }
  if (key == "expect") return type == CheckType::tcp;
  // host, headers and the TLS fields also shape an haproxy check's request for its stats page.
  if (key == "host" || key == "headers") return http || type == CheckType::haproxy;
  if (key == "method" || key == "path" || key == "expect_status" || key == "expect_body") {
    return http;
  }
  if (key == "tls_verify" || key == "ca_file" || key == "sni") {
    return type == CheckType::https || type == CheckType::haproxy;
  }
  return true;  // name, template, type and the timing fields
}

// What an haproxy check needs, and which of its fields go together, once a member uses it (a
// template may leave them to members).
bool haproxy_complete(Diagnostics& diag, const YAML::Mark& mark, const std::string& label,
                      const CheckSpec& spec) {
  bool complete = true;
  auto missing = [&](const std::string& what) {
    diag.error(mark, label + ": a check of type haproxy needs " + what);
    complete = false;
  };
  auto conflict = [&](const std::string& what) {
    diag.error(mark, label + ": " + what);
    complete = false;
  };
  if (!spec.stats_page.empty()) {
    if (!spec.socket.empty()) {
      conflict("'stats_page' is fetched over HTTP at 'port'; it cannot go with 'socket'");
    } else if (spec.port == 0) {
      missing("'port' for 'stats_page' (where HAProxy serves its stats page)");
    }
  } else if ((spec.port == 0) == spec.socket.empty()) {
    missing(
        "either 'socket' (the runtime API's UNIX socket), 'port' (the runtime API over TCP) or "
        "'stats_page' with 'port' (the HTTP stats page)");
  }
  if (spec.stats_page.empty() && (spec.stats_tls || !spec.host.empty() || !spec.headers.empty() ||
                                  !spec.ca_file.empty() || !spec.sni.empty() || !spec.tls_verify)) {
    conflict(
        "'tls', 'host', 'headers', 'tls_verify', 'ca_file' and 'sni' shape the request for "
        "the stats page: they need 'stats_page'");
  } else if (!spec.stats_tls && (!spec.ca_file.empty() || !spec.sni.empty() || !spec.tls_verify)) {
    conflict("'tls_verify', 'ca_file' and 'sni' need 'tls: true'");
  }
  if (spec.frontend.empty()) missing("'frontend'");
  if (spec.backends.empty()) {
    missing("'backends': its verdict counts the UP servers behind the frontend");
  }
  return complete;
}

// "1Gbit", "100Mbit", "2.5Gbit": a link capacity in bits per second (SI units, as links are
// sold), from 1 Mbit/s to 10 Tbit/s.
std::optional<std::uint64_t> read_bandwidth(Diagnostics& diag, const Value& value) {
  const auto text = read_string(diag, value);
  if (!text) return std::nullopt;
  struct Unit {
    std::string_view suffix;
    double factor;
  };
  static constexpr Unit kUnits[] = {{"kbit", 1e3}, {"Mbit", 1e6}, {"Gbit", 1e9}, {"Tbit", 1e12}};
  for (const Unit& unit : kUnits) {
    if (text->size() <= unit.suffix.size() || !text->ends_with(unit.suffix)) continue;
    const std::string number = text->substr(0, text->size() - unit.suffix.size());
    const bool plain =
        std::all_of(number.begin(), number.end(), [](char c) { return is_digit(c) || c == '.'; }) &&
        std::count(number.begin(), number.end(), '.') <= 1 && number.front() != '.' &&
        number.back() != '.';
    if (!plain || number.size() > 12) break;
    const double bps = std::stod(number) * unit.factor;
    if (bps < 1e6 || bps > 1e13) {
      diag.error(value.mark, value.label + ": " + quoted(*text) + " is outside 1Mbit..10Tbit");
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(bps);
  }
  diag.error(value.mark, value.label + ": " + quoted(*text) +
                             " is not a bandwidth; expected a number with kbit, Mbit, Gbit or "
                             "Tbit, e.g. 1Gbit");
  return std::nullopt;
}

struct Template {
  CheckSpec spec;
  std::string where;  // file:line, for "defined twice" messages
};

struct GeoMapEntry {
  std::size_t index;
  std::string where;
  bool complete;  // no errors in its networks, so its region list is the full one
  // Its database's coordinates, walked once the pools are read if a closest pool uses the map.
  Diagnostics* diag = nullptr;
  std::shared_ptr<const geodb::MaxmindDatabase> locations;
  YAML::Mark database_mark;
};

// What a pool gives its members unless they say otherwise (besides its checks).
struct MemberDefaults {
  std::uint32_t slow_start_ms = 0;
  health::CheckRule healthy_when;
  std::optional<YAML::Mark> healthy_when_mark;  // set when the pool gives one
};

// The member's healthy_when (its own, else its pool's), which must fit its checks.
void read_member_rule(Diagnostics& diag, const MapReader& map, const MemberDefaults& defaults,
                      pool::Member& member) {
  std::optional<YAML::Mark> mark = defaults.healthy_when_mark;
  member.healthy_when = defaults.healthy_when;
  if (auto v = map.find("healthy_when")) {
    const auto rule = read_check_rule(diag, *v);
    if (!rule) return;
    member.healthy_when = *rule;
    mark = v->mark;
  }
  // A member without checks is always up, whatever the rule: nothing to judge.
  const health::CheckRule& rule = member.healthy_when;
  if (rule.kind == health::RuleKind::at_least && !member.checks.empty() &&
      rule.at_least > member.checks.size()) {
    const bool own = map.find("healthy_when").has_value();
    diag.error(mark.value_or(map.mark()),
               "member '" + member.name + "': healthy_when at_least " +
                   std::to_string(rule.at_least) + (own ? "" : " (from its pool)") +
                   " is more than its " + std::to_string(member.checks.size()) +
                   (member.checks.size() == 1 ? " check" : " checks") + ", expected at most " +
                   std::to_string(member.checks.size()));
  }
}

// The pool-level min_healthy, once its members are read: more than it has could never be met.
void read_pool_min_healthy(Diagnostics& diag, const Value& value, pool::Pool& pool) {
  const auto n = read_number(diag, value, 1, kMaxMembersPerPool);
  if (!n) return;
  if (*n > pool.members.size()) {
    diag.error(value.mark, value.label + ": " + std::to_string(*n) + " is more than the pool's " +
                               std::to_string(pool.members.size()) + " members, expected at most " +
                               std::to_string(pool.members.size()));
    return;
  }
  pool.pool_min_healthy = static_cast<std::uint32_t>(*n);
}

// What must be resolved once every file is read.
struct PendingPool {
  Diagnostics* diag;
  YAML::Mark mark;
  std::string fallback;
  YAML::Mark fallback_mark;
  std::string geo_map;
  YAML::Mark geo_map_mark;
  std::vector<YAML::Mark> region_marks;  // of each geo.preference key, in order
};

class PoolFilesReader {
 public:
  PoolFilesReader(std::vector<util::SourceError>& errors, std::size_t instances, bool resolver)
      : errors_(errors), instances_(instances), resolver_(resolver) {}

  std::shared_ptr<pool::PoolSet> read(const std::vector<PoolFileText>& files);
  // Every pool name read; with no errors this is exactly the PoolSet's order.
  const std::vector<std::string>& pool_names() const { return names_; }

 private:
  void read_templates(Diagnostics& diag, const Value& value);
  void read_geo_maps(Diagnostics& diag, const Value& value);
  void read_pool(Diagnostics& diag, const Value& value);
  std::optional<pool::Member> read_member(Diagnostics& diag, const Value& value,
                                          const std::vector<CheckSpec>& pool_checks,
                                          const MemberDefaults& defaults, pool::PolicyKind policy);
  std::vector<CheckSpec> read_check_list(Diagnostics& diag, const Value& value);
  std::optional<CheckSpec> read_check(Diagnostics& diag, const Value& value, bool is_template);
  void read_policy_sections(Diagnostics& diag, const MapReader& map, pool::Pool& pool,
                            PendingPool& pending);
  void resolve();
  void check_fallback_chains();

  std::vector<util::SourceError>& errors_;
  std::size_t instances_;  // that vote: this one and its peers
  bool resolver_;          // server.resolver is set: members may be host names
  std::vector<std::unique_ptr<Diagnostics>> diagnostics_;
  std::map<std::string, Template> templates_;
  std::set<std::string> broken_templates_;  // defined, but with errors
  std::map<std::string, GeoMapEntry> geo_maps_;
  std::map<std::string, std::string> pool_where_;
  std::vector<std::string> names_;
  std::vector<PendingPool> pending_;
  std::shared_ptr<pool::PoolSet> set_ = std::make_shared<pool::PoolSet>();
};

std::string where(const Diagnostics& diag, const YAML::Mark& mark) {
  return diag.file() + ":" + std::to_string(mark.line + 1);
}

std::shared_ptr<pool::PoolSet> PoolFilesReader::read(const std::vector<PoolFileText>& files) {
  const std::size_t errors_before = error_count(errors_);
  struct Document {
    Diagnostics* diag;
    YAML::Node node;
    std::optional<Value> pools;
  };
  std::vector<Document> documents;
  // Templates and geo maps first, from every file, so pools may use any of them.
  for (const PoolFileText& file : files) {
    diagnostics_.push_back(std::make_unique<Diagnostics>(file.path, errors_));
    Diagnostics& diag = *diagnostics_.back();
    const auto document = parse_document(file.text, diag);
    if (!document) continue;
    const MapReader root(diag, top_level(*document, "the pool file"),
                         {"version", "checks", "geo_maps", "pools"});
    if (!root.is_map()) continue;
    check_version(diag, root);
    if (auto value = root.find("checks")) read_templates(diag, *value);
    if (auto value = root.find("geo_maps")) read_geo_maps(diag, *value);
    documents.push_back({&diag, *document, root.find("pools")});
  }
  for (const Document& document : documents) {
    if (!document.pools) continue;
    const auto items = read_list(*document.diag, *document.pools, false);
    if (!items) continue;
    for (const Value& item : *items) read_pool(*document.diag, item);
  }
  resolve();
  check_fallback_chains();  // on the pools that did load, so all errors come at once
  for (std::size_t i = 0; i < set_->pools.size(); ++i) {
    check_fallback_kinds(*set_, i, *pending_[i].diag, pending_[i].fallback_mark);
  }
  if (error_count(errors_) != errors_before) return nullptr;
  pool::assign_health_slots(*set_);
  return set_;
}

void PoolFilesReader::read_templates(Diagnostics& diag, const Value& value) {
  const auto items = read_list(diag, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    auto spec = read_check(diag, item, true);
    if (!spec) {
      // Its errors are reported; uses of it should not add "no check template named".
      // By iteration: yaml-cpp's [] inserts (non-const) or throws on use (const, key missing).
      if (item.node.IsMap()) {
        for (auto it = item.node.begin(); it != item.node.end(); ++it) {
          if (it->first.IsScalar() && it->first.Scalar() == "name" && it->second.IsScalar()) {
            broken_templates_.insert(it->second.Scalar());
          }
        }
      }
      continue;
    }
    const auto [it, inserted] =
        templates_.try_emplace(spec->name, Template{*spec, where(diag, item.mark)});
    if (!inserted) {
      diag.error(item.mark,
                 "check template '" + spec->name + "' is already defined at " + it->second.where);
    }
  }
}

std::optional<CheckSpec> PoolFilesReader::read_check(Diagnostics& diag, const Value& value,
                                                     bool is_template) {
  auto unknown_template = [&](const Value& v, const std::string& name) {
    if (broken_templates_.contains(name)) return;  // reported where it is defined
    std::vector<std::string_view> names;
    for (const auto& [known, unused] : templates_) names.push_back(known);
    diag.error(v.mark, v.label + ": no check template named " + quoted(name) +
                           (names.empty() ? std::string("; no check templates are defined")
                                          : suggestion(name, names)));
  };
  CheckSpec spec;
  if (value.node.IsScalar() && !is_template) {  // a bare template name
    const auto name = read_string(diag, value);
    if (!name) return std::nullopt;
    const auto it = templates_.find(*name);
    if (it == templates_.end()) {
      unknown_template(value, *name);
      return std::nullopt;
    }
    if (it->second.spec.type == CheckType::haproxy &&
        !haproxy_complete(diag, value.mark, value.label, it->second.spec)) {
      return std::nullopt;
    }
    return it->second.spec;  // a bare name: the template as it is
  }
  const MapReader map(diag, value, kCheckKeys);
  if (!map.is_map()) return std::nullopt;
  const std::size_t errors_before = diag.count();
  bool have_type = false;
  if (auto v = map.find("template")) {
    have_type = true;  // whatever goes wrong with it is reported here, not as a missing type
    if (is_template) {
      diag.error(v->key_mark, "a check template cannot itself use 'template'");
    } else if (const auto name = read_string(diag, *v)) {
      const auto it = templates_.find(*name);
      if (it == templates_.end()) {
        unknown_template(*v, *name);
        return std::nullopt;
      }
      spec = it->second.spec;
    }
  }
  if (is_template) {
    if (auto v = map.require("name")) {
      if (auto name = read_label(diag, *v)) spec.name = *name;
    }
  } else if (auto v = map.find("name")) {
    if (auto name = read_label(diag, *v)) spec.name = *name;
  }
  if (auto v = map.find("type")) {
    if (const auto* entry = read_choice(diag, *v, kCheckTypes)) {
      spec.type = entry->type;
      have_type = true;
    }
  } else if (!have_type) {
    diag.error(map.mark(), value.label + ": a check needs 'type' (or 'template')");
  }
  if (diag.count() != errors_before) return std::nullopt;
  // The fields given here must suit the type (a template's fields already did).
  for (std::string_view key : kCheckKeys) {
    const auto v = map.find(key);
    if (v && !field_applies(key, spec.type)) {
      diag.error(v->key_mark, "'" + std::string(key) + "' does not apply to checks of type " +
                                  std::string(health::check_type_name(spec.type)));
    }
  }
  if (auto v = map.find("port")) {
    if (auto n = read_number(diag, *v, 1, 65535)) spec.port = static_cast<std::uint16_t>(*n);
  }
  YAML::Mark timing_mark = map.mark();  // where a timeout/interval clash is reported
  if (auto v = map.find("interval")) {
    timing_mark = v->mark;
    if (auto ms = read_duration_ms(diag, *v)) {
      if (*ms < kMinIntervalMs || *ms > kMaxIntervalMs) {
        diag.error(v->mark, v->label + ": must be between 10ms and 1h");
      } else {
        spec.interval_ms = static_cast<std::uint32_t>(*ms);
      }
    }
  }
  if (auto v = map.find("timeout")) {
    timing_mark = v->mark;
    if (auto ms = read_duration_ms(diag, *v)) {
      if (*ms < 1 || *ms > kMaxIntervalMs) {
        diag.error(v->mark, v->label + ": must be between 1ms and 1h");
      } else {
        spec.timeout_ms = static_cast<std::uint32_t>(*ms);
      }
    }
  }
  if (auto v = map.find("rise")) {
    if (auto n = read_number(diag, *v, 1, 100)) spec.rise = static_cast<std::uint32_t>(*n);
  }
  if (auto v = map.find("fall")) {
    if (auto n = read_number(diag, *v, 1, 100)) spec.fall = static_cast<std::uint32_t>(*n);
  }
  if (auto v = map.find("jitter")) {
    if (auto n = read_number(diag, *v, 0, 100))
      spec.jitter_percent = static_cast<std::uint32_t>(*n);
  }
  // Text that goes into a request is checked so that it cannot break the request's framing.
  auto read_text = [&](const char* key, std::string& out, bool (*valid)(std::string_view),
                       const char* expected) {
    if (auto v = map.find(key)) {
      if (auto text = read_string(diag, *v)) {
        if (valid != nullptr && !valid(*text)) {
          diag.error(v->mark, v->label + ": expected " + expected);
        } else {
          out = *text;
        }
      }
    }
  };
  read_text("send", spec.send, nullptr, "");
  read_text("expect", spec.expect, nullptr, "");
  read_text("method", spec.method, is_token, "an HTTP method such as GET or HEAD");
  const auto is_request_path = [](std::string_view text) {
    return !text.empty() && text.front() == '/' &&
           std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  };
  constexpr const char* kRequestPath =
      "a path that starts with '/', without spaces or control characters";
  read_text("path", spec.path, is_request_path, kRequestPath);
  read_text("stats_page", spec.stats_page, is_request_path, kRequestPath);
  read_text("host", spec.host, is_host_name, "a host name or IPv4 address");
  read_text("expect_body", spec.expect_body, nullptr, "");
  read_text(
      "ca_file", spec.ca_file,
      [](std::string_view text) {
        return !text.empty() && text.find('\0') == std::string_view::npos;
      },
      "a file name");
  read_text("sni", spec.sni, is_host_name, "a host name");
  if (auto v = map.find("headers")) {
    if (!v->node.IsMap()) {
      diag.error(v->mark, v->label + ": expected a map of header names to values");
    } else {
      spec.headers.clear();
      std::map<std::string, int> seen;
      for (auto it = v->node.begin(); it != v->node.end(); ++it) {
        const YAML::Mark key_mark = mark_of(it->first, v->mark);
        if (!it->first.IsScalar() || !it->second.IsScalar()) {
          diag.error(key_mark, v->label + ": header names and values are strings");
          continue;
        }
        const std::string& name = it->first.Scalar();
        const std::string& text = it->second.Scalar();
        if (!is_token(name)) {
          diag.error(key_mark, v->label + ": " + quoted(name) + " is not a valid header name");
          continue;
        }
        if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
          diag.error(mark_of(it->second, key_mark),
                     v->label + ": the value of '" + name + "' cannot hold line breaks");
          continue;
        }
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto [first, inserted] = seen.try_emplace(lower, key_mark.line + 1);
        if (!inserted) {
          diag.error(key_mark, v->label + ": header '" + name + "' given twice (first on line " +
                                   std::to_string(first->second) + ")");
          continue;
        }
        spec.headers.emplace_back(name, text);
      }
    }
  }
  if (auto v = map.find("expect_status")) {
    if (auto items = read_list(diag, *v, true)) {
      spec.expect_status.clear();
      for (const Value& item : *items) {
        if (auto n = read_number(diag, item, 100, 599)) {
          spec.expect_status.push_back(static_cast<std::uint16_t>(*n));
        }
      }
    }
  }
  if (auto v = map.find("tls_verify")) {
    if (auto b = read_bool(diag, *v)) spec.tls_verify = *b;
  }
  if (auto v = map.find("tls")) {
    if (auto b = read_bool(diag, *v)) spec.stats_tls = *b;
  }
  if (auto v = map.find("invert")) {
    if (auto b = read_bool(diag, *v)) spec.invert = *b;
  }
  read_text(
      "socket", spec.socket,
      [](std::string_view text) {
        // sockaddr_un's sun_path holds 108 octets with the terminating NUL.
        return !text.empty() && text.front() == '/' && text.size() < 108 &&
               text.find('\0') == std::string_view::npos;
      },
      "an absolute path of at most 107 characters (HAProxy's stats socket)");
  if (auto v = map.find("frontend")) {
    if (auto name = read_label(diag, *v)) spec.frontend = *name;
  }
  if (auto v = map.find("backends")) {
    if (auto items = read_list(diag, *v, true)) {
      spec.backends.clear();
      for (const Value& item : *items) {
        if (auto name = read_label(diag, item)) spec.backends.push_back(*name);
      }
    }
  }
  if (auto v = map.find("min_up_servers")) {
    if (auto n = read_number(diag, *v, 0, 100'000)) {
      spec.min_up_servers = static_cast<std::uint32_t>(*n);
    }
  }
  if (diag.count() != errors_before) return std::nullopt;

  // Rules that concern the combination of fields.
  const bool needs_port = spec.type == CheckType::tcp || spec.type == CheckType::agent;
  if (needs_port && spec.port == 0) {
    diag.error(map.mark(), value.label + ": a check of type " +
                               std::string(health::check_type_name(spec.type)) + " needs 'port'");
  }
  if (spec.type == CheckType::haproxy && !is_template) {
    // A template may leave these to the members that use it.
    haproxy_complete(diag, map.mark(), value.label, spec);
  }
  if (spec.type == CheckType::http && spec.port == 0) spec.port = 80;
  if (spec.type == CheckType::https && spec.port == 0) spec.port = 443;
  if (spec.timeout_ms >= spec.interval_ms && spec.type != CheckType::none) {
    diag.error(timing_mark, value.label + ": timeout (" + std::to_string(spec.timeout_ms) +
                                "ms) must be shorter than interval (" +
                                std::to_string(spec.interval_ms) + "ms)");
  }
  if (diag.count() != errors_before) return std::nullopt;
  return spec;
}

std::vector<CheckSpec> PoolFilesReader::read_check_list(Diagnostics& diag, const Value& value) {
  std::vector<CheckSpec> checks;
  const auto items = read_list(diag, value, false);
  if (!items) return checks;
  if (items->size() > kMaxChecksPerMember) {
    diag.error(value.mark, value.label + ": at most " + std::to_string(kMaxChecksPerMember) +
                               " checks per member");
    return checks;
  }
  for (const Value& item : *items) {
    if (auto spec = read_check(diag, item, false)) checks.push_back(std::move(*spec));
  }
  return checks;
}

void PoolFilesReader::read_geo_maps(Diagnostics& diag, const Value& value) {
  const auto items = read_list(diag, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    GeoMapRead read = read_geo_map(diag, item);
    if (read.name.empty()) continue;
    const auto [it, inserted] = geo_maps_.try_emplace(
        read.name, GeoMapEntry{set_->geo_maps.size(), where(diag, item.mark), read.complete, &diag,
                               std::move(read.locations), read.database_mark});
    if (!inserted) {
      diag.error(item.mark,
                 "geo map '" + read.name + "' is already defined at " + it->second.where);
      continue;
    }
    set_->geo_maps.push_back(std::move(read.map));
  }
}

void PoolFilesReader::read_policy_sections(Diagnostics& diag, const MapReader& map,
                                           pool::Pool& pool, PendingPool& pending) {
  // The geo section first: its within_region decides which other sections a geo pool may have.
  auto geo_value = map.find("geo");
  if (geo_value && pool.policy != pool::PolicyKind::geo) {
    diag.error(geo_value->key_mark, "'geo' applies only to policy geo");
  } else if (!geo_value && pool.policy == pool::PolicyKind::geo) {
    diag.error(map.mark(), "policy geo needs a 'geo' section with at least 'map'");
  } else if (geo_value) {
    const MapReader geo(diag, *geo_value,
                        {"map", "regions", "default", "within_region", "closest"});
    if (auto p = geo.require("map")) {
      if (auto name = read_string(diag, *p)) {
        pending.geo_map = *name;
        pending.geo_map_mark = p->mark;
      }
    }
    auto read_names = [&](const Value& list) {
      std::vector<std::string> names;
      if (auto items = read_list(diag, list, true)) {
        for (const Value& item : *items) {
          if (auto text = read_label(diag, item)) names.push_back(*text);
        }
      }
      return names;
    };
    if (auto p = geo.find("regions")) {
      if (!p->node.IsMap()) {
        diag.error(p->mark, p->label + ": expected a map of region to its ordered preference");
      } else {
        std::map<std::string, int> seen;  // yaml-cpp keeps duplicate keys: report them
        for (auto it = p->node.begin(); it != p->node.end(); ++it) {
          const YAML::Mark key_mark = mark_of(it->first, p->mark);
          const auto name =
              read_label(diag, Value{it->first, key_mark, "a region in " + p->label, key_mark});
          if (!name) continue;
          const std::string& region = *name;
          const auto [first, inserted] = seen.try_emplace(region, key_mark.line + 1);
          if (!inserted) {
            diag.error(key_mark, p->label + ": region " + quoted(region) +
                                     " given twice (first on line " +
                                     std::to_string(first->second) + ")");
            continue;
          }
          const Value list{it->second, mark_of(it->second, key_mark), "'" + region + "'", key_mark};
          pool.geo.preference.emplace_back(region, read_names(list));
          pending.region_marks.push_back(key_mark);
        }
      }
    }
    if (auto p = geo.find("default")) pool.geo.default_order = read_names(*p);
    if (auto p = geo.find("closest")) {
      pool.geo.closest = true;
      // `closest: {}` takes the defaults.
      if (!p->node.IsNull()) {
        const MapReader closest(diag, *p, {"tolerance_percent", "tolerance_km"});
        if (auto v = closest.find("tolerance_percent")) {
          if (auto n = read_number(diag, *v, 0, 1000)) {
            pool.geo.closest_tolerance_percent = static_cast<std::uint32_t>(*n);
          }
        }
        if (auto v = closest.find("tolerance_km")) {
          if (auto n = read_number(diag, *v, 0, 20'000)) {
            pool.geo.closest_tolerance_km = static_cast<std::uint32_t>(*n);
          }
        }
      }
    }
    if (auto p = geo.find("within_region")) {
      if (const auto* entry = read_choice(diag, *p, kPolicies)) {
        if (entry->kind == pool::PolicyKind::geo) {
          diag.error(p->mark, p->label + ": geo cannot be used within a region");
        } else {
          pool.geo.within_region = entry->kind;
        }
      }
    }
  }

  // Each other section belongs to one policy; given to another it would silently do nothing.
  auto section = [&](const char* key, pool::PolicyKind owner) -> std::optional<Value> {
    auto v = map.find(key);
    if (v && pool.policy != owner &&
        !(pool.policy == pool::PolicyKind::geo && owner == pool.geo.within_region)) {
      diag.error(v->key_mark, std::string("'") + key + "' applies only to policy " + key +
                                  " (or policy geo with within_region: " + key + ")");
      return std::nullopt;
    }
    return v;
  };
  if (auto v = section("hash", pool::PolicyKind::hash)) {
    const MapReader hash(diag, *v, {"prefix_v4", "prefix_v6"});
    if (auto p = hash.find("prefix_v4")) {
      if (auto n = read_number(diag, *p, 0, 32))
        pool.hash_prefix_v4 = static_cast<std::uint8_t>(*n);
    }
    if (auto p = hash.find("prefix_v6")) {
      if (auto n = read_number(diag, *p, 0, 128))
        pool.hash_prefix_v6 = static_cast<std::uint8_t>(*n);
    }
  }
  if (auto v = section("failover", pool::PolicyKind::failover)) {
    const MapReader failover(diag, *v, {"min_healthy", "preempt"});
    if (auto p = failover.find("min_healthy")) {
      if (auto n = read_number(diag, *p, 1, kMaxMembersPerPool)) {
        pool.min_healthy = static_cast<std::uint32_t>(*n);
      }
    }
    if (auto p = failover.find("preempt")) {
      if (auto b = read_bool(diag, *p)) {
        // The active group is remembered per pool, by the health loop, for failover pools
        // only; within the regions of a geo pool there is nothing that would remember it.
        if (!*b && pool.policy != pool::PolicyKind::failover) {
          diag.error(p->mark, p->label + ": false is supported only with policy failover");
        } else {
          pool.preempt = *b;
        }
      }
    }
  }
  if (auto v = section("latency", pool::PolicyKind::latency)) {
    const MapReader latency(diag, *v, {"tolerance_percent", "tolerance_min"});
    if (auto p = latency.find("tolerance_percent")) {
      if (auto n = read_number(diag, *p, 0, 10'000)) {
        pool.latency.tolerance_percent = static_cast<std::uint32_t>(*n);
      }
    }
    if (auto p = latency.find("tolerance_min")) {
      if (auto ms = read_duration_ms(diag, *p)) {
        if (*ms > 60'000) {
          diag.error(p->mark, p->label + ": at most 60s");
        } else {
          pool.latency.tolerance_min_us = static_cast<std::uint32_t>(*ms * 1000);
        }
      }
    }
  }
}

void PoolFilesReader::read_pool(Diagnostics& diag, const Value& value) {
  const MapReader map(diag, value,
                      {"name", "policy", "members", "checks", "max_records", "all_down",
                       "fallback_pool", "initial_state", "hash", "failover", "latency", "geo",
                       "consensus", "healthy_when", "min_healthy", "slow_start"});
  if (!map.is_map()) return;
  const std::size_t errors_before = diag.count();
  pool::Pool pool;
  PendingPool pending{&diag, value.mark, {}, {}, {}, {}, {}};
  YAML::Mark name_mark = value.mark;
  if (auto v = map.require("name")) {
    name_mark = v->mark;
    if (auto name = read_label(diag, *v)) pool.name = *name;
  }
  bool policy_known = true;
  if (auto v = map.find("policy")) {
    const auto* entry = read_choice(diag, *v, kPolicies);
    if (entry != nullptr) pool.policy = entry->kind;
    policy_known = entry != nullptr;
  }
  if (auto v = map.find("max_records")) {
    if (auto n = read_number(diag, *v, 1, static_cast<std::uint64_t>(pool::kMaxRecords))) {
      pool.max_records = static_cast<std::uint32_t>(*n);
    }
  }
  if (auto v = map.find("all_down")) {
    if (const auto* entry = read_choice(diag, *v, kAllDown)) pool.all_down = entry->action;
  }
  const auto fallback_value = map.find("fallback_pool");
  if (fallback_value) {
    pending.fallback_mark = fallback_value->mark;
    if (auto name = read_label(diag, *fallback_value)) pending.fallback = *name;
  }
  if (pool.all_down == pool::AllDownAction::fallback_pool && !fallback_value) {
    diag.error(map.mark(), "all_down: fallback_pool needs 'fallback_pool'");
  } else if (pool.all_down != pool::AllDownAction::fallback_pool && fallback_value) {
    diag.error(fallback_value->key_mark,
               "'fallback_pool' is used only with all_down: fallback_pool");
    pending.fallback.clear();
  }
  health::InitialState initial = health::InitialState::wait;
  if (auto v = map.find("initial_state")) {
    if (const auto* entry = read_choice(diag, *v, kInitial)) initial = entry->state;
  }
  if (auto v = map.find("consensus")) {
    if (auto consensus = read_consensus(diag, *v, instances_)) pool.consensus = *consensus;
  }
  // With an unknown policy, which sections belong is unknown too: one error is enough.
  if (policy_known) read_policy_sections(diag, map, pool, pending);
  std::vector<CheckSpec> pool_checks;
  if (auto v = map.find("checks")) pool_checks = read_check_list(diag, *v);
  MemberDefaults defaults;
  if (auto v = map.find("slow_start")) {
    if (auto ms = read_slow_start(diag, *v)) defaults.slow_start_ms = *ms;
  }
  if (auto v = map.find("healthy_when")) {
    if (auto rule = read_check_rule(diag, *v)) {
      defaults.healthy_when = *rule;
      defaults.healthy_when_mark = v->mark;
    }
  }

  if (auto v = map.require("members")) {
    if (auto items = read_list(diag, *v, true)) {
      if (items->size() > kMaxMembersPerPool) {
        diag.error(v->mark, v->label + ": at most " + std::to_string(kMaxMembersPerPool) +
                                " members per pool");
      }
      std::map<std::string, std::string> member_names;
      for (const Value& item : *items) {
        // Within a geo pool's regions, the sub-policy decides what a member needs.
        const pool::PolicyKind chooser =
            pool.policy == pool::PolicyKind::geo ? pool.geo.within_region : pool.policy;
        auto member = read_member(diag, item, pool_checks, defaults, chooser);
        if (!member) continue;
        member->initial_state = initial;
        const auto [it, inserted] = member_names.try_emplace(member->name, where(diag, item.mark));
        if (!inserted) {
          diag.error(item.mark, "member '" + member->name + "' is already in pool '" + pool.name +
                                    "' at " + it->second);
          continue;
        }
        pool.members.push_back(std::move(*member));
      }
      check_member_kinds(diag, *items, pool);
    }
  }
  if (auto v = map.find("min_healthy")) read_pool_min_healthy(diag, *v, pool);
  if (pool.name.empty()) return;
  const auto [it, inserted] = pool_where_.try_emplace(pool.name, where(diag, name_mark));
  if (!inserted) {
    diag.error(name_mark, "pool '" + pool.name + "' is already defined at " + it->second);
    return;
  }
  names_.push_back(pool.name);
  if (diag.count() != errors_before) return;
  set_->pools.push_back(std::move(pool));
  pending_.push_back(std::move(pending));
}

std::optional<pool::Member> PoolFilesReader::read_member(Diagnostics& diag, const Value& value,
                                                         const std::vector<CheckSpec>& pool_checks,
                                                         const MemberDefaults& defaults,
                                                         pool::PolicyKind policy) {
  const MapReader map(diag, value,
                      {"name", "address", "target", "weight", "priority", "region", "location",
                       "checks", "check_address", "bandwidth", "healthy_when", "slow_start"});
  if (!map.is_map()) return std::nullopt;
  const std::size_t errors_before = diag.count();
  pool::Member member;
  if (auto v = map.require("name")) {
    if (auto name = read_label(diag, *v)) member.name = *name;
  }
  auto read_address = [&](const Value& v, util::Address& out) {
    if (auto text = read_string(diag, v)) {
      auto address = util::parse_address(*text);
      if (address && text->find('\0') == std::string::npos) {
        out = *address;
      } else {
        diag.error(v.mark, v.label + ": " + quoted(*text) + " is not an IPv4 or IPv6 address");
      }
    }
  };
  if (!read_member_target(diag, map, member, resolver_)) {
    if (auto v = map.require("address")) read_address(*v, member.address);
  }
  member.check_address = member.address;
  if (auto v = map.find("check_address")) read_address(*v, member.check_address);
  if (auto v = map.find("weight")) {
    if (auto n = read_number(diag, *v, 0, kMaxWeight))
      member.weight = static_cast<std::uint32_t>(*n);
  }
  if (auto v = map.find("priority")) {
    if (auto n = read_number(diag, *v, 0, 65535)) member.priority = static_cast<std::uint32_t>(*n);
  }
  if (auto v = map.find("location")) {
    if (auto where = read_location(diag, *v)) {
      member.location = *where;
      member.has_location = true;
    }
  }
  if (auto v = map.find("region")) {
    if (auto text = read_label(diag, *v)) member.region = *text;
  }
  if (auto v = map.find("checks")) {
    member.checks = read_check_list(diag, *v);
  } else {
    member.checks = pool_checks;
  }
  // A none check adds nothing: keep the list to the checks that probe.
  std::erase_if(member.checks, [](const CheckSpec& c) { return c.type == CheckType::none; });
  member.slow_start_ms = defaults.slow_start_ms;
  if (auto v = map.find("slow_start")) {
    if (auto ms = read_slow_start(diag, *v)) member.slow_start_ms = *ms;
  }
  // A member whose checks had errors has lost some: its rule could not be judged against them.
  if (diag.count() == errors_before) read_member_rule(diag, map, defaults, member);
  if (auto v = map.find("bandwidth")) {
    if (policy != pool::PolicyKind::bandwidth) {
      diag.error(v->key_mark,
                 "'bandwidth' applies only to policy bandwidth (or policy geo with "
                 "within_region: bandwidth)");
    } else if (auto bps = read_bandwidth(diag, *v)) {
      member.bandwidth_bps = *bps;
    }
  } else if (policy == pool::PolicyKind::bandwidth) {
    diag.error(map.mark(), "member '" + member.name +
                               "': policy bandwidth needs its link capacity, e.g. 'bandwidth: "
                               "1Gbit'");
  }
  // A member whose checks had errors has them reported already.
  if (pool::reads_load(policy) && diag.count() == errors_before) {
    const auto haproxy =
        std::count_if(member.checks.begin(), member.checks.end(),
                      [](const CheckSpec& c) { return c.type == CheckType::haproxy; });
    if (haproxy != 1) {
      diag.error(map.mark(), "member '" + member.name + "': policy " +
                                 std::string(pool::policy_name(policy)) +
                                 " draws by the load its balancer reports, so the member needs "
                                 "exactly one check of type haproxy (it has " +
                                 std::to_string(haproxy) + ")");
    }
  }
  if (diag.count() != errors_before) return std::nullopt;
  return member;
}

void PoolFilesReader::resolve() {
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    PendingPool& pending = pending_[i];
    pool::Pool& pool = set_->pools[i];
    if (!pending.fallback.empty()) {
      const std::int32_t index = set_->find(pending.fallback);
      if (index >= 0 && static_cast<std::size_t>(index) == i) {
        pending.diag->error(pending.fallback_mark, "a pool cannot be its own fallback");
      } else if (index >= 0) {
        pool.fallback_pool = index;
      } else if (!pool_where_.contains(pending.fallback)) {  // else it had errors of its own
        std::vector<std::string_view> names(names_.begin(), names_.end());
        pending.diag->error(pending.fallback_mark,
                            "'fallback_pool': pool " + quoted(pending.fallback) +
                                " is not defined" + suggestion(pending.fallback, names));
      }
    }
    if (!pending.geo_map.empty() && pool.policy == pool::PolicyKind::geo) {
      const auto it = geo_maps_.find(pending.geo_map);
      if (it == geo_maps_.end()) {
        std::vector<std::string_view> names;
        for (const auto& [known, unused] : geo_maps_) names.push_back(known);
        pending.diag->error(pending.geo_map_mark,
                            "'map': geo map " + quoted(pending.geo_map) + " is not defined" +
                                (names.empty() ? std::string("; no geo maps are defined")
                                               : suggestion(pending.geo_map, names)));
        continue;
      }
      pool.geo.geo_map = static_cast<std::uint32_t>(it->second.index);
      if (!it->second.complete) continue;
      const geo::GeoMap& geo_map = set_->geo_maps[it->second.index];
      // A member without coordinates of its own stands where its region does.
      for (pool::Member& member : pool.members) {
        if (member.has_location || member.region.empty()) continue;
        if (const auto* at = geo_map.region_location(geo_map.region_index(member.region))) {
          member.location = *at;
          member.has_location = true;
        }
      }
      // A client is placed in one of the map's regions; a preference for any other region
      // could never apply.
      const auto& regions = set_->geo_maps[it->second.index].regions();
      const std::vector<std::string_view> region_names(regions.begin(), regions.end());
      for (std::size_t r = 0; r < pool.geo.preference.size(); ++r) {
        const std::string& region = pool.geo.preference[r].first;
        if (std::find(regions.begin(), regions.end(), region) != regions.end()) continue;
        pending.diag->error(pending.region_marks[r],
                            "'regions': geo map '" + pending.geo_map + "' has no region '" +
                                region + "'" +
                                (regions.empty() ? std::string("; it has no networks")
                                                 : suggestion(region, region_names)));
      }
    }
  }
  // Coordinates only for maps a closest pool uses: for a City database the walk costs as much
  // time and memory as the regions' walk.
  for (auto& [name, entry] : geo_maps_) {
    if (!entry.locations) continue;
    const std::size_t index = entry.index;
    const bool used = std::any_of(set_->pools.begin(), set_->pools.end(), [&](const pool::Pool& p) {
      return p.policy == pool::PolicyKind::geo && p.geo.closest && p.geo.geo_map == index;
    });
    if (used) {
      walk_locations(*entry.diag, *entry.locations, entry.database_mark,
                     set_->geo_maps[entry.index]);
    }
    entry.locations.reset();
  }
}

// Policies follow at most kMaxFallbackHops fallbacks; a longer chain or a cycle would end in
// NODATA at run time, so it is refused here where the operator can see why.
void PoolFilesReader::check_fallback_chains() {
  for (std::size_t i = 0; i < set_->pools.size(); ++i) {
    const pool::FallbackChain walk = pool::fallback_chain(*set_, static_cast<std::uint32_t>(i));
    const bool cycle = walk.end == pool::ChainEnd::cycle;
    if (!cycle && walk.end != pool::ChainEnd::too_long) continue;
    std::string chain;
    for (std::uint32_t k = 0; k < walk.count; ++k) {
      chain += (chain.empty() ? "" : " -> ") + set_->pools[walk.pool[k]].name;
    }
    pending_[i].diag->error(
        pending_[i].fallback_mark,
        std::string(cycle ? "fallback pools form a cycle: " : "fallback chain longer than ") +
            (cycle ? chain : std::to_string(pool::kMaxFallbackHops) + " hops: " + chain));
  }
}

}  // namespace

std::shared_ptr<pool::PoolSet> load_pool_files(const std::vector<PoolFileText>& files,
                                               std::vector<std::string>& names,
                                               std::vector<util::SourceError>& errors,
                                               std::size_t instances, bool resolver) {
  PoolFilesReader reader(errors, instances, resolver);
  auto set = reader.read(files);
  names = reader.pool_names();
  return set;
}

}  // namespace gslbd::config::detail
