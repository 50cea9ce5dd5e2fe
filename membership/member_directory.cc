#include "membership/member_directory.h"

#include <glog/logging.h>

#include "membership/codec.h"

namespace mr::membership {
namespace {

// A slot of `slots` to fill: a freed one if any, else a new one at the end.
template <typename Slot>
uint32_t TakeSlot(std::vector<Slot>* slots, std::vector<uint32_t>* free_slots) {
  if (free_slots->empty()) {
    slots->emplace_back();
    return static_cast<uint32_t>(slots->size() - 1);
  }
  uint32_t slot = free_slots->back();
  free_slots->pop_back();
  return slot;
}

}  // namespace

MemberDirectory::Index MemberDirectory::Acquire(std::string_view id) {
  auto it = index_of_.find(id);
  if (it != index_of_.end()) {
    members_[it->second].refs++;
    return it->second;
  }
  Index index = TakeSlot(&members_, &free_members_);
  members_[index] = MemberSlot{std::string(id), 1, kNone};
  index_of_.emplace(members_[index].id, index);
  return index;
}

void MemberDirectory::Release(Index index) {
  MemberSlot& slot = members_[index];
  CHECK_GT(slot.refs, 0u) << "membership directory: release of a free id";
  if (--slot.refs > 0) return;
  CHECK_EQ(slot.identities, kNone) << "membership directory: id released before its identities";
  index_of_.erase(slot.id);
  slot.id.clear();
  slot.id.shrink_to_fit();
  free_members_.push_back(index);
}

MemberDirectory::Index MemberDirectory::Find(std::string_view id) const {
  auto it = index_of_.find(id);
  return it == index_of_.end() ? kNone : it->second;
}

MemberDirectory::Handle MemberDirectory::AcquireIdentity(Index index, const wire::Identity& w) {
  for (Handle h = members_[index].identities; h != kNone; h = identities_[h].next) {
    if (SameIdentity(*identities_[h].identity, w)) {
      identities_[h].refs++;
      return h;
    }
  }
  return NewIdentity(index, FromWire(w));
}

MemberDirectory::Handle MemberDirectory::AcquireIdentity(
    Index index, std::shared_ptr<const MemberIdentity> identity) {
  for (Handle h = members_[index].identities; h != kNone; h = identities_[h].next) {
    if (*identities_[h].identity == *identity) {
      identities_[h].refs++;
      return h;
    }
  }
  return NewIdentity(index, std::move(identity));
}

MemberDirectory::Handle MemberDirectory::NewIdentity(
    Index index, std::shared_ptr<const MemberIdentity> identity) {
  Handle handle = TakeSlot(&identities_, &free_identities_);
  identities_[handle] = IdentitySlot{std::move(identity), 1, index, members_[index].identities};
  members_[index].identities = handle;
  return handle;
}

const std::vector<std::pair<MemberDirectory::Index, MemberDirectory::Handle>>&
MemberDirectory::AcquireAll(const std::vector<std::shared_ptr<const MemberIdentity>>& members) {
  bool same = last_list_.size() == members.size();
  for (size_t i = 0; same && i < members.size(); ++i) {
    // The same objects, still pooled under the same handles.
    Handle handle = last_entries_[i].second;
    same = last_list_[i] == members[i].get() && identities_[handle].refs > 0 &&
           identities_[handle].identity.get() == members[i].get();
  }
  if (same) {
    for (const auto& [index, handle] : last_entries_) {
      members_[index].refs++;
      identities_[handle].refs++;
    }
    return last_entries_;
  }
  last_list_.clear();
  last_entries_.clear();
  for (const auto& identity : members) {
    Index index = Acquire(identity->id);
    last_list_.push_back(identity.get());
    last_entries_.emplace_back(index, AcquireIdentity(index, identity));
  }
  return last_entries_;
}

void MemberDirectory::ReleaseIdentity(Handle handle) {
  IdentitySlot& slot = identities_[handle];
  CHECK_GT(slot.refs, 0u) << "membership directory: release of a free identity";
  if (--slot.refs > 0) return;
  // Unlink from the member's list (short: one identity per address it used).
  Handle* link = &members_[slot.member].identities;
  while (*link != handle) link = &identities_[*link].next;
  *link = slot.next;
  slot = IdentitySlot{};
  free_identities_.push_back(handle);
}

}  // namespace mr::membership
