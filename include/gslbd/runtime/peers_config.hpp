// SPDX-License-Identifier: Apache-2.0
// The other instances of the fleet (the main file's peers: section): whose observations this
// instance fetches, with which token, how often and how long they count. Part of the served
// model (Config), filled by the loader (config/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gslbd::runtime {

// One other instance, reached at its control endpoint.
struct PeerInstance {
  std::string name;  // unique in the section; logs, /status and votes name the peer by it
  std::string url;   // as written: http://host:port
  std::string host;  // numeric address (IPv6 without brackets) or lower-case host name
  std::uint16_t port = 0;
  bool operator==(const PeerInstance&) const = default;
};

// Bounds of an observations document, shared by the endpoint that writes one and the poller
// that reads one, so that what one instance sends another accepts.
inline constexpr std::uint32_t kMinPeerReplyBytes = 64 * 1024;
inline constexpr std::uint32_t kMaxPeerReplyBytes = 64 * 1024 * 1024;

struct PeersConfig {
  std::vector<PeerInstance> instances;  // empty: no peers section (own view only)
  // Sent by this instance as "Authorization: Bearer" and required from every instance that
  // asks for this one's observations. Shared by the whole fleet.
  std::string token;
  std::uint32_t interval_ms = 1'000;     // one poll of every peer per interval
  std::uint32_t timeout_ms = 500;        // a whole poll (connect + reply), below interval_ms
  std::uint32_t stale_after_ms = 3'000;  // an observation older than this does not vote
  std::uint32_t max_reply_bytes = 4 * 1024 * 1024;  // a longer reply is refused unread

  bool enabled() const noexcept { return !instances.empty(); }
  bool operator==(const PeersConfig&) const = default;
};

}  // namespace gslbd::runtime
