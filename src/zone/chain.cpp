// SPDX-License-Identifier: Apache-2.0
#include "gslbd/zone/chain.hpp"

#include <cstring>

#include "gslbd/dns/name.hpp"

namespace gslbd::zone {
namespace {

std::string_view first_name(const RRset& set) noexcept {
  const std::span<const std::uint8_t> records = set.records();
  const std::size_t rdlen = (std::size_t{records[0]} << 8) | records[1];
  return {reinterpret_cast<const char*>(records.data() + 2), rdlen};
}

}  // namespace

Chain::Chain(const Zone& zone, std::string_view qname, std::string_view qname_lower,
             std::uint16_t qtype) noexcept
    : zone_(zone), qtype_(qtype), pending_(qname), pending_lower_(qname_lower) {}

bool Chain::next(Hop& hop) noexcept {
  if (ended_) return false;
  if (pending_.empty()) {
    ended_ = true;
    return false;
  }
  if (count_ > 0) {
    // Follow only within this zone (RFC 1034 section 4.3.2 step 3a); the resolver does the
    // rest. A name seen before would repeat records; a long chain ends where it stands.
    const std::string_view lower =
        pending_lower_.empty() ? dns::lowercased_into(pending_, lower_) : pending_lower_;
    pending_lower_ = lower;
    if (!dns::is_at_or_below(lower, zone_.apex())) {
      end_ = ChainEnd::left_zone;
      ended_ = true;
      return false;
    }
    for (int seen = 0; seen < count_; ++seen) {
      if (dns::same_name({visited_data_[seen], visited_size_[seen]}, pending_)) {
        end_ = ChainEnd::loop;
        ended_ = true;
        return false;
      }
    }
    if (count_ > kMaxHops) {
      end_ = ChainEnd::hop_limit;
      ended_ = true;
      return false;
    }
  }
  hop.location = zone_.locate(pending_lower_, qtype_);
  hop.owner = pending_;
  hop.owner_lower = pending_lower_;
  hop.answer = nullptr;
  hop.link = Link::none;
  hop.alias = nullptr;
  hop.target = {};
  hop.cname_record = {};
  visited_data_[count_] = pending_.data();
  visited_size_[count_] = static_cast<std::uint8_t>(pending_.size());
  describe(hop);
  ++count_;
  pending_ = hop.target;
  pending_lower_ = {};
  end_ = ChainEnd::answered;
  if (hop.link == Link::dname && hop.cname_record.empty()) {
    end_ = ChainEnd::too_long;
    ended_ = true;
  }
  return true;
}

void Chain::follow(std::string_view target) noexcept {
  if (ended_ || count_ == 0) return;
  pending_ = target;
  pending_lower_ = {};
}

void Chain::describe(Hop& hop) noexcept {
  const Location& at = hop.location;
  if (at.where == Where::exact || at.where == Where::wildcard) {
    const Node& node = zone_.node(at.node);
    if (node.service >= 0) return;  // answered from a pool
    if (qtype_ == dns::type::ANY) {
      // RFC 8482: one RRset of the name stands for all of them.
      if (!node.rrsets().empty()) hop.answer = &node.rrsets().front();
    } else {
      hop.answer = node.find(qtype_);
    }
    if (hop.answer != nullptr) return;
    if (const RRset* cname = node.find(dns::type::CNAME)) {
      hop.link = Link::cname;
      hop.alias = cname;
      hop.target = first_name(*cname);
    }
    return;
  }
  if (at.where != Where::dname) return;
  // RFC 6672 section 2.2: the labels of the name below the DNAME owner, then the DNAME target.
  const Node& owner = zone_.node(at.node);
  const RRset* dname = owner.find(dns::type::DNAME);
  hop.link = Link::dname;
  hop.alias = dname;
  const std::string_view target = first_name(*dname);
  const std::size_t prefix = hop.owner.size() - owner.name().size();
  const std::size_t length = prefix + target.size();
  if (length > dns::kMaxNameWire) return;
  std::uint8_t* record = synthesised_[count_];
  record[0] = static_cast<std::uint8_t>(length >> 8);
  record[1] = static_cast<std::uint8_t>(length & 0xff);
  std::memcpy(record + 2, hop.owner.data(), prefix);
  std::memcpy(record + 2 + prefix, target.data(), target.size());
  hop.cname_record = {record, 2 + length};
  // A question for the CNAME itself, or for any one RRset, is answered by the synthesised CNAME.
  if (qtype_ == dns::type::CNAME || qtype_ == dns::type::ANY) return;
  hop.target = {reinterpret_cast<const char*>(record + 2), length};
}

}  // namespace gslbd::zone
