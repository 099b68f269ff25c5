// Follows Cockpit's style switch (light, dark, or the system's) as Cockpit's own pages do: the shell keeps the choice
// in localStorage "shell:style" and announces a change with a "cockpit-style" event; PatternFly 5 draws its dark
// theme under the pf-v5-theme-dark class on the root element.
function apply(style) {
    const chosen = style || localStorage.getItem("shell:style") || "auto";
    const systemDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    const dark = chosen === "dark" || (chosen === "auto" && systemDark);
    document.documentElement.classList.toggle("pf-v5-theme-dark", dark);
}

export function followCockpitStyle() {
    window.addEventListener("storage", event => {
        if (event.key === "shell:style")
            apply();
    });
    window.addEventListener("cockpit-style", event => apply(event.detail && event.detail.style));
    if (window.matchMedia)
        window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => apply());
    apply();
}
