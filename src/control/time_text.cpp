// SPDX-License-Identifier: Apache-2.0
#include "time_text.hpp"

#include <ctime>

namespace gslbd::control {

std::string rfc3339(std::chrono::system_clock::time_point time) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buf, n);
}

double unix_seconds(std::chrono::system_clock::time_point time) noexcept {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

}  // namespace gslbd::control
