#include "module_loader.h"

#include "error.h"
#include "host_root.h"

#include <libkmod.h>

namespace vfioctl {

namespace {

class KmodLoader : public ModuleLoader {
public:
    void load(const std::string &name) override
    {
        std::unique_ptr<kmod_ctx, decltype(&kmod_unref)> context(kmod_new(nullptr, nullptr), kmod_unref);
        if (!context)
            throw Error("cannot load " + name + ": libkmod could not open the module index", ENOMEM);
        kmod_list *found = nullptr;
        int error = kmod_module_new_from_lookup(context.get(), name.c_str(), &found);
        if (error < 0 || !found)
            throw Error("cannot load " + name +
                            ": no such module for the running kernel (is the vfio-pci module "
                            "installed?)",
                        ENOENT);
        std::unique_ptr<kmod_list, decltype(&kmod_module_unref_list)> modules(found, kmod_module_unref_list);
        kmod_list *item;
        kmod_list_foreach(item, modules.get())
        {
            kmod_module *module = kmod_module_get_module(item);
            error = kmod_module_probe_insert_module(module, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, nullptr, nullptr,
                                                    nullptr, nullptr);
            kmod_module_unref(module);
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

std::unique_ptr<ModuleLoader> makeLoaderFor(const HostRoot &host)
{
    const auto *directory = dynamic_cast<const DirectoryHostRoot *>(&host);
    bool live = directory && directory->base().empty();
    return live ? makeKmodLoader() : makeRefusingLoader();
}

} // namespace vfioctl
