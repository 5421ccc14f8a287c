// SPDX-License-Identifier: Apache-2.0
// Reading DNSSEC keys from BIND-format files (K<zone>+<alg>+<tag>.key / .private, as
// ldns-keygen and dnssec-keygen write them). The .key file is a zone file line, parsed with
// ldns; that is why this is a module of its own: only the loader links it, and what answers
// queries (dnssec, zone, query) never links ldns. Control-plane only; allocates.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gslbd/dnssec/key.hpp"

namespace gslbd::keyfile {

// Reads base.key and base.private for the zone apex_wire (lowercase wire). On failure returns
// nullopt and sets why to one line naming the file, its line where known, and what is wrong:
// missing or unreadable file, not a DNSKEY, another zone's key, and what
// dnssec::key_from_dnskey refuses.
std::optional<dnssec::Key> read_key(const std::string& base, std::string_view apex_wire,
                                    dnssec::Role role, std::string& why);

}  // namespace gslbd::keyfile
