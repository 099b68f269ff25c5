#include "hook_arguments.h"

#include "error.h"

#include <algorithm>

namespace vfioctl::hook {

namespace {

// Operations are short words of printable ASCII; anything else is not libvirt calling us.
bool plausibleWord(const std::string &word)
{
    return !word.empty() && word.size() <= 64 &&
           std::none_of(word.begin(), word.end(), [](unsigned char c) { return c <= 0x20 || c >= 0x7f; });
}

} // namespace

HookArguments parseHookArguments(const std::vector<std::string> &words)
{
    if (words.size() < 3 || words.size() > 4)
        throw Error("usage: vfioctl-qemu-hook VM OPERATION SUB-OPERATION [EXTRA] with the domain XML on stdin; "
                    "libvirt runs it from /etc/libvirt/hooks/qemu.d/",
                    EINVAL);
    // The VM name is only shown (identity is the UUID in the domain XML, never a file name): any name libvirt
    // accepts is taken, up to a bound no libvirt name reaches.
    if (words[0].empty() || words[0].size() > 4096)
        throw Error("invalid hook argument 1: expected a VM name", EINVAL);
    for (size_t i = 1; i < 3; ++i)
        if (!plausibleWord(words[i]))
            throw Error("invalid hook argument " + std::to_string(i + 1) +
                            ": expected a VM name, an operation and a sub-operation",
                        EINVAL);
    return {words[0], words[1], words[2], words.size() == 4 ? words[3] : std::string()};
}

} // namespace vfioctl::hook
