// `vfioctl check`: a table of checks, each naming the facts it reads and whether its failure makes passthrough
// impossible; and the freeze: bind and the hook refuse on the failure of a check that can block, running exactly
// those checks on exactly the facts they need.
#pragma once

#include "host_facts.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

enum class Verdict { Pass, Info, Warn, Fail };

// What one check found, built by pass() / info() / warn() / fail().
struct Finding {
    Verdict verdict = Verdict::Pass;
    std::string evidence; // what was read, as a sentence
    std::string fix;      // for Info/Warn/Fail: what to do; may be empty
};
Finding pass(std::string evidence);
Finding info(std::string evidence, std::string fix = "");
Finding warn(std::string evidence, std::string fix = "");
Finding fail(std::string evidence, std::string fix);

// Yes: a failure of this check makes binding pointless, so bind and the hook refuse on it (the freeze).
enum class CanBlock { No, Yes };

struct HostCheck {
    std::string_view id;    // stable, for --json consumers: "iommu", "vfio-modules"
    std::string_view title; // "IOMMU enabled"
    FactSet needs;          // the only facts run() reads
    CanBlock canBlock;
    Finding (*run)(const HostFacts &facts);
};

// Every check, in the order `vfioctl check` prints them (README and the man page list the same ids).
std::span<const HostCheck> hostChecks();

struct CheckResult {
    std::string id;
    std::string title;
    Verdict verdict = Verdict::Pass;
    std::string evidence;
    std::string fix;
    bool blocksPassthrough = false; // a check that can block, failed
};

CheckResult runCheck(const HostCheck &check, const HostFacts &facts);
std::vector<CheckResult> checkHost(const HostFacts &facts);
std::string verdictName(Verdict verdict); // "PASS", "INFO", "WARN", "FAIL"
// The worst verdict of all: Info counts as Pass.
Verdict overallVerdict(const std::vector<CheckResult> &results);

// The sentence bind and the hook refuse with, for a result that blocks passthrough.
std::string blockerSentence(const CheckResult &result);
// The first blocking result's sentence, or nothing.
std::optional<std::string> firstBlocker(const std::vector<CheckResult> &results);

// The facts the checks that can block read: what the freeze gathers.
FactSet factsToBlock();
// One sentence naming the first failure that makes passthrough impossible on this host, or nothing.
// `devices`: those about to be bound, which stand for the host where they can (gatherHostFacts).
std::optional<std::string> passthroughBlocker(const HostRoot &host, const std::vector<PciAddress> &devices = {});

} // namespace vfioctl
