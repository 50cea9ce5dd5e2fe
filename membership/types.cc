#include "membership/types.h"

namespace mr::membership {

std::string_view MemberStateName(MemberState state) {
  switch (state) {
    case MemberState::kAlive: return "alive";
    case MemberState::kSuspect: return "suspect";
    case MemberState::kFailed: return "failed";
    case MemberState::kLeft: return "left";
  }
  return "unknown";
}

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kJoined: return "joined";
    case EventType::kAlive: return "alive";
    case EventType::kSuspect: return "suspect";
    case EventType::kFailed: return "failed";
    case EventType::kLeft: return "left";
  }
  return "unknown";
}

}  // namespace mr::membership
