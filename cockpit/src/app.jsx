// The "Host devices" page: the host check, every host device with what vfioctl says about it, the selected device's
// details and the actions. Everything is read again after an action and whenever vfioctl's state directory changes.
import React, { useCallback, useEffect, useState } from "react";
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

// Each part is shown as soon as vfioctl answers it: the table does not wait for the check or the persisted list.
function useHost() {
    const [host, setHost] = useState({ rows: null, check: null, checkError: null, persisted: [], error: null });
    const update = part => setHost(previous => ({ ...previous, ...part }));
    const load = useCallback(() => Promise.allSettled([
        Promise.all([json(["list", "--type", "all"]), json(["status"])]).then(
            ([list, status]) => update({ rows: buildRows(list, status), error: null, stateDirectory: status.state_directory }),
            failure => update({ rows: null, error: failure.message })),
        json(["check"], [1, 2]).then(check => update({ check, checkError: null }),
                                     failure => update({ check: null, checkError: failure.message })),
        json(["persist", "--list"]).then(value => update({ persisted: value.persisted }), () => update({ persisted: [] })),
    ]), []);
    useEffect(() => { load() }, [load]);
    useEffect(() => host.stateDirectory ? watchState(host.stateDirectory, load) : undefined, [host.stateDirectory, load]);
    return [host, load];
}

export function App() {
    const [host, reload] = useHost();
    const [selected, setSelected] = useState(null);
    const [assigning, setAssigning] = useState(null);
    const [running, setRunning] = useState(null);
    const [alerts, setAlerts] = useState([]);
    const frozen = frozenReason(host.check);
    const onAction = useCallback(async (args, text) => {
        setRunning(text);
        try {
            const { out } = await run(args);
            setAlerts(list => [...list, { variant: "success", title: out.trim().split("\n")[0] || text, key: Date.now() }]);
        } catch (failure) {
            setAlerts(list => [...list, { variant: "danger", title: failure.message, key: Date.now() }]);
        }
        setRunning(null);
        await reload();
    }, [reload]);
    const row = host.rows && selected ? host.rows.find(one => one.key === "pci:" + selected) : null;
    return (
        <Page>
            <PageSection variant="light">
                <Title headingLevel="h1">Host devices</Title>
                <CheckPanel check={host.check} error={host.checkError} />
            </PageSection>
            <PageSection>
                <AlertGroup isToast isLiveRegion data-testid="alerts">
                    {alerts.map(alert => (
                        <Alert key={alert.key} variant={alert.variant} title={alert.title} data-testid={"alert-" + alert.variant}
                               actionClose={<AlertActionCloseButton onClose={() => setAlerts(list => list.filter(one => one !== alert))} />} />
                    ))}
                </AlertGroup>
                {running && <Alert variant="info" isInline customIcon={<Spinner size="md" />} title={running + "…"} data-testid="progress" />}
                {host.error && (
                    <EmptyState data-testid="list-error">
                        <EmptyStateHeader titleText="The host's devices cannot be listed" headingLevel="h2" />
                        <EmptyStateBody>{host.error}</EmptyStateBody>
                    </EmptyState>)}
                {!host.rows && !host.error && <Bullseye><Spinner size="xl" /></Bullseye>}
                {host.rows && <DeviceTable rows={host.rows} onSelect={setSelected} />}
            </PageSection>
            {selected && !assigning && (
                <DeviceDetails address={selected} row={row} frozen={frozen} persisted={host.persisted}
                               onClose={() => setSelected(null)}
                               onAction={(args, text) => { setSelected(null); onAction(args, text) }}
                               onAssign={affected => setAssigning({ address: selected, affected })} />)}
            {assigning && (
                <AssignDialog address={assigning.address} affected={assigning.affected} frozen={frozen}
                              onClose={() => { setAssigning(null); setSelected(null) }} onAction={onAction} />)}
        </Page>
    );
}
