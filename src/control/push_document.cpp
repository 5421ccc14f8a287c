// SPDX-License-Identifier: Apache-2.0
#include "push_document.hpp"

#include "json_reader.hpp"
#include "json_writer.hpp"

namespace gslbd::control {

std::string render_push(const std::string& instance, const std::vector<OperatorAction>& actions) {
  JsonWriter json;
  json.begin_object();
  json.key("format").number(kPushFormat);
  json.key("instance").string(instance);
  json.key("actions").begin_array();
  for (const OperatorAction& a : actions) write_action(json, a);
  json.end_array();
  json.end_object();
  return json.take();
}

std::optional<PushDocument> parse_push(std::string_view text, std::string& error) {
  std::string why;
  const auto document = parse_json(text, why);
  if (!document) {
    error = "not JSON: " + why;
    return std::nullopt;
  }
  if (document->as_object() == nullptr) {
    error = "not a JSON object";
    return std::nullopt;
  }
  const JsonValue* format = document->find("format");
  if (format == nullptr || format->as_uint() != kPushFormat) {
    error = "'format' is not " + std::to_string(kPushFormat);
    return std::nullopt;
  }
  PushDocument out;
  const JsonValue* instance = document->find("instance");
  const std::string* name = instance != nullptr ? instance->as_string() : nullptr;
  if (name == nullptr || name->empty() || name->size() > kMaxActionName) {
    error = "'instance' is not a string of 1 to " + std::to_string(kMaxActionName) + " octets";
    return std::nullopt;
  }
  out.instance = *name;
  const JsonValue* actions = document->find("actions");
  if (actions == nullptr) {
    error = "no 'actions'";
    return std::nullopt;
  }
  // Counted before the records are read, so a long list costs no parsing of its records.
  const std::vector<JsonValue>* items = actions->as_array();
  if (items != nullptr && (items->empty() || items->size() > kMaxPushActions)) {
    error = "'actions' holds " + std::to_string(items->size()) + " records, expected 1 to " +
            std::to_string(kMaxPushActions);
    return std::nullopt;
  }
  auto parsed = parse_actions(*actions, error);
  if (!parsed) return std::nullopt;
  out.actions = std::move(*parsed);
  return out;
}

std::string render_push_outcome(const PushOutcome& outcome) {
  JsonWriter json;
  json.begin_object();
  json.key("applied").number(outcome.applied);
  json.key("older").number(outcome.older);
  json.key("refused").number(outcome.refused);
  json.end_object();
  return json.take();
}

std::optional<PushOutcome> parse_push_outcome(std::string_view text) {
  std::string error;
  const auto document = parse_json(text, error);
  if (!document || document->as_object() == nullptr) return std::nullopt;
  PushOutcome out;
  for (auto [key, field] : {std::pair{"applied", &out.applied}, std::pair{"older", &out.older},
                            std::pair{"refused", &out.refused}}) {
    const JsonValue* v = document->find(key);
    const auto n = v != nullptr ? v->as_uint() : std::nullopt;
    if (!n) return std::nullopt;
    *field = *n;
  }
  return out;
}

}  // namespace gslbd::control
