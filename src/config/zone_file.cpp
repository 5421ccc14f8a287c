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
#include "master_import.hpp"
#include "rdata_parser.hpp"
#include "suggest.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config {
namespace detail {
namespace {

// The keys of each section of a zone file: the one list its reader checks them against.
const std::vector<std::string_view> kRootKeys = {"version",  "zone",   "default_ttl", "soa",
                                                 "ns",       "ns_ttl", "records",     "import",
                                                 "services", "dnssec"};
const std::vector<std::string_view> kSoaKeys = {"mname", "rname",  "serial",  "refresh",
                                                "retry", "expire", "minimum", "ttl"};
const std::vector<std::string_view> kRecordKeys = {"name", "type", "ttl", "data"};
const std::vector<std::string_view> kServiceKeys = {"name", "pool", "ttl", "degraded_ttl"};
const std::vector<std::string_view> kDnssecKeys = {"keys", "validity", "inception_offset",
                                                   "dnskey_ttl", "cds"};
const std::vector<std::string_view> kKeyEntryKeys = {"file", "role"};

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

// SOA timers are TTL-like 32-bit second counts; the same bound keeps them sane.
std::optional<std::uint32_t> read_timer(Diagnostics& diag, const MapReader& map,
                                        std::string_view key) {
  if (auto value = map.find(key)) return read_ttl(diag, *value);
  return std::nullopt;
}

SoaSection read_soa(Diagnostics& diag, const Value& value, std::string_view apex,
                    std::uint32_t default_ttl) {
  SoaSection soa;
  soa.ttl = default_ttl;
  const std::size_t errors_before = diag.count();
  MapReader map(diag, value, kSoaKeys);
  if (!map.is_map()) {
    soa.valid = false;
    return soa;
  }
  if (auto mname = map.require("mname")) {
    if (auto wire = read_name(diag, *mname, apex)) {
      soa.mname = *wire;
      warn_relative_target(diag, mname->mark, mname->node.Scalar(), apex);
    }
  }
  if (auto rname = map.require("rname")) {
    if (rname->node.IsScalar() && rname->node.Scalar().find('@') != std::string::npos) {
      diag.error(rname->mark,
                 "'rname': write the mailbox with a dot instead of '@' "
                 "(hostmaster.example.com. for hostmaster@example.com)");
    } else if (auto wire = read_name(diag, *rname, apex)) {
      soa.rname = *wire;
      warn_relative_target(diag, rname->mark, rname->node.Scalar(), apex);
    }
  }
  if (auto serial = map.find("serial")) {
    soa.serial_mark = serial->mark;
    const std::string text = serial->node.IsScalar() ? serial->node.Scalar() : std::string();
    std::uint32_t number = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, number);
    if (text == "auto") {
      soa.serial_auto = true;
    } else if (!text.empty() && ec == std::errc() && ptr == end) {
      soa.serial_auto = false;
      soa.serial = number;
    } else {
      diag.error(serial->mark,
                 "'serial': expected auto or a number (0..4294967295), got " +
                     (serial->node.IsScalar() ? "'" + text + "'" : std::string("a list or map")));
    }
  } else {
    soa.serial_mark = map.mark();
  }
  if (auto v = read_timer(diag, map, "refresh")) soa.refresh = *v;
  if (auto v = read_timer(diag, map, "retry")) soa.retry = *v;
  if (auto v = read_timer(diag, map, "expire")) soa.expire = *v;
  if (auto v = read_timer(diag, map, "minimum")) soa.minimum = *v;
  if (auto v = read_timer(diag, map, "ttl")) soa.ttl = *v;
  soa.valid = diag.count() == errors_before;
  return soa;
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

 private:
  void read_apex(const MapReader& root);
  void read_ns(const MapReader& root);
  void read_import(const MapReader& root);
  // A record's or service's name: in the zone, else reported.
  std::optional<std::string> read_owner(const Value& value);
  void read_records(const Value& value);
  void read_record(const Value& value);
  void read_services(const Value& value);
  void read_service(const Value& value);
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

ZoneFile ZoneFileReader::read(const std::string& text) {
  const std::size_t errors_before = diag_.count();
  const auto document = parse_document(text, diag_);
  if (!document) return std::move(result_);
  const MapReader root(diag_, top_level(*document, "the zone file"), kRootKeys);
  if (!root.is_map()) return std::move(result_);
  check_version(diag_, root);
  read_apex(root);
  if (auto value = root.find("default_ttl")) {
    if (auto ttl = read_ttl(diag_, *value)) default_ttl_ = *ttl;
  }
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
  if (auto value = root.find("ns_ttl")) {
    if (auto read = read_ttl(diag_, *value)) ttl = *read;
  }
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

void ZoneFileReader::read_records(const Value& value) {
  const auto items = read_list(diag_, value, false);
  if (!items) return;
  for (const Value& item : *items) read_record(item);
}

void ZoneFileReader::read_record(const Value& value) {
  const MapReader record(diag_, value, kRecordKeys);
  if (!record.is_map()) return;
  std::optional<std::string> owner;
  if (const auto name = record.require("name")) owner = read_owner(*name);
  std::uint16_t type = 0;  // 0 = missing or refused (a plain value: GCC 12 misjudges optional)
  if (const auto type_value = record.require("type")) {
    if (const auto text = read_string(diag_, *type_value)) {
      const auto known = rr_type_from_text(*text);
      if (!known) {
        diag_.error(type_value->mark, "'type': unknown RR type '" + *text + "'" + type_hint(*text));
      } else if (is_meta_type(*known)) {
        diag_.error(type_value->mark,
                    "'type': " + rr_type_text(*known) + " is a meta type and cannot be in a zone");
      } else if (*known == dns::type::SOA) {
        diag_.error(type_value->mark, "'type': the SOA record comes from the soa: section");
      } else {
        type = *known;
      }
    }
  }
  std::uint32_t ttl = default_ttl_;
  bool ttl_ok = true;
  if (const auto ttl_value = record.find("ttl")) {
    const auto read = read_ttl(diag_, *ttl_value);
    ttl_ok = read.has_value();
    if (read) ttl = *read;
  }
  const auto data = record.require("data");
  if (!data) return;
  const auto items = read_list(diag_, *data, true);
  if (!items) return;
  for (const Value& item : *items) {
    const auto text = read_string(diag_, item);
    if (!text || type == 0) continue;
    std::string why;
    const auto rdata = parse_rdata(type, *text, apex_, why);
    if (!rdata) {
      diag_.error(item.mark,
                  item.label + ": bad " + rr_type_text(type) + " data '" + *text + "': " + why);
      continue;
    }
    warn_relative_rdata_target(diag_, item.mark, type, *text, apex_);
    if (!owner || !ttl_ok) continue;
    const auto source = static_cast<std::uint32_t>(marks_.size());
    const std::string refusal = builder_->add_record(*owner, type, ttl, *rdata, source);
    if (refusal.empty()) {
      marks_.push_back(item.mark);
    } else {
      diag_.error(item.mark, refusal);
    }
  }
}

void ZoneFileReader::read_services(const Value& value) {
  const auto items = read_list(diag_, value, false);
  if (!items) return;
  for (const Value& item : *items) read_service(item);
}

void ZoneFileReader::read_service(const Value& value) {
  const MapReader service(diag_, value, kServiceKeys);
  if (!service.is_map()) return;
  std::optional<std::string> owner;
  YAML::Mark owner_mark;
  if (const auto name = service.require("name")) {
    owner_mark = name->mark;
    owner = read_owner(*name);
  }
  std::optional<std::string> pool;
  std::int32_t pool_index = -1;
  if (const auto pool_value = service.require("pool")) {
    pool = read_string(diag_, *pool_value);
    const auto found =
        pool ? std::find(known_pools_.begin(), known_pools_.end(), *pool) : known_pools_.end();
    pool_index = static_cast<std::int32_t>(found - known_pools_.begin());
    if (pool && found == known_pools_.end()) {
      std::vector<std::string_view> names(known_pools_.begin(), known_pools_.end());
      diag_.error(pool_value->mark, "'pool': pool " + quoted(*pool) + " is not defined" +
                                        (names.empty() ? std::string("; no pools are defined")
                                                       : suggestion(*pool, names)));
      pool.reset();
    }
  }
  zone::Service entry;
  entry.ttl = kDefaultServiceTtl;
  if (const auto ttl_value = service.find("ttl")) {
    if (const auto read = read_ttl(diag_, *ttl_value)) entry.ttl = *read;
  }
  entry.degraded_ttl = entry.ttl;
  if (const auto ttl_value = service.find("degraded_ttl")) {
    if (const auto read = read_ttl(diag_, *ttl_value)) {
      // A shorter TTL while degraded lets resolvers notice recovery sooner; a longer one
      // would do the opposite of what the setting is for.
      if (*read > entry.ttl) {
        diag_.error(ttl_value->mark, "'degraded_ttl': " + std::to_string(*read) +
                                         " is longer than the service's ttl " +
                                         std::to_string(entry.ttl));
      } else {
        entry.degraded_ttl = *read;
      }
    }
  }
  if (!owner || !pool) return;
  entry.name = *owner;
  entry.pool = *pool;
  entry.pool_index = pool_index;
  const auto source = static_cast<std::uint32_t>(marks_.size());
  const std::string refusal = builder_->add_service(std::move(entry), source);
  if (refusal.empty()) {
    marks_.push_back(owner_mark);
  } else {
    diag_.error(owner_mark, refusal);
  }
}

void ZoneFileReader::read_dnssec(const Value& value) {
  dnssec_mark_ = value.key_mark;
  const std::size_t errors_before = diag_.count();
  const MapReader map(diag_, value, kDnssecKeys);
  if (!map.is_map()) {
    dnssec_failed_ = true;
    return;
  }
  dnssec::SigningTimes times;
  if (auto v = map.find("validity")) {
    if (auto seconds = read_ttl(diag_, *v)) {
      // Shorter than a day leaves no room to refresh signatures before resolvers drop them.
      if (*seconds < 86400) {
        diag_.error(v->mark, "'validity': " + std::to_string(*seconds) +
                                 " s is too short; expected at least 1d");
      } else {
        times.validity = *seconds;
      }
    }
  }
  if (auto v = map.find("inception_offset")) {
    if (auto seconds = read_ttl(diag_, *v)) times.inception_offset = *seconds;
  }
  std::uint32_t dnskey_ttl = 3600;
  if (auto v = map.find("dnskey_ttl")) {
    if (auto seconds = read_ttl(diag_, *v)) dnskey_ttl = *seconds;
  }
  bool cds = true;
  if (auto v = map.find("cds")) cds = read_bool(diag_, *v).value_or(cds);
  std::vector<dnssec::Key> keys;
  if (auto list = map.require("keys")) {
    if (auto items = read_list(diag_, *list, true)) {
      for (const Value& item : *items) {
        const MapReader entry(diag_, item, kKeyEntryKeys);
        if (!entry.is_map()) continue;
        const auto file = entry.require("file");
        const auto role_value = entry.require("role");
        const auto file_text = file ? read_string(diag_, *file) : std::nullopt;
        const auto role_text = role_value ? read_string(diag_, *role_value) : std::nullopt;
        std::optional<dnssec::Role> role;
        if (role_text) {
          role = dnssec::role_from_name(*role_text);
          if (!role) {
            diag_.error(role_value->mark, "'role': '" + *role_text +
                                              "' is not a key role; expected csk, ksk, zsk "
                                              "or publish");
          }
        }
        if (!file_text || !role || !apex_ok_) continue;
        std::string base = resolve_path(directory_of(path_), *file_text);
        for (const char* suffix : {".key", ".private"}) {
          const std::string_view tail(suffix);
          if (base.size() > tail.size() &&
              base.compare(base.size() - tail.size(), tail.size(), tail) == 0) {
            base.resize(base.size() - tail.size());
          }
        }
        std::string why;
        auto key = keyfile::read_key(base, apex_, *role, why);
        if (!key) {
          diag_.error(item.mark, "key: " + why);
          continue;
        }
        result_.key_files.push_back(base + ".key");
        result_.key_files.push_back(base + ".private");
        keys.push_back(std::move(*key));
      }
    }
  }
  if (diag_.count() != errors_before) {
    dnssec_failed_ = true;
    return;
  }
  auto zone_keys = std::make_shared<const dnssec::ZoneKeys>(apex_, std::move(keys), times);
  if (const std::string refusal = zone_keys->check(); !refusal.empty()) {
    diag_.error(dnssec_mark_, "'dnssec': " + refusal);
    dnssec_failed_ = true;
    return;
  }
  if (const std::string refusal = zone::add_key_records(*builder_, *zone_keys, dnskey_ttl, cds);
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

std::vector<std::string_view> zone_file_key_names() {
  std::vector<std::string_view> names;
  for (const auto* section :
       {&kRootKeys, &kSoaKeys, &kRecordKeys, &kServiceKeys, &kDnssecKeys, &kKeyEntryKeys}) {
    names.insert(names.end(), section->begin(), section->end());
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
