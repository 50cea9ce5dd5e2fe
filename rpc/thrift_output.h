// Where the Thrift library's own messages go (apache::thrift::GlobalOutput,
// which by default prints every failed connect on stderr). Internal to
// mr_rpc: ThriftServer::Start and Connection::Open call it.
//
// A server's process logs them as warnings (a peer that sends garbage is
// worth a line). A process that is only a client gets them at VLOG(1): its
// calls fail with a Status that says why anyway, and expected misses (a
// standby RM, a restarting master) must not spray a user's terminal.
// Thread-safety: safe from any thread.
#pragma once

namespace mr::rpc {

void RouteThriftOutputForServer();
void RouteThriftOutputForClient();  // Unless a server already routed it.

}  // namespace mr::rpc
