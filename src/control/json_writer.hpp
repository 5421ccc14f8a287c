// SPDX-License-Identifier: Apache-2.0
// A tiny streaming JSON writer for /status, /explain and admin replies: commas and nesting are
// tracked for the caller, strings are escaped per RFC 8259 and invalid UTF-8 is replaced by
// U+FFFD, so text from probes or operators can never break the document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gslbd::control {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // Inside an object: the next value's name.
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::uint64_t value);
  JsonWriter& number(std::int64_t value);
  JsonWriter& number(double value);  // non-finite values are written as null
  JsonWriter& number(int value) { return number(static_cast<std::int64_t>(value)); }
  JsonWriter& number(unsigned value) { return number(static_cast<std::uint64_t>(value)); }
  JsonWriter& boolean(bool value);
  JsonWriter& null();

  // The document so far; call once it is complete.
  std::string take() { return std::move(out_); }

  // Appends `value` escaped and quoted to out.
  static void escape(std::string_view value, std::string& out);

 private:
  void before_value();

  std::string out_;
  // One entry per open container: true once it holds a value (a comma goes before the next).
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

}  // namespace gslbd::control
