#include "dfs/master/member_peers.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <sstream>

#include <glog/logging.h>

#include "common/file.h"

namespace mr::dfs {

namespace {
constexpr char kFileName[] = "membership_peers";
}  // namespace

std::vector<std::string> MemberPeers::Load(const std::string& dir) {
  std::vector<std::string> peers;
  Result<std::string> text = ReadFileToString(JoinPath(dir, kFileName));
  if (!text.ok()) return peers;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line) && peers.size() < kMaxPeers) {
    if (!line.empty()) peers.push_back(line);
  }
  return peers;
}

MemberPeers::MemberPeers(const std::string& dir) : path_(JoinPath(dir, kFileName)) {
  for (const std::string& peer : Load(dir)) seen_[peer] = ++clock_;
}

void MemberPeers::Add(const std::string& address) {
  if (address.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  bool added = seen_.insert_or_assign(address, ++clock_).second;
  if (seen_.size() > kMaxPeers) {
    auto oldest = std::min_element(seen_.begin(), seen_.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    seen_.erase(oldest);
  }
  if (!added) return;
  Status s = Save();
  LOG_IF(WARNING, !s.ok()) << "membership peers: " << s.ToString();
}

void MemberPeers::Remove(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seen_.erase(address) == 0) return;
  Status s = Save();
  LOG_IF(WARNING, !s.ok()) << "membership peers: " << s.ToString();
}

Status MemberPeers::Save() const {
  std::string text;
  for (const auto& [address, when] : seen_) text += address + "\n";
  const std::string temp = path_ + ".new";  // Not ".tmp": the op log removes those.
  RETURN_NOT_OK(WriteStringToFile(temp, text, /*sync=*/false));
  if (std::rename(temp.c_str(), path_.c_str()) != 0) {
    return Status::FromErrno(errno, "rename " + temp);
  }
  return Status::OK();
}

}  // namespace mr::dfs
