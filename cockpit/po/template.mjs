// The translation template (po/vfioctl.pot) from the page's sources: every string passed to cockpit.gettext (as
// `_("...")`) or cockpit.ngettext, with where it is used, as xgettext writes it. build.mjs writes it beside the
// bundle; check-dist.mjs fails when it is stale. Translators copy it to po/LANG.po.
import { readdirSync, readFileSync } from "node:fs";

const CALL = /(?:\b_|cockpit\.gettext)\(\s*"((?:[^"\\]|\\.)*)"\s*\)|cockpit\.ngettext\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"/g;

export function template(top) {
    const entries = new Map(); // msgid -> { plural, places }
    for (const name of readdirSync(top + "src").sort().filter(one => /\.jsx?$/.test(one))) {
        const text = readFileSync(top + "src/" + name, "utf8");
        for (const match of text.matchAll(CALL)) {
            const line = text.slice(0, match.index).split("\n").length;
            const id = match[1] ?? match[2];
            const entry = entries.get(id) || { plural: match[3], places: [] };
            entry.places.push(`src/${name}:${line}`);
            entries.set(id, entry);
        }
    }
    let out = 'msgid ""\nmsgstr ""\n"Project-Id-Version: vfioctl\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n';
    for (const [id, { plural, places }] of entries) {
        out += `\n#: ${places.join(" ")}\n#, javascript-format\nmsgid "${id}"\n`;
        out += plural ? `msgid_plural "${plural}"\nmsgstr[0] ""\nmsgstr[1] ""\n` : 'msgstr ""\n';
    }
    return out;
}
