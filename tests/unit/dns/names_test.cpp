// SPDX-License-Identifier: Apache-2.0
// The one table of RR type and rcode names.
#include <doctest/doctest.h>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/names.hpp"

using namespace gslbd;

TEST_CASE("RR type names: mnemonics both ways, RFC 3597 TYPEn for the rest") {
  CHECK(dns::rr_type_name(dns::type::AAAA) == "AAAA");
  CHECK(dns::rr_type_name(48) == "DNSKEY");
  CHECK(dns::rr_type_name(65280).empty());
  CHECK(dns::rr_type_text(dns::type::DNAME) == "DNAME");
  CHECK(dns::rr_type_text(65280) == "TYPE65280");

  CHECK(dns::parse_rr_type("aaaa") == dns::type::AAAA);
  CHECK(dns::parse_rr_type("Https") == 65);
  CHECK(dns::parse_rr_type("TYPE28") == dns::type::AAAA);
  CHECK(dns::parse_rr_type("type65280") == 65280);
  for (const char* bad : {"", "AAAAA", "TYPE", "TYPE0", "TYPE65536", "TYPE1x", "28", "TYPE-1"}) {
    CAPTURE(bad);
    CHECK_FALSE(dns::parse_rr_type(bad).has_value());
  }
  // Every named type reads back as itself.
  for (unsigned type = 1; type <= 65535; ++type) {
    const auto name = dns::rr_type_name(static_cast<std::uint16_t>(type));
    if (name.empty()) continue;
    CAPTURE(name);
    CHECK(dns::parse_rr_type(name) == type);
  }
}

TEST_CASE("rcode names: 0..23, extended ones included, none above") {
  CHECK(dns::rcode_name(dns::rcode::NOERROR) == "NOERROR");
  CHECK(dns::rcode_name(dns::rcode::REFUSED) == "REFUSED");
  CHECK(dns::rcode_name(dns::rcode::BADVERS) == "BADVERS");
  CHECK(dns::rcode_name(dns::rcode::BADCOOKIE) == "BADCOOKIE");
  CHECK(dns::rcode_name(12) == "RCODE12");
  CHECK(dns::rcode_name(dns::kNamedRcodes).empty());
}
