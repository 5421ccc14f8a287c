// SPDX-License-Identifier: Apache-2.0
// Response rate limiting (RRL) accounting with the semantics of BIND's RRL: each response is
// classed (answer, nodata, NXDOMAIN, referral, error) and keyed by the client network and what
// it is about; the key's balance earns `rate` credits per second up to `rate`, each response
// spends one, and a response that finds the balance below zero is limited. The balance can
// sink to -window x rate, so a client that floods must stay quiet for up to `window` seconds
// to be answered again. Of the limited responses, the first and then every `slip`-th slips
// out (as TC=1, or BADCOOKIE to a client with a cookie); the rest are dropped.
//
// The table has a fixed number of entries, allocated when configured; a key lives in one
// 4-entry bucket chosen by a keyed hash (SipHash-2-4 with a per-table random key, so a client
// cannot aim at a bucket) and, when its bucket is full, replaces the entry idle for longest.
// One table per answering thread, used only by it: no locks, atomics or allocation per query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace gslbd::rrl {

enum class Category : std::uint8_t {
  answer = 0,
  nodata = 1,
  nxdomain = 2,
  referral = 3,
  error = 4
};
inline constexpr std::size_t kCategories = 5;
const char* category_name(Category category) noexcept;

struct Limits {
  std::uint32_t rate[kCategories] = {5, 5, 5, 5, 5};  // per second; 0 = that class unlimited
  std::uint32_t window_s = 15;                        // 1..3600
  std::uint32_t slip = 2;                             // 0 = drop every limited response
  bool operator==(const Limits&) const = default;
};

enum class Verdict : std::uint8_t { pass, drop, slip };

struct Decision {
  Verdict verdict = Verdict::pass;
  // This key has just gone over its rate (its first limited response since it was last
  // within it): worth one log line.
  bool started = false;
};

class RateTable {
 public:
  RateTable() = default;

  // The size a table made for `entries` has: a power of two, at least one bucket.
  static std::size_t size_for(std::size_t entries) noexcept;

  // Control of the owning thread (once per reload): sizes the table to size_for(entries) and
  // forgets every key. Allocates.
  void resize(std::size_t entries);
  void release() noexcept;  // frees the table (rate limiting turned off)
  void set_limits(const Limits& limits) noexcept { limits_ = limits; }
  void set_hash_key(const std::uint8_t* key16) noexcept;
  std::size_t capacity() const noexcept { return entries_ ? mask_ + 1 : 0; }
  const Limits& limits() const noexcept { return limits_; }

  // Query path: accounts one response of `category` whose key is [key, key+key_len) (client
  // network and what the response is about) at now_s (seconds; time that goes back counts as
  // none). noexcept, no allocation. Always pass when the table is empty.
  Decision account(Category category, const std::uint8_t* key, std::size_t key_len,
                   std::uint32_t now_s) noexcept;

 private:
  struct Entry {
    std::uint64_t key = 0;  // 0 = free
    std::int32_t balance = 0;
    std::uint32_t last_s = 0;  // when the balance was last credited
    std::uint32_t slip_count = 0;
    bool limited = false;
  };
  static constexpr std::size_t kBucket = 4;

  Entry& find(std::uint64_t hash, std::uint32_t now_s, bool& fresh) noexcept;

  std::unique_ptr<Entry[]> entries_;
  std::size_t mask_ = 0;
  Limits limits_;
  std::uint8_t hash_key_[16] = {};
};

}  // namespace gslbd::rrl
