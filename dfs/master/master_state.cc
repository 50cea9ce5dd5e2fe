#include "dfs/master/master_state.h"

#include <algorithm>
#include <chrono>

#include <glog/logging.h>

#include "common/clock.h"
#include "dfs_types.h"
#include "dfs/master/op_apply.h"

namespace mr::dfs {

Result<std::unique_ptr<MasterState>> MasterState::Open(Options options) {
  if (!options.clock_ms) options.clock_ms = WallClockMs;
  std::unique_ptr<MasterState> state(new MasterState(std::move(options)));
  MasterState* s = state.get();
  auto load = [s](const wire::NamespaceImage& image) { return s->LoadCheckpoint(image); };
  auto replay = [s](const wire::OpLogRecord& r) { return s->Replay(r); };
  ASSIGN_OR_RETURN(state->log_, OpLog::Open(state->options_.dir, load, replay,
                                              state->options_.log_preallocate_bytes));
  if (!state->loaded_checkpoint_ && state->last_sequence() == 0) RETURN_NOT_OK(state->Format());
  return state;
}

Status MasterState::Format() {
  const int64_t now = options_.clock_ms();
  for (const Options::InitialDirectory& d : options_.initial_directories) {
    NewInodeAttributes attributes;
    attributes.mode = d.mode;
    RETURN_NOT_OK_PREPEND(ns_.Mkdirs(d.path, now, MutationMode::kApply, attributes),
                          "format: " + d.path);
  }
  RETURN_NOT_OK_PREPEND(Checkpoint(), "format: writing checkpoint 0");
  LOG(INFO) << "dfs master: formatted a new namespace in " << options_.dir << " ("
            << options_.initial_directories.size() << " initial directories)";
  return Status::OK();
}

Result<std::vector<std::string>> MasterState::Recover(Options options) {
  std::unique_ptr<MasterState> state(new MasterState(std::move(options)));
  MasterState* s = state.get();
  auto load = [s](const wire::NamespaceImage& image) { return s->LoadCheckpoint(image); };
  auto replay = [s](const wire::OpLogRecord& r) { return s->Replay(r); };
  const std::string& dir = state->options_.dir;
  ASSIGN_OR_RETURN(OpLog::SalvageReport report, OpLog::Salvage(dir, load, replay));
  std::vector<std::string> lines = report.notes;
  lines.push_back("started from " + (report.checkpoint_sequence > 0
                                         ? "the checkpoint at op " +
                                               std::to_string(report.checkpoint_sequence)
                                         : std::string("an empty namespace (op 0)")) +
                  "; kept ops through " + std::to_string(report.last_sequence));
  if (report.stop_reason.empty()) {
    lines.push_back("dropped nothing: the history is consistent");
  } else {
    lines.push_back("stopped at: " + report.stop_reason);
    std::string dropped = "dropped every op from " + std::to_string(report.last_sequence + 1) +
                          " on: " + std::to_string(report.dropped_ops) + " readable";
    if (report.dropped_ops > 0) {
      dropped += " (through op " + std::to_string(report.dropped_last_sequence) + ")";
    }
    if (report.dropped_bytes > 0) {
      dropped += ", " + std::to_string(report.dropped_bytes) + " damaged bytes";
    }
    lines.push_back(dropped);
  }
  wire::NamespaceImage image;
  s->ns_.SaveImage(&image);
  image.last_sequence = report.last_sequence;
  image.next_chunk_id = std::max(s->next_chunk_id_, report.max_next_chunk_id);
  if (!report.stop_reason.empty()) image.next_chunk_id += kSalvageChunkIdGap;
  ASSIGN_OR_RETURN(std::string aside, OpLog::InstallSalvagedImage(dir, &image));
  lines.push_back("wrote the checkpoint at op " + std::to_string(report.last_sequence) +
                  " (next chunk id " + std::to_string(image.next_chunk_id) +
                  "); the old files are in " + aside);
  return lines;
}

Status MasterState::LoadCheckpoint(const wire::NamespaceImage& image) {
  // OpLog hands an empty image at op 0 when there is no checkpoint; every
  // checkpoint written since permissions has a root record.
  loaded_checkpoint_ = image.last_sequence > 0 || image.__isset.root || !image.inodes.empty();
  ns_.Clear();
  next_chunk_id_ = std::max<int64_t>(1, image.next_chunk_id);
  return ns_.LoadImage(image);
}

Status MasterState::Replay(const wire::OpLogRecord& record) {
  RETURN_NOT_OK(ApplyOpLogRecord(record, MutationMode::kApply, &ns_));
  next_chunk_id_ = std::max(next_chunk_id_, record.next_chunk_id);
  return Status::OK();
}

Result<int64_t> MasterState::Commit(wire::OpLogRecord* record,
                                    std::vector<int64_t>* removed_chunks) {
  record->sequence = log_->last_sequence() + 1;
  record->time_ms = options_.clock_ms();
  if (record->next_chunk_id == 0) record->next_chunk_id = next_chunk_id_;
  RETURN_NOT_OK(ApplyOpLogRecord(*record, MutationMode::kCheck, &ns_));
  RETURN_NOT_OK(log_->AppendNoSync(*record));
  // kCheck passed on this very state, so kApply cannot fail.
  Status applied = ApplyOpLogRecord(*record, MutationMode::kApply, &ns_, removed_chunks);
  CHECK(applied.ok()) << "op " << record->sequence << " passed its check but failed: "
                      << applied.ToString();
  next_chunk_id_ = record->next_chunk_id;
  if (options_.checkpoint_every_ops > 0 &&
      log_->records_since_checkpoint() >= options_.checkpoint_every_ops) {
    // Here, under the caller's lock, not in SyncTo: WriteCheckpoint syncs
    // the log itself (holding the sync token, so SyncTo callers just wait
    // and find their ops durable). A failed checkpoint is retried later; a
    // failed log sync is sticky and reaches the caller's SyncTo.
    Status s = Checkpoint();
    if (!s.ok()) LOG(WARNING) << "checkpoint failed: " << s.ToString();
  }
  return record->sequence;
}

Status MasterState::Checkpoint() {
  wire::NamespaceImage image;
  ns_.SaveImage(&image);
  image.next_chunk_id = next_chunk_id_;
  return log_->WriteCheckpoint(&image);
}

namespace {

// Records what was given; unset fields replay as the defaults.
template <typename Op>
void RecordAttributes(const NewInodeAttributes& a, Op* op) {
  if (!a.owner.empty()) op->__set_owner(a.owner);
  if (a.mode >= 0) op->__set_mode(a.mode);
  if (a.parent_mode >= 0) op->__set_parent_mode(a.parent_mode);
}

}  // namespace

Status MasterState::Mkdirs(const std::string& path, const NewInodeAttributes& attributes) {
  wire::OpLogRecord r;
  r.__set_mkdirs(wire::MkdirsOp());
  r.mkdirs.path = path;
  RecordAttributes(attributes, &r.mkdirs);
  return Commit(&r).status();
}

Status MasterState::Create(const std::string& path, int32_t replication, int64_t chunk_size,
                           const std::string& client, const NewInodeAttributes& attributes) {
  wire::OpLogRecord r;
  r.__set_create(wire::CreateOp());
  r.create.path = path;
  r.create.replication = replication;
  r.create.chunk_size = chunk_size;
  r.create.client_name = client;
  RecordAttributes(attributes, &r.create);
  return Commit(&r).status();
}

Status MasterState::SetPermission(const std::string& path, int32_t mode) {
  wire::OpLogRecord r;
  r.__set_set_permission(wire::SetPermissionOp());
  r.set_permission.path = path;
  r.set_permission.mode = mode;
  return Commit(&r).status();
}

Status MasterState::SetOwner(const std::string& path, const std::string& owner,
                             const std::string& group) {
  wire::OpLogRecord r;
  r.__set_set_owner(wire::SetOwnerOp());
  r.set_owner.path = path;
  if (!owner.empty()) r.set_owner.__set_owner(owner);
  if (!group.empty()) r.set_owner.__set_group(group);
  return Commit(&r).status();
}

Result<ChunkInfo> MasterState::AddChunk(const std::string& path, const std::string& client) {
  ChunkInfo chunk{next_chunk_id_, /*generation=*/1, /*length=*/0};
  wire::OpLogRecord r;
  r.__set_add_chunk(wire::AddChunkOp());
  r.add_chunk.path = path;
  r.add_chunk.client_name = client;
  r.add_chunk.chunk_id = chunk.chunk_id;
  r.add_chunk.generation = chunk.generation;
  r.next_chunk_id = chunk.chunk_id + 1;
  RETURN_NOT_OK(Commit(&r).status());
  return chunk;
}

Status MasterState::AbandonChunk(const std::string& path, const std::string& client,
                                 int64_t chunk_id) {
  wire::OpLogRecord r;
  r.__set_abandon_chunk(wire::AbandonChunkOp());
  r.abandon_chunk.path = path;
  r.abandon_chunk.client_name = client;
  r.abandon_chunk.chunk_id = chunk_id;
  return Commit(&r).status();
}

Result<int64_t> MasterState::BumpGeneration(const std::string& path, const std::string& client,
                                            int64_t chunk_id) {
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, ns_.GetChunks(path));
  if (chunks.empty() || chunks.back().chunk_id != chunk_id) {
    return Status::Aborted("chunk " + std::to_string(chunk_id) + " is not the last of " + path);
  }
  wire::OpLogRecord r;
  r.__set_bump_generation(wire::BumpGenerationOp());
  r.bump_generation.path = path;
  r.bump_generation.client_name = client;
  r.bump_generation.chunk_id = chunk_id;
  r.bump_generation.generation = chunks.back().generation + 1;
  RETURN_NOT_OK(Commit(&r).status());
  return r.bump_generation.generation;
}

Status MasterState::Complete(const std::string& path, const std::string& client,
                             int64_t last_chunk_length) {
  wire::OpLogRecord r;
  r.__set_complete(wire::CompleteOp());
  r.complete.path = path;
  r.complete.client_name = client;
  r.complete.last_chunk_length = last_chunk_length;
  return Commit(&r).status();
}

Status MasterState::RecoverLease(const std::string& path, const std::string& client,
                                 int64_t chunks_kept, int64_t last_chunk_length,
                                 std::vector<int64_t>* removed_chunks) {
  wire::OpLogRecord r;
  r.__set_recover_lease(wire::RecoverLeaseOp());
  r.recover_lease.path = path;
  r.recover_lease.client_name = client;
  r.recover_lease.chunks_kept = chunks_kept;
  r.recover_lease.last_chunk_length = last_chunk_length;
  return Commit(&r, removed_chunks).status();
}

Status MasterState::Delete(const std::string& path, bool recursive,
                           std::vector<int64_t>* removed_chunks) {
  wire::OpLogRecord r;
  r.__set_delete_op(wire::DeleteOp());
  r.delete_op.path = path;
  r.delete_op.recursive = recursive;
  return Commit(&r, removed_chunks).status();
}

Status MasterState::Rename(const std::string& src, const std::string& dst, bool overwrite,
                           std::vector<int64_t>* removed_chunks) {
  wire::OpLogRecord r;
  r.__set_rename(wire::RenameOp());
  r.rename.src = src;
  r.rename.dst = dst;
  if (overwrite) r.rename.__set_overwrite(true);
  return Commit(&r, removed_chunks).status();
}

}  // namespace mr::dfs
