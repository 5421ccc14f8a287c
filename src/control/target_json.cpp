// SPDX-License-Identifier: Apache-2.0
#include "target_json.hpp"

#include "time_text.hpp"

namespace gslbd::control {

void write_check_verdict_list(JsonWriter& json, const std::vector<probe::CheckStatus>& checks) {
  json.begin_array();
  for (const probe::CheckStatus& check : checks) {
    json.begin_object();
    json.key("check").string(check.check);
    json.key("inverted").boolean(check.inverted);
    json.key("up").boolean(check.up);
    json.key("known").boolean(check.known);
    json.end_object();
  }
  json.end_array();
}

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
  } else if (status != nullptr && !status->checks_probe.empty()) {
    json.string(status->checks_probe);
  } else {
    json.null();
  }
  // The checks' verdicts at each address probed; a member is up when one address passes.
  json.key("addresses").begin_array();
  if (status != nullptr) {
    for (const probe::MemberStatus::AddressStatus& address : status->addresses) {
      json.begin_object();
      json.key("address").string(address.address);
      json.key("up").boolean(address.up);
      json.key("known").boolean(address.known);
      json.key("checks_outcome").string(address.outcome);
      json.key("check_verdicts");
      write_check_verdict_list(json, address.checks);
      json.end_object();
    }
  }
  json.end_array();
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
  json.key("resolve_failures")
      .number(std::uint64_t{status != nullptr ? status->resolve_failures : 0});
}

}  // namespace gslbd::control
