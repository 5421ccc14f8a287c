// SPDX-License-Identifier: Apache-2.0
// Per-worker query counters. Each WorkerStats is written by exactly one worker thread (plain
// relaxed load + store: no read-modify-write, no shared cache line on the query path) and read
// by the control thread at scrape time, which sums the workers. Fixed capacity: nothing is
// allocated after construction; zones and pools past the capacity count under an overflow slot.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace gslbd::stats {

// A counter owned by one writer thread.
class Counter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

enum class Proto : std::uint8_t { udp = 0, tcp = 1, xdp = 2 };
inline constexpr std::size_t kProtos = 3;
// "udp", "tcp", "xdp": the proto label in /metrics and the query log.
const char* proto_name(std::size_t proto) noexcept;
inline constexpr std::size_t kFamilies = 2;  // 0 = IPv4 client, 1 = IPv6 client

// Query types with their own label; everything else is "other" (keeps label sets bounded).
inline constexpr std::array<std::uint16_t, 12> kQtypes = {1,  2,  5,  6,   12,  15,
                                                          16, 28, 33, 255, 257, 65};
inline constexpr std::size_t kQtypeBuckets = kQtypes.size() + 1;  // + other
std::size_t qtype_bucket(std::uint16_t qtype) noexcept;
std::string_view qtype_name(std::size_t bucket) noexcept;  // "other" past the named ones

inline constexpr std::size_t kRcodes = 24;  // 0..23 (BADVERS is 16); larger count as 23

// Request duration histogram upper bounds, in microseconds (Prometheus "le" buckets).
inline constexpr std::array<std::uint32_t, 10> kDurationBucketsUs = {5,   10,  25,   50,   100,
                                                                     250, 500, 1000, 5000, 25000};

enum class Drop : std::uint8_t {
  malformed = 0,    // too short or QR set: no answer sent
  send_failed = 1,  // the kernel refused the answer (buffer full, unreachable)
  oversized = 2,    // a UDP query larger than our buffer
  tcp_cap = 3,      // a TCP connection closed at once because the cap was reached
};
inline constexpr std::size_t kDrops = 4;
const char* drop_name(std::size_t drop) noexcept;

// Why the server closed (or at once refused) a DNS TCP connection.
enum class TcpClose : std::uint8_t {
  idle_timeout = 0,   // no query began within the idle timeout
  frame_timeout = 1,  // a query was not complete within the frame timeout from its first octet
  write_timeout = 2,  // the client did not take an answer within the frame timeout
  evicted_idle = 3,   // idle for half the frame timeout, closed for a new connection at the cap
  evicted_slow = 4,   // mid-frame or writing for half the frame timeout, closed likewise
  source_limit = 5,   // refused: its network had max_connections_per_source already
};
inline constexpr std::size_t kTcpCloses = 6;
const char* tcp_close_name(std::size_t reason) noexcept;

// What response rate limiting did to a UDP response.
enum class RrlAction : std::uint8_t {
  none = 0,         // not limited (or exempt)
  dropped = 1,      // no response sent
  slipped = 2,      // a minimal TC=1 (or BADCOOKIE) response sent instead
  would_limit = 3,  // log_only: limited in the accounting, answered in full
};
inline constexpr std::size_t kRrlActions = 4;
const char* rrl_action_name(std::size_t action) noexcept;

// What a request's COOKIE option (RFC 7873) held.
enum class CookieSeen : std::uint8_t {
  none = 0,         // no COOKIE option (or cookies are off)
  client_only = 1,  // a client cookie alone
  valid = 2,        // with a server cookie of ours, in date
  invalid = 3,      // with a server cookie that is not ours or out of date
};
inline constexpr std::size_t kCookieKinds = 4;
const char* cookie_kind_name(std::size_t kind) noexcept;

// What a lookup in the worker's DNSSEC signature cache found.
enum class SignatureLookup : std::uint8_t {
  hit = 0,       // signed before: copied from the cache
  miss = 1,      // signed now and stored
  uncached = 2,  // too large for a slot: signed now, not stored
  failed = 3,    // could not be signed (the answer went out unsigned)
};
inline constexpr std::size_t kSignatureLookups = 4;
const char* signature_lookup_name(std::size_t lookup) noexcept;

enum class PoolOutcome : std::uint8_t { normal = 0, fallback = 1, all_down = 2 };
inline constexpr std::size_t kPoolOutcomes = 3;
// "normal", "fallback", "all_down": the names in /metrics, the query log, /status and /explain.
const char* outcome_name(PoolOutcome outcome) noexcept;

inline constexpr std::size_t kMaxZones = 256;      // zones with their own counters; + overflow
inline constexpr std::size_t kMaxPools = 1024;     // pools with their own counters; + overflow
inline constexpr std::size_t kMaxMembers = 16384;  // health slots with selection counters

// What one answered query contributes (filled by the query path, counted by the worker).
struct QueryRecord {
  Proto proto = Proto::udp;
  std::uint8_t family = 4;  // client address family
  std::uint16_t qtype = 0;
  std::int32_t zone = -1;   // index in the snapshot's zone set, -1 = none
  std::uint16_t rcode = 0;  // including extended bits
  bool truncated = false;
  bool answered = true;    // false: no answer was sent (dropped)
  std::int32_t pool = -1;  // the pool asked for, for service names
  PoolOutcome outcome = PoolOutcome::normal;
  std::uint8_t selected = 0;              // members named
  std::uint32_t selected_slots[16] = {};  // their health slots
  // Length of the question name, which stands uncompressed right after the request's header
  // (the parser accepts nothing else); 0 when the request had no readable question.
  std::uint8_t qname_len = 0;
  RrlAction rrl = RrlAction::none;
  std::uint8_t rrl_category = 0;  // rrl::Category of a limited response
  bool rrl_started = false;       // its key has just gone over the rate (worth a log line)
  CookieSeen cookie = CookieSeen::none;
};

// A level owned by one writer thread.
class Gauge {
 public:
  void set(std::uint64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class WorkerStats {
 public:
  WorkerStats();

  // Worker thread only.
  void record(const QueryRecord& record, std::uint32_t duration_us) noexcept;
  void drop(Drop reason, std::uint64_t n = 1) noexcept {
    drops_[static_cast<std::size_t>(reason)].add(n);
  }

  void tcp_closed(TcpClose reason) noexcept { tcp_closes_[static_cast<std::size_t>(reason)].add(); }
  // Open TCP connections and the heap octets they hold for partial queries and unsent answers.
  void set_tcp_connections(std::uint64_t open, std::uint64_t buffer_bytes) noexcept {
    tcp_connections_.set(open);
    tcp_buffer_bytes_.set(buffer_bytes);
  }

  // The signature cache's totals so far, by SignatureLookup, and its size (slots), as the
  // worker's cache counts them (published once per batch).
  void set_signature_cache(const std::array<std::uint64_t, kSignatureLookups>& lookups,
                           std::uint64_t slots) noexcept {
    for (std::size_t i = 0; i < kSignatureLookups; ++i) signature_lookups_[i].set(lookups[i]);
    signature_slots_.set(slots);
  }

  // Any thread (reads are relaxed loads; totals are eventually consistent).
  std::uint64_t requests(std::size_t zone, std::size_t proto, std::size_t family,
                         std::size_t qtype) const noexcept {
    return table_->requests[zone][proto][family][qtype].get();
  }
  std::uint64_t responses(std::size_t rcode) const noexcept { return responses_[rcode].get(); }
  std::uint64_t truncated() const noexcept { return truncated_.get(); }
  std::uint64_t drops(std::size_t reason) const noexcept { return drops_[reason].get(); }
  std::uint64_t tcp_closes(std::size_t reason) const noexcept { return tcp_closes_[reason].get(); }
  std::uint64_t tcp_connections() const noexcept { return tcp_connections_.get(); }
  std::uint64_t tcp_buffer_bytes() const noexcept { return tcp_buffer_bytes_.get(); }
  std::uint64_t duration_bucket(std::size_t i) const noexcept { return duration_[i].get(); }
  std::uint64_t duration_count() const noexcept { return duration_count_.get(); }
  std::uint64_t duration_sum_us() const noexcept { return duration_sum_us_.get(); }
  std::uint64_t pool_answers(std::size_t pool, std::size_t outcome) const noexcept {
    return table_->pool_answers[pool][outcome].get();
  }
  std::uint64_t selections(std::size_t slot) const noexcept {
    return table_->selections[slot].get();
  }
  std::uint64_t rrl(std::size_t action) const noexcept { return rrl_[action].get(); }
  std::uint64_t cookies(std::size_t kind) const noexcept { return cookies_[kind].get(); }
  std::uint64_t signature_lookups(std::size_t lookup) const noexcept {
    return signature_lookups_[lookup].get();
  }
  std::uint64_t signature_slots() const noexcept { return signature_slots_.get(); }

 private:
  struct Tables {
    Counter requests[kMaxZones + 1][kProtos][kFamilies][kQtypeBuckets];
    Counter pool_answers[kMaxPools + 1][kPoolOutcomes];
    Counter selections[kMaxMembers];
  };
  std::unique_ptr<Tables> table_;
  Counter responses_[kRcodes];
  Counter truncated_;
  Counter drops_[kDrops];
  Counter tcp_closes_[kTcpCloses];
  Gauge tcp_connections_;
  Gauge tcp_buffer_bytes_;
  Counter duration_[kDurationBucketsUs.size()];  // non-cumulative; cumulated when rendered
  Counter duration_count_;
  Counter duration_sum_us_;
  Counter rrl_[kRrlActions];
  Counter cookies_[kCookieKinds];
  Gauge signature_lookups_[kSignatureLookups];  // totals kept by the cache, copied here
  Gauge signature_slots_;
};

}  // namespace gslbd::stats
