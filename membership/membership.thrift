// Membership wire format (docs/MEMBERSHIP.md). Every datagram is one
// envelope (codec.h: 3 header bytes, one Message encoded with
// TCompactProtocol, an authentication tag if the scheme has one), at most
// --membership_max_datagram_bytes. A full-state exchange (the join's
// JOIN/SYNC, anti-entropy's PUSH_PULL/SYNC) is one envelope each way on a TCP
// stream, each framed by a 4-byte big-endian length, at most
// --membership_max_sync_bytes.
// Version 1; new fields must be optional so old members skip them.
namespace cpp mr.membership.wire

enum MessageType {
  PING = 1,      // SWIM direct probe; answered with ACK carrying the same seq.
  ACK = 2,       // Answer to PING (also relayed back by a PING_REQ helper).
  PING_REQ = 3,  // "Probe target_id at target_address for me"; helper relays the ACK.
  JOIN = 4,      // TCP only, to a seed: the sender's own ALIVE (gossip: its list).
  SYNC = 5,      // TCP only, the answer to JOIN or PUSH_PULL: the full state, one message.
  LEAVE = 6,     // The sender's own LEFT update, sent directly to a few members.
  GOSSIP = 7,    // Heartbeat protocol: (part of) the sender's member list.
  PUSH_PULL = 8, // TCP only: anti-entropy; the sender's full state, answered with SYNC.
  NACK = 9,      // A PING_REQ helper's "no ack from the target in time" (Lifeguard).
}

enum State {
  ALIVE = 1,
  SUSPECT = 2,
  FAILED = 3,
  LEFT = 4,
}

struct Identity {
  1: string id
  2: string address  // host:port of the member's UDP socket.
  3: string rack
  4: map<string, string> metadata  // e.g. role, data-plane port.
}

// One piece of membership news. `incarnation` is the SWIM incarnation
// number, or the heartbeat counter in the gossip-heartbeat protocol.
struct Update {
  1: string id
  2: State state
  3: i64 incarnation
  4: optional Identity identity  // Set on ALIVE (and in full states), so a receiver can add it.
  5: optional string suspecter   // SUSPECT: who suspects (Lifeguard counts confirmations).
}

struct Message {
  1: i32 version = 1
  2: string cluster_id
  3: MessageType type
  4: string sender_id
  5: i64 sender_incarnation
  6: i64 seq
  7: optional string target_id       // PING: who the sender means; PING_REQ: whom to probe.
  8: optional string target_address  // PING_REQ only.
  9: optional i32 chunk               // GOSSIP: this datagram's index ...
  10: optional i32 chunks             // ... out of this many (a list split over datagrams).
  11: list<Update> updates            // Piggybacked news (SWIM) or the list itself.
}
