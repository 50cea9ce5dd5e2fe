// Dense indexes for member ids, and a pool of identities, so that a core's
// view of N members is a vector of small fixed-size records rather than N
// strings and N hash-map nodes. A daemon's core owns one directory; the
// simulator shares one among all its cores, so 5,000 cores do not hold
// 5,000 copies of 5,000 ids and identities (docs/MEMBERSHIP.md, "Simulator").
//
// Both are reference counted: an id stays interned, and an identity pooled,
// while some record holds it; then its slot is reused. So forged news about
// ever new ids or addresses costs memory only while some record keeps it.
// Thread-safety: none; one thread (the simulator's) or one core's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "membership/types.h"
#include "membership_types.h"

namespace mr::membership {

class MemberDirectory {
 public:
  using Index = uint32_t;   // A member id.
  using Handle = uint32_t;  // A pooled identity.
  static constexpr uint32_t kNone = UINT32_MAX;

  // The index of `id` (interned if new), holding one more reference.
  Index Acquire(std::string_view id);
  void Release(Index index);
  // kNone if `id` is not interned.
  Index Find(std::string_view id) const;
  const std::string& id(Index index) const { return members_[index].id; }
  // Every index handed out so far is below this.
  size_t index_limit() const { return members_.size(); }

  // A handle to an identity equal to `w` (of member `index`; pooled if new),
  // holding one more reference.
  Handle AcquireIdentity(Index index, const wire::Identity& w);
  Handle AcquireIdentity(Index index, std::shared_ptr<const MemberIdentity> identity);
  void AddIdentityRef(Handle handle) { identities_[handle].refs++; }
  // Acquire() and AcquireIdentity() for every member of `members`, in order.
  // Cores bootstrapped from one list (the simulator's full mesh: N cores, N
  // members each) share the lookups: the last list's entries are kept, and a
  // list with the same identities (same objects) only adds references.
  const std::vector<std::pair<Index, Handle>>& AcquireAll(
      const std::vector<std::shared_ptr<const MemberIdentity>>& members);
  void ReleaseIdentity(Handle handle);
  const std::shared_ptr<const MemberIdentity>& identity(Handle handle) const {
    return identities_[handle].identity;
  }

 private:
  struct MemberSlot {
    std::string id;
    uint32_t refs = 0;
    Handle identities = kNone;  // This member's pooled identities, linked by `next`.
  };
  struct IdentitySlot {
    std::shared_ptr<const MemberIdentity> identity;
    uint32_t refs = 0;
    Index member = kNone;
    Handle next = kNone;
  };
  Handle NewIdentity(Index index, std::shared_ptr<const MemberIdentity> identity);

  // Lets index_of_ be searched by string_view without building a string.
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>()(id); }
  };

  std::vector<MemberSlot> members_;
  std::vector<Index> free_members_;
  std::unordered_map<std::string, Index, IdHash, std::equal_to<>> index_of_;
  std::vector<IdentitySlot> identities_;
  std::vector<Handle> free_identities_;
  // AcquireAll's last list: its identities (to recognize it) and entries.
  std::vector<const MemberIdentity*> last_list_;
  std::vector<std::pair<Index, Handle>> last_entries_;
};

}  // namespace mr::membership
