#include "master_import.hpp"

#include "ldns.hpp"

#include <cstdio>
#include <memory>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "rdata_parser.hpp"

namespace gslbd::config::detail {
namespace {

constexpr std::uint32_t kMaxTtl = 2147483647u;  // RFC 2181 section 8
constexpr std::size_t kMaxErrors = 100;         // a wrong file (not a zone at all) stops here

struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};
struct RrFree {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct BufferFree {
  void operator()(ldns_buffer* buffer) const { ldns_buffer_free(buffer); }
};

// ldns counts the newlines it consumed, which for an entry preceded by comments or blank lines
// is past them; the entry itself starts at the first line after `after` with content.
int first_content_line(const std::vector<std::size_t>& line_starts, const std::string& text,
                       int after) {
  for (std::size_t line = static_cast<std::size_t>(after); line < line_starts.size(); ++line) {
    std::size_t pos = line_starts[line];
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
    if (pos < text.size() && text[pos] != '\n' && text[pos] != ';') {
      return static_cast<int>(line) + 1;
    }
  }
  return after + 1;
}

std::string owner_wire(const ldns_rr* rr) {
  const ldns_rdf* owner = ldns_rr_owner(rr);
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner));
}

}  // namespace

ImportResult import_master_file(const std::string& path, const std::string& text,
                                std::uint32_t default_ttl, zone::ZoneBuilder& builder,
                                std::vector<util::SourceError>& errors) {
  ImportResult result;
  result.read = true;
  std::string content = text;
  // fmemopen cannot open an empty buffer, and ldns wants the last entry newline-terminated.
  if (content.empty() || content.back() != '\n') content += '\n';
  std::vector<std::size_t> line_starts{0};
  for (std::size_t i = 0; i + 1 < content.size(); ++i) {
    if (content[i] == '\n') line_starts.push_back(i + 1);
  }
  std::unique_ptr<FILE, FileClose> file(fmemopen(content.data(), content.size(), "r"));
  if (!file) {
    errors.push_back({path, 0, 0, "cannot open the imported file for parsing"});
    return result;
  }
  const std::string& apex = builder.apex();
  ldns_rdf* origin = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, apex.size(), apex.data());
  ldns_rdf* previous = nullptr;
  std::uint32_t ttl = default_ttl;
  int line_nr = 0;
  std::size_t error_count = 0;
  auto report = [&](int line, std::string message) {
    ++error_count;
    errors.push_back({path, line, 0, std::move(message)});
  };

  while (origin && !std::feof(file.get()) && error_count < kMaxErrors) {
    const int before = line_nr;
    const long offset_before = std::ftell(file.get());
    ldns_rr* raw = nullptr;
    const ldns_status status =
        ldns_rr_new_frm_fp_l(&raw, file.get(), &ttl, &origin, &previous, &line_nr);
    std::unique_ptr<ldns_rr, RrFree> rr(raw);
    const int line = first_content_line(line_starts, content, before);
    if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
        status == LDNS_STATUS_SYNTAX_ORIGIN) {
      // fall through to the progress check
    } else if (status == LDNS_STATUS_SYNTAX_INCLUDE) {
      report(line, "$INCLUDE is not supported in imported files");
    } else if (status != LDNS_STATUS_OK || !rr) {
      report(line, ldns_get_errorstr_by_id(status));
    } else {
      // ldns reads "TYPE650008" with atoi() and keeps the overflowing number; convert it at
      // once (an enum variable may not hold it) and refuse what does not fit 16 bits.
      const auto raw_type = static_cast<std::uint32_t>(ldns_rr_get_type(rr.get()));
      const auto type = static_cast<std::uint16_t>(raw_type);
      const std::string owner = dns::lowercased(owner_wire(rr.get()));
      std::unique_ptr<ldns_buffer, BufferFree> buffer(ldns_buffer_new(512));
      if (raw_type > 0xffff) {
        report(line, "RR type number " + std::to_string(raw_type) + " is above 65535");
      } else if (static_cast<std::uint32_t>(ldns_rr_get_class(rr.get())) != LDNS_RR_CLASS_IN) {
        report(line, "only class IN records can be served");
      } else if (ldns_rr_ttl(rr.get()) > kMaxTtl) {
        report(line, "TTL " + std::to_string(ldns_rr_ttl(rr.get())) +
                         " is above the largest TTL 2147483647 (RFC 2181 section 8)");
      } else if (!buffer || ldns_rr_rdata2buffer_wire(buffer.get(), rr.get()) != LDNS_STATUS_OK) {
        report(line, "cannot encode the record data");
      } else {
        const std::span<const std::uint8_t> rdata(ldns_buffer_begin(buffer.get()),
                                                  ldns_buffer_position(buffer.get()));
        const std::uint32_t rr_ttl = ldns_rr_ttl(rr.get());
        std::string refusal;
        if (type == dns::type::SOA && owner == apex) {
          refusal = builder.set_soa(rr_ttl, rdata);
          if (refusal.empty()) result.had_soa = true;
        } else if (type == dns::type::NS && owner == apex) {
          refusal = builder.add_apex_ns(rr_ttl, rdata);
          if (refusal.empty()) result.had_ns = true;
        } else if (type == dns::type::SOA) {
          refusal = "SOA record at " + dns::name_to_text(owner) + ", which is not the apex " +
                    dns::name_to_text(apex);
        } else {
          refusal = builder.add_record(owner, type, rr_ttl, rdata);
        }
        if (!refusal.empty()) report(line, refusal);
      }
    }
    // ldns may fail without consuming input (e.g. at an over-long line); never spin on it.
    if (std::ftell(file.get()) == offset_before && line_nr == before) break;
  }
  if (error_count >= kMaxErrors) {
    errors.push_back({path, 0, 0, "too many errors; is this an RFC 1035 zone file?"});
  }
  if (origin) ldns_rdf_deep_free(origin);
  if (previous) ldns_rdf_deep_free(previous);
  return result;
}

}  // namespace gslbd::config::detail
