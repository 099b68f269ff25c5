#include "mount_table.h"

#include "host_root.h"
#include "sysfs_value.h"

namespace vfioctl {

namespace {

// mountinfo escapes spaces and the like as \040 octal sequences.
std::string unescapeOctal(std::string_view text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            auto digits = text.substr(i + 1, 3);
            bool octal = digits.size() == 3 && digits.find_first_not_of("01234567") == std::string_view::npos;
            if (octal) {
                out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

} // namespace

MountTable parseMountTable(std::string_view mountInfo, std::string_view swaps)
{
    MountTable table;
    for (const auto &line : splitLines(mountInfo)) {
        // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
        auto fields = splitWords(line);
        if (fields.size() < 5)
            continue;
        std::string mountPoint = unescapeOctal(fields[4]);
        table.byMajorMinor[fields[2]].push_back(mountPoint);
        for (size_t i = 5; i + 2 < fields.size(); ++i) {
            if (fields[i] == "-") {
                std::string source = unescapeOctal(fields[i + 2]);
                if (source.starts_with("/dev/"))
                    table.bySource[baseName(source)].push_back(mountPoint);
                if (fields[i + 1] == "9p" || fields[i + 1] == "virtiofs")
                    table.byShareTag[source].push_back(mountPoint);
                break;
            }
        }
    }
    auto lines = splitLines(swaps);
    for (size_t i = 1; i < lines.size(); ++i) { // the first line is the header
        auto fields = splitWords(lines[i]);
        if (!fields.empty() && fields[0].starts_with("/dev/"))
            table.swapDevices.insert(baseName(unescapeOctal(fields[0])));
    }
    return table;
}

} // namespace vfioctl
