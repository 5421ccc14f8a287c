// SPDX-License-Identifier: Apache-2.0
// How the load-based policies (least_connections, response_time, bandwidth) turn a member's
// balancer load into the weight it is drawn by. One rule for the draw and for /explain.
// Any thread; noexcept; pure.
#pragma once

#include <cstdint>

#include "gslbd/health/load.hpp"
#include "gslbd/pool/pool.hpp"

namespace gslbd::pool {

// Spare capacity is a fraction in 1/kLoadScale units. A member that is full keeps
// kLoadFloor / kLoadScale (1/64) of its share rather than none: a DNS answer is cached for its
// TTL, so a site that is full now still gets a trickle and the shares move smoothly instead of
// emptying and refilling a site (the herding that arg-min selection causes).
inline constexpr std::uint64_t kLoadScale = 1024;
inline constexpr std::uint64_t kLoadFloor = 16;

// `weight` is the member's effective weight (configured weight x agent weight, after the
// weight-0 rule), >= 1. Members whose load is not known yet count as idle.
//  - least_connections: with a session limit, weight x (limit - sessions) / limit; without
//    one, weight / (1 + sessions / configured weight): a member with as many sessions as its
//    weight gets half its idle share, and members whose sessions are in proportion to their
//    weights keep the configured ratio.
//  - response_time: weight / response time (at least 1 ms): twice as slow, half the share.
//  - bandwidth: weight x spare link capacity in Mbit/s, where the used bandwidth is the larger
//    direction of the byte rates (a full-duplex link fills in its busier direction).
// The result is >= 1, and < 2^52 for weights of at most 2^28 (bandwidth at 10 Tbit/s), so the
// sum over kMaxMembers stays far from overflow.
std::uint64_t load_weight(PolicyKind kind, const Member& member, std::uint64_t weight,
                          const health::Load& load) noexcept;

}  // namespace gslbd::pool
