// SPDX-License-Identifier: Apache-2.0
// Where a name lives in a zone (RFC 1034 section 4.3.2 step 3, RFC 4592, RFC 6672): the one
// answer to that question, which the query path writes from and /explain renders.
#pragma once

#include <cstdint>

#include "gslbd/zone/rrset.hpp"

namespace gslbd::zone {

enum class Where : std::uint8_t {
  exact,              // the name is a node with records or a service
  empty_nonterminal,  // the name is a node with nothing of its own (NODATA)
  wildcard,           // the name does not exist; node is the source of synthesis
  delegation,         // the name is at or below a zone cut; node is the cut
  dname,              // the name is below a DNAME; node is the DNAME's owner
  nxdomain,           // the name does not exist and nothing stands in for it
};

struct Location {
  Where where = Where::nxdomain;
  // The node that answers: the name's own (exact, empty_nonterminal), the source of synthesis
  // (wildcard), the delegation point (delegation), the DNAME owner (dname); kNoNode for
  // nxdomain.
  std::uint32_t node = kNoNode;
  // The closest encloser (RFC 4592 section 3.3.1): the name itself when it exists, else its
  // nearest existing ancestor. Always a node: the apex encloses every name of the zone.
  std::uint32_t encloser = kNoNode;
  // The delegation at or above the name, or kNoNode. Set also for a DS question at the cut
  // itself, which the parent answers (RFC 4035 section 3.1.4.1): then where is exact.
  std::uint32_t cut = kNoNode;
};

}  // namespace gslbd::zone
