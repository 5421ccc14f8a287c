// SPDX-License-Identifier: Apache-2.0
// Domain names: text <-> wire, case, ancestry, and reading names out of messages.
#include "gslbd/dns/name.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gslbd/dns/constants.hpp"

namespace {

using namespace gslbd::dns;
using namespace std::string_literals;

const std::string kRoot(1, '\0');
const std::string kExample =
    "\x07"
    "example\x03"
    "com\x00"s;

std::string from_text(std::string_view text, const std::string& origin = kRoot) {
  std::string error;
  const auto wire = name_from_text(text, origin, &error);
  REQUIRE_MESSAGE(wire.has_value(), "'" << text << "': " << error);
  return *wire;
}

std::string refusal(std::string_view text, const std::string& origin = kRoot) {
  std::string error;
  const auto wire = name_from_text(text, origin, &error);
  CHECK_FALSE(wire.has_value());
  return error;
}

std::vector<std::uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

}  // namespace

TEST_CASE("name_from_text: absolute and relative names") {
  CHECK(from_text("example.com.") == kExample);
  CHECK(from_text("www", kExample) == "\x03www"s + kExample);
  CHECK(from_text("a.b", kExample) ==
        "\x01"
        "a\x01"
        "b"s +
            kExample);
  CHECK(from_text("www.example.com.", kExample) == "\x03www"s + kExample);
  CHECK(from_text("example.com") == kExample);  // relative to the root
  CHECK(from_text("Mixed.Case.") ==
        "\x05Mixed\x04"
        "Case\x00"s);  // case is kept
}

TEST_CASE("name_from_text: @ and the root") {
  CHECK(from_text("@", kExample) == kExample);
  CHECK(from_text(".", kExample) == kRoot);
  CHECK(from_text("*.wild", kExample) == "\x01*\x04wild"s + kExample);
}

TEST_CASE("name_from_text: escapes") {
  CHECK(from_text("a\\.b.") ==
        "\x03"
        "a.b\x00"s);  // an escaped dot stays in the label
  CHECK(from_text("a\\065.") ==
        "\x02"
        "aA\x00"s);                               // \DDD is decimal
  CHECK(from_text("\\000.") == "\x01\x00\x00"s);  // even NUL
  CHECK(from_text("a\\ b.") ==
        "\x03"
        "a b\x00"s);  // an escaped space
  CHECK(from_text("a\\.", kExample) ==
        "\x02"
        "a."s +
            kExample);  // escaped final dot: relative
  CHECK(refusal("a\\") == "dangling backslash");
  CHECK(refusal("a\\06") == "bad \\DDD escape");
  CHECK(refusal("a\\06x.") == "bad \\DDD escape");
  CHECK(refusal("a\\256.") == "\\DDD escape above 255");
}

TEST_CASE("name_from_text: malformed names") {
  CHECK(refusal("") == "empty name");
  CHECK(refusal("a..b.") == "empty label");
  CHECK(refusal(".a.") == "empty label");
  CHECK(refusal("a b.") == "white space or quote in name");
  CHECK(refusal("a\"b.") == "white space or quote in name");
}

TEST_CASE("name_from_text: label and name length limits") {
  const std::string label63(63, 'a');
  const std::string label64(64, 'a');
  CHECK(from_text(label63 + ".").size() == 65);
  CHECK(refusal(label64 + ".") == "label longer than 63 octets");
  CHECK(refusal(label64) == "label longer than 63 octets");  // also as the last, relative label
  // 4 labels of 63 octets = 256 octets of wire with the root: one too many.
  const std::string four = label63 + "." + label63 + "." + label63 + "." + label63 + ".";
  CHECK(refusal(four) == "name longer than 255 octets");
  const std::string max =
      label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + ".";
  CHECK(from_text(max).size() == 255);
  // The origin counts towards the limit too.
  CHECK(refusal(label63 + "." + label63 + "." + label63, "\x3f"s + label63 + kRoot) ==
        "name longer than 255 octets");
}

TEST_CASE("name_to_text: presentation form") {
  CHECK(name_to_text(kExample) == "example.com.");
  CHECK(name_to_text(kRoot) == ".");
  CHECK(name_to_text("") == ".");
  CHECK(name_to_text("\x03"
                     "a.b\x00"s) == "a\\.b.");
  CHECK(name_to_text("\x02"
                     "a\x00\x00"s) == "a\\000.");
  CHECK(name_to_text("\x03"
                     "a b\x00"s) == "a\\032b.");
  CHECK(name_to_text("\x01\x7f\x00"s) == "\\127.");
  CHECK(name_to_text("\x01@\x00"s) == "\\@.");
  // Round trip through text keeps the wire form.
  const std::string odd =
      "\x05"
      "a.b\\c\x02"
      "\xff\x01\x00"s;
  CHECK(from_text(name_to_text(odd)) == odd);
}

TEST_CASE("lowercase: ASCII letters only, length octets untouched") {
  CHECK(lowercased("\x03WwW\x07"
                   "ExAmPlE\x03"
                   "COM\x00"s) == "\x03www"s + kExample);
  // Length octet 0x41 ('A') must not be lowered: a 65-octet... is impossible, so check an
  // octet in label data that is not a letter and a length that looks like one.
  const std::string tricky = "\x02\xc3\x89\x00"s;  // UTF-8 bytes stay as they are
  CHECK(lowercased(tricky) == tricky);
  std::string buffer = "\x01Z\x01Y\x00"s;
  lowercase_name(buffer.data(), buffer.size());
  CHECK(buffer == "\x01z\x01y\x00"s);
  CHECK(lowercased(kRoot) == kRoot);
}

TEST_CASE("lowercase: every octet value at every place of an eight-octet step") {
  // Four labels of 63 octets hold the 256 octet values; each run shifts them by one place,
  // so that every value is met at every position of the eight-octet steps.
  for (int shift = 0; shift < 8; ++shift) {
    std::string name;
    for (int label = 0; label < 4; ++label) {
      name += static_cast<char>(63);
      for (int i = 0; i < 63; ++i) name += static_cast<char>((label * 63 + i + shift) & 0xff);
    }
    name += '\0';
    std::string expected = name;
    for (std::size_t i = 0; i + 1 < expected.size(); ++i) {
      if (i % 64 == 0) continue;  // length octets
      const auto c = static_cast<unsigned char>(expected[i]);
      if (c >= 'A' && c <= 'Z') expected[i] = static_cast<char>(c + 32);
    }
    CHECK(lowercased(name) == expected);
  }
  // Octets past the root label are left alone.
  std::string past = "\x01Q\x00QQ"s;
  lowercase_name(past.data(), past.size());
  CHECK(past == "\x01q\x00QQ"s);
}

TEST_CASE("parent_name and label_count") {
  const std::string www = "\x03www"s + kExample;
  CHECK(parent_name(www) == kExample);
  CHECK(parent_name(kExample) ==
        "\x03"
        "com\x00"s);
  CHECK(parent_name("\x03"
                    "com\x00"s) == kRoot);
  CHECK(parent_name(kRoot) == kRoot);
  CHECK(label_count(www) == 3);
  CHECK(label_count(kExample) == 2);
  CHECK(label_count(kRoot) == 0);
}

TEST_CASE("is_at_or_below: on label boundaries only") {
  const std::string www = "\x03www"s + kExample;
  CHECK(is_at_or_below(www, kExample));
  CHECK(is_at_or_below(kExample, kExample));
  CHECK(is_at_or_below(kExample, kRoot));
  CHECK(is_at_or_below(kRoot, kRoot));
  CHECK_FALSE(is_at_or_below(kExample, www));
  // "bexample.com" ends with the octets of "example.com" but is not below it.
  CHECK_FALSE(
      is_at_or_below("\x08"
                     "bexample\x03"
                     "com\x00"s,
                     kExample));
  // The label "z\007example" ends with the octets of example.com's first label: the tail
  // "\x07example\x03com\x00" matches byte for byte, but not on a label boundary.
  const std::string one_label =
      "\x09z\x07"
      "example\x03"
      "com\x00"s;
  CHECK(label_count(one_label) == 2);
  CHECK_FALSE(is_at_or_below(one_label, kExample));
  CHECK_FALSE(
      is_at_or_below("\x07"
                     "example\x03"
                     "org\x00"s,
                     kExample));
}

TEST_CASE("read_plain_name: good names advance pos") {
  const std::string msg = "\xaa\xbb"s + kExample + "\x00\x01"s;
  const auto m = bytes(msg);
  std::size_t pos = 2;
  CHECK(read_plain_name(m.data(), m.size(), pos) == kExample.size());
  CHECK(pos == 2 + kExample.size());
  const auto root = bytes(kRoot);
  pos = 0;
  CHECK(read_plain_name(root.data(), root.size(), pos) == 1);
  CHECK(pos == 1);
}

TEST_CASE("read_plain_name: bad names leave pos alone") {
  auto check_bad = [](const std::string& text) {
    const auto m = bytes(text);
    std::size_t pos = 0;
    CHECK(read_plain_name(m.data(), m.size(), pos) == 0);
    CHECK(pos == 0);
  };
  check_bad("");  // nothing at all
  check_bad(
      "\x07"
      "example\x03"
      "com"s);  // no root label
  check_bad(
      "\x07"
      "exam"s);                                      // label runs past the end
  check_bad("\xc0\x0c"s);                            // a compression pointer
  check_bad("\x40" + std::string(64, 'a') + kRoot);  // label over 63 octets
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += "\x3f" + std::string(63, 'a');
  check_bad(long_name + kRoot);  // 257 octets
  std::string max_name;
  for (int i = 0; i < 3; ++i) max_name += "\x3f" + std::string(63, 'a');
  max_name += "\x3d" + std::string(61, 'b') + kRoot;
  REQUIRE(max_name.size() == 255);
  const auto m = bytes(max_name);
  std::size_t pos = 0;
  CHECK(read_plain_name(m.data(), m.size(), pos) == 255);
}

TEST_CASE("skip_name: plain and compressed names") {
  const auto plain = bytes(kExample + "\x00\x01"s);
  std::size_t pos = 0;
  CHECK(skip_name(plain.data(), plain.size(), pos));
  CHECK(pos == kExample.size());

  const auto pointer = bytes("\x03www\xc0\x0c\x00\x01"s);
  pos = 0;
  CHECK(skip_name(pointer.data(), pointer.size(), pos));
  CHECK(pos == 6);  // stops after the two pointer octets

  const auto bare_pointer = bytes("\xc0\x0c"s);
  pos = 0;
  CHECK(skip_name(bare_pointer.data(), bare_pointer.size(), pos));
  CHECK(pos == 2);
}

TEST_CASE("skip_name: truncated or reserved label types fail") {
  auto check_bad = [](const std::string& text) {
    const auto m = bytes(text);
    std::size_t pos = 0;
    CHECK_FALSE(skip_name(m.data(), m.size(), pos));
    CHECK(pos == 0);
  };
  check_bad("");
  check_bad("\xc0"s);                        // half a pointer
  check_bad("\x03www"s);                     // no end
  check_bad("\x03ww"s);                      // label past the end
  check_bad("\x41" + std::string(70, 'a'));  // 0x40 extended label type
  check_bad("\x80\x00"s);                    // 0x80 reserved label type
}

TEST_CASE("same_name: ASCII case-insensitive, whole names only") {
  const std::string upper =
      "\x07"
      "ExAmPlE\x03"
      "COM\x00"s;
  CHECK(same_name(kExample, kExample));
  CHECK(same_name(upper, kExample));
  CHECK(same_name(kExample, upper));
  CHECK(same_name(kRoot, kRoot));
  CHECK_FALSE(same_name(kExample, kRoot));
  // A parent is not the name; nor is a name that differs in one letter.
  CHECK_FALSE(same_name(kExample,
                        "\x03"
                        "com\x00"s));
  CHECK_FALSE(same_name(kExample,
                        "\x07"
                        "examplf\x03"
                        "com\x00"s));
  // Only A-Z fold: '@' (0x40) and '`' (0x60) sit next to them and stay distinct, and so do
  // octets above 0x7f.
  CHECK_FALSE(same_name("\x01@\x00"s, "\x01`\x00"s));
  CHECK_FALSE(same_name("\x01\xc1\x00"s, "\x01\xe1\x00"s));
  CHECK_FALSE(
      same_name("\x01["
                "\x00"s,
                "\x01{\x00"s));
}

TEST_CASE("decompress_name: plain and compressed names, pos after the name as written") {
  char out[kMaxNameWire];
  // A name at 2, then "www" pointing back to it at 15, then a bare pointer at 21.
  const std::string msg = "\xaa\xbb"s + kExample + "\x03www\xc0\x02"s + "\xc0\x0f"s + "\x01\x02"s;
  const auto m = bytes(msg);
  std::size_t pos = 2;
  REQUIRE(decompress_name(m.data(), m.size(), pos, out) == kExample.size());
  CHECK(std::string(out, kExample.size()) == kExample);
  CHECK(pos == 2 + kExample.size());

  pos = 15;
  const std::string www = "\x03www"s + kExample;
  REQUIRE(decompress_name(m.data(), m.size(), pos, out) == www.size());
  CHECK(std::string(out, www.size()) == www);
  CHECK(pos == 21);  // after the two pointer octets, not where the pointer led

  pos = 21;  // a pointer to a name that itself ends in a pointer
  REQUIRE(decompress_name(m.data(), m.size(), pos, out) == www.size());
  CHECK(std::string(out, www.size()) == www);
  CHECK(pos == 23);

  const auto root = bytes(kRoot);
  pos = 0;
  CHECK(decompress_name(root.data(), root.size(), pos, out) == 1);
  CHECK(pos == 1);
}

TEST_CASE("decompress_name: loops, forward pointers and bad names fail and leave pos alone") {
  auto check_bad = [](const std::string& text, std::size_t at) {
    INFO("at ", at);
    const auto m = bytes(text);
    char out[kMaxNameWire];
    std::size_t pos = at;
    CHECK(decompress_name(m.data(), m.size(), pos, out) == 0);
    CHECK(pos == at);
  };
  check_bad("", 0);
  check_bad("\xc0"s, 0);              // half a pointer
  check_bad("\xc0\x00"s, 0);          // a pointer to itself
  check_bad("\x00\xc0\x03\x00"s, 1);  // a pointer forwards
  check_bad("\x03www\xc0\x00"s, 0);   // back to the start: a loop
  // Two pointers that take turns.
  check_bad(
      "\x01"
      "a\xc0\x04\xc0\x00"s,
      4);
  check_bad("\x03www"s, 0);                             // no end
  check_bad("\x03ww"s, 0);                              // label past the end
  check_bad("\x41" + std::string(70, 'a') + kRoot, 0);  // 0x40 extended label type
  check_bad("\x80\x00"s, 0);                            // 0x80 reserved label type
  // 254 octets of labels, then a pointer to "a." makes 256 octets once decompressed.
  std::string labels;
  for (int i = 0; i < 3; ++i) labels += "\x3f" + std::string(63, 'c');
  labels += "\x3d" + std::string(61, 'd');
  REQUIRE(labels.size() == 254);
  check_bad(
      "\x01"
      "a\x00"s +
          labels + "\xc0\x00"s,
      3);
  // The same labels pointing to the root make 255 octets, the most a name may have.
  const std::string max_name = "\x00"s + labels + "\xc0\x00"s;
  const auto m = bytes(max_name);
  char out[kMaxNameWire];
  std::size_t pos = 1;
  CHECK(decompress_name(m.data(), m.size(), pos, out) == 255);
  CHECK(pos == max_name.size());
}
