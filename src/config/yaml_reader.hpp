// SPDX-License-Identifier: Apache-2.0
// Strict reading of YAML for the config schema: positions, node types, unknown and duplicate
// keys, and typed scalars (strings, numbers, durations, TTLs, domain names).
#pragma once

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/util/source_error.hpp"
#include "suggest.hpp"

namespace gslbd::config::detail {

// Collects the errors of one file. Positions are yaml-cpp marks (0-based) and are reported
// 1-based; an unknown mark gives line 0 (the whole file).
class Diagnostics {
 public:
  // Warnings go to warnings when given, else nowhere.
  Diagnostics(std::string file, std::vector<util::SourceError>& errors,
              std::vector<util::SourceError>* warnings = nullptr)
      : file_(std::move(file)), errors_(errors), warnings_(warnings) {}

  void error(const YAML::Mark& mark, std::string message);
  void error_at_line(int line, std::string message);         // line is 1-based; 0 = whole file
  void error_at(int line, int column, std::string message);  // both 1-based
  // Something that loads but is likely not what the operator meant; never rejects the load.
  void warning(const YAML::Mark& mark, std::string message);
  const std::string& file() const noexcept { return file_; }
  // Errors of the whole load so far, shown or not (see error_list.hpp).
  std::size_t count() const noexcept;

 private:
  std::string file_;
  std::vector<util::SourceError>& errors_;
  std::vector<util::SourceError>* warnings_;
};

// A node with the place to report about it and the words that name it in messages.
struct Value {
  YAML::Node node;
  YAML::Mark mark;      // the node's own mark, or its key's when the node is null
  std::string label;    // e.g. "'ttl'" or "item 2 of 'data'"
  YAML::Mark key_mark;  // the key's mark in a map; the item's own mark in a list
};

// The document as a Value named label ("the zone file").
Value top_level(const YAML::Node& document, std::string label);

// Parses text that must hold exactly one YAML document. Syntax errors, a nesting depth
// yaml-cpp refuses, binary content (find_binary_byte) and aliases that expand the document
// beyond a bound proportional to the text's size are reported; the result is then nullopt.
// Running out of memory is not an error of the file: std::bad_alloc propagates.
std::optional<YAML::Node> parse_document(const std::string& text, Diagnostics& diag);

// Reads a map against a fixed set of keys. Reports a value that is not a map, keys that are not
// strings, duplicate keys (yaml-cpp 0.7 keeps them silently; lookups see the first) and unknown
// keys with a suggestion.
class MapReader {
 public:
  MapReader(Diagnostics& diag, const Value& map, std::vector<std::string_view> keys);

  bool is_map() const noexcept { return is_map_; }
  const YAML::Mark& mark() const noexcept { return mark_; }
  // The value of key, or nullopt when absent.
  std::optional<Value> find(std::string_view key) const;
  // As find, but a missing key is reported as an error at the map.
  std::optional<Value> require(std::string_view key) const;

 private:
  struct Field {
    std::string key;
    YAML::Mark key_mark;
    Value value;
  };
  Diagnostics& diag_;
  std::vector<Field> fields_;
  YAML::Mark mark_;
  std::string label_;
  bool is_map_ = false;
};

// Each reader reports its own type or range error at the value and returns nullopt.
std::optional<std::string> read_string(Diagnostics& diag, const Value& value);
std::optional<std::uint64_t> read_number(Diagnostics& diag, const Value& value, std::uint64_t min,
                                         std::uint64_t max);
std::optional<std::uint64_t> read_duration_ms(Diagnostics& diag, const Value& value);
// A duration in whole seconds, at most 2^31 - 1 (RFC 2181 section 8).
std::optional<std::uint32_t> read_ttl(Diagnostics& diag, const Value& value);
std::optional<bool> read_bool(Diagnostics& diag, const Value& value);
// The same readers storing into a setting, which keeps its value when the value is refused.
// For read_in_range, Out must hold max.
template <typename Out>
void read_in_range(Diagnostics& diag, const Value& value, std::uint64_t min, std::uint64_t max,
                   Out& out) {
  if (const auto n = read_number(diag, value, min, max)) out = static_cast<Out>(*n);
}
void read_flag(Diagnostics& diag, const Value& value, bool& out);
void read_ttl(Diagnostics& diag, const Value& value, std::uint32_t& out);
// A name that others refer to (pool, member, template, geo map, region): a non-empty string
// without control characters, so that it stays one token in messages and logs.
std::optional<std::string> read_label(Diagnostics& diag, const Value& value);
// The items of a list (each labelled "item N of ..."); nullopt when the value is not a list or,
// with non_empty, an empty list.
std::optional<std::vector<Value>> read_list(Diagnostics& diag, const Value& value, bool non_empty);
// A domain name in presentation form relative to origin_wire, returned as a wire name.
std::optional<std::string> read_name(Diagnostics& diag, const Value& value,
                                     std::string_view origin_wire);

// Warns when name_text, a name that points elsewhere (mname, rname, an NS, CNAME, MX or SRV
// target), is relative and has several labels: in zone lb.example.org, "hostmaster.example.org"
// is hostmaster.example.org.lb.example.org., rarely what was meant; a single label ("ns1") is
// the usual way to name a host of the zone. Call it for names read_name has accepted.
void warn_relative_target(Diagnostics& diag, const YAML::Mark& mark, std::string_view name_text,
                          std::string_view origin_wire);

// Checks the required 'version: 1' of a file's top-level map.
void check_version(Diagnostics& diag, const MapReader& root);

// Text from a file as it appears in a message: quoted, cut when long, control characters
// blanked, so that every error stays one line.
std::string quoted(std::string_view text);

// The mark of node, or fallback when yaml-cpp has none for it.
YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback);

// "file:line", for messages that point at an earlier definition ("already defined at ...").
std::string where(const Diagnostics& diag, const YAML::Mark& mark);

// Reads a string that must be the name of one of table's entries (each has a `name`); reports the
// choices, with a suggestion, otherwise.
template <typename Entry, std::size_t N>
const Entry* read_choice(Diagnostics& diag, const Value& value, const Entry (&table)[N]) {
  const auto text = read_string(diag, value);
  if (!text) return nullptr;
  std::vector<std::string_view> names;
  for (const Entry& entry : table) {
    if (entry.name == *text) return &entry;
    names.push_back(entry.name);
  }
  diag.error(value.mark,
             value.label + ": unknown value " + quoted(*text) + suggestion(*text, names));
  return nullptr;
}

}  // namespace gslbd::config::detail
