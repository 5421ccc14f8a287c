// SPDX-License-Identifier: Apache-2.0
// A pool's `consensus:` key: own, any, majority, all, or a number of instances.
#pragma once

#include <cstddef>
#include <optional>

#include "gslbd/pool/consensus.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// instances: how many instances vote, this one and its peers: entries (1 without a peers
// section). A rule other than own needs peers; a number must be 1..instances.
std::optional<pool::Consensus> read_consensus(Diagnostics& diag, const Value& value,
                                              std::size_t instances);

}  // namespace gslbd::config::detail
