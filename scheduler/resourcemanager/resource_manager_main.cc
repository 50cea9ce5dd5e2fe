// mr_resourcemanager: the Resource Manager daemon (docs/SCHEDULER.md). Serves
// ResourceManagerService on --host:--port until SIGTERM or SIGINT. With
// --port=0 the bound port is written to <dir>/port for launchers. With
// --membership it is a member too: a node manager the membership layer finds
// failed is lost at once, not after --rm_node_expiry_ms. With --rm_standby
// (and --rm_peers) it is a standby that takes over when the active RM dies
// (docs/SCHEDULER.md, "RM failover").
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "membership/daemon_member.h"
#include "scheduler/resourcemanager/resource_manager.h"
#include "security/process_security.h"

DEFINE_string(dir, "", "Directory for the port file. Required.");
DEFINE_string(host, "127.0.0.1", "Address the ResourceManagerService listens on.");
DEFINE_int32(port, 0, "ResourceManagerService TCP port; 0 picks a free one.");
DEFINE_string(id, "rm", "Member id in the membership layer (unique per RM: active and standby).");

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: mr_resourcemanager --dir=DIR [--host=H] [--port=N] "
                       "[--rm_state_dir=DIR] [--rm_standby --rm_peers=HOST:PORT,...]");
  mr::security::InitDaemonSecurityOrExit();
  if (FLAGS_dir.empty()) mr::ExitWithError(mr::kExitUsage, "--dir is required");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  mr::StopSignals stop_signals;  // Before any thread starts.

  mr::Status s = mr::CreateDirs(FLAGS_dir);
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  (void)mr::RemoveAll(mr::JoinPath(FLAGS_dir, "port"));  // Never advertise a stale port.
  auto flags = mr::sched::ResourceManager::Options::FromFlags();
  if (!flags.ok()) mr::ExitWithError(mr::kExitUsage, flags.status().message());
  mr::sched::ResourceManager::Options options = *std::move(flags);
  options.host = FLAGS_host;
  options.port = FLAGS_port;
  auto rm = mr::sched::ResourceManager::Start(options);
  if (!rm.ok()) mr::ExitWithError(mr::kExitFailure, rm.status().ToString());
  mr::sched::RmService* service = (*rm)->service();
  auto member = mr::membership::StartDaemonMember(
      {FLAGS_id, "resourcemanager", ""}, [service](const mr::membership::MemberEvent& event) {
        if (mr::membership::IsDeparture(event.type) &&
            mr::membership::RoleOf(*event.member) == "nodemanager") {
          service->NodeFailed(event.member->id,
                              std::string(mr::membership::EventTypeName(event.type)) +
                                  " (membership)");
        }
      });
  if (!member.ok()) mr::ExitWithError(mr::kExitFailure, member.status().ToString());
  s = mr::WritePortFile(FLAGS_dir, (*rm)->port());
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  LOG(WARNING) << "mr_resourcemanager serving " << FLAGS_host << ":" << (*rm)->port();
  int signal_number = stop_signals.Wait();
  LOG(WARNING) << "mr_resourcemanager: stopping on signal " << signal_number;
  if (*member) (*member)->Leave();
  (*rm)->Stop();
  return mr::kExitOk;
}
