// The seam through which every read and write of the host (/sys, /proc, /dev, /run, /lib/modules) passes.
#pragma once

#include "unique_fd.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// Held while a lock file is locked; unlocks and closes on destruction.
class FileLock {
public:
    explicit FileLock(int fd) : fd_(fd) {}
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;
    FileLock(FileLock &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    ~FileLock();
    // Writes who holds it into the lock file, for whoever waits on it to name; best effort (a full /run must not
    // stop the work the lock protects).
    void noteHolder(std::string_view text) noexcept;

private:
    int fd_;
};

// One directory of the host, opened once, so that reading many attributes of one device does not walk its path
// each time. Names are single entries of that directory, never paths.
class HostDirectory {
public:
    virtual ~HostDirectory() = default;
    // A sysfs-style attribute: the whole file, at most one page (sysfs hands an attribute over in one read).
    // Nothing when it does not exist; Error for any other failure.
    virtual std::optional<std::string> readAttribute(const std::string &name) const = 0;
    virtual std::optional<std::string> readLink(const std::string &name) const = 0;
    // Whether the directory has an entry by that name, of any kind (a link is not followed).
    virtual bool has(const std::string &name) const = 0;
    // Entry names in no particular order (a scan that needs one sorts; sorting every device's forty entries
    // would not be free).
    virtual std::vector<std::string> list() const = 0;
};

// What a path is, its link at the end not followed: for state we only trust when it is ours alone.
struct PathFacts {
    enum class Kind { Directory, Regular, Link, Other };
    Kind kind = Kind::Other;
    unsigned owner = 0; // uid
    unsigned mode = 0;  // permission bits (07777)
};

// Paths given to a HostRoot are absolute host paths ("/sys/bus/pci/devices"); an implementation maps them onto
// the real root, a captured tree or a simulated kernel.
class HostRoot {
public:
    virtual ~HostRoot() = default;

    // Reads are bounded: nothing we read is legitimately larger (a 300 MB "journal" is an attack, not a journal).
    static constexpr size_t defaultReadLimit = 64 << 20;

    // The file's contents, or nothing when it does not exist (ENOENT, ENOTDIR). Anything else is an Error naming
    // the path: unreadable (EACCES, EIO), not a regular file (a FIFO never blocks us), larger than `limit`.
    virtual std::optional<std::string> read(const std::string &path, size_t limit = defaultReadLimit) const = 0;
    // Writes as sysfs expects (one write, no truncation games); throws Error carrying the errno text.
    virtual void write(const std::string &path, std::string_view data) = 0;
    // The link's target; nothing when there is no such entry or it is not a link.
    virtual std::optional<std::string> readLink(const std::string &path) const = 0;
    // Entry names in a directory, sorted; empty when it does not exist, Error when it cannot be read.
    virtual std::vector<std::string> list(const std::string &path) const = 0;
    virtual bool exists(const std::string &path) const = 0;
    // The path with every symlink resolved, still as a host path ("/sys/devices/pci0000:00/...").
    virtual std::string canonical(const std::string &path) const = 0;

    // For our own state under /run: directories, atomic replacement, removal and locks.
    virtual void makeDirectories(const std::string &path, unsigned mode) = 0;
    virtual void replaceAtomically(const std::string &path, std::string_view data, unsigned mode) = 0;
    virtual void remove(const std::string &path) = 0;
    // Removes whatever is at `path`: a file, a link (never followed) or a directory with everything below it.
    // Nothing for a path that does not exist; Error naming the first entry that could not be removed.
    virtual void removeAll(const std::string &path) = 0;
    // Renames within one directory (setting a file aside); Error if `to` exists.
    virtual void rename(const std::string &from, const std::string &to) = 0;
    // The lock, or nothing at once when another holds it (the caller bounds its own wait). The lock file must be a
    // regular file with one link: a link planted at its name is refused, never written through.
    virtual std::optional<FileLock> tryLockExclusive(const std::string &path) = 0;
    // Nothing when the path does not exist (ENOENT, ENOTDIR); "/" is the root itself (a tree's own directory).
    virtual std::optional<PathFacts> factsOf(const std::string &path) const = 0;
    // Sets the permission bits of a directory or regular file; a link is refused, never followed.
    virtual void setMode(const std::string &path, unsigned mode) = 0;
    // The path as the user finds it: under the root for a captured tree ("/tmp/tree/run/vfioctl/..."), for messages.
    virtual std::string shown(const std::string &path) const { return path; }

    // Nothing when the directory does not exist. This default goes through the path calls above (fakes and the
    // simulated kernel need nothing more); DirectoryHostRoot opens the directory once.
    virtual std::unique_ptr<HostDirectory> openDirectory(const std::string &path) const;
};

// A HostRoot on a directory of the real filesystem: "/" in production, a fake tree in tests and --root. Under any
// root but "/", every path resolves inside the root (openat2 RESOLVE_IN_ROOT): absolute links and ".." stop at the
// root, so nothing a captured tree holds can make us read or write this host. The live host needs no such
// resolution and uses plain open(2). An opened directory reads single entries with O_NOFOLLOW, which is as cheap
// on both and cannot leave the directory (tests/unit/host/test_tree_confinement.cpp).
class DirectoryHostRoot : public HostRoot {
public:
    // Throws Error when `base` is not a directory that can be opened.
    explicit DirectoryHostRoot(std::string base);

    std::optional<std::string> read(const std::string &path, size_t limit = defaultReadLimit) const override;
    void write(const std::string &path, std::string_view data) override;
    std::optional<std::string> readLink(const std::string &path) const override;
    std::vector<std::string> list(const std::string &path) const override;
    bool exists(const std::string &path) const override;
    std::string canonical(const std::string &path) const override;
    void makeDirectories(const std::string &path, unsigned mode) override;
    void replaceAtomically(const std::string &path, std::string_view data, unsigned mode) override;
    void remove(const std::string &path) override;
    void removeAll(const std::string &path) override;
    void rename(const std::string &from, const std::string &to) override;
    std::optional<FileLock> tryLockExclusive(const std::string &path) override;
    std::optional<PathFacts> factsOf(const std::string &path) const override;
    void setMode(const std::string &path, unsigned mode) override;
    std::unique_ptr<HostDirectory> openDirectory(const std::string &path) const override;

    std::string shown(const std::string &path) const override;

private:
    // open(2) of a host path, resolved inside the root; -1 with errno on failure.
    int openInside(const std::string &path, int flags, unsigned mode = 0) const;
    // The directory holding `path`, opened for *at() calls on its last component.
    UniqueFd openParent(const std::string &path, const char *doing) const;

    std::string base_; // without trailing slash; empty for "/"
    UniqueFd root_;    // the base directory (O_PATH); not open for "/"
};

// Joins host path pieces with exactly one slash between them.
std::string joinPath(std::string_view left, std::string_view right);
std::string baseName(std::string_view path);
std::string dirName(std::string_view path);

} // namespace vfioctl
