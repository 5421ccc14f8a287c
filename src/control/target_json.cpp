// SPDX-License-Identifier: Apache-2.0
#include "target_json.hpp"

#include "time_text.hpp"

namespace gslbd::control {

void write_member_address(JsonWriter& json, const pool::Member& member,
                          const probe::MemberStatus* status) {
  json.key("address");
  if (member.target.empty()) {
    json.string(util::address_text(member.address));
    return;
  }
  json.null();
  json.key("target").string(member.target);
  json.key("resolved").begin_array();
  if (status != nullptr) {
    for (const std::string& address : status->resolved) json.string(address);
  }
  json.end_array();
  // check_address overrides the resolution: the checks probe it, and the name is not resolved.
  json.key("checks_probe");
  if (member.check_address.family != 0) {
    json.string(util::address_text(member.check_address));
  } else if (status != nullptr && !status->resolved.empty()) {
    json.string(status->resolved.front());
  } else {
    json.null();
  }
  json.key("resolved_at");
  if (status != nullptr && status->resolved_at) {
    json.string(rfc3339(*status->resolved_at));
  } else {
    json.null();
  }
  json.key("resolve_error");
  if (status != nullptr && !status->resolve_error.empty()) {
    json.string(status->resolve_error);
  } else {
    json.null();
  }
}

}  // namespace gslbd::control
