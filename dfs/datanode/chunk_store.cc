#include "dfs/datanode/chunk_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include <glog/logging.h>

#include "common/file.h"

namespace mr::dfs {

namespace {

constexpr uint64_t kVerifyPieceBytes = 16 * kChunkSliceBytes;  // 1 MiB.

void UnlinkOrWarn(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    LOG(WARNING) << "unlink " << path << ": " << std::strerror(errno);
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(const std::string& data_dir) {
  return Open(data_dir, DiskSpace::Options::FromFlags(data_dir));
}

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(const std::string& data_dir,
                                                     DiskSpace::Options space) {
  RETURN_NOT_OK(CreateDirs(JoinPath(data_dir, "chunks")));
  // Replicas are readable by the datanode's user only (and its clients of the
  // same user, for short-circuit reads): others read through the data plane,
  // with a token. Directories made before this are tightened too.
  for (const std::string& dir : {data_dir, JoinPath(data_dir, "chunks")}) {
    if (::chmod(dir.c_str(), kReplicaDirMode) != 0) {
      return Status::FromErrno(errno, "chmod 0700 " + dir);
    }
  }
  if (space.dir.empty()) space.dir = data_dir;
  std::unique_ptr<ChunkStore> store(new ChunkStore(JoinPath(data_dir, "chunks"), std::move(space)));
  RETURN_NOT_OK(store->Load());
  return store;
}

ChunkStore::ChunkStore(std::string dir, DiskSpace::Options space)
    : dir_(std::move(dir)), space_(std::move(space), [this] { return stored_bytes(); }) {}

uint64_t ChunkStore::stored_bytes() const {
  std::shared_lock lock(mu_);
  return stored_bytes_;
}

std::string ChunkStore::PathOf(const std::string& name) const { return JoinPath(dir_, name); }

Status ChunkStore::Load() {
  // id -> generation -> {has data, has meta}.
  std::map<int64_t, std::map<int64_t, std::pair<bool, bool>>> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    int64_t id, gen;
    ChunkFileKind kind;
    if (EndsWith(name, kTempSuffix)) {
      LOG(INFO) << "chunk store: removing leftover temp file " << name;
      UnlinkOrWarn(PathOf(name));
    } else if (ParseChunkFileName(name, &id, &gen, &kind)) {
      auto& entry = found[id][gen];
      (kind == ChunkFileKind::kData ? entry.first : entry.second) = true;
    } else {
      LOG(WARNING) << "chunk store: ignoring unknown file " << PathOf(name);
    }
  }
  if (ec) return Status::IOError("list " + dir_ + ": " + ec.message());

  std::unique_lock lock(mu_);
  for (const auto& [id, gens] : found) {
    bool kept = false;
    for (auto it = gens.rbegin(); it != gens.rend(); ++it) {  // Newest generation first.
      int64_t gen = it->first;
      bool complete = it->second.first && it->second.second;
      if (!kept && complete) {
        ChunkInfo info{id, gen, 0};
        Result<std::unique_ptr<ChunkReader>> reader =
            ChunkReader::Open(info, PathOf(ChunkDataName(id, gen)), PathOf(ChunkMetaName(id, gen)));
        if (reader.ok()) {
          chunks_[id] = (*reader)->info();
          stored_bytes_ += chunks_[id].length;
          kept = true;
          continue;
        }
        LOG(ERROR) << "chunk store: dropping unreadable replica: " << reader.status().ToString();
      } else {
        LOG(INFO) << "chunk store: removing " << (complete ? "stale" : "incomplete") << " replica "
                  << ChunkName(id, gen);
      }
      RemoveReplicaFiles(id, gen);
    }
  }
  LOG(INFO) << "chunk store " << dir_ << ": " << chunks_.size() << " replicas";
  return SyncDir(dir_);
}

Result<std::unique_ptr<ChunkWriter>> ChunkStore::CreateChunk(int64_t chunk_id, int64_t generation,
                                                             uint64_t reserve_bytes) {
  std::string name = ChunkName(chunk_id, generation);
  if (chunk_id < 0 || generation < 0) return Status::InvalidArgument(name + ": negative id");
  // Before anything is created, so that a full disk refuses cleanly.
  RETURN_NOT_OK(space_.Reserve(reserve_bytes));
  {
    std::unique_lock lock(mu_);
    auto it = chunks_.find(chunk_id);
    Status refused;
    if (it != chunks_.end() && it->second.generation >= generation) {
      refused = Status::AlreadyExists(name + ": have generation " +
                                      std::to_string(it->second.generation));
    } else if (!writing_.insert({chunk_id, generation}).second) {
      refused = Status::AlreadyExists(name + ": already being written");
    }
    if (!refused.ok()) {
      lock.unlock();
      space_.Finished(reserve_bytes, 0);
      return refused;
    }
  }
  std::string data_tmp = PathOf(ChunkDataName(chunk_id, generation)) + std::string(kTempSuffix);
  std::string meta_tmp = PathOf(ChunkMetaName(chunk_id, generation)) + std::string(kTempSuffix);
  // Packets of 32 KiB and more go straight to write(2) instead of through a
  // 1 MiB buffer: one copy fewer per byte; smaller ones are still coalesced.
  Result<std::unique_ptr<WritableFile>> file =
      WritableFile::Create(data_tmp, /*buffer_bytes=*/kChunkSliceBytes / 2, kReplicaFileMode);
  if (!file.ok()) {
    ReleaseWriter(chunk_id, generation);
    space_.Finished(reserve_bytes, 0);
    return file.status();
  }
  return std::unique_ptr<ChunkWriter>(new ChunkWriter(this, chunk_id, generation, std::move(*file),
                                                      data_tmp, meta_tmp, reserve_bytes));
}

Status ChunkStore::Commit(const ChunkInfo& info, const std::string& data_tmp,
                          const std::string& meta_tmp) {
  {
    std::unique_lock lock(mu_);
    auto it = chunks_.find(info.chunk_id);
    if (it != chunks_.end() && it->second.generation >= info.generation) {
      return Status::AlreadyExists(ChunkName(info.chunk_id, info.generation) +
                                   ": a newer replica was finalized first");
    }
    std::string data_path = PathOf(ChunkDataName(info.chunk_id, info.generation));
    RETURN_NOT_OK(RenameNoReplace(data_tmp, data_path));
    Status s = RenameNoReplace(meta_tmp, PathOf(ChunkMetaName(info.chunk_id, info.generation)));
    if (!s.ok()) {
      UnlinkOrWarn(data_path);
      return s;
    }
    if (it != chunks_.end()) {
      RemoveReplicaFiles(it->first, it->second.generation);
      stored_bytes_ -= it->second.length;
    }
    chunks_[info.chunk_id] = info;
    stored_bytes_ += info.length;
  }
  return SyncDir(dir_);
}

void ChunkStore::ReleaseWriter(int64_t chunk_id, int64_t generation) {
  std::unique_lock lock(mu_);
  writing_.erase({chunk_id, generation});
}

void ChunkStore::RemoveReplicaFiles(int64_t chunk_id, int64_t generation) {
  // Meta first: without it the data file is not a replica.
  UnlinkOrWarn(PathOf(ChunkMetaName(chunk_id, generation)));
  UnlinkOrWarn(PathOf(ChunkDataName(chunk_id, generation)));
}

Result<std::unique_ptr<ChunkReader>> ChunkStore::OpenChunk(int64_t chunk_id,
                                                           int64_t generation) const {
  std::shared_lock lock(mu_);
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return Status::NotFound(ChunkName(chunk_id, generation) + ": no replica");
  if (it->second.generation != generation) {
    return Status::NotFound(ChunkName(chunk_id, generation) + ": replica has generation " +
                            std::to_string(it->second.generation));
  }
  return ChunkReader::Open(it->second, PathOf(ChunkDataName(chunk_id, generation)),
                           PathOf(ChunkMetaName(chunk_id, generation)));
}

Result<ReplicaFiles> ChunkStore::LocateChunk(int64_t chunk_id, int64_t generation) const {
  ReplicaFiles files;
  {
    std::shared_lock lock(mu_);
    auto it = chunks_.find(chunk_id);
    if (it == chunks_.end() || it->second.generation != generation) {
      return Status::NotFound(ChunkName(chunk_id, generation) + ": no replica of that generation");
    }
    files.info = it->second;
  }
  // Absolute: the client does not share the datanode's working directory.
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(dir_, ec);
  if (ec) return Status::IOError("absolute path of " + dir_ + ": " + ec.message());
  files.data_path = (dir / ChunkDataName(chunk_id, generation)).string();
  files.meta_path = (dir / ChunkMetaName(chunk_id, generation)).string();
  return files;
}

Status ChunkStore::ReadChunk(int64_t chunk_id, int64_t generation, uint64_t offset,
                             uint64_t length, std::string* out) const {
  ASSIGN_OR_RETURN(std::unique_ptr<ChunkReader> reader, OpenChunk(chunk_id, generation));
  return reader->Read(offset, length, out);
}

Status ChunkStore::Delete(int64_t chunk_id, int64_t max_generation) {
  std::unique_lock lock(mu_);
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return Status::NotFound("chunk " + std::to_string(chunk_id));
  if (it->second.generation > max_generation) {
    return Status::NotFound("chunk " + std::to_string(chunk_id) + " generation <= " +
                            std::to_string(max_generation) + " (holds " +
                            std::to_string(it->second.generation) + ")");
  }
  RemoveReplicaFiles(chunk_id, it->second.generation);
  stored_bytes_ -= it->second.length;
  chunks_.erase(it);
  return Status::OK();
}

std::vector<ChunkInfo> ChunkStore::List() const {
  std::shared_lock lock(mu_);
  std::vector<ChunkInfo> out;
  out.reserve(chunks_.size());
  for (const auto& [id, info] : chunks_) out.push_back(info);
  return out;
}

Result<ChunkInfo> ChunkStore::Find(int64_t chunk_id) const {
  std::shared_lock lock(mu_);
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return Status::NotFound("chunk " + std::to_string(chunk_id));
  return it->second;
}

std::string ChunkStore::CheckReplicaFiles(int dir_fd, const ChunkInfo& info) const {
  struct File {
    const char* what;
    std::string name;
    uint64_t size;
  };
  const File files[] = {
      {"data file", ChunkDataName(info.chunk_id, info.generation), info.length},
      {"meta file", ChunkMetaName(info.chunk_id, info.generation),
       kChunkMetaHeaderBytes + 8 * SliceCount(info.length)},
  };
  for (const File& f : files) {
    struct stat st {};
    if (::fstatat(dir_fd, f.name.c_str(), &st, 0) != 0) {
      return std::string(f.what) + (errno == ENOENT ? " missing" : ": " + std::string(std::strerror(errno)));
    }
    if (!S_ISREG(st.st_mode)) return std::string(f.what) + " is not a regular file";
    if (static_cast<uint64_t>(st.st_size) != f.size) {
      return std::string(f.what) + " has " + std::to_string(st.st_size) + " bytes, not " +
             std::to_string(f.size);
    }
  }
  return "";
}

std::vector<LostReplica> ChunkStore::CheckReplicas(const std::vector<ChunkInfo>& replicas) {
  std::vector<LostReplica> lost;
  int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    LOG(WARNING) << "chunk store: directory scan of " << dir_ << ": " << std::strerror(errno);
    return lost;
  }
  for (const ChunkInfo& info : replicas) {
    if (CheckReplicaFiles(dir_fd, info).empty()) continue;
    // Again under the lock, which every rename and unlink of a final name
    // holds: a replica deleted or replaced meanwhile is not lost.
    std::unique_lock lock(mu_);
    auto it = chunks_.find(info.chunk_id);
    if (it == chunks_.end() || it->second.generation != info.generation) continue;
    std::string why = CheckReplicaFiles(dir_fd, info);
    if (why.empty()) continue;
    LOG(ERROR) << "chunk store: " << ChunkName(info.chunk_id, info.generation) << " lost: " << why;
    RemoveReplicaFiles(info.chunk_id, info.generation);
    stored_bytes_ -= it->second.length;
    chunks_.erase(it);
    lost.push_back({info, why});
  }
  ::close(dir_fd);
  return lost;
}

Status ChunkStore::Verify(int64_t chunk_id, const std::function<bool(uint64_t)>& pace) const {
  ASSIGN_OR_RETURN(ChunkInfo info, Find(chunk_id));
  ASSIGN_OR_RETURN(std::unique_ptr<ChunkReader> reader, OpenChunk(chunk_id, info.generation));
  std::string scratch;
  for (uint64_t offset = 0; offset < info.length; offset += kVerifyPieceBytes) {
    uint64_t n = std::min(kVerifyPieceBytes, info.length - offset);
    RETURN_NOT_OK(reader->Read(offset, n, &scratch));
    if (pace && !pace(n)) return Status::Aborted("verify of chunk " + std::to_string(chunk_id));
  }
  return Status::OK();
}

}  // namespace mr::dfs
