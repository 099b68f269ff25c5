// vfioctl sriov PF [N]: a physical function's VF counts and who holds each VF; N sets how many VFs exist.
#include "command.h"
#include "describe.h"
#include "json_views.h"
#include "sriov.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

int printState(CommandContext &context, const SriovState &state)
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
                                     {"vfs", vfs}})
                    << "\n";
        return exitOk;
    }
    context.out << state.pf.str() << "  driver " << orDash(state.driver) << "  " << state.counts.enabled << " of "
                << state.counts.total << " VFs enabled\n";
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
    options.visible.add_options()("force", "change the count even though VFs that go away are held or used");
    addJsonOption(options);
    options.hidden.add_options()("pf", po::value<std::string>())("count", po::value<int>());
    options.positional.add("pf", 1).add("count", 1);
}

int runSriov(CommandContext &context)
{
    if (!context.flag("pf"))
        throw UsageError("name an SR-IOV physical function", "sriov");
    const PciAddress pf = PciAddress::parse(context.values["pf"].as<std::string>());
    SriovControl control(context.host, context.engine());
    if (!context.flag("count"))
        return printState(context, control.state(pf));
    const int count = context.values["count"].as<int>();
    for (const auto &loss : control.setCount(pf, count, context.flag("force") ? Force::Yes : Force::No))
        context.err << "vfioctl: note: lost: " << loss << "\n";
    context.out << pf.str() << " now has " << count << " VF" << (count == 1 ? "" : "s") << "\n";
    return exitOk;
}

} // namespace vfioctl::cli
