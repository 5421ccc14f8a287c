// SPDX-License-Identifier: Apache-2.0
#include "main_file.hpp"

#include <glob.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdio>
#include <type_traits>

#include "file_io.hpp"
#include "gslbd/util/sockaddr.hpp"
#include "key_table.hpp"
#include "resolver_section.hpp"
#include "suggest.hpp"
#include "xdp_section.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {
namespace {

constexpr std::uint64_t kMaxIdleTimeoutMs = 3'600'000;

// Frees glob(3)'s result on every path out.
struct GlobResult {
  glob_t result{};
  ~GlobResult() { globfree(&result); }
};

// The directory part goes into the pattern literally, whatever characters it has.
std::string escape_glob(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '*' || c == '?' || c == '[') out += '\\';
    out += c;
  }
  return out;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {};
  struct stat sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "gslbd";
  return name;
}

void read_listen(Diagnostics& diag, const Value& value, runtime::ServerConfig& server) {
  if (const auto items = read_list(diag, value, true))
    read_address_list(diag, *items, server.listen);
}

// A duration from min_ms (at least 1ms) to max_ms.
void read_timeout(Diagnostics& diag, const Value& v, std::uint64_t min_ms, std::uint64_t max_ms,
                  const char* range, std::uint32_t& out) {
  const auto ms = read_duration_ms(diag, v);
  if (!ms) return;
  if (*ms < std::max<std::uint64_t>(min_ms, 1) || *ms > max_ms) {
    diag.error(v.mark, v.label + ": expected " + range);
    return;
  }
  out = static_cast<std::uint32_t>(*ms);
}

// An identity is sent as NSID and as one TXT character-string (server), or in dnstap messages:
// 1 to 255 octets.
void read_identity(Diagnostics& diag, const Value& v, std::string& out) {
  const auto text = read_string(diag, v);
  if (!text) return;
  if (text->empty() || text->size() > 255) {
    diag.error(v.mark, v.label + ": expected 1 to 255 characters");
  } else {
    out = *text;
  }
}

constexpr Key<runtime::ServerConfig> kTcpKeys[] = {
    {"max_connections",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 1, 65535, server.tcp_max_connections);
     }},
    {"idle_timeout",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_timeout(diag, v, 1, kMaxIdleTimeoutMs, "more than 0 and at most 1h",
                    server.tcp_idle_timeout_ms);
     }},
    // Longer than a minute would give a slow client most of what the limit takes away.
    {"frame_timeout",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_timeout(diag, v, 100, 60'000, "at least 100ms and at most 1m",
                    server.tcp_frame_timeout_ms);
     }},
    {"max_connections_per_source",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 0, 65535, server.tcp_max_connections_per_source);
     }},
    {"source_prefix_v4",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 8, 32, server.tcp_source_prefix_v4);
     }},
    {"source_prefix_v6",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 16, 128, server.tcp_source_prefix_v6);
     }},
};

constexpr Key<runtime::ServerConfig> kLogKeys[] = {
    {"level",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       const auto level = read_string(diag, v);
       if (!level) return;
       const std::vector<std::string_view> levels{"trace", "debug", "info", "warn", "error", "off"};
       if (std::find(levels.begin(), levels.end(), *level) == levels.end()) {
         diag.error(v.mark,
                    "'level': unknown log level '" + *level + "'" + suggestion(*level, levels));
         return;
       }
       server.log_level = *level;
     }},
    {"queries", [](Diagnostics& diag, const Value& v,
                   runtime::ServerConfig& server) { read_flag(diag, v, server.log_queries); }},
    {"query_rate",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 1, 100000, server.query_log_rate);
     }},
};

// 32 hex digits, optionally followed by a line end.
bool parse_cookie_secret(std::string text, std::array<std::uint8_t, 16>& out) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() != 32) return false;
  for (std::size_t i = 0; i < 16; ++i) {
    unsigned value = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = text[2 * i + j];
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) return false;
      value = value * 16 + static_cast<unsigned>(digit);
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return true;
}

void read_cookie_secret_file(Diagnostics& diag, const Value& v, runtime::CookieConfig& cookies) {
  const auto name = read_string(diag, v);
  if (!name) return;
  const std::string path = resolve_path(directory_of(diag.file()), *name);
  std::string why;
  const auto text = name->empty() ? std::nullopt : read_text_file(path, why, 4096);
  if (!text) {
    diag.error(v.mark,
               "'secret_file': cannot read " + path + ": " + (why.empty() ? "empty name" : why));
  } else if (!parse_cookie_secret(*text, cookies.secret)) {
    diag.error(v.mark, "'secret_file': " + path + " must hold 32 hex digits (a 16-octet secret)");
  } else {
    cookies.secret_file = path;
  }
}

constexpr Key<runtime::CookieConfig> kCookieKeys[] = {
    {"enabled", [](Diagnostics& diag, const Value& v,
                   runtime::CookieConfig& cookies) { read_flag(diag, v, cookies.enabled); }},
    {"secret_file", read_cookie_secret_file},
};

// A random secret when none was read from a file; failing that, the load fails.
void make_cookie_secret(Diagnostics& diag, runtime::CookieConfig& cookies) {
  if (!cookies.secret_file.empty()) return;
  if (::getrandom(cookies.secret.data(), cookies.secret.size(), 0) !=
      static_cast<ssize_t>(cookies.secret.size())) {
    diag.error_at_line(0,
                       "cannot draw a random cookie secret (getrandom failed); set "
                       "server.cookies.secret_file");
  }
}

std::optional<runtime::Network> parse_network(const std::string& text, std::string& why) {
  const auto slash = text.find('/');
  const auto address = util::parse_address(text.substr(0, slash));
  if (!address) {
    why = "'" + text + "' is not an address or network (198.51.100.0/24, 2001:db8::/32)";
    return std::nullopt;
  }
  const unsigned width = address->family == 4 ? 32 : 128;
  unsigned prefix = width;
  if (slash != std::string::npos) {
    const std::string digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        prefix > width) {
      why = "'" + text + "': the prefix length must be 0 to " + std::to_string(width);
      return std::nullopt;
    }
  }
  if (util::masked(*address, prefix) != *address) {
    why = "'" + text + "' has bits set past /" + std::to_string(prefix);
    return std::nullopt;
  }
  return runtime::Network{*address, static_cast<std::uint8_t>(prefix)};
}

void read_exempt(Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
  const auto items = read_list(diag, v, false);
  if (!items) return;
  constexpr std::size_t kMaxExempt = 256;  // scanned per limited query: keep it short
  if (items->size() > kMaxExempt) diag.error(v.mark, "'exempt': at most 256 networks");
  for (const Value& item : *items) {
    const auto text = read_string(diag, item);
    if (!text) continue;
    std::string why;
    if (const auto network = parse_network(*text, why)) {
      limit.exempt.push_back(*network);
    } else {
      diag.error(item.mark, item.label + ": " + why);
    }
  }
}

void read_class_rate(Diagnostics& diag, const Value& v, std::uint32_t& out) {
  read_in_range(diag, v, 0, 10000, out);
}

// responses_per_second comes before the classes' own rates: as in BIND, they default to it.
constexpr Key<runtime::RateLimitConfig> kRateLimitKeys[] = {
    {"enabled", [](Diagnostics& diag, const Value& v,
                   runtime::RateLimitConfig& limit) { read_flag(diag, v, limit.enabled); }},
    {"log_only", [](Diagnostics& diag, const Value& v,
                    runtime::RateLimitConfig& limit) { read_flag(diag, v, limit.log_only); }},
    {"responses_per_second",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       const auto n = read_number(diag, v, 0, 10000);
       if (!n) return;
       limit.responses_per_second = limit.nodata_per_second = limit.nxdomains_per_second =
           limit.referrals_per_second = limit.errors_per_second = static_cast<std::uint32_t>(*n);
     }},
    {"nodata_per_second",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_class_rate(diag, v, limit.nodata_per_second);
     }},
    {"nxdomains_per_second",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_class_rate(diag, v, limit.nxdomains_per_second);
     }},
    {"referrals_per_second",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_class_rate(diag, v, limit.referrals_per_second);
     }},
    {"errors_per_second",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_class_rate(diag, v, limit.errors_per_second);
     }},
    {"slip", [](Diagnostics& diag, const Value& v,
                runtime::RateLimitConfig& limit) { read_in_range(diag, v, 0, 10, limit.slip); }},
    {"window",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       const auto ms = read_duration_ms(diag, v);
       if (!ms) return;
       if (*ms < 1000 || *ms > 3'600'000 || *ms % 1000 != 0) {
         diag.error(v.mark, "'window': expected whole seconds from 1s to 1h");
       } else {
         limit.window_s = static_cast<std::uint32_t>(*ms / 1000);
       }
     }},
    {"ipv4_prefix",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_in_range(diag, v, 8, 32, limit.ipv4_prefix);
     }},
    {"ipv6_prefix",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_in_range(diag, v, 16, 128, limit.ipv6_prefix);
     }},
    {"table_size",
     [](Diagnostics& diag, const Value& v, runtime::RateLimitConfig& limit) {
       read_in_range(diag, v, 1024, 16u << 20, limit.table_size);
     }},
    {"exempt", read_exempt},
};

void read_user_or_group(Diagnostics& diag, const Value& v, std::string& out) {
  const auto text = read_string(diag, v);
  if (!text) return;
  if (text->empty() || text->find_first_of(" :/\n") != std::string::npos) {
    diag.error(v.mark, v.label + ": expected a user or group name");
  } else {
    out = *text;
  }
}

constexpr Key<runtime::ServerConfig> kServerKeys[] = {
    {"listen", read_listen},
    {"state_directory",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       const auto text = read_string(diag, v);
       if (!text) return;
       if (text->empty()) {
         diag.error(v.mark, "'state_directory': expected a directory");
       } else {
         server.state_directory = resolve_path(directory_of(diag.file()), *text);
       }
     }},
    {"resolver", [](Diagnostics& diag, const Value& v,
                    runtime::ServerConfig& server) { read_resolver(diag, v, server.resolvers); }},
    {"workers",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 0, 256, server.workers);
     }},
    {"edns_udp_size",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_in_range(diag, v, 512, 4096, server.edns_udp_size);
     }},
    {"identity", [](Diagnostics& diag, const Value& v,
                    runtime::ServerConfig& server) { read_identity(diag, v, server.identity); }},
    {"client_subnet",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_flag(diag, v, server.client_subnet);
     }},
    {"watch_files", [](Diagnostics& diag, const Value& v,
                       runtime::ServerConfig& server) { read_flag(diag, v, server.watch_files); }},
    {"user", [](Diagnostics& diag, const Value& v,
                runtime::ServerConfig& server) { read_user_or_group(diag, v, server.user); }},
    {"group", [](Diagnostics& diag, const Value& v,
                 runtime::ServerConfig& server) { read_user_or_group(diag, v, server.group); }},
    {"tcp", [](Diagnostics& diag, const Value& v,
               runtime::ServerConfig& server) { read_section(diag, v, kTcpKeys, server); }},
    {"log", [](Diagnostics& diag, const Value& v,
               runtime::ServerConfig& server) { read_section(diag, v, kLogKeys, server); }},
    {"cookies",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_section(diag, v, kCookieKeys, server.cookies);
     }},
    {"rate_limit",
     [](Diagnostics& diag, const Value& v, runtime::ServerConfig& server) {
       read_section(diag, v, kRateLimitKeys, server.rate_limit);
     }},
};

bool is_loopback(const runtime::ListenAddress& address) {
  return util::is_loopback_host(address.host);
}

// Lower-case host name: labels of letters, digits and hyphens, the last one not all digits (so
// no IPv4 address passes for a name; addresses need no listing).
bool is_host_name(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  std::size_t label = 0;
  bool label_numeric = true;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      label_numeric = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      if (++label > 63) return false;
      label_numeric = label_numeric && c >= '0' && c <= '9';
    } else {
      return false;
    }
  }
  return !label_numeric;
}

std::string lower_case(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return text;
}

// A token others can read is a token others can use; one they can write lets them choose it.
void warn_about_token_file_mode(Diagnostics& diag, const YAML::Mark& mark, const std::string& path,
                                std::vector<std::string>& warnings) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  const auto open = st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH);
  if (open == 0) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  warnings.push_back(
      util::SourceError{diag.file(), mark.line + 1, mark.column + 1,
                        "warning: 'token_file': " + path + " is " +
                            ((open & (S_IRGRP | S_IROTH)) != 0 ? "readable" : "writable") +
                            " by group or others (mode " + mode + "); chmod 600 it"}
          .to_string());
}

// token_file: one token of at least 16 characters on one line, relative to the main file.
void read_token_file(Diagnostics& diag, const Value& value, const std::string& main_path,
                     std::string& token, std::vector<std::string>& warnings) {
  const auto name = read_string(diag, value);
  if (!name) return;
  const std::string directory = directory_of(main_path);
  const std::string path = name->empty() || name->front() == '/' || directory.empty()
                               ? *name
                               : directory + (directory.back() == '/' ? "" : "/") + *name;
  std::string why;
  auto text = read_text_file(path, why);
  if (!text) {
    diag.error(value.mark, "'token_file': cannot read " + path + ": " + why);
    return;
  }
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  if (text->size() < 16 || text->find_first_of(" \t\r\n") != std::string::npos) {
    diag.error(value.mark, "'token_file': " + path +
                               " must hold one token of at least 16 characters on one line");
    return;
  }
  token = *text;
  warn_about_token_file_mode(diag, value.mark, path, warnings);
}

// The control: section while it is read: the token file is relative to the main file.
struct ControlRead {
  runtime::ControlConfig& control;
  const std::string& main_path;
  std::optional<YAML::Mark> admin_without_token;
};

void read_allowed_hosts(Diagnostics& diag, const Value& v, ControlRead& r) {
  const auto items = read_list(diag, v, false);
  if (!items) return;
  for (const Value& item : *items) {
    const auto name = read_string(diag, item);
    if (!name) continue;
    const std::string host = lower_case(*name);
    if (!is_host_name(host)) {
      diag.error(item.mark, item.label + ": '" + *name +
                                "' is not a host name, expected letters, digits, '-' and "
                                "'.' (addresses and localhost are accepted without listing)");
    } else {
      r.control.allowed_hosts.push_back(host);
    }
  }
}

void read_control_timeout(Diagnostics& diag, const Value& v, std::uint32_t& out) {
  read_timeout(diag, v, 1, 600'000, "more than 0 and at most 10m", out);
}

constexpr Key<ControlRead> kControlKeys[] = {
    {"enabled", [](Diagnostics& diag, const Value& v,
                   ControlRead& r) { read_flag(diag, v, r.control.enabled); }},
    {"admin_without_token",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       r.admin_without_token = v.mark;
       read_flag(diag, v, r.control.admin_without_token);
     }},
    {"listen",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       const auto text = read_string(diag, v);
       std::string why;
       if (text && !runtime::parse_listen_address(*text, r.control.listen, why)) {
         diag.error(v.mark, "'listen': " + why);
       }
     }},
    {"token_file",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       if (r.control.admin_without_token) {
         // Both would leave it unclear whether the token guards anything; say which one counts.
         diag.error(*r.admin_without_token,
                    "'admin_without_token': cannot be used with 'token_file', expected one of "
                    "them (drop admin_without_token to require the token)");
       }
       read_token_file(diag, v, r.main_path, r.control.token, r.control.warnings);
     }},
    {"max_connections",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       read_in_range(diag, v, 1, 1024, r.control.max_connections);
     }},
    {"max_connections_per_source",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       read_in_range(diag, v, 1, 1024, r.control.max_connections_per_source);
     }},
    {"max_request_bytes",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       read_in_range(diag, v, 1024, 1024 * 1024, r.control.max_request_bytes);
     }},
    {"idle_timeout",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       read_control_timeout(diag, v, r.control.idle_timeout_ms);
     }},
    {"request_timeout",
     [](Diagnostics& diag, const Value& v, ControlRead& r) {
       read_control_timeout(diag, v, r.control.request_timeout_ms);
     }},
    {"allowed_hosts", read_allowed_hosts},
};

void read_control(Diagnostics& diag, const Value& value, const std::string& main_path,
                  runtime::ControlConfig& control) {
  const MapReader map(diag, value, key_names(kControlKeys));
  if (!map.is_map()) return;
  ControlRead read{control, main_path, std::nullopt};
  read_keys(diag, map, kControlKeys, read);
  if (control.admin_without_token && !is_loopback(control.listen)) {
    diag.error(map.mark(),
               "admin_without_token is allowed only with a loopback listen address (127.x, ::1)");
  }
}

constexpr std::size_t kMaxPeers = 64;

// http://host:port with host a numeric address ([...] for IPv6) or a host name; an optional
// trailing "/" and nothing else (the observations' path is the endpoint's, not the operator's).
bool parse_peer_url(const std::string& text, runtime::PeerInstance& out, std::string& why) {
  constexpr std::string_view scheme = "http://";
  if (text.rfind(scheme, 0) != 0) {
    why = "expected http://host:port" +
          std::string(text.rfind("https://", 0) == 0 ? " (peers are polled over plain HTTP)" : "");
    return false;
  }
  std::string rest = text.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::string host;
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      why = "expected http://[IPv6]:port";
      return false;
    }
    host = rest.substr(1, close - 1);
    port_text = rest.substr(close + 2);
    const auto address = util::parse_address(host);
    if (!address || address->family != 6) {
      why = "'" + host + "' is not an IPv6 address";
      return false;
    }
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
      why = "expected http://host:port (the port is required)";
      return false;
    }
    host = lower_case(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
    const auto address = util::parse_address(host);
    if (!(address && address->family == 4) && !is_host_name(host)) {
      why = "'" + host + "' is not an IPv4 address, [IPv6] address or host name";
      return false;
    }
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    why = "expected a port 1 to 65535 after the host, with no path";
    return false;
  }
  out.url = text;
  out.host = host;
  out.port = static_cast<std::uint16_t>(port);
  return true;
}

void read_peer_instances(Diagnostics& diag, const Value& value,
                         const runtime::ControlConfig& control, runtime::PeersConfig& peers) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  if (items->size() > kMaxPeers) {
    diag.error(value.mark,
               "'instances': at most " + std::to_string(kMaxPeers) + " peers, expected fewer");
    return;
  }
  for (const Value& item : *items) {
    const MapReader map(diag, item, {"name", "url"});
    if (!map.is_map()) continue;
    const auto name_value = map.require("name");
    const auto url_value = map.require("url");
    if (!name_value || !url_value) continue;
    const auto name = read_string(diag, *name_value);
    const auto url = read_string(diag, *url_value);
    if (!name || !url) continue;
    runtime::PeerInstance peer;
    if (name->empty() || name->size() > 63 ||
        name->find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            std::string::npos) {
      diag.error(name_value->mark, "'name': expected 1 to 63 letters, digits, '.', '_' or '-'");
      continue;
    }
    peer.name = *name;
    std::string why;
    if (!parse_peer_url(*url, peer, why)) {
      diag.error(url_value->mark, "'url': " + why);
      continue;
    }
    const bool own =
        peer.port == control.listen.port &&
        (peer.host == control.listen.host ||
         (util::parse_address(peer.host) && util::parse_address(control.listen.host) &&
          *util::parse_address(peer.host) == *util::parse_address(control.listen.host)));
    if (own) {
      diag.error(url_value->mark, "'url': " + *url +
                                      " is this instance's own control endpoint, expected another "
                                      "instance");
      continue;
    }
    bool duplicate = false;
    for (const runtime::PeerInstance& other : peers.instances) {
      if (other.name == peer.name) {
        diag.error(name_value->mark, "'name': peer '" + peer.name + "' is listed twice");
        duplicate = true;
      } else if (other.host == peer.host && other.port == peer.port) {
        diag.error(url_value->mark, "'url': " + *url + " is also peer '" + other.name + "'");
        duplicate = true;
      }
    }
    if (!duplicate) peers.instances.push_back(std::move(peer));
  }
}

// The peers: section: the other instances whose observations vote (see docs/configuration.md).
// A readable token file is reported with the control: section's warnings (logged at start and
// on reload, printed by --check-config).
// The peers: section while it is read: the durations as given, for the checks between them.
struct PeersRead {
  const std::string& main_path;
  runtime::ControlConfig& control;
  runtime::PeersConfig& peers;
  std::uint32_t interval_ms = 0;  // 0: not given, or refused (and reported)
  std::uint32_t timeout_ms = 0;
  std::uint32_t stale_after_ms = 0;
};

constexpr Key<PeersRead> kPeersKeys[] = {
    {"instances",
     [](Diagnostics& diag, const Value& v, PeersRead& r) {
       read_peer_instances(diag, v, r.control, r.peers);
     },
     true},
    {"token_file",
     [](Diagnostics& diag, const Value& v, PeersRead& r) {
       read_token_file(diag, v, r.main_path, r.peers.token, r.control.warnings);
     },
     true},
    {"interval",
     [](Diagnostics& diag, const Value& v, PeersRead& r) {
       read_timeout(diag, v, 100, 3'600'000, "at least 100ms and at most 1h", r.interval_ms);
     }},
    {"timeout",
     [](Diagnostics& diag, const Value& v, PeersRead& r) {
       read_timeout(diag, v, 10, 3'600'000, "at least 10ms and at most 1h", r.timeout_ms);
     }},
    {"stale_after",
     [](Diagnostics& diag, const Value& v, PeersRead& r) {
       read_timeout(diag, v, 100, 24 * 3'600'000u, "at least 100ms and at most 24h",
                    r.stale_after_ms);
     }},
    {"max_reply_bytes",
     [](Diagnostics& diag, const Value& v, PeersRead& r) {
       read_in_range(diag, v, runtime::kMinPeerReplyBytes, runtime::kMaxPeerReplyBytes,
                     r.peers.max_reply_bytes);
     }},
};

void read_peers(Diagnostics& diag, const Value& value, const std::string& main_path,
                runtime::ControlConfig& control, runtime::PeersConfig& peers) {
  const MapReader map(diag, value, key_names(kPeersKeys));
  if (!map.is_map()) return;
  if (!control.enabled) {
    diag.error(map.mark(),
               "peers: needs the control endpoint (control.enabled: true), which "
               "serves this instance's observations to its peers");
  }
  PeersRead read{main_path, control, peers};
  read_keys(diag, map, kPeersKeys, read);
  const std::uint32_t interval = read.interval_ms != 0 ? read.interval_ms : peers.interval_ms;
  const std::uint32_t timeout = read.timeout_ms != 0 ? read.timeout_ms : peers.timeout_ms;
  peers.interval_ms = interval;
  // A poll still running when the next is due would have to be skipped or stacked.
  if (timeout >= interval) {
    const auto timeout_value = map.find("timeout");
    diag.error(timeout_value ? timeout_value->mark : map.mark(),
               "'timeout': " + std::to_string(timeout) + "ms is not below the interval (" +
                   std::to_string(interval) + "ms), expected a shorter timeout");
  } else {
    peers.timeout_ms = timeout;
  }
  if (read.stale_after_ms == 0) {
    // Three polls may fail before a peer's observations stop voting.
    if (read.interval_ms != 0) peers.stale_after_ms = 3 * read.interval_ms;
  } else if (read.stale_after_ms < interval) {
    diag.error(map.find("stale_after")->mark,
               "'stale_after': " + std::to_string(read.stale_after_ms) +
                   "ms is below the interval (" + std::to_string(interval) +
                   "ms): every observation would be stale before the next poll, expected at least "
                   "the interval");
  } else {
    peers.stale_after_ms = read.stale_after_ms;
  }
}

// The dnstap: section while it is read: paths are relative to the main file's directory.
struct DnstapRead {
  runtime::DnstapConfig& dnstap;
  std::string directory;
};

void read_dnstap_path(Diagnostics& diag, const Value& v, const std::string& directory,
                      std::string& out) {
  const auto name = read_string(diag, v);
  if (!name) return;
  if (name->empty() || name->find('\0') != std::string::npos) {
    diag.error(v.mark, v.label + ": expected a file name");
    return;
  }
  out = name->front() == '/' || directory.empty()
            ? *name
            : directory + (directory.back() == '/' ? "" : "/") + *name;
}

void read_dnstap_messages(Diagnostics& diag, const Value& v, DnstapRead& r) {
  const auto items = read_list(diag, v, true);
  if (!items) return;
  r.dnstap.queries = r.dnstap.responses = false;
  for (const Value& item : *items) {
    const auto kind = read_string(diag, item);
    if (!kind) continue;
    if (*kind == "query") {
      r.dnstap.queries = true;
    } else if (*kind == "response") {
      r.dnstap.responses = true;
    } else {
      const std::vector<std::string_view> kinds{"query", "response"};
      diag.error(item.mark, item.label + ": unknown dnstap message '" + *kind +
                                "', expected query or response" + suggestion(*kind, kinds));
    }
  }
}

constexpr Key<DnstapRead> kDnstapKeys[] = {
    {"socket", [](Diagnostics& diag, const Value& v,
                  DnstapRead& r) { read_dnstap_path(diag, v, r.directory, r.dnstap.socket_path); }},
    {"file", [](Diagnostics& diag, const Value& v,
                DnstapRead& r) { read_dnstap_path(diag, v, r.directory, r.dnstap.file_path); }},
    {"messages", read_dnstap_messages},
    {"identity", [](Diagnostics& diag, const Value& v,
                    DnstapRead& r) { read_identity(diag, v, r.dnstap.identity); }},
    {"queue_size",
     [](Diagnostics& diag, const Value& v, DnstapRead& r) {
       read_in_range(diag, v, 512 * 1024, 256 * 1024 * 1024, r.dnstap.queue_size);
     }},
};

void read_dnstap(Diagnostics& diag, const Value& value, const std::string& main_path,
                 runtime::DnstapConfig& dnstap) {
  const MapReader map(diag, value, key_names(kDnstapKeys));
  if (!map.is_map()) return;
  DnstapRead read{dnstap, directory_of(main_path)};
  read_keys(diag, map, kDnstapKeys, read);
  if (dnstap.socket_path.empty() == dnstap.file_path.empty()) {
    diag.error(map.mark(), "dnstap: expected exactly one of 'socket' or 'file'");
  }
}

// kind names the files in messages ("zone", "pool").
void read_globs(Diagnostics& diag, const Value& value, const std::string& main_path,
                const char* kind, std::vector<std::string>& files) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  const std::string directory = directory_of(main_path);
  for (const Value& item : *items) {
    const auto pattern = read_string(diag, item);
    if (!pattern) continue;
    if (pattern->empty() || pattern->find('\0') != std::string::npos) {
      diag.error(item.mark, item.label + ": expected a file name or glob");
      continue;
    }
    const std::string full =
        pattern->front() == '/' || directory.empty()
            ? *pattern
            : escape_glob(directory) + (directory.back() == '/' ? "" : "/") + *pattern;
    GlobResult matches;
    const int rc = ::glob(full.c_str(), GLOB_MARK, nullptr, &matches.result);
    std::size_t used = 0;
    if (rc == 0) {
      for (std::size_t i = 0; i < matches.result.gl_pathc; ++i) {
        const std::string file = matches.result.gl_pathv[i];
        if (file.back() == '/') continue;          // a directory (GLOB_MARK)
        if (same_file(file, main_path)) continue;  // "*.yaml" also matches the main file
        ++used;
        if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
      }
    }
    if (rc == GLOB_NOSPACE) {
      diag.error(item.mark, item.label + ": out of memory while matching '" + *pattern + "'");
    } else if (rc == GLOB_ABORTED) {
      diag.error(item.mark, item.label + ": cannot read the directory of '" + *pattern + "'");
    } else if (used == 0) {
      diag.error(item.mark, item.label + ": '" + *pattern + "' matches no " + kind + " file" +
                                (directory.empty() ? "" : " in " + directory));
    }
  }
}

}  // namespace

std::vector<std::string_view> main_file_key_names() {
  std::vector<std::string_view> names;
  for (const auto& section :
       {key_names(kServerKeys), key_names(kTcpKeys), key_names(kLogKeys), key_names(kCookieKeys),
        key_names(kRateLimitKeys), key_names(kControlKeys), key_names(kDnstapKeys),
        key_names(kPeersKeys), xdp_key_names()}) {
    names.insert(names.end(), section.begin(), section.end());
  }
  return names;
}

MainFile load_main_file(const std::string& path, const std::string& text,
                        std::vector<util::SourceError>& errors) {
  MainFile out;
  Diagnostics diag(path, errors);
  const auto document = parse_document(text, diag);
  if (document) {
    const MapReader root(
        diag, top_level(*document, "the main file"),
        {"version", "server", "control", "dnstap", "peers", "xdp", "zones", "pools"});
    if (root.is_map()) {
      check_version(diag, root);
      if (const auto server = root.find("server"))
        read_section(diag, *server, kServerKeys, out.server);
      if (const auto control = root.find("control")) {
        read_control(diag, *control, path, out.server.control);
      }
      if (const auto dnstap = root.find("dnstap")) {
        read_dnstap(diag, *dnstap, path, out.server.dnstap);
      }
      if (const auto xdp = root.find("xdp")) read_xdp(diag, *xdp, out.server.xdp);
      if (const auto peers = root.find("peers")) {
        read_peers(diag, *peers, path, out.server.control, out.peers);
      }
      if (const auto zones = root.require("zones")) {
        read_globs(diag, *zones, path, "zone", out.zone_files);
      }
      if (const auto pools = root.find("pools")) {
        read_globs(diag, *pools, path, "pool", out.pool_files);
        // Reported once, here; it is not also read as a zone file (that would bury the one
        // error under every pool key the zone schema does not know).
        std::erase_if(out.zone_files, [&](const std::string& zone_file) {
          for (const std::string& pool_file : out.pool_files) {
            if (zone_file == pool_file || same_file(zone_file, pool_file)) {
              diag.error(pools->mark, "'" + pool_file + "' is matched by both zones: and pools:");
              return true;
            }
          }
          return false;
        });
      }
    }
  }
  if (out.server.identity.empty()) out.server.identity = host_name();
  make_cookie_secret(diag, out.server.cookies);
  return out;
}

}  // namespace gslbd::config::detail
