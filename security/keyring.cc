#include "security/keyring.h"

#include <sys/stat.h>

#include <glog/logging.h>

#include "common/file.h"
#include "security/crypto.h"

namespace mr::security {

Keyring Keyring::Generate() { return Keyring({RandomBytes(kKeyBytes)}); }

Keyring::Keyring(std::vector<std::string> keys) : keys_(std::move(keys)) {
  CHECK(!keys_.empty()) << "a keyring needs a key";
  for (const std::string& key : keys_) CHECK_EQ(key.size(), kKeyBytes) << "key size";
}

Result<Keyring> Keyring::Load(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "keyring " + path);
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("keyring " + path + " is open to other users (chmod 600 it)");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  std::vector<std::string> keys;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    Result<std::string> key = HexDecode(line);
    if (!key.ok() || key->size() != kKeyBytes) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_number) + ": not a key of " +
                                     std::to_string(kKeyBytes * 2) + " hex digits");
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) return Status::InvalidArgument("keyring " + path + " holds no key");
  return Keyring(std::move(keys));
}

Status Keyring::Save(const std::string& path) const {
  std::string text = "# Cluster keyring: the first key is primary. Keep mode 0600.\n";
  for (const std::string& key : keys_) text += HexEncode(key) + "\n";
  return WritePrivateFile(path, text);
}

}  // namespace mr::security
