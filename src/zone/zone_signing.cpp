// SPDX-License-Identifier: Apache-2.0
#include "gslbd/zone/zone_signing.hpp"

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dnssec/compact_nsec.hpp"
#include "gslbd/dnssec/signature_cache.hpp"
#include "gslbd/dnssec/signer.hpp"

namespace gslbd::zone {
namespace {

// What the zone serves with its signatures: everything but the parent side of a delegation
// (its NS set and the glue at and below it; the DS set at the cut is the parent's and signed).
bool authoritative(const Zone& zone, std::uint32_t n, std::uint16_t type) {
  const Node& node = zone.node(n);
  if (node.cut == kNoNode) return true;
  return node.cut == n && type == dns::type::DS;
}

bool is_wildcard(std::string_view name) {
  return name.size() >= 2 && name[0] == 1 && name[1] == '*';
}

}  // namespace

std::string add_key_records(ZoneBuilder& builder, const dnssec::ZoneKeys& keys, std::uint32_t ttl,
                            bool with_cds) {
  for (const dnssec::Key& key : keys.keys()) {
    std::string refusal =
        builder.add_record(keys.apex(), dnssec::rrtype::DNSKEY, ttl, key.dnskey_rdata);
    if (!refusal.empty()) return key.path + ": " + refusal;
    if (!with_cds || !key.signs_keys()) continue;
    refusal = builder.add_record(keys.apex(), dnssec::rrtype::CDNSKEY, ttl, key.dnskey_rdata);
    if (refusal.empty()) {
      refusal = builder.add_record(keys.apex(), dnssec::rrtype::CDS, ttl,
                                   dnssec::ds_rdata(keys.apex(), key.dnskey_rdata));
    }
    if (!refusal.empty()) return key.path + ": " + refusal;
  }
  return {};
}

std::string sign_zone(Zone& zone, std::shared_ptr<const dnssec::ZoneKeys> keys, std::uint32_t now) {
  const dnssec::Validity validity = keys->validity_at(now);
  std::vector<Zone::SignatureRef> refs(zone.rrsets_.size());
  std::vector<std::uint8_t> arena;
  std::vector<std::uint8_t> data;
  std::vector<std::uint32_t> order;
  std::uint8_t rrsig[dnssec::kMaxRrsigRdata];
  for (std::uint32_t n = 0; n < zone.node_count(); ++n) {
    const Node& node = zone.node(n);
    for (const RRset& set : node.rrsets()) {
      if (!authoritative(zone, n, set.type)) continue;
      const dnssec::RRsetView view{node.name(), set.type, set.ttl, set.records(), set.count};
      if (is_wildcard(node.name()) &&
          (set.count > dnssec::SignatureCache::kMaxSignedRecords ||
           set.records().size() > dnssec::SignatureCache::kMaxSignedOctets)) {
        return "the wildcard RRset of type " + std::to_string(set.type) + " at " +
               dns::name_to_text(node.name()) + " has more than " +
               std::to_string(dnssec::SignatureCache::kMaxSignedRecords) + " records or " +
               std::to_string(dnssec::SignatureCache::kMaxSignedOctets) +
               " octets, too large to be signed per query under each name it answers for";
      }
      data.resize(dnssec::signed_data_size(view, keys->apex()));
      order.resize(set.count);
      Zone::SignatureRef& ref = refs[static_cast<std::size_t>(&set - zone.rrsets_.data())];
      ref.offset = static_cast<std::uint32_t>(arena.size());
      for (const dnssec::Key& key : keys->keys()) {
        if (!dnssec::ZoneKeys::signs(key, set.type)) continue;
        const std::size_t length =
            dnssec::sign_rrset(key, keys->apex(), view, validity, {data, order}, rrsig);
        if (length == 0) {
          return "signing the RRset of type " + std::to_string(set.type) + " at " +
                 dns::name_to_text(node.name()) + " with " + key.path + " failed";
        }
        arena.push_back(static_cast<std::uint8_t>(length >> 8));
        arena.push_back(static_cast<std::uint8_t>(length & 0xff));
        arena.insert(arena.end(), rrsig, rrsig + length);
        ++ref.count;
      }
      ref.size = static_cast<std::uint16_t>(arena.size() - ref.offset);
    }
  }
  zone.signature_refs_ = std::move(refs);
  zone.signature_arena_ = std::move(arena);
  zone.keys_ = std::move(keys);
  return {};
}

std::uint32_t signed_at(const Zone& zone) noexcept {
  // Every static signature of a load carries the same inception: the signing time, backdated.
  const Signatures soa = zone.signatures(zone.soa());
  if (zone.keys() == nullptr || soa.records.size() < 2 + 16) return 0;
  const std::uint8_t* inception = soa.records.data() + 2 + 12;
  const std::uint32_t value = (std::uint32_t{inception[0]} << 24) |
                              (std::uint32_t{inception[1]} << 16) |
                              (std::uint32_t{inception[2]} << 8) | inception[3];
  return value + zone.keys()->times().inception_offset;
}

std::uint32_t refresh_time(const ZoneSet& zones) noexcept {
  std::uint32_t earliest = 0;
  for (const auto& zone : zones.zones()) {
    if (zone->keys() == nullptr) continue;
    const std::uint32_t at = signed_at(*zone) + zone->keys()->times().validity / 2;
    if (earliest == 0 || at < earliest) earliest = at;
  }
  return earliest;
}

}  // namespace gslbd::zone
