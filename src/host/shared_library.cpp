#include "shared_library.h"

#include <dlfcn.h>

namespace vfioctl {

std::optional<SharedLibrary> SharedLibrary::open(const char *soname)
{
    void *handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return std::nullopt;
    return SharedLibrary(handle);
}

void *SharedLibrary::symbol(const char *name) const
{
    return ::dlsym(handle_, name);
}

} // namespace vfioctl
