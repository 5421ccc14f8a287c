#include "pool_file.hpp"

#include <algorithm>
#include <map>

#include "gslbd/pool/selection.hpp"
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
    "name",    "template",      "type",        "port",       "interval", "timeout", "rise",
    "fall",    "jitter",        "send",        "expect",     "method",   "path",    "host",
    "headers", "expect_status", "expect_body", "tls_verify", "ca_file",  "sni"};

struct NamedType {
  std::string_view name;
  CheckType type;
};
constexpr NamedType kCheckTypes[] = {{"none", CheckType::none},   {"tcp", CheckType::tcp},
                                     {"http", CheckType::http},   {"https", CheckType::https},
                                     {"agent", CheckType::agent}, {"icmp", CheckType::icmp}};

struct NamedPolicy {
  std::string_view name;
  pool::PolicyKind kind;
};
constexpr NamedPolicy kPolicies[] = {{"weighted", pool::PolicyKind::weighted},
                                     {"round_robin", pool::PolicyKind::round_robin},
                                     {"latency", pool::PolicyKind::latency},
                                     {"failover", pool::PolicyKind::failover},
                                     {"hash", pool::PolicyKind::hash},
                                     {"geo", pool::PolicyKind::geo},
                                     {"least_load", pool::PolicyKind::least_load}};

struct NamedAllDown {
  std::string_view name;
  pool::AllDownAction action;
};
constexpr NamedAllDown kAllDown[] = {{"serve_all", pool::AllDownAction::serve_all},
                                     {"fallback_pool", pool::AllDownAction::fallback_pool},
                                     {"nodata", pool::AllDownAction::nodata},
                                     {"servfail", pool::AllDownAction::servfail}};

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
  std::string choices;
  for (auto name : names) choices += (choices.empty() ? "" : ", ") + std::string(name);
  diag.error(value.mark, value.label + ": unknown value '" + *text + "'" +
                             suggestion(*text, names) + "; expected one of " + choices);
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

// "192.0.2.0/24" -> network and prefix; host bits must be zero.
bool parse_network(const std::string& text, util::Address& network, unsigned& prefix,
                   std::string& why) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    why = "expected address/prefix, e.g. 192.0.2.0/24";
    return false;
  }
  const auto address = util::parse_address(text.substr(0, slash));
  if (!address) {
    why = "'" + text.substr(0, slash) + "' is not an IP address";
    return false;
  }
  const std::string bits = text.substr(slash + 1);
  const unsigned width = address->family == 4 ? 32 : 128;
  if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit) ||
      std::stoul(bits) > width) {
    why = "prefix length '" + bits + "' is not 0.." + std::to_string(width);
    return false;
  }
  prefix = static_cast<unsigned>(std::stoul(bits));
  if (!(util::masked(*address, prefix) == *address)) {
    why = "address has bits set past /" + bits + " (did you mean " +
          util::address_text(util::masked(*address, prefix)) + "/" + bits + "?)";
    return false;
  }
  network = *address;
  return true;
}

struct Template {
  CheckSpec spec;
  std::string where;  // file:line, for "defined twice" messages
};

struct GeoMapEntry {
  std::size_t index;
  std::string where;
};

// What must be resolved once every file is read.
struct PendingPool {
  Diagnostics* diag;
  YAML::Mark mark;
  std::string fallback;
  YAML::Mark fallback_mark;
  std::string geo_map;
  YAML::Mark geo_map_mark;
};

class PoolFilesReader {
 public:
  explicit PoolFilesReader(std::vector<util::SourceError>& errors) : errors_(errors) {}

  std::shared_ptr<pool::PoolSet> read(const std::vector<PoolFileText>& files);
  // Every pool name read; with no errors this is exactly the PoolSet's order.
  const std::vector<std::string>& pool_names() const { return names_; }

 private:
  void read_templates(Diagnostics& diag, const Value& value);
  void read_geo_maps(Diagnostics& diag, const Value& value);
  void read_pool(Diagnostics& diag, const Value& value);
  std::optional<pool::Member> read_member(Diagnostics& diag, const Value& value,
                                          const std::vector<CheckSpec>& pool_checks);
  std::vector<CheckSpec> read_check_list(Diagnostics& diag, const Value& value);
  std::optional<CheckSpec> read_check(Diagnostics& diag, const Value& value, bool is_template);
  void read_policy_sections(Diagnostics& diag, const MapReader& map, pool::Pool& pool,
                            PendingPool& pending);
  void resolve();
  void check_fallback_chains();
  void build_health();

  std::vector<util::SourceError>& errors_;
  std::vector<std::unique_ptr<Diagnostics>> diagnostics_;
  std::map<std::string, Template> templates_;
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
  const std::size_t errors_before = errors_.size();
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
  if (errors_.size() == errors_before) check_fallback_chains();
  if (errors_.size() != errors_before) return nullptr;
  build_health();
  return set_;
}

void PoolFilesReader::read_templates(Diagnostics& diag, const Value& value) {
  const auto items = read_list(diag, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    auto spec = read_check(diag, item, true);
    if (!spec) continue;
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
  CheckSpec spec;
  if (value.node.IsScalar() && !is_template) {  // a bare template name
    const auto name = read_string(diag, value);
    if (!name) return std::nullopt;
    const auto it = templates_.find(*name);
    if (it == templates_.end()) {
      std::vector<std::string_view> names;
      for (const auto& [known, unused] : templates_) names.push_back(known);
      diag.error(value.mark, value.label + ": no check template named '" + *name + "'" +
                                 suggestion(*name, names));
      return std::nullopt;
    }
    return it->second.spec;
  }
  const MapReader map(diag, value, kCheckKeys);
  if (!map.is_map()) return std::nullopt;
  const std::size_t errors_before = diag.count();
  bool have_type = false;
  if (auto v = map.find("template")) {
    if (is_template) {
      diag.error(v->key_mark, "a check template cannot itself use 'template'");
    } else if (const auto name = read_string(diag, *v)) {
      const auto it = templates_.find(*name);
      if (it == templates_.end()) {
        diag.error(v->mark, v->label + ": no check template named '" + *name + "'");
      } else {
        spec = it->second.spec;
        have_type = true;
      }
    }
  }
  if (is_template) {
    if (auto v = map.require("name")) {
      if (auto name = read_string(diag, *v)) spec.name = *name;
    }
  } else if (auto v = map.find("name")) {
    if (auto name = read_string(diag, *v)) spec.name = *name;
  }
  if (auto v = map.find("type")) {
    if (const auto* entry = read_choice(diag, *v, kCheckTypes)) {
      spec.type = entry->type;
      have_type = true;
    }
  } else if (!have_type) {
    diag.error(map.mark(), value.label + ": a check needs 'type' (or 'template')");
  }
  if (auto v = map.find("port")) {
    if (auto n = read_number(diag, *v, 1, 65535)) spec.port = static_cast<std::uint16_t>(*n);
  }
  if (auto v = map.find("interval")) {
    if (auto ms = read_duration_ms(diag, *v)) {
      if (*ms < kMinIntervalMs || *ms > kMaxIntervalMs) {
        diag.error(v->mark, v->label + ": must be between 10ms and 1h");
      } else {
        spec.interval_ms = static_cast<std::uint32_t>(*ms);
      }
    }
  }
  YAML::Mark timeout_mark = map.mark();
  if (auto v = map.find("timeout")) {
    timeout_mark = v->mark;
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
  auto read_text = [&](const char* key, std::string& out) {
    if (auto v = map.find(key)) {
      if (auto text = read_string(diag, *v)) out = *text;
    }
  };
  read_text("send", spec.send);
  read_text("expect", spec.expect);
  read_text("method", spec.method);
  read_text("path", spec.path);
  read_text("host", spec.host);
  read_text("expect_body", spec.expect_body);
  read_text("ca_file", spec.ca_file);
  read_text("sni", spec.sni);
  if (auto v = map.find("headers")) {
    if (!v->node.IsMap()) {
      diag.error(v->mark, v->label + ": expected a map of header names to values");
    } else {
      spec.headers.clear();
      for (auto it = v->node.begin(); it != v->node.end(); ++it) {
        if (!it->first.IsScalar() || !it->second.IsScalar()) {
          diag.error(mark_of(it->first, v->mark),
                     v->label + ": header names and values are strings");
          continue;
        }
        spec.headers.emplace_back(it->first.Scalar(), it->second.Scalar());
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
  if (diag.count() != errors_before) return std::nullopt;

  // Rules that concern the combination of fields.
  const bool needs_port = spec.type == CheckType::tcp || spec.type == CheckType::agent;
  if (needs_port && spec.port == 0) {
    diag.error(map.mark(), value.label + ": a tcp or agent check needs 'port'");
  }
  if (spec.type == CheckType::http && spec.port == 0) spec.port = 80;
  if (spec.type == CheckType::https && spec.port == 0) spec.port = 443;
  if (spec.timeout_ms >= spec.interval_ms && spec.type != CheckType::none) {
    diag.error(timeout_mark, value.label + ": timeout (" + std::to_string(spec.timeout_ms) +
                                 "ms) must be shorter than interval (" +
                                 std::to_string(spec.interval_ms) + "ms)");
  }
  if (spec.path.empty() || spec.path.front() != '/') {
    diag.error(map.mark(), value.label + ": path must start with '/'");
  }
  if (diag.count() != errors_before) return std::nullopt;
  return spec;
}

std::vector<CheckSpec> PoolFilesReader::read_check_list(Diagnostics& diag, const Value& value) {
  std::vector<CheckSpec> checks;
  const auto items = read_list(diag, value, false);
  if (!items) return checks;
  for (const Value& item : *items) {
    if (auto spec = read_check(diag, item, false)) checks.push_back(std::move(*spec));
  }
  return checks;
}

void PoolFilesReader::read_geo_maps(Diagnostics& diag, const Value& value) {
  const auto items = read_list(diag, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    const MapReader map(diag, item, {"name", "networks"});
    if (!map.is_map()) continue;
    std::string name;
    if (auto v = map.require("name")) {
      if (auto text = read_string(diag, *v)) name = *text;
    }
    geo::GeoMap geo_map;
    if (auto v = map.require("networks")) {
      if (auto networks = read_list(diag, *v, true)) {
        for (const Value& network : *networks) {
          const MapReader entry(diag, network, {"network", "region"});
          if (!entry.is_map()) continue;
          const auto net = entry.require("network");
          const auto region = entry.require("region");
          if (!net || !region) continue;
          const auto net_text = read_string(diag, *net);
          const auto region_text = read_string(diag, *region);
          if (!net_text || !region_text) continue;
          util::Address address;
          unsigned prefix = 0;
          std::string why;
          if (!parse_network(*net_text, address, prefix, why)) {
            diag.error(net->mark, net->label + ": " + why);
          } else if (!geo_map.add(address, prefix, *region_text)) {
            diag.error(net->mark, net->label + ": " + *net_text +
                                      " is already mapped to another region in this geo map");
          }
        }
      }
    }
    if (name.empty()) continue;
    const auto [it, inserted] =
        geo_maps_.try_emplace(name, GeoMapEntry{set_->geo_maps.size(), where(diag, item.mark)});
    if (!inserted) {
      diag.error(item.mark, "geo map '" + name + "' is already defined at " + it->second.where);
      continue;
    }
    set_->geo_maps.push_back(std::move(geo_map));
  }
}

void PoolFilesReader::read_policy_sections(Diagnostics& diag, const MapReader& map,
                                           pool::Pool& pool, PendingPool& pending) {
  // Each section belongs to one policy; given to another it would silently do nothing.
  auto section = [&](const char* key, pool::PolicyKind owner) -> std::optional<Value> {
    auto v = map.find(key);
    if (v && pool.policy != owner &&
        !(pool.policy == pool::PolicyKind::geo && owner == pool.geo.within_region)) {
      diag.error(v->key_mark,
                 std::string("'") + key + "' applies only to policy " + key +
                     (owner == pool::PolicyKind::failover ? " (or geo within failover)" : ""));
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
      if (auto b = read_bool(diag, *p)) pool.preempt = *b;
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
  auto geo_value = map.find("geo");
  if (geo_value && pool.policy != pool::PolicyKind::geo) {
    diag.error(geo_value->key_mark, "'geo' applies only to policy geo");
  } else if (!geo_value && pool.policy == pool::PolicyKind::geo) {
    diag.error(map.mark(), "policy geo needs a 'geo' section with at least 'map'");
  } else if (geo_value) {
    const MapReader geo(diag, *geo_value, {"map", "regions", "default", "within_region"});
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
          if (auto text = read_string(diag, item)) names.push_back(*text);
        }
      }
      return names;
    };
    if (auto p = geo.find("regions")) {
      if (!p->node.IsMap()) {
        diag.error(p->mark, p->label + ": expected a map of region to its ordered preference");
      } else {
        for (auto it = p->node.begin(); it != p->node.end(); ++it) {
          const YAML::Mark key_mark = mark_of(it->first, p->mark);
          if (!it->first.IsScalar()) {
            diag.error(key_mark, p->label + ": region names are strings");
            continue;
          }
          const std::string region = it->first.Scalar();
          const Value list{it->second, mark_of(it->second, key_mark), "'" + region + "'", key_mark};
          pool.geo.preference.emplace_back(region, read_names(list));
        }
      }
    }
    if (auto p = geo.find("default")) pool.geo.default_order = read_names(*p);
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
}

void PoolFilesReader::read_pool(Diagnostics& diag, const Value& value) {
  const MapReader map(diag, value,
                      {"name", "policy", "members", "checks", "max_records", "all_down",
                       "fallback_pool", "initial_state", "hash", "failover", "latency", "geo"});
  if (!map.is_map()) return;
  const std::size_t errors_before = diag.count();
  pool::Pool pool;
  PendingPool pending{&diag, value.mark, {}, {}, {}, {}};
  YAML::Mark name_mark = value.mark;
  if (auto v = map.require("name")) {
    name_mark = v->mark;
    if (auto name = read_string(diag, *v)) pool.name = *name;
  }
  if (auto v = map.find("policy")) {
    if (const auto* entry = read_choice(diag, *v, kPolicies)) pool.policy = entry->kind;
  }
  if (auto v = map.find("max_records")) {
    if (auto n = read_number(diag, *v, 1, static_cast<std::uint64_t>(pool::kMaxRecords))) {
      pool.max_records = static_cast<std::uint32_t>(*n);
    }
  }
  if (auto v = map.find("all_down")) {
    if (const auto* entry = read_choice(diag, *v, kAllDown)) pool.all_down = entry->action;
  }
  if (auto v = map.find("fallback_pool")) {
    if (auto name = read_string(diag, *v)) {
      pending.fallback = *name;
      pending.fallback_mark = v->mark;
    }
  }
  if (pool.all_down == pool::AllDownAction::fallback_pool && pending.fallback.empty()) {
    diag.error(map.mark(), "all_down: fallback_pool needs 'fallback_pool'");
  } else if (pool.all_down != pool::AllDownAction::fallback_pool && !pending.fallback.empty()) {
    diag.error(pending.fallback_mark, "'fallback_pool' is used only with all_down: fallback_pool");
  }
  health::InitialState initial = health::InitialState::wait;
  if (auto v = map.find("initial_state")) {
    if (const auto* entry = read_choice(diag, *v, kInitial)) initial = entry->state;
  }
  read_policy_sections(diag, map, pool, pending);
  std::vector<CheckSpec> pool_checks;
  if (auto v = map.find("checks")) pool_checks = read_check_list(diag, *v);

  if (auto v = map.require("members")) {
    if (auto items = read_list(diag, *v, true)) {
      if (items->size() > kMaxMembersPerPool) {
        diag.error(v->mark, v->label + ": at most " + std::to_string(kMaxMembersPerPool) +
                                " members per pool");
      }
      std::map<std::string, std::string> member_names;
      for (const Value& item : *items) {
        auto member = read_member(diag, item, pool_checks);
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
    }
  }
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

std::optional<pool::Member> PoolFilesReader::read_member(
    Diagnostics& diag, const Value& value, const std::vector<CheckSpec>& pool_checks) {
  const MapReader map(
      diag, value, {"name", "address", "weight", "priority", "region", "checks", "check_address"});
  if (!map.is_map()) return std::nullopt;
  const std::size_t errors_before = diag.count();
  pool::Member member;
  if (auto v = map.require("name")) {
    if (auto name = read_string(diag, *v)) member.name = *name;
  }
  auto read_address = [&](const Value& v, util::Address& out) {
    if (auto text = read_string(diag, v)) {
      if (auto address = util::parse_address(*text)) {
        out = *address;
      } else {
        diag.error(v.mark, v.label + ": '" + *text + "' is not an IPv4 or IPv6 address");
      }
    }
  };
  if (auto v = map.require("address")) read_address(*v, member.address);
  member.check_address = member.address;
  if (auto v = map.find("check_address")) read_address(*v, member.check_address);
  if (auto v = map.find("weight")) {
    if (auto n = read_number(diag, *v, 0, kMaxWeight))
      member.weight = static_cast<std::uint32_t>(*n);
  }
  if (auto v = map.find("priority")) {
    if (auto n = read_number(diag, *v, 0, 65535)) member.priority = static_cast<std::uint32_t>(*n);
  }
  if (auto v = map.find("region")) {
    if (auto text = read_string(diag, *v)) member.region = *text;
  }
  if (auto v = map.find("checks")) {
    member.checks = read_check_list(diag, *v);
  } else {
    member.checks = pool_checks;
  }
  // A none check adds nothing: keep the list to the checks that probe.
  std::erase_if(member.checks, [](const CheckSpec& c) { return c.type == CheckType::none; });
  if (diag.count() != errors_before) return std::nullopt;
  return member;
}

void PoolFilesReader::resolve() {
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    PendingPool& pending = pending_[i];
    pool::Pool& pool = set_->pools[i];
    if (!pending.fallback.empty()) {
      const std::int32_t index = set_->find(pending.fallback);
      if (index < 0) {
        pending.diag->error(pending.fallback_mark,
                            "fallback_pool '" + pending.fallback + "' is not defined");
      } else if (static_cast<std::size_t>(index) == i) {
        pending.diag->error(pending.fallback_mark, "a pool cannot be its own fallback");
      } else {
        pool.fallback_pool = index;
      }
    }
    if (!pending.geo_map.empty() && pool.policy == pool::PolicyKind::geo) {
      const auto it = geo_maps_.find(pending.geo_map);
      if (it == geo_maps_.end()) {
        pending.diag->error(pending.geo_map_mark,
                            "geo map '" + pending.geo_map + "' is not defined");
      } else {
        pool.geo.geo_map = static_cast<std::uint32_t>(it->second.index);
      }
    }
  }
}

// Policies follow at most kMaxFallbackHops fallbacks; a longer chain or a cycle would end in
// NODATA at run time, so it is refused here where the operator can see why.
void PoolFilesReader::check_fallback_chains() {
  for (std::size_t i = 0; i < set_->pools.size(); ++i) {
    std::size_t current = i;
    std::vector<std::size_t> seen{i};
    while (set_->pools[current].all_down == pool::AllDownAction::fallback_pool &&
           set_->pools[current].fallback_pool >= 0) {
      current = static_cast<std::size_t>(set_->pools[current].fallback_pool);
      const bool cycle = std::find(seen.begin(), seen.end(), current) != seen.end();
      seen.push_back(current);
      if (cycle || seen.size() - 1 > pool::kMaxFallbackHops) {
        std::string chain;
        for (std::size_t index : seen) {
          chain += (chain.empty() ? "" : " -> ") + set_->pools[index].name;
        }
        pending_[i].diag->error(
            pending_[i].fallback_mark,
            std::string(cycle ? "fallback pools form a cycle: " : "fallback chain longer than ") +
                (cycle ? chain : std::to_string(pool::kMaxFallbackHops) + " hops: " + chain));
        break;
      }
    }
  }
}

void PoolFilesReader::build_health() {
  std::uint32_t slots = 0;
  for (pool::Pool& pool : set_->pools) {
    for (pool::Member& member : pool.members) member.health_slot = slots++;
    if (pool.policy == pool::PolicyKind::failover && !pool.preempt) pool.failover_slot = slots++;
  }
  set_->health = std::make_shared<health::HealthTable>(slots, health::Health{});
  for (const pool::Pool& pool : set_->pools) {
    std::uint32_t best_priority = 0xffffffffu;
    for (const pool::Member& member : pool.members) {
      health::Health initial;
      if (member.checks.empty()) {
        initial.up = true;  // nothing to check: always up
        initial.known = true;
      } else {
        initial.up = member.initial_state == health::InitialState::up;
      }
      set_->health->write(member.health_slot, initial);
      best_priority = std::min(best_priority, member.priority);
    }
    if (pool.policy == pool::PolicyKind::failover && !pool.preempt) {
      set_->health->write_word(pool.failover_slot, best_priority);
    }
  }
}

}  // namespace

std::shared_ptr<pool::PoolSet> load_pool_files(const std::vector<PoolFileText>& files,
                                               std::vector<std::string>& names,
                                               std::vector<util::SourceError>& errors) {
  PoolFilesReader reader(errors);
  auto set = reader.read(files);
  names = reader.pool_names();
  return set;
}

}  // namespace gslbd::config::detail
