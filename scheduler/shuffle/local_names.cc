#include "scheduler/shuffle/local_names.h"

#include <string>

namespace mr::shuffle {

bool IsSafeLocalName(std::string_view name) {
  if (name.empty() || name.size() > kMaxLocalNameBytes || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status CheckSafeLocalName(std::string_view name, std::string_view what) {
  if (IsSafeLocalName(name)) return Status::OK();
  std::string shown(name.substr(0, 64));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return Status::InvalidArgument(std::string("bad ") + std::string(what) + " '" + shown +
                                 "': expected 1-255 characters of [A-Za-z0-9._-], not "
                                 "starting with '.'");
}

}  // namespace mr::shuffle
