// SPDX-License-Identifier: Apache-2.0
// /explain: the decision gslbd would make now for a name, a query type and a client address or
// subnet, as JSON: the zone, how the name is found (static RRset, CNAME, referral, wildcard,
// NXDOMAIN, REFUSED), and for service names the pool, policy, TTL, ECS scope, outcome and every
// candidate member with its health, weights and why it was or was not chosen. The policy runs
// with a fresh PRNG seeded from the request, so the same request gets the same explanation.
// Control thread; reads the snapshot and the health table like a worker does.
#pragma once

#include <vector>

#include "gslbd/probe/health_loop.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/util/address.hpp"
#include "http_request.hpp"
#include "http_response.hpp"

namespace gslbd::control {

// GET /explain?name=N[&type=A|AAAA|...][&client=ADDR[/PREFIX]][&seed=N]. Without client, the
// connection's peer address stands for the client. A /PREFIX is treated as an ECS subnet.
// members: the health loop's status, for the votes of pools with a consensus rule (may be null).
HttpResponse explain(const HttpRequest& request, const runtime::Snapshot* snapshot,
                     const util::Address& peer,
                     const std::vector<probe::MemberStatus>* members = nullptr);

}  // namespace gslbd::control
