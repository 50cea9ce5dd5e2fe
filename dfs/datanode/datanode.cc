#include "dfs/datanode/datanode.h"

#include <glog/logging.h>

#include "dfs/datanode/datanode_id.h"

namespace mr::dfs {

Result<std::unique_ptr<Datanode>> Datanode::Start(const Options& options) {
  if (options.dir.empty()) return Status::InvalidArgument("datanode needs a data directory");
  ThriftMasterLink::Options link = ThriftMasterLink::Options::FromFlags();
  RETURN_NOT_OK_PREPEND(ParseHostPort(options.master, &link.host, &link.port), "--master");
  std::unique_ptr<Datanode> node(new Datanode());
  ASSIGN_OR_RETURN(node->id_, LoadOrCreateDatanodeId(options.dir, options.id, options.rack));
  ASSIGN_OR_RETURN(node->store_, ChunkStore::Open(options.dir));
  link.datanode_id = node->id_;
  node->link_ = std::make_unique<ThriftMasterLink>(link);

  DataServer::Options server = DataServer::Options::FromFlags();
  server.datanode_id = node->id_;
  server.bind_address = options.bind;
  server.port = options.port;
  Datanode* self = node.get();
  // The server starts after the agent exists, so the callback always finds it.
  server.on_chunk_written = [self](const ChunkInfo& chunk) { self->agent_->OnChunkWritten(chunk); };
  node->server_ = std::make_unique<DataServer>(node->store_.get(), server);

  DatanodeAgent::Options agent = DatanodeAgent::Options::FromFlags();
  agent.self.id = node->id_;
  agent.self.host = options.host;
  agent.self.rack = options.rack;
  node->agent_ = std::make_unique<DatanodeAgent>(node->link_.get(), node->store_.get(),
                                                 node->server_.get(), agent);
  node->scrubber_ = std::make_unique<Scrubber>(
      node->store_.get(), Scrubber::Options::FromFlags(),
      [self](const ChunkInfo& chunk, const Status& why) { self->agent_->OnCorruptReplica(chunk, why); },
      [self](const ChunkInfo& chunk, const std::string& why) {
        self->agent_->OnLostReplica(chunk, why);
      });

  RETURN_NOT_OK(node->server_->Start());
  node->agent_->Start();  // Advertises the port the server bound.
  node->scrubber_->Start();
  LOG(WARNING) << "datanode " << node->id_ << " (rack " << options.rack << ") serving "
               << options.bind << ":" << node->server_->port() << " as " << options.host
               << ", master " << options.master << ", data in " << options.dir;
  return node;
}

Datanode::~Datanode() { Stop(); }

void Datanode::Stop() {
  if (scrubber_) scrubber_->Stop();
  if (server_) server_->Stop();
  if (agent_) agent_->Stop();
}

}  // namespace mr::dfs
