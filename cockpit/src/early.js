// Starts the page's first reads (the listing and who holds what) as soon as Cockpit's script and the manifests are
// loaded, while the stylesheet and the page's own bundle still load: on a host of thousands of functions the
// listing is most of the wait. Built into its own plain script (build.mjs), which index.html loads right after
// ../manifests.js; vfioctl.js takes each answer once (the same arguments, first-reads.js).
/* global cockpit */
import { FIRST_READS } from "./first-reads.js";

const manifest = (cockpit.manifests || {}).vfioctl;
const condition = ((manifest || {}).conditions || []).find(one => one["path-exists"]);
if (condition) { // without it vfioctl.js says why, when it runs the command itself
    const path = condition["path-exists"];
    const started = {};
    for (const args of FIRST_READS)
        started[args.join(" ")] = cockpit.spawn([path, ...args], { superuser: "try", err: "message" });
    window.vfioctlStarted = started;
}
