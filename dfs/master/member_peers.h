// MemberPeers: the membership addresses the master has seen, kept in
// <dir>/membership_peers (one host:port a line), so that a restarted master
// joins the cluster through them (as seeds) instead of starting a
// membership of its own whose view would stay empty — as Serf's snapshot
// and rejoin do. With its view back, the master again hears from the
// membership layer, not only from heartbeat timeouts, that a datanode died.
//
// The file is rewritten (temp file + rename, not fsynced: a lost update only
// costs a stale seed) whenever the set changes: Add on a member's joined or
// alive event, Remove when it leaves gracefully. At most kMaxPeers
// addresses are kept, the most recently seen.
//
// Thread-safety: Add and Remove may be called from any thread (the member's
// event thread); Load is stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr::dfs {

class MemberPeers {
 public:
  static constexpr size_t kMaxPeers = 64;

  // The addresses in <dir>/membership_peers; none if there is no file.
  static std::vector<std::string> Load(const std::string& dir);

  // Starts from the addresses in the file. (Membership events are never
  // about the member itself, so its own address is not recorded; a seed
  // list that holds it is harmless: a member does not join through itself.)
  explicit MemberPeers(const std::string& dir);

  void Add(const std::string& address);
  void Remove(const std::string& address);

 private:
  // Writes the file; call with mu_ held.
  Status Save() const;

  const std::string path_;
  std::mutex mu_;
  std::map<std::string, uint64_t> seen_;  // GUARDED_BY(mu_): address -> when (a counter).
  uint64_t clock_ = 0;                    // GUARDED_BY(mu_)
};

}  // namespace mr::dfs
