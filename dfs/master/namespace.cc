#include "dfs/master/namespace.h"

#include <algorithm>

#include "dfs/master/dfs_path.h"
#include "security/identity.h"

namespace mr::dfs {

namespace {
std::string ChildPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}
}  // namespace

Namespace::Namespace() : Namespace(security::ProcessUserName(), SuperuserGroup()) {}

Namespace::Namespace(std::string superuser, std::string supergroup)
    : superuser_(std::move(superuser)), supergroup_(std::move(supergroup)) {
  Clear();
}

Namespace::~Namespace() { DestroyTree(std::move(root_)); }

void Namespace::Clear() {
  DestroyTree(std::move(root_));
  root_ = std::make_unique<Inode>();
  root_->is_dir = true;
  root_->owner = Intern(superuser_);
  root_->group = Intern(supergroup_);
  root_->mode = kDefaultDirMode;
}

uint32_t Namespace::Intern(const std::string& name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(names_.size());
  names_.push_back(name);
  name_ids_.emplace(name, id);
  return id;
}

Permission Namespace::PermissionOf(const Inode& inode) const {
  return Permission{names_[inode.owner], names_[inode.group], inode.mode};
}

Permission Namespace::RootPermission() const { return PermissionOf(*root_); }

Result<Namespace::ResolvedAttributes> Namespace::Resolve(const NewInodeAttributes& a,
                                                         bool is_dir) const {
  for (int32_t m : {a.mode, a.parent_mode}) {
    if (m < -1 || m > kMaxMode) {
      return Status::InvalidArgument("mode " + std::to_string(m) + " is outside [0, 01777]");
    }
  }
  ResolvedAttributes r;
  r.owner = a.owner.empty() ? superuser_ : a.owner;
  r.mode = a.mode >= 0 ? static_cast<uint16_t>(a.mode)
                       : (is_dir ? kDefaultDirMode : kDefaultFileMode);
  r.parent_mode = a.parent_mode >= 0 ? static_cast<uint16_t>(a.parent_mode) : kDefaultDirMode;
  return r;
}

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
                                      int64_t time_ms, uint32_t owner, uint16_t parent_mode,
                                      uint16_t last_mode) {
  Inode* node = root_.get();
  for (size_t i = 0; i < count; ++i) {
    std::unique_ptr<Inode>& child = node->children[components[i]];
    if (!child) {
      child = std::make_unique<Inode>();
      child->is_dir = true;
      child->owner = owner;
      child->group = node->group;
      child->mode = i + 1 == count ? last_mode : parent_mode;
      child->modification_time_ms = time_ms;
      node->modification_time_ms = time_ms;
    }
    node = child.get();
  }
  return node;
}

Status Namespace::Mkdirs(const std::string& path, int64_t time_ms, MutationMode mode,
                         const NewInodeAttributes& attributes) {
  RETURN_NOT_OK(ValidatePath(path));
  ASSIGN_OR_RETURN(ResolvedAttributes a, Resolve(attributes, /*is_dir=*/true));
  std::vector<std::string> parts = SplitPath(path);
  RETURN_NOT_OK(CheckAncestorsAreDirs(parts, parts.size()));
  if (mode == MutationMode::kApply) {
    MakeDirs(parts, parts.size(), time_ms, Intern(a.owner), a.parent_mode, a.mode);
  }
  return Status::OK();
}

Status Namespace::Create(const std::string& path, int32_t replication, int64_t chunk_size,
                         const std::string& client, int64_t time_ms, MutationMode mode,
                         const NewInodeAttributes& attributes) {
  RETURN_NOT_OK(ValidatePath(path));
  ASSIGN_OR_RETURN(ResolvedAttributes a, Resolve(attributes, /*is_dir=*/false));
  if (replication < 1) return Status::InvalidArgument("replication must be at least 1");
  if (chunk_size < 1) return Status::InvalidArgument("chunk size must be positive");
  if (client.empty()) return Status::InvalidArgument("empty client name");
  if (client.size() > kMaxClientNameBytes) {
    return Status::InvalidArgument("client name longer than " +
                                   std::to_string(kMaxClientNameBytes) + " bytes");
  }
  std::vector<std::string> parts = SplitPath(path);
  if (parts.empty()) return Status::AlreadyExists("/ exists");
  RETURN_NOT_OK(CheckAncestorsAreDirs(parts, parts.size() - 1));
  if (Find(parts, parts.size()) != nullptr) return Status::AlreadyExists(path + " exists");
  if (mode == MutationMode::kCheck) return Status::OK();
  const uint32_t owner = Intern(a.owner);
  Inode* parent =
      MakeDirs(parts, parts.size() - 1, time_ms, owner, a.parent_mode, a.parent_mode);
  auto file = std::make_unique<Inode>();
  file->owner = owner;
  file->group = parent->group;
  file->mode = a.mode;
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

Status Namespace::RecoverLease(const std::string& path, const std::string& client,
                               int64_t chunks_kept, int64_t last_chunk_length, int64_t time_ms,
                               MutationMode mode, std::vector<int64_t>* removed_chunks) {
  ASSIGN_OR_RETURN(Inode * file, FindLeasedFile(path, client));
  const int64_t chunks = static_cast<int64_t>(file->chunks.size());
  if (chunks_kept < 0 || chunks_kept > chunks) {
    return Status::InvalidArgument("lease recovery of " + path + " keeps " +
                                   std::to_string(chunks_kept) + " of its " +
                                   std::to_string(chunks) + " chunks");
  }
  int64_t max_length = chunks_kept == 0 ? 0 : file->chunk_size;
  if (last_chunk_length < 0 || last_chunk_length > max_length) {
    return Status::InvalidArgument("recovered last chunk length " +
                                   std::to_string(last_chunk_length) + " of " + path +
                                   " is outside [0, " + std::to_string(max_length) + "]");
  }
  if (mode == MutationMode::kCheck) return Status::OK();
  for (int64_t i = chunks_kept; i < chunks; ++i) {
    if (removed_chunks != nullptr) removed_chunks->push_back(file->chunks[i].chunk_id);
  }
  file->chunks.resize(static_cast<size_t>(chunks_kept));
  // Every kept chunk but the last is full: AddChunk made it so.
  if (!file->chunks.empty()) file->chunks.back().length = last_chunk_length;
  file->under_construction = false;
  file->lease_holder.clear();
  file->incomplete = true;
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
  auto it = parent->children.find(parts.back());
  std::unique_ptr<Inode> doomed = std::move(it->second);
  parent->children.erase(it);
  DestroyTree(std::move(doomed));
  parent->modification_time_ms = time_ms;
  return Status::OK();
}

Status Namespace::Rename(const std::string& src, const std::string& dst, bool overwrite,
                         int64_t time_ms, MutationMode mode,
                         std::vector<int64_t>* removed_chunks) {
  RETURN_NOT_OK(ValidatePath(src));
  RETURN_NOT_OK(ValidatePath(dst));
  std::vector<std::string> src_parts = SplitPath(src);
  std::vector<std::string> dst_parts = SplitPath(dst);
  if (src_parts.empty()) return Status::InvalidArgument("cannot rename /");
  const Inode* node = Find(src_parts, src_parts.size());
  if (node == nullptr) return Status::NotFound(src);
  if (IsSameOrUnder(dst, src)) {
    return Status::InvalidArgument("cannot move " + src + " into itself (" + dst + ")");
  }
  Inode* replaced = Find(dst_parts, dst_parts.size());
  if (replaced != nullptr) {
    if (!overwrite) return Status::AlreadyExists(dst + " exists");
    if (replaced->is_dir || node->is_dir) {
      return Status::AlreadyExists(dst + " exists and only a file replaces a file");
    }
    if (replaced->under_construction || node->under_construction) {
      return Status::Aborted("cannot replace " + dst + " with " + src +
                             ": a writer has one of them open");
    }
  }
  Inode* dst_parent = Find(dst_parts, dst_parts.size() - 1);
  if (dst_parent == nullptr) return Status::NotFound("parent of " + dst);
  if (!dst_parent->is_dir) return Status::InvalidArgument("parent of " + dst + " is a file");
  RETURN_NOT_OK(CheckMoveFits(*node, src, dst));
  if (mode == MutationMode::kCheck) return Status::OK();
  Inode* src_parent = Find(src_parts, src_parts.size() - 1);
  auto moved = src_parent->children.find(src_parts.back());
  std::unique_ptr<Inode> taken = std::move(moved->second);
  src_parent->children.erase(moved);
  std::unique_ptr<Inode>& slot = dst_parent->children[dst_parts.back()];
  if (slot != nullptr) {
    if (removed_chunks != nullptr) CollectChunks(*slot, removed_chunks);
    DestroyTree(std::move(slot));
  }
  slot = std::move(taken);
  src_parent->modification_time_ms = time_ms;
  dst_parent->modification_time_ms = time_ms;
  return Status::OK();
}

Status Namespace::CheckMoveFits(const Inode& node, const std::string& src, const std::string& dst) {
  const size_t src_depth = PathDepth(src);
  const size_t dst_depth = PathDepth(dst);
  // Every path under src fits now, so none can outgrow the limits unless
  // dst is longer or deeper than src.
  if (dst.size() <= src.size() && dst_depth <= src_depth) return Status::OK();
  size_t below_bytes = 0;  // Of the longest relative path under node ("/x/y").
  size_t below_depth = 0;
  Walk(node, "", [&](const std::string& path, const Inode&, size_t depth) {
    below_bytes = std::max(below_bytes, path.size());
    below_depth = std::max(below_depth, depth);
  });
  if (dst.size() + below_bytes > kMaxDfsPathBytes || dst_depth + below_depth > kMaxDfsPathDepth) {
    return Status::InvalidArgument(
        "cannot move " + ShortPath(src) + " to " + ShortPath(dst) + ": a path under it would be " +
        std::to_string(dst.size() + below_bytes) + " bytes and " +
        std::to_string(dst_depth + below_depth) + " components long (limits " +
        std::to_string(kMaxDfsPathBytes) + " and " + std::to_string(kMaxDfsPathDepth) + ")");
  }
  return Status::OK();
}

Status Namespace::SetPermission(const std::string& path, int32_t permission_mode,
                                MutationMode mode) {
  RETURN_NOT_OK(ValidatePath(path));
  if (permission_mode < 0 || permission_mode > kMaxMode) {
    return Status::InvalidArgument("mode " + std::to_string(permission_mode) +
                                   " is outside [0, 01777]");
  }
  std::vector<std::string> parts = SplitPath(path);
  Inode* node = Find(parts, parts.size());
  if (node == nullptr) return Status::NotFound(path);
  if (mode == MutationMode::kApply) node->mode = static_cast<uint16_t>(permission_mode);
  return Status::OK();
}

Status Namespace::SetOwner(const std::string& path, const std::string& owner,
                           const std::string& group, MutationMode mode) {
  RETURN_NOT_OK(ValidatePath(path));
  std::vector<std::string> parts = SplitPath(path);
  Inode* node = Find(parts, parts.size());
  if (node == nullptr) return Status::NotFound(path);
  if (mode == MutationMode::kCheck) return Status::OK();
  if (!owner.empty()) node->owner = Intern(owner);
  if (!group.empty()) node->group = Intern(group);
  return Status::OK();
}

FileInfo Namespace::Describe(const std::string& path, const Inode& inode) const {
  FileInfo info;
  info.path = path;
  info.is_dir = inode.is_dir;
  info.modification_time_ms = inode.modification_time_ms;
  info.permission = PermissionOf(inode);
  if (inode.is_dir) return info;
  for (const ChunkInfo& c : inode.chunks) info.length += c.length;
  info.replication = inode.replication;
  info.chunk_size = inode.chunk_size;
  info.under_construction = inode.under_construction;
  info.lease_holder = inode.lease_holder;
  info.incomplete = inode.incomplete;
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
  Walk(inode, "", [out](const std::string&, const Inode& node, size_t) {
    for (const ChunkInfo& c : node.chunks) out->push_back(c.chunk_id);
  });
}

void Namespace::Walk(const Inode& root, const std::string& root_path, const WalkFn& fn) {
  struct Frame {
    std::map<std::string, std::unique_ptr<Inode>>::const_iterator next, end;
    size_t path_size;  // Of the directory's own path.
  };
  std::string path = root_path;  // Extended and cut back in place: one buffer.
  fn(path, root, 0);
  std::vector<Frame> stack;
  if (!root.children.empty()) stack.push_back({root.children.begin(), root.children.end(), path.size()});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.end) {
      stack.pop_back();
      continue;
    }
    const auto& [name, child] = *top.next++;
    path.resize(top.path_size);
    if (path != "/") path += '/';
    path += name;
    const size_t depth = stack.size();
    fn(path, *child, depth);
    if (!child->children.empty()) {
      stack.push_back({child->children.begin(), child->children.end(), path.size()});
    }
  }
}

void Namespace::DestroyTree(std::unique_ptr<Inode> root) {
  std::vector<std::unique_ptr<Inode>> doomed;
  if (root != nullptr) doomed.push_back(std::move(root));
  while (!doomed.empty()) {
    std::unique_ptr<Inode> node = std::move(doomed.back());
    doomed.pop_back();
    for (auto& [name, child] : node->children) {
      if (child != nullptr) doomed.push_back(std::move(child));
    }
    // `node` goes here; its children map holds only nulls by now.
  }
}

void Namespace::ForEachFile(
    const std::function<void(const FileInfo&, const std::vector<ChunkInfo>&)>& fn) const {
  Walk(*root_, "/", [this, &fn](const std::string& path, const Inode& node, size_t) {
    if (!node.is_dir) fn(Describe(path, node), node.chunks);
  });
}

}  // namespace mr::dfs
