// SPDX-License-Identifier: Apache-2.0
// The body of POST /peer/actions, by which an instance hands the operator actions it has just
// taken to its peers: {"format": 1, "instance": "ns1", "actions": [...]}, each record in the
// format of the state file and the observations (operator_actions.hpp), with its origin, time
// and sequence number as they were stamped where it was taken. Strict: an object, format 1, the
// sender's identity, 1 to kMaxPushActions records each checked by parse_action; top-level keys
// this version does not know are skipped, as in the observations. And the receiver's reply:
// {"applied": N, "older": N, "refused": N}. Pure data; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator_actions.hpp"

namespace gslbd::control {

inline constexpr const char* kPushPath = "/peer/actions";
inline constexpr std::uint64_t kPushFormat = 1;
// Records in one push: at most 8 x ~1 KiB (three names of up to 255 octets each), which stays
// under the default control.max_request_bytes (16 KiB) of the receiver.
inline constexpr std::size_t kMaxPushActions = 8;
// The most of a receiver's reply a sender reads (the reply is three counts).
inline constexpr std::size_t kMaxPushReplyBytes = 4096;

struct PushDocument {
  std::string instance;  // the sender's server.identity
  std::vector<OperatorAction> actions;
};

std::string render_push(const std::string& instance, const std::vector<OperatorAction>& actions);
// nullopt with why: "not JSON: offset 3: ...", "'format' is not 1", "actions[2]: ...".
std::optional<PushDocument> parse_push(std::string_view text, std::string& error);

// What the receiver did with a push's records.
struct PushOutcome {
  std::uint64_t applied = 0;  // newer than what it kept: applied there
  std::uint64_t older = 0;    // not newer than what it kept: ignored
  std::uint64_t refused = 0;  // for a member it does not have, or stamped far in the future
};

std::string render_push_outcome(const PushOutcome& outcome);
// nullopt when the reply is not such an object.
std::optional<PushOutcome> parse_push_outcome(std::string_view text);

}  // namespace gslbd::control
