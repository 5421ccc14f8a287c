// SPDX-License-Identifier: Apache-2.0
// ldns for C++ code, and the one set of owners for what ldns allocates. <stdbool.h> must come
// first: without it ldns/common.h defines bool, true and false as macros, which breaks the standard
// library headers included after it.
#pragma once

// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on

#include <cstdlib>
#include <memory>

namespace gslbd::config::detail {

struct LdnsRdfFree {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct LdnsRrFree {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsBufferFree {
  void operator()(ldns_buffer* buffer) const { ldns_buffer_free(buffer); }
};
// Text ldns returns from malloc (ldns_rr_type2str and the like).
struct LdnsTextFree {
  void operator()(char* text) const { std::free(text); }
};

using LdnsRdf = std::unique_ptr<ldns_rdf, LdnsRdfFree>;
using LdnsRr = std::unique_ptr<ldns_rr, LdnsRrFree>;
using LdnsBuffer = std::unique_ptr<ldns_buffer, LdnsBufferFree>;
using LdnsText = std::unique_ptr<char, LdnsTextFree>;

}  // namespace gslbd::config::detail
