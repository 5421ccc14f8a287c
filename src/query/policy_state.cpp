#include "gslbd/query/policy_state.hpp"

namespace gslbd::query {

void PolicyState::prepare(const runtime::Snapshot& snapshot) {
  if (snapshot.generation == generation_) return;
  generation_ = snapshot.generation;
  const auto& pools = snapshot.config->pools;
  round_robin_.assign(pools ? pools->pools.size() : 0, 0);
}

}  // namespace gslbd::query
