#include "cli.h"

#include "command.h"
#include "error.h"

#include <algorithm>
#include <iostream>

namespace vfioctl::cli {

namespace {

constexpr std::string_view version = "0.1.0";

size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

const Command *findCommand(std::string_view name)
{
    for (const auto &command : commandTable())
        if (command.name == name)
            return &command;
    return nullptr;
}

std::string suggestion(std::string_view name)
{
    const Command *best = nullptr;
    size_t bestDistance = 3; // farther than two edits is not a typo
    for (const auto &command : commandTable()) {
        size_t distance = editDistance(name, command.name);
        if (distance < bestDistance) {
            best = &command;
            bestDistance = distance;
        }
    }
    return best ? std::string(best->name) : std::string();
}

void printUsage(std::ostream &out, const po::options_description &global)
{
    out << "usage: vfioctl [--root DIR] COMMAND [ARGS...]\n\n"
           "Safe PCI passthrough for libvirt/KVM hosts.\n\ncommands:\n";
    for (const auto &command : commandTable())
        out << "  " << command.name << std::string(12 - std::min<size_t>(11, command.name.size()), ' ')
            << command.summary << "\n";
    out << "\n" << global << "\nRun 'vfioctl COMMAND --help' for a command's options.\n";
}

} // namespace

int run(int argc, char **argv)
{
    po::options_description global("global options");
    global.add_options()("root", po::value<std::string>()->default_value("/"),
                         "host root to read and write: / for this host, or a captured sysfs/procfs tree")(
        "version", "print the version")("help,h", "show this help");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::string>())("args", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(global).add(hidden);
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);

    std::string commandName;
    try {
        // Global options must come before the command; everything after it belongs to the command.
        auto parsed = po::command_line_parser(argc, argv)
                          .options(all)
                          .positional(positional)
                          .style(po::command_line_style::default_style)
                          .allow_unregistered()
                          .run();
        po::variables_map values;
        po::store(parsed, values);
        if (values.count("version")) {
            std::cout << "vfioctl " << version << "\n";
            return exitOk;
        }
        if (!values.count("command")) {
            printUsage(values.count("help") ? std::cout : std::cerr, global);
            return values.count("help") ? exitOk : exitUsage;
        }
        commandName = values["command"].as<std::string>();
        const Command *command = findCommand(commandName);
        if (!command) {
            std::string close = suggestion(commandName);
            std::cerr << "vfioctl: error: unknown command '" << commandName << "'"
                      << (close.empty() ? "" : "; did you mean '" + close + "'?") << "\n"
                      << "Run 'vfioctl --help' for the list of commands.\n";
            return exitUsage;
        }
        std::vector<std::string> args = po::collect_unrecognized(parsed.options, po::include_positional);
        args.erase(args.begin()); // the command name itself
        if (values.count("help"))
            args.push_back("--help");

        const std::string root = values["root"].as<std::string>();
        DirectoryHostRoot host(root);
        auto names = openHardwareDatabase();
        CommandContext context{host, *names, std::cout, std::cerr, host.base().empty()};
        return command->run(context, args);
    } catch (const UsageError &error) {
        std::cerr << "vfioctl: error: " << error.what() << "\nRun 'vfioctl " << error.command()
                  << " --help' for its options.\n";
        return exitUsage;
    } catch (const po::error &error) {
        std::cerr << "vfioctl: error: " << error.what() << "\nRun 'vfioctl --help' for usage.\n";
        return exitUsage;
    } catch (const Error &error) {
        std::cerr << "vfioctl: error: " << error.what() << "\n";
        return exitFailure;
    } catch (const std::exception &error) {
        std::cerr << "vfioctl: error: " << error.what() << "\n";
        return exitFailure;
    }
}

} // namespace vfioctl::cli
