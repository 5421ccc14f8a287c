// SPDX-License-Identifier: Apache-2.0
// The haproxy check type: `show stat` on HAProxy's runtime API (a UNIX socket, or TCP at the
// target's port), the reply read to its end, then the deep-health verdict and load figures
// of haproxy_stats.hpp. Health loop thread only; see probe.hpp for the lifetime rules.
#pragma once

#include <uv.h>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/util/address.hpp"
#include "probe.hpp"

namespace gslbd::probe {

// The command sent; HAProxy answers it and closes the connection (non-interactive mode).
inline constexpr char kHaproxyStatsCommand[] = "show stat\n";

Probe* start_haproxy_check(uv_loop_t* loop, const health::CheckSpec& spec,
                           const util::Address& target, ProbeDone done);

}  // namespace gslbd::probe
