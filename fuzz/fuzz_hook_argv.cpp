// libFuzzer target: the hook's argv (NUL-separated words in the input) and its step dispatch on a fake that has
// nothing, so only argument handling and the no-op paths run.
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
        // An accepted VM name becomes a journal file name: never a path.
        if (arguments.vm.find('/') != std::string::npos || arguments.vm == "." || arguments.vm == "..")
            std::abort();
    } catch (const vfioctl::Error &) {
    }
    return 0;
}
