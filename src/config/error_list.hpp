// SPDX-License-Identifier: Apache-2.0
// The bound on the errors one load reports: a file that is wrong throughout (a binary file, a
// YAML alias repeated thousands of times) must cost neither memory nor pages of output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/util/source_error.hpp"

namespace gslbd::config::detail {

inline constexpr std::size_t kMaxErrors = 100;

// Every error of a load goes through here. The first kMaxErrors are kept as given; every later
// one is only counted, in one last entry "N more errors not shown" (its file is that of the
// first error not shown). Warnings are bounded the same way, with noun "warning".
void add_error(std::vector<util::SourceError>& errors, util::SourceError error,
               std::string_view noun = "error");

// How many errors were added to errors, shown or not. Grows by one with every add_error, so
// comparing it before and after a step tells whether the step failed.
std::size_t error_count(const std::vector<util::SourceError>& errors) noexcept;

}  // namespace gslbd::config::detail
