#include "hook_arguments.h"

#include "error.h"

#include <algorithm>

namespace vfioctl::hook {

namespace {

// libvirt VM names are at most a few hundred bytes of printable text; anything else is not libvirt calling us.
bool plausibleWord(const std::string &word)
{
    return !word.empty() && word.size() <= 1024 &&
           std::none_of(word.begin(), word.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

} // namespace

HookArguments parseHookArguments(const std::vector<std::string> &words)
{
    if (words.size() < 3 || words.size() > 4)
        throw Error("usage: vfioctl-qemu-hook VM OPERATION SUB-OPERATION [EXTRA] with the domain XML on stdin; "
                    "libvirt runs it from /etc/libvirt/hooks/qemu.d/",
                    EINVAL);
    for (size_t i = 0; i < 3; ++i)
        if (!plausibleWord(words[i]))
            throw Error("invalid hook argument " + std::to_string(i + 1) +
                            ": expected a VM name, an operation and a sub-operation",
                        EINVAL);
    // VM names become journal file names; the journal percent-encodes them, but '/' has no place in a name at all.
    if (words[0].find('/') != std::string::npos || words[0] == "." || words[0] == "..")
        throw Error("invalid VM name '" + words[0] + "'", EINVAL);
    return {words[0], words[1], words[2], words.size() == 4 ? words[3] : std::string()};
}

} // namespace vfioctl::hook
