// SPDX-License-Identifier: Apache-2.0
// Fuzzes the pool-file loader on arbitrary text as one pool file: YAML parsing, the strict
// schema, check templates, geo maps, policy sections, fallback resolution and health slots. It
// must never crash, hang or leak, and it must return a pool set exactly when it reports no
// error; a returned set must be internally consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/pool_file.hpp"
#include "gslbd/pool/selection.hpp"

namespace {

void check_set(const gslbd::pool::PoolSet& set, const std::vector<std::string>& names) {
  using gslbd::pool::PolicyKind;
  if (!set.health) std::abort();
  if (names.size() != set.pools.size()) std::abort();
  std::vector<bool> used(set.health->size(), false);
  auto take = [&](std::uint32_t slot) {
    if (slot >= used.size() || used[slot]) std::abort();  // slots are distinct...
    used[slot] = true;
  };
  for (std::size_t i = 0; i < set.pools.size(); ++i) {
    const gslbd::pool::Pool& pool = set.pools[i];
    if (pool.name != names[i] || set.find(pool.name) != static_cast<std::int32_t>(i)) std::abort();
    if (pool.members.empty() || pool.members.size() > gslbd::pool::kMaxMembers) std::abort();
    if (pool.max_records < 1 || pool.max_records > gslbd::pool::kMaxRecords) std::abort();
    if (pool.fallback_pool >= static_cast<std::int32_t>(set.pools.size())) std::abort();
    if ((pool.fallback_pool >= 0) != (pool.all_down == gslbd::pool::AllDownAction::fallback_pool)) {
      std::abort();
    }
    if (pool.fallback_pool == static_cast<std::int32_t>(i)) std::abort();
    if (pool.policy == PolicyKind::geo && pool.geo.geo_map >= set.geo_maps.size()) std::abort();
    if (pool.geo.within_region == PolicyKind::geo) std::abort();
    for (const auto& member : pool.members) {
      take(member.health_slot);
      if (member.address.family != 4 && member.address.family != 6) std::abort();
      for (const auto& check : member.checks) {
        if (check.type == gslbd::health::CheckType::none) std::abort();
        if (check.timeout_ms >= check.interval_ms || check.rise == 0 || check.fall == 0) {
          std::abort();
        }
        if (check.path.empty() || check.path.front() != '/') std::abort();
      }
    }
    if (pool.policy == PolicyKind::failover && !pool.preempt) take(pool.failover_slot);
    if (!pool.preempt && pool.policy != PolicyKind::failover) std::abort();
  }
  for (bool slot : used) {
    if (!slot) std::abort();  // ...and dense
  }
  // Fallback chains end within kMaxFallbackHops.
  for (std::size_t i = 0; i < set.pools.size(); ++i) {
    std::int32_t at = static_cast<std::int32_t>(i);
    for (std::uint32_t hop = 0; hop <= gslbd::pool::kMaxFallbackHops && at >= 0; ++hop) {
      at = set.pools[static_cast<std::size_t>(at)].fallback_pool;
    }
    if (at >= 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<gslbd::config::detail::PoolFileText> files(1);
  files[0].path = "/nonexistent/gslbd-fuzz/fuzz.pool.yaml";
  files[0].text.assign(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> names;
  std::vector<gslbd::util::SourceError> errors;
  const auto set = gslbd::config::detail::load_pool_files(files, names, errors);
  if ((set == nullptr) == errors.empty()) std::abort();
  for (const auto& error : errors) {
    if (error.message.empty() || error.line < 0 || error.column < 0) std::abort();
    // One line each. yaml-cpp's own syntax messages (passed on by yaml_reader) may quote the
    // offending character raw, so only the loader's messages are held to it here.
    if (error.message.find('\n') != std::string::npos && !error.message.starts_with("YAML ")) {
      std::abort();
    }
  }
  if (set) check_set(*set, names);
  return 0;
}
