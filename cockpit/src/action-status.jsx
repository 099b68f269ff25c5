// An action's progress and its failure, inside the dialog that started it.
/* global cockpit */
import React from "react";
import { Alert, Spinner } from "./patternfly.js";

const _ = cockpit.gettext;

export function ActionStatus({ running, error }) {
    return (
        <>
            {running && <Alert variant="info" isInline customIcon={<Spinner size="md" />}
                               title={cockpit.format(_("$0…"), running)} data-testid="progress" />}
            {error && <Alert variant="danger" isInline title={error} data-testid="action-error" />}
        </>
    );
}
