// SPDX-License-Identifier: Apache-2.0
#include "agent_reply.hpp"

namespace gslbd::probe {
namespace {

bool separator(char c) noexcept {
  return c == ' ' || c == ',' || c == '\t';
}

bool iequals(std::string_view word, std::string_view keyword) noexcept {
  if (word.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != keyword[i]) return false;
  }
  return true;
}

// "NN%" with one or more digits; saturates long numbers instead of overflowing.
bool percent(std::string_view word, std::int32_t& out) noexcept {
  if (word.size() < 2 || word.back() != '%') return false;
  std::int32_t value = 0;
  for (std::size_t i = 0; i + 1 < word.size(); ++i) {
    const char c = word[i];
    if (c < '0' || c > '9') return false;
    if (value < 100000) value = value * 10 + (c - '0');
  }
  out = value > 255 ? 255 : value;
  return true;
}

void apply(std::string_view word, AgentReply& reply) noexcept {
  std::int32_t weight = 0;
  if (iequals(word, "up")) {
    reply.op = AgentReply::Op::up;
    reply.admin = AgentReply::Admin::ready;
  } else if (iequals(word, "ready")) {
    reply.op = AgentReply::Op::up;
    reply.admin = AgentReply::Admin::ready;
  } else if (iequals(word, "down") || iequals(word, "fail") || iequals(word, "failed") ||
             iequals(word, "stopped")) {
    reply.op = AgentReply::Op::down;
  } else if (iequals(word, "drain") || iequals(word, "maint")) {
    reply.admin = AgentReply::Admin::drain;
  } else if (percent(word, weight)) {
    reply.weight = weight;
  }
}

}  // namespace

AgentReply parse_agent_reply(std::string_view line) noexcept {
  if (line.size() > kMaxAgentLine) line = line.substr(0, kMaxAgentLine);
  const auto end = line.find_first_of("\r\n");
  if (end != std::string_view::npos) line = line.substr(0, end);
  AgentReply reply;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && separator(line[i])) ++i;
    std::size_t j = i;
    while (j < line.size() && !separator(line[j])) ++j;
    if (j > i) apply(line.substr(i, j - i), reply);
    i = j;
  }
  return reply;
}

}  // namespace gslbd::probe
