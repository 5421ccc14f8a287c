// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the operator state file reader (and the action records peers send, which
// it shares). Whatever the bytes, parsing ends with a document or a reason; an accepted
// document respects the bounds, writes back to a document that reads the same, and the
// verdict is the same every time. The dependency-free reader sources are compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "control/json_reader.cpp"
#include "control/json_writer.cpp"
#include "control/operator_actions.cpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gslbd::control;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto doc = parse_state(input, error);
  if (!doc && error.empty()) std::abort();
  std::string again;
  if (parse_state(input, again).has_value() != doc.has_value()) std::abort();
  if (!doc) return 0;
  if (doc->actions.size() > kMaxActions) std::abort();
  ActionSet set;
  for (const OperatorAction& a : doc->actions) {
    if (a.pool.empty() || a.pool.size() > kMaxActionName || a.member.empty() || a.origin.empty()) {
      std::abort();
    }
    set.merge(a);
  }
  // What is written back reads back as the same records.
  std::string round_error;
  const auto round = parse_state(render_state(doc->instance, doc->seq, set), round_error);
  if (!round) std::abort();
  ActionSet back;
  for (const OperatorAction& a : round->actions) back.merge(a);
  if (back.records() != set.records()) std::abort();
  return 0;
}
