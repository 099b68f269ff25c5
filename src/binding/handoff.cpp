// BindEngine's console hand-off (issue: the boot GPU): the units the VM's policy names are stopped, the console's
// hold on the GPU released, and on the way back each is given back in reverse order. The record of what is to be
// released and stopped is in the owner's journal before the first step, so `vfioctl recover` can finish any of it.
#include "bind_engine.h"

#include "bind_plan.h"
#include "bind_refusals.h"
#include "console_handoff.h"
#include "error.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

std::optional<ConsoleRecord> BindEngine::planHandoff(const Inventory &inventory, const BindRequest &request,
                                                     const std::map<int, std::vector<PciAddress>> &groups)
{
    if (request.console == ConsoleHandoff::No)
        return std::nullopt;
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints) {
            if (!inventory.requirePci(address).showsHostConsole())
                continue;
            ConsoleRecord record{address, inventory.console, {}};
            for (const auto &unit : request.stopUnits) {
                if (!services_)
                    throw Error("cannot stop " + unit + ": this command has no service manager to ask", ENOTSUP);
                if (services_->running(unit))
                    record.units.push_back(unit);
            }
            return record;
        }
    return std::nullopt; // nothing in the groups shows the console: there is nothing to hand over
}

namespace {

template <typename T> void appendMissing(std::vector<T> &to, const std::vector<T> &from)
{
    for (const auto &item : from)
        if (std::find(to.begin(), to.end(), item) == to.end())
            to.push_back(item);
}

} // namespace

ConsoleRecord withEarlierHandoff(const std::optional<ConsoleRecord> &earlier, const ConsoleRecord &now)
{
    if (!earlier)
        return now;
    ConsoleRecord both = *earlier;
    appendMissing(both.hold.vtconsoles, now.hold.vtconsoles);
    appendMissing(both.hold.framebuffers, now.hold.framebuffers);
    appendMissing(both.units, now.units);
    return both;
}

void BindEngine::handOver(const Plan &plan)
{
    const ConsoleRecord &record = *plan.handoff;
    size_t stopped = 0;
    try {
        for (const auto &unit : record.units) {
            services_->stop(unit, timeout_);
            ++stopped;
        }
        if (plan.holdersPending)
            if (auto refusal = openNodesRefusal(host_, plan.inventory, plan.groups))
                throw Error(*refusal + " (still, after stopping " + joinWith(record.units, ", ") + ")", EBUSY);
        releaseConsole(host_, record.hold); // gives back what it released when it fails
    } catch (const Error &error) {
        std::vector<std::string> problems;
        for (size_t index = stopped; index-- > 0;)
            try {
                services_->start(record.units[index], timeout_);
            } catch (const Error &startError) {
                problems.emplace_back(startError.what());
            }
        if (!problems.empty())
            throw Error(std::string(error.what()) + "; starting the stopped units again failed too (" +
                            joinWith(problems, "; ") + "); run 'vfioctl recover'",
                        error.errorNumber());
        restoreJournal(error.what(), error.errorNumber(), plan);
    }
}

std::vector<std::string> BindEngine::giveConsoleBack(const ConsoleRecord &record, size_t unitsStopped)
{
    std::vector<std::string> failures = restoreConsole(host_, record.hold);
    for (auto &failure : reprobeConnectors(host_, record.gpu))
        failures.push_back(std::move(failure));
    for (size_t index = std::min(unitsStopped, record.units.size()); index-- > 0;) {
        const std::string &unit = record.units[index];
        try {
            if (!services_)
                throw Error("no service manager to ask", ENOTSUP);
            services_->start(unit, timeout_);
        } catch (const Error &error) {
            failures.push_back("cannot start " + unit + " again: " + error.what());
        }
    }
    return failures;
}

std::string BindEngine::moduleOf(const std::string &driver) const
{
    if (driver.empty())
        return {};
    auto link = host_.readLink(joinPath(joinPath(layout::pciDrivers, driver), "module"));
    return link ? baseName(*link) : std::string(); // built in: no module
}

void BindEngine::reloadDriver(const JournalEntry &entry)
{
    const std::string &driver = entry.original.driver;
    if (driver.empty() || driver == vfioDriver || entry.module.empty() ||
        host_.exists(joinPath(layout::pciDrivers, driver)))
        return;
    modules_.load(entry.module);
}

} // namespace vfioctl
