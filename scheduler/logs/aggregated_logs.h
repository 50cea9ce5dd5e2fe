// Container logs that outlive their containers (docs/SCHEDULER.md, "Log
// aggregation"), as YARN's log aggregation keeps them: when an application
// ends, each Node Manager writes the stdout and stderr of every container
// the application ran on it into one DFS file,
//   /.logs/<app_id>/<node_id>
// written as <node_id>.tmp and renamed, so a reader never sees half of one.
// `mrjob logs` reads them once the job is over; the RM deletes an
// application's directory --rm_log_retention_ms after its last write.
//
// A node file is a sequence of records, each a header line
//   <container_id> <stream> <length>\n
// followed by <length> bytes of log and a "\n". Ids hold no spaces; the
// stream is "stdout" or "stderr".
// Thread-safety: stateless functions (a DfsClient is used as its own rules
// say).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::sched {

inline constexpr char kAggregatedLogsRoot[] = "/.logs";

// "/.logs/<app_id>".
std::string AggregatedLogDir(const std::string& app_id);
// "/.logs/<app_id>/<node_id>".
std::string AggregatedLogPath(const std::string& app_id, const std::string& node_id);

struct LogRecord {
  std::string container_id;
  std::string stream;  // "stdout" or "stderr".
  std::string text;
};

void AppendLogRecord(const LogRecord& record, std::string* file);
// Corruption if `file` is not a sequence of whole records.
Result<std::vector<LogRecord>> ParseLogRecords(std::string_view file);

// Writes one node's file (replacing one an earlier try left), with
// `replication` replicas (0: the client's default).
Status WriteNodeLogs(dfs::DfsClient* dfs, const std::string& app_id, const std::string& node_id,
                     const std::vector<LogRecord>& records, int replication = 0);
// Every node's records for the application, by node id; NotFound if no
// node has written any (yet). A damaged node file is skipped with a
// warning, the others are still read.
Result<std::map<std::string, std::vector<LogRecord>>> ReadAppLogs(dfs::DfsClient* dfs,
                                                                   const std::string& app_id);

}  // namespace mr::sched
