#include "cli.h"

#include "command_line.h"
#include "error.h"
#include "host_access.h"

#include <iostream>

namespace vfioctl::cli {

namespace {

constexpr std::string_view version = "0.1.0";

void printUsage(std::ostream &out)
{
    out << "usage: vfioctl [--root DIR] COMMAND [ARGS...]\n\n"
           "Safe PCI passthrough for libvirt/KVM hosts.\n\ncommands:\n";
    for (const auto &command : commandTable())
        out << "  " << command.name << std::string(12 - std::min<size_t>(11, command.name.size()), ' ')
            << command.summary << "\n";
    out << "\n" << globalOptions() << "\nRun 'vfioctl COMMAND --help' for a command's options.\n";
}

void printCommandHelp(const Command &command, std::ostream &out)
{
    CommandOptions declared{std::string(command.name) + " options"};
    commandOptions(command, declared);
    out << "usage: " << usageLine(command) << "\n\n"
        << command.summary << "\n\n"
        << declared.visible << "\n"
        << globalOptions();
}

// For bash completion (completions/vfioctl): the words, one a line, so the script never keeps its own copy.
void printCompletionWords(const Command *command, std::ostream &out)
{
    if (!command) {
        for (const auto &entry : commandTable())
            out << entry.name << "\n";
        const po::options_description global = globalOptions();
        for (const auto &option : global.options())
            if (!option->long_name().starts_with("completion-"))
                out << "--" << option->long_name() << "\n";
        return;
    }
    CommandOptions declared{""};
    const po::options_description all = commandOptions(*command, declared);
    for (const auto &option : all.options())
        if (!declared.hidden.find_nothrow(option->long_name(), false) &&
            !option->long_name().starts_with("completion-"))
            out << "--" << option->long_name() << "\n";
}

// Everything but printing a failure: the mains and runOn share it.
int dispatch(const CommandLine &line, const std::function<HostHandles()> &openHost, std::ostream &out,
             std::ostream &err)
{
    if (line.values.count("completion-values")) {
        for (const auto &spelling : valueTakingSpellings())
            out << spelling << "\n";
        return exitOk;
    }
    if (line.values.count("completion-words")) {
        printCompletionWords(line.command, out);
        return exitOk;
    }
    if (line.values.count("version")) {
        out << "vfioctl " << version << "\n";
        return exitOk;
    }
    if (!line.command) {
        printUsage(line.values.count("help") ? out : err);
        return line.values.count("help") ? exitOk : exitUsage;
    }
    if (line.values.count("help")) {
        printCommandHelp(*line.command, out);
        return exitOk;
    }
    CommandContext context(openHost(), line.command->needs, line.values, out, err);
    try {
        if (has(line.command->needs, Needs::Moves))
            context.timeout(); // checked before anything runs, whatever the command reaches
        const int code = line.command->run(context);
        if (code == exitOk)
            context.noteLibvirtNotAsked();
        return code;
    } catch (const UsageError &error) {
        // A shared option (--timeout, --connect) is checked where it is used: name the command that was run.
        if (!error.command().empty())
            throw;
        throw UsageError(error.what(), std::string(line.command->name));
    }
}

int guarded(const std::function<int()> &body, std::ostream &err)
{
    try {
        return body();
    } catch (const UsageError &error) {
        err << "vfioctl: error: " << error.what() << "\nRun 'vfioctl "
            << (error.command().empty() ? "" : error.command() + " ") << "--help' for "
            << (error.command().empty() ? "usage" : "its options") << ".\n";
        return exitUsage;
    } catch (const std::exception &error) {
        err << "vfioctl: error: " << error.what() << "\n";
        return exitFailure;
    } catch (...) {
        err << "vfioctl: error: an unexpected failure\n";
        return exitFailure;
    }
}

} // namespace

int run(int argc, char **argv)
{
    return guarded(
        [&] {
            const CommandLine line = parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
            HostAccess access;
            auto open = [&] {
                try {
                    access = openHost(line.root);
                } catch (const Error &error) {
                    throw UsageError(error.what(), "");
                }
                return HostHandles{*access.root, *access.names, *access.modules, access.live, access.services.get()};
            };
            return dispatch(line, open, std::cout, std::cerr);
        },
        std::cerr);
}

int runOn(HostHandles host, const std::vector<std::string> &args, std::ostream &out, std::ostream &err)
{
    return guarded(
        [&] {
            const CommandLine line = parseCommandLine(args);
            if (!line.values["root"].defaulted())
                throw UsageError("--root is decided by the caller here", "");
            return dispatch(line, [&] { return host; }, out, err);
        },
        err);
}

} // namespace vfioctl::cli
