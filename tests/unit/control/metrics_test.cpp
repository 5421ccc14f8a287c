// SPDX-License-Identifier: Apache-2.0
// /metrics: exact values for what the test recorded, summed over workers; every sample's family
// has HELP and TYPE; label values escaped.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "control/prom_text.hpp"
#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

namespace {

gslbd::stats::QueryRecord query(std::int32_t zone, std::uint16_t qtype, std::uint16_t rcode) {
  gslbd::stats::QueryRecord r;
  r.zone = zone;
  r.qtype = qtype;
  r.rcode = rcode;
  return r;
}

std::string scrape(Fixture& f) {
  const HttpReply reply = http(f.server->port(), "GET", "/metrics");
  REQUIRE(reply.status == 200);
  CHECK(reply.head.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  return reply.body;
}

}  // namespace

TEST_CASE("DNS counters are summed over workers") {
  Fixture f;
  f.workers[0]->record(query(0, 1, 0), 3);  // A, NOERROR, 3 us
  f.workers[1]->record(query(0, 1, 0), 7);
  auto tcp6 = query(0, 28, 3);
  tcp6.proto = gslbd::stats::Proto::tcp;
  tcp6.family = 6;
  tcp6.truncated = true;
  f.workers[1]->record(tcp6, 30000);           // past the last bucket
  f.workers[0]->record(query(-1, 16, 5), 60);  // no zone: REFUSED
  auto badvers = query(0, 99, 16);
  f.workers[0]->record(badvers, 100);
  f.workers[0]->drop(gslbd::stats::Drop::send_failed, 2);
  gslbd::stats::QueryRecord dropped;
  dropped.answered = false;
  f.workers[1]->record(dropped, 0);

  const std::string text = scrape(f);
  CHECK(
      metric(text,
             R"(gslbd_dns_requests_total{zone="example.test.",proto="udp",family="1",type="A"})") ==
      "2");
  CHECK(
      metric(
          text,
          R"(gslbd_dns_requests_total{zone="example.test.",proto="tcp",family="2",type="AAAA"})") ==
      "1");
  CHECK(
      metric(text, R"(gslbd_dns_requests_total{zone="none",proto="udp",family="1",type="TXT"})") ==
      "1");
  CHECK(
      metric(
          text,
          R"(gslbd_dns_requests_total{zone="example.test.",proto="udp",family="1",type="other"})") ==
      "1");
  CHECK(!metric(
      text, R"(gslbd_dns_requests_total{zone="example.test.",proto="udp",family="1",type="MX"})"));
  check_samples(text, "gslbd_dns_responses_total", "rcode",
                {{"NOERROR", "2"}, {"NXDOMAIN", "1"}, {"REFUSED", "1"}, {"BADVERS", "1"}});
  CHECK(metric(text, "gslbd_dns_truncated_total") == "1");
  check_samples(text, "gslbd_dns_dropped_total", "reason",
                {{"send_failed", "2"}, {"malformed", "1"}, {"tcp_cap", "0"}});
  // Histogram: 3 us and 7 us (le 5 and le 10), 60 us (le 100), 100 us (le 100), 30000 us (+Inf).
  check_samples(text, "gslbd_dns_request_duration_seconds_bucket", "le",
                {{"0.000005", "1"},
                 {"0.00001", "2"},
                 {"0.00005", "2"},
                 {"0.0001", "4"},
                 {"0.025", "4"},
                 {"+Inf", "5"}});
  CHECK(metric(text, "gslbd_dns_request_duration_seconds_count") == "5");
  CHECK(metric(text, "gslbd_dns_request_duration_seconds_sum") == "0.03017");
}

TEST_CASE("TCP connection gauges and close reasons are summed over workers") {
  Fixture f;
  f.workers[0]->set_tcp_connections(3, 4096);
  f.workers[1]->set_tcp_connections(2, 0);
  f.workers[0]->tcp_closed(gslbd::stats::TcpClose::frame_timeout);
  f.workers[1]->tcp_closed(gslbd::stats::TcpClose::frame_timeout);
  f.workers[1]->tcp_closed(gslbd::stats::TcpClose::source_limit);
  f.workers[0]->tcp_closed(gslbd::stats::TcpClose::evicted_slow);
  const std::string text = scrape(f);
  CHECK(metric(text, "gslbd_tcp_connections") == "5");
  CHECK(metric(text, "gslbd_tcp_buffer_bytes") == "4096");
  check_samples(text, "gslbd_tcp_connections_closed_total", "reason",
                {{"frame_timeout", "2"},
                 {"source_limit", "1"},
                 {"evicted_slow", "1"},
                 {"evicted_idle", "0"},
                 {"idle_timeout", "0"},
                 {"write_timeout", "0"}});
}

TEST_CASE("pool and member metrics") {
  Fixture f;
  gslbd::stats::QueryRecord r = query(0, 1, 0);
  r.pool = 0;
  r.selected = 2;
  r.selected_slots[0] = 0;  // app/a
  r.selected_slots[1] = 1;  // app/b
  f.workers[0]->record(r, 1);
  f.workers[1]->record(r, 1);
  r.outcome = gslbd::stats::PoolOutcome::fallback;
  r.selected = 1;
  r.selected_slots[0] = 6;  // spare/x
  f.workers[1]->record(r, 1);
  REQUIRE(f.health.force("sticky/s3", false));
  REQUIRE(wait_until([&] { return !f.config->pools->health->read(5).up; }));

  const std::string text = scrape(f);
  CHECK(metric(text, R"(gslbd_pool_answers_total{pool="app",outcome="normal"})") == "2");
  CHECK(metric(text, R"(gslbd_pool_answers_total{pool="app",outcome="fallback"})") == "1");
  CHECK(metric(text, R"(gslbd_pool_answers_total{pool="app",outcome="all_down"})") == "0");
  CHECK(metric(text, R"(gslbd_pool_answers_total{pool="sticky",outcome="normal"})") == "0");
  CHECK(metric(text, R"(gslbd_member_selections_total{pool="app",member="a"})") == "2");
  CHECK(metric(text, R"(gslbd_member_selections_total{pool="app",member="b"})") == "2");
  CHECK(metric(text, R"(gslbd_member_selections_total{pool="spare",member="x"})") == "1");
  CHECK(metric(text, R"(gslbd_member_selections_total{pool="sticky",member="s1"})") == "0");
  CHECK(metric(text, R"(gslbd_member_up{pool="app",member="a"})") == "1");
  CHECK(metric(text, R"(gslbd_member_up{pool="sticky",member="s3"})") == "0");
  CHECK(metric(text, R"(gslbd_member_forced{pool="sticky",member="s3"})") == "1");
  CHECK(metric(text, R"(gslbd_member_rtt_seconds{pool="app",member="a"})") == "0");
  CHECK(metric(text, R"(gslbd_member_agent_weight{pool="app",member="a"})") == "100");
}

TEST_CASE("config, zone, build and probe families, reloads counted by result") {
  Fixture f;
  std::string text = scrape(f);
  CHECK(metric(text, "gslbd_config_generation") == "1");
  CHECK(metric(text, R"(gslbd_zone_serial{zone="example.test."})") == "2026010101");
  CHECK(metric(text, R"(gslbd_build_info{version="9.9.9-test"})") == "1");
  CHECK(metric(text, R"(gslbd_config_reloads_total{result="success"})") == "0");
  CHECK(metric(text, R"(gslbd_health_checks_total{result="success"})") == "0");
  CHECK(metric(text, "gslbd_health_checks_in_flight") == "0");
  CHECK(metric(text, "process_open_fds").has_value());
  CHECK(metric(text, "process_resident_memory_bytes").has_value());
  CHECK(metric(text, "process_cpu_seconds_total").has_value());
  CHECK(metric(text, "process_start_time_seconds").has_value());

  CHECK(http(f.server->port(), "POST", "/admin/reload", "s3cret-token").status == 200);
  f.fail_next_reload = true;
  CHECK(http(f.server->port(), "POST", "/admin/reload", "s3cret-token").status == 422);
  gslbd::control::ReloadOutcome sighup;
  f.server->on_loop([&] {  // a failed SIGHUP reload, counted by whoever loads
    f.reloads.note(sighup, std::chrono::system_clock::now());
  });
  text = scrape(f);
  CHECK(metric(text, R"(gslbd_config_reloads_total{result="success"})") == "1");
  CHECK(metric(text, R"(gslbd_config_reloads_total{result="failure"})") == "2");
  CHECK(metric(text, "gslbd_config_last_reload_successful") == "0");
  CHECK(metric(text, "gslbd_config_generation") == "2");
  CHECK(metric(text, R"(gslbd_zone_serial{zone="example.test."})") == "2026010102");
  CHECK(metric(text, R"(gslbd_control_responses_total{code="422"})") == "1");
}

TEST_CASE("every sample belongs to a family with HELP and TYPE, declared once") {
  Fixture f;
  f.workers[0]->record(query(0, 1, 0), 3);
  const std::string text = scrape(f);
  std::set<std::string> helped;
  std::map<std::string, std::string> typed;
  std::istringstream lines(text);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    REQUIRE(!line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      CHECK(helped.insert(name).second);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::size_t sp = line.find(' ', 7);
      const std::string name = line.substr(7, sp - 7);
      CHECK(helped.count(name) == 1);  // HELP comes first
      CHECK(typed.emplace(name, line.substr(sp + 1)).second);
      continue;
    }
    ++samples;
    std::string name = line.substr(0, line.find_first_of("{ "));
    if (!typed.count(name)) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
          name = name.substr(0, name.size() - s.size());
          break;
        }
      }
      CHECK(typed[name] == "histogram");
    }
    CAPTURE(line);
    CHECK(typed.count(name) == 1);
    const std::string value = line.substr(line.rfind(' ') + 1);
    CHECK_NOTHROW((void)std::stod(value == "+Inf" ? "inf" : value));
    if (name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0) {
      CHECK(typed[name] == "counter");
    }
  }
  CHECK(samples > 40);
}

TEST_CASE("label values are escaped, le bounds are exact decimals") {
  std::string out;
  gslbd::control::PromText::escape_label("a\\b\"c\nd", out);
  CHECK(out == R"(a\\b\"c\nd)");
  CHECK(gslbd::control::PromText::seconds_text(5) == "0.000005");
  CHECK(gslbd::control::PromText::seconds_text(25000) == "0.025");
  CHECK(gslbd::control::PromText::seconds_text(1000000) == "1");
  CHECK(gslbd::control::PromText::seconds_text(1500000) == "1.5");
}

TEST_CASE("rate limiting and cookie counters are summed over workers, drops send no response") {
  Fixture f;
  auto limited = query(0, 1, 0);
  limited.rrl = gslbd::stats::RrlAction::dropped;
  limited.cookie = gslbd::stats::CookieSeen::client_only;
  f.workers[0]->record(limited, 1);
  f.workers[1]->record(limited, 1);
  auto slipped = query(0, 1, 23);
  slipped.rrl = gslbd::stats::RrlAction::slipped;
  slipped.cookie = gslbd::stats::CookieSeen::invalid;
  f.workers[1]->record(slipped, 1);
  auto would = query(0, 1, 0);
  would.rrl = gslbd::stats::RrlAction::would_limit;
  would.cookie = gslbd::stats::CookieSeen::valid;
  f.workers[0]->record(would, 1);

  const std::string text = scrape(f);
  check_samples(text, "gslbd_dns_rate_limited_total", "action",
                {{"dropped", "2"}, {"slipped", "1"}, {"would_limit", "1"}});
  check_samples(text, "gslbd_dns_cookies_total", "cookie",
                {{"client_only", "2"}, {"valid", "1"}, {"invalid", "1"}});
  // Requests: all four; responses: only what was sent (the slipped BADCOOKIE and would_limit).
  CHECK(
      metric(text,
             R"(gslbd_dns_requests_total{zone="example.test.",proto="udp",family="1",type="A"})") ==
      "4");
  CHECK(metric(text, R"(gslbd_dns_responses_total{rcode="NOERROR"})") == "1");
  CHECK(metric(text, R"(gslbd_dns_responses_total{rcode="BADCOOKIE"})") == "1");
}

TEST_CASE("signature cache lookups and slots are summed over the answering threads") {
  Fixture f;
  f.workers[0]->set_signature_cache({90, 10, 1, 0}, 1024);
  f.workers[1]->set_signature_cache({5, 3, 0, 2}, 4096);
  const std::string text = scrape(f);
  check_samples(text, "gslbd_dnssec_signature_lookups_total", "result",
                {{"hit", "95"}, {"miss", "13"}, {"uncached", "1"}, {"failed", "2"}});
  CHECK(metric(text, "gslbd_dnssec_signature_cache_slots") == "5120");
}
