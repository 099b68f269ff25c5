// The "Host devices" page: the host check, every host device with what vfioctl says about it, the selected device's
// details and the actions. Everything is read again after an action and whenever vfioctl's state directory changes.
/* global cockpit */
import React, { useCallback, useEffect, useRef, useState } from "react";
import {
    Alert, AlertActionCloseButton, AlertGroup, Bullseye, EmptyState, EmptyStateBody, EmptyStateHeader,
    Page, PageSection, Spinner, Title,
} from "@patternfly/react-core";
import { AssignDialog } from "./assign-dialog.jsx";
import { CheckPanel, frozenReason } from "./check-panel.jsx";
import { DeviceDetails } from "./device-details.jsx";
import { DeviceTable } from "./device-table.jsx";
import { buildRows } from "./device-rows.js";
import { json, run, watchState } from "./vfioctl.js";

const _ = cockpit.gettext;
const SUCCESS_SHOWN_MS = 8000;

// Each part is shown as soon as vfioctl answers it: the table does not wait for the check or the persisted list.
// Every load carries a generation, and an answer older than the one a part already shows is dropped: a slow read
// started before a change never paints over a newer one.
function useHost() {
    const [host, setHost] = useState({
        rows: null, error: null, check: null, checkError: null, persisted: null, persistedError: null,
    });
    const generation = useRef(0);
    const shown = useRef({});
    const load = useCallback(() => {
        const mine = ++generation.current;
        const show = (part, value) => {
            if ((shown.current[part] || 0) > mine)
                return;
            shown.current[part] = mine;
            setHost(previous => ({ ...previous, ...value }));
        };
        return Promise.allSettled([
            Promise.all([json(["list", "--type", "all"]), json(["status"])]).then(
                ([list, status]) => show("rows", {
                    rows: buildRows(list, status), error: null, stateDirectory: status.state_directory,
                }),
                failure => show("rows", { rows: null, error: failure.message })),
            json(["check"], [1, 2]).then(check => show("check", { check, checkError: null }),
                                         failure => show("check", { check: null, checkError: failure.message })),
            json(["persist", "--list"]).then(
                value => show("persisted", { persisted: value.persisted, persistedError: null }),
                failure => show("persisted", { persisted: null, persistedError: failure.message })),
        ]);
    }, []);
    useEffect(() => { load() }, [load]);
    useEffect(() => host.stateDirectory ? watchState(host.stateDirectory, load) : undefined, [host.stateDirectory, load]);
    return [host, load];
}

function Notices({ alerts, onDismiss }) {
    return (
        <AlertGroup isToast isLiveRegion data-testid="alerts">
            {alerts.map(alert => (
                <Alert key={alert.key} variant="success" title={alert.title} data-testid="alert-success"
                       timeout={SUCCESS_SHOWN_MS} onTimeout={() => onDismiss(alert)}
                       actionClose={<AlertActionCloseButton onClose={() => onDismiss(alert)} />} />
            ))}
        </AlertGroup>
    );
}

export function App() {
    const [host, reload] = useHost();
    const [selected, setSelected] = useState(null);
    const [assigning, setAssigning] = useState(null);
    const [alerts, setAlerts] = useState([]);
    const frozen = frozenReason(host.check);
    // Runs an action for a dialog: on success the dialog closes and a notice says what vfioctl did; a failure is
    // thrown back to the dialog, which stays open and shows vfioctl's sentence.
    const onAction = useCallback(async (args, text) => {
        try {
            const { out } = await run(args);
            setAlerts(list => [...list, { title: out.trim().split("\n")[0] || text, key: Date.now() }]);
            setSelected(null);
            setAssigning(null);
        } finally {
            reload();
        }
    }, [reload]);
    const dismiss = alert => setAlerts(list => list.filter(one => one !== alert));
    const row = host.rows && selected ? host.rows.find(one => one.key === "pci:" + selected) : null;
    return (
        <Page>
            <PageSection variant="light">
                <Title headingLevel="h1">{_("Host devices")}</Title>
                <CheckPanel check={host.check} error={host.checkError} />
                {host.persistedError && (
                    <Alert variant="warning" isInline data-testid="persisted-error"
                           title={cockpit.format(_("What is claimed at boot cannot be read: $0"), host.persistedError)} />)}
            </PageSection>
            <PageSection>
                <Notices alerts={alerts} onDismiss={dismiss} />
                {host.error && (
                    <EmptyState data-testid="list-error">
                        <EmptyStateHeader titleText={_("The host's devices cannot be listed")} headingLevel="h2" />
                        <EmptyStateBody>{host.error}</EmptyStateBody>
                    </EmptyState>)}
                {!host.rows && !host.error && <Bullseye><Spinner size="xl" /></Bullseye>}
                {host.rows && <DeviceTable rows={host.rows} onSelect={setSelected} />}
            </PageSection>
            {selected && !assigning && (
                <DeviceDetails address={selected} row={row} frozen={frozen} persisted={host.persisted}
                               persistedError={host.persistedError} onClose={() => setSelected(null)}
                               onAction={onAction} onAssign={affected => setAssigning({ address: selected, affected })} />)}
            {assigning && (
                <AssignDialog address={assigning.address} affected={assigning.affected} frozen={frozen}
                              onClose={() => { setAssigning(null); setSelected(null) }} onAction={onAction} />)}
        </Page>
    );
}
