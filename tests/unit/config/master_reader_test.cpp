// SPDX-License-Identifier: Apache-2.0
// MasterReader beyond ldns (class before TTL, relative $ORIGIN), its tokenizer, and the import
// of what it reads into a ZoneBuilder.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/master_import.hpp"
#include "config/master_tokenizer.hpp"
#include "config_test_support.hpp"
#include "master_reference.hpp"

using gslbd::config::detail::first_content_line;
using gslbd::config::detail::MasterEntry;
using gslbd::config::detail::MasterSyntax;
using gslbd::config::detail::MasterTokenizer;
using gslbd::config::detail::plain_entry_text;
using gslbd::test::describe;
using gslbd::test::kLdnsSyntax;
using gslbd::test::ldns_reference;
using gslbd::test::read_master;

namespace {

const std::string kOrigin("\007example\003com\000", 13);

// The reader with its RFC 1035 extensions reads `rfc` as ldns reads `ldns_text`.
void check_reads_as(const std::string& rfc, const std::string& ldns_text, bool fast) {
  CAPTURE(rfc);
  const auto expected = ldns_reference(ldns_text, kOrigin, 3600);
  const auto actual = read_master(rfc, kOrigin, 3600, MasterSyntax{});
  INFO("ldns on '" << ldns_text << "':\n"
                   << describe(expected) << "reader:\n"
                   << describe(actual.items));
  CHECK(actual.items == expected);
  if (fast) CHECK(actual.ldns_entries == 0);
}

std::vector<std::string> token_texts(const MasterEntry& entry) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < entry.token_count; ++i) {
    const auto& token = entry.tokens[i];
    out.push_back(token.quoted ? "\"" + std::string(token.text) + "\"" : std::string(token.text));
  }
  return out;
}

}  // namespace

TEST_CASE("master reader: the class before the TTL, which ldns refuses") {
  check_reads_as("www IN 300 A 192.0.2.1\n", "www 300 IN A 192.0.2.1\n", true);
  check_reads_as("www in 1h AAAA ::1\n", "www 1h in AAAA ::1\n", true);
  check_reads_as("www IN A 192.0.2.1\n IN 60 TXT \"x\"\n", "www IN A 192.0.2.1\n 60 IN TXT \"x\"\n",
                 true);
  // Types ldns encodes, and errors, come from ldns given the usual order.
  check_reads_as("_sip._tcp IN 300 SRV 0 5 5060 sip ; comment\n",
                 "_sip._tcp 300 IN SRV 0 5 5060 sip\n", false);
  check_reads_as("www IN 300 CAA ( 0 issue\n \"ca.example.net\" )\n",
                 "www 300 IN CAA 0 issue \"ca.example.net\"\n", false);
  check_reads_as("www IN 300 A 192.0.2\n", "www 300 IN A 192.0.2\n", false);
  check_reads_as("www CH 300 TXT \"x\"\n", "www 300 CH TXT \"x\"\n", false);
  // Without the extension the reader is ldns: an error.
  const auto strict = read_master("www IN 300 A 192.0.2.1\n", kOrigin, 3600, kLdnsSyntax);
  REQUIRE(strict.items.size() == 1);
  CHECK(strict.items[0].error);
  CHECK(strict.items == ldns_reference("www IN 300 A 192.0.2.1\n", kOrigin, 3600));
}

TEST_CASE("master reader: a relative $ORIGIN lies below the current origin") {
  check_reads_as("$ORIGIN sub\nwww IN A 192.0.2.1\n@ IN MX 10 mail\n",
                 "$ORIGIN sub.example.com.\nwww IN A 192.0.2.1\n@ IN MX 10 mail\n", true);
  check_reads_as("$ORIGIN b\n$ORIGIN a\nx IN CNAME y\n",
                 "$ORIGIN b.example.com.\n$ORIGIN a.b.example.com.\nx IN CNAME y\n", true);
  check_reads_as("$ORIGIN example.net.\nx IN A 192.0.2.1\n",
                 "$ORIGIN example.net.\nx IN A 192.0.2.1\n", true);
  // ldns puts it below the root, and so does the reader without the extension.
  const auto strict = read_master("$ORIGIN sub\nwww IN A 192.0.2.1\n", kOrigin, 3600, kLdnsSyntax);
  REQUIRE(strict.items.size() == 1);
  CHECK(strict.items[0].owner == std::string("\003www\003sub\000", 9));
}

TEST_CASE("master tokenizer: entries, tokens and where ldns would start each entry") {
  const std::string text =
      "; header\n"
      "www  300 IN A 192.0.2.1 ; comment\n"
      "\n"
      "\tIN TXT \"a b;c\" ( x\n"
      "   y ) \\; z\\\"\n"
      "   \r\n"
      "$TTL 1h\n";
  MasterTokenizer tokenizer(text);
  MasterEntry entry;
  REQUIRE(tokenizer.next(entry));
  CHECK(entry.plain);
  CHECK_FALSE(entry.owner_omitted);
  CHECK(token_texts(entry) == std::vector<std::string>{"www", "300", "IN", "A", "192.0.2.1"});
  CHECK(entry.begin_line == 1);
  CHECK(first_content_line(text, entry.begin, entry.begin_line) == 2);
  REQUIRE(tokenizer.next(entry));
  CHECK(entry.plain);
  CHECK(entry.owner_omitted);
  CHECK(token_texts(entry) ==
        std::vector<std::string>{"IN", "TXT", "\"a b;c\"", "x", "y", "\\;", "z\\\""});
  CHECK(first_content_line(text, entry.begin, entry.begin_line) == 4);
  REQUIRE(tokenizer.next(entry));  // the blanks line: an empty entry for ldns
  CHECK(entry.plain);
  CHECK(entry.token_count == 0);
  REQUIRE(tokenizer.next(entry));
  CHECK(token_texts(entry) == std::vector<std::string>{"$TTL", "1h"});
  CHECK(entry.begin_line == 7);
  CHECK_FALSE(tokenizer.next(entry));
}

TEST_CASE("master tokenizer: what it leaves to ldns, and going on where ldns stopped") {
  for (const char* text :
       {"a IN MX 1(0\n) b\n", "a IN A 1.2.3.4 )\n", "a IN TXT \"x\ny\"\n", "a IN A 1.2.3.4\\\n",
        "a\fIN A 1.2.3.4\n", "a IN TXT \"x\"y\n", "a IN SOA ( x\n", "a (1;c\n2)\n"}) {
    CAPTURE(text);
    MasterTokenizer tokenizer(text);
    MasterEntry entry;
    REQUIRE(tokenizer.next(entry));
    CHECK_FALSE(entry.plain);
  }
  const std::string text = "a IN A (1.2.3.4\n\nb IN A 1.2.3.5\n";
  MasterTokenizer tokenizer(text);
  MasterEntry entry;
  REQUIRE(tokenizer.next(entry));
  CHECK_FALSE(entry.plain);  // open at the end of the text
  tokenizer.resume_at(text.find('b'));
  REQUIRE(tokenizer.next(entry));
  CHECK(entry.plain);
  CHECK(entry.begin_line == 3);
  CHECK(token_texts(entry) == std::vector<std::string>{"b", "IN", "A", "1.2.3.5"});
}

TEST_CASE("master tokenizer: ldns's text of an entry") {
  const std::string text = "x IN TXT ( \"a ( ;\" ; c\n  b\\; )\r\n";
  MasterTokenizer tokenizer(text);
  MasterEntry entry;
  REQUIRE(tokenizer.next(entry));
  REQUIRE(entry.plain);
  const auto from = static_cast<std::size_t>(entry.tokens[3].text.data() - text.data()) - 1;
  const auto to = text.find(')');
  CHECK(plain_entry_text(text, from, to) == "\"a ( ;\"   b\\; ");
}

TEST_CASE("master import: owners keep their case, the apex SOA and NS in any case") {
  gslbd::zone::ZoneBuilder builder(kOrigin);
  std::vector<gslbd::util::SourceError> errors;
  const std::string text =
      "EXAMPLE.COM. 300 IN SOA ns1 hostmaster 7 3600 900 604800 300\n"
      "Example.Com. IN NS ns1\n"
      "NS1 IN A 192.0.2.53\n"
      "Www IN 60 A 192.0.2.1\n"
      "www.EXAMPLE.com. 60 IN A 192.0.2.2\n"
      "$ORIGIN Sub\n"
      "x IN SOA ns1 hostmaster 1 2 3 4 5\n";
  const auto result =
      gslbd::config::detail::import_master_file("m.zone", text, 3600, builder, errors);
  CHECK(result.read);
  CHECK(result.had_soa);
  CHECK(result.had_ns);
  INFO(gslbd::test::errors_text(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 7);
  CHECK(errors[0].message ==
        "SOA record at x.sub.example.com., which is not the apex example.com.");
  std::vector<std::string> build_errors;
  const auto zone = builder.build(build_errors);
  REQUIRE(zone);
  CHECK(zone->serial() == 7);
  CHECK(zone->find(gslbd::test::wire("www.example.com.")) != gslbd::zone::kNoNode);
  CHECK(zone->find(gslbd::test::wire("ns1.example.com.")) != gslbd::zone::kNoNode);
}

TEST_CASE("master import: at most 99 errors, then the file is not a zone file") {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "this is not a zone file\n";
  gslbd::zone::ZoneBuilder builder(kOrigin);
  std::vector<gslbd::util::SourceError> errors;
  gslbd::config::detail::import_master_file("m.zone", text, 3600, builder, errors);
  REQUIRE(errors.size() == 100);
  CHECK(errors[98].line == 99);
  CHECK(errors[99].line == 0);
  CHECK(errors[99].message == "too many errors; is this an RFC 1035 zone file?");
}
