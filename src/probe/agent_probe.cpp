// SPDX-License-Identifier: Apache-2.0
// The agent check type: HAProxy's agent-check text protocol over TCP (one reply line).
#include <string>
#include <utility>

#include "agent_reply.hpp"
#include "tcp_probe.hpp"

namespace gslbd::probe {

Probe* start_agent_check(uv_loop_t* loop, const health::CheckSpec& spec,
                         const util::Address& target, ProbeDone done) {
  TcpExchange exchange;
  exchange.send = spec.send;  // HAProxy's agent-send; usually empty
  exchange.read = TcpExchange::Read::line;
  exchange.max_read = kMaxAgentLine;
  exchange.interpret = [](std::string_view line, ProbeResult& result) {
    const AgentReply reply = parse_agent_reply(line);
    result.agent_weight = reply.weight;
    result.agent_drain = reply.admin == AgentReply::Admin::drain;
    result.agent_ready = reply.admin == AgentReply::Admin::ready;
    if (reply.op == AgentReply::Op::down) {
      result.ok = false;
      result.agent_down = true;
      result.error = "agent reports down: " + std::string(line.substr(0, 80));
    }
  };
  return start_tcp_probe(loop, target, spec.port, spec.timeout_ms, std::move(exchange),
                         std::move(done));
}

}  // namespace gslbd::probe
