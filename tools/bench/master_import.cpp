// SPDX-License-Identifier: Apache-2.0
// Times reading an RFC 1035 master file, against ldns reading it record by record (what the
// importer did before MasterReader): the tokenizer alone, the reader alone (records, no zone),
// ldns alone, the import into a ZoneBuilder (reader + builder), and the builder's build().
// Best of RUNS runs each; prints milliseconds and the ldns / reader ratio.
//   gslbd-bench-import FILE ORIGIN [RUNS]     e.g. gslbd-bench-import big.zone bench.test. 3
// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../src/config/master_import.hpp"
#include "../../src/config/master_reader.hpp"
#include "../../src/config/master_tokenizer.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using gslbd::config::detail::MasterEntry;
using gslbd::config::detail::MasterReader;
using gslbd::config::detail::MasterRecord;
using gslbd::config::detail::MasterTokenizer;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Entries and tokens; entries that are not plain are skipped to the next line.
std::size_t tokenize(const std::string& text) {
  MasterTokenizer tokenizer(text);
  MasterEntry entry;
  std::size_t tokens = 0;
  while (tokenizer.next(entry)) {
    if (!entry.plain) {
      const std::size_t nl = text.find('\n', entry.begin);
      tokenizer.resume_at(nl == std::string::npos ? text.size() : nl + 1);
      continue;
    }
    tokens += entry.token_count;
  }
  return tokens;
}

std::size_t read_records(const std::string& text, const std::string& origin, std::size_t& errors,
                         std::size_t& via_ldns) {
  MasterReader reader(text, origin, 3600);
  MasterRecord record;
  std::string message;
  int line = 0;
  std::size_t records = 0;
  errors = 0;
  for (;;) {
    const auto step = reader.next(record, message, line);
    if (step == MasterReader::Step::end) break;
    if (step == MasterReader::Step::record) {
      ++records;
    } else {
      ++errors;
    }
  }
  via_ldns = reader.ldns_entries();
  return records;
}

// The importer before MasterReader: ldns_rr_new_frm_fp_l per record, rdata to wire.
std::size_t read_with_ldns(std::string text, const std::string& origin_wire) {
  if (text.empty() || text.back() != '\n') text += '\n';
  FILE* file = fmemopen(text.data(), text.size(), "r");
  ldns_rdf* origin =
      ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin_wire.size(), origin_wire.data());
  ldns_rdf* prev = nullptr;
  std::uint32_t ttl = 3600;
  int line = 0;
  std::size_t records = 0;
  while (origin && !std::feof(file)) {
    const long before = std::ftell(file);
    ldns_rr* rr = nullptr;
    const ldns_status status = ldns_rr_new_frm_fp_l(&rr, file, &ttl, &origin, &prev, &line);
    if (status == LDNS_STATUS_OK && rr) {
      ldns_buffer* buffer = ldns_buffer_new(512);
      if (ldns_rr_rdata2buffer_wire(buffer, rr) == LDNS_STATUS_OK) ++records;
      ldns_buffer_free(buffer);
    }
    ldns_rr_free(rr);
    if (std::ftell(file) == before) break;
  }
  if (origin) ldns_rdf_deep_free(origin);
  if (prev) ldns_rdf_deep_free(prev);
  std::fclose(file);
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FILE ORIGIN [RUNS]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string error;
  const auto origin = gslbd::dns::name_from_text(argv[2], std::string(1, '\0'), &error);
  if (!origin) {
    std::fprintf(stderr, "bad origin %s: %s\n", argv[2], error.c_str());
    return 1;
  }
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;

  double tokenizer_ms = 1e300, reader_ms = 1e300, ldns_ms = 1e300, import_ms = 1e300,
         build_ms = 1e300;
  std::size_t tokens = 0, records = 0, errors = 0, via_ldns = 0, ldns_records = 0;
  std::size_t import_errors = 0;
  for (int run = 0; run < runs; ++run) {
    auto start = Clock::now();
    tokens = tokenize(text);
    tokenizer_ms = std::min(tokenizer_ms, ms_since(start));

    start = Clock::now();
    records = read_records(text, *origin, errors, via_ldns);
    reader_ms = std::min(reader_ms, ms_since(start));

    start = Clock::now();
    ldns_records = read_with_ldns(text, *origin);
    ldns_ms = std::min(ldns_ms, ms_since(start));

    gslbd::zone::ZoneBuilder builder(*origin);
    std::vector<gslbd::util::SourceError> import_error_list;
    start = Clock::now();
    gslbd::config::detail::import_master_file(argv[1], text, 3600, builder, import_error_list);
    import_ms = std::min(import_ms, ms_since(start));
    import_errors = import_error_list.size();

    std::vector<std::string> build_errors;
    start = Clock::now();
    const auto zone = builder.build(build_errors);
    build_ms = std::min(build_ms, ms_since(start));
  }
  std::printf("%s: %zu bytes, best of %d runs\n", argv[1], text.size(), runs);
  std::printf("  tokenizer only        %9.1f ms  (%zu tokens)\n", tokenizer_ms, tokens);
  std::printf("  reader (records)      %9.1f ms  (%zu records, %zu errors, %zu entries via ldns)\n",
              reader_ms, records, errors, via_ldns);
  std::printf("  ldns record by record %9.1f ms  (%zu records)  = %.1f x the reader\n", ldns_ms,
              ldns_records, ldns_ms / reader_ms);
  std::printf("  import into builder   %9.1f ms  (reader + ZoneBuilder::add_*, %zu errors)\n",
              import_ms, import_errors);
  std::printf("  ZoneBuilder::build    %9.1f ms\n", build_ms);
  return 0;
}
