// SPDX-License-Identifier: Apache-2.0
#include "load_json.hpp"

namespace gslbd::control {

void write_load(JsonWriter& json, const health::Load& load) {
  if (!load.known) {
    json.null();
    return;
  }
  json.begin_object();
  json.key("sessions").number(std::uint64_t{load.sessions});
  json.key("session_limit").number(std::uint64_t{load.session_limit});
  json.key("session_rate").number(std::uint64_t{load.session_rate});
  json.key("queue").number(std::uint64_t{load.queue});
  json.key("response_ms").number(std::uint64_t{load.response_ms});
  json.key("total_ms").number(std::uint64_t{load.total_ms});
  json.key("bytes_in_per_s").number(load.bytes_in_per_s);
  json.key("bytes_out_per_s").number(load.bytes_out_per_s);
  json.key("up_servers").number(std::uint64_t{load.up_servers});
  json.end_object();
}

}  // namespace gslbd::control
