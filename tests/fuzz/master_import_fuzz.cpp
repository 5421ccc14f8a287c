// SPDX-License-Identifier: Apache-2.0
// Fuzzes the import of RFC 1035 master files. With ldns's syntax, MasterReader must give exactly
// the records (owner, type, TTL, rdata octets) and errors (message, line) that ldns alone gives:
// its own tokenizer and encoders may only ever agree with ldns or hand the entry to it. With its
// RFC extensions, the import into a ZoneBuilder must never crash, hang or leak, and must report
// errors with a message and a line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../unit/config/master_reference.hpp"
#include "config/master_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string origin("\007example\003com\000", 13);
  const std::string text(reinterpret_cast<const char*>(data), size);

  const auto expected = gslbd::test::ldns_reference(text, origin, 3600);
  const auto actual = gslbd::test::read_master(text, origin, 3600);
  if (actual.items != expected) {
    std::fprintf(stderr, "MasterReader differs from ldns\nldns:\n%s\nreader:\n%s\n",
                 gslbd::test::describe(expected).c_str(),
                 gslbd::test::describe(actual.items).c_str());
    std::abort();
  }

  gslbd::zone::ZoneBuilder builder(origin);
  std::vector<gslbd::util::SourceError> errors;
  const auto result =
      gslbd::config::detail::import_master_file("fuzz.zone", text, 3600, builder, errors);
  if (!result.read || errors.size() > 101) std::abort();
  for (const auto& error : errors) {
    if (error.message.empty() || error.line < 0) std::abort();
  }
  std::vector<std::string> build_errors;
  builder.build(build_errors);
  return 0;
}
