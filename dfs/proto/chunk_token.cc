#include "dfs/proto/chunk_token.h"

#include "rpc/thrift_codec.h"

namespace mr::dfs {

std::string SignChunkToken(const security::TokenSigner& signer, int64_t chunk_id,
                           int64_t generation, int32_t modes, const std::string& user,
                           int64_t expires_ms) {
  wire::ChunkTokenId id;
  id.chunk_id = chunk_id;
  id.generation = generation;
  id.modes = modes;
  id.user = user;
  return signer.Sign(kChunkTokenKind, EncodeThrift(id), expires_ms);
}

Status VerifyChunkToken(const security::TokenSigner& signer, std::string_view token,
                        int64_t chunk_id, int64_t generation, int32_t any_of, int64_t now_ms,
                        wire::ChunkTokenId* out) {
  const std::string what = "chunk " + std::to_string(chunk_id) + " generation " +
                           std::to_string(generation);
  if (token.empty()) return Status::PermissionDenied(what + ": no chunk access token");
  Result<std::string> identifier = signer.Verify(kChunkTokenKind, token, now_ms);
  if (!identifier.ok()) return identifier.status().Prepend(what);
  wire::ChunkTokenId id;
  if (!DecodeThrift(*identifier, "chunk token", &id).ok()) {
    return Status::PermissionDenied(what + ": malformed chunk token identifier");
  }
  if (id.chunk_id != chunk_id || id.generation != generation) {
    return Status::PermissionDenied(what + ": the token is for chunk " + std::to_string(id.chunk_id) +
                                    " generation " + std::to_string(id.generation));
  }
  if ((id.modes & any_of) == 0) {
    return Status::PermissionDenied(what + ": the token grants " + ChunkAccessName(id.modes) +
                                    ", not " + ChunkAccessName(any_of));
  }
  if (out != nullptr) *out = std::move(id);
  return Status::OK();
}

std::string ChunkAccessName(int32_t modes) {
  std::string name;
  for (auto [bit, text] : {std::pair{wire::ChunkAccess::READ, "READ"},
                           std::pair{wire::ChunkAccess::WRITE, "WRITE"},
                           std::pair{wire::ChunkAccess::REPLICATE, "REPLICATE"}}) {
    if ((modes & bit) == 0) continue;
    if (!name.empty()) name += "|";
    name += text;
  }
  return name.empty() ? "nothing" : name;
}

}  // namespace mr::dfs
