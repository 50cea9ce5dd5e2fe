#include "mapreduce/appmaster/am_config.h"

#include <charconv>
#include <cstdlib>

#include <gflags/gflags.h>

#include "common/file.h"
#include "common/host_port.h"
#include "job_args.h"
#include "job_flags.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/client/staging.h"
#include "security/process_security.h"

namespace mr::am {

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

Result<std::string> RequiredEnv(const char* name) {
  std::string value = Env(name);
  if (value.empty()) return Status::InvalidArgument(std::string(name) + " is not set");
  return value;
}

}  // namespace

std::vector<std::string> TaskJobArgs(const std::vector<std::string>& am_argv) {
  std::vector<const char*> argv;
  for (const std::string& arg : am_argv) argv.push_back(arg.c_str());
  std::vector<std::string> args =
      JobArgsForCluster(static_cast<int>(argv.size()), argv.data());
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.insert(out.end(), args.begin() + i, args.end());
      break;
    }
    if (arg == "--mr_role" || arg == "-mr_role") {
      ++i;  // And its value.
      continue;
    }
    if (arg.starts_with("--mr_role=") || arg.starts_with("-mr_role=")) continue;
    out.push_back(arg);
  }
  return out;
}

Result<AmConfig> LoadAmConfig(const Job& job) {
  AmConfig config;
  ASSIGN_OR_RETURN(config.app_id, RequiredEnv("MR_APP_ID"));
  ASSIGN_OR_RETURN(config.container_id, RequiredEnv("MR_CONTAINER_ID"));
  ASSIGN_OR_RETURN(config.rm_addresses, RequiredEnv("MR_RM_ADDRESS"));
  ASSIGN_OR_RETURN(std::vector<HostPort> rms, ParseHostPortList("MR_RM_ADDRESS", config.rm_addresses));
  config.rm_host = rms[0].host;
  config.rm_port = rms[0].port;
  std::string attempt = Env("MR_AM_ATTEMPT");
  if (!attempt.empty()) {
    auto [end, ec] = std::from_chars(attempt.data(), attempt.data() + attempt.size(),
                                     config.am_attempt);
    if (ec != std::errc() || end != attempt.data() + attempt.size() || config.am_attempt < 1) {
      return Status::InvalidArgument("MR_AM_ATTEMPT must be a positive number, got '" +
                                     attempt + "'");
    }
  }
  config.input = FLAGS_input;
  config.output = FLAGS_output;
  config.reducers = FLAGS_reducers > 0 ? FLAGS_reducers : job.default_reducers();
  // JobMain applied --partitioner to the job it hands the AM.
  config.range_partitioning = job.partitioning() == Partitioning::kRange;
  config.sort_buffer_mb = FLAGS_sort_buffer_mb;
  config.merge_fan_in = FLAGS_merge_fan_in;
  config.map_side_aggregation = FLAGS_map_side_aggregation;
  config.binary_dfs_path = sched::StagedBinaryPath(config.app_id);
  config.job_args = TaskJobArgs(gflags::GetArgvs());
  for (auto [variable, out] : {std::pair{security::kCredentialEnv, &config.job_credential},
                               std::pair{sched::auth::kAppTokenEnv, &config.app_token},
                               std::pair{sched::auth::kShuffleSecretEnv, &config.shuffle_secret}}) {
    std::string path = Env(variable);
    if (path.empty()) continue;
    Result<std::string> bytes = ReadFileToString(path);
    if (!bytes.ok()) {
      return Status::InvalidArgument(std::string(variable) + ": " + bytes.status().ToString());
    }
    *out = std::move(bytes).value();
  }
  return config;
}

}  // namespace mr::am
