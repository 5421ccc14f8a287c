// SPDX-License-Identifier: Apache-2.0
// Snapshots with changed server settings, cookie options and OPT reading for the cookie and
// rate limiting tests of the query path.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gslbd/query/policy_state.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "test_zone.hpp"

namespace test {

inline std::shared_ptr<const gslbd::runtime::Snapshot> with_server(
    std::uint64_t generation, const std::function<void(gslbd::runtime::ServerConfig&)>& change) {
  static const auto base = example_snapshot();
  auto config = std::make_shared<gslbd::runtime::Config>(*base->config);
  for (std::size_t i = 0; i < 16; ++i)
    config->server.cookies.secret[i] = static_cast<std::uint8_t>(0xa0 + i);
  change(config->server);
  return std::make_shared<gslbd::runtime::Snapshot>(gslbd::runtime::Snapshot{config, generation});
}

// The EDNS option list for a COOKIE option holding data.
inline std::vector<std::uint8_t> cookie_option(const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> out{0, 10, static_cast<std::uint8_t>(data.size() >> 8),
                                static_cast<std::uint8_t>(data.size())};
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline std::vector<std::uint8_t> cookie_query(const std::string& name, std::uint16_t qtype,
                                              const std::vector<std::uint8_t>& cookie) {
  QueryOptions o;
  o.edns = true;
  o.options = cookie_option(cookie);
  return make_query(name, qtype, o);
}

// A request for a server cookie alone: QDCOUNT 0 and an OPT with the COOKIE option.
inline std::vector<std::uint8_t> cookie_only_query(const std::vector<std::uint8_t>& cookie) {
  auto q = cookie_query("example.test.", 1, cookie);
  std::vector<std::uint8_t> out(q.begin(), q.begin() + 12);
  out[5] = 0;  // QDCOUNT
  const std::size_t question = wire("example.test.").size() + 4;
  out.insert(out.end(), q.begin() + 12 + static_cast<std::ptrdiff_t>(question), q.end());
  return out;
}

struct Reply {
  std::vector<std::uint8_t> wire;
  std::uint16_t rcode = 0;  // with the OPT's extended bits
  bool tc = false;
  std::uint16_t ancount = 0;
  std::uint16_t qdcount = 0;
  bool has_opt = false;
  std::optional<std::vector<std::uint8_t>> cookie;  // the response's COOKIE option data
  gslbd::stats::QueryRecord record;
};

// Answers query and reads the parts of the response these tests look at (our own wire layout:
// the OPT record is the last record of the message).
inline Reply ask_with(const gslbd::runtime::Snapshot& snapshot, gslbd::query::PolicyState& state,
                      const std::vector<std::uint8_t>& query, const char* source = "198.51.100.7",
                      gslbd::query::Transport transport = gslbd::query::Transport::udp) {
  Reply reply;
  gslbd::query::QueryContext context;
  context.transport = transport;
  context.source = *gslbd::util::parse_address(source);
  context.policy_state = &state;
  context.record = &reply.record;
  reply.wire.resize(65535);
  const std::size_t size = gslbd::query::answer_query(snapshot, query.data(), query.size(), context,
                                                      reply.wire.data(), reply.wire.size());
  reply.wire.resize(size);
  if (size == 0) return reply;
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, reply.wire.data(), size) != LDNS_STATUS_OK) {
    throw std::runtime_error("ldns cannot decode our answer");
  }
  reply.rcode = static_cast<std::uint16_t>(ldns_pkt_get_rcode(pkt) |
                                           (ldns_pkt_edns_extended_rcode(pkt) << 4));
  reply.tc = ldns_pkt_tc(pkt);
  reply.ancount = ldns_pkt_ancount(pkt);
  reply.qdcount = ldns_pkt_qdcount(pkt);
  reply.has_opt = ldns_pkt_edns(pkt);
  if (const ldns_rdf* data = ldns_pkt_edns_data(pkt)) {
    const std::uint8_t* p = ldns_rdf_data(data);
    const std::size_t len = ldns_rdf_size(data);
    for (std::size_t at = 0; at + 4 <= len;) {
      const std::size_t code = (std::size_t{p[at]} << 8) | p[at + 1];
      const std::size_t optlen = (std::size_t{p[at + 2]} << 8) | p[at + 3];
      if (code == 10) reply.cookie = std::vector<std::uint8_t>(p + at + 4, p + at + 4 + optlen);
      at += 4 + optlen;
    }
  }
  ldns_pkt_free(pkt);
  return reply;
}

}  // namespace test
