// SPDX-License-Identifier: Apache-2.0
// The http and https check types: one libcurl transfer on the loop's CurlDriver. Health loop
// thread only; see probe.hpp for the lifetime rules.
#pragma once

#include "gslbd/health/check_spec.hpp"
#include "gslbd/probe/curl_driver.hpp"
#include "gslbd/util/address.hpp"
#include "probe.hpp"

namespace gslbd::probe {

// Bytes of the response body kept for expect_body; a longer body ends the transfer there.
inline constexpr std::size_t kMaxHttpBody = 64 * 1024;

// Also the haproxy check with `stats_page`: a GET of the stats page's CSV export, judged as the
// runtime API's reply is.
Probe* start_http_check(uv_loop_t* loop, CurlDriver& driver, const health::CheckSpec& spec,
                        const util::Address& target, ProbeDone done);

}  // namespace gslbd::probe
