// SPDX-License-Identifier: Apache-2.0
// Picks the probe implementation for a check type.
#include <utility>

#include "haproxy_probe.hpp"
#include "http_probe.hpp"
#include "probe_env.hpp"
#include "tcp_probe.hpp"

namespace gslbd::probe {

Probe* start_probe(ProbeEnv& env, const health::CheckSpec& spec, const util::Address& target,
                   ProbeDone done) {
  switch (spec.type) {
    case health::CheckType::tcp:
      return start_tcp_check(env.loop, spec, target, std::move(done));
    case health::CheckType::agent:
      return start_agent_check(env.loop, spec, target, std::move(done));
    case health::CheckType::http:
    case health::CheckType::https:
      return start_http_check(env.loop, *env.curl, spec, target, std::move(done));
    case health::CheckType::icmp:
      return start_icmp_check(env.loop, *env.icmp, spec, target, std::move(done));
    case health::CheckType::haproxy:
      if (!spec.stats_page.empty()) {
        return start_http_check(env.loop, *env.curl, spec, target, std::move(done));
      }
      return start_haproxy_check(env.loop, spec, target, std::move(done));
    case health::CheckType::none:
      break;
  }
  // none never gets a runner; an unexpected type fails like a refused probe.
  health::CheckSpec tcp = spec;
  tcp.port = 0;
  return start_tcp_check(env.loop, tcp, target, std::move(done));
}

}  // namespace gslbd::probe
