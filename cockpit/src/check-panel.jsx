// The host check (`vfioctl check --json`) at the top of the page: one line of verdict, every check with its evidence
// and fix on demand. A check that blocks passthrough freezes every action that would bind (frozenReason).
/* global cockpit */
import React, { useState } from "react";
import { Alert, ExpandableSection, Label, List, ListItem } from "./patternfly.js";

const _ = cockpit.gettext;

const COLORS = { pass: "green", info: "blue", warn: "orange", fail: "red" };
const WORDS = { pass: "PASS", info: "INFO", warn: "WARN", fail: "FAIL" };

// The sentence that disables binding actions, or null: vfioctl's own, the one bind and the hook refuse with.
export function frozenReason(check) {
    return check && !check.passthrough_possible ? check.blocker : null;
}

function summary(check) {
    const count = verdict => check.checks.filter(one => one.verdict === verdict).length;
    if (!check.passthrough_possible)
        return { variant: "danger", title: frozenReason(check) };
    if (count("warn") > 0)
        return {
            variant: "warning",
            title: cockpit.format(cockpit.ngettext("This host can pass devices through; $0 check warns",
                                                   "This host can pass devices through; $0 checks warn",
                                                   count("warn")), count("warn")),
        };
    return { variant: "success", title: _("This host can pass devices through") };
}

export function CheckPanel({ check, error }) {
    const [expanded, setExpanded] = useState(null);
    if (error)
        return <Alert variant="danger" isInline title={error} data-testid="check-error" />;
    if (!check)
        return null;
    const { variant, title } = summary(check);
    const open = expanded === null ? !check.passthrough_possible : expanded;
    return (
        <div data-testid="check-panel" data-verdict={check.verdict} data-frozen={String(!check.passthrough_possible)}>
            <Alert variant={variant} isInline title={title} data-testid="check-summary" />
            <ExpandableSection toggleText={open ? _("Hide the host check") : _("Show the host check")}
                               isExpanded={open} onToggle={(_event, value) => setExpanded(value)}>
                <List isPlain>
                    {check.checks.map(one => (
                        <ListItem key={one.id} data-check={one.id} data-check-verdict={one.verdict}>
                            <Label color={COLORS[one.verdict]}>{WORDS[one.verdict]}</Label>{" "}
                            <strong>{one.title}</strong>: {one.evidence}
                            {one.fix && <div className="vfioctl-fix">{cockpit.format(_("Fix: $0"), one.fix)}</div>}
                        </ListItem>
                    ))}
                </List>
            </ExpandableSection>
        </div>
    );
}
