// SPDX-License-Identifier: Apache-2.0
// A digest of one pool's definition as the served model holds it, so that two instances can
// tell whether they monitor the same members the same way. Canonical: it covers only what the
// pool file says (names, addresses, policy, checks), in file order, never positions that the
// loader assigns (health slots, pool indexes), so identical pool files give identical digests
// on every instance. Control plane.
#pragma once

#include <string>

#include "gslbd/pool/pool_set.hpp"

namespace gslbd::control {

// 64 lower-case hex digits (SHA-256 of the canonical form).
std::string pool_digest(const pool::PoolSet& set, const pool::Pool& pool);

}  // namespace gslbd::control
