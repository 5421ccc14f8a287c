// SPDX-License-Identifier: Apache-2.0
// Parsing of operator-written durations such as "500ms", "30s", "1h30m" or a bare "60" (seconds).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gslbd::util {

// Returns the duration in milliseconds, or nullopt when the text is not a duration.
// Units: ms, s, m, h, d, w. A bare non-negative integer means seconds. Overflow is an error.
std::optional<std::uint64_t> parse_duration_ms(std::string_view text);

}  // namespace gslbd::util
