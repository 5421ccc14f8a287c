// SPDX-License-Identifier: Apache-2.0
// A small strict JSON reader (RFC 8259) for documents other instances send: no comments, no
// trailing commas, no duplicate keys, valid UTF-8 only, bounded nesting and object width. The
// caller bounds the input's size; the tree it builds is then bounded by it. Control thread; no
// state kept.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gslbd::control {

inline constexpr std::size_t kMaxJsonDepth = 32;  // containers nested in one another
// Members of one object: duplicate names are looked for by a scan, so this bounds its cost.
inline constexpr std::size_t kMaxJsonObjectMembers = 64;

class JsonValue {
 public:
  enum class Kind : std::uint8_t { null, boolean, number, string, array, object };

  Kind kind() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == Kind::null; }
  // Typed access: nullopt / null when the value is of another kind.
  std::optional<bool> as_bool() const noexcept;
  // A number that is a whole, non-negative integer up to 2^64 - 1 (no fraction or exponent).
  std::optional<std::uint64_t> as_uint() const noexcept;
  const std::string* as_string() const noexcept;
  const std::vector<JsonValue>* as_array() const noexcept;
  // Object members in document order.
  const std::vector<std::pair<std::string, JsonValue>>* as_object() const noexcept;
  // In an object: the member named key, or null.
  const JsonValue* find(std::string_view key) const noexcept;

 private:
  friend class JsonParser;
  Kind kind_ = Kind::null;
  bool boolean_ = false;
  bool integer_ = false;  // the number had only digits and fits 64 bits
  std::uint64_t uint_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

// The document, or nullopt with `error` ("offset 12: expected ':'").
std::optional<JsonValue> parse_json(std::string_view text, std::string& error);

}  // namespace gslbd::control
