#include "state_directory.h"

#include "error.h"
#include "sysfs_value.h"

namespace vfioctl {

namespace {

constexpr unsigned othersMayWrite = 0022;

unsigned rootOwner(const HostRoot &host)
{
    auto root = host.factsOf("/");
    return root ? root->owner : 0;
}

std::string kindText(PathFacts::Kind kind)
{
    switch (kind) {
    case PathFacts::Kind::Regular: return "a regular file";
    case PathFacts::Kind::Link: return "a symbolic link";
    case PathFacts::Kind::Directory: return "a directory";
    case PathFacts::Kind::Other: return "a special file";
    }
    return "something else";
}

// A directory that is not one, or is another user's: the one sentence of the refusal.
[[noreturn]] void refuse(const HostRoot &host, const std::string &path, const std::string &what)
{
    throw Error("vfioctl's state directory " + host.shown(path) + " is " + what +
                    ", so what it records cannot be trusted; move it away (it may hide what a VM holds: read it "
                    "first), then run the command again",
                EPERM);
}

} // namespace

void secureStateDirectory(HostRoot &host, const std::string &path, unsigned mode)
{
    auto facts = host.factsOf(path);
    if (!facts) {
        host.makeDirectories(path, mode);
        facts = host.factsOf(path);
    }
    if (!facts || facts->kind != PathFacts::Kind::Directory)
        refuse(host, path, facts ? kindText(facts->kind) + ", not a directory" : "missing");
    if (facts->owner != rootOwner(host))
        refuse(host, path,
               "owned by uid " + std::to_string(facts->owner) + ", not by uid " + std::to_string(rootOwner(host)));
    if (facts->mode & othersMayWrite)
        host.setMode(path, mode);
}

bool stateDirectoryExists(const HostRoot &host, const std::string &path)
{
    auto facts = host.factsOf(path);
    if (facts && facts->kind != PathFacts::Kind::Directory)
        throw Error("vfioctl's state directory " + host.shown(path) + " is " + kindText(facts->kind) +
                        ", not a directory, so what is held cannot be read; move it away, then run 'vfioctl status' "
                        "again",
                    ENOTDIR);
    return facts.has_value();
}

std::optional<std::string> untrustedStateFile(const HostRoot &host, const std::string &path)
{
    auto facts = host.factsOf(path);
    if (!facts)
        return std::nullopt; // gone meanwhile: the read that follows says so
    if (facts->kind != PathFacts::Kind::Regular)
        return "it is " + kindText(facts->kind) + ", not a regular file";
    if (facts->owner != rootOwner(host))
        return "it belongs to uid " + std::to_string(facts->owner) + ", not to uid " + std::to_string(rootOwner(host));
    if (facts->mode & othersMayWrite)
        return "group or others may write it";
    return std::nullopt;
}

void removeAbandonedTemporaries(HostRoot &host, const std::string &directory, const ProcessTable &processes)
{
    for (const auto &name : host.list(directory)) {
        const size_t mark = name.rfind(".tmp.");
        if (mark == std::string::npos)
            continue;
        const std::string_view rest = std::string_view(name).substr(mark + 5); // "PID.N"
        const size_t dot = rest.find('.');
        const auto pid =
            dot == std::string_view::npos ? std::nullopt : parseDecimalInRange(rest.substr(0, dot), 1, INT32_MAX);
        if (!pid || !parseDecimal(rest.substr(dot + 1)) || !processes.commandName(*pid).empty())
            continue;
        try {
            host.remove(joinPath(directory, name));
        } catch (const Error &) {
        }
    }
}

} // namespace vfioctl
