// SPDX-License-Identifier: Apache-2.0
#include "master_reader.hpp"

#include "ldns.hpp"

#include <cstdio>
#include <cstring>
#include <memory>

#include "gslbd/dns/constants.hpp"

namespace gslbd::config::detail {
namespace {

constexpr std::uint32_t kMaxTtl = 2147483647u;  // RFC 2181 section 8
constexpr std::size_t kMaxNumberText = 15;      // longer TTL texts go to ldns (it allows 20)

struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};

// The origin and previous owner as ldns wants them, for one call; the reader's copies are
// updated from them afterwards (ldns replaces both on $ORIGIN and on an owner).
class LdnsNames {
 public:
  LdnsNames(const std::string& origin, const std::string& prev)
      : origin_(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin.size(), origin.data())),
        prev_(prev.empty() ? nullptr
                           : ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, prev.size(), prev.data())) {
  }
  ~LdnsNames() {
    if (origin_) ldns_rdf_deep_free(origin_);
    if (prev_) ldns_rdf_deep_free(prev_);
  }
  LdnsNames(const LdnsNames&) = delete;
  LdnsNames& operator=(const LdnsNames&) = delete;

  ldns_rdf*& origin() { return origin_; }
  ldns_rdf*& prev() { return prev_; }

  static void copy(const ldns_rdf* name, std::string& out) {
    out.assign(reinterpret_cast<const char*>(ldns_rdf_data(name)), ldns_rdf_size(name));
  }

 private:
  ldns_rdf* origin_;
  ldns_rdf* prev_;
};

bool is_number_token(const MasterToken& token) {
  return !token.quoted && !token.text.empty() && token.text[0] >= '0' && token.text[0] <= '9';
}

bool is_in_token(const MasterToken& token) {
  return !token.quoted && token.text.size() == 2 &&
         (token.text[0] == 'I' || token.text[0] == 'i') &&
         (token.text[1] == 'N' || token.text[1] == 'n');
}

// A token as a C string for ldns's functions; false when it is too long to be plain.
bool c_string(std::string_view text, char (&buffer)[32]) {
  if (text.size() >= sizeof buffer) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  return true;
}

// ldns reads a TTL with ldns_str2period and keeps whatever number it got (units allowed).
bool read_ttl(std::string_view text, std::uint32_t& ttl) {
  char buffer[32];
  if (text.size() > kMaxNumberText || !c_string(text, buffer)) return false;
  const char* end = nullptr;
  ttl = ldns_str2period(buffer, &end);
  return true;
}

// The blanks of ldns's text of an entry (it has no other white space).
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// ldns_strip_ws: leading white space, and trailing white space not after a backslash, but never
// below two characters.
std::string_view ldns_stripped(std::string_view text) {
  std::size_t s = 0;
  while (s < text.size() && is_blank(text[s])) ++s;
  std::size_t e = text.size();
  while (e > s + 2 && is_blank(text[e - 1]) && text[e - 2] != '\\') --e;
  return text.substr(s, e - s);
}

bool is_class_token(const MasterToken& token) {
  char buffer[32];
  if (token.quoted || !c_string(token.text, buffer)) return false;
  return ldns_get_rr_class_by_name(buffer) != 0;
}

}  // namespace

MasterReader::MasterReader(std::string_view text, std::string_view origin_wire,
                           std::uint32_t default_ttl, MasterSyntax syntax)
    // ldns needs the last entry newline-terminated; the tokenizer relies on it too.
    : owned_(text.empty() || text.back() != '\n' ? std::string(text) + '\n' : std::string()),
      text_(owned_.empty() ? text : std::string_view(owned_)),
      tokenizer_(text_),
      origin_(origin_wire),
      default_ttl_(default_ttl),
      syntax_(syntax) {}

MasterReader::Step MasterReader::next(MasterRecord& record, std::string& message, int& line) {
  while (!done_) {
    if (!tokenizer_.next(entry_)) {
      done_ = true;
      break;
    }
    const Result result = read_entry(record, message);
    if (result == Result::none) continue;
    line = first_content_line(text_, entry_.begin, entry_.begin_line);
    return result == Result::record ? Step::record : Step::error;
  }
  return Step::end;
}

MasterReader::Result MasterReader::read_entry(MasterRecord& record, std::string& message) {
  if (!entry_.plain) return through_ldns_file(record, message);
  if (entry_.token_count == 0) return Result::none;  // blanks and a comment
  const MasterToken& first = entry_.tokens[0];
  if (!entry_.owner_omitted && !first.quoted && first.text[0] == '$') {
    return directive(record, message);
  }
  if (read_fast(record)) {
    ++fast_entries_;
    return checked(record, message, record.type, LDNS_RR_CLASS_IN);
  }
  if (syntax_.class_before_ttl) {
    const std::string line = swapped_line();
    if (!line.empty()) return through_ldns_line(line, record, message);
  }
  return through_ldns_file(record, message);
}

// ldns's tests on the entry's text, in its order: "$ORIGIN" and "$TTL" followed by a blank take
// the rest of the text with blanks stripped as ldns_strip_ws does; then any "$INCLUDE...".
MasterReader::Result MasterReader::directive(MasterRecord& record, std::string& message) {
  const std::size_t from = static_cast<std::size_t>(entry_.tokens[0].text.data() - text_.data());
  const std::string line = plain_entry_text(text_, from, entry_.line_end);
  if (line.starts_with("$ORIGIN") && line.size() > 7 && is_blank(line[7])) {
    WireName name;
    bool relative = false;
    if (read_name(ldns_stripped(std::string_view(line).substr(8)), name, relative) &&
        (!relative || !syntax_.relative_origin || complete_name(name, origin_))) {
      origin_.assign(name.view());
      ++fast_entries_;
      return Result::none;
    }
    return through_ldns_file(record, message);  // ldns's error, after which it stops
  }
  if (line.starts_with("$TTL") && line.size() > 4 && is_blank(line[4])) {
    const std::string argument(ldns_stripped(std::string_view(line).substr(5)));
    const char* end = nullptr;
    default_ttl_ = ldns_str2period(argument.c_str(), &end);  // ldns keeps what it read
    ++fast_entries_;
    return Result::none;
  }
  if (line.starts_with("$INCLUDE")) {
    message = "$INCLUDE is not supported in imported files";
    return Result::error;
  }
  return through_ldns_file(record, message);
}

// A record of a fast type in one of ldns's layouts: owner (or a leading blank), [TTL] [IN],
// type, rdata; with class_before_ttl also IN TTL. False leaves the entry to ldns.
bool MasterReader::read_fast(MasterRecord& record) {
  const MasterToken* tokens = entry_.tokens.data();
  const std::size_t count = entry_.token_count;
  std::size_t k = 0;
  std::string_view owner;
  if (entry_.owner_omitted) {
    owner = prev_.empty() ? std::string_view(origin_) : std::string_view(prev_);
  } else {
    const MasterToken& token = tokens[k++];
    if (token.quoted) return false;
    if (token.text[0] == '@') {  // ldns 1.8 takes any owner starting with "@" for the origin
      owner = origin_;
    } else {
      bool relative = false;
      if (!read_name(token.text, owner_name_, relative)) return false;
      if (relative && !complete_name(owner_name_, origin_)) return false;
      owner = owner_name_.view();
    }
  }
  // Without a TTL ldns uses the default, and its own default (3600) when that is 0.
  std::uint32_t ttl = default_ttl_ == 0 ? LDNS_DEFAULT_TTL : default_ttl_;
  if (k < count && is_number_token(tokens[k])) {
    if (!read_ttl(tokens[k++].text, ttl)) return false;
    if (k < count && is_in_token(tokens[k])) ++k;
  } else if (k < count && is_in_token(tokens[k])) {
    ++k;
    if (k < count && is_number_token(tokens[k])) {
      if (!syntax_.class_before_ttl || !read_ttl(tokens[k++].text, ttl)) return false;
    }
  }
  if (k >= count || tokens[k].quoted) return false;
  const std::uint16_t type = fast_type(tokens[k].text);
  if (type == 0) return false;
  ++k;
  rdata_.clear();
  if (!encode_fast_rdata(type, tokens + k, count - k, origin_, rdata_)) return false;
  if (!entry_.owner_omitted) {
    prev_.assign(owner);  // "@" too: ldns makes it the previous owner
    owner = prev_;
  }
  record.owner = owner;
  record.type = type;
  record.ttl = ttl;
  record.rdata = rdata_;
  return true;
}

// For an entry with its class before its TTL (owner CLASS TTL TYPE ...), the same entry in the
// order ldns reads: owner TTL CLASS TYPE ..., as ldns's reader would have joined it. Empty when
// the entry is not in that order.
std::string MasterReader::swapped_line() const {
  const MasterToken* tokens = entry_.tokens.data();
  const std::size_t count = entry_.token_count;
  const std::size_t k = entry_.owner_omitted ? 0 : 1;
  if (k + 2 >= count || tokens[0].quoted || !is_class_token(tokens[k]) ||
      !is_number_token(tokens[k + 1]) || tokens[k + 2].quoted) {
    return {};
  }
  const MasterToken& last = tokens[count - 1];
  const std::size_t from = static_cast<std::size_t>(tokens[k + 2].text.data() - text_.data());
  const std::size_t to = static_cast<std::size_t>(last.text.data() - text_.data()) +
                         last.text.size() + (last.quoted ? 1 : 0);
  std::string line = entry_.owner_omitted ? std::string(" ") : std::string(tokens[0].text);
  line += ' ';
  line += tokens[k + 1].text;
  line += ' ';
  line += tokens[k].text;
  line += ' ';
  line += plain_entry_text(text_, from, to);
  return line;
}

// What the old importer did for every entry: ldns reads from the entry's first character.
MasterReader::Result MasterReader::through_ldns_file(MasterRecord& record, std::string& message) {
  ++ldns_entries_;
  const std::size_t begin = entry_.begin;
  // fmemopen in mode "r" only reads the buffer.
  std::unique_ptr<FILE, FileClose> file(
      fmemopen(const_cast<char*>(text_.data() + begin), text_.size() - begin, "r"));
  if (!file) {
    done_ = true;
    message = "cannot open the imported file for parsing";
    return Result::error;
  }
  LdnsNames names(origin_, prev_);
  if (!names.origin()) {
    done_ = true;
    message = "cannot encode the origin";
    return Result::error;
  }
  std::uint32_t ttl = default_ttl_;
  int line_nr = 0;
  ldns_rr* rr = nullptr;
  const ldns_status status =
      ldns_rr_new_frm_fp_l(&rr, file.get(), &ttl, &names.origin(), &names.prev(), &line_nr);
  const long consumed = std::ftell(file.get());
  default_ttl_ = ttl;
  if (names.prev()) LdnsNames::copy(names.prev(), prev_);
  if (names.origin()) {
    LdnsNames::copy(names.origin(), origin_);
  } else {
    done_ = true;  // an $ORIGIN ldns could not read: ldns has no origin to go on with
  }
  if (consumed <= 0) {
    done_ = true;  // never spin on input ldns does not consume
  } else {
    tokenizer_.resume_at(begin + static_cast<std::size_t>(consumed));
  }
  return take_ldns_result(status, rr, record, message);
}

// The entry as one line (see swapped_line), read by ldns_rr_new_frm_str as ldns_rr_new_frm_fp_l
// would.
MasterReader::Result MasterReader::through_ldns_line(const std::string& line, MasterRecord& record,
                                                     std::string& message) {
  ++ldns_entries_;
  LdnsNames names(origin_, prev_);
  if (!names.origin()) {
    done_ = true;
    message = "cannot encode the origin";
    return Result::error;
  }
  ldns_rr* rr = nullptr;
  const ldns_status status =
      ldns_rr_new_frm_str(&rr, line.c_str(), default_ttl_, names.origin(), &names.prev());
  if (names.prev()) LdnsNames::copy(names.prev(), prev_);
  return take_ldns_result(status, rr, record, message);
}

MasterReader::Result MasterReader::take_ldns_result(int status_number, ldns_rr* raw,
                                                    MasterRecord& record, std::string& message) {
  LdnsRr rr(raw);
  const auto status = static_cast<ldns_status>(status_number);
  if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
      status == LDNS_STATUS_SYNTAX_ORIGIN) {
    return Result::none;
  }
  if (status == LDNS_STATUS_SYNTAX_INCLUDE) {
    message = "$INCLUDE is not supported in imported files";
    return Result::error;
  }
  if (status != LDNS_STATUS_OK || !rr) {
    message = ldns_get_errorstr_by_id(status);
    return Result::error;
  }
  LdnsNames::copy(ldns_rr_owner(rr.get()), ldns_owner_);
  record.owner = ldns_owner_;
  record.ttl = ldns_rr_ttl(rr.get());
  // ldns reads "TYPE650008" with atoi() and keeps the overflowing number; convert it at once
  // (an enum variable may not hold it) and refuse what does not fit 16 bits.
  const auto type = static_cast<std::uint32_t>(ldns_rr_get_type(rr.get()));
  const auto rr_class = static_cast<std::uint32_t>(ldns_rr_get_class(rr.get()));
  const Result result = checked(record, message, type, rr_class);
  if (result != Result::record) return result;
  LdnsBuffer buffer(ldns_buffer_new(512));
  if (!buffer || ldns_rr_rdata2buffer_wire(buffer.get(), rr.get()) != LDNS_STATUS_OK) {
    message = "cannot encode the record data";
    return Result::error;
  }
  const std::uint8_t* data = ldns_buffer_begin(buffer.get());
  rdata_.assign(data, data + ldns_buffer_position(buffer.get()));
  record.rdata = rdata_;
  return Result::record;
}

// The old importer's checks on what ldns accepted, in its order.
MasterReader::Result MasterReader::checked(MasterRecord& record, std::string& message,
                                           std::uint32_t type, std::uint32_t rr_class) {
  if (type > 0xffff) {
    message = "RR type number " + std::to_string(type) + " is above 65535";
    return Result::error;
  }
  if (rr_class != LDNS_RR_CLASS_IN) {
    message = "only class IN records can be served";
    return Result::error;
  }
  if (record.ttl > kMaxTtl) {
    message = "TTL " + std::to_string(record.ttl) +
              " is above the largest TTL 2147483647 (RFC 2181 section 8)";
    return Result::error;
  }
  record.type = static_cast<std::uint16_t>(type);
  return Result::record;
}

}  // namespace gslbd::config::detail
