// SPDX-License-Identifier: Apache-2.0
#include "member_target.hpp"

#include <optional>
#include <string>

#include "gslbd/dns/name.hpp"
#include "gslbd/pool/fallback_chain.hpp"

namespace gslbd::config::detail {
namespace {

// The mark of key in a member's map item, or the item's own when it has no such key.
std::optional<YAML::Mark> key_mark(const Value& item, const char* key) {
  if (!item.node.IsMap()) return std::nullopt;
  for (const auto& entry : item.node) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return mark_of(entry.first, item.mark);
    }
  }
  return std::nullopt;
}

std::string member_name(const Value& item) {
  if (item.node.IsMap()) {
    const YAML::Node name = item.node["name"];
    if (name && name.IsScalar()) return name.Scalar();
  }
  return "?";
}

const char* kind_text(bool by_name) {
  return by_name ? "host names ('target', answered with a CNAME)"
                 : "addresses ('address', answered with A/AAAA records)";
}

}  // namespace

bool read_member_target(Diagnostics& diag, const MapReader& member, pool::Member& out,
                        bool resolver) {
  const auto value = member.find("target");
  if (!value) return false;
  if (const auto address = member.find("address")) {
    diag.error(address->key_mark,
               "'address' beside 'target': a member is reached by address or by host name, "
               "expected one of them");
  }
  const auto text = read_string(diag, *value);
  if (!text) return true;
  if (text->empty() || text->back() != '.' || *text == ".") {
    diag.error(value->mark, "'target': " + quoted(*text) +
                                " is not an absolute host name, expected a name ending in '.' "
                                "such as lb-1.eu.cloud.example.");
    return true;
  }
  const auto wire = read_name(diag, *value, std::string_view("\0", 1));
  if (!wire) return true;
  // Lowercase: the CNAME is signed in canonical form (RFC 4034 section 6.2) and compared so.
  const std::string lower = dns::lowercased(*wire);
  out.target = dns::name_to_text(lower);
  out.target_record.clear();
  out.target_record.push_back(static_cast<std::uint8_t>(lower.size() >> 8));
  out.target_record.push_back(static_cast<std::uint8_t>(lower.size() & 0xff));
  out.target_record.insert(out.target_record.end(), lower.begin(), lower.end());
  out.address = util::Address{};
  out.address.family = pool::kNameFamily;
  if (!resolver && !member.find("check_address")) {
    diag.error(value->key_mark,
               "member with 'target' " + out.target +
                   ": its checks probe the addresses the name resolves to, so the main file "
                   "needs 'server.resolver' (a list of address:port), or the member a "
                   "'check_address'");
  }
  return true;
}

void check_member_kinds(Diagnostics& diag, const std::vector<Value>& items, pool::Pool& pool) {
  std::optional<bool> first_kind;
  std::string first;
  YAML::Mark first_mark;
  for (const Value& item : items) {
    const auto target = key_mark(item, "target");
    const auto address = key_mark(item, "address");
    if (!target && !address) continue;  // reported by the member's reader
    const bool by_name = target.has_value();
    if (!first_kind) {
      first_kind = by_name;
      first = member_name(item);
      first_mark = by_name ? *target : *address;
      continue;
    }
    if (by_name == *first_kind) continue;
    diag.error(by_name ? *target : *address,
               "member '" + member_name(item) + "' of pool '" + pool.name + "' is reached by " +
                   (by_name ? "host name" : "address") + ", but member '" + first + "' (line " +
                   std::to_string(first_mark.line + 1) + ") by " +
                   (by_name ? "address" : "host name") + ": expected all members of a pool to be " +
                   kind_text(*first_kind));
  }
  pool.by_name = first_kind.value_or(false);
}

void check_fallback_kinds(const pool::PoolSet& pools, std::size_t index, Diagnostics& diag,
                          const YAML::Mark& mark) {
  const pool::FallbackChain chain = pool::fallback_chain(pools, static_cast<std::uint32_t>(index));
  const pool::Pool& asked = pools.pools[index];
  for (std::uint32_t i = 1; i < chain.usable(); ++i) {
    const pool::Pool& fallback = pools.pools[chain.pool[i]];
    if (fallback.by_name == asked.by_name) continue;
    diag.error(mark, "pool '" + asked.name + "' has members that are " + kind_text(asked.by_name) +
                         ", but its fallback chain reaches pool '" + fallback.name +
                         "' whose members are " + kind_text(fallback.by_name) +
                         ": expected the pools of a fallback chain to answer alike");
    return;
  }
}

}  // namespace gslbd::config::detail
