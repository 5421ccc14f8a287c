// SPDX-License-Identifier: Apache-2.0
#include "master_import.hpp"

#include "error_list.hpp"
#include "file_io.hpp"
#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "master_reader.hpp"

namespace gslbd::config::detail {

ImportResult import_master_file(const std::string& path, const std::string& text,
                                std::uint32_t default_ttl, zone::ZoneBuilder& builder,
                                std::vector<util::SourceError>& errors) {
  ImportResult result;
  result.read = true;
  if (const auto binary = find_binary_byte(text)) {
    add_error(errors, {path, binary->line, binary->column, binary->message});
    result.refused = true;
    return result;
  }
  const std::string& apex = builder.apex();
  MasterReader reader(text, apex, default_ttl);
  std::size_t error_count = 0;
  auto report = [&](int line, std::string message) {
    ++error_count;
    add_error(errors, {path, line, 0, std::move(message)});
  };
  MasterRecord record;
  std::string message;
  int line = 0;
  // A wrong file (not a zone at all) stops at the bound on a load's errors, with a last line
  // that says so in its place.
  const std::size_t max_errors = kMaxErrors - 1;
  while (error_count < max_errors) {
    const MasterReader::Step step = reader.next(record, message, line);
    if (step == MasterReader::Step::end) break;
    if (step == MasterReader::Step::error) {
      report(line, std::move(message));
      continue;
    }
    std::string refusal;
    const bool at_apex = dns::same_name(record.owner, apex);
    if (record.type == dns::type::SOA && at_apex) {
      refusal = builder.set_soa(record.ttl, record.rdata);
      if (refusal.empty()) result.had_soa = true;
    } else if (record.type == dns::type::NS && at_apex) {
      refusal = builder.add_apex_ns(record.ttl, record.rdata);
      if (refusal.empty()) result.had_ns = true;
    } else if (record.type == dns::type::SOA) {
      refusal = "SOA record at " + dns::name_to_text(dns::lowercased(record.owner)) +
                ", which is not the apex " + dns::name_to_text(apex);
    } else {
      refusal = builder.add_record(record.owner, record.type, record.ttl, record.rdata,
                                   kImportedLine | static_cast<std::uint32_t>(line));
    }
    if (!refusal.empty()) report(line, std::move(refusal));
  }
  if (error_count >= max_errors) {
    add_error(errors, {path, 0, 0, "too many errors; is this an RFC 1035 zone file?"});
  }
  return result;
}

}  // namespace gslbd::config::detail
