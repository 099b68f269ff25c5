#include "host_root.h"

#include "error.h"
#include "unique_fd.h"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vfioctl {

namespace {

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

// The entries of an open directory stream, "." and ".." left out, sorted.
std::vector<std::string> sortedEntries(DIR *dir)
{
    std::vector<std::string> names;
    while (const dirent *entry = ::readdir(dir)) {
        std::string_view name = entry->d_name;
        if (name != "." && name != "..")
            names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

void fsyncDirectory(const std::string &physicalDir)
{
    UniqueFd dir(::open(physicalDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid() || ::fsync(dir.get()) != 0)
        throw Error("cannot sync directory " + physicalDir + ": " + errnoText(errno), errno);
}

// The default: every call is a path call on the root.
class PathDirectory : public HostDirectory {
public:
    PathDirectory(const HostRoot &host, std::string path) : host_(host), path_(std::move(path)) {}
    std::optional<std::string> readAttribute(const std::string &name) const override
    {
        return host_.read(joinPath(path_, name));
    }
    std::optional<std::string> readLink(const std::string &name) const override
    {
        return host_.readLink(joinPath(path_, name));
    }
    std::vector<std::string> list() const override { return host_.list(path_); }

private:
    const HostRoot &host_;
    std::string path_;
};

// An open directory descriptor: each attribute costs openat + one read + close, with no path walk.
class DescriptorDirectory : public HostDirectory {
public:
    explicit DescriptorDirectory(UniqueFd fd) : fd_(std::move(fd)) {}
    std::optional<std::string> readAttribute(const std::string &name) const override
    {
        UniqueFd file(::openat(fd_.get(), name.c_str(), O_RDONLY | O_CLOEXEC));
        if (!file.valid())
            return std::nullopt;
        char buffer[4096];
        ssize_t got;
        do
            got = ::read(file.get(), buffer, sizeof buffer);
        while (got < 0 && errno == EINTR);
        if (got < 0)
            return std::nullopt;
        return std::string(buffer, static_cast<size_t>(got));
    }
    std::optional<std::string> readLink(const std::string &name) const override
    {
        char buffer[4096];
        ssize_t got = ::readlinkat(fd_.get(), name.c_str(), buffer, sizeof buffer);
        if (got < 0 || static_cast<size_t>(got) >= sizeof buffer)
            return std::nullopt;
        return std::string(buffer, static_cast<size_t>(got));
    }
    std::vector<std::string> list() const override
    {
        int copy = ::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (copy < 0)
            return {};
        std::unique_ptr<DIR, int (*)(DIR *)> dir(::fdopendir(copy), ::closedir);
        if (!dir) {
            ::close(copy);
            return {};
        }
        return sortedEntries(dir.get());
    }

private:
    UniqueFd fd_;
};

} // namespace

std::unique_ptr<HostDirectory> HostRoot::openDirectory(const std::string &path) const
{
    if (!exists(path))
        return nullptr;
    return std::make_unique<PathDirectory>(*this, path);
}

std::unique_ptr<HostDirectory> DirectoryHostRoot::openDirectory(const std::string &path) const
{
    UniqueFd fd(::open(physical(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return nullptr;
    return std::make_unique<DescriptorDirectory>(std::move(fd));
}

FileLock::~FileLock()
{
    if (fd_ >= 0)
        ::close(fd_); // closing the descriptor drops the flock
}

std::string joinPath(std::string_view left, std::string_view right)
{
    std::string out(left);
    while (!out.empty() && out.back() == '/')
        out.pop_back();
    size_t skip = 0;
    while (skip < right.size() && right[skip] == '/')
        ++skip;
    out += '/';
    out += right.substr(skip);
    return out;
}

std::string baseName(std::string_view path)
{
    while (path.size() > 1 && path.back() == '/')
        path.remove_suffix(1);
    size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string dirName(std::string_view path)
{
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos)
        return ".";
    if (slash == 0)
        return "/";
    return std::string(path.substr(0, slash));
}

DirectoryHostRoot::DirectoryHostRoot(std::string base) : base_(std::move(base))
{
    while (!base_.empty() && base_.back() == '/')
        base_.pop_back();
}

std::string DirectoryHostRoot::physical(const std::string &path) const
{
    if (base_.empty())
        return path;
    return joinPath(base_, path);
}

std::optional<std::string> DirectoryHostRoot::read(const std::string &path) const
{
    UniqueFd fd(::open(physical(path).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return std::nullopt;
    std::string data;
    char buffer[4096];
    for (;;) {
        ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return std::nullopt;
        }
        if (got == 0)
            break;
        data.append(buffer, static_cast<size_t>(got));
    }
    return data;
}

void DirectoryHostRoot::write(const std::string &path, std::string_view data)
{
    UniqueFd fd(::open(physical(path).c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd.valid())
        throw Error("cannot open " + path + ": " + errnoText(errno), errno);
    ssize_t wrote = ::write(fd.get(), data.data(), data.size());
    if (wrote < 0)
        throw Error("cannot write '" + std::string(data) + "' to " + path + ": " + errnoText(errno), errno);
    if (static_cast<size_t>(wrote) != data.size())
        throw Error("short write to " + path, EIO);
    if (fd.close() != 0)
        throw Error("cannot write '" + std::string(data) + "' to " + path + ": " + errnoText(errno), errno);
}

std::optional<std::string> DirectoryHostRoot::readLink(const std::string &path) const
{
    char buffer[4096];
    ssize_t got = ::readlink(physical(path).c_str(), buffer, sizeof buffer);
    if (got < 0 || static_cast<size_t>(got) >= sizeof buffer)
        return std::nullopt;
    return std::string(buffer, static_cast<size_t>(got));
}

std::vector<std::string> DirectoryHostRoot::list(const std::string &path) const
{
    std::unique_ptr<DIR, int (*)(DIR *)> dir(::opendir(physical(path).c_str()), ::closedir);
    if (!dir)
        return {};
    return sortedEntries(dir.get());
}

bool DirectoryHostRoot::exists(const std::string &path) const
{
    struct stat info;
    return ::stat(physical(path).c_str(), &info) == 0;
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
            throw Error("too many levels of symbolic links resolving " + path, ELOOP);
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
        built += "/" + part;
        if (::mkdir(physical(built).c_str(), mode) != 0 && errno != EEXIST)
            throw Error("cannot create directory " + built + ": " + errnoText(errno), errno);
    }
    if (::chmod(physical(path).c_str(), mode) != 0)
        throw Error("cannot set the mode of " + path + ": " + errnoText(errno), errno);
}

void DirectoryHostRoot::replaceAtomically(const std::string &path, std::string_view data, unsigned mode)
{
    const std::string target = physical(path);
    const std::string temporary = target + ".tmp." + std::to_string(::getpid());
    {
        UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd.valid())
            throw Error("cannot create " + temporary + ": " + errnoText(errno), errno);
        size_t written = 0;
        while (written < data.size()) {
            ssize_t wrote = ::write(fd.get(), data.data() + written, data.size() - written);
            if (wrote < 0 && errno == EINTR)
                continue;
            if (wrote < 0) {
                int saved = errno;
                ::unlink(temporary.c_str());
                throw Error("cannot write " + temporary + ": " + errnoText(saved), saved);
            }
            written += static_cast<size_t>(wrote);
        }
        if (::fsync(fd.get()) != 0 || fd.close() != 0) {
            int saved = errno;
            ::unlink(temporary.c_str());
            throw Error("cannot sync " + temporary + ": " + errnoText(saved), saved);
        }
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
        int saved = errno;
        ::unlink(temporary.c_str());
        throw Error("cannot replace " + path + ": " + errnoText(saved), saved);
    }
    fsyncDirectory(dirName(target));
}

void DirectoryHostRoot::remove(const std::string &path)
{
    if (::unlink(physical(path).c_str()) != 0 && errno != ENOENT)
        throw Error("cannot remove " + path + ": " + errnoText(errno), errno);
    fsyncDirectory(dirName(physical(path)));
}

FileLock DirectoryHostRoot::lockExclusive(const std::string &path)
{
    UniqueFd fd(::open(physical(path).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid())
        throw Error("cannot open lock " + path + ": " + errnoText(errno), errno);
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR)
            throw Error("cannot lock " + path + ": " + errnoText(errno), errno);
    }
    return FileLock(fd.release());
}

} // namespace vfioctl
