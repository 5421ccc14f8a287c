// SPDX-License-Identifier: Apache-2.0
#include "error_list.hpp"

#include <limits>

namespace gslbd::config::detail {
namespace {

// The entry after the kept ones. Its column is not printed (SourceError prints a column only
// with a line, and it has none), so it holds the number of errors not shown.
bool has_overflow_entry(const std::vector<util::SourceError>& errors) noexcept {
  return errors.size() > kMaxErrors;
}

}  // namespace

void add_error(std::vector<util::SourceError>& errors, util::SourceError error,
               std::string_view noun) {
  if (errors.size() < kMaxErrors) {
    errors.push_back(std::move(error));
    return;
  }
  if (!has_overflow_entry(errors)) errors.push_back({std::move(error.file), 0, 0, {}});
  util::SourceError& overflow = errors.back();
  if (overflow.column < std::numeric_limits<int>::max()) ++overflow.column;
  overflow.message = std::to_string(overflow.column) + " more " + std::string(noun) +
                     (overflow.column == 1 ? "" : "s") + " not shown";
}

std::size_t error_count(const std::vector<util::SourceError>& errors) noexcept {
  if (!has_overflow_entry(errors)) return errors.size();
  return kMaxErrors + static_cast<std::size_t>(errors.back().column);
}

}  // namespace gslbd::config::detail
