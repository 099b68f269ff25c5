// What every subcommand gets and how it is listed: ninja's tool table. An entry says what the command needs (moving
// drivers, libvirt), its summary, usage and options; --help, usage lines and bash completion are generated from it.
// Adding a command takes: its declare/run pair (declared at the end of this file, defined in the cmd_*.cpp of its
// group), one row of the table (command_table.cpp), its row in README's table, its entry in the man page and, with
// --json, its section in docs/JSON.md; tests/unit/cli/test_command_docs.cpp fails until the last three say what the
// table and the command's output say.
#pragma once

#include "bind_engine.h"
#include "hardware_names.h"
#include "holders.h"
#include "host_root.h"
#include "hypervisor.h"
#include "inventory.h"
#include "persistence.h"

#include <boost/program_options.hpp>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl::cli {

namespace po = boost::program_options;

// Documented exit codes (README "Exit codes").
inline constexpr int exitOk = 0;
inline constexpr int exitFailure = 1;
inline constexpr int exitUsage = 2;

// What a command does beyond reading the host. Each need brings its options: Moves adds --timeout, Libvirt and
// VmListing add --connect.
enum class Needs : unsigned {
    Host = 0,      // reads the host (and vfioctl's journals) only
    Moves = 1,     // moves drivers or changes VMs: --timeout, and libvirt opened read-write
    Libvirt = 2,   // talks to libvirt: fails when it cannot connect
    VmListing = 4, // shows VM holders when libvirt answers, with a note when it does not
};
constexpr Needs operator|(Needs a, Needs b)
{
    return static_cast<Needs>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(Needs set, Needs one)
{
    return (static_cast<unsigned>(set) & static_cast<unsigned>(one)) != 0;
}

// A command's options: the visible ones (listed by --help and bash completion), hidden positional slots.
struct CommandOptions {
    po::options_description visible;
    po::options_description hidden;
    po::positional_options_description positional;
    explicit CommandOptions(const std::string &caption) : visible(caption) {}
};

// The host a command runs on, as the main opened it (live or captured: decided there, once).
struct HostHandles {
    HostRoot &root;
    const HardwareNames &names;
    ModuleLoader &modules;
    bool live;
    ServiceManager *services = nullptr; // none: a console hand-off that names units is refused
};

class CommandContext {
public:
    CommandContext(HostHandles host, Needs needs, const po::variables_map &values, std::ostream &out,
                   std::ostream &err);
    ~CommandContext();

    HostRoot &host;
    const HardwareNames &names;
    const po::variables_map &values;
    std::ostream &out;
    std::ostream &err; // notes that must not mix with --json output
    bool liveHost;     // false under --root: a captured tree, whose VMs are not this host's libvirt's

    bool flag(const char *name) const { return values.count(name) > 0; }
    // The host's devices with their hardware names; what had to be skipped is a note on err, never a failure.
    // `only` given: just what passing those devices through involves (scanInventoryFor).
    Inventory scan(const std::vector<PciAddress> &only = {});
    // Every device, each PCI function read as far as `facts` says (a listing of some members reads less).
    Inventory scanReading(PciFacts facts);
    BindEngine &engine();
    Hypervisor &hypervisor();
    // --timeout, one typed value: how long each wait of this command may take (a driver change, a guest letting go
    // of an unplugged device). A value out of range is a usage error, raised as the command line is parsed.
    std::chrono::milliseconds timeout() const;
    // The VMs' holdings, or nothing (with a one-line note) when libvirt is not reachable. Under --root without
    // --connect libvirt is not asked: the tree is not this host.
    std::optional<HolderMap> holdingsForListing();
    // What running VMs hold by libvirt's own record, for the engine's refusals; when libvirt cannot be asked, a
    // note on err says so (and why) instead of assuming that no VM holds anything.
    LibvirtHoldings libvirtHoldings();
    // After a command that went ahead without libvirt's answer: one note on err saying so, and why.
    void noteLibvirtNotAsked();

private:
    std::optional<std::string> libvirtNotAsked_;
    ModuleLoader &modules_;
    ServiceManager *services_;
    Needs needs_;
    std::unique_ptr<BindEngine> engine_;
    std::unique_ptr<Hypervisor> hypervisor_;
};

struct Command {
    std::string_view name;
    std::string_view summary;
    std::string_view usage; // what follows "vfioctl NAME"
    Needs needs;
    void (*declare)(CommandOptions &options);
    int (*run)(CommandContext &context);
};

std::span<const Command> commandTable();
const Command *findCommand(std::string_view name);

// Thrown for bad command lines; the main prints it with a pointer to --help and exits with exitUsage.
class UsageError : public std::runtime_error {
public:
    UsageError(const std::string &message, std::string command)
        : std::runtime_error(message), command_(std::move(command))
    {
    }
    const std::string &command() const { return command_; }

private:
    std::string command_;
};

// Option helpers the commands share.
void addJsonOption(CommandOptions &options);
// The exit code rule: an argument that cannot be read (a malformed DEVICE, VENDOR:DEVICE or --owner) is a command
// line that was not understood, exit 2 (UsageError); only a command that was understood and failed exits 1.
PciAddress deviceArgument(std::string_view text);
PersistEntry targetArgument(std::string_view text); // DEVICE or VENDOR:DEVICE
std::vector<PciAddress> deviceArguments(const CommandContext &context, const char *command);

// The commands, each declared and run in its own cmd_*.cpp.
void declareList(CommandOptions &options);
int runList(CommandContext &context);
void declareGroups(CommandOptions &options);
int runGroups(CommandContext &context);
void declareAffected(CommandOptions &options);
int runAffected(CommandContext &context);
void declareBind(CommandOptions &options);
int runBind(CommandContext &context);
void declareUnbind(CommandOptions &options);
int runUnbind(CommandContext &context);
void declareRestore(CommandOptions &options);
int runRestore(CommandContext &context);
void declareRecover(CommandOptions &options);
int runRecover(CommandContext &context);
void declareStatus(CommandOptions &options);
int runStatus(CommandContext &context);
void declareCheck(CommandOptions &options);
int runCheck(CommandContext &context);
void declareHolders(CommandOptions &options);
int runHolders(CommandContext &context);
void declareVms(CommandOptions &options);
int runVms(CommandContext &context);
void declareAssign(CommandOptions &options);
int runAssign(CommandContext &context);
void declareUnassign(CommandOptions &options);
int runUnassign(CommandContext &context);
void declareExport(CommandOptions &options);
int runExport(CommandContext &context);
void declarePersist(CommandOptions &options);
int runPersist(CommandContext &context);
void declareUnpersist(CommandOptions &options);
int runUnpersist(CommandContext &context);
void declareSriov(CommandOptions &options);
int runSriov(CommandContext &context);

} // namespace vfioctl::cli
