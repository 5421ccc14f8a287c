// SPDX-License-Identifier: Apache-2.0
#include "gslbd/rrl/rate_table.hpp"

#include <cstring>

#include "gslbd/dns/siphash.hpp"

namespace gslbd::rrl {

const char* category_name(Category category) noexcept {
  static constexpr const char* kNames[kCategories] = {"answer", "nodata", "nxdomain", "referral",
                                                      "error"};
  const auto i = static_cast<std::size_t>(category);
  return i < kCategories ? kNames[i] : "other";
}

std::size_t RateTable::size_for(std::size_t entries) noexcept {
  std::size_t size = kBucket;
  while (size < entries) size <<= 1;
  return size;
}

void RateTable::resize(std::size_t entries) {
  const std::size_t size = size_for(entries);
  entries_ = std::make_unique<Entry[]>(size);
  mask_ = size - 1;
}

void RateTable::release() noexcept {
  entries_.reset();
  mask_ = 0;
}

void RateTable::set_hash_key(const std::uint8_t* key16) noexcept {
  std::memcpy(hash_key_, key16, sizeof hash_key_);
}

RateTable::Entry& RateTable::find(std::uint64_t hash, std::uint32_t now_s, bool& fresh) noexcept {
  Entry* bucket = entries_.get() + ((hash >> 8) & mask_ & ~(kBucket - 1));
  Entry* victim = bucket;
  std::int64_t victim_idle = -1;
  for (std::size_t i = 0; i < kBucket; ++i) {
    Entry& e = bucket[i];
    if (e.key == hash) {
      fresh = false;
      return e;
    }
    // A free entry is the best victim; then the one idle for longest.
    const std::int64_t idle =
        e.key == 0 ? INT64_MAX
                   : static_cast<std::int64_t>(static_cast<std::int32_t>(now_s - e.last_s));
    if (idle > victim_idle) {
      victim_idle = idle;
      victim = &e;
    }
  }
  fresh = true;
  *victim = Entry{};
  victim->key = hash;
  return *victim;
}

Decision RateTable::account(Category category, const std::uint8_t* key, std::size_t key_len,
                            std::uint32_t now_s) noexcept {
  const auto rate = static_cast<std::int32_t>(limits_.rate[static_cast<std::size_t>(category)]);
  if (!entries_ || rate <= 0) return {};
  std::uint64_t hash = dns::siphash24(hash_key_, key, key_len);
  if (hash == 0) hash = 1;
  bool fresh = false;
  Entry& e = find(hash, now_s, fresh);
  const auto window = static_cast<std::int32_t>(limits_.window_s);
  if (fresh) {
    e.balance = rate;
    e.last_s = now_s;
  } else {
    const auto age = static_cast<std::int32_t>(now_s - e.last_s);
    if (age > 0) {
      // Credits earned since the last response; a key idle for longer than the window starts
      // over, as if new.
      if (age > window) {
        e.balance = rate;
        e.slip_count = 0;
      } else {
        e.balance += rate * age;
        if (e.balance >= rate) {
          e.balance = rate;
          e.slip_count = 0;
        }
      }
      e.last_s = now_s;
    }
  }
  if (--e.balance >= 0) {
    e.limited = false;
    return {};
  }
  if (e.balance < -window * rate) e.balance = -window * rate;
  Decision decision;
  decision.started = !e.limited;
  e.limited = true;
  decision.verdict = Verdict::drop;
  const std::uint32_t slip = limits_.slip;
  if (slip != 0) {
    // The first limited response slips, then every slip-th one.
    if (e.slip_count++ == 0) decision.verdict = Verdict::slip;
    if (e.slip_count >= slip) e.slip_count = 0;
  }
  return decision;
}

}  // namespace gslbd::rrl
