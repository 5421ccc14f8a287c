// SPDX-License-Identifier: Apache-2.0
// A stub resolver on the health loop: asks the configured recursive resolvers (server.resolver)
// for the A and AAAA records of one member's host name over UDP. Bounded: one query in flight,
// kQueryTimeoutMs for each, kAttemptsPerType tries per type, rotating through the resolvers;
// each try from a fresh socket (a new random source port) with a fresh random ID; replies from
// elsewhere, with another ID or question, or unreadable, are ignored (resolver_reply.hpp).
// A truncated reply (TC) is asked again over TCP of the same resolver within the same try:
// one connection, kTcpQueryTimeoutMs for connect, query and reply together, and a reply of at
// most kMaxTcpReply octets (the most its 2-octet length can announce).
// Health loop thread only. Never on the query path.
#pragma once

#include <uv.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gslbd/probe/health_loop.hpp"
#include "gslbd/util/address.hpp"
#include "resolver_reply.hpp"

namespace gslbd::probe {

inline constexpr std::uint32_t kQueryTimeoutMs = 1000;
inline constexpr int kAttemptsPerType = 2;
inline constexpr std::uint32_t kTcpQueryTimeoutMs = 2000;
// The largest reply read over TCP (a DNS message's limit): a few thousand address records.
inline constexpr std::size_t kMaxTcpReply = 65535;

struct Resolution {
  bool ok = false;  // at least one address, and no NXDOMAIN or resolver failure
  // IPv4 first, then IPv6, each in ascending order; at most kMaxReplyAddresses of each family
  // (the lowest)
  std::vector<util::Address> addresses;
  std::uint32_t offered[2] = {0, 0};  // address records in the replies: [0] A, [1] AAAA
  std::uint32_t ttl = 0;              // the smallest TTL of the records used
  std::string error;                  // why it failed: "NXDOMAIN from 127.0.0.1:53", ...
};

// "127.0.0.1:53", "[::1]:53".
std::string resolver_text(const ResolverEndpoint& resolver);

class NameLookup {
 public:
  using Done = std::function<void(Resolution)>;

  // name_wire: an uncompressed wire name. done runs once on the loop thread, unless cancel()
  // comes first; the lookup frees itself afterwards. With no resolvers it fails at once (on
  // the next loop iteration).
  static NameLookup* start(uv_loop_t* loop, std::vector<ResolverEndpoint> resolvers,
                           std::string name_wire, Done done);
  void cancel() noexcept;

  NameLookup(const NameLookup&) = delete;
  NameLookup& operator=(const NameLookup&) = delete;

 private:
  struct Socket;
  struct Stream;
  NameLookup(uv_loop_t* loop, std::vector<ResolverEndpoint> resolvers, std::string name_wire,
             Done done);
  ~NameLookup() = default;

  void send() noexcept;
  // The current try again over TCP, after a truncated reply.
  void send_tcp() noexcept;
  void on_reply(const std::uint8_t* data, std::size_t size) noexcept;
  void on_tcp_data(Stream& stream, std::size_t size) noexcept;
  // A reply to the current try that says something (addresses, NODATA, NXDOMAIN, failure).
  void on_answer(const Reply& reply, const std::string& from) noexcept;
  void on_timeout() noexcept;
  // The current try failed (why); tries the next one or gives up on this lookup.
  void retry(std::string why) noexcept;
  void next_type() noexcept;
  void finish(bool ok, std::string error) noexcept;
  void close_socket() noexcept;
  void handle_closed() noexcept;

  uv_loop_t* loop_;
  std::vector<ResolverEndpoint> resolvers_;
  std::string name_;
  Done done_;
  uv_timer_t timer_;
  Socket* socket_ = nullptr;
  Stream* stream_ = nullptr;
  bool over_tcp_ = false;  // the current try asks over TCP
  int open_handles_ = 0;
  bool finished_ = false;
  int type_index_ = 0;  // 0: A, 1: AAAA
  int attempt_ = 0;     // within the type
  std::size_t resolver_ = 0;
  std::uint16_t id_ = 0;
  std::array<std::uint8_t, 300> query_{};
  std::size_t query_size_ = 0;
  std::string local_error_;  // why the current try failed before sending, if it did
  Resolution result_;
  std::uint32_t ttl_ = 0xffffffffu;
};

}  // namespace gslbd::probe
