// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/zone_keys.hpp"

#include <atomic>

#include "gslbd/dns/name.hpp"

namespace gslbd::dnssec {
namespace {

constexpr std::uint16_t kDnskey = 48;
constexpr std::uint16_t kCds = 59;
constexpr std::uint16_t kCdnskey = 60;

std::atomic<std::uint64_t> next_id{1};

}  // namespace

ZoneKeys::ZoneKeys(std::string apex_wire, std::vector<Key> keys, SigningTimes times)
    : apex_(std::move(apex_wire)),
      keys_(std::move(keys)),
      times_(times),
      id_(next_id.fetch_add(1, std::memory_order_relaxed)) {}

bool ZoneKeys::signs(const Key& key, std::uint16_t type) noexcept {
  if (type == kDnskey || type == kCds || type == kCdnskey) return key.signs_keys();
  return key.signs_zone();
}

std::string ZoneKeys::check() const {
  std::size_t zone_signers = 0;
  std::size_t key_signers = 0;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    zone_signers += keys_[i].signs_zone() ? 1 : 0;
    key_signers += keys_[i].signs_keys() ? 1 : 0;
    for (std::size_t j = 0; j < i; ++j) {
      if (keys_[j].tag == keys_[i].tag && keys_[j].algorithm == keys_[i].algorithm) {
        return "keys " + keys_[j].path + " and " + keys_[i].path + " have the same key tag " +
               std::to_string(keys_[i].tag) + " and algorithm; generate another key";
      }
    }
  }
  if (zone_signers == 0) return "no key signs the zone's data; give a csk, or a zsk with a ksk";
  if (key_signers == 0) return "no key signs the DNSKEY set; give a csk, or a ksk with a zsk";
  if (zone_signers > kMaxSigners || key_signers > kMaxSigners) {
    return "at most " + std::to_string(kMaxSigners) +
           " keys may sign at once (per kind); give the others role publish";
  }
  return {};
}

std::vector<std::string> ZoneKeys::ds_lines() const {
  std::vector<std::string> lines;
  for (const Key& key : keys_) {
    if (!key.signs_keys()) continue;
    lines.push_back(dns::name_to_text(apex_) + " IN DS " +
                    ds_text(ds_rdata(apex_, key.dnskey_rdata)));
  }
  return lines;
}

}  // namespace gslbd::dnssec
