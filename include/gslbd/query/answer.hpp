// SPDX-License-Identifier: Apache-2.0
// Answering one DNS request from a config snapshot: the whole query path of a worker.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gslbd/query/policy_state.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::query {

// xdp: UDP received from an AF_XDP socket; answered exactly as udp, counted apart.
enum class Transport : std::uint8_t { udp, tcp, xdp };

// Where a request came from and the worker's own state for answering it.
struct QueryContext {
  Transport transport = Transport::udp;
  util::Address source;                  // the client's address; family 0 when unknown
  PolicyState* policy_state = nullptr;   // the worker's; required for service names
  stats::QueryRecord* record = nullptr;  // filled in for the worker's counters when set
};

// Writes the response to `request` into out and returns its size, or 0 when the request gets
// no response at all (too short, or itself a response). noexcept, allocation-free, bounded:
// safe on any input. out_capacity must be at least 512 (65535 for TCP to answer everything).
std::size_t answer_query(const runtime::Snapshot& snapshot, const std::uint8_t* request,
                         std::size_t request_len, const QueryContext& context, std::uint8_t* out,
                         std::size_t out_capacity) noexcept;

}  // namespace gslbd::query
