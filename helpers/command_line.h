// Splits a vfioctl command line into the command and its values: options may stand before or after the command
// name, and "--" ends the options.
#pragma once

#include "command.h"

#include <set>
#include <string>
#include <vector>

namespace vfioctl::cli {

struct CommandLine {
    const Command *command = nullptr; // null: no command named (--help, --version, or nothing)
    po::variables_map values;         // global and the command's options together
    std::string root = "/";
};

po::options_description globalOptions();
// "--owner", "-c": the spellings of options that take a value, in any command, so that the value after one is never
// mistaken for the command name ("vfioctl --owner vm1 bind 01:00.0"), here and in bash completion.
std::set<std::string> valueTakingSpellings();
// Throws UsageError for an unknown command or option, with "did you mean" for a near miss.
CommandLine parseCommandLine(const std::vector<std::string> &args);
// "vfioctl NAME USAGE", with the options the command's needs bring ([--timeout S], [--connect URI]) after its own.
std::string usageLine(const Command &command);
// Every option a command takes, global ones included, for --help and completion.
po::options_description commandOptions(const Command &command, CommandOptions &declared);

} // namespace vfioctl::cli
