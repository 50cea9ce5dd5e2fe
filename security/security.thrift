// Wire formats of the security layer (docs/SECURITY.md).
namespace cpp mr.security.wire

// A grant the cluster made, as Hadoop's tokens: `identifier` is a
// kind-specific encoded struct (a chunk, a job, a container), `password`
// HMAC-SHA256(key, kind | expires_ms | identifier) under a key of the
// cluster keyring. Whoever holds the bytes holds the grant until it expires.
struct SignedToken {
  1: string kind
  2: binary identifier
  3: i64 expires_ms
  4: binary password
}

// The identifier of a job token ("job"): what a job's tasks and its AM
// present to act as the job's user.
struct JobTokenId {
  1: string app_id
  2: string user
}

// Sent by a client once per connection, right after the TLS handshake.
struct AuthRequest {
  1: i32 kind       // Credential::Kind
  2: string name    // the user (user, daemon) or the application (job)
  3: binary secret  // a user's or daemon's secret; a job's SignedToken
}

struct AuthResponse {
  1: bool ok
  2: string message
  3: string user    // who the server takes the caller to be
}
