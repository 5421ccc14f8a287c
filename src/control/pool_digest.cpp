// SPDX-License-Identifier: Apache-2.0
#include "pool_digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace gslbd::control {
namespace {

// Every field is length-prefixed, so no two different definitions serialise alike.
class Canonical {
 public:
  Canonical& text(std::string_view value) {
    number(value.size());
    out_.append(value);
    return *this;
  }
  Canonical& number(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    return *this;
  }
  Canonical& real(double value) { return number(std::bit_cast<std::uint64_t>(value)); }
  Canonical& names(const std::vector<std::string>& list) {
    number(list.size());
    for (const std::string& name : list) text(name);
    return *this;
  }
  Canonical& address(const util::Address& a) {
    number(a.family);
    out_.append(reinterpret_cast<const char*>(a.bytes.data()), a.family == 4 ? 4u : 16u);
    return *this;
  }
  const std::string& bytes() const noexcept { return out_; }

 private:
  std::string out_;
};

void add_check(Canonical& c, const health::CheckSpec& check) {
  c.text(check.name).number(static_cast<std::uint64_t>(check.type));
  c.number(check.interval_ms).number(check.timeout_ms).number(check.rise).number(check.fall);
  c.number(check.jitter_percent).number(check.port);
  c.text(check.send).text(check.expect).text(check.method).text(check.path).text(check.host);
  c.number(check.headers.size());
  for (const auto& [name, value] : check.headers) c.text(name).text(value);
  c.number(check.expect_status.size());
  for (const std::uint16_t status : check.expect_status) c.number(status);
  c.text(check.expect_body).number(check.tls_verify ? 1 : 0).text(check.ca_file).text(check.sni);
  c.text(check.socket).text(check.frontend).number(check.backends.size());
  for (const std::string& backend : check.backends) c.text(backend);
  c.number(check.min_up_servers).text(check.stats_page).number(check.stats_tls ? 1 : 0);
  c.number(check.invert ? 1 : 0);
}

void add_geo(Canonical& c, const pool::GeoSettings& geo) {
  c.number(geo.preference.size());
  for (const auto& [region, order] : geo.preference) c.text(region).names(order);
  c.names(geo.default_order).text(pool::policy_name(geo.within_region));
  c.number(geo.closest ? 1 : 0).number(geo.closest_tolerance_percent);
  c.number(geo.closest_tolerance_km);
}

}  // namespace

std::string pool_digest(const pool::PoolSet& set, const pool::Pool& pool) {
  Canonical c;
  c.text("gslbd pool 1").text(pool.name).text(pool::policy_name(pool.policy));
  c.number(pool.max_records).number(static_cast<std::uint64_t>(pool.all_down));
  const bool has_fallback =
      pool.fallback_pool >= 0 && static_cast<std::size_t>(pool.fallback_pool) < set.pools.size();
  c.text(has_fallback ? set.pools[static_cast<std::size_t>(pool.fallback_pool)].name : "");
  c.number(pool.hash_prefix_v4).number(pool.hash_prefix_v6).number(pool.min_healthy);
  c.number(pool.preempt ? 1 : 0);
  c.number(pool.latency.tolerance_percent).number(pool.latency.tolerance_min_us);
  c.number(pool.pool_min_healthy).text(pool::consensus_text(pool.consensus));
  // The geo map's networks are not included: a map is defined apart from the pool that uses it.
  if (pool.policy == pool::PolicyKind::geo) add_geo(c, pool.geo);
  c.number(pool.members.size());
  for (const pool::Member& m : pool.members) {
    c.text(m.name).address(m.address).number(m.weight).number(m.priority).text(m.region);
    c.number(m.bandwidth_bps).address(m.check_address).number(m.slow_start_ms);
    c.number(m.has_location ? 1 : 0).real(m.location.latitude).real(m.location.longitude);
    c.number(static_cast<std::uint64_t>(m.healthy_when.kind)).number(m.healthy_when.at_least);
    c.number(static_cast<std::uint64_t>(m.initial_state)).number(m.checks.size());
    for (const health::CheckSpec& check : m.checks) add_check(c, check);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  if (EVP_Digest(c.bytes().data(), c.bytes().size(), md.data(), &length, EVP_sha256(), nullptr) !=
      1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

}  // namespace gslbd::control
