// ContainerManager: the containers of one Node Manager (docs/SCHEDULER.md,
// "Node Manager layout and container environment").
//
// A started container gets a thread of its own that localizes the binary
// (Localizer), writes LaunchContext.files into its working directory
// <dir>/apps/<app_id>/containers/<container_id>/, spawns the process in a
// new process group (process_launcher.h) as its user (container_user.h)
// and waits for it (its reaper).
//
// Files (docs/SCHEDULER.md, "Containers and users"): the working directory
// is 0700 and the files 0600, owned by the container's user; the
// application's directory stays the NM's (0711: others may pass, not list),
// with the localized binary the user's (0500) and output/ (map outputs) the
// user's (0700). The NM reads what a container writes there (logs, result,
// progress) never through a symlink (log_tail.h). An application's
// containers on one node all run as one user.
//
// Memory: with cgroup v2 (container_cgroups.h) the kernel enforces each
// grant; without it the monitor samples RSS. The NM logs which at start.
// When the process exits, what is left of its group is killed, and only
// once no process of the group remains is the container complete: its
// status recorded (exit code, diagnostics with the last stderr lines, the
// `result` file), its resources freed, and the on_complete hook called (the
// RM link heartbeats at once, so the RM frees the room without waiting for
// the next heartbeat). One monitor thread sends SIGKILL when a stop's grace
// period is over, samples each group's RSS every memory_check_ms and kills
// a group over its grant, and joins finished container threads.
//
// Records stay (for statuses and logs) until the application is cleaned up
// (StopApp, then ForgetApp once its logs are aggregated: app_cleaner.h).
//
// Thread-safety: every public method may be called from any thread; one
// mutex guards the records and the accounting.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "scheduler/nodemanager/container_cgroups.h"
#include "scheduler/nodemanager/container_env.h"
#include "scheduler/nodemanager/container_user.h"
#include "scheduler/nodemanager/localizer.h"
#include "scheduler/nodemanager/process_launcher.h"
#include "scheduler_types.h"

namespace mr::sched::nm {

class ContainerManager {
 public:
  struct Options {
    std::string dir;              // The NM's --dir; containers live under <dir>/apps.
    wire::Resource capability;    // What all containers together may use.
    NodeEnv node;
    int stop_grace_ms = 3000;     // SIGTERM, then SIGKILL after this.
    int memory_check_ms = 500;
    // Where cgroup v2 is mounted ("" never use cgroups: RSS sampling).
    std::string cgroup_root;
    // A root NM refuses launches that name no user, so nothing runs as
    // root: for a cluster with security, where every launch carries a
    // container token naming its user.
    bool require_user_when_root = false;
    // Called (without locks) whenever a container completes.
    std::function<void()> on_complete;
    // Defaults from --nm_stop_grace_ms, --nm_memory_check_ms, --nm_cgroup_root.
    static Options FromFlags();
  };

  // `localizer` must outlive the manager.
  ContainerManager(Options options, Localizer* localizer);
  ~ContainerManager();  // Shutdown().
  ContainerManager(const ContainerManager&) = delete;
  ContainerManager& operator=(const ContainerManager&) = delete;

  // Fills in the ports once the servers listen (before containers start).
  void SetPorts(int nm_port, int shuffle_port);

  // Validates and accepts a container; it launches in the background, as
  // the local user `run_as_user` ("" = the NM's own user; the NM's user too
  // whenever the NM is not root: container_user.h). PermissionDenied for
  // root, a user unknown here, or a user other than the one the
  // application's other containers on this node run as. InvalidArgument for
  // bad ids, names or resources (or a container larger
  // than the node), AlreadyExists for a known id, Unavailable if the node
  // has not that much free now, counting the room of containers being
  // stopped: a container that needs that room launches once they are gone
  // (or fails, "no room", if they outlive their stop grace by a second).
  Status Start(const wire::LaunchContext& context, const std::string& run_as_user = "");
  // SIGTERM to the group, SIGKILL after the grace period; a container not
  // yet launched never starts. Unknown or finished ids: nothing happens.
  // `preempted`: the RM takes its room back; its status says so.
  void Stop(const std::string& container_id, const std::string& reason, bool preempted = false);
  // Statuses of the known ids among `ids`, each with the container's grant;
  // a RUNNING one with the progress its process reports in the file
  // "progress" (progress_file.h; -1 when there is none), a COMPLETE one with
  // its "result" file (at most 1 MiB) whatever its exit code.
  std::vector<wire::ContainerStatus> Statuses(const std::vector<std::string>& ids);
  // The last max_bytes of the container's "stdout" or "stderr".
  Result<std::string> Log(const std::string& container_id, const std::string& stream,
                          int64_t max_bytes);

  // For a heartbeat: every running container and every completed one not
  // yet acknowledged with MarkReported, with their grants (no progress:
  // the RM does not need it, and it saves a file read per container).
  std::vector<wire::ContainerStatus> HeartbeatStatuses();
  void MarkReported(const std::vector<std::string>& container_ids);

  // Kills the application's running containers (SIGKILL: it is over).
  void StopApp(const std::string& app_id);
  // Containers of the application that have not completed.
  int RunningOf(const std::string& app_id) const;
  // Forgets the application's containers and deletes <dir>/apps/<app_id>.
  void ForgetApp(const std::string& app_id);
  // The applications with a directory under <dir>/apps (a restarted NM's
  // leftovers among them).
  std::vector<std::string> LocalAppIds() const;
  // <dir>/apps/<app_id>.
  std::string AppDir(const std::string& app_id) const;

  // Kills every container and joins every thread. Idempotent.
  void Shutdown();

  wire::Resource used() const;
  // True when the kernel enforces memory grants (cgroup v2).
  bool kernel_memory_limits() const { return cgroups_ != nullptr; }

 private:
  struct Container;
  using Clock = std::chrono::steady_clock;

  // The container's thread: Prepare, spawn, wait, Finish.
  void Launch(const std::shared_ptr<Container>& c, const wire::LaunchContext& context);
  // Until `c` holds its room in used_: false if it was stopped, the NM is
  // shutting down, or the room did not free up in time.
  bool WaitForRoom(Container* c);
  // Localizes the binary, lays out the working directory and fills *spec.
  Status Prepare(const Container& c, const wire::LaunchContext& context, LaunchSpec* spec);
  // The application's directory, its binary and output/ for the user.
  Status PrepareAppDir(const Container& c, const std::string& binary);
  // Creates the container's working directory and files, the user's.
  Status PrepareWorkingDir(const Container& c, const wire::LaunchContext& context);
  // The kernel's OOM verdict and the end of the container's cgroup.
  void EndCgroup(Container* c);
  void Finish(Container* c, int exit_code, std::string reason);
  void MonitorLoop();
  void CheckMemory();
  wire::ContainerStatus StatusOf(const Container& c) const;  // Under mu_.

  const Options options_;
  const std::string apps_dir_;
  Localizer* const localizer_;
  std::unique_ptr<ContainerCgroups> cgroups_;  // Null: RSS sampling. Set at construction.

  mutable std::mutex mu_;
  std::condition_variable cv_;  // Wakes the monitor (stop requested, shutdown).
  std::condition_variable room_cv_;  // Wakes WaitForRoom (room freed, stop, shutdown).
  NodeEnv node_;                                              // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Container>> containers_;  // GUARDED_BY(mu_)
  std::map<std::string, uid_t> app_uids_;  // The user of each app's containers. GUARDED_BY(mu_)
  wire::Resource used_;                                       // GUARDED_BY(mu_)
  bool shutting_down_ = false;                                // GUARDED_BY(mu_)
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<std::unique_ptr<Worker>> workers_;  // GUARDED_BY(mu_)
  std::thread monitor_;
};

}  // namespace mr::sched::nm
