// SPDX-License-Identifier: Apache-2.0
// Fuzz target for what a peer sends: the strict JSON reader and the observations reader on
// top of it. Whatever the bytes, parsing ends, accepted documents respect the bounds, and the
// verdict is the same every time. The fuzz CMake links the query and config libraries only, so
// the dependency-free reader sources are compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "control/json_reader.cpp"
#include "control/json_writer.cpp"
#include "control/operator_actions.cpp"
#include "control/peer_observations.cpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto json = gslbd::control::parse_json(input, error);
  if (!json && error.empty()) std::abort();
  std::string error2;
  const auto observations = gslbd::control::parse_peer_observations(input, error2);
  if (observations && !json) std::abort();  // observations are JSON first
  if (!observations && error2.empty()) std::abort();
  if (observations) {
    std::size_t members = 0;
    if (observations->pools.size() > gslbd::control::kMaxPeerPools) std::abort();
    for (const auto& pool : observations->pools) {
      if (pool.digest.size() != 64 || pool.name.empty()) std::abort();
      members += pool.members.size();
    }
    if (members > gslbd::control::kMaxPeerMembers) std::abort();
    if (observations->actions.size() > gslbd::control::kMaxActions) std::abort();
    if (!observations->actions.empty() && !observations->actions_error.empty()) std::abort();
  }
  std::string again;
  if (gslbd::control::parse_peer_observations(input, again).has_value() !=
      observations.has_value()) {
    std::abort();
  }
  return 0;
}
