#include "dfs/master/op_apply.h"

#include "dfs/master/dfs_path.h"
#include "dfs_types.h"

namespace mr::dfs {

namespace {

int OpCount(const wire::OpLogRecord& r) {
  const auto& set = r.__isset;
  return set.mkdirs + set.create + set.add_chunk + set.complete + set.delete_op + set.rename +
         set.abandon_chunk + set.bump_generation + set.recover_lease + set.set_permission +
         set.set_owner;
}

// The attributes a MkdirsOp or CreateOp records; unset (a record from
// before permissions): the namespace's defaults.
template <typename Op>
NewInodeAttributes AttributesOf(const Op& op) {
  NewInodeAttributes a;
  if (op.__isset.owner) a.owner = op.owner;
  if (op.__isset.mode) a.mode = op.mode;
  if (op.__isset.parent_mode) a.parent_mode = op.parent_mode;
  return a;
}

// An older master's lease recovery (CompleteOp.lease_recovery): the file was
// never closed by its writer, so it is replayed as incomplete, every chunk
// kept.
Status ApplyOldLeaseRecovery(const wire::CompleteOp& op, int64_t time_ms, MutationMode mode,
                             Namespace* ns) {
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, ns->GetChunks(op.path));
  return ns->RecoverLease(op.path, op.client_name, static_cast<int64_t>(chunks.size()),
                          op.last_chunk_length, time_ms, mode);
}

}  // namespace

Status ApplyOpLogRecord(const wire::OpLogRecord& r, MutationMode mode, Namespace* ns,
                        std::vector<int64_t>* removed_chunks) {
  if (int ops = OpCount(r); ops != 1) {
    return Status::InvalidArgument("op-log record " + std::to_string(r.sequence) + " carries " +
                                   std::to_string(ops) + " ops (none: an op this master does "
                                   "not know, from a newer version?)");
  }
  const auto& set = r.__isset;
  if (set.mkdirs) return ns->Mkdirs(r.mkdirs.path, r.time_ms, mode, AttributesOf(r.mkdirs));
  if (set.create) {
    const wire::CreateOp& op = r.create;
    return ns->Create(op.path, op.replication, op.chunk_size, op.client_name, r.time_ms, mode,
                      AttributesOf(op));
  }
  if (set.set_permission) {
    return ns->SetPermission(r.set_permission.path, r.set_permission.mode, mode);
  }
  if (set.set_owner) {
    const wire::SetOwnerOp& op = r.set_owner;
    if (op.__isset.owner) RETURN_NOT_OK(ValidateOwnerName(op.owner));
    if (op.__isset.group) RETURN_NOT_OK(ValidateOwnerName(op.group));
    return ns->SetOwner(op.path, op.__isset.owner ? op.owner : "",
                        op.__isset.group ? op.group : "", mode);
  }
  if (set.add_chunk) {
    const wire::AddChunkOp& op = r.add_chunk;
    return ns->AddChunk(op.path, op.client_name, {op.chunk_id, op.generation, 0}, r.time_ms, mode);
  }
  if (set.complete) {
    const wire::CompleteOp& op = r.complete;
    if (op.__isset.lease_recovery && op.lease_recovery) {
      return ApplyOldLeaseRecovery(op, r.time_ms, mode, ns);
    }
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
  if (set.recover_lease) {
    const wire::RecoverLeaseOp& op = r.recover_lease;
    return ns->RecoverLease(op.path, op.client_name, op.chunks_kept, op.last_chunk_length,
                            r.time_ms, mode, removed_chunks);
  }
  const bool overwrite = r.rename.__isset.overwrite && r.rename.overwrite;
  return ns->Rename(r.rename.src, r.rename.dst, overwrite, r.time_ms, mode, removed_chunks);
}

std::string DescribeOpLogRecord(const wire::OpLogRecord& r) {
  const auto& set = r.__isset;
  std::string what;
  if (OpCount(r) != 1) {
    what = std::to_string(OpCount(r)) + " ops";
  } else if (set.mkdirs) {
    what = "mkdirs " + ShortPath(r.mkdirs.path);
  } else if (set.create) {
    what = "create " + ShortPath(r.create.path) + " for " + ShortPath(r.create.client_name);
  } else if (set.add_chunk) {
    what = "add chunk " + std::to_string(r.add_chunk.chunk_id) + " to " +
           ShortPath(r.add_chunk.path);
  } else if (set.complete) {
    what = std::string(r.complete.lease_recovery ? "lease recovery of " : "complete ") +
           ShortPath(r.complete.path) + ", last chunk " +
           std::to_string(r.complete.last_chunk_length) + " bytes";
  } else if (set.delete_op) {
    what = std::string(r.delete_op.recursive ? "delete -r " : "delete ") +
           ShortPath(r.delete_op.path);
  } else if (set.rename) {
    what = "rename " + ShortPath(r.rename.src) + " -> " + ShortPath(r.rename.dst) +
           (r.rename.overwrite ? " (overwrite)" : "");
  } else if (set.abandon_chunk) {
    what = "abandon chunk " + std::to_string(r.abandon_chunk.chunk_id) + " of " +
           ShortPath(r.abandon_chunk.path);
  } else if (set.set_permission) {
    what = "chmod " + OctalMode(static_cast<uint16_t>(r.set_permission.mode)) + " " +
           ShortPath(r.set_permission.path);
  } else if (set.set_owner) {
    what = "chown " + ShortPath(r.set_owner.owner) + ":" + ShortPath(r.set_owner.group) + " " +
           ShortPath(r.set_owner.path);
  } else if (set.bump_generation) {
    what = "chunk " + std::to_string(r.bump_generation.chunk_id) + " of " +
           ShortPath(r.bump_generation.path) + " to generation " +
           std::to_string(r.bump_generation.generation);
  } else {
    what = "lease recovery of " + ShortPath(r.recover_lease.path) + " keeping " +
           std::to_string(r.recover_lease.chunks_kept) + " chunks";
  }
  return "op " + std::to_string(r.sequence) + " (" + what + ")";
}

}  // namespace mr::dfs
