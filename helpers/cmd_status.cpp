// vfioctl status: what is held, by whom, since when, each device's original driver, and any journal set aside.
#include "bind_engine.h"
#include "command.h"
#include "json_views.h"
#include "pci_identity.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <ctime>
#include <ostream>

namespace vfioctl::cli {

namespace {

// A time a journal holds, as local time; a number no calendar can show is printed as the number.
std::string timeText(int64_t seconds)
{
    std::time_t time = static_cast<std::time_t>(seconds);
    std::tm parts;
    char buffer[64];
    if (!::localtime_r(&time, &parts) || std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &parts) == 0)
        return "@" + std::to_string(seconds);
    return buffer;
}

// null, or what a console hand-off released and stopped (given back with its GPU).
Json consoleJson(const std::optional<ConsoleRecord> &console)
{
    if (!console)
        return nullptr;
    Json framebuffers = Json::array();
    for (const auto &framebuffer : console->hold.framebuffers)
        framebuffers.push_back({{"device", framebuffer.device}, {"driver", framebuffer.driver}});
    return {{"gpu", console->gpu.str()},
            {"vtconsoles", console->hold.vtconsoles},
            {"framebuffers", framebuffers},
            {"units", console->units}};
}

int printJson(CommandContext &context, const std::vector<Journal> &journals,
              const std::vector<QuarantinedJournal> &aside)
{
    DriverBinder binder(context.host, std::chrono::milliseconds(0));
    Json owners = Json::array();
    for (const auto &journal : journals) {
        Json devices = Json::array();
        for (const auto &entry : journal.devices) {
            const bool present = binder.present(entry.device);
            const auto now = present ? readPciIdentity(context.host, entry.device) : std::nullopt;
            auto identityJson = [](const std::optional<PciIdentity> &identity) {
                return identity ? Json(identity->describe()) : Json(nullptr);
            };
            devices.push_back({{"address", entry.device.str()},
                               {"present", present},
                               {"identity", identityJson(entry.identity)},
                               {"identity_now", identityJson(now)},
                               {"replaced", entry.identity && now && *now != *entry.identity},
                               {"state", entryStateName(entry.state)},
                               {"driver", present ? binder.stateOf(entry.device).driver : ""},
                               {"original_driver", entry.original.driver},
                               {"original_override", entry.original.override},
                               {"from_pool", entry.fromPool}});
        }
        owners.push_back({{"owner", journal.owner.name()},
                          {"owner_kind", journal.owner.kindName()},
                          {"uuid", journal.owner.isVm() ? Json(journal.owner.uuid()) : Json(nullptr)},
                          {"state", journalStateName(journal.state())},
                          {"since", journal.since},
                          {"devices", devices},
                          {"console", consoleJson(journal.console)}});
    }
    Json corrupt = Json::array();
    for (const auto &entry : aside)
        corrupt.push_back(
            {{"path", entry.path}, {"reason", entry.reason.empty() ? Json(nullptr) : Json(entry.reason)}});
    // Where the journals live, as this process finds them (inside the tree under --root): a console page watches it.
    context.out << jsonText(Json{{"owners", owners},
                                 {"corrupt_journals", corrupt},
                                 {"state_directory", context.host.shown(std::string(layout::runDirectory))}})
                << "\n";
    return exitOk;
}

void printAside(CommandContext &context, const std::vector<QuarantinedJournal> &aside)
{
    for (const auto &entry : aside)
        context.out << (entry.path.ends_with(".journal") ? "\nA corrupt journal, "
                                                         : "\nA corrupt journal was set aside as ")
                    << entry.path << (entry.reason.empty() ? "" : " (" + entry.reason + ")")
                    << ": devices on vfio-pci that no valid journal holds are refused until you read it and run "
                       "'vfioctl recover --discard-corrupt'.\n";
}

} // namespace

void declareStatus(CommandOptions &options)
{
    addJsonOption(options);
}

int runStatus(CommandContext &context)
{
    BindEngine &engine = context.engine();
    const auto journals = engine.status();
    const auto aside = engine.quarantined();
    if (context.flag("json"))
        return printJson(context, journals, aside);
    if (journals.empty())
        context.out << "no device is held\n";
    DriverBinder binder(context.host, std::chrono::milliseconds(0));
    TextTable table({"OWNER", "STATE", "SINCE", "DEVICE", "DRIVER", "ORIGINAL DRIVER"});
    std::vector<std::string> gone;
    for (const auto &journal : journals)
        for (const auto &entry : journal.devices) {
            const bool present = binder.present(entry.device);
            const auto now = present ? readPciIdentity(context.host, entry.device) : std::nullopt;
            if (!present)
                gone.push_back(entry.device.str() + " went away while " + journal.owner.describe() +
                               " held it; its entry ends when the owner gives back");
            else if (entry.identity && now && *now != *entry.identity)
                gone.push_back(entry.device.str() + " is another device now (" + now->describe() + "; " +
                               entry.identity->describe() + " was recorded when " + journal.owner.describe() +
                               " took it): it is never moved for that owner, and the entry ends when the owner "
                               "gives back");
            table.addRow({journal.owner.label(), entryStateName(entry.state), timeText(journal.since),
                          entry.device.str(), present ? binder.stateOf(entry.device).driver : "(gone)",
                          (entry.original.driver.empty()                  ? "(none)"
                           : entry.original.driver == kernelDefaultDriver ? "(the kernel's default)"
                                                                          : entry.original.driver) +
                              (entry.fromPool ? " (lent by persist)" : "")});
        }
    if (!journals.empty())
        table.print(context.out);
    for (const auto &line : gone)
        context.out << "\n" << line << ".\n";
    for (const auto &journal : journals)
        if (journal.console) {
            std::vector<std::string> released = describeHold(journal.console->hold);
            released.insert(released.end(), journal.console->units.begin(), journal.console->units.end());
            context.out << "\n"
                        << journal.owner.label() << " has the host console's GPU " << journal.console->gpu.str()
                        << (released.empty() ? "" : "; released until it is given back: " + joinWith(released, ", "))
                        << ".\n";
        }
    for (const auto &journal : journals)
        if (journal.state() != JournalState::Bound && !engine.runningElsewhere(journal))
            context.out << "\n"
                        << journal.owner.label() << " did not finish (" << journalStateName(journal.state())
                        << "): run 'vfioctl recover' to finish it.\n";
    printAside(context, aside);
    return exitOk;
}

} // namespace vfioctl::cli
