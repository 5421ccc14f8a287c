// SPDX-License-Identifier: Apache-2.0
#include "gslbd/query/answer.hpp"

#include <cstring>

#include "chaos.hpp"
#include "cookie_reply.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dns/query.hpp"
#include "gslbd/dns/response_writer.hpp"
#include "rate_limit.hpp"
#include "zone_lookup.hpp"

namespace gslbd::query {
namespace {

using dns::ParseStatus;

// RFC 6891 section 6.2.5: a client's size below 512 is treated as 512; we never exceed our own.
std::size_t udp_limit(const dns::Query& query, std::uint16_t server_size) noexcept {
  if (!query.has_edns) return dns::kPlainUdpSize;
  std::size_t size = query.edns_udp_size;
  if (size < dns::kPlainUdpSize) size = dns::kPlainUdpSize;
  if (size > server_size) size = server_size;
  return size;
}

// Classes, types and names we do not serve from zones; returns false when the query is done.
bool screen(const dns::Query& query, std::string_view identity,
            dns::ResponseWriter& writer) noexcept {
  if (query.qclass == dns::klass::CH) {
    answer_chaos(query, identity, writer);
    return false;
  }
  switch (query.qtype) {
    case dns::type::OPT:
      writer.set_rcode(dns::rcode::FORMERR);
      return false;
    case dns::type::AXFR:
    case dns::type::IXFR:
      writer.set_rcode(dns::rcode::REFUSED);  // zone transfers are not offered
      return false;
    case dns::type::MAILA:
    case dns::type::MAILB:
      writer.set_rcode(dns::rcode::NOTIMP);
      return false;
    default:
      break;
  }
  if (query.qclass != dns::klass::IN) {
    writer.set_rcode(dns::rcode::REFUSED);
    return false;
  }
  return true;
}

// What the worker counts about this answer; out holds the finished header.
void describe(const QueryContext& context, const dns::Query& query, const std::uint8_t* out,
              std::uint8_t extended_rcode) noexcept {
  if (!context.record) return;
  stats::QueryRecord& record = *context.record;
  record.answered = true;
  record.proto = context.transport == Transport::tcp   ? stats::Proto::tcp
                 : context.transport == Transport::xdp ? stats::Proto::xdp
                                                       : stats::Proto::udp;
  record.family = context.source.family == 6 ? 6 : 4;
  record.qtype = query.qtype;
  record.rcode = static_cast<std::uint16_t>((out[3] & 0x0f) | (extended_rcode << 4));
  record.truncated = (out[2] & 0x02) != 0;
  record.qname_len = query.qname_len;
}

// Response rate limiting of a finished UDP response (before its OPT record is written).
// Returns false when the response is dropped. A limited response that slips goes out with
// nothing after the question: as BADCOOKIE with a fresh server cookie to a client that sent a
// cookie (RFC 7873 section 5.2.3: it can retry with that cookie, which is exempt), else with
// TC=1 so that the client retries over TCP.
bool rate_limit(const runtime::ServerConfig& server, const QueryContext& context,
                const ResponseClass& response, const CookieReply& cookie, dns::OptReply& opt,
                dns::ResponseWriter& writer) noexcept {
  const runtime::RateLimitConfig& config = server.rate_limit;
  if (!config.enabled || context.transport == Transport::tcp || !context.policy_state ||
      cookie.seen == stats::CookieSeen::valid || rate_limit_exempt(config, context.source)) {
    return true;
  }
  const rrl::Decision decision =
      account_response(config, *context.policy_state, context.source, response);
  if (decision.verdict == rrl::Verdict::pass) return true;
  if (context.record) {
    context.record->rrl_started = decision.started;
    context.record->rrl_category = static_cast<std::uint8_t>(response.category);
  }
  if (config.log_only) {
    if (context.record) context.record->rrl = stats::RrlAction::would_limit;
    return true;
  }
  if (decision.verdict == rrl::Verdict::drop) {
    if (context.record) context.record->rrl = stats::RrlAction::dropped;
    return false;
  }
  if (context.record) context.record->rrl = stats::RrlAction::slipped;
  writer.truncate_to_question();
  writer.set_flag(dns::flag::AA, false);
  if (cookie.present() && opt.cookie) {
    writer.set_rcode(dns::rcode::BADCOOKIE & 0xf);
    opt.extended_rcode = dns::rcode::BADCOOKIE >> 4;
  } else {
    writer.set_flag(dns::flag::TC, true);
  }
  return true;
}

}  // namespace

std::size_t answer_query(const runtime::Snapshot& snapshot, const std::uint8_t* request,
                         std::size_t request_len, const QueryContext& context, std::uint8_t* out,
                         std::size_t out_capacity) noexcept {
  dns::Query query;
  const ParseStatus status = dns::parse_query(request, request_len, query);
  if (status == ParseStatus::drop) {
    if (context.record) context.record->answered = false;
    return 0;
  }

  const runtime::Config& config = *snapshot.config;
  const runtime::ServerConfig& server = config.server;
  const std::size_t limit = context.transport == Transport::tcp
                                ? dns::kMaxMessage
                                : udp_limit(query, server.edns_udp_size);
  dns::ResponseWriter writer(out, out_capacity, limit);
  // Opcode, RD and CD are copied (RFC 1035 4.1.1, RFC 6840 5.9); RA stays clear.
  const auto copied =
      static_cast<std::uint16_t>(query.flags & (0x7800 | dns::flag::RD | dns::flag::CD));
  writer.start(query.id, static_cast<std::uint16_t>(dns::flag::QR | copied), dns::rcode::NOERROR);

  // A malformed request gets a bare FORMERR: its OPT may be the malformed part. So does a
  // request for a server cookie alone when cookies are off (RFC 7873 section 5.4).
  if (status == ParseStatus::formerr ||
      (status == ParseStatus::cookie_only && !server.cookies.enabled)) {
    writer.set_rcode(dns::rcode::FORMERR);
    if (query.qname_len) writer.question(query.qname, query.qname_len, query.qtype, query.qclass);
    dns::OptReply none;
    if (!rate_limit(server, context, ResponseClass{}, CookieReply{}, none, writer)) {
      describe(context, query, out, 0);
      return 0;
    }
    describe(context, query, out, 0);
    return writer.size();
  }

  const std::uint32_t now = context.policy_state ? context.policy_state->now_s() : unix_seconds();
  const CookieReply cookie = reply_cookie(query, server.cookies, context.source, now);
  if (context.record) context.record->cookie = cookie.seen;

  const std::string_view identity = server.identity;
  dns::OptReply opt;
  opt.udp_size = server.edns_udp_size;
  opt.do_bit = query.edns_do;
  opt.nsid = query.wants_nsid;
  opt.nsid_data = identity;
  if (query.has_client_subnet && server.client_subnet) opt.client_subnet = &query.client_subnet;
  if (cookie.present()) {
    opt.cookie = cookie.option;
    opt.cookie_len = sizeof cookie.option;
  }
  if (query.has_edns) writer.reserve_tail(opt.size());
  if (query.qname_len) writer.question(query.qname, query.qname_len, query.qtype, query.qclass);

  // What the response is about, for rate limiting: errors count per client network.
  ResponseClass response;
  if (status == ParseStatus::notimp) {
    writer.set_rcode(dns::rcode::NOTIMP);
  } else if (query.has_edns && query.edns_version > 0) {
    opt.extended_rcode = dns::rcode::BADVERS >> 4;  // RFC 6891 section 6.1.3
  } else if (status == ParseStatus::cookie_only) {
    // RFC 7873 section 5.4: NOERROR with a good server cookie; BADCOOKIE for a bad one.
    if (cookie.seen == stats::CookieSeen::invalid) {
      writer.set_rcode(dns::rcode::BADCOOKIE & 0xf);
      opt.extended_rcode = dns::rcode::BADCOOKIE >> 4;
    }
  } else if (screen(query, identity, writer)) {
    const std::string_view qname(query.qname_lower, query.qname_len);
    const zone::Zone* zone = config.zones->find(qname);
    if (zone == nullptr) {
      writer.set_rcode(dns::rcode::REFUSED);
    } else {
      ServiceEnv services;
      services.pools = config.pools.get();
      services.policy_state = context.policy_state;
      services.client = client_of(query, context.source, server.client_subnet);
      services.ecs_scope = &opt.scope_prefix;
      services.record = context.record;
      // DNSSEC records only for a client that asked for them (RFC 4035 section 3.2.1).
      if (query.edns_do && zone->keys() != nullptr && context.policy_state) {
        services.signing = {zone->keys(), context.policy_state->signature_cache(), now};
      }
      if (context.record) context.record->zone = static_cast<std::int32_t>(zone->position());
      ZoneLookup lookup(*zone, query, services, writer);
      lookup.run();
      opt.co_bit = lookup.restored_nxdomain();
      response = {rrl::Category::answer, qname, query.qtype};
      if ((out[3] & 0x0f) == dns::rcode::NXDOMAIN) {
        response = {rrl::Category::nxdomain, zone->apex(), 0};
      } else if (lookup.referral()) {
        response = {rrl::Category::referral, lookup.referral_name(), 0};
      } else if (lookup.nodata()) {
        response = {rrl::Category::nodata, zone->apex(), 0};
      }
    }
  } else if ((out[3] & 0x0f) == dns::rcode::NOERROR) {
    response = {rrl::Category::answer, std::string_view(query.qname_lower, query.qname_len),
                query.qtype};  // CHAOS id.server
  }
  if ((out[3] & 0x0f) != dns::rcode::NOERROR && (out[3] & 0x0f) != dns::rcode::NXDOMAIN) {
    response = ResponseClass{};
  }
  if (!rate_limit(server, context, response, cookie, opt, writer)) {
    describe(context, query, out, opt.extended_rcode);
    return 0;
  }
  if (query.has_edns) writer.opt(opt);
  describe(context, query, out, opt.extended_rcode);
  return writer.size();
}

}  // namespace gslbd::query
