// The "Host devices" page: the host check, every host device with what vfioctl says about it, the selected device's
// details and the actions. Everything is read again after an action; a change of vfioctl's state directory re-reads
// what it changed.
/* global cockpit */
import React, { useCallback, useEffect, useRef, useState } from "react";
import {
    Alert, AlertActionCloseButton, AlertGroup, EmptyState, EmptyStateBody, EmptyStateHeader, Page, PageSection, Title,
} from "./patternfly.js";
import { AssignDialog } from "./assign-dialog.jsx";
import { CheckPanel, frozenReason } from "./check-panel.jsx";
import { DeviceDetails } from "./device-details.jsx";
import { DeviceTable } from "./device-table.jsx";
import { rowMaker, withAffected, withState } from "./device-rows.js";
import { json, listing, run, watchState } from "./vfioctl.js";

const _ = cockpit.gettext;
const SUCCESS_SHOWN_MS = 8000;

// Resolves once the browser has painted what React just rendered.
function afterPaint() {
    return new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

// Each part is shown as soon as vfioctl answers it: the table does not wait for the check or the persisted list,
// which are asked once the listing has answered (they would take the cores it reads on). Every load carries a
// generation, and an answer older than the one a part already shows is dropped: a slow read started before a
// change never paints over a newer one.
//
// A change of vfioctl's state (a VM started or stopped) re-reads only what changed: who holds what (`status`,
// `vms`), then the groups of the devices whose holder changed (`affected`), never the whole host. A listing that
// answers after a newer state was read gets that state laid over it.
function useHost() {
    const [host, setHost] = useState({
        rows: null, error: null, check: null, checkError: null, persisted: null, persistedError: null,
    });
    const generation = useRef(0);
    const shown = useRef({});
    const latestState = useRef(null); // { mine, status, vms } of the newest state read
    const shownHost = useRef(host);
    shownHost.current = host;
    const refresh = useCallback(async () => {
        const mine = ++generation.current;
        const [status, vms] = await Promise.all([json(["status"]), json(["vms"]).catch(() => null)]);
        if ((shown.current.state || 0) > mine || (shown.current.rows || 0) > mine)
            return; // a newer state, or a listing started after this, is already shown
        shown.current.state = mine;
        latestState.current = { mine, status, vms };
        const current = shownHost.current.rows;
        if (!current)
            return; // the listing still to come gets this state laid over it
        const changed = withState(current, status, vms).changed;
        setHost(previous => previous.rows ? { ...previous, rows: withState(previous.rows, status, vms).rows } : previous);
        const groups = await Promise.all(changed.map(address => json(["affected", address]).catch(() => null)));
        if ((shown.current.state || 0) > mine)
            return;
        setHost(previous => previous.rows
            ? { ...previous, rows: groups.filter(Boolean).reduce(withAffected, previous.rows) } : previous);
    }, []);
    const load = useCallback(() => {
        const mine = ++generation.current;
        const show = (part, value) => {
            if ((shown.current[part] || 0) > mine)
                return;
            shown.current[part] = mine;
            setHost(previous => ({ ...previous, ...value }));
        };
        // The state directory is watched from the moment status answers, not once the slower listing has.
        const status = json(["status"]);
        status.then(value => show("watched", { stateDirectory: value.state_directory }), () => {});
        const maker = rowMaker();
        const rows = Promise.all([listing(maker.parsed), status]).then(
            ([list, status]) => {
                let rows = maker.rows(list, status);
                const newer = latestState.current;
                if (newer && newer.mine > mine)
                    rows = withState(rows, newer.status, newer.vms).rows;
                show("rows", { rows, error: null });
            },
            failure => show("rows", { rows: null, error: failure.message }));
        // After the rows are on screen: the browser paints them before these commands take the cores.
        // What changed between the status read above and the watch's start is read by a refresh there too.
        return rows.then(afterPaint).then(() => Promise.allSettled([
            refresh(),
            json(["check"], [1, 2]).then(check => show("check", { check, checkError: null }),
                                         failure => show("check", { check: null, checkError: failure.message })),
            json(["persist", "--list"]).then(
                value => show("persisted", { persisted: value.persisted, persistedError: null }),
                failure => show("persisted", { persisted: null, persistedError: failure.message })),
        ]));
    }, [refresh]);
    useEffect(() => { load() }, [load]);
    useEffect(() => host.stateDirectory ? watchState(host.stateDirectory, refresh) : undefined,
              [host.stateDirectory, refresh]);
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
                {!host.error && <DeviceTable rows={host.rows} onSelect={setSelected} />}
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
