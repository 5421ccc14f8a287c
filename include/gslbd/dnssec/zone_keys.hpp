// SPDX-License-Identifier: Apache-2.0
// Everything a signed zone needs to sign: its keys with their roles, the signature validity
// and the inception backdating. Built at load; immutable and shared by the zone and the
// workers afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gslbd/dnssec/key.hpp"
#include "gslbd/dnssec/signer.hpp"

namespace gslbd::dnssec {

struct SigningTimes {
  std::uint32_t validity = 14 * 86400;    // expiration = now + validity
  std::uint32_t inception_offset = 3600;  // inception = now - offset, for clients' clock skew
};

class ZoneKeys {
 public:
  // At most this many keys sign one RRset (a CSK or a ZSK, and a second during an algorithm
  // rollover); what the query path's buffers are sized for.
  static constexpr std::size_t kMaxSigners = 2;

  ZoneKeys(std::string apex_wire, std::vector<Key> keys, SigningTimes times);

  const std::string& apex() const noexcept { return apex_; }
  const std::vector<Key>& keys() const noexcept { return keys_; }
  const SigningTimes& times() const noexcept { return times_; }
  // Unique in the process for each ZoneKeys made, so that a worker's cached signatures from an
  // earlier load are never taken for this one's.
  std::uint64_t id() const noexcept { return id_; }

  // The validity of a signature made at unix time now.
  Validity validity_at(std::uint32_t now) const noexcept {
    return {now - times_.inception_offset, now + times_.validity};
  }

  // Whether key signs an RRset of this type: DNSKEY, CDS and CDNSKEY by the KSKs (or CSKs),
  // everything else by the ZSKs (or CSKs).
  static bool signs(const Key& key, std::uint16_t type) noexcept;

  // Refuses a set of keys that cannot sign a zone (no active key for the zone's data or for
  // its DNSKEY set, more than kMaxSigners signing one kind of RRset, two keys with one tag and
  // algorithm); returns "" or the reason.
  std::string check() const;

  // The DS records to give the parent, one per key-signing key (KSK or CSK), as zone file
  // lines ("zone. IN DS tag alg 2 digest"), for --check-config and gslbctl.
  std::vector<std::string> ds_lines() const;

 private:
  std::string apex_;
  std::vector<Key> keys_;
  SigningTimes times_;
  std::uint64_t id_;
};

}  // namespace gslbd::dnssec
