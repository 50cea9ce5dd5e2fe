// Data-plane messages between DFS clients and datanodes (docs/DFS.md,
// "Data plane"). Each is sent thrift-compact encoded as the payload of one
// frame (framing.h): `u32 length | u8 type | payload`.
//
// Read:  client -> ReadRequest; datanode -> ReadResponse, then Packets until
//        one has last = true. If a slice fails verification mid-stream the
//        datanode sends a ReadResponse carrying the error instead of the next
//        Packet and closes.
// Write: client -> WriteRequest (targets = the nodes after the one it is
//        connected to); each node forwards a WriteRequest with the rest of the
//        list. A setup Ack (seq = -1) flows back once the whole pipeline is
//        connected. Then Packets flow down and one Ack per Packet flows back,
//        in order; a node acks only after its own write and the downstream
//        ack. The ack of the `last` packet means every replica is finalized.
//        An Ack with code != 0 names the datanode at fault and ends the stream.
// Short-circuit read (a client on the datanode's own host):
//        client -> LocalReplicaRequest; datanode -> LocalReplicaResponse with
//        the absolute paths of that replica's .data and .meta files (never a
//        path the client chose), or an error (NotFound: no replica of exactly
//        that generation; Aborted: refused). The client then reads and
//        verifies the files itself (docs/DFS.md, "Short-circuit reads").
// Access: each request carries the "chunk" token the master signed for that
//        chunk id and generation (dfs.thrift ChunkTokenId): READ for reads
//        and local replicas, WRITE or REPLICATE for writes, forwarded down the
//        pipeline as it came. A datanode with security on answers a missing,
//        forged, expired or other chunk's token with PermissionDenied (in the
//        ReadResponse, the setup Ack, the LocalReplicaResponse).
namespace cpp mr.dfs.dataplane

struct ReadRequest {
  1: i64 chunk_id
  2: i64 generation
  3: i64 offset
  4: i64 length
  5: binary access_token
}

struct ReadResponse {
  1: i32 code          // mr::Status::Code; 0 is OK.
  2: string message
  3: i64 chunk_length
}

struct Target {
  1: string datanode_id
  2: string host
  3: i32 port
}

struct WriteRequest {
  1: i64 chunk_id
  2: i64 generation
  3: list<Target> targets
  // The most bytes the write may bring (the file's chunk size, or the
  // length of the replica being copied). Each datanode refuses the write at
  // setup (code NoSpace, naming itself) unless it has that much free beyond
  // its reserve. 0: unknown; space is then checked as bytes arrive.
  4: i64 reserve_bytes
  5: binary access_token
}

struct Packet {
  1: i64 seq
  2: i64 offset
  3: binary data       // At most 1 MiB (kMaxPacketDataBytes); 64 KiB by default.
  4: bool last
}

struct Ack {
  1: i64 seq
  2: i32 code          // mr::Status::Code; 0 is OK.
  3: string message
  4: string failed_datanode_id
}

struct LocalReplicaRequest {
  1: i64 chunk_id
  2: i64 generation
  3: binary access_token
}

struct LocalReplicaResponse {
  1: i32 code          // mr::Status::Code; 0 is OK.
  2: string message
  3: string data_path  // Absolute; the replica's bytes.
  4: string meta_path  // Absolute; its checksums (chunk_format.h).
  5: i64 chunk_length
}
