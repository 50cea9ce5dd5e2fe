#include "mapreduce/streaming/stream_command.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include <gflags/gflags.h>

DEFINE_int32(stream_idle_timeout_ms, 600000,
             "A streaming command that neither reads input nor writes output for this long "
             "fails its task (Hadoop's task timeout is 10 minutes too).");

namespace mr::streaming {

namespace {

// Input is written once this much is queued: few system calls per line.
constexpr size_t kWriteBatchBytes = 64 << 10;
// Each read takes up to this much.
constexpr size_t kReadBytes = 64 << 10;
// The stderr kept for an error message.
constexpr size_t kStderrTailBytes = 2048;

}  // namespace

Result<std::unique_ptr<StreamCommand>> StreamCommand::Start(const std::string& command,
                                                            const std::string& role,
                                                            const std::string& working_dir,
                                                            bool own_group) {
  Subprocess::Options options;
  options.new_process_group = own_group;
  options.argv = {"/bin/sh", "-c", command};
  options.working_dir = working_dir;
  options.pipe_stdin = true;
  options.pipe_stdout = true;
  options.pipe_stderr = true;
  Result<std::unique_ptr<Subprocess>> process = Subprocess::Start(options);
  if (!process.ok()) {
    return process.status().Prepend("starting the " + role + " command '" + command + "'");
  }
  return std::unique_ptr<StreamCommand>(
      new StreamCommand(command, role, std::move(process).value()));
}

StreamCommand::StreamCommand(std::string command, std::string role,
                             std::unique_ptr<Subprocess> process)
    : command_(std::move(command)), role_(std::move(role)), process_(std::move(process)) {}

Status StreamCommand::MaybeWrite() {
  return input_.size() >= kWriteBatchBytes ? Flush(/*closing=*/false) : Status::OK();
}

Status StreamCommand::Finish() {
  RETURN_NOT_OK(Flush(/*closing=*/true));
  while (!output_done_ || !stderr_done_) {
    ASSIGN_OR_RETURN(bool progressed, PollOnce(/*want_write=*/false));
    if (!progressed) return Failure("wrote nothing for " + std::to_string(FLAGS_stream_idle_timeout_ms) + " ms");
  }
  int exit_code = process_->Wait();
  if (exit_code != 0) return Failure("failed (" + DescribeExitCode(exit_code) + ")");
  return Status::OK();
}

Status StreamCommand::Flush(bool closing) {
  size_t written = 0;
  while (written < input_.size() && !input_closed_) {
    ssize_t n = ::write(process_->stdin_fd(), input_.data() + written, input_.size() - written);
    if (n > 0) {
      written += n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) {
      input_closed_ = true;  // It closed its stdin; whether that is a failure, its exit says.
      break;
    }
    if (n < 0 && errno != EAGAIN) return Status::FromErrno(errno, "writing to the " + role_);
    ASSIGN_OR_RETURN(bool progressed, PollOnce(/*want_write=*/true));
    if (!progressed) {
      return Failure("read no input for " + std::to_string(FLAGS_stream_idle_timeout_ms) + " ms");
    }
  }
  input_.clear();
  if (closing) {
    process_->CloseStdin();
    input_closed_ = true;
  }
  return Status::OK();
}

Result<bool> StreamCommand::PollOnce(bool want_write) {
  pollfd fds[3] = {{output_done_ ? -1 : process_->stdout_fd(), POLLIN, 0},
                   {stderr_done_ ? -1 : process_->stderr_fd(), POLLIN, 0},
                   {want_write ? process_->stdin_fd() : -1, POLLOUT, 0}};
  int ready;
  while ((ready = ::poll(fds, 3, FLAGS_stream_idle_timeout_ms)) < 0 && errno == EINTR) {
  }
  if (ready < 0) return Status::FromErrno(errno, "poll");
  if (ready == 0) return false;
  if (fds[0].revents != 0) ReadStdout();
  if (fds[1].revents != 0) ReadStderr();
  // POLLERR on stdin: the command closed it; the next write says EPIPE.
  return true;
}

void StreamCommand::ReadStdout() {
  size_t old_size = output_.size();
  output_.resize(old_size + kReadBytes);
  ssize_t n;
  while ((n = ::read(process_->stdout_fd(), output_.data() + old_size, kReadBytes)) < 0 &&
         errno == EINTR) {
  }
  output_.resize(old_size + std::max<ssize_t>(n, 0));
  if (n == 0 || (n < 0 && errno != EAGAIN)) output_done_ = true;
}

void StreamCommand::ReadStderr() {
  char buf[8192];
  ssize_t n;
  while ((n = ::read(process_->stderr_fd(), buf, sizeof(buf))) < 0 && errno == EINTR) {
  }
  if (n == 0 || (n < 0 && errno != EAGAIN)) {
    stderr_done_ = true;
    return;
  }
  if (n < 0) return;
  // Through to ours: a task's stderr is its log.
  (void)!::write(STDERR_FILENO, buf, n);
  stderr_tail_.append(buf, n);
  if (stderr_tail_.size() > 2 * kStderrTailBytes) {
    stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
  }
}

Status StreamCommand::Failure(const std::string& what) const {
  std::string tail = stderr_tail_.size() > kStderrTailBytes
                         ? stderr_tail_.substr(stderr_tail_.size() - kStderrTailBytes)
                         : stderr_tail_;
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  return Status::Aborted("the " + role_ + " command '" + command_ + "' " + what +
                         (tail.empty() ? "" : "; its stderr ends:\n" + tail));
}

}  // namespace mr::streaming
