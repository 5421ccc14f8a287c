// SPDX-License-Identifier: Apache-2.0
// Making RRSIG records (RFC 4034 sections 3 and 6, RFC 4035 section 2.2) for one RRset given as
// gslbd stores RRsets (per record: rdlength, then rdata with names as written). Used at load
// to sign the static data and on the query path for what only exists per query (compact
// denial NSECs, wildcard answers under the expanded name, service answers). No allocation of
// ours: the caller gives the working buffers; OpenSSL allocates inside the signing call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gslbd/dnssec/key.hpp"

namespace gslbd::dnssec {

// RRSIG rdata: 18 fixed octets, the signer's name, a signature of at most 64 octets.
inline constexpr std::size_t kMaxRrsigRdata = 18 + 255 + 64;

struct Validity {
  std::uint32_t inception = 0;  // serial number arithmetic seconds (RFC 4034 section 3.1.5)
  std::uint32_t expiration = 0;
};

// The RRset to sign. owner is a lowercase wire name (the name the RRset is served under, so
// the expanded name for a wildcard answer); records is the stored form.
struct RRsetView {
  std::string_view owner;
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::span<const std::uint8_t> records;
  std::uint16_t count = 0;
};

// Working space for one signing: data holds the signed data (RFC 4034 section 3.1.8.1), order
// one entry per record. At load both are sized to the RRset; on the query path they are the
// worker's fixed buffers, and an RRset that does not fit is refused (returns 0).
struct SignBuffers {
  std::span<std::uint8_t> data;
  std::span<std::uint32_t> order;
};

// Octets SignBuffers::data needs to sign rrset (the signed data and room to sort it).
std::size_t signed_data_size(const RRsetView& rrset, std::string_view signer) noexcept;

// RRSIG labels field (RFC 4034 section 3.1.3): labels of owner without the root and a leading
// wildcard label.
std::uint8_t rrsig_labels(std::string_view owner) noexcept;

// Writes the RRSIG rdata for rrset, signed by key for the zone signer (lowercase wire), into
// out (kMaxRrsigRdata octets). Returns its length, or 0 when the buffers are too small or
// signing failed.
std::size_t sign_rrset(const Key& key, std::string_view signer, const RRsetView& rrset,
                       Validity validity, SignBuffers buffers, std::uint8_t* out) noexcept;

}  // namespace gslbd::dnssec
