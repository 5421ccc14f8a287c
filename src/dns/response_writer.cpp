// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dns/response_writer.hpp"

#include <cstring>
#include <utility>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"

namespace gslbd::dns {
namespace {

void put_u16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v & 0xff);
}

void put_u32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>((v >> 16) & 0xff);
  p[2] = static_cast<std::uint8_t>((v >> 8) & 0xff);
  p[3] = static_cast<std::uint8_t>(v & 0xff);
}

char lower(std::uint8_t c) noexcept {
  return static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
}

// Whether name[pos..] (its end) is spelled as the name stored at `at` in the message buffer.
inline bool stored_name_equals(const std::uint8_t* buffer, std::size_t at, std::string_view name,
                               std::size_t pos, bool same_case) noexcept {
  // The stored name is runs of labels written out, each ended by a pointer or the root: each
  // run is compared in one go, length octets included (they are never letters, so that
  // lower-casing leaves them alone). A message we wrote has no loops; the bound is for safety.
  for (int hops = 0; hops < 128; ++hops) {
    std::size_t run = 0;
    std::uint8_t n = buffer[at];
    // Most candidates differ in their first label's length, or in its first or last octet
    // (h1 and h2, ns1 and ns2): they are turned away before the run is measured.
    if (n != 0 && (n & 0xC0) != 0xC0 &&
        (pos + n >= name.size() || static_cast<std::uint8_t>(name[pos]) != n ||
         lower(buffer[at + 1]) != lower(static_cast<std::uint8_t>(name[pos + 1])) ||
         lower(buffer[at + n]) != lower(static_cast<std::uint8_t>(name[pos + n])))) {
      return false;
    }
    while (n != 0 && (n & 0xC0) != 0xC0) {
      run += n + 1u;
      n = buffer[at + run];
    }
    if (run > name.size() - pos) return false;
    const std::uint8_t* stored = buffer + at;
    const char* wanted = name.data() + pos;
    // Most names are spelled alike; only a difference is looked at again without case.
    if (std::memcmp(stored, wanted, run) != 0) {
      if (same_case) return false;
      for (std::size_t i = 0; i < run; ++i) {
        if (lower(stored[i]) != lower(static_cast<std::uint8_t>(wanted[i]))) return false;
      }
    }
    pos += run;
    if (n == 0) return pos + 1 == name.size() && name[pos] == '\0';
    at = static_cast<std::size_t>(((n & 0x3f) << 8) | buffer[at + run + 1]);
  }
  return false;
}

}  // namespace

ResponseWriter::ResponseWriter(std::uint8_t* buffer, std::size_t capacity,
                               std::size_t limit) noexcept
    : buffer_(buffer), capacity_(capacity), limit_(limit < capacity ? limit : capacity) {}

void ResponseWriter::reserve_tail(std::size_t bytes) noexcept {
  tail_ = bytes;
}

void ResponseWriter::start(std::uint16_t id, std::uint16_t flags, std::uint16_t rcode) noexcept {
  std::memset(buffer_, 0, kHeaderSize);
  put_u16(buffer_, id);
  put_u16(buffer_ + 2, static_cast<std::uint16_t>((flags & 0xfff0) | (rcode & 0xf)));
  size_ = kHeaderSize;
  question_end_ = size_;
  target_count_ = 0;
  question_targets_ = 0;
  last_owner_[0] = last_owner_[1] = 0;
}

void ResponseWriter::set_flag(std::uint16_t bit, bool on) noexcept {
  std::uint16_t flags = static_cast<std::uint16_t>((buffer_[2] << 8) | buffer_[3]);
  flags = on ? static_cast<std::uint16_t>(flags | bit) : static_cast<std::uint16_t>(flags & ~bit);
  put_u16(buffer_ + 2, flags);
}

void ResponseWriter::set_rcode(std::uint16_t rcode) noexcept {
  buffer_[3] = static_cast<std::uint8_t>((buffer_[3] & 0xf0) | (rcode & 0xf));
}

bool ResponseWriter::question(const std::uint8_t* qname, std::size_t qname_len, std::uint16_t qtype,
                              std::uint16_t qclass) noexcept {
  if (size_ + qname_len + 4 > limit_ - (tail_ < limit_ ? tail_ : limit_)) return false;
  std::memcpy(buffer_ + size_, qname, qname_len);
  remember_labels(size_, std::string_view(reinterpret_cast<const char*>(qname), qname_len),
                  qname_len);
  size_ += qname_len;
  put_u16(buffer_ + size_, qtype);
  put_u16(buffer_ + size_ + 2, qclass);
  size_ += 4;
  put_u16(buffer_ + 4, 1);
  question_end_ = size_;
  question_targets_ = target_count_;
  return true;
}

void ResponseWriter::remember_labels(std::size_t name_at, std::string_view name,
                                     std::size_t upto) noexcept {
  // Pointers can only reach the first 16 KiB; labels past that are not worth remembering.
  std::size_t pos = 0;
  while (pos < upto && pos < name.size() && name[pos] != '\0') {
    if (target_count_ == kMaxTargets || name_at + pos > 0x3fff) return;
    targets_[target_count_++] = {static_cast<std::uint16_t>(name_at + pos),
                                 static_cast<std::uint8_t>(name.size() - pos)};
    pos += static_cast<std::uint8_t>(name[pos]) + 1u;
  }
}

bool ResponseWriter::question_spells(std::string_view name, bool same_case) const noexcept {
  const std::string_view question(reinterpret_cast<const char*>(buffer_ + targets_[0].offset),
                                  targets_[0].length);
  return question == name || (!same_case && same_name(question, name));
}

bool ResponseWriter::write_name(std::string_view name, std::size_t end, bool same_case) noexcept {
  // Where each label starts: a target can stand for the suffix of the same length only, and
  // only where a label starts. So the targets are walked once, each tested by its length
  // before any octet is compared, instead of once per suffix.
  const std::size_t size = name.size();
  // Most names written are the question's own (the owner of the first answer): its first
  // target, the longest match and the first written for it, is a name written out in full.
  if (question_targets_ > 0 && targets_[0].length == size && question_spells(name, same_case)) {
    if (size_ + 2 > end) return false;
    put_u16(buffer_ + size_, static_cast<std::uint16_t>(0xC000 | targets_[0].offset));
    size_ += 2;
    return true;
  }
  std::uint8_t starts[kMaxNameWire / 2 + 1];
  std::size_t labels = 0;
  std::uint64_t at_start[4] = {0, 0, 0, 0};
  // A longer name is not a name: its labels past the bound are neither compressed nor
  // remembered.
  for (std::size_t pos = 0; pos < size && pos < kMaxNameWire && name[pos] != '\0';
       pos += static_cast<std::uint8_t>(name[pos]) + 1u) {
    starts[labels++] = static_cast<std::uint8_t>(pos);
    at_start[pos >> 6] |= std::uint64_t{1} << (pos & 63);
  }
  std::size_t best = 0;  // length of the longest suffix found in the message, and where it is
  std::size_t best_at = 0;
  // The longest suffix wins; among targets for the same suffix, the first written.
  for (std::size_t t = 0; t < target_count_; ++t) {
    const std::size_t length = targets_[t].length;
    if (length <= best || length > size) continue;
    const std::size_t pos = size - length;
    if (pos >= kMaxNameWire) continue;  // past the labels walked
    if (((at_start[pos >> 6] >> (pos & 63)) & 1) == 0) continue;
    if (!stored_name_equals(buffer_, targets_[t].offset, name, pos, same_case)) continue;
    best = length;
    best_at = targets_[t].offset;
    if (pos == 0) break;  // the whole name: nothing can be longer
  }
  const std::size_t start = size_;
  const std::size_t written = best != 0 ? size - best : size;  // octets copied as they are
  if (start + written + (best != 0 ? 2 : 0) > end) return false;
  std::memcpy(buffer_ + start, name.data(), written);
  size_ = start + written;
  if (best != 0) {
    put_u16(buffer_ + size_, static_cast<std::uint16_t>(0xC000 | best_at));
    size_ += 2;
  }
  // The labels written out become targets (pointers can only reach the first 16 KiB).
  for (std::size_t i = 0; i < labels && starts[i] < written; ++i) {
    if (target_count_ == kMaxTargets || start + starts[i] > 0x3fff) break;
    targets_[target_count_++] = {static_cast<std::uint16_t>(start + starts[i]),
                                 static_cast<std::uint8_t>(size - starts[i])};
  }
  return true;
}

namespace {

// The layout of rdata whose names may be compressed (RFC 1035 section 3.3, RFC 3597 section 4):
// fixed octets before the names, the number of names, then fixed octets to the end.
struct NameLayout {
  std::uint8_t before = 0;
  std::uint8_t names = 0;  // 0: not compressible
};

inline NameLayout name_layout(std::uint16_t type) noexcept {
  switch (type) {
    case type::NS:
    case type::CNAME:
    case type::PTR:
      return {0, 1};
    case type::MX:
      return {2, 1};
    case type::SOA:
      return {0, 2};
    default:
      return {};
  }
}

// Finds the names in rdata laid out as `layout` says: where each starts and its length, and
// where the fixed octets after them start. False for rdata that does not parse as its type.
bool find_rdata_names(NameLayout layout, const std::uint8_t* rdata, std::size_t rdlen,
                      std::size_t (&names_at)[2], std::size_t (&names_len)[2],
                      std::size_t& after) noexcept {
  std::size_t pos = layout.before;
  if (layout.names == 0 || pos > rdlen) return false;
  for (std::size_t i = 0; i < layout.names; ++i) {
    names_at[i] = pos;
    names_len[i] = read_plain_name(rdata, rdlen, pos);
    if (names_len[i] == 0) return false;
  }
  after = pos;
  return true;
}

}  // namespace

bool ResponseWriter::write_rdata(std::size_t before, std::size_t names, const std::uint8_t* rdata,
                                 std::size_t rdlen, std::size_t end) noexcept {
  const NameLayout layout{static_cast<std::uint8_t>(before), static_cast<std::uint8_t>(names)};
  // Rdata that does not parse as its type is copied as it is.
  std::size_t names_at[2] = {0, 0};
  std::size_t names_len[2] = {0, 0};
  std::size_t pos = 0;
  if (!find_rdata_names(layout, rdata, rdlen, names_at, names_len, pos)) {
    if (size_ + rdlen > end) return false;
    std::memcpy(buffer_ + size_, rdata, rdlen);
    size_ += rdlen;
    return true;
  }
  if (size_ + layout.before > end) return false;
  std::memcpy(buffer_ + size_, rdata, layout.before);
  size_ += layout.before;
  for (std::size_t i = 0; i < layout.names; ++i) {
    const std::string_view name(reinterpret_cast<const char*>(rdata + names_at[i]), names_len[i]);
    if (!write_name(name, end, true)) return false;
  }
  const std::size_t rest = rdlen - pos;
  if (size_ + rest > end) return false;
  std::memcpy(buffer_ + size_, rdata + pos, rest);
  size_ += rest;
  return true;
}

bool ResponseWriter::rrset(Section section, std::string_view owner, std::uint16_t type,
                           std::uint16_t klass, std::uint32_t ttl, const std::uint8_t* records,
                           std::size_t records_len, std::uint16_t count) noexcept {
  return write_rrset(section, owner, type, klass, ttl, records, records_len, count, nullptr);
}

bool ResponseWriter::rrset_at_last_owner(Section section, std::string_view owner,
                                         std::uint16_t type, std::uint16_t klass, std::uint32_t ttl,
                                         const std::uint8_t* records, std::size_t records_len,
                                         std::uint16_t count) noexcept {
  return write_rrset(section, owner, type, klass, ttl, records, records_len, count,
                     last_owner_[0] != 0 ? last_owner_ : nullptr);
}

bool ResponseWriter::write_rrset(Section section, std::string_view owner, std::uint16_t type,
                                 std::uint16_t klass, std::uint32_t ttl,
                                 const std::uint8_t* records, std::size_t records_len,
                                 std::uint16_t count, const std::uint8_t* first_owner) noexcept {
  const std::size_t end = limit_ - (tail_ < limit_ ? tail_ : limit_);
  const std::size_t saved_size = size_;
  const std::size_t saved_targets = target_count_;
  // Until this set is written, no set's owner is the last one: a later rrset_at_last_owner()
  // after a failure then writes its owner in full.
  const std::uint8_t given_owner[2] = {first_owner ? first_owner[0] : std::uint8_t{0},
                                       first_owner ? first_owner[1] : std::uint8_t{0}};
  last_owner_[0] = last_owner_[1] = 0;
  auto fail = [&]() noexcept {
    size_ = saved_size;
    target_count_ = saved_targets;
    return false;
  };
  const NameLayout layout = name_layout(type);
  const std::size_t owner_at = size_;
  std::uint8_t owner_pointer[2] = {0, 0};
  std::size_t read = 0;
  for (std::uint16_t i = 0; i < count; ++i) {
    if (i == 0 && given_owner[0] != 0) {
      if (size_ + 2 > end) return fail();
      owner_pointer[0] = buffer_[size_] = given_owner[0];
      owner_pointer[1] = buffer_[size_ + 1] = given_owner[1];
      size_ += 2;
    } else if (i == 0) {
      if (!write_name(owner, end, false)) return fail();
      // Later records repeat the first owner as one pointer: the first owner's own pointer if
      // it was nothing but a pointer, else a pointer to it.
      if (size_ - owner_at == 2 && (buffer_[owner_at] & 0xC0) == 0xC0) {
        owner_pointer[0] = buffer_[owner_at];
        owner_pointer[1] = buffer_[owner_at + 1];
      } else if (owner_at <= 0x3fff) {
        put_u16(owner_pointer, static_cast<std::uint16_t>(0xC000 | owner_at));
      }
    } else if (owner_pointer[0] != 0) {
      if (size_ + 2 > end) return fail();
      buffer_[size_] = owner_pointer[0];
      buffer_[size_ + 1] = owner_pointer[1];
      size_ += 2;
    } else if (!write_name(owner, end, false)) {
      return fail();
    }
    if (read + 2 > records_len) return fail();
    const std::size_t rdlen = (std::size_t{records[read]} << 8) | records[read + 1];
    if (read + 2 + rdlen > records_len) return fail();
    if (size_ + 10 > end) return fail();
    put_u16(buffer_ + size_, type);
    put_u16(buffer_ + size_ + 2, klass);
    put_u32(buffer_ + size_ + 4, ttl);
    const std::size_t rdlength_at = size_ + 8;
    size_ += 10;
    if (layout.names > 0) {
      if (!write_rdata(layout.before, layout.names, records + read + 2, rdlen, end)) return fail();
      put_u16(buffer_ + rdlength_at, static_cast<std::uint16_t>(size_ - rdlength_at - 2));
    } else {
      if (size_ + rdlen > end) return fail();
      std::memcpy(buffer_ + rdlength_at, records + read, 2 + rdlen);
      size_ += rdlen;
    }
    read += 2 + rdlen;
  }
  add_count(section, count);
  last_owner_[0] = owner_pointer[0];
  last_owner_[1] = owner_pointer[1];
  return true;
}

std::size_t ResponseWriter::prepared_owner_at(const PreparedRRset& set) const noexcept {
  if (set.wire_.empty() || size_ != question_end_ ||
      target_count_ + set.targets_.size() > kMaxTargets) {
    return 0;
  }
  // The question's targets are its labels in order: the one as long as the owner is where the
  // question spells it, and the one before it the label in front of the owner.
  const std::size_t length = set.owner_.size();
  for (std::size_t t = 0; t < question_targets_; ++t) {
    if (targets_[t].length != length) continue;
    const std::size_t owner_at = targets_[t].offset;
    // Names in rdata point only to names spelled with the same octets.
    if (std::memcmp(buffer_ + owner_at, set.owner_.data(), length) != 0) return 0;
    if (t > 0) {
      const std::size_t label_at = targets_[t - 1].offset;
      for (const PreparedRRset::Label& label : set.before_owner_) {
        if (label.octets == owner_at - label_at &&
            std::memcmp(buffer_ + label_at, set.wire_.data() + label.at, label.octets) == 0) {
          return 0;
        }
      }
    }
    return owner_at;
  }
  return 0;
}

bool ResponseWriter::rrset(Section section, const PreparedRRset& set) noexcept {
  const std::size_t owner_at = prepared_owner_at(set);
  if (owner_at == 0) {
    return write_rrset(section, set.owner_, set.type_, set.klass_, set.ttl_, set.records_.data(),
                       set.records_.size(), set.count_, nullptr);
  }
  last_owner_[0] = last_owner_[1] = 0;
  const std::size_t end = limit_ - (tail_ < limit_ ? tail_ : limit_);
  const std::size_t set_at = size_;
  if (set_at + set.wire_.size() > end) return false;
  std::memcpy(buffer_ + set_at, set.wire_.data(), set.wire_.size());
  for (const PreparedRRset::Pointer& pointer : set.pointers_) {
    const std::size_t to = (pointer.into_set ? set_at : owner_at) + pointer.offset;
    put_u16(buffer_ + set_at + pointer.at, static_cast<std::uint16_t>(0xC000 | to));
  }
  for (const PreparedRRset::NameStart& start : set.targets_) {
    targets_[target_count_++] = {static_cast<std::uint16_t>(set_at + start.at), start.length};
  }
  size_ = set_at + set.wire_.size();
  add_count(section, set.count_);
  // The set starts with its owner, a pointer into the question.
  last_owner_[0] = buffer_[set_at];
  last_owner_[1] = buffer_[set_at + 1];
  return true;
}

PreparedRRset ResponseWriter::prepare(std::string_view owner, std::uint16_t type,
                                      std::uint16_t klass, std::uint32_t ttl,
                                      std::span<const std::uint8_t> records, std::uint16_t count) {
  PreparedRRset set(owner, type, klass, ttl, records, count);
  // Written once after a question that is the owner alone, every pointer points into the owner
  // or into the set. A set that could end past a pointer's reach after the longest question is
  // not prepared: each of its offsets then stays reachable, and remembered, wherever it lands.
  constexpr std::size_t kLongestQuestion = kHeaderSize + kMaxNameWire + 4;
  const std::size_t question_end = kHeaderSize + owner.size() + 4;
  const std::size_t capacity =
      question_end + std::size_t{count} * (owner.size() + 10) + records.size();
  if (owner.empty() || owner.size() > kMaxNameWire || capacity > 0x3fff) return set;
  std::vector<std::uint8_t> buffer(capacity);
  ResponseWriter scratch(buffer.data(), capacity, capacity);
  scratch.start(0, 0, 0);
  if (!scratch.question(reinterpret_cast<const std::uint8_t*>(owner.data()), owner.size(), type,
                        klass) ||
      !scratch.rrset(Section::answer, owner, type, klass, ttl, records.data(), records.size(),
                     count) ||
      scratch.target_count_ == kMaxTargets ||
      kLongestQuestion + (scratch.size() - question_end) > 0x3fff) {
    return set;
  }
  std::vector<std::uint8_t> wire(buffer.begin() + static_cast<std::ptrdiff_t>(question_end),
                                 buffer.begin() + static_cast<std::ptrdiff_t>(scratch.size()));
  for (std::size_t t = scratch.question_targets_; t < scratch.target_count_; ++t) {
    set.targets_.push_back({static_cast<std::uint16_t>(scratch.targets_[t].offset - question_end),
                            scratch.targets_[t].length});
  }
  // The pointers, found by reading the set back: in each owner, and in the names of rdata
  // that write_rdata compressed.
  bool valid = true;
  auto read_name = [&](std::size_t& at) {
    std::size_t last_label = wire.size();
    while (valid && at < wire.size()) {
      const std::uint8_t n = wire[at];
      if (n == 0) {
        ++at;
        return;
      }
      if ((n & 0xC0) != 0xC0) {
        last_label = at;
        at += n + 1u;
        continue;
      }
      if (at + 1 >= wire.size()) break;
      const std::size_t to = static_cast<std::size_t>(((n & 0x3f) << 8) | wire[at + 1]);
      if (to >= kHeaderSize && to < kHeaderSize + owner.size()) {
        set.pointers_.push_back(
            {static_cast<std::uint16_t>(at), static_cast<std::uint16_t>(to - kHeaderSize), false});
      } else if (to >= question_end) {
        set.pointers_.push_back(
            {static_cast<std::uint16_t>(at), static_cast<std::uint16_t>(to - question_end), true});
      } else {
        break;
      }
      if (to == kHeaderSize && last_label < at) {
        set.before_owner_.push_back({static_cast<std::uint16_t>(last_label),
                                     static_cast<std::uint8_t>(wire[last_label] + 1u)});
      }
      at += 2;
      return;
    }
    valid = false;
  };
  const NameLayout layout = name_layout(type);
  std::size_t at = 0;
  std::size_t read = 0;
  for (std::uint16_t i = 0; valid && i < count; ++i) {
    read_name(at);
    const std::size_t rdlen = (std::size_t{records[read]} << 8) | records[read + 1];
    const std::size_t rdata_at = at + 10;
    if (!valid || rdata_at > wire.size()) {
      valid = false;
      break;
    }
    const std::size_t written = (std::size_t{wire[at + 8]} << 8) | wire[at + 9];
    std::size_t names_at[2] = {0, 0};
    std::size_t names_len[2] = {0, 0};
    std::size_t after = 0;
    if (find_rdata_names(layout, records.data() + read + 2, rdlen, names_at, names_len, after)) {
      at = rdata_at + layout.before;
      for (std::size_t n = 0; valid && n < layout.names; ++n) read_name(at);
    }
    at = rdata_at + written;
    read += 2 + rdlen;
  }
  if (!valid || at != wire.size()) {
    set.pointers_.clear();
    set.targets_.clear();
    set.before_owner_.clear();
    return set;
  }
  set.wire_ = std::move(wire);
  return set;
}

void ResponseWriter::add_count(Section section, std::uint16_t n) noexcept {
  std::uint8_t* p = buffer_ + 6 + 2 * static_cast<std::size_t>(section);
  put_u16(p, static_cast<std::uint16_t>(((p[0] << 8) | p[1]) + n));
}

void ResponseWriter::truncate_to_question() noexcept {
  size_ = question_end_;
  target_count_ = question_targets_;
  last_owner_[0] = last_owner_[1] = 0;
  std::memset(buffer_ + 6, 0, 6);
}

std::size_t OptReply::size() const noexcept {
  std::size_t size = 11;
  if (nsid) size += 4 + nsid_data.size();
  if (client_subnet) size += 4 + 4 + (client_subnet->source_prefix + 7u) / 8u;
  if (cookie) size += 4u + cookie_len;
  return size;
}

bool ResponseWriter::opt(const OptReply& reply) noexcept {
  const std::size_t need = reply.size();
  if (size_ + need > capacity_ || size_ + need > limit_) return false;
  std::uint8_t* p = buffer_ + size_;
  p[0] = 0;  // root owner
  put_u16(p + 1, 41);
  put_u16(p + 3, reply.udp_size);
  p[5] = reply.extended_rcode;
  p[6] = 0;  // version 0
  p[7] = static_cast<std::uint8_t>((reply.do_bit ? 0x80 : 0) | (reply.co_bit ? 0x40 : 0));
  p[8] = 0;
  put_u16(p + 9, static_cast<std::uint16_t>(need - 11));
  p += 11;
  if (reply.nsid) {
    put_u16(p, 3);
    put_u16(p + 2, static_cast<std::uint16_t>(reply.nsid_data.size()));
    std::memcpy(p + 4, reply.nsid_data.data(), reply.nsid_data.size());
    p += 4 + reply.nsid_data.size();
  }
  if (reply.client_subnet) {
    const ClientSubnet& subnet = *reply.client_subnet;
    const std::size_t octets = (subnet.source_prefix + 7u) / 8u;
    put_u16(p, 8);
    put_u16(p + 2, static_cast<std::uint16_t>(4 + octets));
    put_u16(p + 4, subnet.family);
    p[6] = subnet.source_prefix;
    p[7] = reply.scope_prefix;
    std::memcpy(p + 8, subnet.address, octets);
    p += 8 + octets;
  }
  if (reply.cookie) {
    put_u16(p, edns_option::COOKIE);
    put_u16(p + 2, reply.cookie_len);
    std::memcpy(p + 4, reply.cookie, reply.cookie_len);
  }
  size_ += need;
  add_count(Section::additional, 1);
  return true;
}

}  // namespace gslbd::dns
