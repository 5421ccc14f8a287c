// SPDX-License-Identifier: Apache-2.0
// Signing a built zone's static data at load (RFC 4035 section 2): every authoritative RRset
// gets its RRSIGs beside it, the apex DNSKEY, CDS and CDNSKEY sets by the key-signing keys and
// the rest by the zone-signing keys; delegation NS sets and glue stay unsigned. What exists
// only per query (compact denial, wildcard answers, services) is signed on the query path.
// Control-plane only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gslbd/dnssec/zone_keys.hpp"
#include "gslbd/zone/zone_builder.hpp"
#include "gslbd/zone/zone_set.hpp"

namespace gslbd::zone {

// The DNSKEY records of every key, and the CDS and CDNSKEY records of the key-signing keys
// (RFC 7344) when with_cds, added at the apex of builder with ttl. Returns "" or the reason.
std::string add_key_records(ZoneBuilder& builder, const dnssec::ZoneKeys& keys, std::uint32_t ttl,
                            bool with_cds);

// Signs zone with keys, the signatures valid from now - inception offset to now + validity.
// Returns "" or the reason the zone cannot be signed (a signing failure, a wildcard RRset too
// large to be signed per query).
std::string sign_zone(Zone& zone, std::shared_ptr<const dnssec::ZoneKeys> keys, std::uint32_t now);

// Unix time the zone's static data was signed at; 0 for an unsigned zone.
std::uint32_t signed_at(const Zone& zone) noexcept;

// When the static signatures of zones should be made afresh: the earliest moment one of the
// signed zones has lived half its signatures' validity (unix time), or 0 when none is signed.
std::uint32_t refresh_time(const ZoneSet& zones) noexcept;

}  // namespace gslbd::zone
