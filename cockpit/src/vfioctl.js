// Every fact the page shows comes from vfioctl itself: this runs vfioctl through the Cockpit bridge (as root where
// the session may become root) and hands back its JSON, or fails with vfioctl's own sentence. The executable is the
// one the manifest's condition checks ("path-exists"), never whatever PATH finds first.
/* global cockpit */
import { LISTING } from "./first-reads.js";
import { listingReader } from "./listing-reader.js";

const _ = cockpit.gettext;

// "vfioctl: error: the host uses it ..." -> "the host uses it ...": the sentence is vfioctl's, the prefix is noise.
export function sentence(text) {
    const lines = String(text || "").trim().split("\n").filter(line => line.trim() !== "");
    const error = lines.find(line => line.startsWith("vfioctl: error: ")) || lines[lines.length - 1] || "";
    return error.replace(/^vfioctl: (error|note): /, "");
}

export class VfioctlError extends Error {
    constructor(message, exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }
}

// The path manifest.json's condition names (install.sh and the .deb write the one they installed): from the
// manifests Cockpit hands its pages (../manifests.js), or read from the package itself.
let commandPath = null;
function pathIn(manifest) {
    const condition = ((manifest || {}).conditions || []).find(one => one["path-exists"]);
    return condition ? condition["path-exists"] : null;
}
export function command() {
    if (!commandPath) {
        const known = pathIn((cockpit.manifests || {}).vfioctl);
        commandPath = known ? Promise.resolve(known)
            : fetch("manifest.json").then(response => response.json()).then(pathIn, () => null);
    }
    return commandPath;
}

// A command early.js started for the first load, taken once; null for any other.
function takeStarted(args) {
    const started = window.vfioctlStarted || {};
    const key = args.join(" ");
    const process = started[key] || null;
    delete started[key];
    return process;
}

// Resolves with { out, err }; rejects with a VfioctlError holding vfioctl's sentence. Exit codes in `answers` are
// answers, not failures (`vfioctl check` exits 1 for warnings and 2 for a failed check, its report on stdout).
// With `stream`, the output goes to it as it comes, and `out` is only what came before it was attached.
export function run(args, answers = [], stream = null) {
    return command().then(path => new Promise((resolve, reject) => {
        if (!path) {
            reject(new VfioctlError(_("the page's manifest does not say where vfioctl is installed"), null));
            return;
        }
        const process = takeStarted(args) || cockpit.spawn([path, ...args], { superuser: "try", err: "message" });
        if (stream)
            process.stream(stream);
        process.then((out, message) => resolve({ out, err: message || "" }))
                .catch((failure, out) => {
                    if (answers.includes(failure.exit_status) && out)
                        resolve({ out, err: failure.message || "" });
                    else if (failure.problem === "not-found")
                        reject(new VfioctlError(cockpit.format(_("vfioctl is not installed at $0"), path), null));
                    else
                        reject(new VfioctlError(sentence(failure.message) || String(failure), failure.exit_status));
                });
    }));
}

export async function json(args, answers = []) {
    const { out } = await run([...args, "--json"], answers);
    return JSON.parse(out);
}

// Every device the table shows (first-reads.js), parsed while vfioctl's answer still arrives (`parsed`: see
// listingReader).
export async function listing(parsed = null) {
    const reader = listingReader(parsed);
    const { out } = await run(LISTING, [], chunk => reader.feed(chunk));
    if (out)
        reader.feed(out);
    return reader.end();
}

// Calls back when anything under vfioctl's state directory changes (a VM started or stopped, someone ran vfioctl
// by hand): at once for the first change, and once more after the call ends if more came meanwhile (a bind writes
// its journal twice), so a burst is two reads, not one a change.
export function watchState(directory, changed) {
    const channels = [directory, directory + "/owners"].map(path => {
        const channel = cockpit.channel({ payload: "fswatch1", path, superuser: "try" });
        channel.addEventListener("message", () => schedule());
        return channel;
    });
    let running = false;
    let again = false;
    function schedule() {
        if (running) {
            again = true;
            return;
        }
        running = true;
        again = false;
        Promise.resolve(changed()).catch(() => {}).finally(() => {
            running = false;
            if (again)
                schedule();
        });
    }
    return () => channels.forEach(channel => channel.close());
}
