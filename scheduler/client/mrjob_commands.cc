#include "scheduler/client/mrjob_commands.h"

#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include <gflags/gflags.h>

#include "common/clock.h"
#include "common/exit_codes.h"
#include "common/flags.h"
#include "dfs/client/dfs_client.h"
#include "scheduler/logs/aggregated_logs.h"
#include "scheduler/client/cluster_endpoints.h"
#include "scheduler/client/report_format.h"

DEFINE_int64(mrjob_log_bytes, 64 << 10, "mrjob logs: the last bytes shown of each log.");
DEFINE_int32(mrjob_kill_wait_ms, 10000,
             "mrjob kill: how long to wait for the application to end before returning.");
DEFINE_int32(mrjob_logs_wait_ms, 15000,
             "mrjob logs: for a job that ended less than this long ago, how long to wait for "
             "its node managers to aggregate its logs into the DFS.");

namespace mr::sched {

const char kMrjobUsage[] =
    "usage: mrjob --cluster DIR <verb> ...\n"
    "  submit --binary PATH --input DFS_PATH --output DFS_DIR [--reducers N]\n"
    "         [--partitioner hash|range] [--queue Q] [-- job flags]\n"
    "                          run a job binary on the cluster; shows progress, then counters\n"
    "  status ID [--json] [--attempts]\n"
    "                          an application's state, progress, share, attempts (a summary\n"
    "                          for a large job; --attempts lists each) and counters\n"
    "  list [--json]           every application the resource manager knows: queue, state,\n"
    "                          progress, share of the cluster, why it waits\n"
    "  kill ID                 stop an application (it ends KILLED)\n"
    "  logs ID [TASK]          the stdout and stderr of its attempts (TASK: m_000003,\n"
    "                          m_000003_1, r_000000, or am for the application master)\n"
    "Exit codes: 0 success (submit: the job succeeded); 1 failure (job failed or killed,\n"
    "unknown application, missing binary or input, existing output); 2 usage.";

namespace {

struct VerbSpec {
  size_t min_operands;
  size_t max_operands;
  bool takes_json;
  bool takes_attempts;
};

const std::map<std::string, VerbSpec>& Verbs() {
  static const auto* verbs = new std::map<std::string, VerbSpec>{
      {"submit", {0, 0, false, false}}, {"status", {1, 1, true, true}},
      {"list", {0, 0, true, false}},    {"kill", {1, 1, false, false}},
      {"logs", {1, 2, false, false}},
  };
  return *verbs;
}

void PrintError(std::ostream& err, const std::string& message) {
  err << ProgramName() << ": " << message << "\n";
}

Result<wire::ApplicationReport> GetApplication(RmClient* rm, const std::string& app_id) {
  return rm->CallFor<wire::ApplicationReport>(
      "GetApplication", [&](auto& stub, auto& out) { stub.GetApplication(out, app_id, /*brief=*/false); });
}

Status Status_(RmClient* rm, const MrjobCommand& c, std::ostream& out) {
  ASSIGN_OR_RETURN(wire::ApplicationReport report, GetApplication(rm, c.operands[0]));
  out << FormatApplication(report, c.json, c.attempts);
  return Status::OK();
}

Status List(RmClient* rm, const MrjobCommand& c, std::ostream& out) {
  ASSIGN_OR_RETURN(std::vector<wire::ApplicationReport> reports,
                   rm->CallFor<std::vector<wire::ApplicationReport>>(
                       "ListApplications",
                       [](auto& stub, auto& r) { stub.ListApplications(r); }));
  out << FormatApplicationList(reports, c.json);
  return Status::OK();
}

Status Kill(RmClient* rm, const MrjobCommand& c, std::ostream& out) {
  const std::string& app_id = c.operands[0];
  ASSIGN_OR_RETURN(wire::ApplicationReport report, GetApplication(rm, app_id));
  if (IsFinal(report.state)) {
    return Status::InvalidArgument(app_id + " already ended " + AppStateName(report.state));
  }
  RETURN_NOT_OK(rm->Call("KillApplication", [&](auto& stub) { stub.KillApplication(app_id); }));
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::max(0, FLAGS_mrjob_kill_wait_ms));
  while (std::chrono::steady_clock::now() < deadline) {
    ASSIGN_OR_RETURN(report, GetApplication(rm, app_id));
    if (IsFinal(report.state)) {
      out << app_id << " " << AppStateName(report.state) << "\n";
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  out << app_id << " kill requested (still " << AppStateName(report.state) << ")\n";
  return Status::OK();
}

void PrintLog(const std::string& attempt_id, const std::string& stream,
              const std::string& container_id, const std::string& node_id,
              const std::string& state, const std::string& text, std::ostream& out) {
  out << "==> " << attempt_id << " " << stream << " (" << container_id << " on " << node_id
      << ", " << state << ") <==\n"
      << text;
  if (!text.empty() && text.back() != '\n') out << "\n";
}

// Which attempts `task` names: all ("" ), one attempt, every attempt of a task.
bool Matches(const std::string& task, const std::string& attempt_id) {
  return task.empty() || attempt_id == task || attempt_id.rfind(task + "_", 0) == 0;
}

// The aggregated logs of an ended application, by container id and stream.
// Waits (up to --mrjob_logs_wait_ms after the job ended) for the nodes of
// `attempts` whose files are not written yet: their NMs aggregate as soon
// as the RM tells them the job is over.
using KeptLogs = std::map<std::pair<std::string, std::string>, std::string>;
Result<KeptLogs> ReadKeptLogs(const std::string& cluster_dir, const wire::ApplicationReport& report,
                              const std::vector<wire::TaskAttemptReport>& attempts) {
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsClient> dfs,
                   dfs::DfsClient::ConnectToCluster(cluster_dir));
  int64_t wait_until = report.finish_time_ms + FLAGS_mrjob_logs_wait_ms;
  while (true) {
    Result<std::map<std::string, std::vector<LogRecord>>> by_node =
        ReadAppLogs(dfs.get(), report.app_id);
    if (!by_node.ok() && !by_node.status().IsNotFound()) return by_node.status();
    bool complete = by_node.ok();
    for (const wire::TaskAttemptReport& a : attempts) {
      complete = complete && by_node->count(a.node_id) > 0;
    }
    if (complete || WallClockMs() > wait_until) {
      KeptLogs kept;
      if (!by_node.ok()) return kept;
      for (const auto& [node, records] : *by_node) {
        for (const LogRecord& r : records) kept[{r.container_id, r.stream}] = r.text;
      }
      return kept;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Status Logs(RmClient* rm, const MrjobCommand& c, std::ostream& out) {
  const std::string& app_id = c.operands[0];
  std::string task = c.operands.size() > 1 ? c.operands[1] : "";
  ASSIGN_OR_RETURN(wire::ApplicationReport report, GetApplication(rm, app_id));
  std::vector<wire::TaskAttemptReport> chosen;
  if (task == "am") {
    wire::TaskAttemptReport am;
    am.attempt_id = "am";
    am.container_id = report.am_container_id;
    am.node_id = report.am_node_id;
    am.state = AppStateName(report.state);
    if (!am.container_id.empty()) chosen.push_back(am);
  } else {
    for (const wire::TaskAttemptReport& a : report.attempts) {
      if (Matches(task, a.attempt_id)) chosen.push_back(a);
    }
  }
  if (chosen.empty()) {
    return Status::NotFound(task.empty() ? app_id + " has no attempts yet"
                                         : "no attempt of " + app_id + " matches " + task);
  }
  // Once the job is over its NMs aggregate its logs into the DFS and drop
  // their own copies; a log not (yet) there is asked of its NM.
  KeptLogs kept;
  if (IsFinal(report.state)) {
    Result<KeptLogs> read = ReadKeptLogs(c.cluster, report, chosen);
    if (!read.ok()) return read.status().Prepend("reading the aggregated logs");
    kept = *std::move(read);
  }
  std::map<std::string, std::unique_ptr<NmClient>> nms;  // By node id.
  Status first_error;
  for (const wire::TaskAttemptReport& a : chosen) {
    for (const char* stream : {"stdout", "stderr"}) {
      std::string text;
      auto found = kept.find({a.container_id, stream});
      if (found != kept.end()) {
        PrintLog(a.attempt_id, stream, a.container_id, a.node_id, a.state, found->second, out);
        continue;
      }
      auto it = nms.find(a.node_id);
      if (it == nms.end()) {
        Result<std::unique_ptr<NmClient>> nm = ConnectNodeManager(rm, a.node_id);
        it = nms.emplace(a.node_id, nm.ok() ? *std::move(nm) : nullptr).first;
        if (!nm.ok() && first_error.ok()) first_error = nm.status();
      }
      if (it->second == nullptr) {
        text = "(node " + a.node_id + " unreachable)\n";
      } else {
        Result<std::string> log = it->second->CallFor<std::string>(
            "GetContainerLog", [&](auto& stub, auto& t) {
              stub.GetContainerLog(t, a.container_id, stream, FLAGS_mrjob_log_bytes);
            });
        if (log.ok()) {
          text = *std::move(log);
        } else if (IsFinal(report.state) && log.status().IsNotFound()) {
          // Never started there (a refused launch), or its node's logs
          // were not aggregated (the node was lost).
          text = "(no log kept)\n";
        } else {
          text = "(unavailable: " + log.status().ToString() + ")\n";
          if (first_error.ok()) first_error = log.status();
        }
      }
      PrintLog(a.attempt_id, stream, a.container_id, a.node_id, a.state, text, out);
    }
  }
  return first_error;
}

}  // namespace

std::vector<std::string> ExtractJobArgs(int* argc, char** argv, bool* saw_double_dash) {
  std::vector<std::string> job_args;
  *saw_double_dash = false;
  for (int i = 1; i < *argc; ++i) {
    if (std::string(argv[i]) != "--") continue;
    *saw_double_dash = true;
    for (int j = i + 1; j < *argc; ++j) job_args.emplace_back(argv[j]);
    *argc = i;
    break;
  }
  return job_args;
}

Result<MrjobCommand> ParseMrjobCommand(const MrjobArgs& args) {
  if (args.words.empty()) return Status::InvalidArgument("a verb is required");
  MrjobCommand c;
  c.verb = args.words[0];
  c.operands.assign(args.words.begin() + 1, args.words.end());
  c.json = args.json;
  c.cluster = args.cluster;
  auto verb = Verbs().find(c.verb);
  if (verb == Verbs().end()) return Status::InvalidArgument("unknown verb '" + c.verb + "'");
  const VerbSpec& spec = verb->second;
  if (c.operands.size() < spec.min_operands || c.operands.size() > spec.max_operands) {
    return Status::InvalidArgument(c.verb + ": wrong number of operands");
  }
  if (c.json && !spec.takes_json) return Status::InvalidArgument(c.verb + " does not take --json");
  if (args.attempts && !spec.takes_attempts) {
    return Status::InvalidArgument(c.verb + " does not take --attempts");
  }
  c.attempts = args.attempts;
  if (c.verb != "submit") {
    if (!args.submit_flags_given.empty()) {
      return Status::InvalidArgument(c.verb + " does not take --" + args.submit_flags_given[0]);
    }
    if (args.saw_double_dash) return Status::InvalidArgument(c.verb + " takes no job flags");
  }
  if (c.cluster.empty()) return Status::InvalidArgument("--cluster DIR is required");
  if (c.verb == "submit") {
    c.submit.cluster_dir = args.cluster;
    c.submit.binary = args.binary;
    c.submit.input = args.input;
    c.submit.output = args.output;
    c.submit.reducers = args.reducers;
    c.submit.partitioner = args.partitioner;
    c.submit.queue = args.queue;
    c.submit.job_args = args.job_args;
    RETURN_NOT_OK(ValidateSubmitOptions(c.submit));
  }
  return c;
}

int RunMrjobCommand(const MrjobCommand& c, std::ostream& out, std::ostream& err) {
  if (c.verb == "submit") return SubmitAndWait(c.submit);
  Result<cluster::ClusterConfig> config = cluster::LoadConfig(c.cluster);
  if (!config.ok()) {
    PrintError(err, config.status().ToString());
    return kExitFailure;
  }
  Result<std::unique_ptr<RmClient>> rm = ConnectResourceManager(*config);
  Status s = rm.status();
  if (s.ok()) {
    if (c.verb == "status") s = Status_(rm->get(), c, out);
    if (c.verb == "list") s = List(rm->get(), c, out);
    if (c.verb == "kill") s = Kill(rm->get(), c, out);
    if (c.verb == "logs") s = Logs(rm->get(), c, out);
  }
  out.flush();
  if (!s.ok()) {
    // Answers about the application ("unknown", "already ended") stand
    // alone; transport and other failures say what they are.
    bool answer = s.IsNotFound() || s.code() == Status::Code::kInvalidArgument;
    PrintError(err, c.verb + ": " + (answer ? s.message() : s.ToString()));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace mr::sched
