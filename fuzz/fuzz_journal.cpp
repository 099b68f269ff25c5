// libFuzzer target: the journal reader. A journal that parses must say exactly what it said: serialising and
// parsing again gives the same journal, so nothing is ever acted on half-read.
#include "bind_journal.h"
#include "error.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    vfioctl::Journal journal;
    try {
        journal = vfioctl::parseJournal(text, "fuzz.journal");
    } catch (const vfioctl::Error &) {
        return 0;
    }
    std::string again = vfioctl::serializeJournal(journal);
    vfioctl::Journal reparsed = vfioctl::parseJournal(again, "fuzz.journal");
    if (vfioctl::serializeJournal(reparsed) != again)
        std::abort();
    return 0;
}
