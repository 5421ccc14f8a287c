// SPDX-License-Identifier: Apache-2.0
// The haproxy check type: `show stat` on HAProxy's runtime API (a UNIX socket, or TCP at the
// target's port), the reply read to its end, then the deep-health verdict and load figures
// of haproxy_stats.hpp. The stats page over HTTP is the http probe's (http_probe.hpp); both
// judge the CSV with judge_haproxy_stats. Health loop thread only; see probe.hpp for the
// lifetime rules.
#pragma once

#include <uv.h>

#include <string_view>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/util/address.hpp"
#include "haproxy_stats.hpp"
#include "probe.hpp"

namespace gslbd::probe {

// The command sent; HAProxy answers it and closes the connection (non-interactive mode).
inline constexpr char kHaproxyStatsCommand[] = "show stat\n";

// The check's result from a complete CSV reply: the verdict, or why the text is unusable
// (`where` names the source in that reason).
ProbeResult judge_haproxy_stats(std::string_view csv, const HaproxyTarget& target,
                                const std::string& where);

Probe* start_haproxy_check(uv_loop_t* loop, const health::CheckSpec& spec,
                           const util::Address& target, ProbeDone done);

}  // namespace gslbd::probe
