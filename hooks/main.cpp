// vfioctl-qemu-hook: libvirt runs it from /etc/libvirt/hooks/qemu.d/ at every VM lifecycle step. The work is in
// qemu_hook.cpp; this file is the process: argv, stdin, syslog, and a deadline so libvirtd is never blocked forever.
#include "bounded_input.h"
#include "domain_xml.h"
#include "error.h"
#include "hook_arguments.h"
#include "hook_log.h"
#include "host_access.h"
#include "qemu_hook.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <syslog.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;

// Each device gets this long to change drivers; the whole call gets the overall limit, after which the process
// exits with a sentence and leaves any unfinished journal for the release step or 'vfioctl recover'.
constexpr auto deviceTimeout = 20s;
constexpr auto overallLimit = 120s;

// A start that overruns is refused (exit 1); a stop is never failed (exit 0), whatever it could not finish.
void startWatchdog(const vfioctl::hook::HookArguments &arguments)
{
    const bool starting = arguments.is("prepare", "begin");
    const std::string limit = std::to_string(overallLimit.count()) + " s";
    const std::string message =
        starting ? "vfioctl: VM '" + arguments.vm + "' not started: the hook took longer than " + limit +
                       "; run 'vfioctl status' and 'vfioctl recover'\n"
                 : "vfioctl: VM '" + arguments.vm + "' stopped, but giving its devices back took longer than " + limit +
                       "; run 'vfioctl status' and 'vfioctl recover'\n";
    std::thread([message, starting] {
        std::this_thread::sleep_for(overallLimit);
        ssize_t ignored = ::write(STDERR_FILENO, message.data(), message.size());
        (void)ignored;
        if (!starting)
            ::syslog(LOG_ERR, "%s", message.c_str());
        std::_Exit(starting ? 1 : 0);
    }).detach();
}

} // namespace

int main(int argc, char **argv)
{
    using namespace vfioctl;
    try {
        const hook::HookArguments arguments = hook::parseHookArguments(std::vector<std::string>(argv + 1, argv + argc));
        if (!(arguments.is("prepare", "begin") || arguments.is("release", "end")))
            return 0; // the common case costs nothing more
        startWatchdog(arguments);
        // Tests point the hook at a fake tree; libvirt never sets this.
        const char *root = std::getenv("VFIOCTL_ROOT");
        HostAccess host = openHost(root ? root : "/", WithNames::No, RootGivenBy::Environment);
        hook::SyslogHookLog log;
        hook::QemuHook qemuHook(*host.root, *host.modules, log, deviceTimeout);
        qemuHook.engine().setServiceManager(*host.services);
        return qemuHook.run(arguments, [] { return hook::readBounded(STDIN_FILENO, maxDomainXmlBytes); }, std::cerr);
    } catch (const std::exception &error) { // any failure is one sentence, never std::terminate
        std::cerr << "vfioctl-qemu-hook: " << error.what() << "\n";
        return 2;
    } catch (...) {
        std::cerr << "vfioctl-qemu-hook: an unexpected failure\n";
        return 2;
    }
}
