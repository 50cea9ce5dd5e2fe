#include "membership/member.h"

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/clock.h"
#include "membership/keyring_authenticator.h"
#include "membership/sync_streams.h"
#include "security/process_security.h"

DEFINE_string(membership_protocol, "swim", "Membership protocol: swim or gossip.");
DEFINE_string(membership_bind_host, "127.0.0.1",
              "Address the membership UDP socket and TCP sync listener bind.");
DEFINE_int32(membership_port, 0,
             "Membership port, UDP and TCP (the join sync); 0 picks one free for both.");
DEFINE_string(membership_seeds, "",
              "Comma-separated host:port of members to join through; empty starts a cluster.");
DEFINE_string(membership_rack, "", "Rack label this member advertises.");
DEFINE_int64(membership_tick_ms, 10, "How often the membership core's timers are checked.");
DEFINE_string(membership_keyring_file, "",
              "Keyring (security/keyring.h: hex keys, primary first, mode 0600) whose keys sign "
              "and check every membership datagram and sync frame. Empty: the daemon's "
              "--security_dir keyring if it has one, else unauthenticated.");
DEFINE_int64(membership_sync_timeout_ms, 5000,
             "Deadline of one whole TCP full-state sync on join (connect, request, answer), "
             "on the joiner and on the seed.");

namespace mr::membership {

namespace asio = boost::asio;
using asio::ip::udp;

Result<std::vector<std::string>> ParseSeeds(const std::string& list) {
  std::vector<std::string> seeds;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string seed = list.substr(start, comma - start);
    start = comma + 1;
    if (seed.empty()) continue;
    size_t colon = seed.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == seed.size()) {
      return Status::InvalidArgument("seed '" + seed + "' is not host:port");
    }
    seeds.push_back(seed);
  }
  return seeds;
}

Result<Member::Options> Member::Options::FromFlags() {
  Options options;
  std::optional<Protocol> protocol = ParseProtocol(FLAGS_membership_protocol);
  if (!protocol) {
    return Status::InvalidArgument("--membership_protocol must be swim or gossip, not " +
                                   FLAGS_membership_protocol);
  }
  options.protocol = *protocol;
  options.core = CoreOptions::FromFlags();
  options.rack = FLAGS_membership_rack;
  options.bind_host = FLAGS_membership_bind_host;
  options.port = FLAGS_membership_port;
  options.tick_ms = FLAGS_membership_tick_ms;
  options.sync_timeout_ms = FLAGS_membership_sync_timeout_ms;
  ASSIGN_OR_RETURN(options.seeds, ParseSeeds(FLAGS_membership_seeds));
  if (!FLAGS_membership_keyring_file.empty()) {
    ASSIGN_OR_RETURN(options.core.authenticator,
                     LoadKeyringAuthenticator(FLAGS_membership_keyring_file));
  } else if (std::shared_ptr<const security::ServerSecurity> security =
                 security::ProcessServerSecurity()) {
    options.core.authenticator = std::make_shared<KeyringAuthenticator>(security->keyring());
  }
  return options;
}

// Owns the sockets, the io thread and the core. The core is touched under
// mu_ (the io thread drives it; Snapshot/counters read it); the sockets and
// streams_ only on the io thread; callbacks_ under callbacks_mu_.
class Member::Impl {
 public:
  explicit Impl(Options options)
      : options_(std::move(options)),
        socket_(io_),
        timer_(io_),
        streams_(io_, options_.core.max_sync_bytes, options_.sync_timeout_ms,
                 SyncStreams::Handlers{
                     [this](std::string_view request) { return ServeSync(request); },
                     [this](std::string_view answer) { ApplySync(answer); },
                     [this](SyncDrop why) { CountSyncDrop(why); }}) {}

  ~Impl() { Stop(); }

  Status Start() {
    if (self_) return Status::InvalidArgument("membership: Start() called twice");
    if (options_.id.empty()) return Status::InvalidArgument("a member needs an id");
    if (options_.sync_timeout_ms <= 0 || options_.core.max_sync_bytes == 0 ||
        options_.core.max_sync_bytes > UINT32_MAX) {  // A frame's length is 4 bytes.
      return Status::InvalidArgument(
          "membership: need a positive sync timeout and a sync limit in [1, 4 GiB)");
    }
    RETURN_NOT_OK(Bind());
    Run();
    return Status::OK();
  }

  // UDP and TCP on the same port number; with port 0, tries a few ports
  // the kernel picks for UDP until TCP's is free too.
  Status Bind() {
    boost::system::error_code ec;
    asio::ip::address host = asio::ip::make_address(options_.bind_host, ec);
    if (ec) return Status::InvalidArgument("bad bind host " + options_.bind_host);
    Status status;
    for (int attempt = 0; attempt < (options_.port == 0 ? 16 : 1); ++attempt) {
      RETURN_NOT_OK(BindUdp(host));
      status = streams_.Listen(host, port_);
      if (status.ok()) return status;
      socket_.close(ec);
    }
    return status;
  }

  Status BindUdp(const asio::ip::address& host) {
    boost::system::error_code ec;
    udp::endpoint endpoint(host, static_cast<unsigned short>(options_.port));
    socket_.open(endpoint.protocol(), ec);
    if (!ec) socket_.bind(endpoint, ec);
    if (ec) {
      socket_.close(ec);
      return Status::IOError("membership bind " + options_.bind_host + ":" +
                             std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = socket_.local_endpoint().port();
    return Status::OK();
  }

  void Run() {
    auto identity = std::make_shared<MemberIdentity>();
    identity->id = options_.id;
    identity->address = options_.bind_host + ":" + std::to_string(port_);
    identity->rack = options_.rack;
    identity->metadata = options_.metadata;
    self_ = identity;
    CoreOptions core_options = options_.core;
    // Incarnations are drawn from the wall clock (docs/MEMBERSHIP.md,
    // "Incarnations"): a restarted member outranks what the others
    // remember of it, and nobody can be pushed far past the clock.
    if (core_options.wall_clock_ms == 0) core_options.wall_clock_ms = WallClockMs();
    if (core_options.initial_incarnation == 0) {
      core_options.initial_incarnation = core_options.wall_clock_ms;
    }
    uint64_t seed = options_.seed != 0
                        ? options_.seed
                        : static_cast<uint64_t>(core_options.initial_incarnation) ^
                              std::hash<std::string>()(options_.id);
    {
      std::lock_guard<std::mutex> lock(mu_);
      core_ = NewProtocolCore(options_.protocol, core_options, identity, seed);
      core_->Start(NowMs(), options_.seeds);
    }
    Receive();
    ArmTimer();
    thread_ = std::thread([this] { io_.run(); });
  }

  void Leave() {
    if (!thread_.joinable()) return;
    std::promise<void> done;
    asio::post(io_, [&] {
      std::vector<Outgoing> out;
      {
        std::lock_guard<std::mutex> lock(mu_);
        core_->Leave(NowMs());
        out.swap(core_->outbox());
        core_->events().clear();
        core_->sync_requests().clear();
      }
      SendAll(&out);
      streams_.Close();  // Joiners get a refusal and try another seed.
      done.set_value();
    });
    done.get_future().wait();
    Stop();
  }

  void Stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void Subscribe(Callback callback) {
    std::lock_guard<std::mutex> lock(callbacks_mu_);
    callbacks_.push_back(std::move(callback));
  }

  std::vector<MemberSnapshot> Snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return core_ ? core_->Snapshot() : std::vector<MemberSnapshot>();
  }

  MemberCounters counters() const {
    std::lock_guard<std::mutex> lock(mu_);
    return core_ ? core_->counters() : MemberCounters();
  }

  const MemberIdentity& self() const { return *self_; }
  int port() const { return port_; }

 private:
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start_).count();
  }

  void Receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_, [this](boost::system::error_code ec, size_t n) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec) {
            std::string from = sender_.address().to_string() + ":" + std::to_string(sender_.port());
            bool unauthenticated = false;
            Drive([&](ProtocolCore* core) {
              uint64_t before = core->counters().dropped_unauthenticated;
              core->OnDatagram(from, std::string_view(buffer_.data(), n), NowMs());
              unauthenticated = core->counters().dropped_unauthenticated != before;
            });
            if (unauthenticated) {
              LOG_EVERY_N(WARNING, 100)
                  << "membership " << options_.id << ": dropped a datagram from " << from
                  << " not signed with a key of this member's keyring (" << google::COUNTER
                  << " so far; counted in dropped_unauthenticated)";
            }
          }
          Receive();
        });
  }

  void ArmTimer() {
    timer_.expires_after(std::chrono::milliseconds(options_.tick_ms));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      Drive([&](ProtocolCore* core) {
        int64_t now = NowMs();
        if (now >= core->NextDeadlineMs()) core->Tick(now);
      });
      ArmTimer();
    });
  }

  // Seed side of a sync stream: the core's answer to a JOIN.
  Result<std::string> ServeSync(std::string_view request) {
    std::optional<Result<std::string>> answer;
    Drive([&](ProtocolCore* core) { answer.emplace(core->OnSyncRequest(request, NowMs())); });
    if (!answer->ok()) {
      LOG_EVERY_N(WARNING, 20) << "membership " << options_.id
                               << ": sync request dropped: " << answer->status().ToString();
    }
    return std::move(*answer);
  }

  // Joiner side: a seed's full state.
  void ApplySync(std::string_view answer) {
    Status status;
    Drive([&](ProtocolCore* core) { status = core->ApplyFullState(answer, NowMs()); });
    if (!status.ok()) {
      LOG_EVERY_N(WARNING, 20) << "membership " << options_.id
                               << ": sync answer dropped: " << status.ToString();
    }
  }

  void CountSyncDrop(SyncDrop why) {
    std::lock_guard<std::mutex> lock(mu_);
    MemberCounters& c = core_->mutable_counters();
    switch (why) {
      case SyncDrop::kTruncated: c.sync_dropped_malformed++; break;
      case SyncDrop::kOversized: c.sync_dropped_oversized++; break;
      case SyncDrop::kError: c.sync_errors++; break;
    }
  }

  // Runs `step` on the core under the lock, then sends its datagrams, opens
  // its sync streams and delivers its events without the lock. io thread
  // only.
  void Drive(const std::function<void(ProtocolCore*)>& step) {
    std::vector<Outgoing> out;
    std::vector<Outgoing> syncs;
    std::vector<MemberEvent> events;
    {
      std::lock_guard<std::mutex> lock(mu_);
      step(core_.get());
      out.swap(core_->outbox());
      syncs.swap(core_->sync_requests());
      events.swap(core_->events());
    }
    SendAll(&out);
    for (Outgoing& sync : syncs) streams_.Request(sync.to, std::move(sync.bytes));
    if (events.empty()) return;
    std::vector<Callback> callbacks;
    {
      std::lock_guard<std::mutex> lock(callbacks_mu_);
      callbacks = callbacks_;
    }
    for (const MemberEvent& event : events) {
      VLOG(1) << "membership " << options_.id << ": " << EventTypeName(event.type) << " "
              << event.member->id << " (" << event.member->address
              << ") incarnation " << event.incarnation;
      for (const Callback& callback : callbacks) callback(event);
    }
  }

  void SendAll(std::vector<Outgoing>* out) {
    uint64_t errors = 0;
    for (const Outgoing& datagram : *out) {
      std::optional<udp::endpoint> to = Resolve(datagram.to);
      boost::system::error_code ec;
      if (to) socket_.send_to(asio::buffer(datagram.bytes), *to, 0, ec);
      if (!to || ec) errors++;
    }
    if (errors > 0) {
      LOG_EVERY_N(WARNING, 100) << "membership " << options_.id << ": " << errors
                                << " datagram(s) not sent (bad address or socket error)";
      std::lock_guard<std::mutex> lock(mu_);
      core_->mutable_counters().send_errors += errors;
    }
  }

  // "ip:port" -> endpoint, cached; nullopt if malformed. io thread only.
  std::optional<udp::endpoint> Resolve(const std::string& address) {
    auto it = endpoints_.find(address);
    if (it != endpoints_.end()) return it->second;
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    boost::system::error_code ec;
    asio::ip::address ip = asio::ip::make_address(address.substr(0, colon), ec);
    int port = std::atoi(address.c_str() + colon + 1);
    if (ec || port <= 0 || port > 65535) return std::nullopt;
    udp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    endpoints_.emplace(address, endpoint);
    return endpoint;
  }

  Options options_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  asio::io_context io_;
  udp::socket socket_;
  asio::steady_timer timer_;
  SyncStreams streams_;
  std::thread thread_;
  int port_ = 0;
  std::shared_ptr<const MemberIdentity> self_;
  std::array<char, 65536> buffer_;
  udp::endpoint sender_;
  std::unordered_map<std::string, udp::endpoint> endpoints_;

  mutable std::mutex mu_;
  std::unique_ptr<ProtocolCore> core_;  // Guarded by mu_.

  std::mutex callbacks_mu_;
  std::vector<Callback> callbacks_;  // Guarded by callbacks_mu_.
};

Member::Member(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Status Member::Start() { return impl_->Start(); }
Member::~Member() = default;
void Member::Leave() { impl_->Leave(); }
void Member::Subscribe(Callback callback) { impl_->Subscribe(std::move(callback)); }
std::vector<MemberSnapshot> Member::Snapshot() const { return impl_->Snapshot(); }
MemberCounters Member::counters() const { return impl_->counters(); }
const MemberIdentity& Member::self() const { return impl_->self(); }
int Member::port() const { return impl_->port(); }

}  // namespace mr::membership
