// SPDX-License-Identifier: Apache-2.0
// Fuzz target for what a peer pushes to POST /peer/actions, and for the receiver's reply the
// pushing instance reads. Whatever the bytes, parsing ends with a document or a reason; an
// accepted push holds 1 to kMaxPushActions valid records, writes back to a document that reads
// the same, and the verdict is the same every time. The dependency-free reader sources are
// compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "control/json_reader.cpp"
#include "control/json_writer.cpp"
#include "control/operator_actions.cpp"
#include "control/push_document.cpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gslbd::control;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)parse_push_outcome(input);
  std::string error;
  const auto push = parse_push(input, error);
  if (!push && error.empty()) std::abort();
  std::string again;
  if (parse_push(input, again).has_value() != push.has_value()) std::abort();
  if (!push) return 0;
  if (push->instance.empty() || push->instance.size() > kMaxActionName) std::abort();
  if (push->actions.empty() || push->actions.size() > kMaxPushActions) std::abort();
  for (const OperatorAction& a : push->actions) {
    if (a.pool.empty() || a.member.empty() || a.origin.empty()) std::abort();
    if (a.expires_at_ms != 0 && (a.kind == ActionKind::drain || a.value == kClear)) std::abort();
  }
  std::string round_error;
  const auto round = parse_push(render_push(push->instance, push->actions), round_error);
  if (!round || round->instance != push->instance || round->actions != push->actions) {
    std::abort();
  }
  return 0;
}
