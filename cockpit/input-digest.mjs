// The digest of everything dist/ is built from: the sources, the build script and the lock file that pins every npm
// package. build.mjs writes it to dist/BUILT-FROM; check-dist.mjs compares (no npm needed).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

export function inputDigest(top) {
    const files = ["build.mjs", "input-digest.mjs", "po/template.mjs", "package.json", "package-lock.json",
        ...readdirSync(top + "src").sort().map(name => "src/" + name)];
    const hash = createHash("sha256");
    for (const file of files)
        hash.update(file + "\0").update(readFileSync(top + file)).update("\0");
    return "sha256:" + hash.digest("hex");
}
