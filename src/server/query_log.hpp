// SPDX-License-Identifier: Apache-2.0
// The optional query log (server.log.queries): one info line per answered query, at most
// server.log.query_rate lines per second per answering thread (each UDP receiver, and each
// worker's TCP loop). One QueryLog per such thread, used only by it: a token bucket refilled from
// the monotonic clock (no locks, no atomics) and a line formatted into a stack buffer, so a query
// that is not logged costs a branch and a few integer operations, and nothing on this side
// allocates. Lines over the rate are counted and reported as "query log: N lines suppressed" at
// most once per second.
// It also writes the rate limiting lines: one warning when a client network's key goes over
// its rate (server.rate_limit), at most kRateLimitLines per second per thread, the rest
// counted and reported the same way.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gslbd/runtime/config.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::server {

class QueryLog {
 public:
  static constexpr std::uint64_t kSecondNs = 1'000'000'000;
  static constexpr std::uint32_t kRateLimitLines = 10;

  // Worker thread: logs one query answered with answer_size octets (0: no answer was sent),
  // when config turns the log on and the rate allows. request is the query as received (its
  // question name is read from it). now_ns is util::monotonic_ns().
  void log(const runtime::Config& config, const util::Address& client, const std::uint8_t* request,
           const stats::QueryRecord& record, std::size_t answer_size, std::uint32_t duration_us,
           std::uint64_t now_ns) noexcept {
    if (record.rrl_started) log_rate_limit(config, client, request, record, now_ns);
    if (config.server.log_queries && record.answered && answer_size != 0) {
      log_line(config, client, request, record, answer_size, duration_us, now_ns);
    }
  }

  // Worker thread, from a periodic timer: reports suppressed lines if a second has passed.
  void flush(std::uint64_t now_ns) noexcept;

 private:
  // Takes one token at now_ns for the given rate; false when the bucket is empty.
  bool take(std::uint32_t rate, std::uint64_t now_ns) noexcept;
  void log_line(const runtime::Config& config, const util::Address& client,
                const std::uint8_t* request, const stats::QueryRecord& record,
                std::size_t answer_size, std::uint32_t duration_us, std::uint64_t now_ns) noexcept;
  void log_rate_limit(const runtime::Config& config, const util::Address& client,
                      const std::uint8_t* request, const stats::QueryRecord& record,
                      std::uint64_t now_ns) noexcept;

  bool started_ = false;
  std::uint64_t tokens_ = 0;
  std::uint64_t refilled_ns_ = 0;  // tokens are credited for the time since this instant
  std::uint64_t suppressed_ = 0;
  std::uint64_t reported_ns_ = 0;           // the last suppression report (or the first use)
  std::uint64_t rate_limit_second_ns_ = 0;  // start of the second rate_limit_lines_ counts in
  std::uint32_t rate_limit_lines_ = 0;
  std::uint64_t rate_limit_suppressed_ = 0;
};

// Writes the presentation form of a wire name ("www.example.com.", "." for the root, \DDD and
// \. escapes) into out and returns its length, at most capacity (a longer text is cut).
// Needs no terminator; allocation-free.
std::size_t name_text(const std::uint8_t* wire, std::size_t wire_len, char* out,
                      std::size_t capacity) noexcept;

}  // namespace gslbd::server
