// DirectoryHostRoot: the real filesystem, "/" or a tree confined to its directory.
#include "host_root.h"

#include "descriptor_directory.h"
#include "error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace vfioctl {

namespace {

// Different in every call and every process, for temporary names (collisions are retried, so no more is needed).
uint64_t randomSuffix()
{
    static std::atomic<uint64_t> counter{0};
    const auto now = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return (now * 0x9E3779B97F4A7C15ull) ^ (counter++ << 1);
}

// openat2(2); EAGAIN means a rename elsewhere in the tree raced its ".." check, and the man page says to retry.
int openat2(int directory, const char *path, int flags, unsigned mode, uint64_t resolve)
{
    open_how how{};
    how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
    how.mode = mode;
    how.resolve = resolve | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
        int fd = static_cast<int>(::syscall(SYS_openat2, directory, path, &how, sizeof how));
        if (fd >= 0 || errno != EAGAIN || attempt == 1000)
            return fd;
    }
}

std::deque<std::string> splitPath(std::string_view path)
{
    std::deque<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        if (end > start)
            parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string joinParts(const std::vector<std::string> &parts)
{
    std::string out;
    for (const auto &part : parts)
        out += "/" + part;
    return out.empty() ? "/" : out;
}

// Reads at most `limit` bytes from a descriptor; Error past it.
std::string readBounded(int fd, size_t limit, const std::string &shown)
{
    std::string data;
    char buffer[65536];
    for (;;) {
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throw Error("cannot read " + shown + ": " + errnoText(errno), errno);
        if (got == 0)
            return data;
        if (data.size() + static_cast<size_t>(got) > limit)
            throw Error(shown + " is larger than " + std::to_string(limit) + " bytes; refusing to read it", EFBIG);
        data.append(buffer, static_cast<size_t>(got));
    }
}

} // namespace

DirectoryHostRoot::DirectoryHostRoot(std::string base) : base_(std::move(base))
{
    while (!base_.empty() && base_.back() == '/')
        base_.pop_back();
    if (base_.empty())
        return;
    root_ = UniqueFd(::open(base_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_.valid())
        throw Error("cannot open the root " + base_ + ": " + errnoText(errno), errno);
}

std::string DirectoryHostRoot::shown(const std::string &path) const
{
    return base_.empty() ? path : joinPath(base_, path);
}

int DirectoryHostRoot::openInside(const std::string &path, int flags, unsigned mode) const
{
    if (!root_.valid())
        return ::open(path.c_str(), flags | O_CLOEXEC, mode);
    return openat2(root_.get(), path.c_str(), flags, mode, RESOLVE_IN_ROOT);
}

UniqueFd DirectoryHostRoot::openParent(const std::string &path, const char *doing) const
{
    UniqueFd parent(openInside(dirName(path), O_RDONLY | O_DIRECTORY));
    if (!parent.valid())
        throw Error(std::string("cannot ") + doing + " " + shown(path) + ": " + errnoText(errno), errno);
    return parent;
}

std::unique_ptr<HostDirectory> DirectoryHostRoot::openDirectory(const std::string &path) const
{
    UniqueFd fd(openInside(path, O_RDONLY | O_DIRECTORY));
    if (!fd.valid()) {
        if (meansAbsent(errno))
            return nullptr;
        throw Error("cannot open " + shown(path) + ": " + errnoText(errno), errno);
    }
    return openedDirectory(std::move(fd), shown(path));
}

std::optional<std::string> DirectoryHostRoot::read(const std::string &path, size_t limit) const
{
    UniqueFd fd(openInside(path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
    if (!fd.valid()) {
        if (meansAbsent(errno))
            return std::nullopt;
        throw Error("cannot read " + shown(path) + ": " + errnoText(errno), errno);
    }
    struct stat info;
    if (::fstat(fd.get(), &info) != 0)
        throw Error("cannot read " + shown(path) + ": " + errnoText(errno), errno);
    if (!S_ISREG(info.st_mode))
        throw Error(shown(path) + " is not a regular file; refusing to read it", EINVAL);
    return readBounded(fd.get(), limit, shown(path));
}

void DirectoryHostRoot::write(const std::string &path, std::string_view data)
{
    UniqueFd fd(openInside(path, O_WRONLY | O_TRUNC));
    if (!fd.valid())
        throw Error("cannot open " + shown(path) + ": " + errnoText(errno), errno);
    ssize_t wrote = ::write(fd.get(), data.data(), data.size());
    if (wrote < 0)
        throw Error("cannot write '" + std::string(data) + "' to " + shown(path) + ": " + errnoText(errno), errno);
    if (static_cast<size_t>(wrote) != data.size())
        throw Error("short write to " + shown(path), EIO);
    if (fd.close() != 0)
        throw Error("cannot write '" + std::string(data) + "' to " + shown(path) + ": " + errnoText(errno), errno);
}

std::optional<std::string> DirectoryHostRoot::readLink(const std::string &path) const
{
    char buffer[4096];
    ssize_t got;
    if (!root_.valid()) {
        got = ::readlink(path.c_str(), buffer, sizeof buffer);
    } else {
        UniqueFd parent(openInside(dirName(path), O_PATH | O_DIRECTORY));
        if (!parent.valid() && meansAbsent(errno))
            return std::nullopt;
        if (!parent.valid())
            throw Error("cannot read the link " + shown(path) + ": " + errnoText(errno), errno);
        got = ::readlinkat(parent.get(), baseName(path).c_str(), buffer, sizeof buffer);
    }
    if (got < 0 && (meansAbsent(errno) || errno == EINVAL)) // EINVAL: not a link
        return std::nullopt;
    if (got < 0 || static_cast<size_t>(got) >= sizeof buffer)
        throw Error("cannot read the link " + shown(path), got < 0 ? errno : ENAMETOOLONG);
    return std::string(buffer, static_cast<size_t>(got));
}

std::vector<std::string> DirectoryHostRoot::list(const std::string &path) const
{
    UniqueFd fd(openInside(path, O_RDONLY | O_DIRECTORY));
    if (!fd.valid()) {
        if (meansAbsent(errno))
            return {};
        throw Error("cannot list " + shown(path) + ": " + errnoText(errno), errno);
    }
    auto names = directoryEntries(fd.get(), shown(path));
    std::sort(names.begin(), names.end());
    return names;
}

bool DirectoryHostRoot::exists(const std::string &path) const
{
    UniqueFd fd(openInside(path, O_PATH));
    if (fd.valid())
        return true;
    if (meansAbsent(errno))
        return false;
    throw Error("cannot look up " + shown(path) + ": " + errnoText(errno), errno);
}

std::string DirectoryHostRoot::canonical(const std::string &path) const
{
    // Resolved by hand rather than realpath(3) so that absolute links stay inside a fake root.
    std::vector<std::string> done;
    std::deque<std::string> todo = splitPath(path);
    int hops = 0;
    while (!todo.empty()) {
        std::string part = std::move(todo.front());
        todo.pop_front();
        if (part == ".")
            continue;
        if (part == "..") {
            if (!done.empty())
                done.pop_back();
            continue;
        }
        done.push_back(part);
        auto target = readLink(joinParts(done));
        if (!target)
            continue;
        if (++hops > 40)
            throw Error("too many levels of symbolic links resolving " + shown(path), ELOOP);
        done.pop_back();
        if (!target->empty() && target->front() == '/')
            done.clear();
        auto parts = splitPath(*target);
        todo.insert(todo.begin(), parts.begin(), parts.end());
    }
    return joinParts(done);
}

void DirectoryHostRoot::makeDirectories(const std::string &path, unsigned mode)
{
    std::string built;
    for (const auto &part : splitPath(path)) {
        UniqueFd parent = openParent(built + "/" + part, "create directory");
        built += "/" + part;
        if (::mkdirat(parent.get(), part.c_str(), mode) != 0 && errno != EEXIST)
            throw Error("cannot create directory " + shown(built) + ": " + errnoText(errno), errno);
    }
    UniqueFd made(openInside(path, O_RDONLY | O_DIRECTORY));
    if (!made.valid() || ::fchmod(made.get(), mode) != 0)
        throw Error("cannot set the mode of " + shown(path) + ": " + errnoText(errno), errno);
}

void DirectoryHostRoot::replaceAtomically(const std::string &path, std::string_view data, unsigned mode)
{
    UniqueFd parent = openParent(path, "replace");
    const std::string name = baseName(path);
    // A fresh name, created with O_EXCL: nothing planted at it (a hard link, a symlink) is ever written through.
    std::string temporary;
    UniqueFd fd;
    for (int attempt = 0; !fd.valid(); ++attempt) {
        temporary = name + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(randomSuffix());
        fd = UniqueFd(
            ::openat(parent.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (!fd.valid() && (errno != EEXIST || attempt == 100))
            throw Error("cannot create " + shown(dirName(path) + "/" + temporary) + ": " + errnoText(errno), errno);
    }
    auto fail = [&](const std::string &what) {
        int saved = errno;
        ::unlinkat(parent.get(), temporary.c_str(), 0);
        throw Error(what + ": " + errnoText(saved), saved);
    };
    {
        size_t written = 0;
        while (written < data.size()) {
            ssize_t wrote = ::write(fd.get(), data.data() + written, data.size() - written);
            if (wrote < 0 && errno == EINTR)
                continue;
            if (wrote < 0)
                fail("cannot write " + shown(path));
            written += static_cast<size_t>(wrote);
        }
        if (::fsync(fd.get()) != 0 || fd.close() != 0)
            fail("cannot sync " + shown(path));
    }
    if (::renameat(parent.get(), temporary.c_str(), parent.get(), name.c_str()) != 0)
        fail("cannot replace " + shown(path));
    if (::fsync(parent.get()) != 0)
        throw Error("cannot sync directory " + shown(dirName(path)) + ": " + errnoText(errno), errno);
}

void DirectoryHostRoot::remove(const std::string &path)
{
    UniqueFd parent = openParent(path, "remove");
    if (::unlinkat(parent.get(), baseName(path).c_str(), 0) != 0) {
        if (errno == ENOENT)
            return; // nothing changed, nothing to sync
        throw Error("cannot remove " + shown(path) + ": " + errnoText(errno), errno);
    }
    if (::fsync(parent.get()) != 0)
        throw Error("cannot sync directory " + shown(dirName(path)) + ": " + errnoText(errno), errno);
}

namespace {

// Empties the directory open at `fd` (each entry unlinked through it, so no link below is ever followed), depth
// first; `shown` names it in errors.
void removeBelow(int fd, const std::string &shown)
{
    UniqueFd listing(::dup(fd));
    DIR *directory = listing.valid() ? ::fdopendir(listing.get()) : nullptr;
    if (!directory)
        throw Error("cannot read directory " + shown + ": " + errnoText(errno), errno);
    listing.release();
    std::vector<std::string> names;
    while (const dirent *entry = ::readdir(directory))
        if (std::string_view(entry->d_name) != "." && std::string_view(entry->d_name) != "..")
            names.emplace_back(entry->d_name);
    ::closedir(directory);
    for (const auto &name : names) {
        if (::unlinkat(fd, name.c_str(), 0) == 0 || errno == ENOENT)
            continue;
        if (errno != EISDIR && errno != EPERM)
            throw Error("cannot remove " + shown + "/" + name + ": " + errnoText(errno), errno);
        UniqueFd below(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!below.valid())
            throw Error("cannot open " + shown + "/" + name + ": " + errnoText(errno), errno);
        removeBelow(below.get(), shown + "/" + name);
        if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0)
            throw Error("cannot remove " + shown + "/" + name + ": " + errnoText(errno), errno);
    }
}

} // namespace

void DirectoryHostRoot::removeAll(const std::string &path)
{
    UniqueFd parent = openParent(path, "remove");
    const std::string name = baseName(path);
    if (::unlinkat(parent.get(), name.c_str(), 0) != 0) {
        if (errno == ENOENT)
            return;
        if (errno != EISDIR && errno != EPERM)
            throw Error("cannot remove " + shown(path) + ": " + errnoText(errno), errno);
        UniqueFd directory(::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!directory.valid())
            throw Error("cannot open " + shown(path) + ": " + errnoText(errno), errno);
        removeBelow(directory.get(), shown(path));
        if (::unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR) != 0)
            throw Error("cannot remove " + shown(path) + ": " + errnoText(errno), errno);
    }
    if (::fsync(parent.get()) != 0)
        throw Error("cannot sync directory " + shown(dirName(path)) + ": " + errnoText(errno), errno);
}

void DirectoryHostRoot::rename(const std::string &from, const std::string &to)
{
    if (dirName(from) != dirName(to))
        throw Error("cannot rename " + shown(from) + " to another directory", EXDEV);
    UniqueFd parent = openParent(from, "rename");
    if (::renameat2(parent.get(), baseName(from).c_str(), parent.get(), baseName(to).c_str(), RENAME_NOREPLACE) != 0)
        throw Error("cannot rename " + shown(from) + " to " + shown(to) + ": " + errnoText(errno), errno);
    if (::fsync(parent.get()) != 0)
        throw Error("cannot sync directory " + shown(dirName(from)) + ": " + errnoText(errno), errno);
}

std::optional<PathFacts> DirectoryHostRoot::factsOf(const std::string &path) const
{
    UniqueFd fd(path == "/" && base_.empty() ? ::open("/", O_PATH | O_CLOEXEC) : openInside(path, O_PATH | O_NOFOLLOW));
    struct stat facts{};
    if (!fd.valid() || ::fstat(fd.get(), &facts) != 0) {
        if (meansAbsent(errno))
            return std::nullopt;
        throw Error("cannot read what " + shown(path) + " is: " + errnoText(errno), errno);
    }
    const auto type = facts.st_mode & S_IFMT;
    return PathFacts{type == S_IFDIR   ? PathFacts::Kind::Directory
                     : type == S_IFREG ? PathFacts::Kind::Regular
                     : type == S_IFLNK ? PathFacts::Kind::Link
                                       : PathFacts::Kind::Other,
                     facts.st_uid, static_cast<unsigned>(facts.st_mode & 07777)};
}

void DirectoryHostRoot::setMode(const std::string &path, unsigned mode)
{
    // Opened without following a link and without blocking on a FIFO; fchmod on what was opened.
    UniqueFd fd(openInside(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (!fd.valid() || ::fchmod(fd.get(), mode) != 0)
        throw Error("cannot set the mode of " + shown(path) + ": " + errnoText(errno), errno);
}

} // namespace vfioctl
