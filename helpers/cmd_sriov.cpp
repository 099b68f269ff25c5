// vfioctl sriov PF [N]: a physical function's VF counts and who holds each VF; N sets how many VFs exist.
#include "command.h"
#include "describe.h"
#include "json_views.h"
#include "sriov.h"
#include "sriov_persistence.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <optional>
#include <ostream>

namespace vfioctl::cli {

namespace {

int printState(CommandContext &context, const SriovState &state, const std::optional<KeptVfCount> &kept)
{
    if (context.flag("json")) {
        Json vfs = Json::array();
        for (const auto &vf : state.vfs)
            vfs.push_back(
                {{"address", vf.address.str()},
                 {"driver", vf.driver.empty() ? Json(nullptr) : Json(vf.driver)},
                 {"held_by", vf.heldBy ? Json{{"owner", vf.heldBy->name()}, {"owner_kind", vf.heldBy->kindName()}}
                                       : Json(nullptr)},
                 {"host_uses", vf.hostUses}});
        context.out << jsonText(Json{{"pf", state.pf.str()},
                                     {"driver", state.driver.empty() ? Json(nullptr) : Json(state.driver)},
                                     {"total_vfs", state.counts.total},
                                     {"enabled_vfs", state.counts.enabled},
                                     {"persisted_vfs", kept ? Json(kept->count) : Json(nullptr)},
                                     {"vfs", vfs}})
                    << "\n";
        return exitOk;
    }
    context.out << state.pf.str() << "  driver " << orDash(state.driver) << "  " << state.counts.enabled << " of "
                << state.counts.total << " VFs enabled";
    if (kept)
        context.out << ", " << kept->count << " set at boot";
    context.out << "\n";
    if (state.vfs.empty())
        return exitOk;
    TextTable table({"VF", "DRIVER", "HELD BY", "HOST USE"});
    for (const auto &vf : state.vfs)
        table.addRow({vf.address.str(), orDash(vf.driver), vf.heldBy ? vf.heldBy->label() : "-",
                      vf.hostUses.empty() ? "-" : joinWith(vf.hostUses, "; ")});
    context.out << "\n";
    table.print(context.out);
    return exitOk;
}

} // namespace

void declareSriov(CommandOptions &options)
{
    options.visible.add_options()("force", "change the count even though VFs that go away are held or used")(
        "persist", "set this count again at every boot (without N: the count now)");
    addJsonOption(options);
    options.hidden.add_options()("pf", po::value<std::string>())("count", po::value<int>());
    options.positional.add("pf", 1).add("count", 1);
}

int runSriov(CommandContext &context)
{
    if (!context.flag("pf"))
        throw UsageError("name an SR-IOV physical function", "sriov");
    const PciAddress pf = deviceArgument(context.values["pf"].as<std::string>());
    SriovControl control(context.host, context.engine());
    SriovPersistStore kept(context.host);
    if (!context.flag("count") && !context.flag("persist"))
        return printState(context, control.state(pf), kept.keptCount(pf));
    const auto vfs = [](int count) { return std::to_string(count) + (count == 1 ? " VF" : " VFs"); };
    int count = 0;
    if (context.flag("count")) {
        count = context.values["count"].as<int>();
        for (const auto &loss : control.setCount(pf, count, context.flag("force") ? Force::Yes : Force::No))
            context.err << "vfioctl: note: lost: " << loss << "\n";
        context.out << pf.str() << " now has " << vfs(count) << "\n";
    } else { // --persist alone keeps the count it has: nothing changes now
        count = control.state(pf).counts.enabled;
        context.out << pf.str() << " has " << vfs(count) << "\n";
    }
    if (context.flag("persist")) {
        kept.keepCount({pf, count});
        context.out << "set again when its driver binds at boot ('vfioctl unpersist --sriov " << pf.str()
                    << "' stops that)\n";
    }
    return exitOk;
}

} // namespace vfioctl::cli
