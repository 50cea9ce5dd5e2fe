// Issue 16, on the cores: the cluster keyring's authenticator signs with the
// primary key and accepts any key of the ring; a forged datagram (unsigned,
// or signed with another cluster's key) changes nothing and is counted,
// where the same datagram signed with the cluster key would have made a
// live member suspect; a replayed accusation changes nothing once it has
// been refuted (why no replay window: docs/MEMBERSHIP.md, "Authentication");
// a daemon's members take the process's keyring.
// (Real processes: keyring_test.cc.)
#include <gtest/gtest.h>

#include "core_test_util.h"
#include "membership/keyring_authenticator.h"
#include "membership/member.h"
#include "membership/swim_core.h"
#include "security/crypto.h"
#include "security/process_security.h"

namespace mr::membership {
namespace {

using security::Keyring;
using testing::Identity;
using testing::MakeUpdate;
using testing::MessageBytes;

std::string Signed(const wire::Message& message, const Keyring& ring) {
  KeyringAuthenticator auth(ring);
  return EncodeMessage(message, &auth);
}

wire::Message Accusation(const std::string& about, wire::State::type state, int64_t incarnation) {
  wire::Message m = testing::NewMessage("mallory", wire::MessageType::PING, 1);
  m.updates = {MakeUpdate(about, state, incarnation)};
  return m;
}

TEST(KeyringAuthenticatorTest, SignsWithThePrimaryAndAcceptsEveryKeyOfTheRing) {
  Keyring k1 = Keyring::Generate(), k2 = Keyring::Generate();
  KeyringAuthenticator old_ring(k1);
  KeyringAuthenticator both_new_first(Keyring({k2.primary(), k1.primary()}));
  KeyringAuthenticator new_ring(k2);
  EXPECT_EQ(old_ring.scheme(), 1);
  const std::string covered = "\x6d\x01\x01 a membership message";
  std::string tag = old_ring.Tag(covered);
  ASSERT_EQ(tag.size(), KeyringAuthenticator::kTagBytes);
  EXPECT_TRUE(old_ring.Verify(covered, tag));
  EXPECT_TRUE(both_new_first.Verify(covered, tag));  // k1 is still on the ring.
  EXPECT_FALSE(new_ring.Verify(covered, tag));
  // The ring [k2, k1] signs with k2: [k1] alone cannot check it.
  EXPECT_EQ(both_new_first.Tag(covered), new_ring.Tag(covered));
  EXPECT_FALSE(old_ring.Verify(covered, both_new_first.Tag(covered)));
  // Every byte counts, and so does the length.
  for (size_t i = 0; i < covered.size(); ++i) {
    std::string changed = covered;
    changed[i] ^= 0x20;
    EXPECT_FALSE(old_ring.Verify(changed, tag)) << i;
  }
  EXPECT_FALSE(old_ring.Verify(covered, tag.substr(0, 15)));
  EXPECT_FALSE(old_ring.Verify(covered + "x", tag));
  // A key of its own for membership: the tag is not the ring key's HMAC.
  EXPECT_NE(tag, security::HmacSha256(k1.primary(), covered).substr(0, tag.size()));
  // Rotation at run time.
  old_ring.Replace(Keyring({k2.primary(), k1.primary()}));
  EXPECT_EQ(old_ring.key_count(), 2u);
  EXPECT_EQ(old_ring.Tag(covered), new_ring.Tag(covered));
  EXPECT_TRUE(old_ring.Verify(covered, tag));
  old_ring.Replace(k2);
  EXPECT_FALSE(old_ring.Verify(covered, tag));
}

// The attack on one core: a datagram saying that live member b is
// suspect (or failed, or gone) at its current incarnation. Signed with the
// cluster key it is believed (the control: the datagram is potent);
// unsigned, signed with another key, or with a tag cut short or altered, it
// is dropped and counted, and b stays alive.
TEST(MembershipAuthTest, AForgedAccusationOfALiveMemberIsDroppedAndCounted) {
  const Keyring cluster = Keyring::Generate(), other = Keyring::Generate();
  for (wire::State::type state : {wire::State::SUSPECT, wire::State::FAILED, wire::State::LEFT}) {
    SCOPED_TRACE(state);
    CoreOptions options;
    options.authenticator = std::make_shared<KeyringAuthenticator>(cluster);
    SwimCore a(options, Identity("a"), 1);
    a.Bootstrap({Identity("b")}, 0);
    a.Start(0, {});
    const wire::Message accusation = Accusation("b", state, 0);
    std::string tampered = Signed(accusation, cluster);
    tampered[tampered.size() - 20] ^= 1;
    const std::string forged[] = {EncodeMessage(accusation), Signed(accusation, other), tampered,
                                  Signed(accusation, cluster).substr(0, 20)};
    for (const std::string& datagram : forged) a.OnDatagram("127.0.0.1:9", datagram, 1);
    EXPECT_EQ(a.StateOf("b"), MemberState::kAlive);
    EXPECT_TRUE(a.events().empty());
    EXPECT_TRUE(a.outbox().empty());  // Not even the PING is answered.
    EXPECT_EQ(a.counters().dropped_unauthenticated, 4u);
    a.OnDatagram("127.0.0.1:9", Signed(accusation, cluster), 2);
    EXPECT_NE(a.StateOf("b"), MemberState::kAlive);
  }
}

// Replays: an accusation at incarnation i, signed with the cluster key, is
// refuted by its subject with i + 1; replayed later, to the subject or to
// anyone who heard the refutation, it is stale news and changes nothing.
TEST(MembershipAuthTest, AReplayedAccusationChangesNothingOnceRefuted) {
  const Keyring cluster = Keyring::Generate();
  CoreOptions options;
  options.authenticator = std::make_shared<KeyringAuthenticator>(cluster);
  SwimCore a(options, Identity("a"), 1);
  SwimCore c(options, Identity("c"), 2);
  a.Bootstrap({Identity("c")}, 0);
  c.Bootstrap({Identity("a")}, 0);
  a.Start(0, {});
  c.Start(0, {});
  const std::string captured = Signed(Accusation("a", wire::State::SUSPECT, 0), cluster);
  a.OnDatagram("127.0.0.1:9", captured, 1);
  EXPECT_EQ(a.counters().refutations, 1u);
  // a's next PING to c carries the refutation, Alive(a, 1).
  testing::InstantNetwork network;
  network.Add(&a);
  network.Add(&c);
  for (int64_t t = 1; t <= 1000; t += 10) {
    network.Tick(t);
    network.Run(t);
  }
  int64_t a_at_c = -1;
  for (const MemberSnapshot& s : c.Snapshot()) {
    if (s.member->id == "a") a_at_c = s.incarnation;
  }
  ASSERT_EQ(a_at_c, 1);  // c heard the refutation.
  c.events().clear();
  for (int64_t t = 1001; t < 1010; ++t) {
    a.OnDatagram("127.0.0.1:9", captured, t);
    c.OnDatagram("127.0.0.1:9", captured, t);
  }
  EXPECT_EQ(a.counters().refutations, 1u);
  EXPECT_EQ(c.StateOf("a"), MemberState::kAlive);
  EXPECT_TRUE(c.events().empty());
}

// A daemon's member (StartDaemonMember -> Member::Options::FromFlags) takes
// the keyring of the process's security; without it, none.
TEST(MembershipAuthTest, ADaemonsMemberTakesTheProcessKeyring) {
  const Keyring cluster = Keyring::Generate();
  Result<Member::Options> plain = Member::Options::FromFlags();
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->core.authenticator, nullptr);

  auto server = std::make_shared<security::ServerSecurity>();
  server->authenticator = std::make_shared<security::Authenticator>(cluster, "mr");
  security::SetProcessServerSecurity(server);
  Result<Member::Options> keyed = Member::Options::FromFlags();
  security::SetProcessServerSecurity(nullptr);
  ASSERT_TRUE(keyed.ok());
  ASSERT_NE(keyed->core.authenticator, nullptr);
  wire::Message ping = testing::NewMessage("b", wire::MessageType::PING, 7);
  wire::Message decoded;
  EXPECT_TRUE(
      DecodeMessage(Signed(ping, cluster), &decoded, keyed->core.authenticator.get()).ok());
  EXPECT_TRUE(DecodeMessage(Signed(ping, Keyring::Generate()), &decoded,
                            keyed->core.authenticator.get()).IsPermissionDenied());
}

}  // namespace
}  // namespace mr::membership
