// SPDX-License-Identifier: Apache-2.0
// Pool files: named check templates, geo maps, and pools with their members. All pool files of
// a config are read together, so a pool may use a template, a geo map or a fallback pool that
// another pool file defines.
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
// The most checks one member (or a pool's default list) may have: each is probed on its own, and
// a bound keeps a pool's memory linear in the size of its file.
inline constexpr std::size_t kMaxChecksPerMember = 16;

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

}  // namespace gslbd::config::detail
