#include "scheduler/client/submit.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <gflags/gflags.h>

#include "common/clock.h"
#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/subprocess.h"
#include "counters.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/dfs_path_limits.h"
#include "scheduler/client/cluster_endpoints.h"
#include "scheduler/client/progress_display.h"
#include "scheduler/client/report_format.h"
#include "scheduler/client/staging.h"

DEFINE_int32(mrjob_poll_ms, 25,
             "Interval at which a submitting client polls its job's state (one cheap RPC; a "
             "short job's end is seen this much sooner).");
DEFINE_int32(mrjob_rm_timeout_ms, 30000,
             "A submitting client gives up when the resource manager has not answered for "
             "this long.");
DEFINE_int32(mrjob_am_memory_mb, 512, "Memory of a job's Application Master container.");
// An AM is a control loop (heartbeats, polls, bookkeeping), not a worker:
// by default it asks for memory only, so that on small clusters, where
// vcores are the scarce resource, every vcore runs tasks and several jobs
// can run at once (docs/SCHEDULER.md, "Queues and fair shares").
DEFINE_int32(mrjob_am_vcores, 0,
             "Cores of a job's Application Master container (0: memory only).");
DEFINE_int32(mrjob_check_timeout_ms, 30000,
             "A job binary asked to check its flags before a submission (--mr_role=check) "
             "must answer within this long.");

namespace mr::sched {

namespace {

constexpr size_t kUploadPieceBytes = 1 << 20;

void PrintError(std::ostream& err, const std::string& message) {
  err << ProgramName() << ": " << message << "\n";
  err.flush();
}

std::string UserName() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return std::to_string(::getuid());
}

// Input exists, output does not.
Status CheckDfsPaths(dfs::DfsClient* dfs, const SubmitOptions& options) {
  Result<dfs::DfsFileStatus> input = dfs->Stat(options.input);
  if (!input.ok()) {
    if (input.status().IsNotFound()) {
      return Status::NotFound("input " + options.input + " does not exist in the DFS");
    }
    return input.status();
  }
  Result<dfs::DfsFileStatus> output = dfs->Stat(options.output);
  if (output.ok()) return Status::AlreadyExists("output " + options.output + " already exists");
  if (!output.status().IsNotFound()) return output.status();
  return Status::OK();
}

Status Upload(dfs::DfsClient* dfs, const std::string& local, const std::string& target) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in, RandomAccessFile::Open(local));
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsFileWriter> writer,
                   dfs->Create(target, dfs::DfsClient::CreateOptions()));
  std::string buffer(kUploadPieceBytes, '\0');
  for (uint64_t offset = 0; offset < in->size();) {
    size_t got = 0;
    Status s = in->Read(offset, buffer.size(), buffer.data(), &got);
    if (s.ok() && got == 0) s = Status::IOError(local + " shrank while being read");
    if (s.ok()) s = writer->Write(std::string_view(buffer.data(), got));
    if (!s.ok()) {
      writer->Abort();
      return s;
    }
    offset += got;
  }
  return writer->Close();
}

// The job's own message for a usage error (exit code 2), else one line
// saying what went wrong.
struct JobCheckFailure {
  int exit_code;
  std::string message;
};

std::string LastLine(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// Runs the binary's own flag check: the AM's command line with
// --mr_role=check. Fills *description, or returns the failure.
std::optional<JobCheckFailure> CheckJobFlags(const SubmitOptions& options,
                                             JobDescription* description) {
  std::vector<std::string> argv = AmArguments(options);
  argv.front() = "--mr_role=check";
  argv.insert(argv.begin(), options.binary);
  Result<ProcessOutput> run = RunProcess(argv, FLAGS_mrjob_check_timeout_ms);
  const std::string what = "job binary " + options.binary;
  if (!run.ok()) return JobCheckFailure{kExitFailure, what + ": " + run.status().ToString()};
  if (run->timed_out) {
    return JobCheckFailure{kExitFailure, what + " did not answer its flag check (--mr_role=check) "
                                         "within " + std::to_string(FLAGS_mrjob_check_timeout_ms) +
                                         " ms"};
  }
  if (run->exit_code == kExitUsage) {
    std::string message = run->err;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return JobCheckFailure{kExitUsage, message.empty() ? what + ": usage error" : message};
  }
  std::istringstream lines(run->out);
  std::string line;
  bool answered = std::getline(lines, line) && line == kJobCheckVersionLine;
  if (run->exit_code != 0 || !answered) {
    std::string detail = run->exit_code != 0 ? DescribeExitCode(run->exit_code) : "no answer";
    std::string tail = LastLine(run->err);
    return JobCheckFailure{kExitFailure,
                           what + " is not a MapReduce job binary, or failed its flag check (" +
                               detail + (tail.empty() ? "" : ": " + tail) +
                               "); job binaries hand their command line to mr::JobMain"};
  }
  while (std::getline(lines, line)) {
    if (line.rfind("job ", 0) == 0) description->name = line.substr(4);
    if (line.rfind("file ", 0) == 0) description->files.push_back(line.substr(5));
  }
  return std::nullopt;
}

// Makes the job's staging directory, private to its submitter: /.staging is
// world-writable with the sticky bit (a fresh DFS makes it so) and app ids
// are predictable, so a directory someone else made there first is refused,
// never used: its owner could swap the binary the job runs.
Status MakeStagingDir(dfs::DfsClient* dfs, const std::string& app_id) {
  const std::string dir = StagingDir(app_id);
  RETURN_NOT_OK(dfs->Mkdirs(dir, 0700));
  ASSIGN_OR_RETURN(dfs::DfsCaller me, dfs->WhoAmI());
  ASSIGN_OR_RETURN(dfs::DfsFileStatus status, dfs->Stat(dir));
  if (status.owner != me.user) {
    return Status::PermissionDenied("staging directory " + dir + " belongs to " + status.owner +
                                    ", not to " + me.user + " (made before this job; an "
                                    "administrator can remove it)");
  }
  if ((status.mode & 0777) != 0700) RETURN_NOT_OK(dfs->SetPermission(dir, 0700));
  return Status::OK();
}

// Stages the binary and the job's files, and submits; returns the app id.
Result<std::string> Submit(const SubmitOptions& options, const JobDescription& description,
                           dfs::DfsClient* dfs, RmClient* rm) {
  ASSIGN_OR_RETURN(std::string app_id, rm->CallFor<std::string>("NewApplication",
      [](auto& stub, auto& out) { stub.NewApplication(out); }));
  wire::ApplicationSubmission submission;
  submission.app_id = app_id;
  submission.name = BaseName(options.binary);
  submission.user = UserName();
  submission.binary_dfs_path = StagedBinaryPath(app_id);
  submission.am_args = AmArguments(options);
  submission.am_resource.vcores = std::max(0, FLAGS_mrjob_am_vcores);
  submission.am_resource.memory_mb = std::max(1, FLAGS_mrjob_am_memory_mb);
  submission.queue = options.queue;
  Status s = MakeStagingDir(dfs, app_id);
  if (s.ok()) {
    s = Upload(dfs, options.binary, submission.binary_dfs_path)
            .Prepend("uploading " + options.binary);
  }
  for (size_t i = 0; s.ok() && i < description.files.size(); ++i) {
    const std::string& file = description.files[i];
    s = Upload(dfs, file, StagedFilesDir(app_id) + "/" + BaseName(file)).Prepend("uploading " + file);
  }
  if (s.ok()) {
    s = rm->Call("SubmitApplication", [&](auto& stub) { stub.SubmitApplication(submission); });
  }
  if (!s.ok()) {
    (void)dfs->Delete(StagingDir(app_id), /*recursive=*/true);
    return s;
  }
  return app_id;
}

}  // namespace

Status ValidateSubmitOptions(const SubmitOptions& options) {
  if (options.cluster_dir.empty()) return Status::InvalidArgument("--cluster DIR is required");
  if (options.binary.empty()) return Status::InvalidArgument("--binary PATH is required");
  if (options.input.empty()) return Status::InvalidArgument("--input is required");
  if (options.output.empty()) return Status::InvalidArgument("--output is required");
  if (options.reducers < 0) return Status::InvalidArgument("--reducers must not be negative");
  if (options.partitioner != "" && options.partitioner != "hash" &&
      options.partitioner != "range") {
    return Status::InvalidArgument("--partitioner must be hash or range, got '" +
                                   options.partitioner + "'");
  }
  RETURN_NOT_OK_PREPEND(dfs::ValidateDfsPath(options.input), "--input");
  RETURN_NOT_OK_PREPEND(dfs::ValidateDfsPath(options.output), "--output");
  if (options.output == "/") return Status::InvalidArgument("--output must not be /");
  return Status::OK();
}

Status CheckJobBinary(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("job binary " + path + " does not exist");
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("job binary " + path + " is not a file");
  if (::access(path.c_str(), X_OK) != 0) {
    return Status::InvalidArgument("job binary " + path + " is not executable");
  }
  return Status::OK();
}

std::vector<std::string> AmArguments(const SubmitOptions& options) {
  std::vector<std::string> args = {"--mr_role=am", "--input=" + options.input,
                                   "--output=" + options.output};
  if (options.reducers > 0) args.push_back("--reducers=" + std::to_string(options.reducers));
  if (!options.partitioner.empty()) args.push_back("--partitioner=" + options.partitioner);
  args.insert(args.end(), options.job_args.begin(), options.job_args.end());
  return args;
}

int WaitForApplication(const std::string& cluster_dir, const std::string& app_id,
                       const std::string& output, std::ostream& out, std::ostream& err,
                       bool terminal) {
  Result<cluster::ClusterConfig> config = cluster::LoadConfig(cluster_dir);
  if (!config.ok()) {
    PrintError(err, config.status().ToString());
    return kExitFailure;
  }
  Result<std::unique_ptr<RmClient>> rm = ConnectResourceManager(*config);
  if (!rm.ok()) {
    PrintError(err, rm.status().ToString());
    return kExitFailure;
  }
  ProgressDisplay display(terminal);
  int64_t failing_since = 0;
  wire::ApplicationReport report;
  while (true) {
    // Brief: the attempts, which grow with the job, are not needed here.
    Result<wire::ApplicationReport> got = (*rm)->CallFor<wire::ApplicationReport>(
        "GetApplication",
        [&](auto& stub, auto& r) { stub.GetApplication(r, app_id, /*brief=*/true); });
    if (got.ok()) {
      failing_since = 0;
      report = *std::move(got);
      JobProgress progress;
      progress.state = AppStateName(report.state);
      progress.map = report.map_progress;
      progress.reduce = report.reduce_progress;
      progress.running = report.attempt_counts["RUNNING"];
      progress.failed = report.attempt_counts["FAILED"];
      progress.killed = report.attempt_counts["KILLED"];
      if (report.state == wire::AppState::ACCEPTED) progress.waiting = report.wait_reason;
      out << display.Update(progress);
      out.flush();
      if (IsFinal(report.state)) break;
    } else {
      if (got.status().IsNotFound() || failing_since == 0) failing_since = SteadyClockMs();
      if (got.status().IsNotFound() || SteadyClockMs() - failing_since > FLAGS_mrjob_rm_timeout_ms) {
        out << display.Finish();
        PrintError(err, "following " + app_id + ": " + got.status().ToString());
        return kExitFailure;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max(1, FLAGS_mrjob_poll_ms)));
  }
  out << display.Finish();
  if (report.state != wire::AppState::SUCCEEDED) {
    std::string verb = report.state == wire::AppState::KILLED ? "was killed" : "failed";
    PrintError(err, "job " + report.app_id + " (" + report.name + ") " + verb +
                        (report.diagnostics.empty() ? "" : ": " + report.diagnostics));
    return kExitFailure;
  }
  Result<Counters> counters = Counters::FromJson(report.counters_json);
  double seconds = (report.finish_time_ms - report.submit_time_ms) / 1000.0;
  char line[512];
  std::snprintf(line, sizeof(line), "Job %s (%s) succeeded in %.2f s; output in %s\n",
                report.name.c_str(), report.app_id.c_str(), seconds, output.c_str());
  out << line << "Counters:\n" << (counters.ok() ? counters->ToText() : "");
  out.flush();
  return kExitOk;
}

int SubmitAndWait(const SubmitOptions& options) {
  Status valid = ValidateSubmitOptions(options);
  if (!valid.ok()) {
    PrintError(std::cerr, valid.message() + " (try --help)");
    return kExitUsage;
  }
  // Checks before anything runs: the binary and its own flags, then the
  // DFS paths.
  Status s = CheckJobBinary(options.binary);
  JobDescription description;
  if (s.ok()) {
    if (std::optional<JobCheckFailure> failed = CheckJobFlags(options, &description)) {
      if (failed->exit_code == kExitUsage) {
        std::cerr << failed->message << "\n";
      } else {
        PrintError(std::cerr, failed->message);
      }
      return failed->exit_code;
    }
  }
  Result<cluster::ClusterConfig> config = cluster::LoadConfig(options.cluster_dir);
  if (s.ok() && !config.ok()) s = config.status();
  std::unique_ptr<dfs::DfsClient> dfs;
  if (s.ok()) {
    Result<std::unique_ptr<dfs::DfsClient>> connected =
        dfs::DfsClient::ConnectToCluster(options.cluster_dir);
    if (connected.ok()) dfs = *std::move(connected);
    else s = connected.status();
  }
  if (s.ok()) s = CheckDfsPaths(dfs.get(), options);
  std::unique_ptr<RmClient> rm;
  if (s.ok()) {
    Result<std::unique_ptr<RmClient>> connected = ConnectResourceManager(*config);
    if (connected.ok()) rm = *std::move(connected);
    else s = connected.status();
  }
  Result<std::string> app_id =
      s.ok() ? Submit(options, description, dfs.get(), rm.get()) : Result<std::string>(s);
  if (!app_id.ok()) {
    const Status& e = app_id.status();
    // Our own checks' messages stand alone; others say what failed.
    bool own = e.IsNotFound() || e.IsAlreadyExists() || e.code() == Status::Code::kInvalidArgument;
    PrintError(std::cerr, own ? e.message() : e.ToString());
    return kExitFailure;
  }
  std::cout << "Submitted " << *app_id << "\n";
  std::cout.flush();
  return WaitForApplication(options.cluster_dir, *app_id, options.output, std::cout, std::cerr,
                            ::isatty(STDOUT_FILENO) != 0);
}

}  // namespace mr::sched
