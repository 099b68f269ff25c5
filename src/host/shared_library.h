// A C library opened when first needed instead of linked: a command or a hook call that never uses it never maps
// it, nor the libraries it brings (docs/PERFORMANCE.md: libvirt alone is 12 MiB of every process that links it).
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace vfioctl {

class SharedLibrary {
public:
    // The library by its soname ("libvirt.so.0"), or nothing when it is not installed. It stays loaded for the
    // life of the process, so the functions taken from it stay valid.
    static std::optional<SharedLibrary> open(const char *soname);

    // The one way a library's functions are taken: a table (a struct of function pointers, each declared with the
    // C function's own type) filled from `soname`, one symbol(&Table::member, "c_name") per member. Nothing when
    // the library is not installed or lacks one of them.
    template <typename Table, typename... Functions>
    static std::optional<Table> load(const char *soname, std::pair<Functions Table::*, const char *>... symbols)
    {
        auto library = open(soname);
        Table table{};
        if (!library || !(library->bind(table.*(symbols.first), symbols.second) && ...))
            return std::nullopt;
        return table;
    }

private:
    // Points `function` at the library's `name`; false when the library has no such symbol.
    template <typename Function> bool bind(Function *&function, const char *name) const
    {
        function = reinterpret_cast<Function *>(symbol(name));
        return function != nullptr;
    }
    explicit SharedLibrary(void *handle) : handle_(handle) {}
    void *symbol(const char *name) const;
    void *handle_;
};

// One entry of SharedLibrary::load's table: the member and the name of the C function it points at.
template <typename Table, typename Function>
std::pair<Function Table::*, const char *> symbol(Function Table::*member, const char *name)
{
    return {member, name};
}

} // namespace vfioctl
