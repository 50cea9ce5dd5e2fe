// Namespace <-> wire::NamespaceImage (the checkpoint's body).
#include "dfs/master/dfs_path.h"
#include "dfs_types.h"
#include "dfs/master/namespace.h"

namespace mr::dfs {

void Namespace::SaveImage(wire::NamespaceImage* image) const {
  image->inodes.clear();
  for (const auto& [name, child] : root_->children) {
    Visit("/" + name, *child, [image](const std::string& path, const Inode& node) {
      wire::InodeRecord& r = image->inodes.emplace_back();
      r.path = path;
      r.is_dir = node.is_dir;
      r.modification_time_ms = node.modification_time_ms;
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
    });
  }
}

Status Namespace::LoadImage(const wire::NamespaceImage& image) {
  if (!root_->children.empty()) return Status::Internal("LoadImage into a non-empty namespace");
  for (const wire::InodeRecord& r : image.inodes) {
    RETURN_NOT_OK_PREPEND(ValidatePath(r.path), "checkpoint");
    std::vector<std::string> parts = SplitPath(r.path);
    Inode* parent = parts.empty() ? nullptr : Find(parts, parts.size() - 1);
    if (parent == nullptr || !parent->is_dir || parent->children.count(parts.back()) > 0) {
      return Status::Corruption("checkpoint: inode " + r.path + " has no parent or a duplicate");
    }
    auto node = std::make_unique<Inode>();
    node->is_dir = r.is_dir;
    node->modification_time_ms = r.modification_time_ms;
    if (!r.is_dir) {
      node->replication = r.replication;
      node->chunk_size = r.chunk_size;
      for (const wire::ChunkRecord& c : r.chunks) {
        node->chunks.push_back({c.chunk_id, c.generation, c.length});
      }
      node->under_construction = r.under_construction;
      node->lease_holder = r.lease_holder;
    }
    parent->children[parts.back()] = std::move(node);
  }
  return Status::OK();
}

}  // namespace mr::dfs
