// `vfioctl check`: can this host do PCI passthrough, and if not, what exactly must change. Also the freeze: the
// failures that make binding pointless, which bind and the hook refuse on.
#pragma once

#include "host_facts.h"

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class Verdict { Pass, Info, Warn, Fail };

struct CheckResult {
    std::string id;    // stable, for --json consumers: "iommu", "vfio-modules"
    std::string title; // "IOMMU enabled"
    Verdict verdict = Verdict::Pass;
    std::string evidence; // what was read, as a sentence
    std::string fix;      // for Warn/Fail: what to do; may be empty
    bool blocksPassthrough = false;
};

std::vector<CheckResult> checkHost(const HostFacts &facts);
std::string verdictName(Verdict verdict); // "PASS", "INFO", "WARN", "FAIL"
// The worst verdict of all: Info counts as Pass.
Verdict overallVerdict(const std::vector<CheckResult> &results);

// One sentence naming the first failure that makes passthrough impossible on this host, or nothing.
// `devices`: those about to be bound, which stand for the host where they can (gatherHostFacts).
std::optional<std::string> passthroughBlocker(const HostRoot &host, const std::vector<PciAddress> &devices = {});

} // namespace vfioctl
