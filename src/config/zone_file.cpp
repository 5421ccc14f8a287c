// SPDX-License-Identifier: Apache-2.0
#include "zone_file.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <new>
#include <optional>

#include "error_list.hpp"
#include "file_io.hpp"
#include "gslbd/config/load.hpp"
#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dnssec/zone_keys.hpp"
#include "gslbd/keyfile/key_file.hpp"
#include "gslbd/zone/zone_builder.hpp"
#include "gslbd/zone/zone_signing.hpp"
#include "key_table.hpp"
#include "master_import.hpp"
#include "rdata_parser.hpp"
#include "suggest.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config {
namespace detail {
namespace {

// The keys of the top level, in the order the reference shows them (and "expected one of"
// lists them). The top level is read by hand, not from a table: its keys are read in the order
// they depend on each other (the apex NS set needs ns_ttl; records come after the import, which
// settles the SOA and may hold the same records), and that is not this order.
const std::vector<std::string_view> kRootKeys = {"version",  "zone",   "default_ttl", "soa",
                                                 "ns",       "ns_ttl", "records",     "import",
                                                 "services", "dnssec"};

constexpr std::uint32_t kDefaultTtl = 3600;
constexpr std::uint32_t kDefaultServiceTtl = 30;

// The soa: section as read, before the serial is known (serial: auto needs the import).
struct SoaSection {
  std::string mname;
  std::string rname;
  bool serial_auto = true;
  std::uint32_t serial = 0;
  std::uint32_t refresh = 3600;
  std::uint32_t retry = 900;
  std::uint32_t expire = 604800;
  std::uint32_t minimum = 60;
  std::uint32_t ttl = 0;
  YAML::Mark serial_mark;
  bool valid = true;
};

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::vector<std::uint8_t> soa_rdata(const SoaSection& soa) {
  std::vector<std::uint8_t> out(soa.mname.begin(), soa.mname.end());
  out.insert(out.end(), soa.rname.begin(), soa.rname.end());
  for (std::uint32_t value : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum}) {
    put_u32(out, value);
  }
  return out;
}

// What the rows of soa: read into: the section, and the apex that relative names end in.
struct SoaRead {
  std::string_view apex;
  SoaSection soa;
};

void read_serial(Diagnostics& diag, const Value& value, SoaRead& read) {
  read.soa.serial_mark = value.mark;
  const std::string text = value.node.IsScalar() ? value.node.Scalar() : std::string();
  std::uint32_t number = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (text == "auto") {
    read.soa.serial_auto = true;
  } else if (!text.empty() && ec == std::errc() && ptr == end) {
    read.soa.serial_auto = false;
    read.soa.serial = number;
  } else {
    diag.error(value.mark,
               "'serial': expected auto or a number (0..4294967295), got " +
                   (value.node.IsScalar() ? "'" + text + "'" : std::string("a list or map")));
  }
}

// SOA timers are TTL-like 32-bit second counts; the same bound keeps them sane.
template <std::uint32_t SoaSection::*Timer>
void read_timer(Diagnostics& diag, const Value& value, SoaRead& read) {
  read_ttl(diag, value, read.soa.*Timer);
}

constexpr Key<SoaRead> kSoaKeys[] = {
    {"mname",
     [](Diagnostics& diag, const Value& v, SoaRead& read) {
       if (auto wire = read_name(diag, v, read.apex)) {
         read.soa.mname = *wire;
         warn_relative_target(diag, v.mark, v.node.Scalar(), read.apex);
       }
     },
     true},
    {"rname",
     [](Diagnostics& diag, const Value& v, SoaRead& read) {
       if (v.node.IsScalar() && v.node.Scalar().find('@') != std::string::npos) {
         diag.error(v.mark,
                    "'rname': write the mailbox with a dot instead of '@' "
                    "(hostmaster.example.com. for hostmaster@example.com)");
       } else if (auto wire = read_name(diag, v, read.apex)) {
         read.soa.rname = *wire;
         warn_relative_target(diag, v.mark, v.node.Scalar(), read.apex);
       }
     },
     true},
    {"serial", read_serial},
    {"refresh", read_timer<&SoaSection::refresh>},
    {"retry", read_timer<&SoaSection::retry>},
    {"expire", read_timer<&SoaSection::expire>},
    {"minimum", read_timer<&SoaSection::minimum>},
    {"ttl", read_timer<&SoaSection::ttl>},
};

SoaSection read_soa(Diagnostics& diag, const Value& value, std::string_view apex,
                    std::uint32_t default_ttl) {
  SoaRead read{apex, {}};
  read.soa.ttl = default_ttl;
  read.soa.serial_mark = value.mark;  // where serial: auto is reported when serial: is absent
  const std::size_t errors_before = diag.count();
  read.soa.valid = read_section(diag, value, kSoaKeys, read) && diag.count() == errors_before;
  return read.soa;
}

std::string type_hint(const std::string& text) {
  const std::string near = closest(text, common_type_names());
  if (!near.empty()) return "; did you mean '" + near + "'?";
  return "; expected a type such as A, AAAA, CNAME, MX, TXT, SRV or TYPE<number> (RFC 3597)";
}

// The newest modification time of the zone file and its import, as a 32-bit serial.
std::optional<std::uint32_t> auto_serial(Diagnostics& diag, const YAML::Mark& mark,
                                         const std::vector<std::string>& files) {
  std::int64_t newest = 0;
  for (const std::string& file : files) {
    std::string why;
    const auto mtime = modification_time(file, why);
    if (!mtime) {
      diag.error(mark, "'serial': auto needs the modification time of " + file + ": " + why);
      return std::nullopt;
    }
    newest = std::max(newest, *mtime);
  }
  return static_cast<std::uint32_t>(newest);
}

// The target name in the rdata text of the types whose target is a name elsewhere; for the
// warning about relative names (the rdata itself is parsed by ldns).
void warn_relative_rdata_target(Diagnostics& diag, const YAML::Mark& mark, std::uint16_t type,
                                const std::string& text, std::string_view apex) {
  std::size_t field = 0;  // which whitespace-separated field holds the target
  switch (type) {
    case dns::type::NS:
    case dns::type::CNAME:
      field = 0;
      break;
    case dns::type::MX:
      field = 1;
      break;
    case dns::type::SRV:
      field = 3;
      break;
    default:
      return;
  }
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t begin = text.find_first_not_of(" \t", at);
    if (begin == std::string::npos) break;
    const std::size_t end = std::min(text.find_first_of(" \t", begin), text.size());
    fields.emplace_back(text.data() + begin, end - begin);
    at = end;
  }
  if (fields.size() == field + 1) warn_relative_target(diag, mark, fields[field], apex);
}

class ZoneFileReader {
 public:
  ZoneFileReader(const std::string& path, const std::vector<std::string>& known_pools,
                 std::vector<util::SourceError>& errors, std::vector<util::SourceError>* warnings)
      : path_(path), known_pools_(known_pools), errors_(errors), diag_(path, errors, warnings) {}

  ZoneFile read(const std::string& text);

  // For the rows of records:, services: and dnssec: (below).
  const std::string& apex() const noexcept { return apex_; }
  const std::vector<std::string>& known_pools() const noexcept { return known_pools_; }
  // A record's or service's name: in the zone, else reported.
  std::optional<std::string> read_owner(const Value& value);
  // Gives the builder a record or a service of this file that stands at mark: a refusal is
  // reported there, and one taken keeps mark for the errors the builder finds later.
  void add_record(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                  const std::vector<std::uint8_t>& rdata, const YAML::Mark& mark);
  void add_service(zone::Service service, const YAML::Mark& mark);
  // The key of a dnssec: keys entry (item), read from the pair of files that file names,
  // relative to this zone file, with or without .key or .private; a failure is reported at item.
  std::optional<dnssec::Key> read_key(const Value& item, const std::string& file,
                                      dnssec::Role role);

 private:
  void read_apex(const MapReader& root);
  void read_ns(const MapReader& root);
  void read_import(const MapReader& root);
  void read_records(const Value& value);
  void read_services(const Value& value);
  void read_dnssec(const Value& value);
  void build();

  const std::string& path_;
  const std::vector<std::string>& known_pools_;
  std::vector<util::SourceError>& errors_;
  Diagnostics diag_;
  ZoneFile result_;
  // Until zone: is known, names are read against the root so that every other key is still
  // checked; the zone is then never built.
  std::string apex_ = std::string(1, '\0');
  bool apex_ok_ = false;
  std::uint32_t default_ttl_ = kDefaultTtl;
  std::optional<zone::ZoneBuilder> builder_;
  bool import_had_soa_ = false;
  bool import_had_ns_ = false;
  bool ns_added_ = false;
  bool ns_reported_ = false;
  std::uint32_t ns_ttl_ = kDefaultTtl;
  bool import_read_ = false;
  bool import_failed_ = false;  // then the SOA and NS it may have held are not missing
  // Where each YAML record and service given to the builder stands; its index is its source.
  std::vector<YAML::Mark> marks_;
  // A signed zone's keys, once read, and where dnssec: stands (for errors of the whole set).
  std::shared_ptr<const dnssec::ZoneKeys> keys_;
  YAML::Mark dnssec_mark_;
  bool dnssec_failed_ = false;
};

// An entry of records: as its rows read it; the last row, data, gives the builder a record
// for each of its items.
struct RecordRead {
  ZoneFileReader& reader;
  std::optional<std::string> owner{};
  std::uint16_t type = 0;  // 0 = missing or refused (a plain value: GCC 12 misjudges optional)
  std::uint32_t ttl = kDefaultTtl;
  bool ttl_ok = true;
};

void read_record_type(Diagnostics& diag, const Value& value, RecordRead& record) {
  const auto text = read_string(diag, value);
  if (!text) return;
  const auto known = rr_type_from_text(*text);
  if (!known) {
    diag.error(value.mark, "'type': unknown RR type '" + *text + "'" + type_hint(*text));
  } else if (is_meta_type(*known)) {
    diag.error(value.mark,
               "'type': " + rr_type_text(*known) + " is a meta type and cannot be in a zone");
  } else if (*known == dns::type::SOA) {
    diag.error(value.mark, "'type': the SOA record comes from the soa: section");
  } else {
    record.type = *known;
  }
}

void read_record_data(Diagnostics& diag, const Value& value, RecordRead& record) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  const std::string& apex = record.reader.apex();
  for (const Value& item : *items) {
    const auto text = read_string(diag, item);
    if (!text || record.type == 0) continue;
    std::string why;
    const auto rdata = parse_rdata(record.type, *text, apex, why);
    if (!rdata) {
      diag.error(item.mark, item.label + ": bad " + rr_type_text(record.type) + " data '" + *text +
                                "': " + why);
      continue;
    }
    warn_relative_rdata_target(diag, item.mark, record.type, *text, apex);
    if (!record.owner || !record.ttl_ok) continue;
    record.reader.add_record(*record.owner, record.type, record.ttl, *rdata, item.mark);
  }
}

constexpr Key<RecordRead> kRecordKeys[] = {
    {"name",
     [](Diagnostics&, const Value& v, RecordRead& record) {
       record.owner = record.reader.read_owner(v);
     },
     true},
    {"type", read_record_type, true},
    {"ttl",
     [](Diagnostics& diag, const Value& v, RecordRead& record) {
       const auto ttl = read_ttl(diag, v);
       record.ttl_ok = ttl.has_value();
       if (ttl) record.ttl = *ttl;
     }},
    {"data", read_record_data, true},
};

// An entry of services: as its rows read it.
struct ServiceRead {
  ZoneFileReader& reader;
  std::optional<std::string> owner{};
  YAML::Mark owner_mark{};
  bool pool_ok = false;
  zone::Service entry{};
};

void read_service_pool(Diagnostics& diag, const Value& value, ServiceRead& service) {
  const auto pool = read_string(diag, value);
  if (!pool) return;
  const std::vector<std::string>& known = service.reader.known_pools();
  const auto found = std::find(known.begin(), known.end(), *pool);
  if (found == known.end()) {
    std::vector<std::string_view> names(known.begin(), known.end());
    diag.error(value.mark, "'pool': pool " + quoted(*pool) + " is not defined" +
                               (names.empty() ? std::string("; no pools are defined")
                                              : suggestion(*pool, names)));
    return;
  }
  service.entry.pool = *pool;
  service.entry.pool_index = static_cast<std::int32_t>(found - known.begin());
  service.pool_ok = true;
}

constexpr Key<ServiceRead> kServiceKeys[] = {
    {"name",
     [](Diagnostics&, const Value& v, ServiceRead& service) {
       service.owner_mark = v.mark;
       service.owner = service.reader.read_owner(v);
     },
     true},
    {"pool", read_service_pool, true},
    {"ttl",
     [](Diagnostics& diag, const Value& v, ServiceRead& service) {
       read_ttl(diag, v, service.entry.ttl);
       service.entry.degraded_ttl = service.entry.ttl;
     }},
    {"degraded_ttl",
     [](Diagnostics& diag, const Value& v, ServiceRead& service) {
       const auto ttl = read_ttl(diag, v);
       if (!ttl) return;
       // A shorter TTL while degraded lets resolvers notice recovery sooner; a longer one
       // would do the opposite of what the setting is for.
       if (*ttl > service.entry.ttl) {
         diag.error(v.mark, "'degraded_ttl': " + std::to_string(*ttl) +
                                " is longer than the service's ttl " +
                                std::to_string(service.entry.ttl));
       } else {
         service.entry.degraded_ttl = *ttl;
       }
     }},
};

// An entry of dnssec: keys as its rows read it.
struct KeyEntryRead {
  std::optional<std::string> file;
  std::optional<dnssec::Role> role;
};

constexpr Key<KeyEntryRead> kKeyEntryKeys[] = {
    {"file",
     [](Diagnostics& diag, const Value& v, KeyEntryRead& entry) {
       entry.file = read_string(diag, v);
     },
     true},
    {"role",
     [](Diagnostics& diag, const Value& v, KeyEntryRead& entry) {
       const auto text = read_string(diag, v);
       if (!text) return;
       entry.role = dnssec::role_from_name(*text);
       if (!entry.role) {
         diag.error(v.mark,
                    "'role': '" + *text + "' is not a key role; expected csk, ksk, zsk or publish");
       }
     },
     true},
};

// The dnssec: section as its rows read it.
struct DnssecRead {
  ZoneFileReader& reader;
  std::vector<dnssec::Key> keys{};
  dnssec::SigningTimes times{};
  std::uint32_t dnskey_ttl = 3600;
  bool cds = true;
};

void read_key_entries(Diagnostics& diag, const Value& value, DnssecRead& section) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  for (const Value& item : *items) {
    KeyEntryRead entry;
    if (!read_section(diag, item, kKeyEntryKeys, entry) || !entry.file || !entry.role) continue;
    if (auto key = section.reader.read_key(item, *entry.file, *entry.role)) {
      section.keys.push_back(std::move(*key));
    }
  }
}

constexpr Key<DnssecRead> kDnssecKeys[] = {
    {"keys", read_key_entries, true},
    {"validity",
     [](Diagnostics& diag, const Value& v, DnssecRead& section) {
       const auto seconds = read_ttl(diag, v);
       if (!seconds) return;
       // Shorter than a day leaves no room to refresh signatures before resolvers drop them.
       if (*seconds < 86400) {
         diag.error(v.mark, "'validity': " + std::to_string(*seconds) +
                                " s is too short; expected at least 1d");
       } else {
         section.times.validity = *seconds;
       }
     }},
    {"inception_offset",
     [](Diagnostics& diag, const Value& v, DnssecRead& section) {
       read_ttl(diag, v, section.times.inception_offset);
     }},
    {"dnskey_ttl", [](Diagnostics& diag, const Value& v,
                      DnssecRead& section) { read_ttl(diag, v, section.dnskey_ttl); }},
    {"cds", [](Diagnostics& diag, const Value& v,
               DnssecRead& section) { read_flag(diag, v, section.cds); }},
};

ZoneFile ZoneFileReader::read(const std::string& text) {
  const std::size_t errors_before = diag_.count();
  const auto document = parse_document(text, diag_);
  if (!document) return std::move(result_);
  const MapReader root(diag_, top_level(*document, "the zone file"), kRootKeys);
  if (!root.is_map()) return std::move(result_);
  check_version(diag_, root);
  read_apex(root);
  if (auto value = root.find("default_ttl")) read_ttl(diag_, *value, default_ttl_);
  builder_.emplace(apex_);

  std::optional<SoaSection> soa;
  YAML::Mark soa_mark;
  if (auto value = root.find("soa")) {
    soa_mark = value->key_mark;
    soa = read_soa(diag_, *value, apex_, default_ttl_);
  }
  read_ns(root);
  read_import(root);
  if (soa && import_had_soa_) {
    diag_.error(soa_mark,
                "SOA given twice: in soa: and in the imported file " + result_.imports.back());
  } else if (soa && soa->valid) {
    std::vector<std::string> sources{path_};
    if (import_read_) sources.push_back(result_.imports.back());
    const auto serial = soa->serial_auto ? auto_serial(diag_, soa->serial_mark, sources)
                                         : std::optional<std::uint32_t>(soa->serial);
    if (serial) soa->serial = *serial;
    const std::string refusal = builder_->set_soa(soa->ttl, soa_rdata(*soa));
    if (!refusal.empty()) diag_.error(soa_mark, refusal);
  }
  if ((soa || import_failed_) && !builder_->has_soa()) {
    // The SOA was bad, or may have been in the unreadable import: that is already reported,
    // and a stand-in keeps build() from adding a misleading "no SOA" to it.
    SoaSection stand_in;
    stand_in.mname = apex_;
    stand_in.rname = apex_;
    builder_->set_soa(0, soa_rdata(stand_in));
  }
  if ((ns_reported_ || import_failed_) && !ns_added_ && !import_had_ns_) {
    // Likewise for "no apex NS".
    builder_->add_apex_ns(
        ns_ttl_, std::span(reinterpret_cast<const std::uint8_t*>(apex_.data()), apex_.size()));
  }
  if (auto value = root.find("records")) read_records(*value);
  if (auto value = root.find("services")) read_services(*value);
  if (auto value = root.find("dnssec")) read_dnssec(*value);
  if (apex_ok_ && !dnssec_failed_) build();
  if (diag_.count() != errors_before) result_.zone.reset();
  return std::move(result_);
}

void ZoneFileReader::read_apex(const MapReader& root) {
  const auto value = root.require("zone");
  if (!value) return;
  result_.apex_line = value->mark.line + 1;
  result_.apex_column = value->mark.column + 1;
  const auto text = read_string(diag_, *value);
  if (!text) return;
  std::string why;
  const auto wire = dns::name_from_text(*text, std::string_view("\0", 1), &why);
  if (!wire) {
    diag_.error(value->mark, "'zone': '" + *text + "' is not a domain name: " + why);
    return;
  }
  apex_ = dns::lowercased(*wire);
  apex_ok_ = true;
  result_.apex = apex_;
}

void ZoneFileReader::read_ns(const MapReader& root) {
  std::uint32_t ttl = default_ttl_;
  if (auto value = root.find("ns_ttl")) read_ttl(diag_, *value, ttl);
  const auto value = root.find("ns");
  if (!value) return;
  const std::size_t errors_before = diag_.count();
  if (auto items = read_list(diag_, *value, true)) {
    for (const Value& item : *items) {
      const auto name = read_name(diag_, item, apex_);
      if (!name) continue;
      warn_relative_target(diag_, item.mark, item.node.Scalar(), apex_);
      const std::string refusal = builder_->add_apex_ns(
          ttl, std::span(reinterpret_cast<const std::uint8_t*>(name->data()), name->size()));
      if (refusal.empty()) {
        ns_added_ = true;
      } else {
        diag_.error(item.mark, refusal);
      }
    }
  }
  ns_reported_ = diag_.count() != errors_before;
  ns_ttl_ = ttl;
}

void ZoneFileReader::read_import(const MapReader& root) {
  const auto value = root.find("import");
  if (!value) return;
  const auto name = read_string(diag_, *value);
  if (!name) return;
  const std::string file = resolve_path(directory_of(path_), *name);
  std::string why;
  const auto text = read_text_file(file, why, kMaxImportSize);
  if (!text) {
    diag_.error(value->mark, "'import': cannot read " + file + ": " + why);
    import_failed_ = true;
    return;
  }
  result_.imports.push_back(file);
  import_read_ = true;
  const ImportResult imported = import_master_file(file, *text, default_ttl_, *builder_, errors_);
  import_had_soa_ = imported.had_soa;
  import_had_ns_ = imported.had_ns;
  import_failed_ = imported.refused;
}

std::optional<std::string> ZoneFileReader::read_owner(const Value& value) {
  auto owner = read_name(diag_, value, apex_);
  if (owner && !dns::is_at_or_below(dns::lowercased(*owner), apex_)) {
    diag_.error(value.mark, "'name': " + dns::name_to_text(*owner) + " is outside the zone " +
                                dns::name_to_text(apex_));
    owner.reset();
  }
  return owner;
}

void ZoneFileReader::add_record(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                                const std::vector<std::uint8_t>& rdata, const YAML::Mark& mark) {
  const auto source = static_cast<std::uint32_t>(marks_.size());
  const std::string refusal = builder_->add_record(owner, type, ttl, rdata, source);
  if (refusal.empty()) {
    marks_.push_back(mark);
  } else {
    diag_.error(mark, refusal);
  }
}

void ZoneFileReader::add_service(zone::Service service, const YAML::Mark& mark) {
  const auto source = static_cast<std::uint32_t>(marks_.size());
  const std::string refusal = builder_->add_service(std::move(service), source);
  if (refusal.empty()) {
    marks_.push_back(mark);
  } else {
    diag_.error(mark, refusal);
  }
}

std::optional<dnssec::Key> ZoneFileReader::read_key(const Value& item, const std::string& file,
                                                    dnssec::Role role) {
  if (!apex_ok_) return std::nullopt;
  std::string base = resolve_path(directory_of(path_), file);
  for (const char* suffix : {".key", ".private"}) {
    const std::string_view tail(suffix);
    if (base.size() > tail.size() &&
        base.compare(base.size() - tail.size(), tail.size(), tail) == 0) {
      base.resize(base.size() - tail.size());
    }
  }
  std::string why;
  auto key = keyfile::read_key(base, apex_, role, why);
  if (!key) {
    diag_.error(item.mark, "key: " + why);
    return std::nullopt;
  }
  result_.key_files.push_back(base + ".key");
  result_.key_files.push_back(base + ".private");
  return key;
}

void ZoneFileReader::read_records(const Value& value) {
  const auto items = read_list(diag_, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    RecordRead record{*this};
    record.ttl = default_ttl_;
    read_section(diag_, item, kRecordKeys, record);
  }
}

void ZoneFileReader::read_services(const Value& value) {
  const auto items = read_list(diag_, value, false);
  if (!items) return;
  for (const Value& item : *items) {
    ServiceRead service{*this};
    service.entry.ttl = kDefaultServiceTtl;
    service.entry.degraded_ttl = kDefaultServiceTtl;
    if (!read_section(diag_, item, kServiceKeys, service) || !service.owner || !service.pool_ok) {
      continue;
    }
    service.entry.name = *service.owner;
    add_service(std::move(service.entry), service.owner_mark);
  }
}

void ZoneFileReader::read_dnssec(const Value& value) {
  dnssec_mark_ = value.key_mark;
  const std::size_t errors_before = diag_.count();
  DnssecRead read{*this};
  if (!read_section(diag_, value, kDnssecKeys, read) || diag_.count() != errors_before) {
    dnssec_failed_ = true;
    return;
  }
  auto zone_keys =
      std::make_shared<const dnssec::ZoneKeys>(apex_, std::move(read.keys), read.times);
  if (const std::string refusal = zone_keys->check(); !refusal.empty()) {
    diag_.error(dnssec_mark_, "'dnssec': " + refusal);
    dnssec_failed_ = true;
    return;
  }
  if (const std::string refusal =
          zone::add_key_records(*builder_, *zone_keys, read.dnskey_ttl, read.cds);
      !refusal.empty()) {
    diag_.error(dnssec_mark_, "'dnssec': " + refusal);
    dnssec_failed_ = true;
    return;
  }
  keys_ = std::move(zone_keys);
}

void ZoneFileReader::build() {
  std::vector<zone::BuildError> reasons;
  result_.zone = builder_->build(reasons);
  if (result_.zone && keys_) {
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    if (const std::string refusal = zone::sign_zone(*result_.zone, keys_, now); !refusal.empty()) {
      diag_.error(dnssec_mark_, "'dnssec': " + refusal);
      result_.zone.reset();
    }
  }
  for (zone::BuildError& error : reasons) {
    if (error.source == zone::kNoSource) {
      diag_.error_at(result_.apex_line, result_.apex_column, std::move(error.reason));
    } else if ((error.source & kImportedLine) != 0 && !result_.imports.empty()) {
      add_error(errors_, {result_.imports.back(), static_cast<int>(error.source & ~kImportedLine),
                          0, std::move(error.reason)});
    } else if (error.source < marks_.size()) {
      diag_.error(marks_[error.source], std::move(error.reason));
    } else {
      diag_.error_at(result_.apex_line, result_.apex_column, std::move(error.reason));
    }
  }
}

}  // namespace

std::vector<ZoneFileSection> zone_file_sections() {
  return {{"", kRootKeys},
          {"soa", key_names(kSoaKeys)},
          {"records", key_names(kRecordKeys)},
          {"services", key_names(kServiceKeys)},
          {"dnssec", key_names(kDnssecKeys)},
          {"dnssec keys", key_names(kKeyEntryKeys)}};
}

std::vector<std::string_view> zone_file_key_names() {
  std::vector<std::string_view> names;
  for (const ZoneFileSection& section : zone_file_sections()) {
    names.insert(names.end(), section.keys.begin(), section.keys.end());
  }
  return names;
}

ZoneFile load_zone_file(const std::string& path, const std::string& text,
                        const std::vector<std::string>& known_pools,
                        std::vector<util::SourceError>& errors,
                        std::vector<util::SourceError>* warnings) {
  ZoneFileReader reader(path, known_pools, errors, warnings);
  return reader.read(text);
}

}  // namespace detail

std::unique_ptr<zone::Zone> load_zone_text(const std::string& path, const std::string& text,
                                           const std::vector<std::string>& known_pools,
                                           std::vector<util::SourceError>& errors,
                                           std::vector<util::SourceError>* warnings) {
  try {
    return detail::load_zone_file(path, text, known_pools, errors, warnings).zone;
  } catch (const std::bad_alloc&) {
    detail::add_error(errors, {path, 0, 0, "out of memory while loading " + path});
  } catch (const std::exception& e) {
    detail::add_error(errors,
                      {path, 0, 0, std::string("internal error while loading: ") + e.what()});
  }
  return nullptr;
}

}  // namespace gslbd::config
