// What the hook does at each libvirt qemu lifecycle step; everything but reading argv/stdin and the process itself.
#pragma once

#include "hook_arguments.h"
#include "hook_log.h"

#include "bind_engine.h"

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

namespace vfioctl::hook {

class QemuHook {
public:
    QemuHook(HostRoot &host, ModuleLoader &modules, HookLog &log, std::chrono::milliseconds deviceTimeout);

    // Runs one hook call and returns the exit code. `domainXml` is called only when the step needs the XML. A
    // refusal writes one sentence to `userError` (libvirt shows it to the user) and returns non-zero.
    int run(const HookArguments &arguments, const std::function<std::string()> &domainXml, std::ostream &userError);

private:
    int prepare(const HookArguments &arguments, const std::string &xml, std::ostream &userError);
    int release(const HookArguments &arguments);

    HostRoot &host_;
    HookLog &log_;
    BindEngine engine_;
};

} // namespace vfioctl::hook
