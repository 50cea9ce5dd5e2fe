#include "mapreduce/appmaster/log_aggregator.h"

#include <set>

#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"
#include "scheduler/client/aggregated_logs.h"

namespace mr::am {

Status AggregateLogs(const std::string& app_id, const std::vector<AttemptInfo>& attempts,
                     int64_t max_bytes_per_stream, NodeManagers* nms, dfs::DfsClient* dfs) {
  std::string file;
  std::set<std::string> unreachable;  // Nodes whose NM failed a call.
  for (const AttemptInfo& attempt : attempts) {
    for (const char* stream : {"stdout", "stderr"}) {
      sched::LogRecord record{attempt.attempt_id, stream, attempt.container.container_id,
                              attempt.container.node.id, attempt.state, ""};
      if (unreachable.count(record.node_id) > 0) {
        record.text = "(node " + record.node_id + " did not answer)\n";
      } else {
        Result<std::string> log = nms->GetContainerLog(attempt.container.node,
                                                       record.container_id, stream,
                                                       max_bytes_per_stream);
        if (log.ok()) {
          record.text = *std::move(log);
        } else {
          record.text = "(unavailable: " + log.status().ToString() + ")\n";
          if (log.status().code() == Status::Code::kUnavailable) unreachable.insert(record.node_id);
        }
      }
      sched::AppendLogRecord(record, &file);
    }
  }
  return dfs::WriteWholeFile(dfs, sched::AggregatedLogPath(app_id), file);
}

}  // namespace mr::am
