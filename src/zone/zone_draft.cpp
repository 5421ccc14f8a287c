// SPDX-License-Identifier: Apache-2.0
#include "zone_draft.hpp"

#include <algorithm>

#include "gslbd/zone/name_index.hpp"

namespace gslbd::zone {

std::uint32_t ZoneDraft::find(std::string_view lower_wire) const noexcept {
  if (index_.empty()) return kNoNode;
  const auto tag = static_cast<std::uint32_t>(NameIndex::hash(lower_wire));
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = index_[i];
    if (slot == 0) return kNoNode;
    const auto number = static_cast<std::uint32_t>(slot) - 1;
    if ((slot >> 32) == tag && name(number) == lower_wire) return number;
  }
}

std::uint32_t ZoneDraft::node_for(std::string_view lower_wire) {
  const std::uint32_t found = find(lower_wire);
  if (found != kNoNode) return found;
  const auto number = static_cast<std::uint32_t>(nodes_.size());
  DraftNode& added = nodes_.emplace_back();
  added.name_offset = static_cast<std::uint32_t>(names_.size());
  added.name_length = static_cast<std::uint32_t>(lower_wire.size());
  names_.insert(names_.end(), lower_wire.begin(), lower_wire.end());
  insert_index(static_cast<std::uint32_t>(NameIndex::hash(lower_wire)), number);
  return number;
}

void ZoneDraft::insert_index(std::uint32_t tag, std::uint32_t number) {
  if ((nodes_.size() + 1) * 2 > index_.size()) grow_index();
  const std::size_t mask = index_.size() - 1;
  std::size_t i = tag & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = (std::uint64_t{tag} << 32) | (std::uint64_t{number} + 1);
}

void ZoneDraft::grow_index() {
  std::vector<std::uint64_t> old = std::move(index_);
  index_.assign(old.empty() ? 64 : old.size() * 2, 0);
  const std::size_t mask = index_.size() - 1;
  for (const std::uint64_t slot : old) {
    if (slot == 0) continue;
    std::size_t i = (slot >> 32) & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = slot;
  }
}

std::uint32_t ZoneDraft::find_rrset(std::uint32_t n, std::uint16_t type) const noexcept {
  for (std::uint32_t r = nodes_[n].first_rrset; r != kNone; r = rrsets_[r].next) {
    if (rrsets_[r].type == type) return r;
    if (rrsets_[r].type > type) break;
  }
  return kNone;
}

std::uint32_t ZoneDraft::add_rrset(std::uint32_t n, std::uint16_t type, std::uint32_t ttl) {
  const auto added = static_cast<std::uint32_t>(rrsets_.size());
  DraftRRset& set = rrsets_.emplace_back();
  set.type = type;
  set.ttl = ttl;
  std::uint32_t* link = &nodes_[n].first_rrset;
  while (*link != kNone && rrsets_[*link].type < type) link = &rrsets_[*link].next;
  set.next = *link;
  *link = added;
  return added;
}

bool ZoneDraft::has_record(std::uint32_t r, std::span<const std::uint8_t> data) const noexcept {
  for (std::uint32_t i = rrsets_[r].first_record; i != kNone; i = records_[i].next) {
    const std::span<const std::uint8_t> existing = rdata(records_[i]);
    if (std::equal(existing.begin(), existing.end(), data.begin(), data.end())) return true;
  }
  return false;
}

void ZoneDraft::add_record(std::uint32_t r, std::span<const std::uint8_t> data) {
  const auto added = static_cast<std::uint32_t>(records_.size());
  DraftRecord& record = records_.emplace_back();
  record.offset = static_cast<std::uint32_t>(rdata_.size());
  record.length = static_cast<std::uint32_t>(data.size());
  rdata_.insert(rdata_.end(), data.begin(), data.end());
  DraftRRset& set = rrsets_[r];
  if (set.last_record == kNone) {
    set.first_record = added;
  } else {
    records_[set.last_record].next = added;
  }
  set.last_record = added;
  ++set.count;
  set.rdata_octets += 2 + record.length;
}

}  // namespace gslbd::zone
