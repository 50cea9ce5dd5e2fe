// The member a daemon runs (issue 4, item 6): every DFS and scheduler daemon
// takes part in membership when started with --membership, so the DFS
// master and the RM learn of a failed node in a few protocol periods rather
// than after their heartbeat timeouts. mrcluster turns it on, giving each
// daemon a UDP port (--membership_port) and the DFS master's as the seed
// (--membership_seeds).
//
// Thread-safety: as Member.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "membership/member.h"

namespace mr::membership {

// Metadata key of a member's role: "master", "datanode", "resourcemanager",
// "nodemanager".
inline constexpr char kRoleKey[] = "role";

struct DaemonIdentity {
  std::string id;    // The daemon's node id (the datanode id for a datanode).
  std::string role;
  std::string rack;
};

// With --membership: a started Member (from the --membership_* flags) whose
// events `on_event` (may be empty) receives from the start. Without it:
// null, and the daemon relies on heartbeats alone.
Result<std::unique_ptr<Member>> StartDaemonMember(const DaemonIdentity& identity,
                                                  Member::Callback on_event);

// The role a member advertised ("" if none).
const std::string& RoleOf(const MemberIdentity& member);

// True for the events after which a member should be treated as gone.
inline bool IsDeparture(EventType type) {
  return type == EventType::kFailed || type == EventType::kLeft;
}

}  // namespace mr::membership
