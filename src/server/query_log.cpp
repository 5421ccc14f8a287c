// SPDX-License-Identifier: Apache-2.0
#include "query_log.hpp"

#include <arpa/inet.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/names.hpp"
#include "gslbd/rrl/rate_table.hpp"

namespace gslbd::server {
namespace {

// The address in presentation form, or "-" when there is none; no allocation.
void format_address(const util::Address& address, char (&out)[INET6_ADDRSTRLEN]) noexcept {
  out[0] = '-';
  out[1] = '\0';
  if (address.family != 4 && address.family != 6) return;
  if (inet_ntop(address.family == 4 ? AF_INET : AF_INET6, address.bytes.data(), out, sizeof out) ==
      nullptr) {
    out[0] = '-';
    out[1] = '\0';
  }
}

// The longest name text: 255 wire octets, each escaped as \DDD.
constexpr std::size_t kNameText = 4 * 255 + 1;
constexpr std::size_t kLine = kNameText + 512;

// A line formatted into a fixed array; what does not fit is cut.
class LineBuffer {
 public:
  template <typename... T>
  void operator()(fmt::format_string<T...> format, T&&... args) {
    const auto room = static_cast<std::size_t>(line_ + kLine - end_);
    const auto result = fmt::format_to_n(end_, room, format, std::forward<T>(args)...);
    end_ += std::min(result.size, room);
  }
  std::string_view text() const noexcept { return {line_, static_cast<std::size_t>(end_ - line_)}; }

 private:
  char line_[kLine];
  char* end_ = line_;
};

}  // namespace

std::size_t name_text(const std::uint8_t* wire, std::size_t wire_len, char* out,
                      std::size_t capacity) noexcept {
  std::size_t n = 0;
  auto put = [&](char c) {
    if (n < capacity) out[n++] = c;
  };
  std::size_t at = 0;
  while (at < wire_len && wire[at] != 0) {
    const std::size_t label = wire[at++];
    for (std::size_t i = 0; i < label && at < wire_len; ++i, ++at) {
      const std::uint8_t c = wire[at];
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
          c == '$') {
        put('\\');
        put(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        put('\\');
        put(static_cast<char>('0' + c / 100));
        put(static_cast<char>('0' + c / 10 % 10));
        put(static_cast<char>('0' + c % 10));
      } else {
        put(static_cast<char>(c));
      }
    }
    put('.');
  }
  if (n == 0) put('.');
  return n;
}

bool QueryLog::take(std::uint32_t rate, std::uint64_t now_ns) noexcept {
  if (!started_) {
    started_ = true;
    tokens_ = rate;
    refilled_ns_ = now_ns;
    reported_ns_ = now_ns;
  }
  const std::uint64_t elapsed = now_ns - refilled_ns_;
  if (elapsed >= kSecondNs) {
    tokens_ = rate;  // a full second refills the whole burst
    refilled_ns_ = now_ns;
  } else {
    // elapsed < 1e9 and rate <= 1e5: the product fits easily in 64 bits.
    const std::uint64_t add = elapsed * rate / kSecondNs;
    if (add > 0) {
      tokens_ += add;
      refilled_ns_ += add * kSecondNs / rate;  // keep the fraction of a token for next time
    }
  }
  if (tokens_ >= rate) {
    tokens_ = rate;  // also clamps after a reload lowered the rate
    refilled_ns_ = now_ns;
  }
  if (tokens_ == 0) return false;
  --tokens_;
  return true;
}

void QueryLog::flush(std::uint64_t now_ns) noexcept {
  if (rate_limit_suppressed_ != 0 && now_ns - rate_limit_second_ns_ >= kSecondNs) {
    const std::uint64_t n = rate_limit_suppressed_;
    rate_limit_suppressed_ = 0;
    try {
      spdlog::warn("rate limit: {} lines suppressed", n);
    } catch (...) {  // logging must never take the worker down
    }
  }
  if (suppressed_ == 0 || now_ns - reported_ns_ < kSecondNs) return;
  const std::uint64_t n = suppressed_;
  suppressed_ = 0;
  reported_ns_ = now_ns;
  try {
    spdlog::info("query log: {} lines suppressed", n);
  } catch (...) {  // logging must never take the worker down
  }
}

void QueryLog::log_line(const runtime::Config& config, const util::Address& client,
                        const std::uint8_t* request, const stats::QueryRecord& record,
                        std::size_t answer_size, std::uint32_t duration_us,
                        std::uint64_t now_ns) noexcept {
  // Below info the line would be dropped after formatting: skip the work (and the tokens).
  if (!spdlog::should_log(spdlog::level::info)) return;
  if (!take(config.server.query_log_rate, now_ns)) {
    ++suppressed_;
    flush(now_ns);
    return;
  }
  flush(now_ns);

  char address[INET6_ADDRSTRLEN];
  format_address(client, address);
  char qname[kNameText];
  const std::size_t qname_len =
      name_text(request + dns::kHeaderSize, record.qname_len, qname, sizeof qname);
  const std::string_view name(qname, qname_len);
  const std::string_view rcode = dns::rcode_name(record.rcode);
  const char* proto = stats::proto_name(static_cast<std::size_t>(record.proto));

  try {
    LineBuffer append;
    append("query client={} proto={} qname={} qtype=", address, proto, name);
    if (const std::string_view type = dns::rr_type_name(record.qtype); !type.empty()) {
      append("{}", type);
    } else {
      append("TYPE{}", record.qtype);
    }
    if (!rcode.empty()) {
      append(" rcode={}", rcode);
    } else {
      append(" rcode=RCODE{}", record.rcode);
    }
    append(" size={}{} us={}", answer_size, record.truncated ? " tc" : "", duration_us);
    const pool::PoolSet* pools = config.pools.get();
    if (record.pool >= 0 && pools != nullptr &&
        static_cast<std::size_t>(record.pool) < pools->pools.size()) {
      append(" pool={} outcome={} members={}",
             pools->pools[static_cast<std::size_t>(record.pool)].name,
             stats::outcome_name(record.outcome), record.selected);
    }
    spdlog::info("{}", append.text());
  } catch (...) {  // logging must never take the worker down
  }
}

void QueryLog::log_rate_limit(const runtime::Config& config, const util::Address& client,
                              const std::uint8_t* request, const stats::QueryRecord& record,
                              std::uint64_t now_ns) noexcept {
  if (!spdlog::should_log(spdlog::level::warn)) return;
  if (now_ns - rate_limit_second_ns_ >= kSecondNs) {
    flush(now_ns);
    rate_limit_second_ns_ = now_ns;
    rate_limit_lines_ = 0;
  }
  if (rate_limit_lines_ >= kRateLimitLines) {
    ++rate_limit_suppressed_;
    return;
  }
  ++rate_limit_lines_;
  const runtime::RateLimitConfig& limit = config.server.rate_limit;
  const unsigned prefix = client.family == 6 ? limit.ipv6_prefix : limit.ipv4_prefix;
  const util::Address network = util::masked(client, prefix);
  char address[INET6_ADDRSTRLEN];
  format_address(network, address);
  char qname[kNameText];
  const std::size_t qname_len =
      name_text(request + dns::kHeaderSize, record.qname_len, qname, sizeof qname);
  try {
    spdlog::warn("rate limit: {} {}/{} over the {} rate (qname {}){}",
                 limit.log_only ? "would limit" : "limiting", address, prefix,
                 rrl::category_name(static_cast<rrl::Category>(record.rrl_category)),
                 std::string_view(qname, qname_len), limit.log_only ? " (log_only)" : "");
  } catch (...) {  // logging must never take the worker down
  }
}

}  // namespace gslbd::server
