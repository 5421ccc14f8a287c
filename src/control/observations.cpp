// SPDX-License-Identifier: Apache-2.0
#include "observations.hpp"

#include <unordered_map>

#include "json_writer.hpp"
#include "pool_digest.hpp"
#include "time_text.hpp"

namespace gslbd::control {

std::string render_observations(const ObservationsInput& in) {
  std::unordered_map<std::string, const probe::MemberStatus*> by_key;
  for (const probe::MemberStatus& s : in.members) by_key.emplace(s.key, &s);
  const runtime::Config* config = in.snapshot != nullptr ? in.snapshot->config.get() : nullptr;
  const pool::PoolSet* pools = config != nullptr ? config->pools.get() : nullptr;
  const std::uint64_t generation = in.snapshot != nullptr ? in.snapshot->generation : 0;

  JsonWriter json;
  json.begin_object();
  json.key("format").number(kObservationsFormat);
  json.key("instance").string(in.instance);
  json.key("generation").number(generation);
  json.key("now").string(rfc3339(in.now));
  json.key("pools").begin_array();
  if (pools != nullptr) {
    for (const pool::Pool& pool : pools->pools) {
      json.begin_object();
      json.key("name").string(pool.name);
      json.key("digest").string(pool_digest(*pools, pool));
      json.key("members").begin_array();
      for (const pool::Member& member : pool.members) {
        const auto found = by_key.find(pool.name + "/" + member.name);
        const probe::MemberStatus* s = found != by_key.end() ? found->second : nullptr;
        json.begin_object();
        json.key("name").string(member.name);
        // A member without checks is always up and needs no probe: its observation never ages.
        const bool checked = !member.checks.empty();
        json.key("known").boolean(!checked || (s != nullptr && s->checks_known));
        json.key("up").boolean(!checked || (s != nullptr && s->checks_up));
        json.key("age_ms");
        if (!checked) {
          json.number(0u);
        } else if (s != nullptr && s->last_probe_at) {
          const auto ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(in.now - *s->last_probe_at)
                  .count();
          json.number(static_cast<std::uint64_t>(ms > 0 ? ms : 0));
        } else {
          json.null();  // never probed yet: no observation
        }
        json.key("generation").number(generation);
        json.end_object();
      }
      json.end_array();
      json.end_object();
    }
  }
  json.end_array();
  if (in.actions != nullptr) {
    json.key("actions");
    write_actions(json, *in.actions);
  }
  json.end_object();
  return json.take();
}

}  // namespace gslbd::control
