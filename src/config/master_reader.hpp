// SPDX-License-Identifier: Apache-2.0
// Reads the records of an RFC 1035 master file: common types directly, every other entry via ldns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "master_rdata.hpp"
#include "master_tokenizer.hpp"

struct ldns_struct_rr;  // ldns_rr, without ldns's headers here

namespace gslbd::config::detail {

// One record of class IN. The views stay valid until the reader's next call.
struct MasterRecord {
  std::string_view owner;  // wire name, case as written
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::span<const std::uint8_t> rdata;  // uncompressed wire form
};

// Where the reader accepts RFC 1035 syntax that ldns refuses or reads otherwise. Imports use
// both; with both off the reader gives exactly what ldns gives (the tests and the fuzzer check).
struct MasterSyntax {
  bool class_before_ttl = true;  // "www IN 300 A ..." (RFC 1035 section 5.1); ldns refuses it
  bool relative_origin = true;   // "$ORIGIN sub" lies below the current origin (section 5.1);
                                 // ldns puts it below the root
};

// The reader. Entries that the tokenizer finds plain and whose type is A, AAAA, NS, CNAME, PTR,
// DNAME, MX, SOA or TXT are encoded here, byte for byte as ldns would; $TTL and $ORIGIN are
// read here too, as ldns reads them. Every other entry, and any entry the fast path is not sure
// about, is read by ldns_rr_new_frm_fp_l from the entry's first character, with the reader's
// origin, previous owner and default TTL, so its records and errors are ldns's. Lines are
// counted in the text itself, not by ldns.
//
// On top of ldns, the reader refuses what the old importer refused: records of classes
// other than IN, type numbers above 65535, TTLs above 2147483647 (RFC 2181 section 8), $INCLUDE.
// After an $ORIGIN ldns cannot read, the reader stops (ldns has no origin left).
//
// Control plane only: allocates for its buffers, not per record. Not thread-safe.
class MasterReader {
 public:
  enum class Step { record, error, end };

  // text: the file's content; origin_wire: the zone apex; default_ttl: the TTL of records
  // without one until a $TTL (0 means ldns's default of 3600, as with ldns).
  MasterReader(std::string_view text, std::string_view origin_wire, std::uint32_t default_ttl,
               MasterSyntax syntax = {});

  // The next record or error. line is the first line with content of the entry it came from.
  // For an error, message says why (ldns's words for what ldns refused). After end, stays at end.
  Step next(MasterRecord& record, std::string& message, int& line);

  // How many entries each path read (for benchmarks and tests).
  std::size_t fast_entries() const noexcept { return fast_entries_; }
  std::size_t ldns_entries() const noexcept { return ldns_entries_; }

 private:
  enum class Result { record, error, none };

  Result read_entry(MasterRecord& record, std::string& message);
  Result directive(MasterRecord& record, std::string& message);
  bool read_fast(MasterRecord& record);
  std::string swapped_line() const;
  Result through_ldns_file(MasterRecord& record, std::string& message);
  Result through_ldns_line(const std::string& line, MasterRecord& record, std::string& message);
  Result take_ldns_result(int status, ldns_struct_rr* rr, MasterRecord& record,
                          std::string& message);
  Result checked(MasterRecord& record, std::string& message, std::uint32_t type,
                 std::uint32_t rr_class);

  std::string owned_;  // the text with a final '\n' when it lacked one
  std::string_view text_;
  MasterTokenizer tokenizer_;
  MasterEntry entry_;
  std::string origin_;  // wire
  std::string prev_;    // wire; empty before the first owner
  std::uint32_t default_ttl_;
  MasterSyntax syntax_;
  bool done_ = false;
  WireName owner_name_;
  std::string ldns_owner_;
  std::vector<std::uint8_t> rdata_;
  std::size_t fast_entries_ = 0;
  std::size_t ldns_entries_ = 0;
};

}  // namespace gslbd::config::detail
