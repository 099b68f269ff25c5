// What the hook does at each libvirt qemu lifecycle step; everything but reading argv/stdin and the process itself.
#pragma once

#include "hook_arguments.h"
#include "hook_log.h"

#include "bind_engine.h"
#include "domain_xml.h"

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

namespace vfioctl::hook {

class QemuHook {
public:
    QemuHook(HostRoot &host, ModuleLoader &modules, HookLog &log, std::chrono::milliseconds deviceTimeout,
             const ProcessTable &processes = liveProcesses());
    BindEngine &engine() { return engine_; }

    // Runs one hook call and returns the exit code. `domainXml` is called only when the step needs the XML. A
    // refusal at prepare writes one sentence to `userError` (libvirt shows it to the user) and returns 1; release
    // always returns 0, with what it could not do in syslog.
    int run(const HookArguments &arguments, const std::function<std::string()> &domainXml, std::ostream &userError);

private:
    int prepare(const HookArguments &arguments, const std::string &xml, std::ostream &userError);
    int release(const HookArguments &arguments, const std::string &xml);
    int refuse(const HookArguments &arguments, const std::string &why, std::ostream &userError);
    int releaseFailed(const HookArguments &arguments, const std::string &why);
    static Owner ownerOf(const DomainPassthrough &domain, const std::string &source);

    HostRoot &host_;
    HookLog &log_;
    BindEngine engine_;
};

} // namespace vfioctl::hook
