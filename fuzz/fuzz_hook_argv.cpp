// libFuzzer target: the hook's argv (NUL-separated words in the input).
#include "error.h"
#include "hook_arguments.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::vector<std::string> words(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0)
            words.emplace_back();
        else
            words.back().push_back(static_cast<char>(data[i]));
    }
    try {
        vfioctl::hook::HookArguments arguments = vfioctl::hook::parseHookArguments(words);
        // What was accepted is what was given: the name whole (it is only shown), the operations plain words.
        if (arguments.vm != words[0] || arguments.vm.empty() || arguments.operation.find(' ') != std::string::npos)
            std::abort();
    } catch (const vfioctl::Error &) {
    }
    return 0;
}
