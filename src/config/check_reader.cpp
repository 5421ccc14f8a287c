// SPDX-License-Identifier: Apache-2.0
#include "check_reader.hpp"

#include <algorithm>
#include <cctype>

namespace gslbd::config::detail {
namespace {

using health::CheckSpec;
using health::CheckType;

constexpr std::uint64_t kMinIntervalMs = 10;
constexpr std::uint64_t kMaxIntervalMs = 3'600'000;

// The check types a key applies to, one bit per CheckType.
using TypeSet = std::uint32_t;

template <typename... Types>
constexpr TypeSet types(Types... type) {
  return ((TypeSet{1} << static_cast<unsigned>(type)) | ...);
}

constexpr TypeSet kAnyType = ~TypeSet{0};
constexpr TypeSet kHttp = types(CheckType::http, CheckType::https);

bool applies(TypeSet set, CheckType type) {
  return (set & types(type)) != 0;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// An HTTP token (RFC 9110 section 5.6.2): method and header names.
bool is_token(std::string_view text) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alnum(c) || extra.find(c) != std::string_view::npos;
  });
}

// A host name or IPv4 address as it goes into the URL, the Host header and SNI.
bool is_host_name(std::string_view text) {
  return !text.empty() && text.size() <= 253 && std::all_of(text.begin(), text.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool is_request_path(std::string_view text) {
  return !text.empty() && text.front() == '/' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_file_name(std::string_view text) {
  return !text.empty() && text.find('\0') == std::string_view::npos;
}

// sockaddr_un's sun_path holds 108 octets with the terminating NUL.
bool is_socket_path(std::string_view text) {
  return !text.empty() && text.front() == '/' && text.size() < 108 &&
         text.find('\0') == std::string_view::npos;
}

// Text that goes into a request is checked so that it cannot break the request's framing.
void read_text(Diagnostics& diag, const Value& value, std::string& out,
               bool (*valid)(std::string_view), const char* expected) {
  const auto text = read_string(diag, value);
  if (!text) return;
  if (valid != nullptr && !valid(*text)) {
    diag.error(value.mark, value.label + ": expected " + expected);
    return;
  }
  out = *text;
}

constexpr const char* kRequestPath =
    "a path that starts with '/', without spaces or control characters";

void read_period(Diagnostics& diag, const Value& value, std::uint64_t min_ms, const char* range,
                 std::uint32_t& out) {
  const auto ms = read_duration_ms(diag, value);
  if (!ms) return;
  if (*ms < min_ms || *ms > kMaxIntervalMs) {
    diag.error(value.mark, value.label + ": must be between " + range);
    return;
  }
  out = static_cast<std::uint32_t>(*ms);
}

void read_headers(Diagnostics& diag, const Value& value, CheckSpec& spec) {
  if (!value.node.IsMap()) {
    diag.error(value.mark, value.label + ": expected a map of header names to values");
    return;
  }
  spec.headers.clear();
  std::map<std::string, int> seen;
  for (auto it = value.node.begin(); it != value.node.end(); ++it) {
    const YAML::Mark key_mark = mark_of(it->first, value.mark);
    if (!it->first.IsScalar() || !it->second.IsScalar()) {
      diag.error(key_mark, value.label + ": header names and values are strings");
      continue;
    }
    const std::string& name = it->first.Scalar();
    const std::string& text = it->second.Scalar();
    if (!is_token(name)) {
      diag.error(key_mark, value.label + ": " + quoted(name) + " is not a valid header name");
      continue;
    }
    if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      diag.error(mark_of(it->second, key_mark),
                 value.label + ": the value of '" + name + "' cannot hold line breaks");
      continue;
    }
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto [first, inserted] = seen.try_emplace(lower, key_mark.line + 1);
    if (!inserted) {
      diag.error(key_mark, value.label + ": header '" + name + "' given twice (first on line " +
                               std::to_string(first->second) + ")");
      continue;
    }
    spec.headers.emplace_back(name, text);
  }
}

void read_expect_status(Diagnostics& diag, const Value& value, CheckSpec& spec) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  spec.expect_status.clear();
  for (const Value& item : *items) {
    if (auto n = read_number(diag, item, 100, 599)) {
      spec.expect_status.push_back(static_cast<std::uint16_t>(*n));
    }
  }
}

void read_backends(Diagnostics& diag, const Value& value, CheckSpec& spec) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  spec.backends.clear();
  for (const Value& item : *items) {
    if (auto name = read_label(diag, item)) spec.backends.push_back(*name);
  }
}

// A check's keys. A key given to a check of a type it does not apply to would silently do
// nothing, so it is refused. name, template and type come first and are read by read_check
// itself: they decide the type the other rows are judged against.
struct CheckKey {
  std::string_view name;
  TypeSet applies_to;
  void (*read)(Diagnostics& diag, const Value& value, CheckSpec& spec);
};

constexpr CheckKey kCheckKeys[] = {
    {"name", kAnyType, nullptr},
    {"template", kAnyType, nullptr},
    {"type", kAnyType, nullptr},
    {"port", kHttp | types(CheckType::tcp, CheckType::agent, CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_in_range(diag, v, 1, 65535, spec.port);
     }},
    {"interval", kAnyType,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_period(diag, v, kMinIntervalMs, "10ms and 1h", spec.interval_ms);
     }},
    {"timeout", kAnyType,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_period(diag, v, 1, "1ms and 1h", spec.timeout_ms);
     }},
    {"rise", kAnyType,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_in_range(diag, v, 1, 100, spec.rise);
     }},
    {"fall", kAnyType,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_in_range(diag, v, 1, 100, spec.fall);
     }},
    {"jitter", kAnyType,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_in_range(diag, v, 0, 100, spec.jitter_percent);
     }},
    {"send", types(CheckType::tcp, CheckType::agent),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.send, nullptr, "");
     }},
    {"expect", types(CheckType::tcp),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.expect, nullptr, "");
     }},
    {"method", kHttp,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.method, is_token, "an HTTP method such as GET or HEAD");
     }},
    {"path", kHttp,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.path, is_request_path, kRequestPath);
     }},
    // host, headers and the TLS fields also shape an haproxy check's request for its stats page.
    {"host", kHttp | types(CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.host, is_host_name, "a host name or IPv4 address");
     }},
    {"headers", kHttp | types(CheckType::haproxy), read_headers},
    {"expect_status", kHttp, read_expect_status},
    {"expect_body", kHttp,
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.expect_body, nullptr, "");
     }},
    {"tls_verify", types(CheckType::https, CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_flag(diag, v, spec.tls_verify);
     }},
    {"ca_file", types(CheckType::https, CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.ca_file, is_file_name, "a file name");
     }},
    {"sni", types(CheckType::https, CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.sni, is_host_name, "a host name");
     }},
    {"socket", types(CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.socket, is_socket_path,
                 "an absolute path of at most 107 characters (HAProxy's stats socket)");
     }},
    {"frontend", types(CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       if (auto name = read_label(diag, v)) spec.frontend = *name;
     }},
    {"backends", types(CheckType::haproxy), read_backends},
    {"min_up_servers", types(CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_in_range(diag, v, 0, 100'000, spec.min_up_servers);
     }},
    {"stats_page", types(CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_text(diag, v, spec.stats_page, is_request_path, kRequestPath);
     }},
    {"tls", types(CheckType::haproxy),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) {
       read_flag(diag, v, spec.stats_tls);
     }},
    // Reversing a verdict fits checks that only say pass or fail. An agent's reply and an
    // haproxy poll also carry weights, drains and load that a reversed verdict would contradict.
    {"invert", kHttp | types(CheckType::tcp, CheckType::icmp),
     [](Diagnostics& diag, const Value& v, CheckSpec& spec) { read_flag(diag, v, spec.invert); }},
};

// What an haproxy check needs, and which of its fields go together, once a member uses it (a
// template may leave them to members).
bool haproxy_complete(Diagnostics& diag, const YAML::Mark& mark, const std::string& label,
                      const CheckSpec& spec) {
  bool complete = true;
  auto missing = [&](const std::string& what) {
    diag.error(mark, label + ": a check of type haproxy needs " + what);
    complete = false;
  };
  auto conflict = [&](const std::string& what) {
    diag.error(mark, label + ": " + what);
    complete = false;
  };
  if (!spec.stats_page.empty()) {
    if (!spec.socket.empty()) {
      conflict("'stats_page' is fetched over HTTP at 'port'; it cannot go with 'socket'");
    } else if (spec.port == 0) {
      missing("'port' for 'stats_page' (where HAProxy serves its stats page)");
    }
  } else if ((spec.port == 0) == spec.socket.empty()) {
    missing(
        "either 'socket' (the runtime API's UNIX socket), 'port' (the runtime API over TCP) or "
        "'stats_page' with 'port' (the HTTP stats page)");
  }
  if (spec.stats_page.empty() && (spec.stats_tls || !spec.host.empty() || !spec.headers.empty() ||
                                  !spec.ca_file.empty() || !spec.sni.empty() || !spec.tls_verify)) {
    conflict(
        "'tls', 'host', 'headers', 'tls_verify', 'ca_file' and 'sni' shape the request for "
        "the stats page: they need 'stats_page'");
  } else if (!spec.stats_tls && (!spec.ca_file.empty() || !spec.sni.empty() || !spec.tls_verify)) {
    conflict("'tls_verify', 'ca_file' and 'sni' need 'tls: true'");
  }
  if (spec.frontend.empty()) missing("'frontend'");
  if (spec.backends.empty()) {
    missing("'backends': its verdict counts the UP servers behind the frontend");
  }
  return complete;
}

// The rules that concern the combination of a check's fields, with the type's defaults filled.
void check_combination(Diagnostics& diag, const MapReader& map, const Value& value,
                       bool is_template, CheckSpec& spec) {
  if ((spec.type == CheckType::tcp || spec.type == CheckType::agent) && spec.port == 0) {
    diag.error(map.mark(), value.label + ": a check of type " +
                               std::string(health::check_type_name(spec.type)) + " needs 'port'");
  }
  if (spec.type == CheckType::haproxy && !is_template) {
    // A template may leave these to the members that use it.
    haproxy_complete(diag, map.mark(), value.label, spec);
  }
  if (spec.type == CheckType::http && spec.port == 0) spec.port = 80;
  if (spec.type == CheckType::https && spec.port == 0) spec.port = 443;
  if (spec.timeout_ms >= spec.interval_ms && spec.type != CheckType::none) {
    // Reported at the later of the two keys the check gives, where the clash is made.
    YAML::Mark mark = map.mark();
    if (auto v = map.find("timeout")) {
      mark = v->mark;
    } else if (auto i = map.find("interval")) {
      mark = i->mark;
    }
    diag.error(mark, value.label + ": timeout (" + std::to_string(spec.timeout_ms) +
                         "ms) must be shorter than interval (" + std::to_string(spec.interval_ms) +
                         "ms)");
  }
}

}  // namespace

std::vector<std::string_view> check_key_names() {
  std::vector<std::string_view> names;
  for (const CheckKey& key : kCheckKeys) names.push_back(key.name);
  return names;
}

void CheckReader::read_templates(Diagnostics& diag, const Value& value) {
  const auto items = read_list(diag, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    auto spec = read_check(diag, item, true);
    if (!spec) {
      // Its errors are reported; uses of it should not add "no check template named".
      // By iteration: yaml-cpp's [] inserts (non-const) or throws on use (const, key missing).
      if (item.node.IsMap()) {
        for (auto it = item.node.begin(); it != item.node.end(); ++it) {
          if (it->first.IsScalar() && it->first.Scalar() == "name" && it->second.IsScalar()) {
            broken_templates_.insert(it->second.Scalar());
          }
        }
      }
      continue;
    }
    const auto [it, inserted] =
        templates_.try_emplace(spec->name, Template{*spec, where(diag, item.mark)});
    if (!inserted) {
      diag.error(item.mark,
                 "check template '" + spec->name + "' is already defined at " + it->second.where);
    }
  }
}

std::vector<CheckSpec> CheckReader::read_checks(Diagnostics& diag, const Value& value) {
  std::vector<CheckSpec> checks;
  const auto items = read_list(diag, value, false);
  if (!items) return checks;
  if (items->size() > kMaxChecksPerMember) {
    diag.error(value.mark, value.label + ": at most " + std::to_string(kMaxChecksPerMember) +
                               " checks per member");
    return checks;
  }
  for (const Value& item : *items) {
    if (auto spec = read_check(diag, item, false)) checks.push_back(std::move(*spec));
  }
  return checks;
}

void CheckReader::report_unknown_template(Diagnostics& diag, const Value& value,
                                          const std::string& name) const {
  if (broken_templates_.contains(name)) return;  // reported where it is defined
  std::vector<std::string_view> names;
  for (const auto& [known, unused] : templates_) names.push_back(known);
  diag.error(value.mark, value.label + ": no check template named " + quoted(name) +
                             (names.empty() ? std::string("; no check templates are defined")
                                            : suggestion(name, names)));
}

std::optional<CheckSpec> CheckReader::read_check(Diagnostics& diag, const Value& value,
                                                 bool is_template) {
  if (value.node.IsScalar() && !is_template) {  // a bare template name: the template as it is
    const auto name = read_string(diag, value);
    if (!name) return std::nullopt;
    const auto it = templates_.find(*name);
    if (it == templates_.end()) {
      report_unknown_template(diag, value, *name);
      return std::nullopt;
    }
    if (it->second.spec.type == CheckType::haproxy &&
        !haproxy_complete(diag, value.mark, value.label, it->second.spec)) {
      return std::nullopt;
    }
    return it->second.spec;
  }
  const MapReader map(diag, value, check_key_names());
  if (!map.is_map()) return std::nullopt;
  const std::size_t errors_before = diag.count();
  CheckSpec spec;
  bool have_type = false;
  if (auto v = map.find("template")) {
    have_type = true;  // whatever goes wrong with it is reported here, not as a missing type
    if (is_template) {
      diag.error(v->key_mark, "a check template cannot itself use 'template'");
    } else if (const auto name = read_string(diag, *v)) {
      const auto it = templates_.find(*name);
      if (it == templates_.end()) {
        report_unknown_template(diag, *v, *name);
        return std::nullopt;
      }
      spec = it->second.spec;
    }
  }
  if (is_template) {
    if (auto v = map.require("name")) {
      if (auto name = read_label(diag, *v)) spec.name = *name;
    }
  } else if (auto v = map.find("name")) {
    if (auto name = read_label(diag, *v)) spec.name = *name;
  }
  if (auto v = map.find("type")) {
    if (const auto* entry = read_choice(diag, *v, health::kCheckTypeNames)) {
      spec.type = entry->type;
      have_type = true;
    }
  } else if (!have_type) {
    diag.error(map.mark(), value.label + ": a check needs 'type' (or 'template')");
  }
  if (diag.count() != errors_before) return std::nullopt;
  // The other keys, judged against the type (a template's own fields already were).
  for (const CheckKey& key : kCheckKeys) {
    if (key.read == nullptr) continue;
    const auto v = map.find(key.name);
    if (!v) continue;
    if (!applies(key.applies_to, spec.type)) {
      diag.error(v->key_mark, "'" + std::string(key.name) + "' does not apply to checks of type " +
                                  std::string(health::check_type_name(spec.type)));
      continue;
    }
    key.read(diag, *v, spec);
  }
  if (diag.count() != errors_before) return std::nullopt;
  check_combination(diag, map, value, is_template, spec);
  if (diag.count() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace gslbd::config::detail
