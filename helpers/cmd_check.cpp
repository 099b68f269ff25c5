// vfioctl check: can this host do PCI passthrough, and what to change if not (in the spirit of virt-host-validate).
#include "command.h"
#include "host_check.h"
#include "json_views.h"
#include "libvirt_hypervisor.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

// 0 everything passes, 1 warnings only, 2 a failure (documented in README).
int exitCodeOf(Verdict overall)
{
    return overall == Verdict::Fail ? 2 : overall == Verdict::Warn ? 1 : 0;
}

std::string lowercase(std::string text)
{
    for (auto &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

} // namespace

void declareCheck(CommandOptions &options)
{
    addJsonOption(options);
}

int runCheck(CommandContext &context)
{
    const po::variables_map &values = context.values;
    HostFacts facts = gatherHostFacts(context.host);
    if (context.liveHost) // the library this very process runs with, through libvirt's own API
        facts.libvirtVersion = loadedLibvirtVersion();
    const std::vector<CheckResult> results = checkHost(facts);
    const Verdict overall = overallVerdict(results);
    const std::optional<std::string> blocker = firstBlocker(results);
    const bool possible = !blocker;
    if (values.count("json")) {
        Json checks = Json::array();
        for (const auto &result : results)
            checks.push_back({{"id", result.id},
                              {"title", result.title},
                              {"verdict", lowercase(verdictName(result.verdict))},
                              {"evidence", result.evidence},
                              {"fix", result.fix.empty() ? Json(nullptr) : Json(result.fix)},
                              {"blocks_passthrough", result.blocksPassthrough}});
        context.out << jsonText(Json{{"verdict", lowercase(verdictName(overall))},
                                     {"passthrough_possible", possible},
                                     {"blocker", blocker ? Json(*blocker) : Json(nullptr)},
                                     {"checks", checks}})
                    << "\n";
        return exitCodeOf(overall);
    }
    size_t width = 0;
    for (const auto &result : results)
        width = std::max(width, result.title.size());
    for (const auto &result : results) {
        context.out << verdictName(result.verdict) << "  " << result.title
                    << std::string(width - result.title.size() + 2, ' ') << result.evidence << "\n";
        if (!result.fix.empty() && result.verdict != Verdict::Pass)
            context.out << std::string(6 + width + 2, ' ') << "fix: " << result.fix << "\n";
    }
    context.out << "\n"
                << (possible
                        ? (overall == Verdict::Pass ? "PCI passthrough can work on this host.\n"
                                                    : "PCI passthrough can work on this host; see the notes above.\n")
                        : "PCI passthrough cannot work on this host until the failures marked above are fixed; "
                          "vfioctl bind and the libvirt hook refuse until then.\n");
    return exitCodeOf(overall);
}

} // namespace vfioctl::cli
