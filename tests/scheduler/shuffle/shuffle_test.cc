// ShuffleServer + ShuffleClient over real map outputs on local disk: every
// partition fetched and decoded, the errors a reducer can meet, and hostile
// requests that must end one connection, never the server.
#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <sys/socket.h>

#include <map>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "common/coding.h"
#include "common/file.h"
#include "dfs/dataplane/framing.h"
#include "mapreduce/map_output_index.h"
#include "mapreduce/segment.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/shuffle/local_names.h"
#include "scheduler/shuffle/shuffle_client.h"
#include "scheduler/shuffle/shuffle_protocol.h"
#include "scheduler/shuffle/shuffle_server.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "test_util.h"

namespace mr::shuffle {
namespace {

namespace dp = dfs::dataplane;
using Records = std::vector<std::pair<std::string, std::string>>;

constexpr char kApp[] = "app_1764237600000_0001";
constexpr int kPartitions = 4;

class ShuffleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apps_ = dir_.Join("apps");
    ASSERT_TRUE(CreateDirs(JoinPath(JoinPath(apps_, kApp), "output")).ok());
    ShuffleServer::Options options;
    options.apps_dir = apps_;
    options.max_connections = 4;
    auto server = ShuffleServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  // Writes a map output with kPartitions partitions (partition 2 empty) and
  // its index; returns the records of each partition.
  std::vector<Records> WriteMapOutput(const std::string& name, int records_per_partition) {
    std::string path = JoinPath(JoinPath(JoinPath(apps_, kApp), "output"), name);
    auto writer = SegmentFileWriter::Create(path, kPartitions);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    std::vector<Records> expected(kPartitions);
    for (int p = 0; p < kPartitions; ++p) {
      if (p == 2) continue;
      EXPECT_TRUE((*writer)->StartPartition(p).ok());
      for (int i = 0; i < records_per_partition; ++i) {
        char key[32];
        snprintf(key, sizeof(key), "key-%d-%08d", p, i);
        // Incompressible values, so that big segments span several packets.
        std::string value = testing::RandomBytes(i % 64, p * 1000003 + i);
        EXPECT_TRUE((*writer)->Append(key, value).ok());
        expected[p].emplace_back(key, value);
      }
    }
    auto file = (*writer)->Finish();
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_TRUE(WriteMapOutputIndex(*file, 3).ok());
    return expected;
  }

  SegmentSource Source(const std::string& output_name) const {
    return SegmentSource{"127.0.0.1", server_->port(), kApp, output_name, ""};
  }

  // Fetches into a fresh local file and decodes the records.
  Result<Records> FetchRecords(ShuffleClient* client, const SegmentSource& source, int partition,
                               FetchedSegment* meta) {
    std::string path = dir_.Join("fetched-" + std::to_string(fetches_++));
    ASSIGN_OR_RETURN(auto out, WritableFile::Create(path));
    ASSIGN_OR_RETURN(*meta, client->Fetch(source, partition, out.get()));
    RETURN_NOT_OK(out->Close());
    ASSIGN_OR_RETURN(auto in, RandomAccessFile::Open(path));
    if (in->size() != meta->length) return Status::Corruption("fetched size differs");
    SegmentInfo info{0, meta->length, meta->raw_bytes, meta->records};
    SegmentReader reader(in.get(), info);
    Records records;
    while (true) {
      bool done = false;
      RETURN_NOT_OK(reader.Next(&done));
      if (done) break;
      records.emplace_back(std::string(reader.key()), std::string(reader.value()));
    }
    return records;
  }

  // A raw connection, for sending what a well-behaved client never would.
  std::unique_ptr<dp::tcp::socket> RawConnect() {
    auto socket = std::make_unique<dp::tcp::socket>(io_);
    EXPECT_TRUE(dp::Connect(socket.get(), "127.0.0.1", server_->port(), dp::Timeout(2000)).ok());
    return socket;
  }

  // True if the server closed `socket` within a few seconds: the read ends
  // in EOF, or in a reset when the server left our bytes unread.
  // Waits up to `wait` for the server to close `socket`.
  static bool ClosedByServer(dp::tcp::socket* socket, dp::Timeout wait = dp::Timeout(5000)) {
    dp::Frame frame;
    Status s = dp::ReadFrame(socket, &frame, wait);
    return !s.ok() && s.message().find("timed out") == std::string::npos;
  }

  testing::ScopedTempDir dir_;
  std::string apps_;
  std::unique_ptr<ShuffleServer> server_;
  boost::asio::io_context io_;
  int fetches_ = 0;
};

TEST_F(ShuffleTest, FetchesEveryPartitionOverOneConnection) {
  std::vector<Records> a = WriteMapOutput("m_000000_0.out", 50000);  // > 1 MiB each.
  std::vector<Records> b = WriteMapOutput("m_000001_0.out", 3);
  ShuffleClient client(ShuffleClient::Options{});
  for (int round = 0; round < 2; ++round) {
    for (int p = 0; p < kPartitions; ++p) {
      for (auto& [name, expected] : {std::pair{"m_000000_0.out", &a}, {"m_000001_0.out", &b}}) {
        FetchedSegment meta;
        auto records = FetchRecords(&client, Source(name), p, &meta);
        ASSERT_TRUE(records.ok()) << name << " " << p << ": " << records.status().ToString();
        EXPECT_EQ(*records, (*expected)[p]) << name << " partition " << p;
        EXPECT_EQ(meta.records, (*expected)[p].size());
        if (name == std::string("m_000000_0.out") && p != 2) {
          EXPECT_GT(meta.length, 1u << 20);
        }
      }
    }
  }
}

TEST_F(ShuffleTest, MissingOutputIsNotFound) {
  WriteMapOutput("m_000000_0.out", 10);
  ShuffleClient client(ShuffleClient::Options{});
  auto out = WritableFile::Create(dir_.Join("x"));
  ASSERT_TRUE(out.ok());
  auto r = client.Fetch(Source("m_000009_0.out"), 0, out->get());
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  SegmentSource other_app = Source("m_000000_0.out");
  other_app.app_id = "app_1764237600000_0002";
  r = client.Fetch(other_app, 0, out->get());
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  // A partition the output does not have.
  r = client.Fetch(Source("m_000000_0.out"), kPartitions, out->get());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().ToString();
  // The same connection still works.
  FetchedSegment meta;
  auto records = FetchRecords(&client, Source("m_000000_0.out"), 1, &meta);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 10u);
}

TEST_F(ShuffleTest, PathTraversalNamesAreRefused) {
  // A real file outside the app's output directory, with an index, that a
  // traversal would reach.
  WriteMapOutput("m_000000_0.out", 5);
  std::string outside = JoinPath(JoinPath(apps_, kApp), "secret.out");
  ASSERT_TRUE(RenameNoReplace(JoinPath(JoinPath(JoinPath(apps_, kApp), "output"), "m_000000_0.out"),
                              outside).ok());
  ASSERT_TRUE(RenameNoReplace(MapOutputIndexPath(JoinPath(JoinPath(JoinPath(apps_, kApp), "output"),
                                                          "m_000000_0.out")),
                              MapOutputIndexPath(outside)).ok());
  ShuffleClient client(ShuffleClient::Options{});
  auto out = WritableFile::Create(dir_.Join("x"));
  ASSERT_TRUE(out.ok());
  for (std::string name : {"../secret.out", "..", ".", ".hidden", "a/b", "", "x\ny"}) {
    auto r = client.Fetch(Source(name), 0, out->get());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << name << ": "
                                                                 << r.status().ToString();
  }
  SegmentSource bad_app = Source("secret.out");
  bad_app.app_id = "..";
  auto r = client.Fetch(bad_app, 0, out->get());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().ToString();
  bad_app.app_id = std::string(kApp) + "/..";
  r = client.Fetch(bad_app, 0, out->get());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().ToString();
  EXPECT_EQ((*out)->size(), 0u);
}

TEST_F(ShuffleTest, GarbageAndOversizedRequestsCloseOnlyThatConnection) {
  std::vector<Records> expected = WriteMapOutput("m_000000_0.out", 100);
  ShuffleClient client(ShuffleClient::Options{});
  FetchedSegment meta;
  ASSERT_TRUE(FetchRecords(&client, Source("m_000000_0.out"), 0, &meta).ok());

  {  // Bytes that are not a frame at all (a huge length).
    auto s = RawConnect();
    std::string garbage(64, '\xff');
    ASSERT_EQ(::send(s->native_handle(), garbage.data(), garbage.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(garbage.size()));
    EXPECT_TRUE(ClosedByServer(s.get()));
  }
  {  // A well-framed request far over the request size limit.
    auto s = RawConnect();
    ASSERT_TRUE(dp::WriteFrame(s.get(), dp::FrameType::kReadRequest, std::string(200000, 'a'),
                               dp::Timeout(5000)).ok());
    EXPECT_TRUE(ClosedByServer(s.get()));
  }
  {  // A malformed payload of a plausible size, and a wrong frame type.
    auto s = RawConnect();
    ASSERT_TRUE(dp::WriteFrame(s.get(), dp::FrameType::kReadRequest, "\x01\x00\x00",
                               dp::Timeout(5000)).ok());
    EXPECT_TRUE(ClosedByServer(s.get()));
    auto t = RawConnect();
    ASSERT_TRUE(dp::WriteFrame(t.get(), dp::FrameType::kAck, "hello", dp::Timeout(5000)).ok());
    EXPECT_TRUE(ClosedByServer(t.get()));
  }
  {  // A request naming a length longer than it is.
    auto s = RawConnect();
    std::string req = EncodeRequest({kApp, "m_000000_0.out", 0});
    req[5] = '\x7f';
    ASSERT_TRUE(dp::WriteFrame(s.get(), dp::FrameType::kReadRequest, req, dp::Timeout(5000)).ok());
    EXPECT_TRUE(ClosedByServer(s.get()));
  }
  // The old connection (or a new one, transparently) still gets the data.
  auto records = FetchRecords(&client, Source("m_000000_0.out"), 3, &meta);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(*records, expected[3]);
  ShuffleClient fresh(ShuffleClient::Options{});
  records = FetchRecords(&fresh, Source("m_000000_0.out"), 1, &meta);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(*records, expected[1]);
}

// At the limit (max_connections = 4, all idle), a fetch's connection closes
// the connection that has waited longest for a request, and only that one.
TEST_F(ShuffleTest, AConnectionOverTheLimitClosesTheIdlest) {
  WriteMapOutput("m_000000_0.out", 10);
  std::vector<std::unique_ptr<dp::tcp::socket>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(RawConnect());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Accepted in this order.
  }
  ShuffleClient client(ShuffleClient::Options{});
  FetchedSegment meta;
  auto records = FetchRecords(&client, Source("m_000000_0.out"), 0, &meta);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_TRUE(ClosedByServer(idle[0].get()));
  for (int i = 1; i < 4; ++i) EXPECT_FALSE(ClosedByServer(idle[i].get(), dp::Timeout(200))) << i;
}

TEST_F(ShuffleTest, UnreachableServerIsUnavailable) {
  int port = server_->port();
  server_->Stop();
  server_->Stop();  // Idempotent.
  ShuffleClient client(ShuffleClient::Options{1000, 1000});
  auto out = WritableFile::Create(dir_.Join("x"));
  ASSERT_TRUE(out.ok());
  auto r = client.Fetch(SegmentSource{"127.0.0.1", port, kApp, "m_000000_0.out", ""}, 0,
                        out->get());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable) << r.status().ToString();
}

// The shuffle service of a cluster with security (issue 16): a fetch must
// carry the MAC of its request under the job's shuffle secret.
class ShuffleSecurityTest : public ShuffleTest {
 protected:
  void SetUp() override {
    ShuffleTest::SetUp();
    server_->Stop();
    ASSERT_TRUE(security::CreateClusterKeys(dir_.Join("keys")).ok());
    auto security = security::LoadServerSecurity(dir_.Join("keys"));
    ASSERT_TRUE(security.ok()) << security.status().ToString();
    security_ = *security;
    StartServer(security_);
  }
  void StartServer(std::shared_ptr<const security::ServerSecurity> security) {
    ShuffleServer::Options options;
    options.apps_dir = apps_;
    options.security = std::move(security);
    auto server = ShuffleServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  SegmentSource Signed(const std::string& output_name, const std::string& secret) const {
    SegmentSource source = Source(output_name);
    source.shuffle_secret = secret;
    return source;
  }
  Status FetchStatus(ShuffleClient* client, const SegmentSource& source) {
    auto out = WritableFile::Create(dir_.Join("x" + std::to_string(fetches_++)));
    EXPECT_TRUE(out.ok());
    return client->Fetch(source, 0, out->get()).status();
  }

  std::shared_ptr<const security::ServerSecurity> security_;
};

TEST_F(ShuffleSecurityTest, AFetchSignedWithItsJobsSecretIsServed) {
  std::vector<Records> expected = WriteMapOutput("m_000000_0.out", 100);
  ShuffleClient client(ShuffleClient::Options{});
  std::string secret = sched::auth::ShuffleSecret(security_->keyring().primary(), kApp);
  for (int p = 0; p < kPartitions; ++p) {
    FetchedSegment meta;
    auto records = FetchRecords(&client, Signed("m_000000_0.out", secret), p, &meta);
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    EXPECT_EQ(*records, expected[p]);
  }
  EXPECT_EQ(server_->refused_fetches(), 0);
}

TEST_F(ShuffleSecurityTest, UnsignedOrWronglySignedFetchesOfAnotherJobsOutputAreRefused) {
  WriteMapOutput("m_000000_0.out", 10);
  ShuffleClient client(ShuffleClient::Options{});
  const std::string& key = security_->keyring().primary();
  // Another job's secret (the attacker's own job), another cluster's, none.
  std::string own_job = sched::auth::ShuffleSecret(key, "app_1764237600000_0002");
  std::string stranger = sched::auth::ShuffleSecret(security::Keyring::Generate().primary(), kApp);
  int64_t refusals = sched::auth::RefusalCount();
  for (const std::string& secret : {std::string(), own_job, stranger}) {
    Status s = FetchStatus(&client, Signed("m_000000_0.out", secret));
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_NE(s.message().find("shuffle fetch of " + std::string(kApp) + "/m_000000_0.out"),
              std::string::npos)
        << s.ToString();
  }
  EXPECT_EQ(server_->refused_fetches(), 3);
  EXPECT_EQ(sched::auth::RefusalCount(), refusals + 3);
  // A MAC is over the whole request: one for partition 0 does not fetch 1.
  ShuffleRequest request{kApp, "m_000000_0.out", 0, ""};
  request.mac = sched::auth::ShuffleRequestMac(sched::auth::ShuffleSecret(key, kApp),
                                               SignedRequestBytes(request));
  request.partition = 1;
  auto socket = RawConnect();
  ASSERT_TRUE(dp::WriteFrame(socket.get(), dp::FrameType::kReadRequest, EncodeRequest(request),
                             dp::Timeout(2000))
                  .ok());
  dp::Frame frame;
  ASSERT_TRUE(dp::ReadFrame(socket.get(), &frame, dp::Timeout(5000)).ok());
  ShuffleResponse response;
  ASSERT_TRUE(DecodeResponse(frame.payload, &response).ok());
  EXPECT_TRUE(response.status.IsPermissionDenied()) << response.status.ToString();
  EXPECT_EQ(server_->refused_fetches(), 4);
}

TEST_F(ShuffleSecurityTest, SecretsOfEveryKeyInTheRingVerifyAcrossARotation) {
  WriteMapOutput("m_000000_0.out", 10);
  std::string old_key = security_->keyring().primary();
  // A new primary key rotated in; the old one still verifies.
  std::string new_key = security::Keyring::Generate().primary();
  ASSERT_TRUE(security::Keyring({new_key, old_key}).Save(dir_.Join("keys/cluster.keyring")).ok());
  auto rotated = security::LoadServerSecurity(dir_.Join("keys"));
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  server_->Stop();
  StartServer(*rotated);
  ShuffleClient client(ShuffleClient::Options{});
  for (const std::string& key : {old_key, new_key}) {
    FetchedSegment meta;
    auto records = FetchRecords(
        &client, Signed("m_000000_0.out", sched::auth::ShuffleSecret(key, kApp)), 0, &meta);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
  }
}

TEST(LocalNamesTest, AcceptsPlainNamesOnly) {
  for (std::string ok : {"app_1_0001", "m_000003_0.out", "task_spec", "a-b.c", "x"}) {
    EXPECT_TRUE(IsSafeLocalName(ok)) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", ".x", "a/b", "/a", "a b", "a\\b", "\xc3\xa9",
                          std::string(256, 'a'), std::string("a\0b", 3)}) {
    EXPECT_FALSE(IsSafeLocalName(bad)) << bad;
  }
  EXPECT_EQ(CheckSafeLocalName("..", "app id").code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace mr::shuffle
