// The command line libvirt gives a qemu hook: VM OPERATION SUB-OPERATION EXTRA.
#pragma once

#include <string>
#include <vector>

namespace vfioctl::hook {

struct HookArguments {
    std::string vm;
    std::string operation;    // prepare, start, started, stopped, release, migrate, restore, reconnect, attach
    std::string subOperation; // begin, end, -
    std::string extra;

    bool is(const char *op, const char *sub) const { return operation == op && subOperation == sub; }
};

// Throws Error for anything but the four words libvirt passes (EXTRA may be absent, as older libvirt omits it).
HookArguments parseHookArguments(const std::vector<std::string> &words);

} // namespace vfioctl::hook
