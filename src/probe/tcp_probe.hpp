// SPDX-License-Identifier: Apache-2.0
// TCP probes: connect (uv_tcp_connect) within the timeout, optionally write a banner, then
// optionally read until an expected substring, a full line, or EOF. Used by the tcp and agent
// check types. Health loop thread only; see probe.hpp for the lifetime rules.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/util/address.hpp"
#include "probe.hpp"

namespace gslbd::probe {

struct TcpExchange {
  enum class Read { nothing, expect, line };
  std::string send;  // written after connect (may be empty)
  Read read = Read::nothing;
  std::string expect;           // Read::expect: success once the bytes read contain it
  std::size_t max_read = 4096;  // bound on the bytes kept; reaching it ends the read
  // Read::line: turns the bytes read (up to the first \n, or all before EOF) into the result.
  std::function<void(std::string_view, ProbeResult&)> interpret;
};

Probe* start_tcp_probe(uv_loop_t* loop, const util::Address& target, std::uint16_t port,
                       std::uint32_t timeout_ms, TcpExchange exchange, ProbeDone done);

// The tcp check type: connect, plus the optional send/expect banner of the spec.
Probe* start_tcp_check(uv_loop_t* loop, const health::CheckSpec& spec, const util::Address& target,
                       ProbeDone done);

// The agent check type: connect, read one line (at most 512 bytes), parse it.
Probe* start_agent_check(uv_loop_t* loop, const health::CheckSpec& spec,
                         const util::Address& target, ProbeDone done);

}  // namespace gslbd::probe
