// SPDX-License-Identifier: Apache-2.0
// Server settings from the main file's server: section, after defaults and overrides: part of
// the served model (Config), filled by the loader (config/).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/util/address.hpp"

namespace gslbd::runtime {

struct ListenAddress {
  std::string host;  // numeric IPv4 or IPv6 address, without brackets
  std::uint16_t port = 5300;
  bool operator==(const ListenAddress&) const = default;
};

// The control endpoint (HTTP on loopback by default): see docs/configuration.md.
struct ControlConfig {
  bool enabled = true;
  ListenAddress listen{"127.0.0.1", 9253};
  std::string token;  // read from token_file; empty = admin actions refused (unless below)
  bool admin_without_token = false;  // honoured only on a loopback listen address, no token_file
  std::uint32_t max_connections = 64;
  // Per client address (IPv6: per /64). A new connection over either bound closes, to make
  // room, the connection still waiting for its request that was heard from least recently (of
  // that source, or of any).
  std::uint32_t max_connections_per_source = 8;
  std::uint32_t max_request_bytes = 16 * 1024;
  std::uint32_t idle_timeout_ms = 10'000;    // no octet for this long: closed
  std::uint32_t request_timeout_ms = 5'000;  // from the first octet to the whole request
  std::vector<std::string> allowed_hosts;    // lower-case host names accepted in Host
  // "file:line:col: text" lines to log at start and on reload and print on --check-config
  // (a token file others can read). They do not stop the config from loading.
  std::vector<std::string> warnings;
};

// dnstap output (server.dnstap): see docs/configuration.md. Read at start; a reload that
// changes it is reported and takes effect on restart.
struct DnstapConfig {
  std::string socket_path;              // a Frame Streams collector's UNIX socket, or
  std::string file_path;                // a file written in Frame Streams format
  bool queries = true;                  // AUTH_QUERY messages
  bool responses = true;                // AUTH_RESPONSE messages
  std::string identity;                 // the dnstap identity; empty = the server identity
  std::uint32_t queue_size = 1u << 20;  // octets queued per answering thread
  bool enabled() const { return !socket_path.empty() || !file_path.empty(); }
  bool operator==(const DnstapConfig&) const = default;
};

// The AF_XDP fast path (the top-level xdp: section): UDP queries to `port` for one of
// `addresses` arriving on the listed interface queues are answered from AF_XDP sockets before
// the kernel's network stack. Read at start; a reload that changes it is reported and takes
// effect on restart.
enum class XdpMode : std::uint8_t { automatic, native, generic };
struct XdpModeName {
  std::string_view name;
  XdpMode mode;
};
inline constexpr XdpModeName kXdpModeNames[] = {
    {"auto", XdpMode::automatic}, {"native", XdpMode::native}, {"generic", XdpMode::generic}};

struct XdpInterface {
  std::string name;                      // the network interface
  std::vector<std::uint32_t> queues{0};  // its receive queues, one AF_XDP socket each
  bool operator==(const XdpInterface&) const = default;
};

struct XdpConfig {
  std::vector<XdpInterface> interfaces;  // empty = the fast path is off
  std::uint16_t port = 53;
  std::vector<util::Address> addresses;  // destinations answered over XDP (at least one)
  XdpMode mode = XdpMode::automatic;     // auto: native, else generic (skb) mode
  bool zero_copy = false;                // true: require zero-copy; false: copy mode
  // true: a fast path that cannot open stops the start; false: the sockets answer alone.
  bool required = false;
  // Per AF_XDP socket: frames of 4 KiB in its UMEM (the fill and completion rings hold them
  // all), and its receive and transmit ring entries. Powers of two; rings at most `frames`.
  std::uint32_t frames = 2048;
  std::uint32_t rx_ring_size = 2048;
  std::uint32_t tx_ring_size = 2048;
  bool enabled() const { return !interfaces.empty(); }
  bool operator==(const XdpConfig&) const = default;
};

// DNS cookies (server.cookies; RFC 7873 with RFC 9018 server cookies): on by default.
struct CookieConfig {
  bool enabled = true;
  std::string secret_file;                // 32 hex digits; empty = a random secret made at start
  std::array<std::uint8_t, 16> secret{};  // makes new server cookies (filled by the loader)
  // The secret in service before the last change, still accepted until the next one, so
  // clients holding a cookie made with it are not sent BADCOOKIE or rate-limited on a reload.
  bool has_previous = false;
  std::array<std::uint8_t, 16> previous{};
};

// A network of server.rate_limit.exempt.
struct Network {
  util::Address address;  // bits past prefix are zero
  std::uint8_t prefix = 0;
  bool operator==(const Network&) const = default;
};

// Response rate limiting over UDP (server.rate_limit), with the semantics of BIND's RRL:
// responses per second per client network and response class, a window of accounting, slip.
// Off by default. A rate of 0 leaves that class unlimited.
struct RateLimitConfig {
  bool enabled = false;
  std::uint32_t responses_per_second = 5;  // positive answers, per qname and qtype
  std::uint32_t nodata_per_second = 5;     // empty answers, per zone
  std::uint32_t nxdomains_per_second = 5;  // NXDOMAIN, per zone
  std::uint32_t referrals_per_second = 5;  // referrals, per delegation
  std::uint32_t errors_per_second = 5;     // FORMERR, REFUSED, SERVFAIL..., per client network
  std::uint32_t slip = 2;                  // every Nth limited response goes out TC=1; 0 = none
  std::uint32_t window_s = 15;
  std::uint8_t ipv4_prefix = 24;
  std::uint8_t ipv6_prefix = 56;
  std::uint32_t table_size = 65536;  // entries per answering thread
  std::vector<Network> exempt;
  bool log_only = false;  // count and log what would be limited, but answer everything
  bool operator==(const RateLimitConfig&) const = default;
};

struct ServerConfig {
  std::vector<ListenAddress> listen{{"127.0.0.1", 5300}};
  unsigned workers = 0;  // 0 = one per core
  std::uint16_t edns_udp_size = 1232;
  std::string identity;  // NSID / id.server; empty = host name (filled in by the loader)
  // Where operator actions are kept across restarts (absolute once loaded); empty = systemd's
  // $STATE_DIRECTORY when set, else they are not kept. Read at start only.
  std::string state_directory;
  std::uint32_t tcp_max_connections = 1024;  // per worker
  std::uint32_t tcp_idle_timeout_ms = 10'000;
  // Time to receive one whole query frame from its first octet, and to send one answer.
  std::uint32_t tcp_frame_timeout_ms = 3'000;
  // Per worker, per client network (the source address cut to the prefix); 0 = no limit.
  std::uint32_t tcp_max_connections_per_source = 16;
  std::uint8_t tcp_source_prefix_v4 = 32;
  std::uint8_t tcp_source_prefix_v6 = 64;
  std::string log_level = "info";
  // The query log (log.queries): one info line per answered query, at most query_log_rate
  // lines per second per worker.
  bool log_queries = false;
  std::uint32_t query_log_rate = 100;
  // Reload when the main, pool or zone files change (polled, debounced). Geo databases are
  // watched either way.
  bool watch_files = false;
  bool client_subnet = true;  // use EDNS Client Subnet (RFC 7871) for policies and echo it
  // Recursive resolvers the health loop asks for the addresses of members given by host name
  // (server.resolver); empty = none, and then the loader refuses such members.
  std::vector<ListenAddress> resolvers;
  std::string user;   // after binding, as root: run as this user (empty = stay)
  std::string group;  // and group (empty = the user's primary group)
  ControlConfig control;
  DnstapConfig dnstap;
  CookieConfig cookies;
  RateLimitConfig rate_limit;
  XdpConfig xdp;
};

// On reload: a secret read from a file that changed keeps the running one as previous; a
// random secret (no secret_file) stays the running one, so reloads do not rotate it.
void carry_cookie_secrets(const CookieConfig& running, CookieConfig& next);

// Parses "127.0.0.1:53", "[::1]:5300". Returns false with a reason when malformed.
bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& error);

}  // namespace gslbd::runtime
