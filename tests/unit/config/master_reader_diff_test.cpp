// SPDX-License-Identifier: Apache-2.0
// MasterReader against ldns alone: the same records (owner, type, TTL, rdata octets) and the same
// errors at the same lines, for every syntax of RFC 1035 section 5 and each type it encodes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "master_reference.hpp"

using gslbd::test::describe;
using gslbd::test::ldns_reference;
using gslbd::test::read_master;

namespace {

const std::string kOrigin("\007example\003com\000", 13);

struct Snippet {
  std::string text;
  bool fast;  // every entry is read without ldns
};

void check_same_as_ldns(const Snippet& snippet, std::uint32_t default_ttl = 3600) {
  CAPTURE(snippet.text);
  const auto expected = ldns_reference(snippet.text, kOrigin, default_ttl);
  const auto actual = read_master(snippet.text, kOrigin, default_ttl);
  INFO("ldns:\n" << describe(expected) << "reader:\n" << describe(actual.items));
  CHECK(actual.items == expected);
  if (snippet.fast) {
    CHECK(actual.ldns_entries == 0);
    CHECK((actual.fast_entries > 0 || expected.empty()));
  }
}

const std::vector<Snippet>& fast_snippets() {
  static const std::vector<Snippet> snippets = {
      // owner, TTL and class layouts
      {"www IN A 192.0.2.1\n", true},
      {"www 300 IN A 192.0.2.1\n", true},
      {"www 300 A 192.0.2.1\n", true},
      {"www A 192.0.2.1\n", true},
      {"www in a 192.0.2.1\n", true},
      {"www\t300\tIn\tA\t192.0.2.1\n", true},
      {"WWW.Example.COM. IN A 192.0.2.1\n", true},
      {"www.example.com. IN A 192.0.2.1\nwww.example.net. IN A 192.0.2.1\n", true},
      {"@ IN A 192.0.2.1\n", true},
      {"@foo IN A 192.0.2.1\n IN A 192.0.2.2\n@.x IN A 192.0.2.3\n", true},  // all the origin
      {"@ 60 IN NS ns1\n@ 60 IN NS ns2.example.net.\n", true},
      {". IN A 192.0.2.1\n", true},
      // owner omitted: the previous owner, the origin before any owner, "@" sets it too
      {"  IN A 192.0.2.1\n", true},
      {"www IN A 192.0.2.1\n IN A 192.0.2.2\n\tIN AAAA ::1\n  300 IN TXT x\n", true},
      {"www IN A 192.0.2.1\n@ IN A 192.0.2.2\n  IN A 192.0.2.3\n", true},
      {"www IN A 192.0.2.1\n; comment\n  IN A 192.0.2.2\n", true},
      // TTL units and ldns's reading of them
      {"www 1h2m IN A 192.0.2.1\n", true},
      {"www 1W IN A 192.0.2.1\nmail 2d IN A 192.0.2.1\nx 90s IN A 192.0.2.1\n", true},
      {"www 1H1M1S A 192.0.2.1\n", true},
      {"www 300x IN A 192.0.2.1\n", true},  // ldns keeps the 300
      {"www 0 IN A 192.0.2.1\n", true},
      {"www 2147483647 IN A 192.0.2.1\n", true},
      {"www 2147483648 IN A 192.0.2.1\n", true},  // refused: above RFC 2181's largest TTL
      {"www 4294967295 IN A 192.0.2.1\n", true},
      // $TTL and $ORIGIN
      {"$TTL 300\nwww IN A 192.0.2.1\n", true},
      {"$TTL 1h2m ; comment\nwww IN A 192.0.2.1\n", true},
      {"$TTL 1d\nwww IN A 192.0.2.1\n$TTL 5\nmail IN A 192.0.2.2\n", true},
      {"$TTL 0\nwww IN A 192.0.2.1\n", true},  // ldns's default, 3600, then
      {"$TTL\t2W\nwww IN A 192.0.2.1\n", true},
      {"$ORIGIN sub.example.com.\nwww IN A 192.0.2.1\n@ IN A 192.0.2.2\n", true},
      {"$ORIGIN Sub.EXAMPLE.com.\nwww IN CNAME x\n$ORIGIN example.com.\nx IN A 192.0.2.1\n", true},
      {"$ORIGIN example.net.\nwww IN MX 10 mail\n", true},
      // ldns strips blanks after the argument only down to two characters: "e " keeps its blank
      {"$ORIGIN e\r\nwww IN A 192.0.2.1\n$ORIGIN ab ; c\nx IN A 192.0.2.1\n", true},
      {"$ORIGIN abc \nwww IN A 192.0.2.1\n$TTL 9 \nx IN A 192.0.2.1\n", true},
      // comments, blank lines, line ends
      {"; only a comment\n", true},
      {"; comment\n\n\nwww IN A 192.0.2.1 ; trailing\n\n; more\n", true},
      {"www IN A 192.0.2.1;c\nmail IN A 192.0.2.2\n", true},
      {"   \n\t\nwww IN A 192.0.2.1\n   ; indented comment\n", true},
      {"www IN A 192.0.2.1\r\nmail IN A 192.0.2.2\r\n\r\n", true},
      {"www IN A 192.0.2.1", true},
      {"\n\n\nwww IN A 192.0.2.1\n\n", true},
      {"", true},
      // parentheses
      {"www IN MX ( 10\n mail )\n", true},
      {"www IN A (\n 192.0.2.1 )\n", true},
      {"www ( IN ) A 192.0.2.1\n", true},
      {"www IN MX (10 ; the preference\n   mail.example.net. ) ; done\nx IN A 192.0.2.1\n", true},
      {"www IN MX 10 (\n; a whole comment line\n\n mail\n)\n", true},
      {"www IN MX 10(\nmail)\n", true},
      {"www IN MX (( 10 ) mail )\n", true},
      // A
      {"a IN A 0.0.0.0\nb IN A 255.255.255.255\nc IN A 10.0.0.1\n", true},
      {"a IN A 1.2.3.04\n", false},   // leading zero: refused by ldns
      {"a IN A 1.2.3\n", false},      // too few
      {"a IN A 1.2.3.4.5\n", false},  // too many
      {"a IN A 256.1.1.1\n", false},
      {"a IN A 1.2.3.4.\n", false},
      {"a IN A ::1\n", false},
      // AAAA
      {"a IN AAAA ::\nb IN AAAA ::1\nc IN AAAA ::ffff:1.2.3.4\nd IN AAAA 2001:db8::1\n", true},
      {"a IN AAAA 2001:DB8:0:0:1:0:0:1\nb IN AAAA 1:2:3:4:5:6:7:8\nc IN AAAA 1::\n", true},
      {"a IN AAAA fe80::1:2:3:4:5:6\nb IN AAAA ::ffff:192.0.2.128\nc IN AAAA 0:0:0:0:0:0:0:0\n",
       true},
      {"a IN AAAA 1::2::3\n", false},
      {"a IN AAAA 2001:db8::10004\n", false},
      {"a IN AAAA 192.0.2.1\n", false},
      {"a IN AAAA ::ffff:1.2.3.04\n", false},
      // names: escapes, case, trailing dots, @, the root
      {"a\\.b IN A 192.0.2.1\n", true},
      {"\\065bc IN A 192.0.2.1\nx\\032y IN A 192.0.2.1\n", true},
      {"\\@ IN A 192.0.2.1\n", true},
      {"a\\\\. IN A 192.0.2.1\n", true},
      {"a\\;b IN A 192.0.2.1\na\\(b IN A 192.0.2.1\na\\\"b IN A 192.0.2.1\n", true},
      {"a\\256 IN A 192.0.2.1\n", false},  // bad escape
      {"a\\1x IN A 192.0.2.1\n", false},   // bad escape
      {"a..b IN A 192.0.2.1\n", false},
      {".a IN A 192.0.2.1\n", false},
      {"www IN CNAME Target.Example.NET.\nx IN CNAME y\nz IN CNAME @\n", true},
      {"www IN CNAME .\n", true},
      {"www IN CNAME @.foo\n", true},  // ldns makes any name whose first label is @ the origin
      {"www IN NS \\@\n", true},
      {"www IN PTR host\\.name.example.net.\nx IN PTR a\\066c\n", true},
      {"www IN DNAME target.example.net.\nx IN DNAME y\n", true},
      {"www IN CNAME a..b\n", false},
      {"www IN CNAME a b\n", false},  // superfluous text
      {"www IN CNAME\n", false},      // missing
      // labels and names at the limits
      {std::string(63, 'a') + " IN A 192.0.2.1\n", true},
      {std::string(64, 'a') + " IN A 192.0.2.1\n", false},
      {std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
           std::string(50, 'd') + ". IN A 192.0.2.1\n",
       true},
      {"x IN CNAME " + std::string(60, 'a') + "." + std::string(60, 'b') + "." +
           std::string(60, 'c') + "." + std::string(61, 'd') + ".\n",
       true},
      // MX
      {"@ IN MX 10 mail\n@ IN MX 0 .\n@ IN MX 65535 mail.example.net.\n@ IN MX 20 @\n", true},
      {"@ IN MX 010 mail\n", true},
      {"@ IN MX x mail\n", false},
      {"@ IN MX 10\n", false},
      // SOA
      {"@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n", true},
      {"@ 3600 IN SOA ns1.example.com. hostmaster.example.com. (\n"
       "        2024010101 ; serial\n"
       "        1h         ; refresh\n"
       "        15m        ; retry\n"
       "        1w         ; expire\n"
       "        5m )       ; minimum\n",
       true},
      {"@ IN SOA @ admin\\.mail 4294967295 1d2h 0 1W 60s\n", true},
      {"@ IN SOA ns1 hostmaster 1 3600 900 604800\n", false},
      {"@ IN SOA ns1 hostmaster 1 3600 900 604800 300 1\n", false},
      {"@ IN SOA ns1 hostmaster 1 3600x 900 604800 300\n", false},
      {"@ IN SOA ns1 hostmaster x 3600 900 604800 300\n", false},
      // TXT
      {"www IN TXT \"hello world\"\n", true},
      {"www IN TXT a b c\n", true},
      {"www IN TXT \"\"\n", true},
      {"www IN TXT \"a\\\"b\" \"semi;colon\" \"(paren)\" \"\\065\\066\" \"back\\\\slash\"\n", true},
      {"www IN TXT \"a\"\t\t\"b\"  \"c\" \t d\n", true},
      {"www IN TXT ( \"first\"\n   \"second\" ) ; comment\n", true},
      {"www IN TXT \"tab\there\" x\\032y\n", true},
      {"www IN TXT \"" + std::string(255, 'x') + "\"\n", true},
      {"www IN TXT \"" + std::string(256, 'x') + "\"\n", false},
      {"www IN TXT \"bad \\256 escape\"\n", false},
      {"www IN TXT\n", false},
      {"www IN TXT \"v=spf1 -all\" ; spf\nwww IN TXT \"v=spf1 -all\"\n", true},
      // mixed file
      {"$ORIGIN example.com.\n$TTL 300\n@ 3600 IN SOA ns1.example.com. hostmaster.example.com. "
       "1 3600 900 604800 300\n@ 3600 IN NS ns1.example.com.\nns1 IN A 127.0.0.53\n"
       "h0 IN A 10.0.0.0\nh0 IN AAAA 2001:db8::0\nh1 IN A 10.0.0.1\n",
       true},
  };
  return snippets;
}

// Entries the reader leaves to ldns, partly or entirely; the result must still be ldns's.
const std::vector<Snippet>& ldns_snippets() {
  static const std::vector<Snippet> snippets = {
      // other types and classes
      {"_sip._tcp IN SRV 0 5 5060 sip\n", false},
      {"www IN CAA 0 issue \"ca.example.net\"\n", false},
      {"www IN HINFO \"PC\" \"Linux\"\n", false},
      {"www IN TYPE65000 \\# 2 abcd\n", false},
      {"www IN TYPE1 192.0.2.1\n", false},
      {"www IN A \\# 4 c0000201\n", false},
      {"www IN TXT \\# 2 0161\n", false},
      {"www IN TYPE650008 \\# 0\n", false},
      {"www CH A 192.0.2.1\n", false},
      {"www 300 CH TXT \"x\"\n", false},
      {"www CLASS1 A 192.0.2.1\n", false},
      {"www IN NOSUCHTYPE 1\n", false},
      {"www IN SSHFP 1 1 123456789abcdef67890123456789abcdef67890\n", false},
      {"www IN DS 12345 8 2 ( 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE\n"
       "  49FD46E6C4B45C55D4AC69CBD3CD34AC )\n",
       false},
      // numbers ldns truncates or reads its own way
      {"@ IN MX 65536 mail\n", false},
      {"@ IN MX -1 mail\n", false},
      {"@ IN MX +1 mail\n", false},
      {"@ IN SOA ns1 hostmaster 4294967296 3600 900 604800 300\n", false},
      {"@ IN SOA ns1 hostmaster -1 3600 900 604800 300\n", false},
      {"www 123456789012345678 IN A 192.0.2.1\n", false},
      {"www 1234567890123456789012 IN A 192.0.2.1\n", false},
      // directives ldns reads in its own way
      {"$INCLUDE other.zone\nwww IN A 192.0.2.1\n", false},
      {"$INCLUDEother.zone\n", false},
      {"$TTL\nwww IN A 192.0.2.1\n", false},
      {"$TTL 300 600\nwww IN A 192.0.2.1\n", false},
      {"$TTL abc\nwww IN A 192.0.2.1\n", false},
      {"$ORIGIN\nwww IN A 192.0.2.1\n", false},
      {"$ORIGIN sub\nwww IN A 192.0.2.1\n", true},  // below the root, as ldns does
      {"$ORIGIN a b\nwww IN A 192.0.2.1\n", false},
      {"$ORIGIN a..b\nwww IN A 192.0.2.1\nmail IN A 192.0.2.2\n", false},  // error, then stop
      {"$foo IN A 192.0.2.1\n", false},
      {"$ORIGINfoo IN A 192.0.2.1\n", false},
      {" $TTL 300\nwww IN A 192.0.2.1\n", false},
      // structure the tokenizer leaves to ldns
      {"www IN A 192.0.2.1 )\nnext IN A 192.0.2.2\n", false},
      {"www IN SOA ( ns1 hostmaster 1 3600 900 604800 300\nx IN A 192.0.2.1\n", false},
      {"w IN MX 1(0\n) a\n", false},
      {"w IN MX (1;c\n0 a)\n", false},
      {"w IN MX 10 a(;c\n)\n", true},
      {"(\n y IN A 192.0.2.1)\n", false},
      {"a IN A 192.0.2.1\\\n\nb IN A 192.0.2.2 \\\nc IN A 192.0.2.3\n", false},
      {"www IN TXT \"a\nb\"\nx IN A 192.0.2.1\n", false},
      {"www IN TXT \"a\"\"b\"\n", false},
      {"www IN TXT \"a\"b\n", false},
      {"www IN TXT ab\"c d\"\n", false},
      {"www IN A \"192.0.2.1\"\n", false},
      {"\"www\" IN A 192.0.2.1\n", false},
      {"www IN A\f192.0.2.1\nx IN A 192.0.2.2\n", false},
      {"www IN A\v192.0.2.1\n", false},
      {std::string("www IN A 192.0.2.1\0\nx IN A 192.0.2.2\n", 38), false},
      {"caf\xc3\xa9 IN A 192.0.2.1\n", false},
      {"www IN TXT \"caf\xc3\xa9\"\n", false},
      {"www IN A 192.0.2.1\r\r\nx IN A 192.0.2.2\n", true},
      {"\r\nwww IN A 192.0.2.1\n", true},
      {"  x IN A 192.0.2.1\n", false},
      {"www IN A 192.0.2.1 extra\n", false},
      {"www\n", false},
      {"www IN\n", false},
      {"www 300\n", false},
      {"www IN TXT \"" + std::string(300, 'x') + "\" \"" + std::string(300, 'y') + "\"\n", false},
      {std::string(300, 'a') + " IN A 192.0.2.1\n", false},
      {std::string(9000, ' ') + "x\nwww IN A 192.0.2.1\n", false},
      {"www IN TXT " + std::string(11000, 'x') + "\nmail IN A 192.0.2.1\n", false},
      // names ldns builds beyond 255 octets from a relative name and the origin
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
           std::string(63, 'd') + " IN A 192.0.2.1\n",
       false},
  };
  return snippets;
}

}  // namespace

TEST_CASE("master reader: the same records as ldns for every syntax and simple type") {
  for (const auto& snippet : fast_snippets()) check_same_as_ldns(snippet);
}

TEST_CASE("master reader: entries left to ldns give ldns's records and errors") {
  for (const auto& snippet : ldns_snippets()) check_same_as_ldns(snippet);
}

TEST_CASE("master reader: the default TTL of the import, and 0 meaning ldns's 3600") {
  for (const std::uint32_t ttl : {0u, 1u, 86400u}) {
    check_same_as_ldns({"www IN A 192.0.2.1\n$TTL 60\nmail IN A 192.0.2.2\n", true}, ttl);
  }
}

TEST_CASE("master reader: errors at the lines where ldns reports them, parsing goes on") {
  const std::vector<Snippet> bad = {
      {"; header\nwww IN A 192.0.2.1\n\nmail IN A 192.0.2\n$INCLUDE x\nok IN TXT \"fine\"\n",
       false},
      {"@ IN SOA ns1 hostmaster (\n 1 ; serial\n 3600 900 604800 )\nwww IN A 1.2.3\n", false},
      {"a IN A 1\nb IN AAAA 1\nc IN MX 1\nd IN NS a..b\ne IN TXT \"x\nf IN CNAME\n", false},
      {"\n\n   ; indented\n\t\nwww IN MX (\n 10\n ; c\n ) \nnext IN A 192.0.2.1\n", false},
      {"www IN A 192.0.2.1\nwww IN A 192.0.2.300\r\nwww IN SRV 1 2 x\n", false},
  };
  for (const auto& snippet : bad) {
    check_same_as_ldns(snippet);
    const auto items = read_master(snippet.text, kOrigin, 3600).items;
    bool has_error = false;
    for (const auto& item : items) has_error = has_error || item.error;
    CHECK(has_error);
  }
}
