// SPDX-License-Identifier: Apache-2.0
// Operator actions (drain, force, weight) as records that outlive the process and travel
// between instances: each carries its origin (the instance's identity), when it was taken and a
// sequence number, and for each (pool, member, kind) the newest record wins. Clearing actions
// (undrain, force auto, weight auto) are records too, so that they travel the same way. The
// one record format is used by the state file, the peers' observations and pushes. Pure data;
// any thread, but each ActionSet belongs to one (the control thread's OperatorState).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "json_reader.hpp"
#include "json_writer.hpp"

namespace gslbd::control {

enum class ActionKind : std::uint8_t { drain, force, weight };

std::string_view action_kind_name(ActionKind kind) noexcept;

// value: drain 1 (drained) or 0; force 1 (up), 0 (down) or kClear (auto); weight the weight,
// or kClear (back to the configured one).
inline constexpr std::int64_t kClear = -1;

struct OperatorAction {
  std::string pool;
  std::string member;
  ActionKind kind = ActionKind::drain;
  std::int64_t value = 0;
  std::uint64_t expires_at_ms = 0;  // Unix time in ms; 0 = no expiry (force and weight only)
  std::string origin;               // identity of the instance where it was taken
  std::uint64_t at_ms = 0;          // Unix time in ms when it was taken
  std::uint64_t seq = 0;            // its origin's sequence number

  bool operator==(const OperatorAction&) const = default;
  // The action's value as documents spell it: "on"/"off", "up"/"down"/"auto", "N"/"auto".
  std::string value_text() const;
  // "drain web/a", "weight web/a 20"
  std::string describe() const;
  // A clearing action (undrain, force auto, weight auto) or one whose expiry has passed.
  bool clears(std::uint64_t now_ms) const noexcept;
};

// True when a is newer than b: later at_ms; for equal times the higher seq, then the larger
// origin, so that every instance orders any two records the same way.
bool newer(const OperatorAction& a, const OperatorAction& b) noexcept;

// Bounds on a document: the number of records, the length of a name.
inline constexpr std::size_t kMaxActions = 4096;
inline constexpr std::size_t kMaxActionName = 255;

// The newest record per (pool, member, kind).
class ActionSet {
 public:
  using Key = std::tuple<std::string, std::string, ActionKind>;

  // Keeps `action` if it is newer than the record for its key (or there is none); true then.
  // A set full at kMaxActions takes no new key (false).
  bool merge(const OperatorAction& action);
  const OperatorAction* find(const std::string& pool, const std::string& member,
                             ActionKind kind) const;
  void erase(const Key& key) { records_.erase(key); }
  const std::map<Key, OperatorAction>& records() const noexcept { return records_; }
  std::size_t size() const noexcept { return records_.size(); }

 private:
  std::map<Key, OperatorAction> records_;
};

// Writes one record as a JSON object, and the records of a set as a JSON array.
void write_action(JsonWriter& json, const OperatorAction& action);
void write_actions(JsonWriter& json, const ActionSet& set);

// One record from its JSON object, or nullopt with why ("'kind' is not drain, force or
// weight"). Every field is checked: names 1..kMaxActionName octets, value in range for the
// kind (weights up to pool::kMaxMemberWeight), an expiry only on force and weight.
std::optional<OperatorAction> parse_action(const JsonValue& value, std::string& error);
// An array of records; nullopt with "actions[3]: why" at the first bad one.
std::optional<std::vector<OperatorAction>> parse_actions(const JsonValue& value,
                                                         std::string& error);

// The state file: {"format": 1, "instance": ..., "seq": N, "actions": [...]}.
inline constexpr std::uint64_t kStateFormat = 1;
struct StateDocument {
  std::string instance;   // who wrote it
  std::uint64_t seq = 0;  // the writer's last sequence number
  std::vector<OperatorAction> actions;
};
std::string render_state(const std::string& instance, std::uint64_t seq, const ActionSet& set);
// nullopt with why: "offset 12: expected ':'" (not JSON), "actions[2]: ..." (a bad record).
std::optional<StateDocument> parse_state(std::string_view text, std::string& error);

}  // namespace gslbd::control
