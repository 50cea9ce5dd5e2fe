#include "security/identity.h"

#include <pwd.h>
#include <unistd.h>

namespace mr::security {
namespace {

const Identity& ProcessIdentity() {
  static const Identity identity{ProcessUserName(), /*superuser=*/true, ""};
  return identity;
}

thread_local const Identity* current = nullptr;

}  // namespace

const Identity& CurrentIdentity() { return current != nullptr ? *current : ProcessIdentity(); }

void SetThreadIdentity(const Identity* identity) { current = identity; }

ScopedIdentity::ScopedIdentity(Identity identity)
    : previous_(current), identity_(std::move(identity)) {
  current = &identity_;
}

ScopedIdentity::~ScopedIdentity() { current = previous_; }

const std::string& ProcessUserName() {
  static const std::string name = [] {
    struct passwd pw, *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(::geteuid(), &pw, buf, sizeof(buf), &found) == 0 && found != nullptr) {
      return std::string(found->pw_name);
    }
    return "uid:" + std::to_string(::geteuid());
  }();
  return name;
}

bool IsValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 32 || name[0] == '-' || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace mr::security
