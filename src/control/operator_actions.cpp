// SPDX-License-Identifier: Apache-2.0
#include "operator_actions.hpp"

#include "gslbd/pool/pool.hpp"

namespace gslbd::control {
namespace {

constexpr std::string_view kKindNames[] = {"drain", "force", "weight"};

bool read_name(const JsonValue& object, std::string_view key, std::string& out,
               std::string& error) {
  const JsonValue* v = object.find(key);
  const std::string* s = v != nullptr ? v->as_string() : nullptr;
  if (s == nullptr || s->empty() || s->size() > kMaxActionName) {
    error = "'" + std::string(key) + "' is not a string of 1 to " + std::to_string(kMaxActionName) +
            " octets";
    return false;
  }
  out = *s;
  return true;
}

bool read_uint(const JsonValue& object, std::string_view key, std::uint64_t& out,
               std::string& error) {
  const JsonValue* v = object.find(key);
  const std::optional<std::uint64_t> n = v != nullptr ? v->as_uint() : std::nullopt;
  if (!n) {
    error = "'" + std::string(key) + "' is not a whole number";
    return false;
  }
  out = *n;
  return true;
}

// The value for the kind, from its text; nullopt when it does not fit.
std::optional<std::int64_t> parse_value(ActionKind kind, std::string_view text) {
  switch (kind) {
    case ActionKind::drain:
      if (text == "on") return 1;
      if (text == "off") return 0;
      return std::nullopt;
    case ActionKind::force:
      if (text == "up") return 1;
      if (text == "down") return 0;
      if (text == "auto") return kClear;
      return std::nullopt;
    case ActionKind::weight: {
      if (text == "auto") return kClear;
      if (text.empty() || text.size() > 7) return std::nullopt;
      std::int64_t n = 0;
      for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
      }
      if (n > std::int64_t{pool::kMaxMemberWeight}) return std::nullopt;
      return n;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view action_kind_name(ActionKind kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return i < std::size(kKindNames) ? kKindNames[i] : std::string_view("unknown");
}

std::string OperatorAction::value_text() const {
  switch (kind) {
    case ActionKind::drain:
      return value == 1 ? "on" : "off";
    case ActionKind::force:
      return value == 1 ? "up" : value == 0 ? "down" : "auto";
    case ActionKind::weight:
      return value == kClear ? "auto" : std::to_string(value);
  }
  return "?";
}

std::string OperatorAction::describe() const {
  return std::string(action_kind_name(kind)) + " " + pool + "/" + member + " " + value_text();
}

bool OperatorAction::clears(std::uint64_t now_ms) const noexcept {
  if (expires_at_ms != 0 && expires_at_ms <= now_ms) return true;
  return kind == ActionKind::drain ? value == 0 : value == kClear;
}

bool newer(const OperatorAction& a, const OperatorAction& b) noexcept {
  if (a.at_ms != b.at_ms) return a.at_ms > b.at_ms;
  if (a.seq != b.seq) return a.seq > b.seq;
  return a.origin > b.origin;
}

bool ActionSet::merge(const OperatorAction& action) {
  Key key{action.pool, action.member, action.kind};
  const auto it = records_.find(key);
  if (it == records_.end()) {
    if (records_.size() >= kMaxActions) return false;
    records_.emplace(std::move(key), action);
    return true;
  }
  if (!newer(action, it->second)) return false;
  it->second = action;
  return true;
}

const OperatorAction* ActionSet::find(const std::string& pool, const std::string& member,
                                      ActionKind kind) const {
  const auto it = records_.find(Key{pool, member, kind});
  return it == records_.end() ? nullptr : &it->second;
}

void write_action(JsonWriter& json, const OperatorAction& a) {
  json.begin_object();
  json.key("pool").string(a.pool);
  json.key("member").string(a.member);
  json.key("kind").string(action_kind_name(a.kind));
  json.key("value").string(a.value_text());
  json.key("expires_at_ms").number(a.expires_at_ms);
  json.key("origin").string(a.origin);
  json.key("at_ms").number(a.at_ms);
  json.key("seq").number(a.seq);
  json.end_object();
}

void write_actions(JsonWriter& json, const ActionSet& set) {
  json.begin_array();
  for (const auto& [key, a] : set.records()) write_action(json, a);
  json.end_array();
}

std::optional<OperatorAction> parse_action(const JsonValue& value, std::string& error) {
  if (value.as_object() == nullptr) {
    error = "not an object";
    return std::nullopt;
  }
  OperatorAction a;
  if (!read_name(value, "pool", a.pool, error) || !read_name(value, "member", a.member, error) ||
      !read_name(value, "origin", a.origin, error)) {
    return std::nullopt;
  }
  const JsonValue* kind = value.find("kind");
  const std::string* kind_text = kind != nullptr ? kind->as_string() : nullptr;
  bool known = false;
  for (std::size_t i = 0; kind_text != nullptr && i < std::size(kKindNames); ++i) {
    if (*kind_text == kKindNames[i]) {
      a.kind = static_cast<ActionKind>(i);
      known = true;
    }
  }
  if (!known) {
    error = "'kind' is not drain, force or weight";
    return std::nullopt;
  }
  const JsonValue* v = value.find("value");
  const std::string* text = v != nullptr ? v->as_string() : nullptr;
  const std::optional<std::int64_t> parsed =
      text != nullptr ? parse_value(a.kind, *text) : std::nullopt;
  if (!parsed) {
    error = "'value' does not fit kind " + std::string(action_kind_name(a.kind));
    return std::nullopt;
  }
  a.value = *parsed;
  if (!read_uint(value, "expires_at_ms", a.expires_at_ms, error) ||
      !read_uint(value, "at_ms", a.at_ms, error) || !read_uint(value, "seq", a.seq, error)) {
    return std::nullopt;
  }
  if (a.expires_at_ms != 0 && (a.kind == ActionKind::drain || a.value == kClear)) {
    error = "'expires_at_ms' on an action that cannot expire";
    return std::nullopt;
  }
  return a;
}

std::optional<std::vector<OperatorAction>> parse_actions(const JsonValue& value,
                                                         std::string& error) {
  const std::vector<JsonValue>* items = value.as_array();
  if (items == nullptr) {
    error = "'actions' is not an array";
    return std::nullopt;
  }
  if (items->size() > kMaxActions) {
    error = "more than " + std::to_string(kMaxActions) + " actions";
    return std::nullopt;
  }
  std::vector<OperatorAction> out;
  out.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    std::string why;
    auto a = parse_action((*items)[i], why);
    if (!a) {
      error = "actions[" + std::to_string(i) + "]: " + why;
      return std::nullopt;
    }
    out.push_back(std::move(*a));
  }
  return out;
}

std::string render_state(const std::string& instance, std::uint64_t seq, const ActionSet& set) {
  JsonWriter json;
  json.begin_object();
  json.key("format").number(kStateFormat);
  json.key("instance").string(instance);
  json.key("seq").number(seq);
  json.key("actions");
  write_actions(json, set);
  json.end_object();
  std::string text = json.take();
  text += '\n';
  return text;
}

std::optional<StateDocument> parse_state(std::string_view text, std::string& error) {
  auto doc = parse_json(text, error);
  if (!doc) return std::nullopt;
  if (doc->as_object() == nullptr) {
    error = "not a JSON object";
    return std::nullopt;
  }
  const JsonValue* format = doc->find("format");
  if (format == nullptr || format->as_uint() != kStateFormat) {
    error = "'format' is not " + std::to_string(kStateFormat);
    return std::nullopt;
  }
  StateDocument out;
  const JsonValue* instance = doc->find("instance");
  if (instance == nullptr || instance->as_string() == nullptr) {
    error = "'instance' is not a string";
    return std::nullopt;
  }
  out.instance = *instance->as_string();
  if (!read_uint(*doc, "seq", out.seq, error)) return std::nullopt;
  const JsonValue* actions = doc->find("actions");
  if (actions == nullptr) {
    error = "no 'actions'";
    return std::nullopt;
  }
  auto parsed = parse_actions(*actions, error);
  if (!parsed) return std::nullopt;
  out.actions = std::move(*parsed);
  return out;
}

}  // namespace gslbd::control
