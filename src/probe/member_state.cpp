#include "member_state.hpp"

#include <cmath>

namespace gslbd::probe {

void absorb(MemberState& member, const ProbeResult& result) noexcept {
  if (result.ok && result.rtt_us > 0) {
    const double sample = result.rtt_us;
    member.rtt_us =
        member.rtt_us == 0 ? sample : kRttAlpha * sample + (1 - kRttAlpha) * member.rtt_us;
  }
  if (result.agent_weight >= 0) {
    member.agent_weight =
        static_cast<std::uint8_t>(result.agent_weight > 255 ? 255 : result.agent_weight);
  }
  if (result.agent_drain) {
    member.agent_drain = true;
  } else if (result.agent_ready) {
    member.agent_drain = false;
  }
  if (!result.ok) {
    try {
      member.last_error = result.error;
    } catch (...) {  // out of memory: keep the old text
    }
  }
}

health::Health derive(const MemberState& member) noexcept {
  bool all_up = true;
  bool all_known = true;
  for (const CheckRunner* runner : member.runners) {
    all_up = all_up && runner->machine().up();
    all_known = all_known && runner->machine().known();
  }
  health::Health h;
  h.forced = member.forced.has_value();
  h.up = member.forced.value_or(all_up);
  h.known = h.forced || all_known;
  h.drained = member.admin_drain || member.agent_drain;
  h.agent_weight = member.agent_weight;
  const double rtt = std::round(member.rtt_us);
  h.rtt_us = rtt >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(rtt);
  if (member.rtt_us > 0 && h.rtt_us == 0) h.rtt_us = 1;
  return h;
}

MemberStatus status_of(const MemberState& member) {
  MemberStatus s;
  s.key = member.key;
  s.up = member.published.up;
  s.known = member.published.known;
  s.drained = member.published.drained;
  s.forced = member.published.forced;
  s.since_steady = member.since_steady;
  s.since = member.since;
  s.last_error = member.last_error;
  s.rtt_us = member.published.rtt_us;
  s.agent_weight = member.published.agent_weight;
  return s;
}

}  // namespace gslbd::probe
