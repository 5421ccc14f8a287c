// SPDX-License-Identifier: Apache-2.0
#include "gslbd/util/duration.hpp"

#include <limits>

namespace gslbd::util {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::optional<std::uint64_t> unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  if (unit == "w") return 604'800'000;
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::uint64_t> parse_duration_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0;
  std::size_t pos = 0;
  bool bare = true;
  while (pos < text.size()) {
    if (!is_digit(text[pos])) return std::nullopt;
    std::uint64_t number = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
      if (number > (kMax - digit) / 10) return std::nullopt;
      number = number * 10 + digit;
      ++pos;
    }
    const std::size_t unit_start = pos;
    while (pos < text.size() && !is_digit(text[pos])) ++pos;
    std::uint64_t scale = 1000;
    if (pos > unit_start) {
      const auto unit = unit_ms(text.substr(unit_start, pos - unit_start));
      if (!unit) return std::nullopt;
      scale = *unit;
      bare = false;
    } else if (!bare || pos < text.size()) {
      return std::nullopt;  // a number without unit is only allowed alone
    }
    if (number > kMax / scale || total > kMax - number * scale) return std::nullopt;
    total += number * scale;
  }
  return total;
}

}  // namespace gslbd::util
