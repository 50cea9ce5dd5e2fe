// The scheduler's access rules (docs/SECURITY.md, issue 16), in one place
// for the RM, the NMs and the shuffle service:
//  - a job belongs to the user who submitted it (the caller's authenticated
//    identity, never a name the client claims); only its owner, its own AM
//    and tasks (a job credential for it), and the cluster's superuser (the
//    admin: queues have no admin lists of their own) may kill it, read its
//    logs or its diagnostics, or stop its containers;
//  - NM-only calls on the RM take a daemon (superuser) identity;
//  - the RM signs a container token for every container it grants, and an
//    application token for each AM attempt: an NM launches only with a valid
//    container token, the RM serves AM-only calls only with a valid
//    application token;
//  - a job's reduces sign each shuffle fetch with the job's shuffle secret,
//    HMAC-SHA256(key, "shuffle\0" + app_id), which the shuffle service
//    derives from every key of the keyring (rotation) and checks.
// Security is on when the process has server security
// (security::ProcessServerSecurity()); off, every Check passes and nothing
// is signed, exactly as before.
//
// Refusals are PermissionDenied, logged at WARNING (rate-limited) and
// counted (RefusalCount()).
// Thread-safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "scheduler_types.h"
#include "security/identity.h"
#include "security/keyring.h"
#include "security/token.h"

namespace mr::sched::auth {

inline constexpr char kContainerTokenKind[] = "container";
inline constexpr char kAppTokenKind[] = "app";

// File names in a container's working directory (LaunchContext.files) and
// the variables that point at them: the job credential (security::
// kCredentialEnv points at it; AM and tasks), the application token (AM
// only) and the shuffle secret (AM only: it hands it to reduces in their
// TaskSpec).
inline constexpr char kJobCredentialFile[] = "job.cred";
inline constexpr char kAppTokenFile[] = "app.token";
inline constexpr char kAppTokenEnv[] = "MR_APP_TOKEN_FILE";
inline constexpr char kShuffleSecretFile[] = "shuffle.secret";
inline constexpr char kShuffleSecretEnv[] = "MR_SHUFFLE_SECRET_FILE";

// Whether this process checks (ProcessServerSecurity() is set).
bool SecurityOn();

// PermissionDenied(message), logged at WARNING (the first 10, then every
// 100th) and counted.
Status Refuse(const std::string& message);
// Refusals so far in this process.
int64_t RefusalCount();

// Whether `who` may act for the job `app_id` of `owner`: the superuser;
// a user's credential for any job of theirs; a job credential for that job.
bool MayActFor(const security::Identity& who, const std::string& owner,
               const std::string& app_id);
// OK if security is off or the current caller MayActFor; else a refusal
// saying "`action`: user U may not ... (owned by O)".
Status CheckMayActFor(const std::string& action, const std::string& owner,
                      const std::string& app_id);
// OK if security is off or the current caller is a daemon (superuser).
Status CheckDaemon(const std::string& action);

// ---- Tokens (security on: the process's signer).
std::string SignContainerToken(const security::TokenSigner& signer,
                               const wire::ContainerTokenId& id, int64_t expires_ms);
// PermissionDenied unless `token` is a valid, unexpired container token.
Result<wire::ContainerTokenId> VerifyContainerToken(const security::TokenSigner& signer,
                                                    std::string_view token, int64_t now_ms);

std::string SignAppToken(const security::TokenSigner& signer, const wire::AppTokenId& id,
                         int64_t expires_ms);
// PermissionDenied unless `token` is a valid, unexpired application token
// for `app_id`.
Result<wire::AppTokenId> VerifyAppToken(const security::TokenSigner& signer,
                                        std::string_view token, const std::string& app_id,
                                        int64_t now_ms);

// ---- Shuffle.
// The job's shuffle secret under `key` (the RM: the primary key).
std::string ShuffleSecret(std::string_view key, const std::string& app_id);
// The MAC of a fetch request's bytes under the job's secret.
std::string ShuffleRequestMac(std::string_view secret, std::string_view request_bytes);
// Whether `mac` is the MAC of `request_bytes` under `app_id`'s secret for
// some key of `keyring`.
bool VerifyShuffleRequestMac(const security::Keyring& keyring, const std::string& app_id,
                             std::string_view request_bytes, std::string_view mac);

}  // namespace mr::sched::auth
