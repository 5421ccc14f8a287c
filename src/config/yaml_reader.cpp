// SPDX-License-Identifier: Apache-2.0
#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <new>
#include <sstream>
#include <unordered_map>

#include "error_list.hpp"
#include "file_io.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/util/duration.hpp"
#include "suggest.hpp"

namespace gslbd::config::detail {
namespace {

constexpr std::uint32_t kMaxTtl = 2147483647u;  // RFC 2181 section 8

// The bound on a YAML file's size with its aliases expanded. Without aliases a node takes at
// least a byte of the file; the factor leaves room for anchors used as intended (a check
// template shared by the members of a pool), the constant for small files.
constexpr std::uint64_t kMaxNodesPerByte = 16;
constexpr std::uint64_t kMinNodeBudget = 10'000;

// A plain (unquoted) scalar of digits is what the operator sees as a number: "ns: 5" must not
// be told it gave a string.
bool is_plain_integer(const YAML::Node& node) {
  if (node.Tag() != "?") return false;  // quoted, or tagged
  const std::string& text = node.Scalar();
  std::size_t i = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

const char* kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return is_plain_integer(node) ? "an integer" : "a string";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string got(const YAML::Node& node) {
  if (node.IsScalar()) return quoted(node.Scalar());
  return kind_of(node);
}

}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text.substr(0, 60)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  if (text.size() > 60) out += "...";
  return out + "'";
}

void Diagnostics::error(const YAML::Mark& mark, std::string message) {
  const bool known = mark.line >= 0 && mark.column >= 0;
  add_error(errors_, util::SourceError{file_, known ? mark.line + 1 : 0,
                                       known ? mark.column + 1 : 0, std::move(message)});
}

void Diagnostics::warning(const YAML::Mark& mark, std::string message) {
  if (warnings_ == nullptr) return;
  const bool known = mark.line >= 0 && mark.column >= 0;
  add_error(*warnings_,
            util::SourceError{file_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0,
                              std::move(message)},
            "warning");
}

std::size_t Diagnostics::count() const noexcept {
  return error_count(errors_);
}

void Diagnostics::error_at(int line, int column, std::string message) {
  add_error(errors_, util::SourceError{file_, line, column, std::move(message)});
}

void Diagnostics::error_at_line(int line, std::string message) {
  add_error(errors_, util::SourceError{file_, line, 0, std::move(message)});
}

std::string where(const Diagnostics& diag, const YAML::Mark& mark) {
  return diag.file() + ":" + std::to_string(mark.line + 1);
}

std::optional<bool> read_bool(Diagnostics& diag, const Value& value) {
  if (value.node.IsScalar()) {
    const std::string& text = value.node.Scalar();
    if (text == "true") return true;
    if (text == "false") return false;
  }
  diag.error(value.mark, value.label + ": expected true or false");
  return std::nullopt;
}

void read_flag(Diagnostics& diag, const Value& value, bool& out) {
  if (const auto b = read_bool(diag, value)) out = *b;
}

void read_ttl(Diagnostics& diag, const Value& value, std::uint32_t& out) {
  if (const auto ttl = read_ttl(diag, value)) out = *ttl;
}

YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback) {
  // yaml-cpp gives a null value ("key:" with nothing after it) the mark of the next token,
  // often on the next line, so the key's position is the better place.
  if (!node.IsDefined() || node.IsNull()) return fallback;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark;
}

Value top_level(const YAML::Node& document, std::string label) {
  // The start of the file when yaml-cpp has no mark (e.g. a document that is a bare scalar).
  const YAML::Mark mark = mark_of(document, YAML::Mark());
  return Value{document, mark, std::move(label), mark};
}

namespace {

// Sees where each document starts, and how large the document is with its aliases expanded.
//
// yaml-cpp 0.7 stalls on some stray tokens at the top level (a lone ',' for one):
// HandleNextDocument then yields empty documents forever without consuming input, and
// YAML::LoadAll never returns. Counting documents through this handler with a cap, and noticing
// a document that starts where the last one did, avoids that.
//
// An alias is shared in the loaded tree, but the readers visit it as often as it is used, and
// each visit can add records and errors: 20,000 uses of one anchored record with 1,000 values
// made 20 million records from a 150 KB file. So the size of the expanded document is counted
// here and bounded (kMaxNodesPerByte), and the alias that crosses the bound is reported.
class DocumentScan : public YAML::EventHandler {
 public:
  explicit DocumentScan(std::uint64_t node_budget) : budget_(node_budget) {}

  std::vector<YAML::Mark> starts;
  std::optional<YAML::Mark> alias_over_budget;  // the first alias past the budget

  std::uint64_t budget() const noexcept { return budget_; }

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto found = sizes_.find(anchor);
    add(found == sizes_.end() ? 1 : found->second);
    if (nodes_ > budget_ && !alias_over_budget) alias_over_budget = mark;
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  // Saturating: nested aliases can double the count at every level.
  void add(std::uint64_t n) { nodes_ = n > kSaturated - nodes_ ? kSaturated : nodes_ + n; }
  void leaf(YAML::anchor_t anchor) {
    add(1);
    if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
  }
  void open(YAML::anchor_t anchor) {
    const std::uint64_t before = nodes_;
    add(1);
    open_.push_back({anchor, before});
  }
  void close() {
    if (open_.empty()) return;
    const Open top = open_.back();
    open_.pop_back();
    if (top.anchor != YAML::NullAnchor) sizes_[top.anchor] = nodes_ - top.nodes_before;
  }

  static constexpr std::uint64_t kSaturated = std::uint64_t{1} << 62;
  struct Open {
    YAML::anchor_t anchor;
    std::uint64_t nodes_before;
  };
  std::uint64_t budget_;
  std::uint64_t nodes_ = 0;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, std::uint64_t> sizes_;
};

}  // namespace

// yaml-cpp quotes the offending input in some messages, raw newlines included; an error must
// stay one line.
static std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<YAML::Node> parse_document(const std::string& text, Diagnostics& diag) {
  if (const auto binary = find_binary_byte(text)) {
    diag.error_at(binary->line, binary->column, binary->message);
    return std::nullopt;
  }
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentScan documents(kMinNodeBudget + kMaxNodesPerByte * std::uint64_t{text.size()});
    while (documents.starts.size() < 2 && parser.HandleNextDocument(documents)) {
      const auto& starts = documents.starts;
      if (starts.size() == 2 && starts[0].pos == starts[1].pos) {
        const auto at = static_cast<std::size_t>(std::max(starts[1].pos, 0));
        const std::string what = at < text.size() ? quoted(text.substr(at, 1)) : "end of file";
        diag.error(starts[1], "YAML syntax error: unexpected " + what);
        return std::nullopt;
      }
    }
    if (documents.starts.empty()) {
      diag.error_at_line(0, "the file is empty; expected a map starting with 'version: 1'");
      return std::nullopt;
    }
    if (documents.starts.size() > 1) {
      diag.error(documents.starts[1], "a second YAML document; a file holds one");
      return std::nullopt;
    }
    if (documents.alias_over_budget) {
      diag.error(*documents.alias_over_budget,
                 "this alias makes the file more than " + std::to_string(documents.budget()) +
                     " YAML nodes with its aliases expanded (the limit grows with the size of "
                     "the file); an alias may stand for a part, not multiply the file");
      return std::nullopt;
    }
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    diag.error(e.mark, "YAML nesting deeper than " + std::to_string(e.depth()) + " levels");
  } catch (const YAML::Exception& e) {
    diag.error(e.mark, "YAML syntax error: " + one_line(e.msg));
  } catch (const std::bad_alloc&) {
    throw;  // load_config reports it for the whole load
  } catch (const std::exception& e) {
    diag.error_at_line(0, std::string("YAML error: ") + e.what());
  }
  return std::nullopt;
}

MapReader::MapReader(Diagnostics& diag, const Value& map, std::vector<std::string_view> keys)
    : diag_(diag), mark_(map.mark), label_(map.label) {
  if (!map.node.IsMap()) {
    diag.error(map.mark, map.label + ": expected a map, got " + kind_of(map.node));
    return;
  }
  is_map_ = true;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    const YAML::Mark key_mark = mark_of(it->first, map.mark);
    if (!it->first.IsScalar()) {
      diag.error(key_mark,
                 "a key in " + map.label + " is " + kind_of(it->first) + "; expected a plain name");
      continue;
    }
    const std::string& key = it->first.Scalar();
    bool known = false;
    for (std::string_view k : keys) known = known || k == key;
    if (!known) {
      diag.error(key_mark,
                 "unknown key " + quoted(key) + " in " + map.label + suggestion(key, keys));
      continue;
    }
    bool duplicate = false;
    for (const Field& field : fields_) {
      if (field.key == key) {
        diag.error(key_mark, "duplicate key " + quoted(key) + " in " + map.label +
                                 " (first given on line " +
                                 std::to_string(field.key_mark.line + 1) + ")");
        duplicate = true;
        break;
      }
    }
    if (duplicate) continue;
    fields_.push_back(
        Field{key, key_mark,
              Value{it->second, mark_of(it->second, key_mark), "'" + key + "'", key_mark}});
  }
}

std::optional<Value> MapReader::find(std::string_view key) const {
  for (const Field& field : fields_) {
    if (field.key == key) return field.value;
  }
  return std::nullopt;
}

std::optional<Value> MapReader::require(std::string_view key) const {
  std::optional<Value> value = find(key);
  if (!value && is_map_) {
    diag_.error(mark_, "missing required key '" + std::string(key) + "' in " + label_);
  }
  return value;
}

std::optional<std::string> read_string(Diagnostics& diag, const Value& value) {
  if (!value.node.IsScalar()) {
    diag.error(value.mark, value.label + ": expected a string, got " + kind_of(value.node));
    return std::nullopt;
  }
  return value.node.Scalar();
}

std::optional<std::uint64_t> read_number(Diagnostics& diag, const Value& value, std::uint64_t min,
                                         std::uint64_t max) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!value.node.IsScalar()) {
    diag.error(value.mark,
               value.label + ": expected a number (" + range + "), got " + kind_of(value.node));
    return std::nullopt;
  }
  const std::string& text = value.node.Scalar();
  std::uint64_t number = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (text.empty() || ec != std::errc() || ptr != end || number < min || number > max) {
    diag.error(value.mark,
               value.label + ": expected a number (" + range + "), got " + got(value.node));
    return std::nullopt;
  }
  return number;
}

std::optional<std::uint64_t> read_duration_ms(Diagnostics& diag, const Value& value) {
  if (value.node.IsScalar()) {
    if (auto ms = util::parse_duration_ms(value.node.Scalar())) return ms;
  }
  diag.error(value.mark, value.label +
                             ": expected a duration such as 500ms, 30s, 5m, 1h, 1d or 1w, got " +
                             got(value.node));
  return std::nullopt;
}

std::optional<std::uint32_t> read_ttl(Diagnostics& diag, const Value& value) {
  const auto ms = read_duration_ms(diag, value);
  if (!ms) return std::nullopt;
  if (*ms % 1000 != 0) {
    diag.error(value.mark, value.label + ": a TTL is whole seconds, got " + got(value.node));
    return std::nullopt;
  }
  if (*ms / 1000 > kMaxTtl) {
    diag.error(value.mark, value.label + ": " + std::to_string(*ms / 1000) +
                               " seconds is above the largest TTL 2147483647 (RFC 2181 section 8)");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*ms / 1000);
}

std::optional<std::vector<Value>> read_list(Diagnostics& diag, const Value& value, bool non_empty) {
  if (!value.node.IsSequence()) {
    diag.error(value.mark, value.label + ": expected a list, got " + kind_of(value.node));
    return std::nullopt;
  }
  if (non_empty && value.node.size() == 0) {
    diag.error(value.mark,
               value.label + ": expected a list with at least one item, got an empty list");
    return std::nullopt;
  }
  std::vector<Value> items;
  std::size_t n = 0;
  for (const YAML::Node& item : value.node) {
    ++n;
    const YAML::Mark mark = mark_of(item, value.mark);
    items.push_back(Value{item, mark, "item " + std::to_string(n) + " of " + value.label, mark});
  }
  return items;
}

std::optional<std::string> read_name(Diagnostics& diag, const Value& value,
                                     std::string_view origin_wire) {
  const auto text = read_string(diag, value);
  if (!text) return std::nullopt;
  std::string why;
  auto wire = dns::name_from_text(*text, origin_wire, &why);
  if (!wire) {
    diag.error(value.mark, value.label + ": " + quoted(*text) + " is not a domain name: " + why);
    return std::nullopt;
  }
  // The classic zone-file slip: "ns1.example.com" inside example.com means
  // ns1.example.com.example.com. Nobody wants that, so say so instead of serving it.
  const bool relative = *text != "@" && text->back() != '.';
  if (relative && origin_wire.size() > 1) {
    const auto as_absolute = dns::name_from_text(*text, std::string_view("\0", 1), nullptr);
    if (as_absolute &&
        dns::is_at_or_below(dns::lowercased(*as_absolute), dns::lowercased(origin_wire))) {
      diag.error(value.mark, value.label + ": " + quoted(*text) +
                                 " is relative to the zone, so it would mean " +
                                 dns::name_to_text(*wire) + "; end it with a dot if you mean " +
                                 dns::name_to_text(*as_absolute));
      return std::nullopt;
    }
  }
  return wire;
}

void warn_relative_target(Diagnostics& diag, const YAML::Mark& mark, std::string_view name_text,
                          std::string_view origin_wire) {
  if (origin_wire.size() <= 1 || name_text.empty() || name_text == "@") return;
  if (name_text.back() == '.' &&
      (name_text.size() < 2 || name_text[name_text.size() - 2] != '\\')) {
    return;  // absolute
  }
  bool several_labels = false;
  for (std::size_t i = 0; i + 1 < name_text.size() && !several_labels; ++i) {
    if (name_text[i] == '\\') {
      ++i;  // an escaped character, "\." included, is part of its label
    } else {
      several_labels = name_text[i] == '.';
    }
  }
  if (!several_labels) return;
  const std::string name(name_text);
  const std::string origin = dns::name_to_text(origin_wire);
  diag.warning(mark, "relative name of several labels " + quoted(name) + " becomes '" + name + "." +
                         origin + "'; add a final dot if you meant " + name + ".");
}

void check_version(Diagnostics& diag, const MapReader& root) {
  const auto version = root.require("version");
  if (!version) return;
  if (!version->node.IsScalar() || version->node.Scalar() != "1") {
    diag.error(version->mark,
               "'version': expected 1 (the only file format so far), got " + got(version->node));
  }
}

std::optional<std::string> read_label(Diagnostics& diag, const Value& value) {
  auto text = read_string(diag, value);
  if (!text) return std::nullopt;
  if (text->empty()) {
    diag.error(value.mark, value.label + ": expected a non-empty name");
    return std::nullopt;
  }
  if (std::any_of(text->begin(), text->end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    diag.error(value.mark, value.label + ": a name cannot hold control characters");
    return std::nullopt;
  }
  return text;
}

}  // namespace gslbd::config::detail
