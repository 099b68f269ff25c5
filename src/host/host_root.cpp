#include "host_root.h"

#include "error.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vfioctl {

namespace {

// The default: every call is a path call on the root.
class PathDirectory : public HostDirectory {
public:
    PathDirectory(const HostRoot &host, std::string path) : host_(host), path_(std::move(path)) {}
    std::optional<std::string> readAttribute(const std::string &name) const override
    {
        return host_.read(joinPath(path_, name), 4096);
    }
    std::optional<std::string> readLink(const std::string &name) const override
    {
        return host_.readLink(joinPath(path_, name));
    }
    bool has(const std::string &name) const override
    {
        const std::string path = joinPath(path_, name);
        return host_.readLink(path) || host_.exists(path);
    }
    std::vector<std::string> list() const override { return host_.list(path_); }

private:
    const HostRoot &host_;
    std::string path_;
};

} // namespace

std::unique_ptr<HostDirectory> HostRoot::openDirectory(const std::string &path) const
{
    if (!exists(path))
        return nullptr;
    return std::make_unique<PathDirectory>(*this, path);
}

FileLock::~FileLock()
{
    if (fd_ >= 0)
        ::close(fd_); // closing the descriptor drops the flock
}

void FileLock::noteHolder(std::string_view text) noexcept
{
    if (fd_ < 0 || ::ftruncate(fd_, 0) != 0)
        return;
    ssize_t ignored = ::pwrite(fd_, text.data(), text.size(), 0);
    (void)ignored;
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

// Here rather than in directory_host_root.cpp, which holds the reads and the other writes.
std::optional<FileLock> DirectoryHostRoot::tryLockExclusive(const std::string &path)
{
    UniqueFd parent = openParent(path, "open lock");
    UniqueFd fd(::openat(parent.get(), baseName(path).c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && (errno == EROFS || errno == EACCES)) // a lock needs no write access; its holder note does
        fd = UniqueFd(::openat(parent.get(), baseName(path).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        throw Error("cannot open lock " + shown(path) + ": " + errnoText(errno), errno);
    struct stat info;
    if (::fstat(fd.get(), &info) != 0)
        throw Error("cannot open lock " + shown(path) + ": " + errnoText(errno), errno);
    if (!S_ISREG(info.st_mode) || info.st_nlink != 1)
        throw Error("refusing to use the lock " + shown(path) + ": it is not a regular file with one link", EPERM);
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return std::nullopt;
        if (errno != EINTR)
            throw Error("cannot lock " + shown(path) + ": " + errnoText(errno), errno);
    }
    return FileLock(fd.release());
}

} // namespace vfioctl
