// SPDX-License-Identifier: Apache-2.0
#include "pool_file.hpp"

#include <algorithm>
#include <map>

#include "check_reader.hpp"
#include "consensus_reader.hpp"
#include "error_list.hpp"
#include "geo_map_reader.hpp"
#include "gslbd/pool/selection.hpp"
#include "key_table.hpp"
#include "member_reader.hpp"
#include "member_target.hpp"
#include "suggest.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {
namespace {

struct NamedInitial {
  std::string_view name;
  health::InitialState state;
};
constexpr NamedInitial kInitial[] = {{"up", health::InitialState::up},
                                     {"down", health::InitialState::down},
                                     {"wait", health::InitialState::wait}};

struct GeoMapEntry {
  std::size_t index;
  std::string where;
  bool complete;  // no errors in its networks, so its region list is the full one
  // Its database's coordinates, walked once the pools are read if a closest pool uses the map.
  Diagnostics* diag = nullptr;
  std::shared_ptr<const geodb::MaxmindDatabase> locations;
  YAML::Mark database_mark;
};

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

// A pool while its keys are read: the rows fill pool, pending and the members' defaults.
struct PoolRead {
  pool::Pool pool;
  PendingPool pending;
  MemberDefaults defaults;
  CheckReader& checks;
  std::size_t instances;  // that vote: this one and its peers
  bool resolver;          // server.resolver is set: members may be host names
  YAML::Mark name_mark;
  bool policy_known = true;
  std::optional<YAML::Mark> fallback_key_mark;
  bool has_geo = false;
};

constexpr Key<pool::Pool> kHashKeys[] = {
    {"prefix_v4", [](Diagnostics& diag, const Value& v,
                     pool::Pool& p) { read_in_range(diag, v, 0, 32, p.hash_prefix_v4); }},
    {"prefix_v6", [](Diagnostics& diag, const Value& v,
                     pool::Pool& p) { read_in_range(diag, v, 0, 128, p.hash_prefix_v6); }},
};

constexpr Key<pool::Pool> kFailoverKeys[] = {
    {"min_healthy",
     [](Diagnostics& diag, const Value& v, pool::Pool& p) {
       read_in_range(diag, v, 1, kMaxMembersPerPool, p.min_healthy);
     }},
    {"preempt",
     [](Diagnostics& diag, const Value& v, pool::Pool& p) {
       const auto b = read_bool(diag, v);
       if (!b) return;
       // The active group is remembered per pool, by the health loop, for failover pools only;
       // within the regions of a geo pool there is nothing that would remember it.
       if (!*b && p.policy != pool::PolicyKind::failover) {
         diag.error(v.mark, v.label + ": false is supported only with policy failover");
       } else {
         p.preempt = *b;
       }
     }},
};

constexpr Key<pool::Pool> kLatencyKeys[] = {
    {"tolerance_percent",
     [](Diagnostics& diag, const Value& v, pool::Pool& p) {
       read_in_range(diag, v, 0, 10'000, p.latency.tolerance_percent);
     }},
    {"tolerance_min",
     [](Diagnostics& diag, const Value& v, pool::Pool& p) {
       const auto ms = read_duration_ms(diag, v);
       if (!ms) return;
       if (*ms > 60'000) {
         diag.error(v.mark, v.label + ": at most 60s");
       } else {
         p.latency.tolerance_min_us = static_cast<std::uint32_t>(*ms * 1000);
       }
     }},
};

constexpr Key<pool::Pool> kClosestKeys[] = {
    {"tolerance_percent",
     [](Diagnostics& diag, const Value& v, pool::Pool& p) {
       read_in_range(diag, v, 0, 1000, p.geo.closest_tolerance_percent);
     }},
    {"tolerance_km",
     [](Diagnostics& diag, const Value& v, pool::Pool& p) {
       read_in_range(diag, v, 0, 20'000, p.geo.closest_tolerance_km);
     }},
};

std::vector<std::string> read_label_list(Diagnostics& diag, const Value& list) {
  std::vector<std::string> names;
  if (auto items = read_list(diag, list, true)) {
    for (const Value& item : *items) {
      if (auto text = read_label(diag, item)) names.push_back(*text);
    }
  }
  return names;
}

void read_region_preferences(Diagnostics& diag, const Value& v, PoolRead& r) {
  if (!v.node.IsMap()) {
    diag.error(v.mark, v.label + ": expected a map of region to its ordered preference");
    return;
  }
  std::map<std::string, int> seen;  // yaml-cpp keeps duplicate keys: report them
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    const YAML::Mark key_mark = mark_of(it->first, v.mark);
    const auto name =
        read_label(diag, Value{it->first, key_mark, "a region in " + v.label, key_mark});
    if (!name) continue;
    const std::string& region = *name;
    const auto [first, inserted] = seen.try_emplace(region, key_mark.line + 1);
    if (!inserted) {
      diag.error(key_mark, v.label + ": region " + quoted(region) + " given twice (first on line " +
                               std::to_string(first->second) + ")");
      continue;
    }
    const Value list{it->second, mark_of(it->second, key_mark), "'" + region + "'", key_mark};
    r.pool.geo.preference.emplace_back(region, read_label_list(diag, list));
    r.pending.region_marks.push_back(key_mark);
  }
}

constexpr Key<PoolRead> kGeoKeys[] = {
    {"map",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       if (auto name = read_string(diag, v)) {
         r.pending.geo_map = *name;
         r.pending.geo_map_mark = v.mark;
       }
     },
     true},
    {"regions", read_region_preferences},
    {"default", [](Diagnostics& diag, const Value& v,
                   PoolRead& r) { r.pool.geo.default_order = read_label_list(diag, v); }},
    {"within_region",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       const auto* entry = read_choice(diag, v, pool::kPolicyNames);
       if (entry == nullptr) return;
       if (entry->kind == pool::PolicyKind::geo) {
         diag.error(v.mark, v.label + ": geo cannot be used within a region");
       } else {
         r.pool.geo.within_region = entry->kind;
       }
     }},
    {"closest",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       r.pool.geo.closest = true;
       if (!v.node.IsNull()) read_section(diag, v, kClosestKeys, r.pool);  // `closest: {}` too
     }},
};

// A policy's own section (hash, failover, latency) applies to that policy, or to a geo pool
// that chooses by it within a region; given to another it would silently do nothing.
template <std::size_t N>
void read_policy_section(Diagnostics& diag, const Value& v, PoolRead& r, pool::PolicyKind owner,
                         const Key<pool::Pool> (&table)[N]) {
  // With an unknown policy, which sections belong is unknown too: one error is enough.
  if (!r.policy_known) return;
  const pool::Pool& p = r.pool;
  if (p.policy != owner && !(p.policy == pool::PolicyKind::geo && owner == p.geo.within_region)) {
    const std::string key(pool::policy_name(owner));
    diag.error(v.key_mark, "'" + key + "' applies only to policy " + key +
                               " (or policy geo with within_region: " + key + ")");
    return;
  }
  read_section(diag, v, table, r.pool);
}

void read_members(Diagnostics& diag, const Value& v, PoolRead& r) {
  const auto items = read_list(diag, v, true);
  if (!items) return;
  if (items->size() > kMaxMembersPerPool) {
    diag.error(v.mark,
               v.label + ": at most " + std::to_string(kMaxMembersPerPool) + " members per pool");
  }
  // Within a geo pool's regions, the sub-policy decides what a member needs.
  const pool::PolicyKind chooser =
      r.pool.policy == pool::PolicyKind::geo ? r.pool.geo.within_region : r.pool.policy;
  std::map<std::string, std::string> names;
  for (const Value& item : *items) {
    auto member = read_member(diag, item, r.checks, r.defaults, chooser, r.resolver);
    if (!member) continue;
    const auto [it, inserted] = names.try_emplace(member->name, where(diag, item.mark));
    if (!inserted) {
      diag.error(item.mark, "member '" + member->name + "' is already in pool '" + r.pool.name +
                                "' at " + it->second);
      continue;
    }
    r.pool.members.push_back(std::move(*member));
  }
  check_member_kinds(diag, *items, r.pool);
}

// The pool-level min_healthy, once its members are read: more than it has could never be met.
void read_pool_min_healthy(Diagnostics& diag, const Value& v, PoolRead& r) {
  const auto n = read_number(diag, v, 1, kMaxMembersPerPool);
  if (!n) return;
  const std::size_t members = r.pool.members.size();
  if (*n > members) {
    diag.error(v.mark, v.label + ": " + std::to_string(*n) + " is more than the pool's " +
                           std::to_string(members) + " members, expected at most " +
                           std::to_string(members));
    return;
  }
  r.pool.pool_min_healthy = static_cast<std::uint32_t>(*n);
}

// A pool's keys, in reading order: the policy and its sections before the members, whose keys
// depend on the policy (within_region for a geo pool), and the pool's check list, slow_start,
// healthy_when and initial_state before the members that take them; min_healthy after them.
constexpr Key<PoolRead> kPoolKeys[] = {
    {"name",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       r.name_mark = v.mark;
       if (auto name = read_label(diag, v)) r.pool.name = *name;
     },
     true},
    {"policy",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       const auto* entry = read_choice(diag, v, pool::kPolicyNames);
       if (entry != nullptr) r.pool.policy = entry->kind;
       r.policy_known = entry != nullptr;
     }},
    {"max_records",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       read_in_range(diag, v, 1, static_cast<std::uint64_t>(pool::kMaxRecords), r.pool.max_records);
     }},
    {"all_down",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       if (const auto* entry = read_choice(diag, v, pool::kAllDownNames)) {
         r.pool.all_down = entry->action;
       }
     }},
    {"fallback_pool",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       r.fallback_key_mark = v.key_mark;
       r.pending.fallback_mark = v.mark;
       if (auto name = read_label(diag, v)) r.pending.fallback = *name;
     }},
    {"initial_state",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       if (const auto* entry = read_choice(diag, v, kInitial)) {
         r.defaults.initial_state = entry->state;
       }
     }},
    {"consensus",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       if (auto consensus = read_consensus(diag, v, r.instances)) r.pool.consensus = *consensus;
     }},
    // The geo section first of the policy sections: its within_region decides which of the
    // others a geo pool may have.
    {"geo",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       r.has_geo = true;
       if (!r.policy_known) return;
       if (r.pool.policy != pool::PolicyKind::geo) {
         diag.error(v.key_mark, "'geo' applies only to policy geo");
         return;
       }
       read_section(diag, v, kGeoKeys, r);
     }},
    {"hash",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       read_policy_section(diag, v, r, pool::PolicyKind::hash, kHashKeys);
     }},
    {"failover",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       read_policy_section(diag, v, r, pool::PolicyKind::failover, kFailoverKeys);
     }},
    {"latency",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       read_policy_section(diag, v, r, pool::PolicyKind::latency, kLatencyKeys);
     }},
    {"checks", [](Diagnostics& diag, const Value& v,
                  PoolRead& r) { r.defaults.checks = r.checks.read_checks(diag, v); }},
    {"slow_start",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       if (auto ms = read_slow_start(diag, v)) r.defaults.slow_start_ms = *ms;
     }},
    {"healthy_when",
     [](Diagnostics& diag, const Value& v, PoolRead& r) {
       if (auto rule = read_check_rule(diag, v)) {
         r.defaults.healthy_when = *rule;
         r.defaults.healthy_when_mark = v.mark;
       }
     }},
    {"members", read_members, true},
    {"min_healthy", read_pool_min_healthy},
};

class PoolFilesReader {
 public:
  PoolFilesReader(std::vector<util::SourceError>& errors, std::size_t instances, bool resolver)
      : errors_(errors), instances_(instances), resolver_(resolver) {}

  std::shared_ptr<pool::PoolSet> read(const std::vector<PoolFileText>& files);
  // Every pool name read; with no errors this is exactly the PoolSet's order.
  const std::vector<std::string>& pool_names() const { return names_; }

 private:
  void read_geo_maps(Diagnostics& diag, const Value& value);
  void read_pool(Diagnostics& diag, const Value& value);
  void resolve();
  void check_fallback_chains();

  std::vector<util::SourceError>& errors_;
  std::size_t instances_;
  bool resolver_;
  std::vector<std::unique_ptr<Diagnostics>> diagnostics_;
  CheckReader checks_;
  std::map<std::string, GeoMapEntry> geo_maps_;
  std::map<std::string, std::string> pool_where_;
  std::vector<std::string> names_;
  std::vector<PendingPool> pending_;
  std::shared_ptr<pool::PoolSet> set_ = std::make_shared<pool::PoolSet>();
};

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
    if (auto value = root.find("checks")) checks_.read_templates(diag, *value);
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

void PoolFilesReader::read_pool(Diagnostics& diag, const Value& value) {
  const MapReader map(diag, value, key_names(kPoolKeys));
  if (!map.is_map()) return;
  const std::size_t errors_before = diag.count();
  PoolRead r{{},           {&diag, value.mark, {}, {}, {}, {}, {}},
             {},           checks_,
             instances_,   resolver_,
             value.mark,   true,
             std::nullopt, false};
  read_keys(diag, map, kPoolKeys, r);
  pool::Pool& pool = r.pool;
  if (pool.all_down == pool::AllDownAction::fallback_pool && !r.fallback_key_mark) {
    diag.error(map.mark(), "all_down: fallback_pool needs 'fallback_pool'");
  } else if (pool.all_down != pool::AllDownAction::fallback_pool && r.fallback_key_mark) {
    diag.error(*r.fallback_key_mark, "'fallback_pool' is used only with all_down: fallback_pool");
    r.pending.fallback.clear();
  }
  if (r.policy_known && pool.policy == pool::PolicyKind::geo && !r.has_geo) {
    diag.error(map.mark(), "policy geo needs a 'geo' section with at least 'map'");
  }
  if (pool.name.empty()) return;
  const auto [it, inserted] = pool_where_.try_emplace(pool.name, where(diag, r.name_mark));
  if (!inserted) {
    diag.error(r.name_mark, "pool '" + pool.name + "' is already defined at " + it->second);
    return;
  }
  names_.push_back(pool.name);
  if (diag.count() != errors_before) return;
  set_->pools.push_back(std::move(pool));
  pending_.push_back(std::move(r.pending));
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

std::vector<std::string_view> pool_key_names() {
  std::vector<std::string_view> names = key_names(kPoolKeys);
  for (const auto& section :
       {key_names(kHashKeys), key_names(kFailoverKeys), key_names(kLatencyKeys),
        key_names(kGeoKeys), key_names(kClosestKeys)}) {
    names.insert(names.end(), section.begin(), section.end());
  }
  return names;
}

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
