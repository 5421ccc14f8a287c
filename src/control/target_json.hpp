// SPDX-License-Identifier: Apache-2.0
// A pool member given by host name, as /status and /explain show it: the name answers carry as
// a CNAME, what the health loop resolved it to last, the checks' verdicts at each address, and
// why the latest resolution failed. Control thread.
#pragma once

#include <vector>

#include "gslbd/pool/pool.hpp"
#include "gslbd/probe/health_loop.hpp"
#include "json_writer.hpp"

namespace gslbd::control {

// Writes the member's "address" (null for a host name) and, for a host name, its "target",
// "resolved", "checks_probe" (the address that decides), "addresses" (each address probed and its
// checks' verdicts), "resolved_at", "resolve_error" and "resolve_failures" keys. status may be
// null.
void write_member_address(JsonWriter& json, const pool::Member& member,
                          const probe::MemberStatus* status);

// Writes checks as an array of {check, inverted, up, known}: the verdicts of a member's checks,
// or of its checks at one of its addresses.
void write_check_verdict_list(JsonWriter& json, const std::vector<probe::CheckStatus>& checks);

}  // namespace gslbd::control
