// SPDX-License-Identifier: Apache-2.0
// "Did you mean" suggestions for misspelt keys, RR types and enumerated values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gslbd::config::detail {

// Levenshtein distance, ASCII case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word when it is close enough to be a likely typo, else "".
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

// "; did you mean 'x'?" or "; expected one of: a, b, c" when nothing is close.
std::string suggestion(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace gslbd::config::detail
