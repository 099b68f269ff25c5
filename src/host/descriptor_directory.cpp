// A HostDirectory on an open descriptor: the cheap way to read many entries of one directory, on the live host and
// in a captured tree alike.
#include "descriptor_directory.h"

#include "error.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace vfioctl {

bool meansAbsent(int error)
{
    return error == ENOENT || error == ENOTDIR;
}

std::vector<std::string> directoryEntries(int fd, const std::string &shown)
{
    std::vector<std::string> names;
    alignas(8) char buffer[32768];
    for (;;) {
        long got = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throw Error("cannot list " + shown + ": " + errnoText(errno), errno);
        if (got == 0)
            break;
        for (long at = 0; at < got;) {
            const auto *entry = reinterpret_cast<const dirent64 *>(buffer + at);
            std::string_view name = entry->d_name;
            if (name != "." && name != "..")
                names.emplace_back(name);
            at += entry->d_reclen;
        }
    }
    return names;
}

namespace {

// A name that is one entry of its directory: no "/", not "." or "..".
bool isSingleEntry(const std::string &name)
{
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

// An open directory descriptor: each attribute costs openat + one read + close, with no path walk, and a listing
// is getdents64 on the descriptor itself. Names are single entries opened with O_NOFOLLOW, so the one component
// resolved can neither climb out of the directory nor follow a link: confinement in a captured tree costs nothing
// more than a plain openat on the live host.
class DescriptorDirectory : public HostDirectory {
public:
    DescriptorDirectory(UniqueFd fd, std::string shown) : fd_(std::move(fd)), shown_(std::move(shown)) {}
    std::optional<std::string> readAttribute(const std::string &name) const override
    {
        // O_NONBLOCK: a FIFO planted in a tree must not block us.
        constexpr int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC;
        UniqueFd file(::openat(fd_.get(), checked(name).c_str(), flags));
        if (!file.valid()) {
            if (meansAbsent(errno))
                return std::nullopt;
            throw Error("cannot read " + joinPath(shown_, name) + ": " + errnoText(errno), errno);
        }
        char buffer[4096];
        ssize_t got;
        do
            got = ::read(file.get(), buffer, sizeof buffer);
        while (got < 0 && errno == EINTR);
        if (got < 0)
            throw Error("cannot read " + joinPath(shown_, name) + ": " + errnoText(errno), errno);
        return std::string(buffer, static_cast<size_t>(got));
    }
    std::optional<std::string> readLink(const std::string &name) const override
    {
        char buffer[4096];
        ssize_t got = ::readlinkat(fd_.get(), checked(name).c_str(), buffer, sizeof buffer);
        if (got < 0 && (meansAbsent(errno) || errno == EINVAL))
            return std::nullopt;
        if (got < 0 || static_cast<size_t>(got) >= sizeof buffer)
            throw Error("cannot read the link " + joinPath(shown_, name), got < 0 ? errno : ENAMETOOLONG);
        return std::string(buffer, static_cast<size_t>(got));
    }
    bool has(const std::string &name) const override
    {
        struct stat status;
        if (::fstatat(fd_.get(), checked(name).c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0)
            return true;
        if (meansAbsent(errno))
            return false;
        throw Error("cannot look up " + joinPath(shown_, name) + ": " + errnoText(errno), errno);
    }
    std::vector<std::string> list() const override
    {
        // The descriptor's own offset: a second listing starts again from the top.
        if (listed_ && ::lseek(fd_.get(), 0, SEEK_SET) != 0)
            throw Error("cannot list " + shown_ + ": " + errnoText(errno), errno);
        listed_ = true;
        return directoryEntries(fd_.get(), shown_);
    }

private:
    const std::string &checked(const std::string &name) const
    {
        if (!isSingleEntry(name))
            throw Error("'" + name + "' is not an entry of " + shown_, EINVAL);
        return name;
    }

    UniqueFd fd_;
    std::string shown_;
    mutable bool listed_ = false; // one directory is used by one thread at a time
};

} // namespace

std::unique_ptr<HostDirectory> openedDirectory(UniqueFd fd, std::string shown)
{
    return std::make_unique<DescriptorDirectory>(std::move(fd), std::move(shown));
}

} // namespace vfioctl
