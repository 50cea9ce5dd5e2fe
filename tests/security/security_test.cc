#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "common/file.h"
#include "security/credential.h"
#include "security/crypto.h"
#include "security/key_material.h"
#include "security/keyring.h"
#include "security/process_security.h"
#include "security/tls.h"
#include "security/token.h"
#include "test_util.h"

namespace mr::security {
namespace {

int Mode(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(CryptoTest, HmacMatchesRfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(*HexDecode("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("0g").ok());
  EXPECT_FALSE(HexDecode("abc").ok());
}

// The keyed-once HMAC (membership's tags) is the same function as the
// one-shot: RFC 4231 cases 2 and 6 (a key longer than SHA-256's block),
// and random keys and data of every length up to two blocks.
TEST(CryptoTest, KeyedOnceHmacMatchesTheOneShot) {
  EXPECT_EQ(HexEncode(HmacSha256Key("Jefe").Mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexEncode(HmacSha256Key(std::string(131, '\xaa'))
                          .Mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  for (size_t key_bytes : {size_t{1}, size_t{32}, size_t{64}, size_t{65}}) {
    std::string key = RandomBytes(key_bytes);
    HmacSha256Key keyed(key);
    for (size_t n = 0; n <= 128; ++n) {
      std::string data = RandomBytes(n);
      ASSERT_EQ(keyed.Mac(data), HmacSha256(key, data)) << key_bytes << " " << n;
    }
  }
}

TEST(KeyringTest, SavesPrivatelyLoadsAndRefusesAnOpenFile) {
  mr::testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/ring";
  Keyring ring({std::string(32, 'a'), std::string(32, 'b')});
  ASSERT_TRUE(ring.Save(path).ok());
  EXPECT_EQ(Mode(path), 0600);
  Result<Keyring> loaded = Keyring::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->keys(), ring.keys());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_TRUE(Keyring::Load(path).status().IsPermissionDenied());
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(WritePrivateFile(path, "# nothing\n\n").ok());
  EXPECT_TRUE(Keyring::Load(path).status().IsInvalidArgument());
  ASSERT_TRUE(WritePrivateFile(path, "abcd\n").ok());
  EXPECT_TRUE(Keyring::Load(path).status().IsInvalidArgument());
}

TEST(TokenTest, VerifiesWhatTheRingSignedAndNothingElse) {
  const std::string k1(32, '1'), k2(32, '2');
  TokenSigner signer(Keyring({k1}));
  std::string token = signer.Sign("chunk", "id-bytes", /*expires_ms=*/1000);
  EXPECT_EQ(*signer.Verify("chunk", token, 999), "id-bytes");
  EXPECT_TRUE(signer.Verify("chunk", token, 1000).status().IsPermissionDenied());  // Expired.
  EXPECT_TRUE(signer.Verify("job", token, 0).status().IsPermissionDenied());       // Other kind.
  EXPECT_TRUE(signer.Verify("chunk", "garbage", 0).status().IsPermissionDenied());
  // Another cluster's key, or a changed identifier or expiry, does not verify.
  TokenSigner other(Keyring({k2}));
  EXPECT_TRUE(other.Verify("chunk", token, 0).status().IsPermissionDenied());
  std::string forged = token;
  forged[forged.find("id-bytes")] = 'X';
  EXPECT_TRUE(signer.Verify("chunk", forged, 0).status().IsPermissionDenied());
  // Rotation: a ring with a new primary still verifies the old key's tokens.
  TokenSigner rotated(Keyring({k2, k1}));
  EXPECT_TRUE(rotated.Verify("chunk", token, 0).ok());
  EXPECT_TRUE(signer.Verify("chunk", rotated.Sign("chunk", "x", 10), 0).status().IsPermissionDenied());
}

TEST(CredentialTest, AuthenticatorKnowsUsersDaemonsAndJobs) {
  Keyring ring({std::string(32, 'k')});
  Authenticator auth(ring, "mr");
  Result<Identity> alice = auth.Verify(UserCredential(ring, "alice"), 0);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->user, "alice");
  EXPECT_FALSE(alice->superuser);
  EXPECT_TRUE(auth.Verify(UserCredential(ring, "mr"), 0)->superuser);
  EXPECT_TRUE(auth.Verify(DaemonCredential(ring), 0)->superuser);

  // Alice's secret does not make her bob; another cluster's credentials fail.
  Credential forged = UserCredential(ring, "alice");
  forged.name = "bob";
  EXPECT_TRUE(auth.Verify(forged, 0).status().IsPermissionDenied());
  Keyring other({std::string(32, 'o')});
  EXPECT_TRUE(auth.Verify(UserCredential(other, "alice"), 0).status().IsPermissionDenied());
  EXPECT_TRUE(auth.Verify(DaemonCredential(other), 0).status().IsPermissionDenied());

  Credential job = JobCredential(auth.signer(), "app_7", "alice", /*expires_ms=*/100);
  Result<Identity> task = auth.Verify(job, 50);
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ(task->user, "alice");
  EXPECT_EQ(task->app_id, "app_7");
  EXPECT_FALSE(task->superuser);
  EXPECT_TRUE(auth.Verify(job, 100).status().IsPermissionDenied());
  job.name = "app_8";  // A token for one job does not serve another.
  EXPECT_TRUE(auth.Verify(job, 50).status().IsPermissionDenied());
}

TEST(CredentialTest, FileRoundTripsAndMustBePrivate) {
  mr::testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/alice.cred";
  Credential credential = UserCredential(Keyring::Generate(), "alice");
  ASSERT_TRUE(WriteCredentialFile(path, credential).ok());
  EXPECT_EQ(Mode(path), 0600);
  Result<Credential> read = ReadCredentialFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->name, "alice");
  EXPECT_EQ(read->secret, credential.secret);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_TRUE(ReadCredentialFile(path).status().IsPermissionDenied());
  EXPECT_FALSE(ParseCredential("kind user\nname x\n").ok());
  EXPECT_FALSE(ParseCredential("kind wizard\nname x\nsecret 00\n").ok());
}

// One TLS handshake and a message each way between ConfigureServerTls and
// ConfigureClientTls contexts over a socketpair; `ca_file` is what the
// client trusts.
Status Handshake(const KeyPaths& server_keys, const std::string& ca_file) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  RETURN_NOT_OK(ConfigureServerTls(server_ctx, server_keys.daemon_cert_and_key()));
  RETURN_NOT_OK(ConfigureClientTls(client_ctx, ca_file));
  std::thread server([&] {
    SSL* ssl = SSL_new(server_ctx);
    SSL_set_fd(ssl, fds[0]);
    if (SSL_accept(ssl) == 1) {
      char buf[5];
      if (SSL_read(ssl, buf, 5) == 5) SSL_write(ssl, "pong!", 5);
    }
    SSL_free(ssl);
    ::close(fds[0]);
  });
  SSL* ssl = SSL_new(client_ctx);
  SSL_set_fd(ssl, fds[1]);
  Status s = Status::OK();
  char buf[5] = {};
  if (SSL_connect(ssl) != 1) {
    s = Status::PermissionDenied(TakeTlsError());
  } else if (SSL_write(ssl, "ping!", 5) != 5 || SSL_read(ssl, buf, 5) != 5 ||
             std::string(buf, 5) != "pong!") {
    s = Status::IOError("no reply");
  }
  SSL_free(ssl);
  ::close(fds[1]);
  server.join();
  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
  return s;
}

TEST(KeyMaterialTest, ClusterKeysAreMadeOnceAndPrivate) {
  mr::testing::ScopedTempDir dir;
  KeyPaths keys(dir.path() + "/keys");
  ASSERT_TRUE(CreateClusterKeys(keys.dir).ok());
  EXPECT_EQ(Mode(keys.dir), 0755);
  EXPECT_EQ(Mode(keys.ca_cert()), 0644);
  EXPECT_EQ(Mode(keys.ca_key()), 0600);
  EXPECT_EQ(Mode(keys.daemon_cert_and_key()), 0600);
  EXPECT_EQ(Mode(keys.keyring()), 0600);
  std::string ring = *ReadFileToString(keys.keyring());
  std::string cert = *ReadFileToString(keys.daemon_cert_and_key());
  ASSERT_TRUE(CreateClusterKeys(keys.dir).ok());  // Idempotent: same identity.
  EXPECT_EQ(*ReadFileToString(keys.keyring()), ring);
  EXPECT_EQ(*ReadFileToString(keys.daemon_cert_and_key()), cert);
  Result<std::shared_ptr<const ServerSecurity>> server = LoadServerSecurity(keys.dir);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
}

TEST(KeyMaterialTest, ClientsTrustThisClustersDaemonsOnly) {
  mr::testing::ScopedTempDir dir;
  KeyPaths keys(dir.path() + "/a"), other(dir.path() + "/b");
  ASSERT_TRUE(CreateClusterKeys(keys.dir).ok());
  ASSERT_TRUE(CreateClusterKeys(other.dir).ok());
  Status s = Handshake(keys, keys.ca_cert());
  EXPECT_TRUE(s.ok()) << s.ToString();
  // A daemon of another cluster (or a made-up server) is refused.
  EXPECT_TRUE(Handshake(other, keys.ca_cert()).IsPermissionDenied());
}

}  // namespace
}  // namespace mr::security
