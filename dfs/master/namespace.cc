#include "dfs/master/namespace.h"

#include <algorithm>

#include "dfs/master/dfs_path.h"

namespace mr::dfs {

namespace {
std::string ChildPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}
}  // namespace

Namespace::Namespace() : root_(std::make_unique<Inode>()) { root_->is_dir = true; }
Namespace::~Namespace() = default;

const Namespace::Inode* Namespace::Find(const std::vector<std::string>& components,
                                        size_t count) const {
  const Inode* node = root_.get();
  for (size_t i = 0; i < count; ++i) {
    if (!node->is_dir) return nullptr;
    auto it = node->children.find(components[i]);
    if (it == node->children.end()) return nullptr;
    node = it->second.get();
  }
  return node;
}

Namespace::Inode* Namespace::Find(const std::vector<std::string>& components, size_t count) {
  return const_cast<Inode*>(std::as_const(*this).Find(components, count));
}

Status Namespace::CheckAncestorsAreDirs(const std::vector<std::string>& components,
                                        size_t count) const {
  const Inode* node = root_.get();
  for (size_t i = 0; i < count; ++i) {
    auto it = node->children.find(components[i]);
    if (it == node->children.end()) return Status::OK();
    node = it->second.get();
    if (!node->is_dir) {
      return Status::AlreadyExists(JoinComponents(components, i + 1) + " is a file");
    }
  }
  return Status::OK();
}

Namespace::Inode* Namespace::MakeDirs(const std::vector<std::string>& components, size_t count,
                                      int64_t time_ms) {
  Inode* node = root_.get();
  for (size_t i = 0; i < count; ++i) {
    std::unique_ptr<Inode>& child = node->children[components[i]];
    if (!child) {
      child = std::make_unique<Inode>();
      child->is_dir = true;
      child->modification_time_ms = time_ms;
      node->modification_time_ms = time_ms;
    }
    node = child.get();
  }
  return node;
}

Status Namespace::Mkdirs(const std::string& path, int64_t time_ms, MutationMode mode) {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  RETURN_NOT_OK(CheckAncestorsAreDirs(parts, parts.size()));
  if (mode == MutationMode::kApply) MakeDirs(parts, parts.size(), time_ms);
  return Status::OK();
}

Status Namespace::Create(const std::string& path, int32_t replication, int64_t chunk_size,
                         const std::string& client, int64_t time_ms, MutationMode mode) {
  RETURN_NOT_OK(ValidatePath(path));
  if (replication < 1) return Status::InvalidArgument("replication must be at least 1");
  if (chunk_size < 1) return Status::InvalidArgument("chunk size must be positive");
  if (client.empty()) return Status::InvalidArgument("empty client name");
  std::vector<std::string> parts = SplitPath(path);
  if (parts.empty()) return Status::AlreadyExists("/ exists");
  RETURN_NOT_OK(CheckAncestorsAreDirs(parts, parts.size() - 1));
  if (Find(parts, parts.size()) != nullptr) return Status::AlreadyExists(path + " exists");
  if (mode == MutationMode::kCheck) return Status::OK();
  Inode* parent = MakeDirs(parts, parts.size() - 1, time_ms);
  auto file = std::make_unique<Inode>();
  file->modification_time_ms = time_ms;
  file->replication = replication;
  file->chunk_size = chunk_size;
  file->under_construction = true;
  file->lease_holder = client;
  parent->children[parts.back()] = std::move(file);
  parent->modification_time_ms = time_ms;
  return Status::OK();
}

Result<Namespace::Inode*> Namespace::FindLeasedFile(const std::string& path,
                                                    const std::string& client) {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  Inode* file = Find(parts, parts.size());
  if (file == nullptr) return Status::NotFound(path);
  if (file->is_dir) return Status::InvalidArgument(path + " is a directory");
  if (!file->under_construction) return Status::Aborted(path + " is not open for writing");
  if (file->lease_holder != client) {
    return Status::Aborted(path + " is leased to '" + file->lease_holder + "', not '" + client + "'");
  }
  return file;
}

Status Namespace::AddChunk(const std::string& path, const std::string& client,
                           const ChunkInfo& chunk, int64_t time_ms, MutationMode mode) {
  ASSIGN_OR_RETURN(Inode * file, FindLeasedFile(path, client));
  if (mode == MutationMode::kCheck) return Status::OK();
  if (!file->chunks.empty()) file->chunks.back().length = file->chunk_size;
  file->chunks.push_back({chunk.chunk_id, chunk.generation, 0});
  file->modification_time_ms = time_ms;
  return Status::OK();
}

Status Namespace::AbandonChunk(const std::string& path, const std::string& client,
                               int64_t chunk_id, int64_t time_ms, MutationMode mode) {
  ASSIGN_OR_RETURN(Inode * file, FindLeasedFile(path, client));
  auto it = std::find_if(file->chunks.begin(), file->chunks.end(),
                         [&](const ChunkInfo& c) { return c.chunk_id == chunk_id; });
  if (it == file->chunks.end()) {
    return Status::NotFound("chunk " + std::to_string(chunk_id) + " of " + path);
  }
  if (it + 1 != file->chunks.end()) {
    return Status::Aborted("chunk " + std::to_string(chunk_id) + " is not the last of " + path);
  }
  if (mode == MutationMode::kCheck) return Status::OK();
  // The chunk before it stays full: AddChunk made it so, and the writer
  // filled it before asking for this one.
  file->chunks.pop_back();
  file->modification_time_ms = time_ms;
  return Status::OK();
}

Status Namespace::SetChunkGeneration(const std::string& path, const std::string& client,
                                     int64_t chunk_id, int64_t generation, MutationMode mode) {
  ASSIGN_OR_RETURN(Inode * file, FindLeasedFile(path, client));
  if (file->chunks.empty() || file->chunks.back().chunk_id != chunk_id) {
    return Status::Aborted("chunk " + std::to_string(chunk_id) + " is not the last of " + path);
  }
  ChunkInfo& chunk = file->chunks.back();
  if (generation <= chunk.generation) {
    return Status::InvalidArgument("generation " + std::to_string(generation) + " of chunk " +
                                   std::to_string(chunk_id) + " is not above " +
                                   std::to_string(chunk.generation));
  }
  if (mode == MutationMode::kCheck) return Status::OK();
  chunk.generation = generation;
  return Status::OK();
}

Status Namespace::Complete(const std::string& path, const std::string& client,
                           int64_t last_chunk_length, int64_t time_ms, MutationMode mode) {
  ASSIGN_OR_RETURN(Inode * file, FindLeasedFile(path, client));
  int64_t max_length = file->chunks.empty() ? 0 : file->chunk_size;
  if (last_chunk_length < 0 || last_chunk_length > max_length) {
    return Status::InvalidArgument("last chunk length " + std::to_string(last_chunk_length) +
                                   " of " + path + " is outside [0, " +
                                   std::to_string(max_length) + "]");
  }
  if (mode == MutationMode::kCheck) return Status::OK();
  if (!file->chunks.empty()) file->chunks.back().length = last_chunk_length;
  file->under_construction = false;
  file->lease_holder.clear();
  file->modification_time_ms = time_ms;
  return Status::OK();
}

Status Namespace::Delete(const std::string& path, bool recursive, int64_t time_ms,
                         MutationMode mode, std::vector<int64_t>* removed_chunks) {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  if (parts.empty()) return Status::InvalidArgument("cannot delete /");
  Inode* parent = Find(parts, parts.size() - 1);
  Inode* target = Find(parts, parts.size());
  if (target == nullptr) return Status::NotFound(path);
  if (target->is_dir && !target->children.empty() && !recursive) {
    return Status::InvalidArgument(path + " is a non-empty directory (delete needs recursive)");
  }
  if (mode == MutationMode::kCheck) return Status::OK();
  if (removed_chunks != nullptr) CollectChunks(*target, removed_chunks);
  parent->children.erase(parts.back());
  parent->modification_time_ms = time_ms;
  return Status::OK();
}

Status Namespace::Rename(const std::string& src, const std::string& dst, int64_t time_ms,
                         MutationMode mode) {
  RETURN_NOT_OK(ValidatePath(src));
  RETURN_NOT_OK(ValidatePath(dst));
  std::vector<std::string> src_parts = SplitPath(src);
  std::vector<std::string> dst_parts = SplitPath(dst);
  if (src_parts.empty()) return Status::InvalidArgument("cannot rename /");
  if (Find(src_parts, src_parts.size()) == nullptr) return Status::NotFound(src);
  if (IsSameOrUnder(dst, src)) {
    return Status::InvalidArgument("cannot move " + src + " into itself (" + dst + ")");
  }
  if (Find(dst_parts, dst_parts.size()) != nullptr) return Status::AlreadyExists(dst + " exists");
  Inode* dst_parent = Find(dst_parts, dst_parts.size() - 1);
  if (dst_parent == nullptr) return Status::NotFound("parent of " + dst);
  if (!dst_parent->is_dir) return Status::InvalidArgument("parent of " + dst + " is a file");
  if (mode == MutationMode::kCheck) return Status::OK();
  Inode* src_parent = Find(src_parts, src_parts.size() - 1);
  auto node = std::move(src_parent->children[src_parts.back()]);
  src_parent->children.erase(src_parts.back());
  dst_parent->children[dst_parts.back()] = std::move(node);
  src_parent->modification_time_ms = time_ms;
  dst_parent->modification_time_ms = time_ms;
  return Status::OK();
}

FileInfo Namespace::Describe(const std::string& path, const Inode& inode) {
  FileInfo info;
  info.path = path;
  info.is_dir = inode.is_dir;
  info.modification_time_ms = inode.modification_time_ms;
  if (inode.is_dir) return info;
  for (const ChunkInfo& c : inode.chunks) info.length += c.length;
  info.replication = inode.replication;
  info.chunk_size = inode.chunk_size;
  info.under_construction = inode.under_construction;
  info.lease_holder = inode.lease_holder;
  return info;
}

Result<FileInfo> Namespace::Stat(const std::string& path) const {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  const Inode* node = Find(parts, parts.size());
  if (node == nullptr) return Status::NotFound(path);
  return Describe(path, *node);
}

Result<std::vector<FileInfo>> Namespace::List(const std::string& path) const {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  const Inode* node = Find(parts, parts.size());
  if (node == nullptr) return Status::NotFound(path);
  std::vector<FileInfo> entries;
  if (!node->is_dir) {
    entries.push_back(Describe(path, *node));
    return entries;
  }
  for (const auto& [name, child] : node->children) {
    entries.push_back(Describe(ChildPath(path, name), *child));
  }
  return entries;
}

Result<std::vector<ChunkInfo>> Namespace::GetChunks(const std::string& path) const {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  const Inode* node = Find(parts, parts.size());
  if (node == nullptr) return Status::NotFound(path);
  if (node->is_dir) return Status::InvalidArgument(path + " is a directory");
  return node->chunks;
}

void Namespace::CollectChunks(const Inode& inode, std::vector<int64_t>* out) {
  Visit("", inode, [out](const std::string&, const Inode& node) {
    for (const ChunkInfo& c : node.chunks) out->push_back(c.chunk_id);
  });
}

void Namespace::Visit(const std::string& path, const Inode& inode,
                      const std::function<void(const std::string&, const Inode&)>& fn) {
  fn(path, inode);
  for (const auto& [name, child] : inode.children) Visit(ChildPath(path, name), *child, fn);
}

void Namespace::ForEachFile(
    const std::function<void(const FileInfo&, const std::vector<ChunkInfo>&)>& fn) const {
  Visit("/", *root_, [&fn](const std::string& path, const Inode& node) {
    if (!node.is_dir) fn(Describe(path, node), node.chunks);
  });
}

}  // namespace mr::dfs
