// Writes each fuzzer's seed corpus, valid inputs made by the encoders the
// daemons use, into DIR/<fuzzer>/ (DIR is fuzz/corpus in the repo):
//   build-fuzz/fuzz/fuzz_seeds fuzz/corpus
// Rerun it when a format changes.
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>

#include "MasterService.h"
#include "NodeManagerService.h"
#include "ResourceManagerService.h"
#include "common/block_stream.h"
#include "common/file.h"
#include "dfs/dataplane/messages.h"
#include "dfs/master/namespace.h"
#include "dfs/master/op_apply.h"
#include "dfs/master/record_framing.h"
#include "dfs_types.h"
#include "mapreduce/counters.h"
#include "membership/core.h"
#include "mapreduce/map_output_index.h"
#include "mapreduce/record.h"
#include "mapreduce/segment.h"
#include "mapreduce/task_spec_io.h"
#include "rpc/auth_handshake.h"
#include "rpc/thrift_client.h"
#include "rpc/thrift_codec.h"
#include "scheduler/shuffle/shuffle_protocol.h"
#include "security/credential.h"
#include "task_spec_types.h"

namespace {

namespace dp = mr::dfs::dataplane;
using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TMemoryBuffer;

std::string dir;

void Seed(const std::string& fuzzer, const std::string& name, uint8_t selector,
          const std::string& bytes) {
  std::string path = dir + "/" + fuzzer;
  if (!mr::CreateDirs(path).ok()) std::abort();
  std::string content(1, static_cast<char>(selector));
  content += bytes;
  (void)mr::RemoveAll(path + "/" + name);  // Rewritten when a format changes.
  if (!mr::WriteStringToFile(path + "/" + name, content, /*sync=*/false).ok()) std::abort();
}

void DataplaneSeeds() {
  dp::ReadRequest read;
  read.chunk_id = 7;
  read.generation = 1;
  read.offset = 0;
  read.length = 4096;
  Seed("dataplane_message", "read_request", 0, dp::EncodeMessage(read));
  Seed("dataplane_message", "read_response", 1, dp::EncodeMessage(dp::ReadResponse()));
  dp::WriteRequest write;
  write.chunk_id = 7;
  write.generation = 1;
  dp::Target target;
  target.datanode_id = "dn-1-2";
  target.host = "127.0.0.1";
  target.port = 4000;
  write.targets.push_back(target);
  Seed("dataplane_message", "write_request", 2, dp::EncodeMessage(write));
  dp::Packet packet;
  packet.seq = 1;
  packet.data = "hello";
  Seed("dataplane_message", "packet", 3, dp::EncodeMessage(packet));
  Seed("dataplane_message", "ack", 4, dp::EncodeMessage(dp::Ack()));
  Seed("dataplane_message", "local_request", 5, dp::EncodeMessage(dp::LocalReplicaRequest()));
  Seed("dataplane_message", "local_response", 6, dp::EncodeMessage(dp::LocalReplicaResponse()));
}

void ShuffleSeeds() {
  mr::shuffle::ShuffleRequest request;
  request.app_id = "app_1_0001";
  request.output_name = "m_000001_0";
  request.partition = 1;
  Seed("shuffle_protocol", "request", 0, mr::shuffle::EncodeRequest(request));
  request.mac = std::string(32, 'm');  // A signed request (version 2).
  Seed("shuffle_protocol", "signed_request", 0, mr::shuffle::EncodeRequest(request));
  mr::shuffle::ShuffleResponse response;
  response.length = 100;
  response.raw_bytes = 200;
  response.records = 3;
  Seed("shuffle_protocol", "response", 1, mr::shuffle::EncodeResponse(response));
  response.status = mr::Status::NotFound("no such output");
  Seed("shuffle_protocol", "response_error", 1, mr::shuffle::EncodeResponse(response));
}

void TaskSpecSeeds() {
  mr::wire::TaskSpec spec;
  spec.app_id = "app_1_0001";
  spec.is_map = true;
  spec.num_reducers = 2;
  spec.input_path = "/in/a.txt";
  spec.length = 1 << 20;
  spec.split_points = {"m", "t"};
  spec.output_name = "m_000000_0";
  Seed("task_spec", "map", 0, mr::EncodeTaskSpec(spec));
  mr::Counters counters;
  counters.Add("Framework", "Map input records", 10);
  counters.Add("Job", "words", 3);
  Seed("task_spec", "result", 1, mr::EncodeTaskResult(counters));
}

void SegmentSeeds(const std::string& scratch) {
  std::string records;
  mr::AppendRecord(&records, "apple", "1");
  mr::AppendRecord(&records, "banana", "22");
  mr::AppendRecord(&records, "", "");
  Seed("segment", "records", 0, records);
  (void)mr::RemoveAll(scratch);
  auto writer = mr::SegmentFileWriter::Create(scratch, 1);
  if (!writer.ok()) std::abort();
  if (!(*writer)->Append("apple", "1").ok() || !(*writer)->Append("banana", "22").ok()) std::abort();
  auto file = (*writer)->Finish();
  if (!file.ok()) std::abort();
  auto stored = mr::ReadFileToString(scratch);
  if (!stored.ok()) std::abort();
  Seed("segment", "stored", 1, *stored);

  if (!mr::WriteMapOutputIndex(*file, 3).ok()) std::abort();
  auto index = mr::ReadFileToString(scratch + ".index");
  if (!index.ok()) std::abort();
  Seed("map_output_index", "body", 0, index->substr(0, index->size() - 8));
  Seed("map_output_index", "file", 1, *index);
}

// An op log of every kind of record, and a checkpoint of what it makes.
void MasterLogSeeds() {
  namespace dfs = mr::dfs;
  dfs::Namespace ns("hdfs", "supergroup");
  std::string log;
  int64_t sequence = 0;
  auto add = [&](dfs::wire::OpLogRecord r) {
    r.sequence = ++sequence;
    r.time_ms = 1000 + sequence;
    if (!dfs::ApplyOpLogRecord(r, dfs::MutationMode::kApply, &ns).ok()) std::abort();
    dfs::AppendFramedRecord(&log, mr::EncodeThrift(r));
  };
  dfs::wire::OpLogRecord r;
  r.__set_mkdirs(dfs::wire::MkdirsOp());
  r.mkdirs.path = "/user/alice";
  r.mkdirs.__set_owner("alice");
  r.mkdirs.__set_mode(0700);
  r.mkdirs.__set_parent_mode(0755);
  add(r);
  r = {};
  r.__set_create(dfs::wire::CreateOp());
  r.create.path = "/user/alice/f";
  r.create.replication = 3;
  r.create.chunk_size = 1 << 20;
  r.create.client_name = "c";
  r.create.__set_owner("alice");
  r.create.__set_mode(0640);
  add(r);
  r = {};
  r.next_chunk_id = 2;
  r.__set_add_chunk(dfs::wire::AddChunkOp());
  r.add_chunk.path = "/user/alice/f";
  r.add_chunk.client_name = "c";
  r.add_chunk.chunk_id = 1;
  r.add_chunk.generation = 1;
  add(r);
  r = {};
  r.__set_complete(dfs::wire::CompleteOp());
  r.complete.path = "/user/alice/f";
  r.complete.client_name = "c";
  r.complete.last_chunk_length = 5;
  add(r);
  r = {};
  r.__set_set_permission(dfs::wire::SetPermissionOp());
  r.set_permission.path = "/user/alice";
  r.set_permission.mode = 01777;
  add(r);
  r = {};
  r.__set_set_owner(dfs::wire::SetOwnerOp());
  r.set_owner.path = "/user/alice/f";
  r.set_owner.__set_owner("bob");
  r.set_owner.__set_group("staff");
  add(r);
  r = {};
  r.__set_rename(dfs::wire::RenameOp());
  r.rename.src = "/user/alice/f";
  r.rename.dst = "/user/g";
  add(r);
  Seed("master_log", "oplog", 0, log);
  dfs::wire::NamespaceImage image;
  ns.SaveImage(&image);
  image.version = 3;
  image.last_sequence = sequence;
  image.next_chunk_id = 2;
  Seed("master_log", "checkpoint", 1, mr::EncodeThrift(image));
}

// A framed call as a client sends it.
template <typename Client>
std::string Call(const std::function<void(Client&)>& send) {
  auto config = mr::rpc::FramedRpcConfig(16 << 20);
  auto buffer = std::make_shared<TMemoryBuffer>(config);
  auto framed = std::make_shared<TFramedTransport>(buffer, config);
  Client client(std::make_shared<TCompactProtocol>(framed));
  send(client);
  return buffer->getBufferAsString();
}

void ThriftSeeds() {
  using Master = mr::dfs::wire::MasterServiceClient;
  using Rm = mr::sched::wire::ResourceManagerServiceClient;
  using Nm = mr::sched::wire::NodeManagerServiceClient;
  Seed("thrift_service", "master_stat", 0, Call<Master>([](Master& c) { c.send_Stat("/in/a"); }));
  Seed("thrift_service", "master_calls", 0, Call<Master>([](Master& c) {
         c.send_Mkdirs("/a/b", -1, -1);
         c.send_Rename("/a/b", "/a/c", false);
         c.send_List("/a");
       }));
  Seed("thrift_service", "rm_new_app", 1, Call<Rm>([](Rm& c) { c.send_NewApplication(); }));
  Seed("thrift_service", "rm_get_app", 1,
       Call<Rm>([](Rm& c) { c.send_GetApplication("app_1_0001", true); }));
  Seed("thrift_service", "rm_submit", 1, Call<Rm>([](Rm& c) {
         mr::sched::wire::ApplicationSubmission submission;
         submission.app_id = "app_1_0001";
         c.send_SubmitApplication(submission);
       }));
  Seed("thrift_service", "nm_stop", 2, Call<Nm>([](Nm& c) { c.send_StopContainer("c_1"); }));
  Seed("thrift_service", "nm_start", 2, Call<Nm>([](Nm& c) {
         mr::sched::wire::LaunchContext context;
         context.container_id = "c_1";
         context.binary_dfs_path = "/.staging/app_1_0001/job";
         context.arguments = {"--mr_role=task"};
         c.send_StartContainer(context);
       }));
}

// A member "b" joining "a" (the fuzzed core): its JOIN, the SYNC that
// answers it, then b's datagrams to a.
void MembershipSeeds() {
  namespace mm = mr::membership;
  for (int protocol = 0; protocol < 2; ++protocol) {
    auto identity = [](const std::string& id, const std::string& address) {
      auto identity = std::make_shared<mm::MemberIdentity>();
      identity->id = id;
      identity->address = address;
      identity->rack = "r1";
      return identity;
    };
    mm::CoreOptions options;
    options.wall_clock_ms = 1'000'000;
    const auto which = protocol == 0 ? mm::Protocol::kSwim : mm::Protocol::kGossip;
    auto a = mm::NewProtocolCore(which, options, identity("a", "127.0.0.1:1"), 1);
    auto b = mm::NewProtocolCore(which, options, identity("b", "127.0.0.1:2"), 2);
    a->Start(0, {});
    b->Start(0, {"127.0.0.1:1"});
    b->Tick(b->NextDeadlineMs());  // The JOIN goes out.
    std::string events;
    auto event = [&events](uint8_t kind, std::string_view bytes) {
      events += static_cast<char>(kind);
      events += static_cast<char>(bytes.size() & 0xff);
      events += static_cast<char>((bytes.size() >> 8) & 0xff);
      events += bytes.substr(0, 0xffff);
    };
    for (const mm::Outgoing& join : b->sync_requests()) {
      event(1, join.bytes);
      auto sync = a->OnSyncRequest(join.bytes, 0);
      if (!sync.ok()) std::abort();
      event(2 | (10 << 2), *sync);
      (void)b->ApplyFullState(*sync, 10);
    }
    int64_t now = 10;
    for (int round = 0; round < 5; ++round) {
      now = std::max(now + 1, b->NextDeadlineMs());
      b->Tick(now);
      for (const mm::Outgoing& out : b->outbox()) event(0 | (20 << 2), out.bytes);
      b->outbox().clear();
      event(3, "");
    }
    if (events.size() < 100) std::abort();  // b never joined: the seed would be worthless.
    Seed("membership", protocol == 0 ? "swim_join" : "gossip_join", protocol, events);
  }
}

}  // namespace

void CredentialSeeds() {
  // The server side of a connection's credential exchange reads what
  // SendCredential writes; capture it from a memory transport.
  mr::security::Keyring keyring({std::string(32, 'k')});
  mr::security::TokenSigner signer(keyring);
  auto capture = [](const mr::security::Credential& credential) {
    auto buffer = std::make_shared<TMemoryBuffer>();
    try {
      (void)mr::rpc::SendCredential(*buffer, credential);
    } catch (const std::exception&) {
      // No answer to read: the request is written by then.
    }
    return buffer->getBufferAsString();
  };
  Seed("credential", "user", 0, capture(mr::security::UserCredential(keyring, "alice")));
  Seed("credential", "daemon", 0, capture(mr::security::DaemonCredential(keyring)));
  mr::security::Credential job = mr::security::JobCredential(signer, "app_1", "alice", 1LL << 50);
  Seed("credential", "job", 0, capture(job));
  Seed("credential", "token", 1, job.secret);
  Seed("credential", "file", 2, mr::security::FormatCredential(job));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds DIR\n");
    return 2;
  }
  dir = argv[1];
  DataplaneSeeds();
  ShuffleSeeds();
  TaskSpecSeeds();
  SegmentSeeds("/tmp/mr_fuzz_seeds_" + std::to_string(::getpid()));
  ThriftSeeds();
  MembershipSeeds();
  CredentialSeeds();
  MasterLogSeeds();
  return 0;
}
