#include "dfs/master/op_apply.h"

#include "dfs_types.h"

namespace mr::dfs {

Status ApplyOpLogRecord(const wire::OpLogRecord& r, MutationMode mode, Namespace* ns,
                        std::vector<int64_t>* removed_chunks) {
  const auto& set = r.__isset;
  int ops = set.mkdirs + set.create + set.add_chunk + set.complete + set.delete_op + set.rename +
            set.abandon_chunk + set.bump_generation;
  if (ops != 1) {
    return Status::InvalidArgument("op-log record " + std::to_string(r.sequence) + " carries " +
                                   std::to_string(ops) + " ops");
  }
  if (set.mkdirs) return ns->Mkdirs(r.mkdirs.path, r.time_ms, mode);
  if (set.create) {
    const wire::CreateOp& op = r.create;
    return ns->Create(op.path, op.replication, op.chunk_size, op.client_name, r.time_ms, mode);
  }
  if (set.add_chunk) {
    const wire::AddChunkOp& op = r.add_chunk;
    return ns->AddChunk(op.path, op.client_name, {op.chunk_id, op.generation, 0}, r.time_ms, mode);
  }
  if (set.complete) {
    const wire::CompleteOp& op = r.complete;
    return ns->Complete(op.path, op.client_name, op.last_chunk_length, r.time_ms, mode);
  }
  if (set.delete_op) {
    return ns->Delete(r.delete_op.path, r.delete_op.recursive, r.time_ms, mode, removed_chunks);
  }
  if (set.abandon_chunk) {
    const wire::AbandonChunkOp& op = r.abandon_chunk;
    return ns->AbandonChunk(op.path, op.client_name, op.chunk_id, r.time_ms, mode);
  }
  if (set.bump_generation) {
    const wire::BumpGenerationOp& op = r.bump_generation;
    return ns->SetChunkGeneration(op.path, op.client_name, op.chunk_id, op.generation, mode);
  }
  return ns->Rename(r.rename.src, r.rename.dst, r.time_ms, mode);
}

}  // namespace mr::dfs
