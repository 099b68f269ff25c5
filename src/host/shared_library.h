// A C library opened when first needed instead of linked: a command or a hook call that never uses it never maps
// it, nor the libraries it brings (docs/PERFORMANCE.md: libvirt alone is 12 MiB of every process that links it).
#pragma once

#include <optional>
#include <string>

namespace vfioctl {

class SharedLibrary {
public:
    // The library by its soname ("libvirt.so.0"), or nothing when it is not installed. It stays loaded for the
    // life of the process, so the functions taken from it stay valid.
    static std::optional<SharedLibrary> open(const char *soname);

    // Points `function` at the library's `name`; false when the library has no such symbol.
    template <typename Function> bool bind(Function *&function, const char *name) const
    {
        function = reinterpret_cast<Function *>(symbol(name));
        return function != nullptr;
    }

private:
    explicit SharedLibrary(void *handle) : handle_(handle) {}
    void *symbol(const char *name) const;
    void *handle_;
};

} // namespace vfioctl
