#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "gslbd/dns/name.hpp"
#include "gslbd/util/duration.hpp"
#include "suggest.hpp"

namespace gslbd::config::detail {
namespace {

constexpr std::uint32_t kMaxTtl = 2147483647u;  // RFC 2181 section 8

const char* kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "a string";
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

// Scalars are quoted in messages; long or multi-line ones are cut so the error stays one line.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text.substr(0, 60)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (text.size() > 60) out += "...";
  return out + "'";
}

std::string got(const YAML::Node& node) {
  if (node.IsScalar()) return quoted(node.Scalar());
  return kind_of(node);
}

}  // namespace

void Diagnostics::error(const YAML::Mark& mark, std::string message) {
  const bool known = mark.line >= 0 && mark.column >= 0;
  errors_.push_back(util::SourceError{file_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0,
                                      std::move(message)});
}

void Diagnostics::error_at_line(int line, std::string message) {
  errors_.push_back(util::SourceError{file_, line, 0, std::move(message)});
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

// Sees only where each document starts. yaml-cpp 0.7 stalls on some stray tokens at the top
// level (a lone ',' for one): HandleNextDocument then yields empty documents forever without
// consuming input, and YAML::LoadAll never returns. Counting documents through this handler
// with a cap, and noticing a document that starts where the last one did, avoids that.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
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
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStarts documents;
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
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    diag.error(e.mark, "YAML nesting deeper than " + std::to_string(e.depth()) + " levels");
  } catch (const YAML::Exception& e) {
    diag.error(e.mark, "YAML syntax error: " + one_line(e.msg));
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

void check_version(Diagnostics& diag, const MapReader& root) {
  const auto version = root.require("version");
  if (!version) return;
  if (!version->node.IsScalar() || version->node.Scalar() != "1") {
    diag.error(version->mark,
               "'version': expected 1 (the only file format so far), got " + got(version->node));
  }
}

}  // namespace gslbd::config::detail
