// SPDX-License-Identifier: Apache-2.0
// Builds a DNS response in a caller-owned buffer: header, question, whole RRsets with name
// compression, and the OPT record. No allocation. Every write is all-or-nothing: a record set
// that does not fit leaves the message exactly as it was, so no partial RRset is ever sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gslbd/dns/query.hpp"

namespace gslbd::dns {

// What goes into the OPT record of a response (RFC 6891, 5001, 7871, 7873).
struct OptReply {
  std::uint16_t udp_size = 1232;
  std::uint8_t extended_rcode = 0;  // upper 8 bits of a 12-bit rcode
  bool do_bit = false;
  bool co_bit = false;  // RFC 9824 section 4: set when a compact NXDOMAIN got its rcode back
  bool nsid = false;
  std::string_view nsid_data;
  const ClientSubnet* client_subnet = nullptr;  // echoed when set
  std::uint8_t scope_prefix = 0;                // our scope for the echoed subnet
  const std::uint8_t* cookie = nullptr;         // COOKIE option data (client + server cookie)
  std::uint8_t cookie_len = 0;

  // Octets the OPT record takes; reserve this before writing sections.
  std::size_t size() const noexcept;
};

enum class Section : std::uint8_t { answer = 0, authority = 1, additional = 2 };

// An RRset compressed once, ahead of time, for messages that hold a question at or below the
// set's owner and nothing after it: the SOA of a negative answer. Writing it is a copy and a
// few pointer fixes instead of a search per name, and gives the same octets as writing the
// set by its records; where it could not (the question spells the owner in other letters, or
// a longer name of the question is repeated in the set), the writer writes it by its records.
// Made by ResponseWriter::prepare on the control plane; holds views of the owner and records,
// which must outlive it.
class PreparedRRset {
 public:
  PreparedRRset() = default;  // no set: writing it adds nothing

 private:
  friend class ResponseWriter;
  PreparedRRset(std::string_view owner, std::uint16_t type, std::uint16_t klass, std::uint32_t ttl,
                std::span<const std::uint8_t> records, std::uint16_t count)
      : owner_(owner), type_(type), klass_(klass), ttl_(ttl), records_(records), count_(count) {}

  // A compression pointer in wire_, and what it points to: an offset into the owner as the
  // question spells it, or into the set itself.
  struct Pointer {
    std::uint16_t at;
    std::uint16_t offset;
    bool into_set;
  };
  // Where a name written out in wire_ starts, and its length from there.
  struct NameStart {
    std::uint16_t at;
    std::uint8_t length;
  };
  // A label in wire_: where it starts and its octets, length octet included.
  struct Label {
    std::uint16_t at;
    std::uint8_t octets;
  };

  std::string_view owner_;
  std::uint16_t type_ = 0;
  std::uint16_t klass_ = 0;
  std::uint32_t ttl_ = 0;
  std::span<const std::uint8_t> records_;
  std::uint16_t count_ = 0;
  // The compressed set, as written after a question that is the owner alone; empty when the
  // set could not be prepared (it is then always written by its records).
  std::vector<std::uint8_t> wire_;
  std::vector<Pointer> pointers_;
  std::vector<NameStart> targets_;  // names written out, which later names may point to
  // Labels written just before a pointer to the whole owner: a question with the same label
  // there holds a longer match, which the prepared octets do not use.
  std::vector<Label> before_owner_;
};

class ResponseWriter {
 public:
  // capacity: the buffer's size. limit: the largest message allowed (<= capacity), before the
  // room reserved for OPT (see reserve_tail).
  ResponseWriter(std::uint8_t* buffer, std::size_t capacity, std::size_t limit) noexcept;

  // Room kept free at the end of the message for the OPT record written last.
  void reserve_tail(std::size_t bytes) noexcept;

  // Header with all counts zero. flags include QR/AA/RD...; rcode is the low 4 bits.
  void start(std::uint16_t id, std::uint16_t flags, std::uint16_t rcode) noexcept;
  void set_flag(std::uint16_t bit, bool on) noexcept;
  void set_rcode(std::uint16_t rcode) noexcept;  // low 4 bits only

  // The question, copied as received (qname is an uncompressed wire name). Its labels become
  // compression targets. Returns false if it does not fit.
  bool question(const std::uint8_t* qname, std::size_t qname_len, std::uint16_t qtype,
                std::uint16_t qclass) noexcept;

  // Writes `count` records of one RRset. records is the stored form: per record rdlength (2)
  // then rdata with uncompressed names. owner is a wire name, written compressed. The names
  // inside the rdata of NS, CNAME, SOA, MX and PTR are compressed too (RFC 3597 section 4
  // allows it for these RFC 1035 types only), against earlier names spelled with the same
  // case, so that the zone's spelling of a name in rdata is never changed. Returns false (and
  // writes nothing) if the whole set does not fit.
  bool rrset(Section section, std::string_view owner, std::uint16_t type, std::uint16_t klass,
             std::uint32_t ttl, const std::uint8_t* records, std::size_t records_len,
             std::uint16_t count) noexcept;

  // rrset() for a set whose owner is that of the set written just before it (the RRSIG set
  // after the set it covers): the owner is repeated as a pointer to the earlier one, without
  // searching the message for it again. owner must be that same name; it is written as by
  // rrset() when no earlier set succeeded or its owner lies beyond a pointer's reach.
  bool rrset_at_last_owner(Section section, std::string_view owner, std::uint16_t type,
                           std::uint16_t klass, std::uint32_t ttl, const std::uint8_t* records,
                           std::size_t records_len, std::uint16_t count) noexcept;

  // The set prepared by prepare(): its prepared octets when the message holds nothing after a
  // question at or below its owner, else rrset() with its records. Same result as rrset().
  bool rrset(Section section, const PreparedRRset& set) noexcept;

  // Compresses a set for rrset(Section, const PreparedRRset&). owner and records are kept as
  // views. Allocates: control plane only.
  static PreparedRRset prepare(std::string_view owner, std::uint16_t type, std::uint16_t klass,
                               std::uint32_t ttl, std::span<const std::uint8_t> records,
                               std::uint16_t count);

  // Drops everything after the question (used when answers do not fit: TC is then set).
  void truncate_to_question() noexcept;

  // The OPT pseudo-RR, written last, into the reserved tail.
  bool opt(const OptReply& reply) noexcept;

  std::size_t size() const noexcept { return size_; }
  const std::uint8_t* data() const noexcept { return buffer_; }

 private:
  // Appends a wire name using compression; returns false if out of room (size_ unchanged).
  // same_case: only point to earlier names spelled with exactly the same octets.
  bool write_name(std::string_view name, std::size_t end, bool same_case) noexcept;
  // Whether the question's name (when there is one) is name; same_case as for write_name.
  bool question_spells(std::string_view name, bool same_case) const noexcept;
  void remember_labels(std::size_t name_at, std::string_view name, std::size_t upto) noexcept;
  // One record's rdata with its names compressed, laid out as `before` fixed octets, `names`
  // names, then fixed octets to the end; false if out of room.
  bool write_rdata(std::size_t before, std::size_t names, const std::uint8_t* rdata,
                   std::size_t rdlen, std::size_t end) noexcept;
  void add_count(Section section, std::uint16_t n) noexcept;
  // Where the question spells set's owner, when set's prepared octets apply to this message;
  // 0 when they do not.
  std::size_t prepared_owner_at(const PreparedRRset& set) const noexcept;
  // rrset(); the first owner is written as first_owner (a pointer) when that is not null.
  bool write_rrset(Section section, std::string_view owner, std::uint16_t type, std::uint16_t klass,
                   std::uint32_t ttl, const std::uint8_t* records, std::size_t records_len,
                   std::uint16_t count, const std::uint8_t* first_owner) noexcept;

  // A label cannot be shorter than 2 octets, so a 512-octet message holds fewer than 256 name
  // starts after its header: every name of such a message can be a target, and it compresses
  // as well as with an unbounded table. Larger messages compress their first 256 names.
  static constexpr std::size_t kMaxTargets = 256;
  struct Target {
    std::uint16_t offset;  // where a name (or the tail of one) starts in the message
    std::uint8_t length;   // its uncompressed wire length: most candidates fail on this alone
  };

  std::uint8_t* buffer_;
  std::size_t capacity_;
  std::size_t limit_;
  std::size_t tail_ = 0;
  std::size_t size_ = 0;
  std::size_t question_end_ = 0;
  std::size_t question_targets_ = 0;
  // Offsets of labels already in the message that start a complete name (compression targets).
  Target targets_[kMaxTargets];
  std::size_t target_count_ = 0;
  // A pointer to the owner of the last RRset written, {0, 0} when there is none: a message is
  // only ever cut back to before an RRset, so it stays valid until start() or
  // truncate_to_question().
  std::uint8_t last_owner_[2] = {0, 0};
};

}  // namespace gslbd::dns
