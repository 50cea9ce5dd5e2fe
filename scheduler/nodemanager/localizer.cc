#include "scheduler/nodemanager/localizer.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include <glog/logging.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"

namespace mr::sched::nm {

Localizer::Localizer(std::string apps_dir, Fetcher fetch)
    : apps_dir_(std::move(apps_dir)), fetch_(std::move(fetch)) {}

Result<std::string> Localizer::Localize(const std::string& app_id, const std::string& dfs_path) {
  std::shared_ptr<Entry> entry;
  {
    std::unique_lock lock(mu_);
    auto it = apps_.find(app_id);
    if (it == apps_.end()) {
      entry = std::make_shared<Entry>();
      apps_[app_id] = entry;
      ++downloads_;
    } else {
      entry = it->second;
      cv_.wait(lock, [&] { return entry->done; });
      if (!entry->status.ok()) return entry->status;
      return entry->path;
    }
  }
  // This thread downloads; others wait on the entry.
  std::string path;
  Status s = Download(app_id, dfs_path, &path);
  std::lock_guard lock(mu_);
  entry->done = true;
  entry->status = s;
  entry->path = path;
  if (!s.ok()) {
    auto it = apps_.find(app_id);
    if (it != apps_.end() && it->second == entry) apps_.erase(it);
  }
  cv_.notify_all();
  if (!s.ok()) return s;
  return path;
}

Status Localizer::Download(const std::string& app_id, const std::string& dfs_path,
                           std::string* path) {
  std::string dir = JoinPath(apps_dir_, app_id);
  RETURN_NOT_OK(CreateDirs(dir));
  *path = JoinPath(dir, "job");
  std::string tmp = *path + ".download";
  RETURN_NOT_OK(RemoveAll(tmp));
  Status s = fetch_(dfs_path, tmp);
  if (s.ok() && ::chmod(tmp.c_str(), 0755) != 0) s = Status::FromErrno(errno, "chmod " + tmp);
  if (s.ok() && std::rename(tmp.c_str(), path->c_str()) != 0) {
    s = Status::FromErrno(errno, "rename " + tmp);
  }
  if (!s.ok()) {
    (void)RemoveAll(tmp);
    return s.Prepend("localizing " + dfs_path);
  }
  LOG(INFO) << "localized " << dfs_path << " for " << app_id << " at " << *path;
  return Status::OK();
}

void Localizer::Forget(const std::string& app_id) {
  std::lock_guard lock(mu_);
  auto it = apps_.find(app_id);
  // An in-flight download keeps its entry: its waiters need the outcome.
  if (it != apps_.end() && it->second->done) apps_.erase(it);
}

int Localizer::downloads() const {
  std::lock_guard lock(mu_);
  return downloads_;
}

Localizer::Fetcher DfsFetcher(const std::string& master_host, int master_port,
                              const std::string& client_host) {
  struct Shared {
    std::mutex mu;
    std::shared_ptr<dfs::DfsClient> client;  // GUARDED_BY(mu)
  };
  auto shared = std::make_shared<Shared>();
  return [=](const std::string& dfs_path, const std::string& local_path) -> Status {
    std::shared_ptr<dfs::DfsClient> client;
    {
      std::lock_guard lock(shared->mu);
      if (!shared->client) {
        dfs::DfsClient::Options options;
        options.master_host = master_host;
        options.master_port = master_port;
        options.client_host = client_host;
        ASSIGN_OR_RETURN(auto connected, dfs::DfsClient::Connect(options));
        shared->client = std::move(connected);
      }
      client = shared->client;
    }
    ASSIGN_OR_RETURN(auto reader, client->Open(dfs_path));
    ASSIGN_OR_RETURN(auto out, WritableFile::Create(local_path));
    std::string buffer;
    while (true) {
      RETURN_NOT_OK(reader->Read(4 << 20, &buffer));
      if (buffer.empty()) break;
      RETURN_NOT_OK(out->Append(buffer));
    }
    if (out->size() != static_cast<uint64_t>(reader->length())) {
      return Status::IOError("short download of " + dfs_path);
    }
    return out->Close();
  };
}

}  // namespace mr::sched::nm
