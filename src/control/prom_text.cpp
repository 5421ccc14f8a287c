// SPDX-License-Identifier: Apache-2.0
#include "prom_text.hpp"

#include <cmath>
#include <cstdio>

namespace gslbd::control {

void PromText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  // HELP text escapes only backslash and newline.
  for (const char c : help) {
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PromText::escape_label(std::string_view value, std::string& out) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string PromText::seconds_text(std::uint64_t microseconds) {
  std::string out = std::to_string(microseconds / 1'000'000);
  std::uint64_t fraction = microseconds % 1'000'000;
  if (fraction == 0) return out;
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(fraction));
  std::string_view text(digits, 6);
  while (text.back() == '0') text.remove_suffix(1);
  out += '.';
  out += text;
  return out;
}

void PromText::begin(std::string_view name, std::initializer_list<Label> labels) {
  out_ += name;
  if (labels.size() > 0) {
    out_ += '{';
    bool first = true;
    for (const auto& [label, value] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += label;
      out_ += "=\"";
      escape_label(value, out_);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
}

void PromText::sample(std::string_view name, std::initializer_list<Label> labels,
                      std::uint64_t value) {
  begin(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void PromText::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  begin(name, labels);
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", value);
    out_ += buf;
  }
  out_ += '\n';
}

}  // namespace gslbd::control
