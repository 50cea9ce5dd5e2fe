#include "dfs/client/mrdfs_commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "common/file.h"
#include "common/json_writer.h"
#include "common/text.h"
#include "dfs/client/dfs_path_limits.h"
#include "dfs/master/permission.h"

namespace mr::dfs {

const char kMrdfsUsage[] =
    "usage: mrdfs --cluster DIR <verb> ...\n"
    "  put LOCAL DFS [-f]      copy a local file into the DFS (-f: replace an existing file)\n"
    "  get DFS LOCAL [-f]      copy a DFS file out (-f: replace an existing local file)\n"
    "  cat DFS                 write a DFS file to stdout\n"
    "  ls [-l] [PATH] [--json] list a directory (default /); -l: permissions, replication,\n"
    "                          owner, group, size, modification time, path (as hdfs dfs -ls)\n"
    "  rm [-r] PATH            delete a file, or a directory (-r: with its contents)\n"
    "  mkdir PATH              create a directory and missing parents\n"
    "  mv SRC DST              rename (into DST if it is a directory)\n"
    "  stat PATH [--json]      a file's chunks, sizes and replicas (node, rack)\n"
    "  du [PATH] [--json]      total bytes, and raw bytes counting replication\n"
    "  fsck [PATH] [--json]    replicas of every chunk: healthy, corrupt, under-replicated, missing;\n"
    "                          and incomplete files (their writer never closed them)\n"
    "  chmod [-R] MODE PATH    set the mode bits: octal MODE, e.g. 755, 640, 1777 (sticky)\n"
    "  chown [-R] USER[:GROUP] PATH   set the owner (a superuser only) and the group\n"
    "  chgrp [-R] GROUP PATH   set the group (the owner, to one of its groups; or a superuser)\n"
    "  whoami                  the user, groups and superuser flag the master sees for you\n"
    "DFS paths are absolute and normalized (/a/b), valid UTF-8, at most 4096 bytes, 255 per\n"
    "component, 1000 components. Names are printed with control characters escaped (as ls -b);\n"
    "--json prints them exactly.\n"
    "Exit codes: 0 success; 1 failure (not found, exists, unavailable, permission denied:\n"
    "\"Permission denied: user=U, access=A, inode=...\", fsck found a missing chunk, an\n"
    "incomplete file or an entry it could not check, chmod/chown/chgrp -R could not change\n"
    "an entry); 2 usage (unknown verb, bad operands or options, malformed DFS path, bad\n"
    "mode or user or group name).";

namespace {

constexpr size_t kCopyPieceBytes = 1 << 20;

struct VerbSpec {
  size_t min_operands;
  size_t max_operands;
  std::vector<bool> operand_is_dfs;  // Per operand position.
  bool takes_force;
  std::string recursive_option;  // "-r", "-R" or none.
  bool takes_json;
  bool takes_long = false;
};

const std::map<std::string, VerbSpec>& Verbs() {
  static const auto* verbs = new std::map<std::string, VerbSpec>{
      {"put", {2, 2, {false, true}, true, "", false}},
      {"get", {2, 2, {true, false}, true, "", false}},
      {"cat", {1, 1, {true}, false, "", false}},
      {"ls", {0, 1, {true}, false, "", true, /*takes_long=*/true}},
      {"rm", {1, 1, {true}, false, "-r", false}},
      {"mkdir", {1, 1, {true}, false, "", false}},
      {"mv", {2, 2, {true, true}, false, "", false}},
      {"stat", {1, 1, {true}, false, "", true}},
      {"du", {0, 1, {true}, false, "", true}},
      {"fsck", {0, 1, {true}, false, "", true}},
      {"chmod", {2, 2, {false, true}, false, "-R", false}},
      {"chown", {2, 2, {false, true}, false, "-R", false}},
      {"chgrp", {2, 2, {false, true}, false, "-R", false}},
      {"whoami", {0, 0, {}, false, "", false}},
  };
  return *verbs;
}

// The verb's own operand (chmod's MODE, chown's USER[:GROUP], chgrp's
// GROUP), checked here so that a bad one is a usage error.
Status ParseOwnershipOperand(MrdfsCommand* c) {
  const std::string& operand = c->operands[0];
  if (c->verb == "chmod") {
    ASSIGN_OR_RETURN(c->mode, ParseOctalMode(operand));
    return Status::OK();
  }
  if (c->verb == "chgrp") {
    c->group = operand;
  } else if (size_t colon = operand.find(':'); colon == std::string::npos) {
    c->owner = operand;
  } else {
    c->owner = operand.substr(0, colon);
    c->group = operand.substr(colon + 1);
    if (c->owner.empty() && c->group.empty()) return Status::InvalidArgument("chown ':' names nobody");
  }
  if (!c->owner.empty()) RETURN_NOT_OK(ValidateOwnerName(c->owner));
  if (!c->group.empty() || c->verb == "chgrp") RETURN_NOT_OK(ValidateOwnerName(c->group));
  return Status::OK();
}

std::string ChildPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string LastComponent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string FormatTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
  return buf;
}

void WriteStatusFields(const DfsFileStatus& s, JsonWriter* json) {
  json->Key("path").String(s.path);
  json->Key("type").String(s.is_dir ? "dir" : "file");
  json->Key("length").Int(s.length);
  json->Key("replication").Int(s.replication);
  json->Key("chunk_size").Int(s.chunk_size);
  json->Key("modification_time_ms").Int(s.modification_time_ms);
  json->Key("under_construction").Bool(s.under_construction);
  json->Key("incomplete").Bool(s.incomplete);
  json->Key("owner").String(s.owner);
  json->Key("group").String(s.group);
  json->Key("mode").String(OctalMode(s.mode));
}

// A path for human-readable output (ls -b style).
std::string Shown(const std::string& path) { return EscapeForTerminal(path); }

// An entry a walk could not look at, and why.
struct WalkError {
  std::string path;
  std::string error;
};

// Visits `start` and everything under it, parents before children, in name
// order, with an explicit stack: the depth of the tree costs no stack, and
// memory grows with the entries pending along one path. A directory that
// cannot be listed (or vanished) is recorded in *errors (unless gone) and
// skipped; the rest is still visited. An error from fn stops the walk.
Status Walk(DfsClient* client, const DfsFileStatus& start,
            const std::function<Status(const DfsFileStatus&)>& fn,
            std::vector<WalkError>* errors) {
  std::vector<DfsFileStatus> pending = {start};
  while (!pending.empty()) {
    DfsFileStatus entry = std::move(pending.back());
    pending.pop_back();
    RETURN_NOT_OK(fn(entry));
    if (!entry.is_dir) continue;
    Result<std::vector<DfsFileStatus>> entries = client->List(entry.path);
    if (!entries.ok()) {
      if (!entries.status().IsNotFound()) {  // Gone meanwhile: nothing to check.
        errors->push_back({entry.path, entries.status().ToString()});
      }
      continue;
    }
    pending.insert(pending.end(), std::make_move_iterator(entries->rbegin()),
                   std::make_move_iterator(entries->rend()));
  }
  return Status::OK();
}

void WriteErrors(const std::vector<WalkError>& errors, JsonWriter* json) {
  json->Key("errors").BeginArray();
  for (const WalkError& e : errors) {
    json->BeginObject().Key("path").String(e.path).Key("error").String(e.error).EndObject();
  }
  json->EndArray();
}

void PrintErrors(const std::vector<WalkError>& errors, std::ostream& out) {
  for (const WalkError& e : errors) {
    out << Shown(e.path) << ": not checked: " << EscapeForTerminal(e.error) << "\n";
  }
}

Status WalkErrorsStatus(const std::vector<WalkError>& errors, const std::string& path) {
  if (errors.empty()) return Status::OK();
  return Status::IOError(std::to_string(errors.size()) + " entries under " + path +
                         " could not be checked");
}

// ---- Verbs ---------------------------------------------------------------------

Status Put(const MrdfsCommand& c, DfsClient* client) {
  const std::string& local = c.operands[0];
  std::string target = c.operands[1];
  if (IsDirectory(local)) return Status::InvalidArgument(local + " is a directory");
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in, RandomAccessFile::Open(local));
  in->AdviseSequential();
  Result<DfsFileStatus> existing = client->Stat(target);
  if (existing.ok() && existing->is_dir) {
    target = ChildPath(target, BaseName(local));
    RETURN_NOT_OK(ValidateDfsPath(target));
  }
  DfsClient::CreateOptions options;
  options.replication = c.replication;
  options.chunk_size = c.chunk_size;
  options.overwrite = c.force;
  Result<std::unique_ptr<DfsFileWriter>> writer = client->Create(target, options);
  if (!writer.ok()) {
    if (writer.status().IsAlreadyExists() && !c.force) {
      return Status::AlreadyExists(target + " exists (put -f replaces it)");
    }
    return writer.status();
  }
  std::string buffer(kCopyPieceBytes, '\0');
  for (uint64_t offset = 0; offset < in->size();) {
    size_t got = 0;
    Status s = in->Read(offset, buffer.size(), buffer.data(), &got);
    if (s.ok() && got == 0) s = Status::IOError(local + " shrank while being read");
    if (s.ok()) s = (*writer)->Write(std::string_view(buffer.data(), got));
    if (!s.ok()) {
      (*writer)->Abort();
      return s;
    }
    offset += got;
  }
  return (*writer)->Close();
}

Status Get(const MrdfsCommand& c, DfsClient* client) {
  const std::string& source = c.operands[0];
  std::string target = c.operands[1];
  if (IsDirectory(target)) target = JoinPath(target, LastComponent(source));
  if (PathExists(target) && !c.force) {
    return Status::AlreadyExists(target + " exists (get -f replaces it)");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DfsFileReader> reader, client->Open(source));
  // A hidden temp name beside the target (g++ 12 warns, wrongly, on "." + string).
  std::string temp_name(1, '.');
  temp_name += BaseName(target);
  temp_name += ".mrdfs-get." + std::to_string(::getpid());
  std::string temp = JoinPath(DirName(target), temp_name);
  (void)RemoveAll(temp);  // A leftover of a killed get with our pid.
  // No user-space buffer: the reader hands over whole packets (1 MiB), each
  // written with one write(2).
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, WritableFile::Create(temp, 4096));
  Status s;
  std::string piece;
  while (s.ok()) {
    s = reader->Read(kCopyPieceBytes, &piece);
    if (!s.ok() || piece.empty()) break;
    s = out->Append(piece);
  }
  if (s.ok()) s = out->Close();
  if (s.ok() && static_cast<int64_t>(out->size()) != reader->length()) {
    s = Status::IOError("read " + std::to_string(out->size()) + " of " +
                        std::to_string(reader->length()) + " bytes of " + source);
  }
  if (s.ok()) {
    if (c.force) {
      if (::rename(temp.c_str(), target.c_str()) != 0) s = Status::FromErrno(errno, target);
    } else {
      s = RenameNoReplace(temp, target);
    }
  }
  if (!s.ok()) {
    out.reset();
    (void)RemoveAll(temp);
  }
  return s;
}

Status Cat(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  ASSIGN_OR_RETURN(std::unique_ptr<DfsFileReader> reader, client->Open(c.operands[0]));
  std::string piece;
  while (true) {
    RETURN_NOT_OK(reader->Read(kCopyPieceBytes, &piece));
    if (piece.empty()) break;
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    if (!out) return Status::IOError("writing to stdout failed");
  }
  out.flush();
  return out ? Status::OK() : Status::IOError("writing to stdout failed");
}

// As `hdfs dfs -ls`: permissions, replication ("-" for a directory),
// owner, group (both padded to the widest), size, modification time (UTC),
// path.
void PrintLongListing(const std::vector<DfsFileStatus>& entries, std::ostream& out) {
  size_t owner_width = 1, group_width = 1;
  for (const DfsFileStatus& e : entries) {
    owner_width = std::max(owner_width, Shown(e.owner).size());
    group_width = std::max(group_width, Shown(e.group).size());
  }
  for (const DfsFileStatus& e : entries) {
    std::string owner = Shown(e.owner), group = Shown(e.group);
    owner.resize(owner_width, ' ');
    group.resize(group_width, ' ');
    char head[64], tail[64];
    std::snprintf(head, sizeof(head), "%s %3s ", ModeString(e.is_dir, e.mode).c_str(),
                  e.is_dir ? "-" : std::to_string(e.replication).c_str());
    std::snprintf(tail, sizeof(tail), " %10lld %s ", static_cast<long long>(e.length),
                  FormatTime(e.modification_time_ms).c_str());
    out << head << owner << " " << group << tail << Shown(e.path)
        << (e.under_construction ? " (open for writing)"
            : e.incomplete       ? " (INCOMPLETE: its writer never closed it)"
                                 : "")
        << "\n";
  }
}

Status Ls(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  std::string path = c.operands.empty() ? "/" : c.operands[0];
  ASSIGN_OR_RETURN(std::vector<DfsFileStatus> entries, client->List(path));
  if (c.json) {
    JsonWriter json;
    json.BeginObject().Key("path").String(path).Key("entries").BeginArray();
    for (const DfsFileStatus& e : entries) {
      json.BeginObject();
      WriteStatusFields(e, &json);
      json.EndObject();
    }
    json.EndArray().EndObject();
    out << json.str() << "\n";
    return Status::OK();
  }
  if (c.long_format) {
    PrintLongListing(entries, out);
    return Status::OK();
  }
  for (const DfsFileStatus& e : entries) {
    char line[128];
    std::snprintf(line, sizeof(line), "%c %3s %14lld %s ", e.is_dir ? 'd' : '-',
                  e.is_dir ? "-" : std::to_string(e.replication).c_str(),
                  static_cast<long long>(e.length), FormatTime(e.modification_time_ms).c_str());
    out << line << Shown(e.path)
        << (e.under_construction ? " (open for writing)"
            : e.incomplete       ? " (INCOMPLETE: its writer never closed it)"
                                 : "")
        << "\n";
  }
  return Status::OK();
}

Status Mv(const MrdfsCommand& c, DfsClient* client) {
  std::string target = c.operands[1];
  Result<DfsFileStatus> existing = client->Stat(target);
  if (existing.ok() && existing->is_dir) {
    target = ChildPath(target, LastComponent(c.operands[0]));
    RETURN_NOT_OK(ValidateDfsPath(target));
  }
  return client->Rename(c.operands[0], target);
}

Status StatVerb(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  ASSIGN_OR_RETURN(DfsFileStatus status, client->Stat(c.operands[0]));
  std::vector<DfsChunk> chunks;
  if (!status.is_dir && !status.under_construction) {
    ASSIGN_OR_RETURN(chunks, client->GetChunkLocations(status.path, 0, INT64_MAX,
                                                       /*include_incomplete=*/true));
  }
  if (c.json) {
    JsonWriter json;
    json.BeginObject();
    WriteStatusFields(status, &json);
    json.Key("chunks").BeginArray();
    for (size_t i = 0; i < chunks.size(); ++i) {
      const DfsChunk& k = chunks[i];
      json.BeginObject()
          .Key("index").Int(static_cast<int64_t>(i))
          .Key("chunk_id").Int(k.chunk_id)
          .Key("generation").Int(k.generation)
          .Key("offset").Int(k.offset)
          .Key("length").Int(k.length)
          .Key("replicas").BeginArray();
      for (const DfsReplica& r : k.replicas) {
        json.BeginObject()
            .Key("node").String(r.node_id)
            .Key("host").String(r.host)
            .Key("port").Int(r.port)
            .Key("rack").String(r.rack)
            .EndObject();
      }
      json.EndArray().EndObject();
    }
    json.EndArray().EndObject();
    out << json.str() << "\n";
    return Status::OK();
  }
  out << "path: " << Shown(status.path) << "\n"
      << "type: " << (status.is_dir ? "directory" : "file") << "\n"
      << "permission: " << ModeString(status.is_dir, status.mode) << " ("
      << OctalMode(status.mode) << ")\n"
      << "owner: " << Shown(status.owner) << "\n"
      << "group: " << Shown(status.group) << "\n"
      << "modified: " << FormatTime(status.modification_time_ms) << " UTC\n";
  if (status.is_dir) return Status::OK();
  out << "length: " << status.length << "\n"
      << "replication: " << status.replication << "\n"
      << "chunk size: " << status.chunk_size << "\n";
  if (status.under_construction) {
    out << "state: open for writing: chunk locations not available\n";
    return Status::OK();
  }
  out << "state: "
      << (status.incomplete ? "INCOMPLETE: its writer never closed it; lease recovery kept " +
                                  std::to_string(status.length) + " bytes"
                            : std::string("complete"))
      << "\n";
  out << "chunks: " << chunks.size() << "\n";
  for (size_t i = 0; i < chunks.size(); ++i) {
    const DfsChunk& k = chunks[i];
    out << "  chunk " << i << ": id " << k.chunk_id << " generation " << k.generation
        << " offset " << k.offset << " length " << k.length << ", " << k.replicas.size()
        << " replicas\n";
    for (const DfsReplica& r : k.replicas) {
      out << "    " << r.node_id << " " << r.host << ":" << r.port << " rack " << r.rack << "\n";
    }
  }
  return Status::OK();
}

Status Du(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  std::string path = c.operands.empty() ? "/" : c.operands[0];
  ASSIGN_OR_RETURN(DfsFileStatus start, client->Stat(path));
  int64_t files = 0, dirs = 0, bytes = 0, raw = 0;
  std::vector<WalkError> errors;
  RETURN_NOT_OK(Walk(client, start, [&](const DfsFileStatus& s) {
    if (s.is_dir) {
      ++dirs;
    } else {
      ++files;
      bytes += s.length;
      raw += s.length * s.replication;
    }
    return Status::OK();
  }, &errors));
  if (c.json) {
    JsonWriter json;
    json.BeginObject()
        .Key("path").String(path)
        .Key("files").Int(files)
        .Key("directories").Int(dirs)
        .Key("bytes").Int(bytes)
        .Key("raw_bytes").Int(raw);
    WriteErrors(errors, &json);
    json.EndObject();
    out << json.str() << "\n";
  } else {
    PrintErrors(errors, out);
    // Labelled, as `hdfs dfs -du -s -v`: bytes of data, bytes on disk with
    // every replica, then the counts.
    char row[160];
    std::snprintf(row, sizeof(row), "%-14s %-14s %-8s %-8s %s\n%-14lld %-14lld %-8lld %-8lld ",
                  "SIZE", "RAW_SIZE", "FILES", "DIRS", "PATH", static_cast<long long>(bytes),
                  static_cast<long long>(raw), static_cast<long long>(files),
                  static_cast<long long>(dirs));
    out << row << Shown(path) << "\n";
  }
  return WalkErrorsStatus(errors, path);
}

struct FsckProblem {
  std::string path;
  int64_t chunk_index = 0;
  int64_t chunk_id = 0;
  int64_t live = 0;
  int64_t replication = 0;
  int64_t corrupt = 0;
  std::string state;  // "corrupt", "under_replicated" or "missing".
};

// What fsck found under one path.
struct FsckReport {
  int64_t files = 0, dirs = 0, open_files = 0, bytes = 0, chunks = 0;
  int64_t healthy = 0, corrupt = 0, under = 0, missing = 0;
  std::vector<FsckProblem> problems;
  std::vector<std::string> open_paths;
  std::vector<DfsFileStatus> incomplete;  // Closed by lease recovery.
  std::vector<WalkError> errors;          // Entries it could not check.

  const char* Verdict() const {
    return missing > 0              ? "MISSING"
           : !incomplete.empty()    ? "INCOMPLETE"
           : corrupt > 0            ? "CORRUPT"
           : under > 0              ? "UNDER_REPLICATED"
           : !errors.empty()        ? "NOT_CHECKED"
                                    : "HEALTHY";
  }
};

// The chunks of one closed file.
void FsckFile(DfsClient* client, const DfsFileStatus& s, FsckReport* r) {
  Result<std::vector<DfsChunk>> located =
      client->GetChunkLocations(s.path, 0, INT64_MAX, /*include_incomplete=*/true);
  if (!located.ok()) {
    // Deleted meanwhile: nothing to check. Anything else: this file only.
    if (!located.status().IsNotFound()) r->errors.push_back({s.path, located.status().ToString()});
    return;
  }
  for (size_t i = 0; i < located->size(); ++i) {
    const DfsChunk& k = (*located)[i];
    int64_t live = static_cast<int64_t>(k.replicas.size());
    ++r->chunks;
    if (live >= s.replication && k.corrupt_replicas == 0) {
      ++r->healthy;
      continue;
    }
    // Worst first: no live replica, then a corrupt one (being replaced),
    // then too few.
    const char* state = live == 0                 ? "missing"
                        : k.corrupt_replicas > 0 ? "corrupt"
                                                 : "under_replicated";
    (live == 0 ? r->missing : k.corrupt_replicas > 0 ? r->corrupt : r->under) += 1;
    r->problems.push_back({s.path, static_cast<int64_t>(i), k.chunk_id, live, s.replication,
                           k.corrupt_replicas, state});
  }
}

void PrintFsckJson(const std::string& path, const FsckReport& r, std::ostream& out) {
  JsonWriter json;
  json.BeginObject()
      .Key("path").String(path)
      .Key("status").String(r.Verdict())
      .Key("files").Int(r.files)
      .Key("directories").Int(r.dirs)
      .Key("open_files").Int(r.open_files)
      .Key("incomplete_files").Int(static_cast<int64_t>(r.incomplete.size()))
      .Key("bytes").Int(r.bytes)
      .Key("chunks").Int(r.chunks)
      .Key("healthy").Int(r.healthy)
      .Key("corrupt").Int(r.corrupt)
      .Key("under_replicated").Int(r.under)
      .Key("missing").Int(r.missing)
      .Key("problems").BeginArray();
  for (const FsckProblem& p : r.problems) {
    json.BeginObject()
        .Key("path").String(p.path)
        .Key("chunk_index").Int(p.chunk_index)
        .Key("chunk_id").Int(p.chunk_id)
        .Key("live_replicas").Int(p.live)
        .Key("replication").Int(p.replication)
        .Key("corrupt_replicas").Int(p.corrupt)
        .Key("state").String(p.state)
        .EndObject();
  }
  json.EndArray().Key("incomplete").BeginArray();
  for (const DfsFileStatus& f : r.incomplete) {
    json.BeginObject().Key("path").String(f.path).Key("length").Int(f.length).EndObject();
  }
  json.EndArray();
  WriteErrors(r.errors, &json);
  json.EndObject();
  out << json.str() << "\n";
}

void PrintFsckText(const FsckReport& r, std::ostream& out) {
  for (const FsckProblem& p : r.problems) {
    out << Shown(p.path) << ": chunk " << p.chunk_index << " (id " << p.chunk_id
        << "): " << p.state << ", " << p.live << " of " << p.replication << " replicas live, "
        << p.corrupt << " corrupt\n";
  }
  for (const DfsFileStatus& f : r.incomplete) {
    out << Shown(f.path) << ": INCOMPLETE: its writer never closed it; lease recovery kept "
        << f.length << " bytes\n";
  }
  for (const std::string& p : r.open_paths) out << Shown(p) << ": open for writing, not checked\n";
  PrintErrors(r.errors, out);
  out << "status: " << r.Verdict() << "\n"
      << "files: " << r.files << " (" << r.open_files << " open for writing, "
      << r.incomplete.size() << " incomplete)\n"
      << "directories: " << r.dirs << "\n"
      << "bytes: " << r.bytes << "\n"
      << "chunks: " << r.chunks << "\n"
      << "healthy chunks: " << r.healthy << "\n"
      << "corrupt chunks: " << r.corrupt << "\n"
      << "under-replicated chunks: " << r.under << "\n"
      << "missing chunks: " << r.missing << "\n";
}

Status Fsck(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  std::string path = c.operands.empty() ? "/" : c.operands[0];
  ASSIGN_OR_RETURN(DfsFileStatus start, client->Stat(path));
  FsckReport r;
  RETURN_NOT_OK(Walk(client, start, [&](const DfsFileStatus& s) -> Status {
    if (s.is_dir) {
      ++r.dirs;
      return Status::OK();
    }
    ++r.files;
    if (s.under_construction) {
      ++r.open_files;
      r.open_paths.push_back(s.path);
      return Status::OK();
    }
    if (s.incomplete) r.incomplete.push_back(s);
    r.bytes += s.length;
    FsckFile(client, s, &r);
    return Status::OK();
  }, &r.errors));
  if (c.json) {
    PrintFsckJson(path, r, out);
  } else {
    PrintFsckText(r, out);
  }
  if (r.missing > 0) {
    return Status::Corruption(std::to_string(r.missing) + " chunks under " + path +
                              " have no live replica");
  }
  if (!r.incomplete.empty()) {
    return Status::Corruption(std::to_string(r.incomplete.size()) + " files under " + path +
                              " are incomplete (their writers never closed them)");
  }
  return WalkErrorsStatus(r.errors, path);
}

// chmod, chown, chgrp: one entry, or with -R the entry and everything under
// it (parents first, as hdfs dfs -chmod -R). An entry that cannot be changed
// is reported and the rest still are; the verb then fails.
Status ChangeOwnership(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  const std::string& path = c.operands[1];
  auto change = [&](const std::string& p) {
    return c.verb == "chmod" ? client->SetPermission(p, c.mode)
                             : client->SetOwner(p, c.owner, c.group);
  };
  if (!c.recursive) return change(path);
  ASSIGN_OR_RETURN(DfsFileStatus start, client->Stat(path));
  std::vector<WalkError> errors;
  RETURN_NOT_OK(Walk(client, start, [&](const DfsFileStatus& s) {
    Status changed = change(s.path);
    if (!changed.ok() && !changed.IsNotFound()) errors.push_back({s.path, changed.ToString()});
    return Status::OK();
  }, &errors));
  for (const WalkError& e : errors) {
    out << Shown(e.path) << ": not changed: " << EscapeForTerminal(e.error) << "\n";
  }
  if (errors.empty()) return Status::OK();
  return Status::IOError(std::to_string(errors.size()) + " entries under " + path +
                         " could not be changed");
}

Status WhoAmI(DfsClient* client, std::ostream& out) {
  ASSIGN_OR_RETURN(DfsCaller caller, client->WhoAmI());
  out << "user: " << Shown(caller.user) << "\n" << "groups:";
  for (const std::string& g : caller.groups) out << " " << Shown(g);
  out << "\n" << "superuser: " << (caller.superuser ? "yes" : "no") << "\n";
  return Status::OK();
}

}  // namespace

std::vector<std::string> ExtractVerbOptions(int* argc, char** argv) {
  std::vector<std::string> options;
  int kept = 1;
  bool done = false;
  for (int i = 1; i < *argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") done = true;
    if (!done && (arg == "-f" || arg == "-r" || arg == "-R" || arg == "-l")) {
      options.push_back(arg);
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return options;
}

Result<MrdfsCommand> ParseMrdfsCommand(const std::vector<std::string>& words,
                                       const std::vector<std::string>& verb_options,
                                       bool json) {
  if (words.empty()) return Status::InvalidArgument("missing verb");
  MrdfsCommand command;
  command.verb = words[0];
  auto it = Verbs().find(command.verb);
  if (it == Verbs().end()) return Status::InvalidArgument("unknown verb '" + command.verb + "'");
  const VerbSpec& spec = it->second;
  command.operands.assign(words.begin() + 1, words.end());
  if (command.operands.size() < spec.min_operands ||
      command.operands.size() > spec.max_operands) {
    std::string want = spec.min_operands == spec.max_operands
                           ? std::to_string(spec.min_operands)
                           : std::to_string(spec.min_operands) + " or " +
                                 std::to_string(spec.max_operands);
    return Status::InvalidArgument(command.verb + " takes " + want + " operand(s), got " +
                                   std::to_string(command.operands.size()));
  }
  for (const std::string& option : verb_options) {
    if (option == "-f" && spec.takes_force) {
      command.force = true;
    } else if (option == spec.recursive_option) {
      command.recursive = true;
    } else if (option == "-l" && spec.takes_long) {
      command.long_format = true;
    } else {
      return Status::InvalidArgument(command.verb + " does not take " + option);
    }
  }
  if (json && !spec.takes_json) {
    return Status::InvalidArgument(command.verb + " does not take --json");
  }
  command.json = json;
  for (size_t i = 0; i < command.operands.size(); ++i) {
    if (spec.operand_is_dfs[i]) {
      RETURN_NOT_OK(ValidateDfsPath(command.operands[i]));
    } else if (command.operands[i].empty()) {
      return Status::InvalidArgument(i == 0 && command.verb.starts_with("ch") ? "empty operand"
                                                                           : "empty local path");
    }
  }
  if (command.verb.starts_with("ch")) RETURN_NOT_OK(ParseOwnershipOperand(&command));
  return command;
}

Status RunMrdfsCommand(const MrdfsCommand& c, DfsClient* client, std::ostream& out) {
  const std::string& v = c.verb;
  if (v == "put") return Put(c, client);
  if (v == "get") return Get(c, client);
  if (v == "cat") return Cat(c, client, out);
  if (v == "ls") return Ls(c, client, out);
  if (v == "rm") return client->Delete(c.operands[0], c.recursive);
  if (v == "mkdir") return client->Mkdirs(c.operands[0]);
  if (v == "mv") return Mv(c, client);
  if (v == "stat") return StatVerb(c, client, out);
  if (v == "du") return Du(c, client, out);
  if (v == "fsck") return Fsck(c, client, out);
  if (v == "chmod" || v == "chown" || v == "chgrp") return ChangeOwnership(c, client, out);
  if (v == "whoami") return WhoAmI(client, out);
  return Status::InvalidArgument("unknown verb '" + v + "'");
}

}  // namespace mr::dfs
