// SPDX-License-Identifier: Apache-2.0
#include "service_answer.hpp"

#include <cstring>

#include "gslbd/pool/selection.hpp"

namespace gslbd::query {

util::Client client_of(const dns::Query& query, const util::Address& source,
                       bool use_client_subnet) noexcept {
  util::Client client;
  if (use_client_subnet && query.has_client_subnet) {
    client.address.family = query.client_subnet.family == 1 ? 4 : 6;
    std::memcpy(client.address.bytes.data(), query.client_subnet.address, 16);
    client.prefix = query.client_subnet.source_prefix;
    client.from_ecs = true;
  } else {
    client.address = source;
    client.prefix = source.family == 4 ? 32 : source.family == 6 ? 128 : 0;
  }
  return client;
}

namespace {

pool::Selection select_for(const zone::Service& service, std::uint8_t family,
                           const ServiceEnv& env) noexcept {
  pool::SelectContext context{env.policy_state->rng(), env.policy_state->round_robin()};
  const pool::Selection selection = pool::select_members(
      *env.pools, static_cast<std::uint32_t>(service.pool_index), family, env.client, context);
  if (env.ecs_scope) *env.ecs_scope = selection.ecs_scope;
  if (env.record) {
    env.record->pool = service.pool_index;
    env.record->outcome = static_cast<stats::PoolOutcome>(selection.outcome);
    env.record->selected = static_cast<std::uint8_t>(selection.count);
    for (std::uint32_t i = 0; i < selection.count && selection.pool; ++i) {
      env.record->selected_slots[i] = selection.pool->members[selection.members[i]].health_slot;
    }
  }
  return selection;
}

// A pool of host names: one CNAME to the chosen member, whatever the type asked (RFC 1034
// section 3.6.2: a name with a CNAME has no other data).
ServiceResult answer_by_name(const zone::Service& service, std::string_view owner,
                             std::string_view owner_lower, const ServiceEnv& env,
                             dns::ResponseWriter& writer, std::string_view* target) noexcept {
  const pool::Selection selection = select_for(service, pool::kNameFamily, env);
  if (selection.servfail) return ServiceResult::servfail;
  if (selection.count == 0 || selection.pool == nullptr) return ServiceResult::nodata;
  const std::vector<std::uint8_t>& record =
      selection.pool->members[selection.members[0]].target_record;
  if (record.size() < 3) return ServiceResult::servfail;  // never from the loader; fail closed
  const std::uint32_t ttl = selection.degraded ? service.degraded_ttl : service.ttl;
  if (!writer.rrset(dns::Section::answer, owner, dns::type::CNAME, dns::klass::IN, ttl,
                    record.data(), record.size(), 1)) {
    return ServiceResult::truncated;
  }
  if (env.signing.on()) {
    switch (put_online_signatures(env.signing, dns::Section::answer, owner, owner_lower,
                                  dns::type::CNAME, ttl, {record.data(), record.size()}, 1,
                                  writer)) {
      case SignOutcome::written:
        break;
      case SignOutcome::no_room:
        return ServiceResult::truncated;
      case SignOutcome::failed:
        writer.truncate_to_question();
        return ServiceResult::servfail;
    }
  }
  if (target != nullptr) {
    *target = {reinterpret_cast<const char*>(record.data() + 2), record.size() - 2};
  }
  return ServiceResult::aliased;
}

}  // namespace

ServiceResult answer_service(const zone::Service& service, const dns::Query& query,
                             std::string_view owner, std::string_view owner_lower,
                             const ServiceEnv& env, dns::ResponseWriter& writer,
                             std::string_view* target) noexcept {
  if (env.pools == nullptr || env.policy_state == nullptr || service.pool_index < 0 ||
      static_cast<std::size_t>(service.pool_index) >= env.pools->pools.size()) {
    return ServiceResult::servfail;  // cannot happen with a loaded config; fail closed
  }
  if (env.pools->pools[static_cast<std::size_t>(service.pool_index)].by_name) {
    return answer_by_name(service, owner, owner_lower, env, writer, target);
  }
  // RFC 8482 lets ANY be answered with one RRset: the A set stands for the name.
  const std::uint16_t qtype = query.qtype == dns::type::ANY ? dns::type::A : query.qtype;
  if (qtype != dns::type::A && qtype != dns::type::AAAA) return ServiceResult::nodata;
  const std::uint8_t family = qtype == dns::type::A ? 4 : 6;
  const pool::Selection selection = select_for(service, family, env);
  if (selection.servfail) return ServiceResult::servfail;
  if (selection.count == 0 || selection.pool == nullptr) return ServiceResult::nodata;

  // rdlength + address for each chosen member, as RRset records are stored.
  const std::size_t octets = family == 4 ? 4 : 16;
  std::uint8_t records[pool::kMaxRecords * (2 + 16)];
  std::size_t length = 0;
  for (std::uint32_t i = 0; i < selection.count; ++i) {
    const pool::Member& member = selection.pool->members[selection.members[i]];
    records[length] = 0;
    records[length + 1] = static_cast<std::uint8_t>(octets);
    std::memcpy(records + length + 2, member.address.bytes.data(), octets);
    length += 2 + octets;
  }
  const std::uint32_t ttl = selection.degraded ? service.degraded_ttl : service.ttl;
  const auto count = static_cast<std::uint16_t>(selection.count);
  if (!writer.rrset(dns::Section::answer, owner, qtype, dns::klass::IN, ttl, records, length,
                    count)) {
    return ServiceResult::truncated;
  }
  if (!env.signing.on()) return ServiceResult::answered;
  // The signature covers the set, not its order (RFC 4034 section 6.3): keyed by the sorted
  // records, each choice of members costs one signature whatever order the policy gave.
  const std::size_t stride = 2 + octets;
  for (std::size_t i = stride; i < length; i += stride) {
    for (std::size_t j = i; j > 0 && std::memcmp(records + j - stride, records + j, stride) > 0;
         j -= stride) {
      std::uint8_t swap[2 + 16];
      std::memcpy(swap, records + j, stride);
      std::memcpy(records + j, records + j - stride, stride);
      std::memcpy(records + j - stride, swap, stride);
    }
  }
  switch (put_online_signatures(env.signing, dns::Section::answer, owner, owner_lower, qtype, ttl,
                                {records, length}, count, writer)) {
    case SignOutcome::written:
      return ServiceResult::answered;
    case SignOutcome::no_room:
      return ServiceResult::truncated;
    case SignOutcome::failed:
      break;
  }
  // Unsigned, the answer would be bogus at every validator; say so plainly.
  writer.truncate_to_question();
  return ServiceResult::servfail;
}

}  // namespace gslbd::query
