// SPDX-License-Identifier: Apache-2.0
// The hash policy: weighted rendezvous hashing of the client subnet, sticky per client network.
#include <cmath>

#include "policy.hpp"

namespace gslbd::pool::detail {

namespace {

// The splitmix64 / murmur3 finaliser: every input bit affects every output bit.
std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// FNV-1a over the member name, then mixed. The name (not the index) identifies a member so that
// reloads that reorder or add members keep every other client's answer.
std::uint64_t name_hash(const std::string& name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char ch : name) {
    h ^= static_cast<unsigned char>(ch);
    h *= 0x100000001b3ull;
  }
  return mix64(h);
}

std::uint64_t client_hash(const util::Address& key, unsigned prefix) noexcept {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  for (std::size_t i = 0; i < 8; ++i) hi = (hi << 8) | key.bytes[i];
  for (std::size_t i = 8; i < 16; ++i) lo = (lo << 8) | key.bytes[i];
  std::uint64_t h = mix64(hi ^ (std::uint64_t{key.family} << 56) ^ (std::uint64_t{prefix} << 48));
  return mix64(h ^ mix64(lo + 0x9e3779b97f4a7c15ull));
}

std::uint64_t pair_hash(std::uint64_t client, const std::string& name) noexcept {
  return mix64(client ^ name_hash(name));
}

// Weighted rendezvous score w / -ln(u), u uniform in (0, 1) from the pair hash: each member wins
// a client with probability weight / total, and a member's departure only moves the clients it
// won (every other member's score for a client is unchanged).
double score(std::uint64_t pair, const Candidate& candidate) noexcept {
  const double u = (static_cast<double>(pair >> 11) + 0.5) * 0x1.0p-53;  // never 0 or 1
  return static_cast<double>(candidate.weight) / -std::log(u);
}

}  // namespace

void pick_hash(const PolicyArgs& args, std::span<const Candidate> candidates,
               Picked& out) noexcept {
  if (candidates.empty()) return;
  const util::Address& address = args.client.address;
  // The key is the client's own address in its own family (an AAAA question from an IPv4
  // client hashes the IPv4 subnet); never more bits than the client revealed.
  const unsigned configured = address.family == 6   ? args.pool.hash_prefix_v6
                              : address.family == 4 ? args.pool.hash_prefix_v4
                                                    : 0;
  const unsigned prefix = configured < args.client.prefix ? configured : args.client.prefix;
  const std::uint64_t client = client_hash(util::masked(address, prefix), prefix);
  out.scope = static_cast<std::uint8_t>(prefix);

  // With equal weights the score is a monotonic function of the pair hash, so the hash itself
  // orders the members and the logarithms (most of this policy's cost) are skipped. The top
  // 53 bits decide, as they do for the score.
  const std::size_t n = candidates.size() < kMaxMembers ? candidates.size() : kMaxMembers;
  bool equal_weights = true;
  for (std::size_t i = 1; i < n; ++i) equal_weights &= candidates[i].weight == candidates[0].weight;
  double scores[kMaxMembers];
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t pair = pair_hash(client, args.pool.members[candidates[i].member].name);
    scores[i] = equal_weights ? static_cast<double>(pair >> 11) : score(pair, candidates[i]);
  }
  // Top `want` by score, by repeated selection (want <= 16); a taken entry's score becomes -1,
  // below every real score.
  for (std::uint32_t k = 0; k < args.want && k < n; ++k) {
    std::size_t best = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (scores[i] < 0) continue;
      // Ties (equal scores) go to the lower member index so the answer stays deterministic.
      if (best == n || scores[i] > scores[best]) best = i;
    }
    if (best == n) break;
    scores[best] = -1;
    out.push(candidates[best].member);
  }
  // The members named are recorded as chosen after this, over this mark.
  if (args.trace != nullptr) {
    for (const Candidate& c : candidates) mark(args.trace, c.member, MemberReason::lower_score);
  }
}

}  // namespace gslbd::pool::detail
