// mr_nodemanager: a Node Manager daemon (docs/SCHEDULER.md). Serves
// NodeManagerService and the shuffle service, keeps itself registered with
// the RM, and runs containers until SIGTERM or SIGINT (which kills them).
// With --membership it is a member of the cluster's membership layer too.
// With --port=0 / --shuffle_port=0 the bound ports are written to
// <dir>/port and <dir>/shuffle/port for launchers (the shuffle's first, so
// a launcher that sees <dir>/port finds both).
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "membership/daemon_member.h"
#include "scheduler/client/rm_client.h"
#include "scheduler/nodemanager/node_manager.h"
#include "scheduler/resourcemanager/resources.h"
#include "security/process_security.h"

DEFINE_string(dir, "", "Local state directory (applications under <dir>/apps). Required.");
DEFINE_string(id, "", "Node id as the RM knows it, e.g. nm-0-1. Required.");
DEFINE_string(host, "127.0.0.1", "Host name or address of this node as told to the RM.");
DEFINE_string(bind, "127.0.0.1", "Address the service and shuffle servers listen on.");
DEFINE_int32(port, 0, "NodeManagerService TCP port; 0 picks one (written to <dir>/port).");
DEFINE_int32(shuffle_port, 0, "Shuffle service TCP port; 0 picks one (written to <dir>/shuffle/port).");
DEFINE_string(rack, "/default-rack", "Rack label, the same as this server's datanode's.");
DEFINE_string(datanode_id, "", "Id of the datanode on this server, for locality (may be empty).");
DEFINE_string(rm, "",
              "HOST:PORT of the resource manager; with a standby, HOST:PORT,HOST:PORT (the "
              "active one first): the node fails over between them, and containers get the "
              "list as MR_RM_ADDRESS. Required.");
DEFINE_string(dfs_master, "", "HOST:PORT of the DFS master (job binaries). Required.");
DEFINE_int64(dfs_chunk_size, 0,
             "The DFS's default chunk size, told to containers as MR_DFS_CHUNK_SIZE for the "
             "files they write (0: the client's default).");
DEFINE_int32(vcores, 2, "Virtual cores containers on this node may use in all.");
DEFINE_int64(memory_mb, 2048, "Memory (MB) containers on this node may use in all.");
DEFINE_int32(nm_heartbeat_ms, 200, "Interval of heartbeats to the resource manager.");

namespace {

[[noreturn]] void Fail(const mr::Status& s) {
  int code = s.code() == mr::Status::Code::kInvalidArgument ? mr::kExitUsage : mr::kExitFailure;
  mr::ExitWithError(code, s.ToString());
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: mr_nodemanager --dir=DIR --id=ID --rm=HOST:PORT[,HOST:PORT] "
                       "--dfs_master=HOST:PORT [--port=N] [--shuffle_port=N] [--rack=R] "
                       "[--vcores=N] [--memory_mb=N]");
  mr::security::InitDaemonSecurityOrExit();
  for (auto [flag, name] : {std::pair{&FLAGS_dir, "--dir"}, {&FLAGS_id, "--id"},
                            {&FLAGS_rm, "--rm"}, {&FLAGS_dfs_master, "--dfs_master"}}) {
    if (flag->empty()) mr::ExitWithError(mr::kExitUsage, std::string(name) + " is required");
  }
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  if (auto rms = mr::sched::RmClient::Create(FLAGS_rm); !rms.ok()) {
    mr::ExitWithError(mr::kExitUsage, "--rm: " + rms.status().message());
  }
  mr::StopSignals stop_signals;  // Before any thread starts.

  // Never advertise stale ports.
  (void)mr::RemoveAll(mr::JoinPath(FLAGS_dir, "port"));
  std::string shuffle_dir = mr::JoinPath(FLAGS_dir, "shuffle");
  (void)mr::RemoveAll(mr::JoinPath(shuffle_dir, "port"));
  mr::Status s = mr::CreateDirs(shuffle_dir);
  if (!s.ok()) Fail(s);

  mr::sched::nm::NodeManager::Options options;
  options.dir = FLAGS_dir;
  options.id = FLAGS_id;
  options.host = FLAGS_host;
  options.bind = FLAGS_bind;
  options.port = FLAGS_port;
  options.shuffle_port = FLAGS_shuffle_port;
  options.rack = FLAGS_rack;
  options.datanode_id = FLAGS_datanode_id;
  options.rm_address = FLAGS_rm;
  options.dfs_master = FLAGS_dfs_master;
  options.dfs_chunk_size = FLAGS_dfs_chunk_size;
  options.capability = mr::sched::MakeResource(FLAGS_vcores, FLAGS_memory_mb);
  options.heartbeat_ms = FLAGS_nm_heartbeat_ms;
  auto nm = mr::sched::nm::NodeManager::Start(options);
  if (!nm.ok()) Fail(nm.status());

  // A member too with --membership (mrcluster turns it on): the RM hears of
  // this node's death from the membership layer before its heartbeat expiry.
  auto member = mr::membership::StartDaemonMember({FLAGS_id, "nodemanager", FLAGS_rack}, {});
  if (!member.ok()) Fail(member.status());
  s = mr::WritePortFile(shuffle_dir, (*nm)->shuffle_port());
  if (s.ok()) s = mr::WritePortFile(FLAGS_dir, (*nm)->rpc_port());
  if (!s.ok()) Fail(s);
  LOG(WARNING) << "mr_nodemanager " << FLAGS_id << " serving " << FLAGS_bind << ":"
               << (*nm)->rpc_port() << " (shuffle " << (*nm)->shuffle_port() << ")";
  int signal_number = stop_signals.Wait();
  LOG(WARNING) << "mr_nodemanager " << FLAGS_id << ": stopping on signal " << signal_number;
  if (*member) (*member)->Leave();
  (*nm)->Stop();
  return mr::kExitOk;
}
