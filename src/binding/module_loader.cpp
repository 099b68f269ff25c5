#include "module_loader.h"

#include "error.h"

#include <dlfcn.h>
#include <libkmod.h>

namespace vfioctl {

namespace {

// libkmod is opened only when a module has to be loaded: the hook's common path (a VM without PCI devices, or
// vfio-pci already loaded) then never maps libkmod and the compression and crypto libraries it brings
// (docs/PERFORMANCE.md: the hook's memory).
struct Kmod {
    decltype(&kmod_new) newContext;
    decltype(&kmod_unref) unref;
    decltype(&kmod_module_new_from_lookup) lookup;
    decltype(&kmod_module_unref_list) unrefList;
    decltype(&kmod_list_next) listNext;
    decltype(&kmod_module_get_module) getModule;
    decltype(&kmod_module_probe_insert_module) probeInsert;
    decltype(&kmod_module_unref) unrefModule;
};

const Kmod &kmod()
{
    static const Kmod functions = [] {
        void *library = ::dlopen("libkmod.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!library)
            throw Error("cannot load kernel modules: libkmod.so.2 is missing (install the libkmod2 package)", ENOENT);
        auto symbol = [&](const char *name) {
            void *found = ::dlsym(library, name);
            if (!found)
                throw Error(std::string("cannot load kernel modules: libkmod.so.2 has no ") + name, ENOENT);
            return found;
        };
        Kmod loaded;
        loaded.newContext = reinterpret_cast<decltype(&kmod_new)>(symbol("kmod_new"));
        loaded.unref = reinterpret_cast<decltype(&kmod_unref)>(symbol("kmod_unref"));
        loaded.lookup = reinterpret_cast<decltype(&kmod_module_new_from_lookup)>(symbol("kmod_module_new_from_lookup"));
        loaded.unrefList = reinterpret_cast<decltype(&kmod_module_unref_list)>(symbol("kmod_module_unref_list"));
        loaded.listNext = reinterpret_cast<decltype(&kmod_list_next)>(symbol("kmod_list_next"));
        loaded.getModule = reinterpret_cast<decltype(&kmod_module_get_module)>(symbol("kmod_module_get_module"));
        loaded.probeInsert =
            reinterpret_cast<decltype(&kmod_module_probe_insert_module)>(symbol("kmod_module_probe_insert_module"));
        loaded.unrefModule = reinterpret_cast<decltype(&kmod_module_unref)>(symbol("kmod_module_unref"));
        return loaded;
    }();
    return functions;
}

class KmodLoader : public ModuleLoader {
public:
    void load(const std::string &name) override
    {
        const Kmod &k = kmod();
        std::unique_ptr<kmod_ctx, decltype(k.unref)> context(k.newContext(nullptr, nullptr), k.unref);
        if (!context)
            throw Error("cannot load " + name + ": libkmod could not open the module index", ENOMEM);
        kmod_list *found = nullptr;
        int error = k.lookup(context.get(), name.c_str(), &found);
        if (error < 0 || !found)
            throw Error("cannot load " + name +
                            ": no such module for the running kernel (is the vfio-pci module "
                            "installed?)",
                        ENOENT);
        std::unique_ptr<kmod_list, decltype(k.unrefList)> modules(found, k.unrefList);
        for (kmod_list *item = found; item; item = k.listNext(found, item)) {
            kmod_module *module = k.getModule(item);
            error = k.probeInsert(module, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, nullptr, nullptr, nullptr, nullptr);
            k.unrefModule(module);
            if (error < 0)
                throw Error("cannot load " + name + ": " + errnoText(-error), -error);
        }
    }
};

class RefusingModuleLoader : public ModuleLoader {
public:
    void load(const std::string &name) override
    {
        throw Error(name + " is not loaded in the --root tree, and modules can only be loaded on the live host",
                    ENOENT);
    }
};

} // namespace

std::unique_ptr<ModuleLoader> makeKmodLoader()
{
    return std::make_unique<KmodLoader>();
}

std::unique_ptr<ModuleLoader> makeRefusingLoader()
{
    return std::make_unique<RefusingModuleLoader>();
}

} // namespace vfioctl
