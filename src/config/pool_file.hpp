// SPDX-License-Identifier: Apache-2.0
// Pool files: named check templates (check_reader.hpp), geo maps (geo_map_reader.hpp), and
// pools with their members (member_reader.hpp). All pool files of a config are read together,
// so a pool may use a template, a geo map or a fallback pool that another pool file defines.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "gslbd/util/source_error.hpp"

namespace gslbd::config::detail {

// The most members one pool may have (policies keep per-member scratch space on the stack).
inline constexpr std::size_t kMaxMembersPerPool = pool::kMaxMembers;

struct PoolFileText {
  std::string path;
  std::string text;
};

// Reads every pool file, resolves references between them and has the pool module assign
// health slots (pool::assign_health_slots). Errors are appended; the result is then
// incomplete and must not be used.
// names receives every pool name read (in PoolSet order), also when there were errors, so that
// zone files can still be checked against them.
// instances: how many instances of the fleet vote (this one and its peers), which bounds the
// pools' consensus rules; 1 = no peers section. resolver: server.resolver is set, which
// members given by host name need (member_target.hpp).
std::shared_ptr<pool::PoolSet> load_pool_files(const std::vector<PoolFileText>& files,
                                               std::vector<std::string>& names,
                                               std::vector<util::SourceError>& errors,
                                               std::size_t instances = 1, bool resolver = false);

// The keys of a pool and of its policy sections (hash, failover, latency, geo, geo's closest);
// members' and checks' keys are in member_reader.hpp and check_reader.hpp.
std::vector<std::string_view> pool_key_names();

}  // namespace gslbd::config::detail
