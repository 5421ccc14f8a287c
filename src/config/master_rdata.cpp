// SPDX-License-Identifier: Apache-2.0
#include "master_rdata.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "gslbd/dns/constants.hpp"
#include "ldns.hpp"

namespace gslbd::config::detail {
namespace {

constexpr std::uint16_t kDname = 39;       // RFC 6672; not in dns/constants.hpp
constexpr std::size_t kMaxNameText = 250;  // ldns reads owners of up to 254 characters
constexpr std::size_t kMaxWire = 255;
constexpr std::size_t kMaxLabel = 63;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// ldns's parse_escape: after a backslash at text[at], three digits make one octet (at most 255)
// and any other character stands for itself; a digit not followed by two more is an error.
// Advances at past the escape.
bool read_escape(std::string_view text, std::size_t& at, std::uint8_t& octet) noexcept {
  const std::size_t rest = text.size() - at - 1;
  if (rest >= 3 && is_digit(text[at + 1]) && is_digit(text[at + 2]) && is_digit(text[at + 3])) {
    const int value = (text[at + 1] - '0') * 100 + (text[at + 2] - '0') * 10 + (text[at + 3] - '0');
    if (value > 255) return false;
    octet = static_cast<std::uint8_t>(value);
    at += 4;
    return true;
  }
  if (rest >= 1 && !is_digit(text[at + 1])) {
    octet = static_cast<std::uint8_t>(text[at + 1]);
    at += 2;
    return true;
  }
  return false;
}

void append_u16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  append_u16(out, value >> 16);
  append_u16(out, value & 0xffff);
}

// A decimal number of at most max_digits digits and at most max: what ldns's strtol/strtoul
// readers give without truncation. Signs, overflow and other text go to ldns.
bool read_decimal(std::string_view text, std::size_t max_digits, std::uint64_t max,
                  std::uint32_t& value) noexcept {
  if (text.empty() || text.size() > max_digits) return false;
  std::uint64_t v = 0;
  for (const char c : text) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  value = static_cast<std::uint32_t>(v);
  return true;
}

// glibc's inet_pton4, which ldns_str2rdf_a calls: four decimal octets, no leading zeros.
bool encode_a(std::string_view text, std::vector<std::uint8_t>& out) {
  std::uint8_t octets[4] = {0, 0, 0, 0};
  std::size_t index = 0;
  int seen = 0;
  bool saw_digit = false;
  for (const char c : text) {
    if (is_digit(c)) {
      const unsigned value = octets[index] * 10u + static_cast<unsigned>(c - '0');
      if (saw_digit && octets[index] == 0) return false;
      if (value > 255) return false;
      octets[index] = static_cast<std::uint8_t>(value);
      if (!saw_digit) {
        if (++seen > 4) return false;
        saw_digit = true;
      }
    } else if (c == '.' && saw_digit) {
      if (seen == 4) return false;
      octets[++index] = 0;
      saw_digit = false;
    } else {
      return false;
    }
  }
  if (seen < 4) return false;
  out.insert(out.end(), octets, octets + 4);
  return true;
}

// ldns_str2rdf_aaaa is inet_pton(AF_INET6); no valid address is longer than 45 characters.
bool encode_aaaa(std::string_view text, std::vector<std::uint8_t>& out) {
  char buffer[64];
  if (text.size() >= sizeof buffer) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::uint8_t address[16];
  if (inet_pton(AF_INET6, buffer, address) != 1) return false;
  out.insert(out.end(), address, address + 16);
  return true;
}

// A name in rdata: ldns replaces any name whose first label is "@" by the origin.
bool encode_name(std::string_view text, std::string_view origin, std::vector<std::uint8_t>& out) {
  WireName name;
  bool relative = false;
  if (!read_name(text, name, relative)) return false;
  std::string_view wire;
  if (name.size > 1 && name.octets[0] == 1 && name.octets[1] == '@') {
    wire = origin;
  } else {
    if (relative && !complete_name(name, origin)) return false;
    wire = name.view();
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(wire.data());
  out.insert(out.end(), bytes, bytes + wire.size());
  return true;
}

// ldns_str2rdf_period through ldns itself (units s m h d w, no text after the number).
bool encode_period(std::string_view text, std::vector<std::uint8_t>& out) {
  char buffer[32];
  if (text.size() >= sizeof buffer) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  const char* end = nullptr;
  const std::uint32_t value = ldns_str2period(buffer, &end);
  if (end == nullptr || *end != '\0') return false;
  append_u32(out, value);
  return true;
}

// ldns_str2rdf_str: one character-string of at most 255 octets, escapes as in names.
bool encode_string(std::string_view text, std::vector<std::uint8_t>& out) {
  const std::size_t length_at = out.size();
  out.push_back(0);
  std::size_t length = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::uint8_t octet = 0;
    if (text[at] == '\\') {
      if (!read_escape(text, at, octet)) return false;
    } else {
      octet = static_cast<std::uint8_t>(text[at++]);
    }
    if (length == 255) return false;
    out.push_back(octet);
    ++length;
  }
  out[length_at] = static_cast<std::uint8_t>(length);
  return true;
}

}  // namespace

bool read_name(std::string_view text, WireName& out, bool& relative) noexcept {
  if (text.empty() || text.size() > kMaxNameText) return false;
  auto& b = out.octets;
  if (text == ".") {
    b[0] = 0;
    out.size = 1;
    relative = false;
    return true;
  }
  // As ldns: q is where the next octet goes, pq where the current label's length goes.
  std::size_t q = 1;
  std::size_t pq = 0;
  std::size_t label = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    if (q >= kMaxWire) return false;
    const char c = text[at];
    if (c == '.') {
      if (label == 0 || label > kMaxLabel) return false;
      b[pq] = static_cast<char>(label);
      pq = q;
      label = 0;
      ++at;
    } else if (c == '\\') {
      std::uint8_t octet = 0;
      if (!read_escape(text, at, octet)) return false;
      b[q] = static_cast<char>(octet);
      ++label;
    } else {
      b[q] = c;
      ++label;
      ++at;
    }
    ++q;
  }
  relative = label != 0;
  if (relative) {
    if (q >= kMaxWire || label > kMaxLabel) return false;
    b[pq] = static_cast<char>(label);
    b[q] = 0;
    out.size = q + 1;
  } else {
    b[pq] = 0;  // the last dot's octet is the root label
    out.size = q;
  }
  return true;
}

bool complete_name(WireName& name, std::string_view origin_wire) noexcept {
  const std::size_t left = name.size - 1;  // without the root label
  if (left + origin_wire.size() > kMaxWire) return false;
  std::memcpy(name.octets.data() + left, origin_wire.data(), origin_wire.size());
  name.size = left + origin_wire.size();
  return true;
}

std::uint16_t fast_type(std::string_view mnemonic) noexcept {
  switch (mnemonic.size()) {
    case 1:
      return iequals(mnemonic, "A") ? dns::type::A : 0;
    case 2:
      if (iequals(mnemonic, "NS")) return dns::type::NS;
      if (iequals(mnemonic, "MX")) return dns::type::MX;
      return 0;
    case 3:
      if (iequals(mnemonic, "SOA")) return dns::type::SOA;
      if (iequals(mnemonic, "PTR")) return dns::type::PTR;
      if (iequals(mnemonic, "TXT")) return dns::type::TXT;
      return 0;
    case 4:
      return iequals(mnemonic, "AAAA") ? dns::type::AAAA : 0;
    case 5:
      if (iequals(mnemonic, "CNAME")) return dns::type::CNAME;
      if (iequals(mnemonic, "DNAME")) return kDname;
      return 0;
    default:
      return 0;
  }
}

bool encode_fast_rdata(std::uint16_t type, const MasterToken* tokens, std::size_t count,
                       std::string_view origin_wire, std::vector<std::uint8_t>& out) {
  // ldns reads an unquoted "\#" in any field as RFC 3597 generic data; quotes only mean
  // something to TXT.
  for (std::size_t i = 0; i < count; ++i) {
    if (tokens[i].quoted ? type != dns::type::TXT : tokens[i].text == "\\#") return false;
  }
  switch (type) {
    case dns::type::A:
      return count == 1 && encode_a(tokens[0].text, out);
    case dns::type::AAAA:
      return count == 1 && encode_aaaa(tokens[0].text, out);
    case dns::type::NS:
    case dns::type::CNAME:
    case dns::type::PTR:
    case kDname:
      return count == 1 && encode_name(tokens[0].text, origin_wire, out);
    case dns::type::MX: {
      std::uint32_t preference = 0;
      if (count != 2 || !read_decimal(tokens[0].text, 5, 0xffff, preference)) return false;
      append_u16(out, preference);
      return encode_name(tokens[1].text, origin_wire, out);
    }
    case dns::type::SOA: {
      std::uint32_t serial = 0;
      if (count != 7 || !encode_name(tokens[0].text, origin_wire, out) ||
          !encode_name(tokens[1].text, origin_wire, out) ||
          !read_decimal(tokens[2].text, 10, 0xffffffffu, serial)) {
        return false;
      }
      append_u32(out, serial);
      for (std::size_t i = 3; i < 7; ++i) {
        if (!encode_period(tokens[i].text, out)) return false;
      }
      return true;
    }
    case dns::type::TXT:
      if (count == 0) return false;
      for (std::size_t i = 0; i < count; ++i) {
        if (!encode_string(tokens[i].text, out)) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace gslbd::config::detail
