// SPDX-License-Identifier: Apache-2.0
// Parser for one HAProxy agent-check reply line (untrusted input: pure, bounded, no throw).
#pragma once

#include <cstdint>
#include <string_view>

namespace gslbd::probe {

struct AgentReply {
  enum class Op : std::uint8_t { unset, up, down };         // up/ready vs down/fail/stopped
  enum class Admin : std::uint8_t { unset, ready, drain };  // ready/up vs drain/maint
  Op op = Op::unset;
  Admin admin = Admin::unset;
  std::int32_t weight = -1;  // NN% clamped to 0..255; -1 = none given
};

// Words are separated by space, comma, tab (CR/LF end the line). Keywords are case-insensitive;
// within each of (op, admin, weight) the last word wins; any other word is ignored. Only the
// first kMaxAgentLine bytes are looked at.
inline constexpr std::size_t kMaxAgentLine = 512;
AgentReply parse_agent_reply(std::string_view line) noexcept;

}  // namespace gslbd::probe
