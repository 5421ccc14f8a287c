// SPDX-License-Identifier: Apache-2.0
#include "peer_observations.hpp"

#include <unordered_set>

#include "json_reader.hpp"

namespace gslbd::control {
namespace {

struct Reader {
  std::string& error;

  bool fail(const std::string& where, const std::string& why) {
    error = where + ": " + why;
    return false;
  }

  const JsonValue* field(const JsonValue& object, const std::string& where, const char* key) {
    const JsonValue* v = object.find(key);
    if (v == nullptr) fail(where, std::string("'") + key + "' is missing");
    return v;
  }

  bool name(const JsonValue& object, const std::string& where, const char* key, std::string& out) {
    const JsonValue* v = field(object, where, key);
    if (v == nullptr) return false;
    const std::string* s = v->as_string();
    if (s == nullptr || s->empty() || s->size() > kMaxPeerName) {
      return fail(where, std::string("'") + key + "' is not a string of 1 to " +
                             std::to_string(kMaxPeerName) + " octets");
    }
    out = *s;
    return true;
  }

  bool uint(const JsonValue& object, const std::string& where, const char* key,
            std::uint64_t& out) {
    const JsonValue* v = field(object, where, key);
    if (v == nullptr) return false;
    const auto n = v->as_uint();
    if (!n) return fail(where, std::string("'") + key + "' is not a whole number");
    out = *n;
    return true;
  }

  bool boolean(const JsonValue& object, const std::string& where, const char* key, bool& out) {
    const JsonValue* v = field(object, where, key);
    if (v == nullptr) return false;
    const auto b = v->as_bool();
    if (!b) return fail(where, std::string("'") + key + "' is not true or false");
    out = *b;
    return true;
  }
};

bool is_hex_digest(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<PeerObservations> parse_peer_observations(std::string_view text, std::string& error) {
  std::string why;
  const auto document = parse_json(text, why);
  if (!document) {
    error = "not JSON: " + why;
    return std::nullopt;
  }
  Reader r{error};
  if (document->as_object() == nullptr) {
    r.fail("document", "not an object");
    return std::nullopt;
  }
  std::uint64_t format = 0;
  if (!r.uint(*document, "document", "format", format)) return std::nullopt;
  if (format != static_cast<std::uint64_t>(kObservationsFormat)) {
    r.fail("document", "format " + std::to_string(format) + ", expected " +
                           std::to_string(kObservationsFormat));
    return std::nullopt;
  }
  PeerObservations out;
  if (!r.name(*document, "document", "instance", out.instance) ||
      !r.uint(*document, "document", "generation", out.generation)) {
    return std::nullopt;
  }
  const JsonValue* pools = r.field(*document, "document", "pools");
  if (pools == nullptr) return std::nullopt;
  if (pools->as_array() == nullptr || pools->as_array()->size() > kMaxPeerPools) {
    r.fail("document", "'pools' is not a list of at most " + std::to_string(kMaxPeerPools));
    return std::nullopt;
  }
  std::size_t member_count = 0;
  std::unordered_set<std::string> pool_names;
  for (std::size_t i = 0; i < pools->as_array()->size(); ++i) {
    const JsonValue& pool = (*pools->as_array())[i];
    const std::string where = "pools[" + std::to_string(i) + "]";
    if (pool.as_object() == nullptr) {
      r.fail(where, "not an object");
      return std::nullopt;
    }
    PeerPool p;
    if (!r.name(pool, where, "name", p.name) || !r.name(pool, where, "digest", p.digest)) {
      return std::nullopt;
    }
    if (!is_hex_digest(p.digest)) {
      r.fail(where, "'digest' is not 64 lower-case hex digits");
      return std::nullopt;
    }
    if (!pool_names.insert(p.name).second) {
      r.fail(where, "pool '" + p.name + "' is listed twice");
      return std::nullopt;
    }
    const JsonValue* members = r.field(pool, where, "members");
    if (members == nullptr) return std::nullopt;
    if (members->as_array() == nullptr) {
      r.fail(where, "'members' is not a list");
      return std::nullopt;
    }
    std::unordered_set<std::string> member_names;
    member_count += members->as_array()->size();
    if (member_count > kMaxPeerMembers) {
      r.fail(where, "more than " + std::to_string(kMaxPeerMembers) + " members in all");
      return std::nullopt;
    }
    for (std::size_t j = 0; j < members->as_array()->size(); ++j) {
      const JsonValue& member = (*members->as_array())[j];
      const std::string at = where + ".members[" + std::to_string(j) + "]";
      if (member.as_object() == nullptr) {
        r.fail(at, "not an object");
        return std::nullopt;
      }
      PeerMember m;
      if (!r.name(member, at, "name", m.name) || !r.boolean(member, at, "known", m.known) ||
          !r.boolean(member, at, "up", m.up) || !r.uint(member, at, "generation", m.generation)) {
        return std::nullopt;
      }
      const JsonValue* age = r.field(member, at, "age_ms");
      if (age == nullptr) return std::nullopt;
      if (!age->is_null()) {
        const auto ms = age->as_uint();
        if (!ms) {
          r.fail(at, "'age_ms' is not a whole number or null");
          return std::nullopt;
        }
        m.age_ms = *ms;
      }
      if (!member_names.insert(m.name).second) {
        r.fail(at, "member '" + m.name + "' is listed twice");
        return std::nullopt;
      }
      p.members.push_back(std::move(m));
    }
    out.pools.push_back(std::move(p));
  }
  if (const JsonValue* actions = document->find("actions")) {
    if (auto parsed = parse_actions(*actions, out.actions_error)) out.actions = std::move(*parsed);
  }
  return out;
}

}  // namespace gslbd::control
