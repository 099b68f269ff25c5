// The page's reader of `vfioctl list --json` (src/listing-reader.js) against the real command: whatever pieces the
// bridge hands over, it answers exactly what JSON.parse gives for the whole text, hands every device to `parsed`
// once, parses any other layout whole, and fails on a text cut short.
// Usage: node check-listing-reader.mjs VFIOCTL MAKE_SYNTHETIC_HOST
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";

const here = new URL(".", import.meta.url).pathname;
// The page's sources are ES modules in a package that is not one: loaded from their text.
const load = name => import("data:text/javascript," + encodeURIComponent(readFileSync(here + "src/" + name, "utf8")));
const { listingReader } = await load("listing-reader.js");
const { LISTING } = await load("first-reads.js");

const [vfioctl, makeHost] = process.argv.slice(2);
const root = execFileSync(makeHost, ["workstation"], { encoding: "utf8" }).split(/\s+/)[0];
let checked = 0;
try {
    for (const args of [["list", "--type", "all", "--json"], LISTING]) {
        const text = execFileSync(vfioctl, ["--root", root, ...args], { encoding: "utf8" });
        const whole = JSON.parse(text);
        let seed = 7;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        for (const size of [1, 2, 17, 4096, 65536, text.length, "random"]) {
            const got = {};
            const reader = listingReader((type, devices) => (got[type] = got[type] || []).push(...devices));
            for (let at = 0; at < text.length;) {
                const step = size === "random" ? 1 + Math.floor(random() * 300) : size;
                reader.feed(text.slice(at, at + step));
                at += step;
            }
            deepStrictEqual(reader.end(), whole, `${args.join(" ")} in pieces of ${size}`);
            for (const type of Object.keys(whole))
                deepStrictEqual(got[type] || [], whole[type], `every ${type} device handed over once`);
            checked++;
        }
        const other = listingReader();
        other.feed(JSON.stringify(whole, null, 4));
        deepStrictEqual(other.end(), whole, "another layout is parsed whole");
        const cut = listingReader();
        cut.feed(text.slice(0, Math.floor(text.length / 2)));
        throws(() => cut.end(), SyntaxError, "a listing cut short is not an answer");
        strictEqual(whole.pci.length > 0 && ["usb", "net", "block"].every(type => whole[type].length > 0), true,
                    "the workstation has devices of every kind the page shows below a PCI function");
    }
} finally {
    rmSync(root, { recursive: true, force: true });
}
console.log(`the listing reader gives JSON.parse's answer for ${checked} ways of cutting two listings`);
