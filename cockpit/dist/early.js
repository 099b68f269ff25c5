// Starts the page's first reads (the listing and who holds what) as soon as Cockpit's script and the manifests are
// loaded, while the stylesheet and the page's own bundle still load: on a host of thousands of functions the
// listing is most of the wait. Plain script, no module: index.html loads it right after ../manifests.js, and
// vfioctl.js takes each answer once (the same command, the same options it would spawn itself).
/* global cockpit */
(function () {
    const manifest = (cockpit.manifests || {}).vfioctl;
    const condition = ((manifest || {}).conditions || []).find(one => one["path-exists"]);
    if (!condition)
        return; // vfioctl.js says why, when it runs the command itself
    const path = condition["path-exists"];
    const started = {};
    for (const args of [["list", "--type", "all", "--json"], ["status", "--json"]])
        started[args.join(" ")] = cockpit.spawn([path, ...args], { superuser: "try", err: "message" });
    window.vfioctlStarted = started;
})();
