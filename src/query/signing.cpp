// SPDX-License-Identifier: Apache-2.0
#include "signing.hpp"

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dnssec/compact_nsec.hpp"

namespace gslbd::query {

SignOutcome put_online_signatures(const SigningEnv& env, dns::Section section,
                                  std::string_view owner, std::string_view owner_lower,
                                  std::uint16_t type, std::uint32_t ttl,
                                  std::span<const std::uint8_t> records, std::uint16_t count,
                                  dns::ResponseWriter& writer) noexcept {
  if (env.cache == nullptr || owner_lower.empty() || owner_lower.size() != owner.size()) {
    return SignOutcome::failed;
  }
  const dnssec::CachedSignatures signatures =
      env.cache->get(*env.keys, {owner_lower, type, ttl, records, count}, env.now);
  if (signatures.count == 0) return SignOutcome::failed;
  if (!writer.rrset_at_last_owner(section, owner, dnssec::rrtype::RRSIG, dns::klass::IN, ttl,
                                  signatures.records.data(), signatures.records.size(),
                                  signatures.count)) {
    return SignOutcome::no_room;
  }
  return SignOutcome::written;
}

}  // namespace gslbd::query
