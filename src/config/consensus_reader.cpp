// SPDX-License-Identifier: Apache-2.0
#include "consensus_reader.hpp"

#include <string>
#include <vector>

#include "suggest.hpp"

namespace gslbd::config::detail {

std::optional<pool::Consensus> read_consensus(Diagnostics& diag, const Value& value,
                                              std::size_t instances) {
  const auto text = read_string(diag, value);
  if (!text) return std::nullopt;
  const std::string fleet = std::to_string(instances) + " instance" + (instances == 1 ? "" : "s") +
                            " (this one and " + std::to_string(instances - 1) +
                            " in peers.instances)";
  pool::Consensus consensus;
  const bool digits = !text->empty() && text->size() <= 9 &&
                      text->find_first_not_of("0123456789") == std::string::npos;
  if (digits) {
    const auto count = static_cast<std::uint32_t>(std::stoul(*text));
    if (count == 0 || count > instances) {
      diag.error(value.mark, value.label + ": " + *text + " is not a number of instances, " +
                                 "expected 1.." + std::to_string(instances) + ": the fleet has " +
                                 fleet);
      return std::nullopt;
    }
    consensus.rule = pool::ConsensusRule::at_least;
    consensus.count = count;
  } else {
    std::vector<std::string_view> names;
    const pool::ConsensusName* found = nullptr;
    for (const pool::ConsensusName& entry : pool::kConsensusNames) {
      if (entry.name == *text) found = &entry;
      names.push_back(entry.name);
    }
    if (found == nullptr) {
      diag.error(value.mark, value.label + ": unknown value " + quoted(*text) +
                                 ", expected own, any, majority, all or a number of instances" +
                                 suggestion(*text, names));
      return std::nullopt;
    }
    consensus.rule = found->rule;
  }
  if (consensus.rule != pool::ConsensusRule::own && instances < 2) {
    diag.error(value.mark, value.label + ": " + *text +
                               " needs the other instances in the main file's peers: section, " +
                               "expected own without peers");
    return std::nullopt;
  }
  return consensus;
}

}  // namespace gslbd::config::detail
