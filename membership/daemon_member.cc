#include "membership/daemon_member.h"

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_bool(membership, false,
            "Run a membership member in this daemon (--membership_port, --membership_seeds); "
            "mrcluster turns it on.");

namespace mr::membership {

Result<std::unique_ptr<Member>> StartDaemonMember(const DaemonIdentity& identity,
                                                  Member::Callback on_event) {
  if (!FLAGS_membership) return std::unique_ptr<Member>();
  ASSIGN_OR_RETURN(Member::Options options, Member::Options::FromFlags());
  options.id = identity.id;
  if (options.rack.empty()) options.rack = identity.rack;
  options.metadata[kRoleKey] = identity.role;
  auto member = std::make_unique<Member>(std::move(options));
  if (on_event) member->Subscribe(std::move(on_event));
  RETURN_NOT_OK_PREPEND(member->Start(), "membership");
  LOG(INFO) << "membership: " << identity.role << " " << identity.id << " is a member on port "
            << member->port();
  return member;
}

const std::string& RoleOf(const MemberIdentity& member) {
  static const std::string kNone;
  auto it = member.metadata.find(kRoleKey);
  return it == member.metadata.end() ? kNone : it->second;
}

}  // namespace mr::membership
