#include "module_loader.h"

#include "error.h"
#include "shared_library.h"

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
        auto loaded = SharedLibrary::load<Kmod>(
            "libkmod.so.2", symbol(&Kmod::newContext, "kmod_new"), symbol(&Kmod::unref, "kmod_unref"),
            symbol(&Kmod::lookup, "kmod_module_new_from_lookup"), symbol(&Kmod::unrefList, "kmod_module_unref_list"),
            symbol(&Kmod::listNext, "kmod_list_next"), symbol(&Kmod::getModule, "kmod_module_get_module"),
            symbol(&Kmod::probeInsert, "kmod_module_probe_insert_module"),
            symbol(&Kmod::unrefModule, "kmod_module_unref"));
        if (!loaded)
            throw Error("cannot load kernel modules: libkmod.so.2 is missing or lacks a function vfioctl uses (install "
                        "the libkmod2 package)",
                        ENOENT);
        return *loaded;
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
