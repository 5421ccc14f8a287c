// SPDX-License-Identifier: Apache-2.0
// A worker's signatures for RRsets that exist only per query (compact denial NSECs, wildcard
// answers under the expanded name, service answers): a fixed-size, two-way set-associative
// table keyed by the RRset's whole content (zone keys, owner, type, TTL, records). A hit
// copies nothing and takes no lock; a miss signs into the slot of the older way, so the work
// per query is bounded by one signing per key (at most ZoneKeys::kMaxSigners) per RRset, and
// the memory by the slot count, fixed at construction. Owned by one answering thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "gslbd/dnssec/signer.hpp"
#include "gslbd/dnssec/zone_keys.hpp"

namespace gslbd::dnssec {

struct CachedSignatures {
  std::span<const std::uint8_t> records;  // RRSIG records in stored form; empty on failure
  std::uint16_t count = 0;
};

struct SignatureCacheCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;    // signed and stored
  std::uint64_t uncached = 0;  // too large for a slot: signed into scratch every time
  std::uint64_t failures = 0;  // could not sign (the answer then goes out unsigned: bogus)
};

class SignatureCache {
 public:
  // The largest RRset key a slot holds: owner, type, TTL and records; larger RRsets are
  // signed each time (bounded by kMaxSignedRecords and kMaxSignedOctets below).
  static constexpr std::size_t kMaxKey = 320;
  // What the query path signs at most: larger RRsets are refused (never served under an
  // online signature; the loader refuses wildcard RRsets beyond these in signed zones).
  static constexpr std::size_t kMaxSignedRecords = 64;
  static constexpr std::size_t kMaxSignedOctets = 4096;

  // slots is rounded up to a power of two (at least 2). Allocates the table once.
  explicit SignatureCache(std::size_t slots = 1024);
  ~SignatureCache();
  SignatureCache(const SignatureCache&) = delete;
  SignatureCache& operator=(const SignatureCache&) = delete;

  // The RRSIGs of rrset (owner lowercase) by every key of keys that signs its type, valid at
  // now. The span stays valid until the next call. noexcept; no allocation of ours.
  CachedSignatures get(const ZoneKeys& keys, const RRsetView& rrset, std::uint32_t now) noexcept;

  const SignatureCacheCounters& counters() const noexcept { return counters_; }
  std::size_t slots() const noexcept { return slot_count_; }

 private:
  struct Slot;
  bool sign_into(const ZoneKeys& keys, const RRsetView& rrset, std::uint32_t now, std::uint8_t* out,
                 std::size_t& length, std::uint16_t& count) noexcept;

  std::unique_ptr<Slot[]> slots_;
  std::size_t slot_count_ = 0;
  std::uint64_t clock_ = 0;
  SignatureCacheCounters counters_;
  // Working space of one signing, and the result of an uncached one.
  std::unique_ptr<std::uint8_t[]> data_;
  std::unique_ptr<std::uint32_t[]> order_;
  std::unique_ptr<std::uint8_t[]> scratch_;
};

}  // namespace gslbd::dnssec
