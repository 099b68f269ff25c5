#include "command_line.h"

#include <algorithm>
#include <set>

namespace vfioctl::cli {

namespace {

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

} // namespace

std::set<std::string> valueTakingSpellings()
{
    std::set<std::string> spellings;
    auto collect = [&](const po::options_description &options) {
        for (const auto &option : options.options()) {
            if (option->semantic()->max_tokens() == 0)
                continue;
            spellings.insert("--" + option->long_name());
            const std::string shortName = option->canonical_display_name(po::command_line_style::allow_dash_for_short);
            if (shortName.size() == 2 && shortName[0] == '-')
                spellings.insert(shortName);
        }
    };
    collect(globalOptions());
    for (const auto &command : commandTable()) {
        CommandOptions declared{std::string(command.name)};
        collect(commandOptions(command, declared));
    }
    return spellings;
}

namespace {

// The index of the command name: the first word that is neither an option nor an option's value, before "--".
std::optional<size_t> commandIndex(const std::vector<std::string> &args)
{
    const std::set<std::string> takesValue = valueTakingSpellings();
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &word = args[i];
        if (word == "--")
            return args.size() > i + 1 ? std::optional(i + 1) : std::nullopt;
        if (word.size() > 1 && word[0] == '-') {
            if (takesValue.contains(word))
                ++i;
            continue;
        }
        return i;
    }
    return std::nullopt;
}

} // namespace

po::options_description globalOptions()
{
    po::options_description global("global options");
    global.add_options()("root", po::value<std::string>()->default_value("/"),
                         "host root to read and write: / for this host, or a captured sysfs/procfs tree")(
        "version", "print the version")("help,h", "show this help")(
        "completion-words", "print the commands, or a command's options, for shell completion")(
        "completion-values", "print every option that takes a value, for shell completion");
    return global;
}

namespace {

// A command that moves devices asks libvirt what its running VMs hold (libvirt_holdings.h); listings show holders.
bool asksLibvirt(const Command &command)
{
    return has(command.needs, Needs::Libvirt) || has(command.needs, Needs::VmListing) ||
           has(command.needs, Needs::Moves);
}

} // namespace

std::string usageLine(const Command &command)
{
    std::string line = "vfioctl " + std::string(command.name) + " " + std::string(command.usage);
    if (has(command.needs, Needs::Moves))
        line += " [--timeout S]";
    if (asksLibvirt(command))
        line += " [--connect URI]";
    return line;
}

po::options_description commandOptions(const Command &command, CommandOptions &declared)
{
    command.declare(declared);
    if (has(command.needs, Needs::Moves) && !declared.visible.find_nothrow("timeout", false))
        declared.visible.add_options()("timeout", po::value<double>()->default_value(10),
                                       "seconds to wait for each device to change drivers");
    if (asksLibvirt(command))
        declared.visible.add_options()("connect,c", po::value<std::string>(),
                                       "libvirt URI (default qemu:///system; test:///PATH for a test-driver file)");
    po::options_description all;
    all.add(globalOptions()).add(declared.visible).add(declared.hidden);
    return all;
}

CommandLine parseCommandLine(const std::vector<std::string> &args)
{
    CommandLine line;
    std::vector<std::string> rest = args;
    const auto index = commandIndex(args);
    std::string name;
    if (index) {
        name = args[*index];
        line.command = findCommand(name);
        if (!line.command) {
            std::string close = suggestion(name);
            throw UsageError(
                "unknown command '" + name + "'" + (close.empty() ? "" : "; did you mean '" + close + "'?"), "");
        }
        rest.erase(rest.begin() + static_cast<long>(*index));
    }
    try {
        CommandOptions declared{name + " options"};
        const po::options_description all = line.command ? commandOptions(*line.command, declared) : globalOptions();
        po::store(po::command_line_parser(rest).options(all).positional(declared.positional).run(), line.values);
        if (!line.values.count("help"))
            po::notify(line.values);
    } catch (const po::error &error) {
        throw UsageError(error.what(), name);
    }
    line.root = line.values["root"].as<std::string>();
    return line;
}

} // namespace vfioctl::cli
