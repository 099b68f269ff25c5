// One source: the command table. Usage lines, README's command table, the man page's COMMANDS and OPTIONS and
// docs/JSON.md must say what the table and the commands' own output say; any difference fails here.
#include "cli.h"
#include "command_line.h"
#include "fake_console.h"
#include "source_file.h"
#include "testkit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::sourceFile;

namespace {

using OptionSet = std::set<std::string>;

OptionSet namesOf(const cli::CommandOptions &options)
{
    OptionSet names;
    for (const auto &option : options.visible.options())
        names.insert(option->long_name());
    return names;
}

// The options a command shows: its own (declare) and those its needs bring (--timeout, --connect).
OptionSet visibleOptions(const cli::Command &command)
{
    cli::CommandOptions declared{""};
    cli::commandOptions(command, declared);
    return namesOf(declared);
}

OptionSet ownOptions(const cli::Command &command)
{
    cli::CommandOptions own{""};
    command.declare(own);
    return namesOf(own);
}

// What each command's entries in a document show (command name -> options) must be exactly its own options; an
// entry may also show the shared ones (--timeout, --connect), which a paragraph of their own says.
void expectEveryCommandWithItsOwnOptions(const std::map<std::string, OptionSet> &entries, const char *document)
{
    for (const auto &command : cli::commandTable()) {
        auto entry = entries.find(std::string(command.name));
        ASSERT_NE(entry, entries.end()) << document << " has no entry for vfioctl " << command.name;
        const OptionSet own = ownOptions(command), visible = visibleOptions(command);
        OptionSet shown;
        for (const auto &name : entry->second)
            if (own.contains(name) || !visible.contains(name))
                shown.insert(name);
        EXPECT_EQ(shown, own) << document << ": " << command.name;
    }
}

// "--type", "--vfs-of" in a piece of text (the man page's "\-\-" already undone).
OptionSet optionsIn(const std::string &text)
{
    static const std::regex option(R"(--([a-z][a-z-]*[a-z]))");
    OptionSet found;
    for (auto match = std::sregex_iterator(text.begin(), text.end(), option); match != std::sregex_iterator(); ++match)
        found.insert((*match)[1]);
    return found;
}

std::string unescapeMan(std::string text)
{
    text = std::regex_replace(text, std::regex(R"(\\f[BIRP])"), "");
    return std::regex_replace(text, std::regex(R"(\\-)"), "-");
}

// Command name -> the options README's command table shows for it (its rows' first cells, one `vfioctl NAME ...`
// span each).
std::map<std::string, OptionSet> readmeRows()
{
    std::map<std::string, OptionSet> rows;
    std::istringstream readme(sourceFile("README.md"));
    static const std::regex span(R"(`vfioctl ([a-z]+)([^`]*)`)");
    for (std::string line; std::getline(readme, line);) {
        if (!line.starts_with("| `vfioctl "))
            continue;
        const std::string cell = line.substr(0, line.find(" | "));
        for (auto match = std::sregex_iterator(cell.begin(), cell.end(), span); match != std::sregex_iterator();
             ++match) {
            auto &options = rows[(*match)[1]];
            options.merge(optionsIn((*match)[2]));
        }
    }
    return rows;
}

// Command name -> the options its entries in the man page's COMMANDS section show.
std::map<std::string, OptionSet> manEntries()
{
    const std::string man = sourceFile("man/vfioctl.8");
    const size_t start = man.find(".SH COMMANDS");
    std::istringstream section(man.substr(start, man.find(".SH OPTIONS") - start));
    std::map<std::string, OptionSet> entries;
    std::string previous;
    for (std::string line; std::getline(section, line); previous = line) {
        if (previous != ".TP" || !line.starts_with(".B "))
            continue;
        const std::string entry = unescapeMan(line.substr(3));
        entries[entry.substr(0, entry.find(' '))].merge(optionsIn(entry));
    }
    return entries;
}

} // namespace

TEST(CommandDocs, EachUsageLineNamesExactlyTheOptionsTheCommandTakes)
{
    for (const auto &command : cli::commandTable()) {
        EXPECT_EQ(optionsIn(std::string(command.usage)), ownOptions(command)) << command.name;
        EXPECT_EQ(optionsIn(cli::usageLine(command)), visibleOptions(command)) << command.name;
    }
}

TEST(CommandDocs, ReadmeShowsEveryCommandWithExactlyItsOwnOptions)
{
    const auto rows = readmeRows();
    expectEveryCommandWithItsOwnOptions(rows, "README");
    for (const auto &[name, options] : rows)
        EXPECT_TRUE(cli::findCommand(name) || name == "-") << "README shows a command vfioctl does not have: " << name;
}

// README's sentences naming which commands take --timeout and which talk to libvirt name exactly those.
TEST(CommandDocs, ReadmeNamesTheCommandsThatTakeTheSharedOptions)
{
    std::string readme = sourceFile("README.md");
    std::replace(readme.begin(), readme.end(), '\n', ' ');
    auto namedIn = [&](const std::string &start, const std::string &end) {
        const size_t from = readme.find(start);
        EXPECT_NE(from, std::string::npos) << start;
        const std::string sentence = readme.substr(from, readme.find(end, from) - from);
        std::set<std::string> names;
        static const std::regex name(R"(`([a-z]+)`)");
        for (auto match = std::sregex_iterator(sentence.begin(), sentence.end(), name); match != std::sregex_iterator();
             ++match)
            names.insert((*match)[1]);
        return names;
    };
    std::set<std::string> moving, talking;
    for (const auto &command : cli::commandTable()) {
        if (has(command.needs, cli::Needs::Moves))
            moving.insert(std::string(command.name));
        if (has(command.needs, cli::Needs::Libvirt) || has(command.needs, cli::Needs::VmListing))
            talking.insert(std::string(command.name));
    }
    EXPECT_EQ(namedIn("Every command that moves drivers", "takes `--timeout S`"), moving);
    EXPECT_EQ(namedIn("`--` ends the options.", "talk to libvirt"), talking);
}

TEST(CommandDocs, TheManPageShowsEveryCommandWithExactlyItsOwnOptions)
{
    expectEveryCommandWithItsOwnOptions(manEntries(), "the man page");
    const std::string options = unescapeMan(sourceFile("man/vfioctl.8"));
    const std::string section = options.substr(options.find(".SH OPTIONS"));
    for (const char *shared : {".B --timeout", ".B --connect", ".B --root", ".B --json"})
        EXPECT_NE(section.find(shared), std::string::npos) << shared;
}

TEST(CommandDocs, EveryJsonCommandHasASectionInJsonMd)
{
    const std::string json = sourceFile("docs/JSON.md");
    for (const auto &command : cli::commandTable()) {
        if (visibleOptions(command).contains("json")) {
            EXPECT_NE(json.find("## `vfioctl " + std::string(command.name)), std::string::npos)
                << "docs/JSON.md has no section for vfioctl " << command.name << " --json";
        }
    }
}

// The keys each --json command writes, run on the workstation (the simulated kernel, libvirt's test driver), against
// the keys its sections of docs/JSON.md name.
class JsonKeys : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    nlohmann::json run(std::vector<std::string> args)
    {
        std::ostringstream out, err;
        const int code = cli::runOn({*kernel, names, *modules, false}, args, out, err);
        // check exits 1 or 2 for what it finds, export 3 for a device left out: the document is whole either way.
        EXPECT_TRUE(code == 0 || args[0] == "check" || code == 3) << args[0] << ": " << err.str();
        return out.str().empty() ? nlohmann::json() : nlohmann::json::parse(out.str());
    }
    std::string connect()
    {
        fake.writeFile("/node.xml",
                       "<node><domain type='test'><name>linux</name><memory>1048576</memory><os><type>hvm</type>"
                       "</os><devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address "
                       "domain='0' bus='1' slot='0' function='0'/></source></hostdev></devices></domain></node>");
        return "test://" + fake.root() + "/node.xml";
    }
    // Every section headed "## `vfioctl NAME" together.
    static std::string ownSectionsOf(const std::string &name)
    {
        const std::string json = sourceFile("docs/JSON.md");
        std::string text;
        for (size_t at = json.find("## `vfioctl " + name + " "); at != std::string::npos;
             at = json.find("## `vfioctl " + name + " ", at + 1))
            text += json.substr(at, json.find("\n## ", at + 1) - at);
        return text;
    }
    // With the sections they refer to: "in the shapes above" (affected's children are list's).
    static std::string sectionsOf(const std::string &name)
    {
        std::string text = ownSectionsOf(name);
        if (name != "list" && text.find("in the shapes above") != std::string::npos)
            text += ownSectionsOf("list");
        return text;
    }
    static void collectKeys(const nlohmann::json &value, std::set<std::string> &keys)
    {
        if (value.is_object())
            for (const auto &[key, inner] : value.items()) {
                keys.insert(key);
                collectKeys(inner, keys);
            }
        else if (value.is_array())
            for (const auto &inner : value)
                collectKeys(inner, keys);
    }
    NoHardwareNames names;
};

namespace {

// The names docs/JSON.md gives as keys: every identifier inside {...} (but not one followed by "..." such as
// [address...], a list of values) and every NAME[].
std::set<std::string> listedKeys(const std::string &text)
{
    std::set<std::string> keys;
    static const std::regex array(R"(\b([A-Za-z_]+)\[\])");
    for (auto match = std::sregex_iterator(text.begin(), text.end(), array); match != std::sregex_iterator(); ++match)
        keys.insert((*match)[1]);
    int depth = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        if (depth <= 0 || !(std::isalpha(static_cast<unsigned char>(c)) || c == '_') ||
            std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_')
            continue;
        size_t end = i;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
            ++end;
        const std::string word = text.substr(i, end - i);
        const bool placeholder = std::all_of(word.begin(), word.end(), [](char l) { return std::isupper(l); }); // N
        if (text.compare(end, 3, "...") != 0 && !placeholder && word != "null" && word != "true" && word != "false")
            keys.insert(word);
        i = end - 1;
    }
    return keys;
}

bool mentions(const std::string &text, const std::string &key)
{
    return std::regex_search(text, std::regex("(^|[^A-Za-z0-9_])" + key + "([^A-Za-z0-9_]|$)"));
}

} // namespace

TEST_F(JsonKeys, EveryKeyACommandWritesIsInItsSectionAndEveryListedKeyIsWritten)
{
    std::ostringstream ignored;
    auto act = [&](std::vector<std::string> args) {
        ASSERT_EQ(cli::runOn({*kernel, names, *modules, false}, args, ignored, ignored), 0) << ignored.str();
    };
    act({"bind", "0000:02:00.0"});
    act({"bind", "0000:04:00.3"}); // a VF held: sriov says by whom
    act({"persist", "10de:2204", "--boot-only"});
    act({"persist", "0000:01:00.0", "--boot-only"}); // an address: its identity is listed
    fake.writeFile("/run/vfioctl/owners/vm-broken.journal", "vfioctl-journal 2\n{"); // status lists it
    act({"sriov", "0000:04:00.0", "2", "--persist"});
    // The boot GPU showing the console: list says what a hand-off costs, then status what the host gave up.
    vfioctl::testing::addVtconsole(fake, "vtcon1", "(M) frame buffer device", true);
    vfioctl::testing::addPlatformFramebuffer(fake, "efi-framebuffer.0", "efi-framebuffer");
    const std::string uri = connect();
    const nlohmann::json listBeforeHandoff = run({"list", "--type", "all", "--json", "--connect", uri});
    act({"bind", "0000:00:02.0", "--console-handoff"});
    const std::map<std::string, std::vector<nlohmann::json>> outputs = {
        {"list", {listBeforeHandoff, run({"list", "--type", "all", "--json", "--connect", uri})}},
        {"groups", {run({"groups", "--json"})}},
        {"affected",
         {run({"affected", "0000:00:14.0", "--json"}), run({"affected", "0000:00:17.0", "--json"}),
          run({"affected", "0000:04:00.0", "--json"})}},
        {"status", {run({"status", "--json"})}},
        {"check", {run({"check", "--json"})}},
        {"holders", {run({"holders", "0000:01:00.0", "--json", "--connect", uri})}},
        {"vms", {run({"vms", "--json", "--connect", uri})}},
        {"persist", {run({"persist", "--list", "--json"})}},
        {"sriov", {run({"sriov", "0000:04:00.0", "--json"})}},
        {"export",
         {run({"export", "nova", "--eligible", "--json"}), run({"export", "kubevirt", "--eligible", "--json"})}},
    };
    for (const auto &command : cli::commandTable()) {
        if (visibleOptions(command).contains("json")) {
            EXPECT_TRUE(outputs.contains(std::string(command.name))) << "no output of " << command.name << " read";
        }
    }
    for (const auto &[name, documents] : outputs) {
        std::set<std::string> written;
        for (const auto &document : documents)
            collectKeys(document, written);
        const std::string section = sectionsOf(name);
        for (const auto &key : written)
            EXPECT_TRUE(mentions(section, key))
                << name << " --json writes '" << key << "', docs/JSON.md does not say it";
        for (const auto &key : listedKeys(ownSectionsOf(name)))
            EXPECT_TRUE(written.contains(key))
                << "docs/JSON.md lists '" << key << "' for " << name << ", never written";
    }
}
