// What every subcommand gets and how it is listed: ninja's tool table, one file per command.
#pragma once

#include "hardware_names.h"
#include "host_root.h"

#include <boost/program_options.hpp>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl::cli {

// Documented exit codes (README "Exit codes").
inline constexpr int exitOk = 0;
inline constexpr int exitFailure = 1;
inline constexpr int exitUsage = 2;

struct CommandContext {
    HostRoot &host;
    const HardwareNames &names;
    std::ostream &out;
    std::ostream &err;   // notes that must not mix with --json output
    bool liveHost = true; // false under --root: a captured tree, whose VMs are not this host's libvirt's
};

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(CommandContext &context, const std::vector<std::string> &args);
};

std::span<const Command> commandTable();

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

namespace po = boost::program_options;

// Parses a subcommand's arguments; returns false after printing usage when --help was asked.
bool parseArguments(std::string_view command, std::string_view usage, const std::vector<std::string> &args,
                    po::options_description &options, const po::positional_options_description &positional,
                    po::variables_map &values, std::ostream &out);

// The commands, each defined in its own cmd_*.cpp.
int runList(CommandContext &context, const std::vector<std::string> &args);
int runGroups(CommandContext &context, const std::vector<std::string> &args);
int runAffected(CommandContext &context, const std::vector<std::string> &args);
int runBind(CommandContext &context, const std::vector<std::string> &args);
int runUnbind(CommandContext &context, const std::vector<std::string> &args);
int runRestore(CommandContext &context, const std::vector<std::string> &args);
int runRecover(CommandContext &context, const std::vector<std::string> &args);
int runStatus(CommandContext &context, const std::vector<std::string> &args);
int runCheck(CommandContext &context, const std::vector<std::string> &args);
int runHolders(CommandContext &context, const std::vector<std::string> &args);
int runAssign(CommandContext &context, const std::vector<std::string> &args);
int runUnassign(CommandContext &context, const std::vector<std::string> &args);
int runPersist(CommandContext &context, const std::vector<std::string> &args);
int runUnpersist(CommandContext &context, const std::vector<std::string> &args);

} // namespace vfioctl::cli
