// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/signature_cache.hpp"

#include <cstring>

namespace gslbd::dnssec {
namespace {

constexpr std::size_t kSignatureRoom = ZoneKeys::kMaxSigners * (2 + kMaxRrsigRdata);
constexpr std::size_t kDataRoom =
    18 + 255 + SignatureCache::kMaxSignedRecords * (255 + 8) + 2 * SignatureCache::kMaxSignedOctets;

// A multiply-xorshift hash over the key's parts, eight octets a step. The slot holds the whole
// key, so the hash only places it and rejects most other keys before they are compared; it
// need not resist chosen collisions: a client who picks names can make misses anyway (each new
// name is one), and the work of a miss is bounded per query.
constexpr std::uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;

std::uint64_t mix(std::uint64_t h, const void* data, std::size_t n) noexcept {
  const auto* p = static_cast<const std::uint8_t*>(data);
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ word) * kMultiplier;
    h ^= h >> 29;
  }
  std::uint64_t word = n;
  for (std::size_t i = 0; i < n; ++i) word = (word << 8) | p[i];
  h = (h ^ word) * kMultiplier;
  return h ^ (h >> 29);
}

// The final avalanche (from MurmurHash3's fmix64): the set index uses the low bits.
std::uint64_t finish(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

std::size_t key_size(const RRsetView& rrset) noexcept {
  return rrset.owner.size() + 6 + rrset.records.size();
}

}  // namespace

struct SignatureCache::Slot {
  std::uint64_t keys_id = 0;  // 0 = empty
  std::uint64_t hash = 0;     // of the key, compared before the key itself
  std::uint64_t used = 0;     // clock_ at the last hit, to choose the way to replace
  std::uint32_t refresh_at = 0;
  std::uint16_t key_size = 0;
  std::uint16_t signature_size = 0;
  std::uint16_t signature_count = 0;
  std::uint8_t key[kMaxKey];
  std::uint8_t signatures[kSignatureRoom];
};

SignatureCache::SignatureCache(std::size_t slots)
    : data_(new std::uint8_t[kDataRoom]),
      order_(new std::uint32_t[kMaxSignedRecords]),
      scratch_(new std::uint8_t[kSignatureRoom]) {
  std::size_t count = 2;
  while (count < slots) count <<= 1;
  slot_count_ = count;
  slots_.reset(new Slot[count]);
}

SignatureCache::~SignatureCache() = default;

bool SignatureCache::sign_into(const ZoneKeys& keys, const RRsetView& rrset, std::uint32_t now,
                               std::uint8_t* out, std::size_t& length,
                               std::uint16_t& count) noexcept {
  length = 0;
  count = 0;
  const Validity validity = keys.validity_at(now);
  for (const Key& key : keys.keys()) {
    if (!ZoneKeys::signs(key, rrset.type) || count == ZoneKeys::kMaxSigners) continue;
    const std::size_t made =
        sign_rrset(key, keys.apex(), rrset, validity,
                   {std::span(data_.get(), kDataRoom), std::span(order_.get(), kMaxSignedRecords)},
                   out + length + 2);
    if (made == 0) return false;
    out[length] = static_cast<std::uint8_t>(made >> 8);
    out[length + 1] = static_cast<std::uint8_t>(made & 0xff);
    length += 2 + made;
    ++count;
  }
  return count > 0;
}

CachedSignatures SignatureCache::get(const ZoneKeys& keys, const RRsetView& rrset,
                                     std::uint32_t now) noexcept {
  if (rrset.count > kMaxSignedRecords || rrset.records.size() > kMaxSignedOctets) {
    ++counters_.failures;
    return {};
  }
  const std::size_t size = key_size(rrset);
  std::uint8_t fixed[6] = {
      static_cast<std::uint8_t>(rrset.type >> 8), static_cast<std::uint8_t>(rrset.type),
      static_cast<std::uint8_t>(rrset.ttl >> 24), static_cast<std::uint8_t>(rrset.ttl >> 16),
      static_cast<std::uint8_t>(rrset.ttl >> 8),  static_cast<std::uint8_t>(rrset.ttl)};
  if (size > kMaxKey) {
    ++counters_.uncached;
    std::size_t length = 0;
    std::uint16_t count = 0;
    if (!sign_into(keys, rrset, now, scratch_.get(), length, count)) {
      ++counters_.failures;
      return {};
    }
    return {{scratch_.get(), length}, count};
  }
  std::uint64_t hash = mix(keys.id() * kMultiplier, rrset.owner.data(), rrset.owner.size());
  hash = mix(hash, fixed, sizeof fixed);
  hash = finish(mix(hash, rrset.records.data(), rrset.records.size()));
  const std::size_t set = (hash & (slot_count_ / 2 - 1)) * 2;
  ++clock_;
  const auto matches = [&](const Slot& slot) {
    return slot.hash == hash && slot.keys_id == keys.id() && slot.key_size == size &&
           std::memcmp(slot.key, rrset.owner.data(), rrset.owner.size()) == 0 &&
           std::memcmp(slot.key + rrset.owner.size(), fixed, sizeof fixed) == 0 &&
           std::memcmp(slot.key + rrset.owner.size() + 6, rrset.records.data(),
                       rrset.records.size()) == 0;
  };
  for (std::size_t way = 0; way < 2; ++way) {
    Slot& slot = slots_[set + way];
    if (matches(slot) && now < slot.refresh_at) {
      slot.used = clock_;
      ++counters_.hits;
      return {{slot.signatures, slot.signature_size}, slot.signature_count};
    }
  }
  // The way to fill: the one holding this key (stale), else the least recently used.
  std::size_t way = slots_[set].used <= slots_[set + 1].used ? 0 : 1;
  if (matches(slots_[set + 1])) way = 1;
  if (matches(slots_[set])) way = 0;
  Slot& slot = slots_[set + way];
  slot.keys_id = 0;
  std::size_t length = 0;
  std::uint16_t count = 0;
  if (!sign_into(keys, rrset, now, slot.signatures, length, count)) {
    ++counters_.failures;
    return {};
  }
  ++counters_.misses;
  std::memcpy(slot.key, rrset.owner.data(), rrset.owner.size());
  std::memcpy(slot.key + rrset.owner.size(), fixed, sizeof fixed);
  std::memcpy(slot.key + rrset.owner.size() + 6, rrset.records.data(), rrset.records.size());
  slot.key_size = static_cast<std::uint16_t>(size);
  slot.hash = hash;
  slot.keys_id = keys.id();
  slot.used = clock_;
  // Signed again once half the validity has passed, so that a cached signature handed out
  // always has at least half its validity left.
  slot.refresh_at = now + keys.times().validity / 2;
  slot.signature_size = static_cast<std::uint16_t>(length);
  slot.signature_count = count;
  return {{slot.signatures, length}, count};
}

}  // namespace gslbd::dnssec
