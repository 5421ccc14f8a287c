// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dns/name.hpp"

#include <cstring>

#include "gslbd/dns/constants.hpp"

namespace gslbd::dns {
namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// Eight octets lower-cased at once: 0x20 is added to each octet from 'A' to 'Z'. Within each
// octet, the low seven bits plus 0x3f reach the high bit from 'A' up, plus 0x25 from past 'Z'
// up; no sum carries into the next octet. Octets with the high bit set are no letters.
std::uint64_t lower8(std::uint64_t octets) noexcept {
  constexpr std::uint64_t kEach = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const std::uint64_t low7 = octets & ~kHigh;
  const std::uint64_t from_a = low7 + kEach * (0x80 - 'A');
  const std::uint64_t past_z = low7 + kEach * (0x7f - 'Z');
  const std::uint64_t upper = from_a & ~past_z & ~octets & kHigh;
  return octets | (upper >> 2);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::string> name_from_text(std::string_view text, std::string_view origin_wire,
                                          std::string* error) {
  auto fail = [&](const char* why) -> std::optional<std::string> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (text.empty()) return fail("empty name");
  if (text == "@") return std::string(origin_wire);
  if (text == ".") return std::string(1, '\0');

  std::string wire;
  std::string label;
  bool absolute = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (label.empty()) return fail("empty label");
      if (label.size() > kMaxLabel) return fail("label longer than 63 octets");
      wire += static_cast<char>(label.size());
      wire += label;
      label.clear();
      if (i + 1 == text.size()) absolute = true;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return fail("dangling backslash");
      if (is_digit(text[i + 1])) {
        if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
          return fail("bad \\DDD escape");
        }
        const int value =
            (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255) return fail("\\DDD escape above 255");
        c = static_cast<char>(value);
        i += 3;
      } else {
        c = text[++i];
      }
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"') {
      return fail("white space or quote in name");
    }
    label += c;
  }
  if (!label.empty()) {
    if (label.size() > kMaxLabel) return fail("label longer than 63 octets");
    wire += static_cast<char>(label.size());
    wire += label;
  }
  if (absolute) {
    wire += '\0';
  } else {
    wire += origin_wire;
  }
  if (wire.size() > kMaxNameWire) return fail("name longer than 255 octets");
  return wire;
}

std::string name_to_text(std::string_view wire) {
  if (wire.empty() || wire[0] == '\0') return ".";
  std::string out;
  std::size_t pos = 0;
  while (pos < wire.size() && wire[pos] != '\0') {
    const auto n = static_cast<std::uint8_t>(wire[pos]);
    for (std::size_t i = 1; i <= n && pos + i < wire.size(); ++i) {
      const auto c = static_cast<unsigned char>(wire[pos + i]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
          c == '$') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        buf[0] = '\\';
        buf[1] = static_cast<char>('0' + c / 100);
        buf[2] = static_cast<char>('0' + (c / 10) % 10);
        buf[3] = static_cast<char>('0' + c % 10);
        buf[4] = 0;
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '.';
    pos += n + 1u;
  }
  return out;
}

void lowercase_name(char* wire, std::size_t len) noexcept {
  // Length octets are never letters: once the root label is found, every octet before it is
  // lower-cased in one flat pass, eight at a time. Octets after the root (when len runs past
  // it) are left alone.
  std::size_t end = 0;
  while (end < len && wire[end] != '\0') end += static_cast<std::uint8_t>(wire[end]) + 1u;
  if (end > len) end = len;
  std::size_t i = 0;
  for (; i + 8 <= end; i += 8) {
    std::uint64_t octets;
    std::memcpy(&octets, wire + i, 8);
    octets = lower8(octets);
    std::memcpy(wire + i, &octets, 8);
  }
  for (; i < end; ++i) wire[i] = lower(wire[i]);
}

std::string lowercased(std::string_view wire) {
  std::string out(wire);
  lowercase_name(out.data(), out.size());
  return out;
}

std::string_view lowercased_into(std::string_view wire, char* out) noexcept {
  for (std::size_t i = 0; i < wire.size(); ++i) out[i] = wire[i];
  lowercase_name(out, wire.size());
  return {out, wire.size()};
}

bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view parent_name(std::string_view wire) noexcept {
  if (wire.empty() || wire[0] == '\0') return wire;
  return wire.substr(static_cast<std::uint8_t>(wire[0]) + 1u);
}

bool is_at_or_below(std::string_view name, std::string_view ancestor) noexcept {
  if (ancestor.size() > name.size()) return false;
  // Walk label boundaries of name so a suffix match cannot start inside a label.
  std::size_t pos = 0;
  const std::size_t want = name.size() - ancestor.size();
  while (pos < want) pos += static_cast<std::uint8_t>(name[pos]) + 1u;
  return pos == want && name.substr(pos) == ancestor;
}

std::size_t label_count(std::string_view wire) noexcept {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < wire.size() && wire[pos] != '\0') {
    ++count;
    pos += static_cast<std::uint8_t>(wire[pos]) + 1u;
  }
  return count;
}

std::size_t read_plain_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos) noexcept {
  std::size_t p = pos;
  for (;;) {
    if (p >= len) return 0;
    const std::uint8_t n = msg[p];
    if (n == 0) {
      ++p;
      break;
    }
    if (n > kMaxLabel) return 0;  // compression pointers and extended labels are not accepted
    p += n + 1u;
    if (p - pos > kMaxNameWire) return 0;
  }
  const std::size_t wire_len = p - pos;
  if (wire_len > kMaxNameWire) return 0;
  pos = p;
  return wire_len;
}

bool skip_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos) noexcept {
  std::size_t p = pos;
  for (;;) {
    if (p >= len) return false;
    const std::uint8_t n = msg[p];
    if (n == 0) {
      pos = p + 1;
      return true;
    }
    if ((n & 0xC0) == 0xC0) {
      if (p + 1 >= len) return false;
      pos = p + 2;
      return true;
    }
    if (n > kMaxLabel) return false;
    p += n + 1u;
  }
}

std::size_t decompress_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos,
                            char* out) noexcept {
  std::size_t at = pos;
  std::size_t after = 0;    // the octet after the name at pos, once known
  std::size_t limit = pos;  // the next pointer must point before this
  std::size_t size = 0;
  for (;;) {
    if (at >= len) return 0;
    const std::uint8_t n = msg[at];
    if ((n & 0xC0) == 0xC0) {
      if (at + 1 >= len) return 0;
      const std::size_t target = (std::size_t{n & 0x3Fu} << 8) | msg[at + 1];
      if (after == 0) after = at + 2;
      if (target >= limit) return 0;
      limit = target;
      at = target;
      continue;
    }
    if ((n & 0xC0) != 0) return 0;  // the 0x40 and 0x80 label types are obsolete
    if (size + 1 + n > kMaxNameWire || at + 1 + n > len) return 0;
    out[size++] = static_cast<char>(n);
    if (n == 0) {
      if (after == 0) after = at + 1;
      pos = after;
      return size;
    }
    for (std::size_t i = 1; i <= n; ++i) out[size++] = static_cast<char>(msg[at + i]);
    at += 1 + n;
  }
}

}  // namespace gslbd::dns
