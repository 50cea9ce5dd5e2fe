// Localization of job binaries: each application's binary is downloaded
// from the DFS once per node into <apps_dir>/<app_id>/job and shared by the
// application's containers.
//
// Thread-safety: all methods may be called from any thread. Concurrent
// Localize calls for one application wait for a single download; calls for
// different applications download in parallel.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::sched::nm {

class Localizer {
 public:
  // Copies the DFS file `dfs_path` to the local file `local_path` (which
  // does not exist); the seam tests may replace.
  using Fetcher = std::function<Status(const std::string& dfs_path, const std::string& local_path)>;

  // `apps_dir` is <nm dir>/apps; `fetch` does the downloads.
  Localizer(std::string apps_dir, Fetcher fetch);

  // The local path of the application's executable, downloading it on the
  // first call (made executable, renamed into place when complete). A
  // failed download is not remembered: the next call tries again.
  Result<std::string> Localize(const std::string& app_id, const std::string& dfs_path);

  // Forgets the application (its directory is being deleted).
  void Forget(const std::string& app_id);

  // Downloads started so far (for tests and logs).
  int downloads() const;

 private:
  struct Entry {
    bool done = false;
    Status status;
    std::string path;
  };

  Status Download(const std::string& app_id, const std::string& dfs_path, std::string* path);

  const std::string apps_dir_;
  const Fetcher fetch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;                           // An entry became done.
  std::map<std::string, std::shared_ptr<Entry>> apps_;  // GUARDED_BY(mu_)
  int downloads_ = 0;                                    // GUARDED_BY(mu_)
};

// A Fetcher over the DFS master at host:port, connecting on first use
// (and again after a failed connect).
Localizer::Fetcher DfsFetcher(const std::string& master_host, int master_port,
                              const std::string& client_host);

}  // namespace mr::sched::nm
