#include "scheduler/nodemanager/container_manager.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/file.h"
#include "scheduler/nodemanager/container_env.h"
#include "scheduler/nodemanager/launch_check.h"
#include "scheduler/nodemanager/local_dirs.h"
#include "scheduler/nodemanager/log_tail.h"
#include "scheduler/nodemanager/process_launcher.h"
#include "scheduler/nodemanager/process_memory.h"
#include "scheduler/nodemanager/progress_file.h"
#include "scheduler/resourcemanager/resources.h"
#include "scheduler/shuffle/local_names.h"  // ForgetApp

DEFINE_int32(nm_stop_grace_ms, 3000,
             "After SIGTERM to a container's process group (StopContainer, a stop from the "
             "RM), how long before SIGKILL.");
DEFINE_int32(nm_memory_check_ms, 500,
             "How often the node manager sums each container's process-group RSS and kills "
             "one over its memory grant (where the kernel does not enforce grants: "
             "--nm_cgroup_root).");
DEFINE_string(nm_cgroup_root, "/sys/fs/cgroup",
              "Where cgroup v2 is mounted. If it offers the memory controller, each container "
              "runs in its own cgroup under a per-node-manager parent there, with memory.max "
              "= its memory grant, enforced by the kernel; otherwise (or with \"\") the node "
              "manager samples RSS every --nm_memory_check_ms.");

namespace mr::sched::nm {

namespace {

constexpr uint64_t kMaxResultBytes = 1 << 20;
constexpr int64_t kMaxLogBytes = 8 << 20;
constexpr int kMonitorTickMs = 50;
// A container waiting for the room of stopped ones gives up this long after
// their stop grace (they are SIGKILLed by then).
constexpr int kRoomWaitSlackMs = 1000;
// How long the NM waits for the rest of an exited container's process group
// to die of SIGKILL (processes in uninterruptible sleep) before it frees the
// container's room anyway.
constexpr int kGroupGoneWaitMs = 10000;

}  // namespace

// One container. Fields other than the constants are GUARDED_BY(mu_).
struct ContainerManager::Container {
  std::string id;
  std::string app_id;
  ContainerUser user;
  wire::Resource resource;
  std::string dir;  // Working directory.
  pid_t pid = 0;    // From spawn until reaped (then 0 again); the process group id too.
  bool complete = false;
  bool reported = false;  // Completed and acknowledged by a heartbeat.
  int exit_code = -1;
  std::string diagnostics;
  std::string result;
  // Set when we end it (stop, memory): the reason diagnostics give.
  std::string kill_reason;
  bool preempted = false;  // Stopped by the RM to take its room back.
  bool kill_pending = false;  // SIGTERM sent; SIGKILL due at kill_deadline.
  std::chrono::steady_clock::time_point kill_deadline;
  // Its resource is counted in used_. False while it waits for the room of
  // containers being stopped (Start), and once complete.
  bool holds_room = false;
  bool in_cgroup = false;  // It has a cgroup (container_cgroups.h) to end.
};

ContainerManager::Options ContainerManager::Options::FromFlags() {
  Options options;
  options.stop_grace_ms = FLAGS_nm_stop_grace_ms;
  options.memory_check_ms = FLAGS_nm_memory_check_ms;
  options.cgroup_root = FLAGS_nm_cgroup_root;
  return options;
}

ContainerManager::ContainerManager(Options options, Localizer* localizer)
    : options_(std::move(options)),
      apps_dir_(JoinPath(options_.dir, "apps")),
      localizer_(localizer),
      node_(options_.node),
      used_(MakeResource(0, 0)) {
  if (!options_.cgroup_root.empty()) {
    auto cgroups = ContainerCgroups::Open(options_.cgroup_root, options_.node.node_id,
                                          options_.dir);
    if (cgroups.ok()) {
      cgroups_ = std::move(cgroups).value();
    } else {
      LOG(WARNING) << "cgroup v2 memory limits unavailable: " << cgroups.status().ToString();
    }
  }
  if (cgroups_ != nullptr) {
    LOG(INFO) << "memory grants enforced by the kernel: cgroup v2 memory.max under "
              << cgroups_->parent();
  } else {
    LOG(INFO) << "memory grants enforced by sampling each container's RSS every "
              << options_.memory_check_ms << " ms";
  }
  LOG(INFO) << (::geteuid() == 0
                    ? "running as root: each container runs as the user its launch names"
                    : "not running as root: every container runs as this process's user");
  monitor_ = std::thread([this] { MonitorLoop(); });
}

ContainerManager::~ContainerManager() { Shutdown(); }

void ContainerManager::SetPorts(int nm_port, int shuffle_port) {
  std::lock_guard lock(mu_);
  node_.nm_port = nm_port;
  node_.shuffle_port = shuffle_port;
}

Status ContainerManager::Start(const wire::LaunchContext& context,
                               const std::string& run_as_user) {
  RETURN_NOT_OK(CheckLaunchContext(context, options_.capability, options_.node.node_id));
  Result<ContainerUser> user = ResolveContainerUser(run_as_user);
  if (user.ok() && !user->switch_user && user->uid == 0 && options_.require_user_when_root) {
    user = Status::PermissionDenied("container " + context.container_id +
                                    " names no user, and this node manager runs as root");
  }
  if (!user.ok()) {
    LOG(WARNING) << "container " << context.container_id << " refused: "
                 << user.status().ToString();
    return user.status();
  }

  auto c = std::make_shared<Container>();
  c->user = std::move(user).value();
  c->id = context.container_id;
  c->app_id = context.app_id;
  c->resource = context.resource;
  c->dir = JoinPath(JoinPath(JoinPath(apps_dir_, c->app_id), "containers"), c->id);
  bool waits = false;
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return Status::Unavailable("node manager is shutting down");
    if (containers_.count(c->id) > 0) {
      return Status::AlreadyExists("container " + c->id + " already started on this node");
    }
    auto app_user = app_uids_.find(c->app_id);
    if (app_user != app_uids_.end() && app_user->second != c->user.uid) {
      return Status::PermissionDenied(
          "container " + c->id + " would run as uid " + std::to_string(c->user.uid) +
          ", but " + c->app_id + " runs as uid " + std::to_string(app_user->second) +
          " on this node");
    }
    wire::Resource free = Minus(options_.capability, used_);
    if (Fits(c->resource, free)) {
      AddTo(&used_, c->resource);
      c->holds_room = true;
    } else {
      // The RM counts a container's room free once its AM releases it, while
      // here it is held until the process is gone (at most the stop grace):
      // a container that fits in the room of those being stopped, less what
      // others already wait for, waits for it (WaitForRoom) instead of being
      // refused.
      wire::Resource freeing = MakeResource(0, 0);
      wire::Resource awaited = MakeResource(0, 0);
      for (const auto& [id, other] : containers_) {
        if (other->holds_room && !other->kill_reason.empty()) AddTo(&freeing, other->resource);
        if (!other->holds_room && !other->complete) AddTo(&awaited, other->resource);
      }
      wire::Resource soon = free;
      AddTo(&soon, freeing);
      if (!Fits(awaited, soon) || !Fits(c->resource, Minus(soon, awaited))) {
        return Status::Unavailable("node " + options_.node.node_id + " has " + ToString(free) +
                                   " free; container " + c->id + " asks " +
                                   ToString(c->resource));
      }
    }
    waits = !c->holds_room;
    containers_[c->id] = c;
    app_uids_[c->app_id] = c->user.uid;
    auto worker = std::make_unique<Worker>();
    Worker* w = worker.get();
    // The thread gets its own copy of the context: the caller's goes away.
    w->thread = std::thread([this, c, w, context] {
      Launch(c, context);
      w->done = true;
    });
    workers_.push_back(std::move(worker));
  }
  LOG(INFO) << "container " << c->id << ": accepted (" << ToString(c->resource) << ")"
            << (c->user.switch_user ? " to run as " + c->user.name : "")
            << (waits ? ", waiting for the room of containers being stopped" : "");
  return Status::OK();
}

Status ContainerManager::Prepare(const Container& c, const wire::LaunchContext& context,
                                 LaunchSpec* spec) {
  Result<std::string> binary = localizer_->Localize(c.app_id, context.binary_dfs_path);
  if (!binary.ok()) return Status::IOError("localization failed: " + binary.status().ToString());
  Status s = PrepareAppDir(c, *binary);
  if (s.ok()) s = PrepareWorkingDir(c, context);
  if (!s.ok()) return s.Prepend("launch failed");
  spec->binary = *binary;
  spec->arguments = context.arguments;
  NodeEnv node;
  {
    std::lock_guard lock(mu_);
    node = node_;
  }
  spec->env = ContainerEnvironment(node, c.app_id, c.id, c.resource,
                                   JoinPath(apps_dir_, c.app_id), context.env, c.user);
  spec->working_dir = c.dir;
  spec->stdout_path = JoinPath(c.dir, "stdout");
  spec->stderr_path = JoinPath(c.dir, "stderr");
  spec->user = c.user;
  return Status::OK();
}

namespace {

// `path` (never a symlink) owned by uid:gid with `mode`.
Status SetOwnerAndMode(const std::string& path, uid_t uid, gid_t gid, mode_t mode) {
  if (::fchownat(AT_FDCWD, path.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::FromErrno(errno, "chown " + path);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
  if (S_ISLNK(st.st_mode)) return Status::PermissionDenied(path + " is a symlink");
  if (::chmod(path.c_str(), mode) != 0) return Status::FromErrno(errno, "chmod " + path);
  return Status::OK();
}

// A directory at `path` with `mode`, owned by uid:gid: created, or found
// owned by `uid` already (anything else there is refused, not taken over).
Status OwnedDir(const std::string& path, uid_t uid, gid_t gid, mode_t mode) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode) || st.st_uid != uid) {
      return Status::PermissionDenied(path + " is not a directory of uid " + std::to_string(uid));
    }
  } else if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "mkdir " + path);
  }
  return SetOwnerAndMode(path, uid, gid, mode);
}

}  // namespace

Status ContainerManager::PrepareAppDir(const Container& c, const std::string& binary) {
  if (!c.user.switch_user) return Status::OK();  // Everything is the NM's user's.
  const uid_t nm_uid = ::geteuid();
  const gid_t nm_gid = ::getegid();
  std::string app_dir = AppDir(c.app_id);
  // The NM's, so that the user can replace nothing the NM later opens as
  // root; others may pass (to nothing they can read), not list.
  RETURN_NOT_OK(OwnedDir(app_dir, nm_uid, nm_gid, 0711));
  RETURN_NOT_OK(OwnedDir(JoinPath(app_dir, "containers"), nm_uid, nm_gid, 0711));
  RETURN_NOT_OK(OwnedDir(JoinPath(app_dir, "output"), c.user.uid, c.user.gid, 0700));
  return SetOwnerAndMode(binary, c.user.uid, c.user.gid, 0500);
}

Status ContainerManager::PrepareWorkingDir(const Container& c,
                                           const wire::LaunchContext& context) {
  // Built as the NM's own 0700 directory, handed to the user once complete:
  // until then nobody else can put anything (a symlink) in it.
  RETURN_NOT_OK(RemoveAll(c.dir));  // A leftover of an earlier NM run in the same --dir.
  RETURN_NOT_OK(CreateDirs(DirName(c.dir)));
  if (::mkdir(c.dir.c_str(), 0700) != 0) return Status::FromErrno(errno, "mkdir " + c.dir);
  for (const auto& [name, bytes] : context.files) {
    std::string path = JoinPath(c.dir, name);
    ASSIGN_OR_RETURN(auto file, WritableFile::Create(path, bytes.size() + 1, 0600));
    RETURN_NOT_OK(file->Append(bytes));
    RETURN_NOT_OK(file->Close());
    if (c.user.switch_user) RETURN_NOT_OK(SetOwnerAndMode(path, c.user.uid, c.user.gid, 0600));
  }
  return SetOwnerAndMode(c.dir, c.user.uid, c.user.gid, 0700);
}

bool ContainerManager::WaitForRoom(Container* c) {
  std::unique_lock lock(mu_);
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.stop_grace_ms) +
                        std::chrono::milliseconds(kRoomWaitSlackMs);
  while (!c->holds_room) {
    if (shutting_down_ || !c->kill_reason.empty()) return false;
    if (Fits(c->resource, Minus(options_.capability, used_))) {
      AddTo(&used_, c->resource);
      c->holds_room = true;
    } else if (room_cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
               !Fits(c->resource, Minus(options_.capability, used_))) {
      return false;
    }
  }
  return true;
}

void ContainerManager::Launch(const std::shared_ptr<Container>& c,
                              const wire::LaunchContext& context) {
  if (!WaitForRoom(c.get())) {
    Finish(c.get(), -1,
           "no room on node " + options_.node.node_id + " for " + ToString(c->resource));
    return;
  }
  LaunchSpec spec;
  Status s = Prepare(*c, context, &spec);
  if (!s.ok()) {
    Finish(c.get(), -1, s.message());
    return;
  }
  bool stopped;
  {
    std::lock_guard lock(mu_);
    stopped = !c->kill_reason.empty();  // While localizing.
  }
  if (stopped) {
    Finish(c.get(), -1, "");
    return;
  }
  if (cgroups_ != nullptr) {
    Result<std::string> procs = cgroups_->Create(c->id, c->resource.memory_mb << 20);
    if (!procs.ok()) {
      Finish(c.get(), -1, "launch failed: cgroup: " + procs.status().ToString());
      return;
    }
    spec.cgroup_procs = *procs;
    c->in_cgroup = true;  // Only this thread reads it.
  }
  Result<pid_t> pid = SpawnProcess(spec);
  if (!pid.ok()) {
    EndCgroup(c.get());
    Finish(c.get(), -1, "launch failed: " + pid.status().ToString());
    return;
  }
  {
    std::lock_guard lock(mu_);
    c->pid = *pid;
    if (shutting_down_) {
      SignalGroup(c->pid, SIGKILL);
    } else if (!c->kill_reason.empty()) {  // Stopped while spawning.
      SignalGroup(c->pid, SIGTERM);
      c->kill_pending = true;
      c->kill_deadline = Clock::now() + std::chrono::milliseconds(options_.stop_grace_ms);
    }
  }
  VLOG(1) << "container " << c->id << ": pid " << *pid;
  // Observe the exit without reaping, so that the pid (the group id) is not
  // reused while the rest of the group is killed; then reap.
  siginfo_t info;
  while (::waitid(P_PID, *pid, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  {
    std::lock_guard lock(mu_);
    SignalGroup(*pid, SIGKILL);  // Whatever it left running in its group.
  }
  // The container's room is free only once its whole group is gone. The
  // unreaped leader keeps the group id from being reused meanwhile.
  auto give_up = Clock::now() + std::chrono::milliseconds(kGroupGoneWaitMs);
  while (GroupHasOtherProcesses(*pid, *pid)) {
    if (Clock::now() > give_up) {
      LOG(WARNING) << "container " << c->id << ": processes of group " << *pid
                   << " outlive SIGKILL by " << kGroupGoneWaitMs << " ms; freeing it anyway";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mu_);
    SignalGroup(*pid, SIGKILL);
  }
  int wait_status = 0;
  {
    // Reaped under the lock, and the pid forgotten at once: once reaped, the
    // pid may belong to any new process, which no later Stop, cleanup or
    // memory kill may signal.
    std::lock_guard lock(mu_);
    while (::waitpid(*pid, &wait_status, 0) < 0 && errno == EINTR) {
    }
    c->pid = 0;
    c->kill_pending = false;
  }
  EndCgroup(c.get());
  std::string reason;
  int code = ExitCodeOf(wait_status, &reason);
  Finish(c.get(), code, code == 0 ? "" : reason);
}

void ContainerManager::EndCgroup(Container* c) {
  if (!c->in_cgroup) return;
  c->in_cgroup = false;
  int64_t oom_kills = cgroups_->OomKills(c->id);
  // Also kills what left the process group (setsid) but not the cgroup.
  Status removed = cgroups_->Remove(c->id);
  if (!removed.ok()) LOG(WARNING) << "container " << c->id << ": " << removed.ToString();
  if (oom_kills == 0) return;
  std::lock_guard lock(mu_);
  if (!c->kill_reason.empty()) return;
  c->kill_reason = "killed: memory limit " + std::to_string(c->resource.memory_mb) +
                   " MB exceeded (the kernel's OOM killer ended " + std::to_string(oom_kills) +
                   " process" + (oom_kills == 1 ? "" : "es") + " in its cgroup)";
  LOG(WARNING) << "container " << c->id << ": " << c->kill_reason;
}

void ContainerManager::Finish(Container* c, int exit_code, std::string reason) {
  // Whatever the exit: a failed task may explain itself there (a reduce's
  // fetch failures).
  std::string result;
  std::string note;  // Why a clean exit still says something.
  {
    uint64_t size = 0;
    Result<std::string> bytes =
        ReadFileTail(JoinPath(c->dir, "result"), kMaxResultBytes, &size);
    if (bytes.ok() && size > kMaxResultBytes) {
      note = "result file of " + std::to_string(size) + " bytes is over 1 MiB; dropped";
    } else if (bytes.ok()) {
      result = std::move(bytes).value();
    }
  }
  std::string tail = LastLines(JoinPath(c->dir, "stderr"));
  {
    std::lock_guard lock(mu_);
    if (c->complete) return;
    if (!c->kill_reason.empty()) reason = c->kill_reason;
    if (reason.empty()) reason = note;
    c->complete = true;
    c->kill_pending = false;
    c->exit_code = exit_code;
    if (!reason.empty()) c->diagnostics = tail.empty() ? reason : reason + "\n" + tail;
    c->result = std::move(result);
    if (c->holds_room) SubtractFrom(&used_, c->resource);
    c->holds_room = false;
    room_cv_.notify_all();
    LOG(INFO) << "container " << c->id << ": complete, exit code " << exit_code
              << (reason.empty() ? "" : " (" + reason + ")");
  }
  if (options_.on_complete) options_.on_complete();
}

void ContainerManager::Stop(const std::string& container_id, const std::string& reason,
                            bool preempted) {
  std::lock_guard lock(mu_);
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return;
  Container* c = it->second.get();
  if (c->complete || !c->kill_reason.empty()) return;
  c->kill_reason = reason;
  c->preempted = preempted;
  room_cv_.notify_all();  // It may be waiting for room (WaitForRoom).
  if (c->pid > 0) {
    SignalGroup(c->pid, SIGTERM);
    c->kill_pending = true;
    c->kill_deadline = Clock::now() + std::chrono::milliseconds(options_.stop_grace_ms);
  }
  LOG(INFO) << "container " << container_id << ": " << reason;
}

wire::ContainerStatus ContainerManager::StatusOf(const Container& c) const {
  wire::ContainerStatus s;
  s.container_id = c.id;
  s.app_id = c.app_id;
  s.state = c.complete ? wire::ContainerState::COMPLETE : wire::ContainerState::RUNNING;
  s.exit_code = c.complete ? c.exit_code : 0;
  s.resource = c.resource;
  s.__isset.resource = true;
  if (c.complete) {
    s.diagnostics = c.diagnostics;
    s.result = c.result;
    s.preempted = c.preempted;
  }
  return s;
}

std::vector<wire::ContainerStatus> ContainerManager::Statuses(const std::vector<std::string>& ids) {
  std::vector<wire::ContainerStatus> out;
  std::vector<std::pair<size_t, std::string>> progress_files;  // Of the running ones.
  {
    std::lock_guard lock(mu_);
    for (const std::string& id : ids) {
      auto it = containers_.find(id);
      if (it == containers_.end()) continue;
      const Container& c = *it->second;
      if (!c.complete && c.pid > 0) {
        progress_files.emplace_back(out.size(), JoinPath(c.dir, kProgressFileName));
      }
      out.push_back(StatusOf(c));
    }
  }
  // Read without the lock: the files are the processes', small, and may be
  // missing or garbage (then progress stays -1).
  for (const auto& [i, path] : progress_files) {
    ProgressReport report = ReadProgressFile(path);
    out[i].progress = report.fraction;
    out[i].progress_ticks = report.ticks;
  }
  return out;
}

Result<std::string> ContainerManager::Log(const std::string& container_id,
                                          const std::string& stream, int64_t max_bytes) {
  if (stream != "stdout" && stream != "stderr") {
    return Status::InvalidArgument("log stream must be stdout or stderr, not '" +
                                   stream.substr(0, 32) + "'");
  }
  std::string dir;
  {
    std::lock_guard lock(mu_);
    auto it = containers_.find(container_id);
    if (it == containers_.end()) {
      return Status::NotFound("no container " + container_id.substr(0, 300) + " on this node");
    }
    dir = it->second->dir;
  }
  uint64_t n = static_cast<uint64_t>(std::clamp<int64_t>(max_bytes, 0, kMaxLogBytes));
  Result<std::string> tail = ReadFileTail(JoinPath(dir, stream), n);
  if (!tail.ok() && tail.status().IsNotFound()) return std::string();  // Not launched yet.
  return tail;
}

std::vector<wire::ContainerStatus> ContainerManager::HeartbeatStatuses() {
  std::vector<wire::ContainerStatus> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : containers_) {
    if (!c->reported) out.push_back(StatusOf(*c));
  }
  return out;
}

void ContainerManager::MarkReported(const std::vector<std::string>& container_ids) {
  std::lock_guard lock(mu_);
  for (const std::string& id : container_ids) {
    auto it = containers_.find(id);
    if (it != containers_.end() && it->second->complete) it->second->reported = true;
  }
}

void ContainerManager::StopApp(const std::string& app_id) {
  int killed = 0;
  std::lock_guard lock(mu_);
  for (auto& [id, c] : containers_) {
    if (c->app_id != app_id || c->complete) continue;
    if (c->kill_reason.empty()) c->kill_reason = "stopped: application finished";
    if (c->pid > 0) SignalGroup(c->pid, SIGKILL);
    ++killed;
  }
  room_cv_.notify_all();  // Containers waiting for room see their kill_reason.
  if (killed > 0) LOG(INFO) << "stopping " << killed << " containers of " << app_id;
}

int ContainerManager::RunningOf(const std::string& app_id) const {
  int running = 0;
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : containers_) running += c->app_id == app_id && !c->complete;
  return running;
}

void ContainerManager::ForgetApp(const std::string& app_id) {
  if (!shuffle::IsSafeLocalName(app_id)) {
    LOG(WARNING) << "ignoring cleanup of a bad app id";
    return;
  }
  {
    std::lock_guard lock(mu_);
    for (auto it = containers_.begin(); it != containers_.end();) {
      // A container still running (it outlived its kill) keeps its record
      // in its thread until it ends.
      it = it->second->app_id == app_id ? containers_.erase(it) : std::next(it);
    }
    app_uids_.erase(app_id);
  }
  localizer_->Forget(app_id);
  Status s = RemoveAll(AppDir(app_id));
  LOG(INFO) << "cleaned up " << app_id << (s.ok() ? "" : ": " + s.ToString());
}

std::vector<std::string> ContainerManager::LocalAppIds() const {
  std::vector<std::string> ids;
  for (const std::string& name : SubdirectoryNames(apps_dir_)) {
    if (shuffle::IsSafeLocalName(name) && name.rfind("app_", 0) == 0) ids.push_back(name);
  }
  return ids;
}

std::string ContainerManager::AppDir(const std::string& app_id) const {
  return JoinPath(apps_dir_, app_id);
}

wire::Resource ContainerManager::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

void ContainerManager::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    for (auto& [id, c] : containers_) {
      if (c->complete) continue;
      if (c->kill_reason.empty()) c->kill_reason = "stopped: node manager shutting down";
      if (c->pid > 0) SignalGroup(c->pid, SIGKILL);
    }
    cv_.notify_all();
    room_cv_.notify_all();
  }
  if (monitor_.joinable()) monitor_.join();
  std::list<std::unique_ptr<Worker>> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w->thread.join();
}

void ContainerManager::MonitorLoop() {
  auto next_memory_check = Clock::now();
  std::unique_lock lock(mu_);
  while (!shutting_down_) {
    cv_.wait_for(lock, std::chrono::milliseconds(kMonitorTickMs));
    if (shutting_down_) break;
    auto now = Clock::now();
    for (auto& [id, c] : containers_) {
      if (c->kill_pending && now >= c->kill_deadline) {
        SignalGroup(c->pid, SIGKILL);
        c->kill_pending = false;
      }
    }
    std::list<std::unique_ptr<Worker>> finished;
    for (auto it = workers_.begin(); it != workers_.end();) {
      if ((*it)->done) {
        finished.push_back(std::move(*it));
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    bool check_memory = now >= next_memory_check;
    lock.unlock();
    for (auto& w : finished) w->thread.join();
    if (check_memory) {
      CheckMemory();
      next_memory_check = now + std::chrono::milliseconds(std::max(1, options_.memory_check_ms));
    }
    lock.lock();
  }
}

void ContainerManager::CheckMemory() {
  if (cgroups_ != nullptr) return;  // The kernel enforces the grants.
  // The /proc scan runs without the lock; a container that ended meanwhile
  // is skipped below (its pid is checked again under the lock).
  std::map<pid_t, uint64_t> rss = RssByProcessGroup();
  std::lock_guard lock(mu_);
  for (auto& [id, c] : containers_) {
    if (c->complete || c->pid <= 0 || !c->kill_reason.empty()) continue;
    auto it = rss.find(c->pid);
    if (it == rss.end()) continue;
    uint64_t rss_mb = it->second >> 20;
    if (static_cast<int64_t>(it->second) <= (c->resource.memory_mb << 20)) continue;
    c->kill_reason = "killed: memory limit " + std::to_string(c->resource.memory_mb) +
                     " MB exceeded (RSS " + std::to_string(rss_mb) + " MB)";
    SignalGroup(c->pid, SIGKILL);
    LOG(WARNING) << "container " << id << ": " << c->kill_reason;
  }
}

}  // namespace mr::sched::nm
