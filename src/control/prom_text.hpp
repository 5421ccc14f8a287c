// SPDX-License-Identifier: Apache-2.0
// Writing the Prometheus text exposition format 0.0.4: HELP and TYPE lines, samples with
// escaped label values, numbers as the format expects them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace gslbd::control {

using Label = std::pair<std::string_view, std::string_view>;

class PromText {
 public:
  // "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram).
  void family(std::string_view name, std::string_view type, std::string_view help);

  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);

  // A label value with \, " and newline escaped (the format's only escapes).
  static void escape_label(std::string_view value, std::string& out);
  // Microseconds as exact decimal seconds ("0.000005", "0.025", "1"), for "le" bounds.
  static std::string seconds_text(std::uint64_t microseconds);

  std::string& text() noexcept { return out_; }

 private:
  void begin(std::string_view name, std::initializer_list<Label> labels);

  std::string out_;
};

}  // namespace gslbd::control
