// Entry point of the Cockpit page (index.html loads Cockpit's ../base1/cockpit.js and the translations first, then
// this bundle).
import "@patternfly/patternfly/patternfly-base.css";
import "./index.css";
import React from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.jsx";
import { followCockpitStyle } from "./dark-theme.js";

followCockpitStyle();
document.addEventListener("DOMContentLoaded", () => {
    createRoot(document.getElementById("app")).render(<App />);
});
