// SPDX-License-Identifier: Apache-2.0
#include "metrics.hpp"

#include <array>
#include <string_view>

#include "gslbd/dns/name.hpp"
#include "gslbd/dns/names.hpp"
#include "prom_text.hpp"
#include "time_text.hpp"
#include "votes_json.hpp"

namespace gslbd::control {
namespace {

// RFC 6895 / IANA names for rcodes 0..23 (16 is BADVERS; BADSIG shares it in TSIG only).
static_assert(stats::kRcodes == dns::kNamedRcodes);

template <typename F>
std::uint64_t sum(const std::vector<const stats::WorkerStats*>& workers, F&& get) {
  std::uint64_t total = 0;
  for (const stats::WorkerStats* w : workers) {
    if (w != nullptr) total += get(*w);
  }
  return total;
}

const runtime::Config* config_of(const MetricsInput& in) {
  return in.snapshot != nullptr ? in.snapshot->config.get() : nullptr;
}

void dns_requests(const MetricsInput& in, PromText& out) {
  out.family("gslbd_dns_requests_total", "counter",
             "DNS requests answered, by zone (apex), transport, client address family (1 = IPv4, "
             "2 = IPv6) and query type.");
  const runtime::Config* config = config_of(in);
  std::vector<std::string> zone_names;
  if (config != nullptr && config->zones) {
    for (const auto& zone : config->zones->zones()) {
      if (zone_names.size() >= stats::kMaxZones) break;
      zone_names.push_back(dns::name_to_text(zone->apex()));
    }
  }
  // The last slot holds queries for no zone and, when there are more zones than slots, the
  // zones past the bound: stats keeps them together.
  const bool overflow =
      config != nullptr && config->zones && config->zones->zones().size() > stats::kMaxZones;
  for (std::size_t zone = 0; zone <= stats::kMaxZones; ++zone) {
    if (zone < stats::kMaxZones && zone >= zone_names.size()) continue;
    const std::string_view zone_label = zone < stats::kMaxZones ? std::string_view(zone_names[zone])
                                        : overflow              ? std::string_view("other")
                                                                : std::string_view("none");
    for (std::size_t proto = 0; proto < stats::kProtos; ++proto) {
      for (std::size_t family = 0; family < stats::kFamilies; ++family) {
        for (std::size_t type = 0; type < stats::kQtypeBuckets; ++type) {
          const std::uint64_t n = sum(in.workers, [&](const stats::WorkerStats& w) {
            return w.requests(zone, proto, family, type);
          });
          if (n == 0) continue;  // CoreDNS habit: a series appears once it has counted
          out.sample("gslbd_dns_requests_total",
                     {{"zone", zone_label},
                      {"proto", stats::proto_name(proto)},
                      {"family", family == 0 ? "1" : "2"},
                      {"type", stats::qtype_name(type)}},
                     n);
        }
      }
    }
  }
}

void dns_responses(const MetricsInput& in, PromText& out) {
  out.family("gslbd_dns_responses_total", "counter", "DNS responses sent, by rcode.");
  for (std::size_t rcode = 0; rcode < stats::kRcodes; ++rcode) {
    const std::uint64_t n =
        sum(in.workers, [&](const stats::WorkerStats& w) { return w.responses(rcode); });
    if (n == 0 && rcode != 0) continue;
    out.sample("gslbd_dns_responses_total",
               {{"rcode", dns::rcode_name(static_cast<std::uint16_t>(rcode))}}, n);
  }

  out.family("gslbd_dns_request_duration_seconds", "histogram",
             "Time from receiving a DNS request to having its response ready.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < stats::kDurationBucketsUs.size(); ++i) {
    cumulative +=
        sum(in.workers, [&](const stats::WorkerStats& w) { return w.duration_bucket(i); });
    const std::string le = PromText::seconds_text(stats::kDurationBucketsUs[i]);
    out.sample("gslbd_dns_request_duration_seconds_bucket", {{"le", le}}, cumulative);
  }
  // Relaxed counters are read one by one: keep +Inf >= the last bucket even mid-update.
  std::uint64_t count =
      sum(in.workers, [](const stats::WorkerStats& w) { return w.duration_count(); });
  if (count < cumulative) count = cumulative;
  out.sample("gslbd_dns_request_duration_seconds_bucket", {{"le", "+Inf"}}, count);
  const std::uint64_t sum_us =
      sum(in.workers, [](const stats::WorkerStats& w) { return w.duration_sum_us(); });
  out.sample("gslbd_dns_request_duration_seconds_sum", {}, static_cast<double>(sum_us) / 1e6);
  out.sample("gslbd_dns_request_duration_seconds_count", {}, count);

  out.family("gslbd_dns_truncated_total", "counter", "DNS responses sent with TC set.");
  out.sample("gslbd_dns_truncated_total", {},
             sum(in.workers, [](const stats::WorkerStats& w) { return w.truncated(); }));

  out.family("gslbd_dns_dropped_total", "counter", "DNS requests dropped without an answer.");
  for (std::size_t reason = 0; reason < stats::kDrops; ++reason) {
    out.sample("gslbd_dns_dropped_total", {{"reason", stats::drop_name(reason)}},
               sum(in.workers, [&](const stats::WorkerStats& w) { return w.drops(reason); }));
  }

  out.family("gslbd_dns_rate_limited_total", "counter",
             "UDP responses over the rate limit (server.rate_limit), by what was done: dropped, "
             "slipped (sent as TC=1 or BADCOOKIE), would_limit (log_only).");
  for (std::size_t action = 1; action < stats::kRrlActions; ++action) {
    out.sample("gslbd_dns_rate_limited_total", {{"action", stats::rrl_action_name(action)}},
               sum(in.workers, [&](const stats::WorkerStats& w) { return w.rrl(action); }));
  }

  out.family("gslbd_dns_cookies_total", "counter",
             "DNS requests with a COOKIE option (RFC 7873), by what it held.");
  for (std::size_t kind = 1; kind < stats::kCookieKinds; ++kind) {
    out.sample("gslbd_dns_cookies_total", {{"cookie", stats::cookie_kind_name(kind)}},
               sum(in.workers, [&](const stats::WorkerStats& w) { return w.cookies(kind); }));
  }

  out.family("gslbd_dnssec_signature_lookups_total", "counter",
             "Lookups in the answering threads' caches of online signatures (service answers, "
             "wildcard expansions, compact denial), by result: hit, miss (signed and stored), "
             "uncached (too large to store), failed (sent unsigned).");
  for (std::size_t lookup = 0; lookup < stats::kSignatureLookups; ++lookup) {
    out.sample(
        "gslbd_dnssec_signature_lookups_total", {{"result", stats::signature_lookup_name(lookup)}},
        sum(in.workers, [&](const stats::WorkerStats& w) { return w.signature_lookups(lookup); }));
  }
  out.family("gslbd_dnssec_signature_cache_slots", "gauge",
             "Slots of the online signature caches, summed over the answering threads (sized "
             "at each reload from the signed zones' services).");
  out.sample("gslbd_dnssec_signature_cache_slots", {},
             sum(in.workers, [](const stats::WorkerStats& w) { return w.signature_slots(); }));
}

void tcp_connections(const MetricsInput& in, PromText& out) {
  out.family("gslbd_tcp_connections", "gauge", "Open DNS TCP connections.");
  out.sample("gslbd_tcp_connections", {},
             sum(in.workers, [](const stats::WorkerStats& w) { return w.tcp_connections(); }));
  out.family("gslbd_tcp_buffer_bytes", "gauge",
             "Heap octets DNS TCP connections hold for partial queries and unsent answers.");
  out.sample("gslbd_tcp_buffer_bytes", {},
             sum(in.workers, [](const stats::WorkerStats& w) { return w.tcp_buffer_bytes(); }));
  out.family("gslbd_tcp_connections_closed_total", "counter",
             "DNS TCP connections the server closed or refused at once, by reason (refusals at "
             "the cap count in gslbd_dns_dropped_total, reason tcp_cap).");
  for (std::size_t reason = 0; reason < stats::kTcpCloses; ++reason) {
    out.sample("gslbd_tcp_connections_closed_total", {{"reason", stats::tcp_close_name(reason)}},
               sum(in.workers, [&](const stats::WorkerStats& w) { return w.tcp_closes(reason); }));
  }
}

void pools(const MetricsInput& in, PromText& out) {
  const runtime::Config* config = config_of(in);
  const pool::PoolSet* set = config != nullptr ? config->pools.get() : nullptr;
  out.family("gslbd_pool_answers_total", "counter",
             "Answers for service names, by the pool asked for and outcome.");
  if (set != nullptr) {
    for (std::size_t p = 0; p < set->pools.size() && p < stats::kMaxPools; ++p) {
      for (std::size_t o = 0; o < stats::kPoolOutcomes; ++o) {
        out.sample(
            "gslbd_pool_answers_total",
            {{"pool", set->pools[p].name},
             {"outcome", stats::outcome_name(static_cast<stats::PoolOutcome>(o))}},
            sum(in.workers, [&](const stats::WorkerStats& w) { return w.pool_answers(p, o); }));
      }
    }
    for (std::size_t o = 0; o < stats::kPoolOutcomes; ++o) {
      const std::uint64_t n = sum(in.workers, [&](const stats::WorkerStats& w) {
        return w.pool_answers(stats::kMaxPools, o);
      });
      if (n > 0)
        out.sample("gslbd_pool_answers_total",
                   {{"pool", "other"},
                    {"outcome", stats::outcome_name(static_cast<stats::PoolOutcome>(o))}},
                   n);
    }
  }

  const health::HealthTable* table = set != nullptr ? set->health.get() : nullptr;
  struct Gauge {
    const char* name;
    const char* type;
    const char* help;
  };
  static constexpr Gauge kFamilies[] = {
      {"gslbd_member_up", "gauge", "1 when the member's checks (or an operator's force) say up."},
      {"gslbd_member_drained", "gauge", "1 when the member is drained (no new answers)."},
      {"gslbd_member_forced", "gauge", "1 when an operator forced the member's state."},
      {"gslbd_member_selections_total", "counter", "Times the member was named in an answer."},
      {"gslbd_member_rtt_seconds", "gauge",
       "Moving average of the member's check round-trip time; 0 until measured."},
      {"gslbd_member_agent_weight", "gauge",
       "Weight in percent reported by the member's agent check; 100 without one."},
  };
  for (std::size_t f = 0; f < std::size(kFamilies); ++f) {
    out.family(kFamilies[f].name, kFamilies[f].type, kFamilies[f].help);
    if (set == nullptr) continue;
    for (const pool::Pool& pool : set->pools) {
      for (const pool::Member& member : pool.members) {
        const bool readable = table != nullptr && member.health_slot < table->size();
        const health::Health h = readable ? table->read(member.health_slot) : health::Health{};
        const std::initializer_list<Label> labels = {{"pool", pool.name}, {"member", member.name}};
        switch (f) {
          case 0:
            out.sample(kFamilies[f].name, labels, std::uint64_t{h.up});
            break;
          case 1:
            out.sample(kFamilies[f].name, labels, std::uint64_t{h.drained});
            break;
          case 2:
            out.sample(kFamilies[f].name, labels, std::uint64_t{h.forced});
            break;
          case 3: {
            const std::uint32_t slot = member.health_slot;
            out.sample(kFamilies[f].name, labels,
                       slot < stats::kMaxMembers
                           ? sum(in.workers,
                                 [&](const stats::WorkerStats& w) { return w.selections(slot); })
                           : std::uint64_t{0});
            break;
          }
          case 4:
            out.sample(kFamilies[f].name, labels, static_cast<double>(h.rtt_us) / 1e6);
            break;
          default:
            out.sample(kFamilies[f].name, labels, std::uint64_t{h.agent_weight});
            break;
        }
      }
    }
  }
}

// The balancer load of members checked through HAProxy, from their latest polls.
void member_load(const MetricsInput& in, PromText& out) {
  const runtime::Config* config = config_of(in);
  const pool::PoolSet* set = config != nullptr ? config->pools.get() : nullptr;
  const health::HealthTable* table = set != nullptr ? set->health.get() : nullptr;
  // Each family writes one field of the load: a count as it is, or milliseconds in seconds;
  // the bytes family (no field) writes both directions.
  struct Family {
    const char* name;
    const char* help;
    std::uint32_t health::Load::*field;
    bool milliseconds;
  };
  static constexpr Family kFamilies[] = {
      {"gslbd_member_sessions", "Current sessions on the member's frontend (averaged over polls).",
       &health::Load::sessions, false},
      {"gslbd_member_session_limit", "The frontend's session limit; 0 when it reports none.",
       &health::Load::session_limit, false},
      {"gslbd_member_session_rate", "New sessions per second on the member's frontend.",
       &health::Load::session_rate, false},
      {"gslbd_member_queue", "Requests queued in the member's backends.", &health::Load::queue,
       false},
      {"gslbd_member_response_time_seconds",
       "The slowest backend's average response time (averaged over polls).",
       &health::Load::response_ms, true},
      {"gslbd_member_total_time_seconds", "The slowest backend's average total session time.",
       &health::Load::total_ms, true},
      {"gslbd_member_bytes_per_second",
       "Bytes per second through the member's frontend, by direction (averaged over polls).",
       nullptr, false},
      {"gslbd_member_up_servers", "Servers taking traffic in the member's backends.",
       &health::Load::up_servers, false},
  };
  for (const Family& family : kFamilies) {
    out.family(family.name, "gauge", family.help);
    if (table == nullptr) continue;
    for (const pool::Pool& pool : set->pools) {
      for (const pool::Member& member : pool.members) {
        if (!pool::reports_load(member) || member.health_slot >= table->size()) continue;
        const health::Load load = table->read_load(member.health_slot);
        if (!load.known) continue;
        if (family.field == nullptr) {
          out.sample(family.name,
                     {{"pool", pool.name}, {"member", member.name}, {"direction", "in"}},
                     load.bytes_in_per_s);
          out.sample(family.name,
                     {{"pool", pool.name}, {"member", member.name}, {"direction", "out"}},
                     load.bytes_out_per_s);
        } else if (family.milliseconds) {
          out.sample(family.name, {{"pool", pool.name}, {"member", member.name}},
                     static_cast<double>(load.*family.field) / 1e3);
        } else {
          out.sample(family.name, {{"pool", pool.name}, {"member", member.name}},
                     std::uint64_t{load.*family.field});
        }
      }
    }
  }
}

void health_checks(const MetricsInput& in, PromText& out) {
  if (!in.has_probes) return;
  const probe::ProbeCounters& c = in.probes;
  out.family("gslbd_health_checks_total", "counter", "Health check probes finished, by result.");
  out.sample("gslbd_health_checks_total", {{"result", "success"}}, c.succeeded);
  out.sample("gslbd_health_checks_total", {{"result", "failure"}}, c.failed);
  out.family("gslbd_health_checks_started_total", "counter", "Health check probes started.");
  out.sample("gslbd_health_checks_started_total", {}, c.started);
  out.family("gslbd_health_checks_in_flight", "gauge", "Health check probes running now.");
  out.sample("gslbd_health_checks_in_flight", {}, std::uint64_t{c.in_flight});
  out.family("gslbd_health_checks_skipped_total", "counter",
             "Check ticks skipped because the member's previous probe still ran.");
  out.sample("gslbd_health_checks_skipped_total", {{"reason", "busy"}}, c.skipped_busy);
  out.family("gslbd_health_checks_waited_total", "counter",
             "Probes that waited for the max_in_flight bound.");
  out.sample("gslbd_health_checks_waited_total", {}, c.waited_for_slot);
  out.family("gslbd_health_admin_dropped_total", "counter",
             "Admin actions (drain, force) dropped because the health loop's queue was full.");
  out.sample("gslbd_health_admin_dropped_total", {}, c.admin_dropped);

  out.family("gslbd_health_checks_lag_seconds", "gauge",
             "How late probes started in the last second, at most: the time from a check's "
             "due time to its probe's start (the health thread's backlog, and any wait for "
             "max_in_flight).");
  out.sample("gslbd_health_checks_lag_seconds", {}, static_cast<double>(c.lag_us) / 1e6);
  out.family("gslbd_health_checks_late_total", "counter",
             "Probes that started more than half their check's interval (and at least 5 ms) "
             "after their due time: the health thread cannot keep up with the checks.");
  out.sample("gslbd_health_checks_late_total", {}, c.late);
  out.family("gslbd_health_checks_planned_per_second", "gauge",
             "Probes per second the configured checks ask for, on average (jitter included).");
  out.sample("gslbd_health_checks_planned_per_second", {}, c.planned_per_second);
  out.family("gslbd_health_checks_by_type_total", "counter",
             "Health check probes finished, by check type and result.");
  for (std::size_t t = 1; t < probe::kCheckTypes; ++t) {  // none never probes
    const std::string_view type = health::check_type_name(static_cast<health::CheckType>(t));
    out.sample("gslbd_health_checks_by_type_total", {{"type", type}, {"result", "success"}},
               c.by_type[t][0]);
    out.sample("gslbd_health_checks_by_type_total", {{"type", type}, {"result", "failure"}},
               c.by_type[t][1]);
  }
  out.family("gslbd_health_check_duration_seconds", "histogram",
             "Time from starting a health check probe to its result.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < probe::kCheckDurationBuckets; ++i) {
    cumulative += c.duration_buckets[i];
    const std::string le = PromText::seconds_text(probe::kCheckDurationBucketsUs[i]);
    out.sample("gslbd_health_check_duration_seconds_bucket", {{"le", le}}, cumulative);
  }
  out.sample("gslbd_health_check_duration_seconds_bucket", {{"le", "+Inf"}},
             std::max(cumulative, c.duration_count));
  out.sample("gslbd_health_check_duration_seconds_sum", {},
             static_cast<double>(c.duration_sum_us) / 1e6);
  out.sample("gslbd_health_check_duration_seconds_count", {},
             std::max(cumulative, c.duration_count));
  out.family("gslbd_member_state_changes_total", "counter",
             "Members going up or down (rise/fall, agent or admin).");
  out.sample("gslbd_member_state_changes_total", {{"to", "up"}}, c.became_up);
  out.sample("gslbd_member_state_changes_total", {{"to", "down"}}, c.became_down);
}

void config_and_zones(const MetricsInput& in, PromText& out) {
  out.family("gslbd_config_reloads_total", "counter", "Config reloads attempted, by result.");
  out.sample("gslbd_config_reloads_total", {{"result", "success"}}, in.reloads.succeeded);
  out.sample("gslbd_config_reloads_total", {{"result", "failure"}}, in.reloads.failed);
  out.family("gslbd_config_last_reload_successful", "gauge",
             "1 when the last reload attempt succeeded (or none was made).");
  out.sample("gslbd_config_last_reload_successful", {}, std::uint64_t{in.reloads.last_ok});
  out.family("gslbd_config_last_reload_timestamp_seconds", "gauge",
             "Unix time the config in service was put in service.");
  out.sample("gslbd_config_last_reload_timestamp_seconds", {},
             unix_seconds(in.reloads.last_success));
  out.family("gslbd_config_generation", "gauge", "Generation of the config in service.");
  out.sample("gslbd_config_generation", {},
             in.snapshot != nullptr ? in.snapshot->generation : std::uint64_t{0});
  out.family("gslbd_zone_serial", "gauge", "SOA serial of each zone served.");
  const runtime::Config* config = config_of(in);
  if (config != nullptr && config->zones) {
    for (const auto& zone : config->zones->zones()) {
      out.sample("gslbd_zone_serial", {{"zone", dns::name_to_text(zone->apex())}},
                 std::uint64_t{zone->serial()});
    }
  }
  out.family("gslbd_watched_file_loads_total", "counter",
             "Loads that included a watched file (a geo database, or with server.watch_files a "
             "config file), by result; an error names the file.");
  for (const WatchedFile& file : in.watched_files) {
    out.sample("gslbd_watched_file_loads_total",
               {{"path", file.path}, {"kind", file.kind}, {"result", "ok"}}, file.loads_ok);
    out.sample("gslbd_watched_file_loads_total",
               {{"path", file.path}, {"kind", file.kind}, {"result", "error"}}, file.loads_failed);
  }
  out.family("gslbd_watched_file_last_load_successful", "gauge",
             "1 when the last load that included the watched file succeeded.");
  for (const WatchedFile& file : in.watched_files) {
    out.sample("gslbd_watched_file_last_load_successful",
               {{"path", file.path}, {"kind", file.kind}}, std::uint64_t{file.last_ok});
  }
  out.family("gslbd_watched_file_last_load_timestamp_seconds", "gauge",
             "Unix time of the last load that included the watched file.");
  for (const WatchedFile& file : in.watched_files) {
    if (!file.loaded) continue;
    out.sample("gslbd_watched_file_last_load_timestamp_seconds",
               {{"path", file.path}, {"kind", file.kind}}, unix_seconds(file.last_load));
  }
  out.family("gslbd_build_info", "gauge", "Always 1; the labels say which gslbd this is.");
  out.sample("gslbd_build_info", {{"version", in.version}}, std::uint64_t{1});
}

void control(const MetricsInput& in, PromText& out) {
  if (in.control == nullptr) return;
  const ControlCounters& c = *in.control;
  out.family("gslbd_control_connections_total", "counter",
             "Control endpoint connections, by what became of them at accept.");
  out.sample("gslbd_control_connections_total", {{"result", "accepted"}}, c.connections_accepted);
  out.sample("gslbd_control_connections_total", {{"result", "rejected"}}, c.connections_rejected);
  out.family(
      "gslbd_control_idle_timeouts_total", "counter",
      "Control connections that sent no octet for idle_timeout (closed, or 408 mid-request).");
  out.sample("gslbd_control_idle_timeouts_total", {}, c.idle_timeouts);
  out.family("gslbd_control_request_timeouts_total", "counter",
             "Control requests not whole within request_timeout of their first octet (408).");
  out.sample("gslbd_control_request_timeouts_total", {}, c.request_timeouts);
  out.family("gslbd_control_evictions_total", "counter",
             "Waiting control connections closed to make room for a new one, by which bound.");
  out.sample("gslbd_control_evictions_total", {{"bound", "per_source"}}, c.evicted_source_full);
  out.sample("gslbd_control_evictions_total", {{"bound", "total"}}, c.evicted_server_full);
  out.family("gslbd_control_responses_total", "counter",
             "Control endpoint responses, by HTTP status code.");
  for (const auto& [status, n] : c.responses) {
    const std::string code = std::to_string(status);
    out.sample("gslbd_control_responses_total", {{"code", code}}, n);
  }
  const PushCounters& p = c.pushes;
  out.family("gslbd_peer_pushes_received_total", "counter",
             "Pushes of operator actions received from peers (POST /peer/actions), by result "
             "(accepted, unauthorized, malformed, oversized).");
  out.sample("gslbd_peer_pushes_received_total", {{"result", "accepted"}}, p.accepted);
  out.sample("gslbd_peer_pushes_received_total", {{"result", "unauthorized"}}, p.unauthorized);
  out.sample("gslbd_peer_pushes_received_total", {{"result", "malformed"}}, p.malformed);
  out.sample("gslbd_peer_pushes_received_total", {{"result", "oversized"}}, p.oversized);
  out.family("gslbd_peer_pushed_records_total", "counter",
             "Operator action records in accepted pushes, by what became of them: applied "
             "(newer than the one kept), older (ignored), refused (no such member, or stamped "
             "in the future).");
  out.sample("gslbd_peer_pushed_records_total", {{"result", "applied"}}, p.applied);
  out.sample("gslbd_peer_pushed_records_total", {{"result", "older"}}, p.older);
  out.sample("gslbd_peer_pushed_records_total", {{"result", "refused"}}, p.refused);
}

void dnstap(const MetricsInput& in, PromText& out) {
  if (!in.dnstap) return;
  out.family("gslbd_dnstap_messages_total", "counter",
             "dnstap messages written to the output, or dropped (queue full, output unavailable).");
  out.sample("gslbd_dnstap_messages_total", {{"result", "written"}}, in.dnstap->written);
  out.sample("gslbd_dnstap_messages_total", {{"result", "dropped"}}, in.dnstap->dropped);
}

void peers(const MetricsInput& in, PromText& out) {
  if (!in.peers.configured) return;
  out.family("gslbd_peers_own_view_only", "gauge",
             "1 when peers are configured and none has fresh observations: this instance "
             "answers from its own view only.");
  out.sample("gslbd_peers_own_view_only", {}, std::uint64_t{in.peers.own_view_only ? 1u : 0u});
  out.family("gslbd_peer_fresh", "gauge",
             "1 when the peer's last good reply is younger than peers.stale_after.");
  for (const PeerReport& p : in.peers.peers) {
    out.sample("gslbd_peer_fresh", {{"peer", p.name}}, std::uint64_t{p.fresh ? 1u : 0u});
  }
  out.family("gslbd_peer_polls_total", "counter",
             "Polls of each peer's observations, by result (ok, failed, unauthorized, "
             "malformed, oversized).");
  for (const PeerReport& p : in.peers.peers) {
    out.sample("gslbd_peer_polls_total", {{"peer", p.name}, {"result", "ok"}}, p.succeeded);
    out.sample("gslbd_peer_polls_total", {{"peer", p.name}, {"result", "failed"}}, p.failed);
    out.sample("gslbd_peer_polls_total", {{"peer", p.name}, {"result", "unauthorized"}},
               p.unauthorized);
    out.sample("gslbd_peer_polls_total", {{"peer", p.name}, {"result", "malformed"}}, p.malformed);
    out.sample("gslbd_peer_polls_total", {{"peer", p.name}, {"result", "oversized"}}, p.oversized);
  }
  out.family("gslbd_peer_pushes_total", "counter",
             "Pushes of this instance's operator actions to each peer, by result (ok, failed, "
             "unauthorized).");
  for (const PeerReport& p : in.peers.peers) {
    out.sample("gslbd_peer_pushes_total", {{"peer", p.name}, {"result", "ok"}}, p.push.succeeded);
    out.sample("gslbd_peer_pushes_total", {{"peer", p.name}, {"result", "failed"}}, p.push.failed);
    out.sample("gslbd_peer_pushes_total", {{"peer", p.name}, {"result", "unauthorized"}},
               p.push.unauthorized);
  }
  out.family("gslbd_peer_push_records_total", "counter",
             "Operator action records for each peer: sent in a push, or dropped because the "
             "queue for the peer was full (the peer's poll brings them).");
  for (const PeerReport& p : in.peers.peers) {
    out.sample("gslbd_peer_push_records_total", {{"peer", p.name}, {"result", "sent"}},
               p.push.records);
    out.sample("gslbd_peer_push_records_total", {{"peer", p.name}, {"result", "dropped"}},
               p.push.dropped);
  }
  out.family("gslbd_peer_reply_bytes_total", "counter", "Octets of peers' reply bodies read.");
  for (const PeerReport& p : in.peers.peers) {
    out.sample("gslbd_peer_reply_bytes_total", {{"peer", p.name}}, p.bytes);
  }
  out.family("gslbd_peer_differing_pools", "gauge",
             "Pools the peer defines differently (their digests differ); it does not vote for "
             "them.");
  for (const PeerReport& p : in.peers.peers) {
    out.sample("gslbd_peer_differing_pools", {{"peer", p.name}},
               static_cast<std::uint64_t>(p.differing_pools.size()));
  }
  out.family("gslbd_peer_votes_dropped_total", "counter",
             "Messages of peers' votes the health loop had not read when the next one replaced "
             "them.");
  out.sample("gslbd_peer_votes_dropped_total", {}, in.probes.peer_votes_dropped);
  const runtime::Config* config = config_of(in);
  if (config == nullptr || !config->pools) return;
  const MemberStatusIndex by_key = index_members(in.members);
  out.family("gslbd_pool_own_view_only", "gauge",
             "1 when the pool has a consensus rule and no peer votes for any of its members: "
             "they are served by this instance's own verdicts.");
  for (const pool::Pool& pool : config->pools->pools) {
    if (pool.consensus.rule == pool::ConsensusRule::own) continue;
    out.sample("gslbd_pool_own_view_only", {{"pool", pool.name}},
               std::uint64_t{pool_own_view_only(pool, by_key) ? 1u : 0u});
  }
}

}  // namespace

std::string render_metrics(const MetricsInput& input) {
  PromText out;
  dns_requests(input, out);
  dns_responses(input, out);
  tcp_connections(input, out);
  pools(input, out);
  member_load(input, out);
  health_checks(input, out);
  config_and_zones(input, out);
  control(input, out);
  dnstap(input, out);
  peers(input, out);
  if (input.process) render_process_metrics(out);
  return std::move(out.text());
}

}  // namespace gslbd::control
