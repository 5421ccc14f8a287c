// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the agent-check reply parser: whatever a member's agent sends, the verdict is
// in range, does not depend on bytes past the line limit or the first line end, and is the same
// every time. The fuzz CMake links the query and config libraries only, so the dependency-free
// parser source is compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/agent_reply.cpp"

namespace {

bool same(const gslbd::probe::AgentReply& a, const gslbd::probe::AgentReply& b) {
  return a.op == b.op && a.admin == b.admin && a.weight == b.weight;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gslbd::probe::AgentReply;
  using gslbd::probe::kMaxAgentLine;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const AgentReply reply = gslbd::probe::parse_agent_reply(input);
  if (reply.weight < -1 || reply.weight > 255) std::abort();
  if (!same(reply, gslbd::probe::parse_agent_reply(input))) std::abort();
  if (!same(reply, gslbd::probe::parse_agent_reply(input.substr(0, kMaxAgentLine)))) std::abort();
  const std::size_t end = input.find_first_of("\r\n");
  if (end != std::string_view::npos && end < kMaxAgentLine &&
      !same(reply, gslbd::probe::parse_agent_reply(input.substr(0, end)))) {
    std::abort();
  }
  return 0;
}
