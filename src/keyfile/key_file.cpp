// SPDX-License-Identifier: Apache-2.0
#include "gslbd/keyfile/key_file.hpp"

#include <ldns/ldns.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "gslbd/dns/name.hpp"

namespace gslbd::keyfile {
namespace {

constexpr std::size_t kMaxKeyFile = 64 * 1024;

// The first line of the .key file that is not a comment, and its 1-based number.
bool first_record_line(const std::string& path, std::string& line, int& number, std::string& why) {
  std::ifstream in(path);
  if (!in) {
    why = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string text;
  number = 0;
  std::size_t total = 0;
  while (std::getline(in, text)) {
    ++number;
    total += text.size() + 1;
    if (total > kMaxKeyFile) break;
    const std::size_t start = text.find_first_not_of(" \t\r");
    if (start == std::string::npos || text[start] == ';' || text[start] == '$') continue;
    line = text;
    return true;
  }
  why = path + ": no DNSKEY record in the file";
  return false;
}

struct LdnsRr {
  ldns_rr* rr = nullptr;
  ~LdnsRr() { ldns_rr_free(rr); }
};

}  // namespace

std::optional<dnssec::Key> read_key(const std::string& base, std::string_view apex_wire,
                                    dnssec::Role role, std::string& why) {
  const std::string public_path = base + ".key";
  std::string line;
  int line_number = 0;
  if (!first_record_line(public_path, line, line_number, why)) return std::nullopt;
  const std::string where = public_path + ":" + std::to_string(line_number);
  LdnsRr record;
  const ldns_status status = ldns_rr_new_frm_str(&record.rr, line.c_str(), 3600, nullptr, nullptr);
  if (status != LDNS_STATUS_OK) {
    why = where + ": not a DNS record: " + ldns_get_errorstr_by_id(status);
    return std::nullopt;
  }
  if (ldns_rr_get_type(record.rr) != LDNS_RR_TYPE_DNSKEY) {
    why = where + ": the record is not a DNSKEY";
    return std::nullopt;
  }
  const ldns_rdf* owner = ldns_rr_owner(record.rr);
  const std::string owner_wire =
      dns::lowercased({reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner)});
  if (owner_wire != apex_wire) {
    why = where + ": the key is for " + dns::name_to_text(owner_wire) + ", not for the zone " +
          dns::name_to_text(apex_wire);
    return std::nullopt;
  }
  std::vector<std::uint8_t> rdata;
  for (std::size_t i = 0; i < ldns_rr_rd_count(record.rr); ++i) {
    const ldns_rdf* field = ldns_rr_rdf(record.rr, i);
    rdata.insert(rdata.end(), ldns_rdf_data(field), ldns_rdf_data(field) + ldns_rdf_size(field));
  }
  return dnssec::key_from_dnskey(base, where, role, std::move(rdata), why);
}

}  // namespace gslbd::keyfile
