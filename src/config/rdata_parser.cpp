// SPDX-License-Identifier: Apache-2.0
#include "rdata_parser.hpp"

#include "ldns.hpp"

#include <charconv>
#include <cstdlib>
#include <memory>

#include "gslbd/dns/constants.hpp"

namespace gslbd::config::detail {
namespace {

bool starts_with_type_prefix(const std::string& text) {
  if (text.size() < 4) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    const char c = text[i];
    if ((c | 0x20) != "type"[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::uint16_t> rr_type_from_text(const std::string& text) {
  if (text.empty() || text.find('\0') != std::string::npos) return std::nullopt;
  // RFC 3597 generic form, done here: ldns reads it with atoi(), so "TYPE650008" or "TYPE1x"
  // would come back as a number outside the enum (or the wrong type).
  if (starts_with_type_prefix(text) && text.size() > 4) {
    unsigned number = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data() + 4, end, number);
    if (ec != std::errc() || ptr != end || number == 0 || number > 0xffff) return std::nullopt;
    return static_cast<std::uint16_t>(number);
  }
  // Converted at once: holding an out-of-range value in an enum variable is undefined.
  const auto type = static_cast<unsigned>(ldns_get_rr_type_by_name(text.c_str()));
  if (type == 0 || type > 0xffff) return std::nullopt;
  return static_cast<std::uint16_t>(type);
}

std::string rr_type_text(std::uint16_t type) {
  LdnsText text(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
  return text ? std::string(text.get()) : "TYPE" + std::to_string(type);
}

bool is_meta_type(std::uint16_t type) {
  return type == 0 || type == dns::type::OPT || (type >= 128 && type <= 255);
}

std::optional<std::vector<std::uint8_t>> parse_rdata(std::uint16_t type, const std::string& text,
                                                     std::string_view origin_wire,
                                                     std::string& error) {
  if (text.find('\0') != std::string::npos) {
    error = "record data contains a NUL character";
    return std::nullopt;
  }
  LdnsRdf origin(
      ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin_wire.size(), origin_wire.data()));
  if (!origin) {
    error = "out of memory";
    return std::nullopt;
  }
  // The owner is "@" (the origin): only the rdata matters here; the caller knows the owner.
  const std::string line = "@ 0 IN " + rr_type_text(type) + " " + text;
  ldns_rr* raw = nullptr;
  const ldns_status status = ldns_rr_new_frm_str(&raw, line.c_str(), 0, origin.get(), nullptr);
  LdnsRr rr(raw);
  if (status != LDNS_STATUS_OK || !rr) {
    error = ldns_get_errorstr_by_id(status);
    return std::nullopt;
  }
  if (ldns_rr_get_type(rr.get()) != type || ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN) {
    error = "record data does not parse as " + rr_type_text(type);
    return std::nullopt;
  }
  LdnsBuffer buffer(ldns_buffer_new(512));
  if (!buffer) {
    error = "out of memory";
    return std::nullopt;
  }
  const ldns_status wire_status = ldns_rr_rdata2buffer_wire(buffer.get(), rr.get());
  if (wire_status != LDNS_STATUS_OK) {
    error = ldns_get_errorstr_by_id(wire_status);
    return std::nullopt;
  }
  const std::uint8_t* begin = ldns_buffer_begin(buffer.get());
  return std::vector<std::uint8_t>(begin, begin + ldns_buffer_position(buffer.get()));
}

const std::vector<std::string_view>& common_type_names() {
  static const std::vector<std::string_view> names{
      "A",     "AAAA", "CAA", "CNAME", "DNAME", "DS",    "HINFO", "HTTPS", "MX",
      "NAPTR", "NS",   "PTR", "SPF",   "SRV",   "SSHFP", "SVCB",  "TLSA",  "TXT"};
  return names;
}

}  // namespace gslbd::config::detail
