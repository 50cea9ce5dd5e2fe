// Namespace <-> wire::NamespaceImage (the checkpoint's body).
#include <algorithm>
#include <string_view>

#include "dfs/master/dfs_path.h"
#include "dfs_types.h"
#include "dfs/master/namespace.h"

namespace mr::dfs {

namespace {

// An image from before permissions (no owner) stands for the superuser, the
// group of the parent and the default modes.
template <typename Record>
void RecordPermission(const Permission& p, Record* r) {
  r->__set_owner(p.owner);
  r->__set_group(p.group);
  r->__set_mode(p.mode);
}

}  // namespace

void Namespace::SaveImage(wire::NamespaceImage* image) const {
  image->inodes.clear();
  wire::InodeRecord root;
  root.path = "/";
  root.is_dir = true;
  root.modification_time_ms = root_->modification_time_ms;
  RecordPermission(PermissionOf(*root_), &root);
  image->__set_root(root);
  // Every path is at most kMaxDfsPathBytes, so the image is linear in the
  // number of inodes.
  Walk(*root_, "/", [this, image](const std::string& path, const Inode& node, size_t depth) {
    if (depth == 0) return;  // The root is image->root.
    wire::InodeRecord& r = image->inodes.emplace_back();
    r.path = path;
    r.is_dir = node.is_dir;
    r.modification_time_ms = node.modification_time_ms;
    RecordPermission(PermissionOf(node), &r);
    if (node.is_dir) return;
    r.replication = node.replication;
    r.chunk_size = node.chunk_size;
    for (const ChunkInfo& c : node.chunks) {
      wire::ChunkRecord& w = r.chunks.emplace_back();
      w.chunk_id = c.chunk_id;
      w.generation = c.generation;
      w.length = c.length;
    }
    r.under_construction = node.under_construction;
    r.lease_holder = node.lease_holder;
    if (node.incomplete) r.__set_incomplete(true);
  });
}

Status Namespace::LoadImage(const wire::NamespaceImage& image) {
  if (!root_->children.empty()) return Status::Internal("LoadImage into a non-empty namespace");
  if (image.__isset.root) {
    RETURN_NOT_OK(LoadPermission(image.root, /*parent=*/*root_, root_.get()));
    root_->modification_time_ms = image.root.modification_time_ms;
  }
  // Parents come before their children (pre-order), so a run of siblings
  // shares the parent looked up last: one Find per directory left behind,
  // not one per inode.
  std::string last_dir_path = "/";
  Inode* last_dir = root_.get();
  for (const wire::InodeRecord& r : image.inodes) {
    RETURN_NOT_OK_PREPEND(ValidatePath(r.path), "checkpoint");
    std::vector<std::string> parts = SplitPath(r.path);
    if (parts.empty()) return Status::Corruption("checkpoint: an inode record for /");
    std::string_view parent_path(r.path.data(), std::max<size_t>(1, r.path.rfind('/')));
    Inode* parent = parent_path == last_dir_path ? last_dir : Find(parts, parts.size() - 1);
    if (parent == nullptr || !parent->is_dir || parent->children.count(parts.back()) > 0) {
      return Status::Corruption("checkpoint: inode " + ShortPath(r.path) +
                                " has no parent or a duplicate");
    }
    auto node = std::make_unique<Inode>();
    node->is_dir = r.is_dir;
    node->modification_time_ms = r.modification_time_ms;
    RETURN_NOT_OK(LoadPermission(r, *parent, node.get()));
    if (!r.is_dir) {
      node->replication = r.replication;
      node->chunk_size = r.chunk_size;
      for (const wire::ChunkRecord& c : r.chunks) {
        node->chunks.push_back({c.chunk_id, c.generation, c.length});
      }
      node->under_construction = r.under_construction;
      node->lease_holder = r.lease_holder;
      node->incomplete = r.__isset.incomplete && r.incomplete;
    }
    Inode* added = node.get();
    parent->children[parts.back()] = std::move(node);
    if (added->is_dir) {
      last_dir_path = r.path;
      last_dir = added;
    } else if (parent_path != last_dir_path) {
      last_dir_path = parent_path;
      last_dir = parent;
    }
  }
  return Status::OK();
}

Status Namespace::LoadPermission(const wire::InodeRecord& r, const Inode& parent, Inode* node) {
  node->owner = r.__isset.owner ? Intern(r.owner) : Intern(superuser_);
  node->group = r.__isset.group ? Intern(r.group) : parent.group;
  if (!r.__isset.mode) {
    node->mode = r.is_dir ? kDefaultDirMode : kDefaultFileMode;
  } else if (r.mode < 0 || r.mode > kMaxMode) {
    return Status::Corruption("checkpoint: inode " + ShortPath(r.path) + " has mode " +
                              std::to_string(r.mode) + ", outside [0, 01777]");
  } else {
    node->mode = static_cast<uint16_t>(r.mode);
  }
  return Status::OK();
}

}  // namespace mr::dfs
