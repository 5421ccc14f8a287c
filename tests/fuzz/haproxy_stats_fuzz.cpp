// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the HAProxy statistics CSV parser and the deep-health verdict built on it: a
// stats socket or page is a peer we do not control. The fuzz CMake links the query and config
// libraries only, so the dependency-free parser source is compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/haproxy_stats.cpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gslbd::probe;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  HaproxyStats stats;
  const std::string error = parse_haproxy_stats(input, stats);
  if (!error.empty() && !stats.rows.empty() && error.find("cut short") == std::string::npos &&
      error.find("has no") == std::string::npos && error.find("more than") == std::string::npos) {
    std::abort();
  }
  if (stats.rows.size() > kMaxHaproxyStatsRows) std::abort();
  for (const HaproxyRow& row : stats.rows) {
    // Every view points into the input.
    for (const std::string_view view : {row.proxy, row.service, row.status}) {
      if (!view.empty() &&
          (view.data() < input.data() || view.data() + view.size() > input.data() + input.size())) {
        std::abort();
      }
    }
  }
  // Evaluate against the names the input itself uses, so the fuzzer reaches the verdicts.
  HaproxyTarget target;
  if (!stats.rows.empty()) {
    target.frontend = std::string(stats.rows.front().proxy);
    target.backends = {std::string(stats.rows.back().proxy)};
    target.min_up_servers = static_cast<std::uint32_t>(size % 4);
  }
  const HaproxyVerdict verdict = evaluate_haproxy(stats, target);
  if (verdict.up != verdict.reason.empty()) std::abort();
  return 0;
}
