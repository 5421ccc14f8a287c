// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dns/names.hpp"

#include <array>
#include <charconv>

namespace gslbd::dns {
namespace {

struct TypeName {
  std::uint16_t type;
  std::string_view name;
};

// The types gslbd serves, signs, refuses or counts by name; others go by their number.
constexpr std::array<TypeName, 30> kTypeNames = {{
    {1, "A"},      {2, "NS"},     {5, "CNAME"},    {6, "SOA"},    {12, "PTR"},   {13, "HINFO"},
    {15, "MX"},    {16, "TXT"},   {28, "AAAA"},    {33, "SRV"},   {35, "NAPTR"}, {39, "DNAME"},
    {41, "OPT"},   {43, "DS"},    {44, "SSHFP"},   {46, "RRSIG"}, {47, "NSEC"},  {48, "DNSKEY"},
    {52, "TLSA"},  {59, "CDS"},   {60, "CDNSKEY"}, {64, "SVCB"},  {65, "HTTPS"}, {99, "SPF"},
    {250, "TSIG"}, {251, "IXFR"}, {252, "AXFR"},   {255, "ANY"},  {257, "CAA"},  {249, "TKEY"},
}};

constexpr std::array<std::string_view, kNamedRcodes> kRcodeNames = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",  "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14",  "RCODE15",
    "BADVERS", "BADKEY",  "BADTIME",  "BADMODE",   "BADNAME", "BADALG",  "BADTRUNC", "BADCOOKIE"};

char upper(char c) noexcept {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool same_upper(std::string_view text, std::string_view name) noexcept {
  if (text.size() != name.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (upper(text[i]) != name[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view rr_type_name(std::uint16_t type) noexcept {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return {};
}

std::string rr_type_text(std::uint16_t type) {
  const std::string_view name = rr_type_name(type);
  return name.empty() ? "TYPE" + std::to_string(type) : std::string(name);
}

std::optional<std::uint16_t> parse_rr_type(std::string_view text) noexcept {
  for (const TypeName& t : kTypeNames) {
    if (same_upper(text, t.name)) return t.type;
  }
  if (text.size() <= 4 || !same_upper(text.substr(0, 4), "TYPE")) return std::nullopt;
  text.remove_prefix(4);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::string_view rcode_name(std::uint16_t rcode) noexcept {
  return rcode < kRcodeNames.size() ? kRcodeNames[rcode] : std::string_view();
}

}  // namespace gslbd::dns
