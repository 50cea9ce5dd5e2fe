// A streaming job's user command (a mapper, combiner or reducer in any
// language): `/bin/sh -c COMMAND` as a child process that reads lines on its
// stdin and writes lines on its stdout (docs/STREAMING.md).
//
// Input is buffered and written in large pieces. While a write waits for the
// command to read, its output is read too, so a command that writes before
// it has read all its input never deadlocks against us. Its stderr passes
// through to ours (a task's stderr log on a cluster), and its last lines are
// kept for the error that a failing command returns.
//
// A command may stop reading early and exit 0 (as `head` does): the rest of
// its input is then dropped, and what it wrote counts. A command that exits
// non-zero or is killed fails. A command that neither reads nor writes for
// --stream_idle_timeout_ms fails too.
//
// Thread-safety: belongs to one task thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/subprocess.h"

namespace mr::streaming {

class StreamCommand {
 public:
  // `role` names the command in errors ("mapper", "reducer", "combiner").
  // Runs in `working_dir` (empty: ours). With `own_group`, the command leads
  // a process group that goes with it (a local run); without, it stays in
  // ours (a cluster task's, which its node manager kills as one).
  static Result<std::unique_ptr<StreamCommand>> Start(const std::string& command,
                                                      const std::string& role,
                                                      const std::string& working_dir,
                                                      bool own_group);

  // Queue a line, or a "key\tvalue" line, for the command's stdin;
  // MaybeWrite() writes once enough are queued. Once the command has closed
  // its stdin, they are dropped.
  void AppendLine(std::string_view line) {
    if (input_closed_) return;
    input_.append(line);
    input_ += '\n';
  }
  void AppendRecord(std::string_view key, std::string_view value) {
    if (input_closed_) return;
    input_.append(key);
    input_ += '\t';
    input_.append(value);
    input_ += '\n';
  }
  Status MaybeWrite();
  // Calls on_line(line) for every complete output line read so far (without
  // its "\n"). on_line may throw; lines before it are consumed.
  template <typename OnLine>
  void TakeLines(OnLine&& on_line);
  // Writes what is queued, closes stdin, reads the output to its end
  // (TakeLines then sees it all, the last line even without a "\n") and
  // waits for the exit: an error if the command failed.
  Status Finish();
  // Bytes of output read and not yet taken by TakeLines.
  size_t pending_output() const { return output_.size() - taken_; }

 private:
  StreamCommand(std::string command, std::string role, std::unique_ptr<Subprocess> process);

  // Writes the queued input, reading output (and stderr) while the pipe is
  // full. With `closing`, then closes stdin.
  Status Flush(bool closing);
  // Waits for the command's pipes and moves what is ready; false on the idle
  // timeout. `want_write`: wait for stdin to take more too.
  Result<bool> PollOnce(bool want_write);
  void ReadStdout();
  void ReadStderr();
  Status Failure(const std::string& what) const;

  const std::string command_;
  const std::string role_;
  std::unique_ptr<Subprocess> process_;
  std::string input_;         // Queued for stdin.
  bool input_closed_ = false;  // The command closed its stdin (or we did).
  std::string output_;        // Read from stdout; [taken_, size) not yet taken.
  size_t taken_ = 0;
  bool output_done_ = false;  // Its stdout reached EOF.
  bool stderr_done_ = false;
  std::string stderr_tail_;   // The last few KiB of its stderr.
};

template <typename OnLine>
void StreamCommand::TakeLines(OnLine&& on_line) {
  while (taken_ < output_.size()) {
    size_t nl = output_.find('\n', taken_);
    if (nl == std::string::npos) {
      if (!output_done_) break;
      nl = output_.size();  // The last line, without its "\n".
    }
    std::string_view line(output_.data() + taken_, nl - taken_);
    taken_ = std::min(nl + 1, output_.size());
    on_line(line);
  }
  // Keep only the partial last line.
  output_.erase(0, taken_);
  taken_ = 0;
}

}  // namespace mr::streaming
