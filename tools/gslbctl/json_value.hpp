// SPDX-License-Identifier: Apache-2.0
// A small JSON reader for gslbctl: enough to walk the control endpoint's replies. Bounded
// nesting; \u escapes (with surrogate pairs) become UTF-8.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gslbctl {

class JsonValue {
 public:
  enum class Kind { null, boolean, number, string, array, object };

  Kind kind() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == Kind::null; }

  // Lenient accessors: a missing key or a value of another kind reads as null / false / 0 / "".
  const JsonValue& operator[](std::string_view key) const noexcept;
  const std::vector<JsonValue>& items() const noexcept { return array_; }
  bool as_bool() const noexcept { return kind_ == Kind::boolean && boolean_; }
  double as_number() const noexcept { return kind_ == Kind::number ? number_ : 0; }
  const std::string& as_string() const noexcept { return string_; }
  // Numbers as integers, strings as themselves, booleans as true/false, null as "".
  std::string text() const;

  // Parses a whole document; nullopt with a reason in error when it is not JSON.
  static std::optional<JsonValue> parse(std::string_view text, std::string& error);

 private:
  friend class JsonParser;
  Kind kind_ = Kind::null;
  bool boolean_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

}  // namespace gslbctl
