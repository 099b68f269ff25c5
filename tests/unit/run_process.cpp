#include "run_process.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace vfioctl::testing {

namespace {

struct Child {
    pid_t pid;
    int in, out, err; // our ends of its stdin, stdout and stderr
};

Child spawnChild(const std::vector<std::string> &argv)
{
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char *> args;
    for (const auto &arg : argv)
        args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (spawned != 0)
        throw std::runtime_error("cannot run " + argv[0]);
    return {pid, in[1], out[0], err[0]};
}

// Feeds stdin and drains both outputs together so neither side blocks on a full pipe.
void exchange(Child &child, const std::string &input, ProcessResult &result)
{
    size_t written = 0;
    if (input.empty()) {
        close(child.in);
        child.in = -1;
    }
    pollfd fds[3] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}, {child.in, POLLOUT, 0}};
    int open = 2;
    while (open > 0 || fds[2].fd >= 0) {
        if (poll(fds, 3, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP))) {
                char buffer[4096];
                ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
                if (got <= 0) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    --open;
                } else {
                    (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(got));
                }
            }
        }
        if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t wrote = write(fds[2].fd, input.data() + written, input.size() - written);
            if (wrote > 0)
                written += static_cast<size_t>(wrote);
            if (wrote <= 0 || written == input.size()) {
                close(fds[2].fd);
                fds[2].fd = -1;
            }
        }
    }
}

} // namespace

ProcessResult runProcess(const std::vector<std::string> &argv, const std::string &input)
{
    // A child that exits before reading all its input (as it may on purpose) must not kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    Child child = spawnChild(argv);
    ProcessResult result;
    exchange(child, input, result);
    int status = 0;
    waitpid(child.pid, &status, 0);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

} // namespace vfioctl::testing
