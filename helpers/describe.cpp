#include "describe.h"

#include "json_views.h"

namespace vfioctl::cli {

std::string orDash(const std::string &text)
{
    return text.empty() ? "-" : text;
}

std::string describePci(const PciDevice &device)
{
    std::string className = device.className().empty() ? "Class" : device.className();
    std::string vendor = device.vendorName().empty() ? "Vendor" : device.vendorName();
    std::string name = device.deviceName().empty() ? "Device" : device.deviceName();
    std::string text = className + " [" + hexId(device.classCode >> 8, 4) + "]: " + vendor + " " + name + " [" +
                       hexId(device.vendorId, 4) + ":" + hexId(device.deviceId, 4) + "]";
    if (device.revision)
        text += " (rev " + hexId(device.revision, 2) + ")";
    return text;
}

std::string describeUsb(const UsbDevice &device)
{
    std::string text = hexId(device.vendorId, 4) + ":" + hexId(device.productId, 4);
    std::string name = device.vendorName;
    if (!device.productName.empty())
        name += (name.empty() ? "" : " ") + device.productName;
    return name.empty() ? text : text + " " + name;
}

std::string passthroughText(const Eligibility &eligibility)
{
    if (!eligibility.eligible())
        return "no";
    return eligibility.handoff ? "hand-off" : "yes";
}

std::string handoffNote(const ConsoleHandoffNeed &need)
{
    std::string text = "only with a console hand-off (console=\"handoff\" in the VM's <vfioctl:policy>, or "
                       "--console-handoff); meanwhile the host loses ";
    for (size_t index = 0; index < need.hostLoses.size(); ++index)
        text += (index == 0 ? "" : ", ") + need.hostLoses[index];
    return text;
}

} // namespace vfioctl::cli
