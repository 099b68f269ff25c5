// Every host device in IOMMU group order, filtered and paged (a host with 10,000 functions paints one page, not
// 10,000 rows). A PCI function's row opens its details; the rows below it are what goes with it.
/* global cockpit */
import React, { useEffect, useMemo, useState } from "react";
import {
    Bullseye, Checkbox, Label, LabelGroup, Pagination, SearchInput, Spinner, ToggleGroup, ToggleGroupItem,
    Toolbar, ToolbarContent, ToolbarItem,
} from "@patternfly/react-core";
import { Table, Thead, Tr, Th, Tbody, Td } from "@patternfly/react-table";
import { TYPES, filterRows, prepareSearch } from "./device-rows.js";

const _ = cockpit.gettext;

function Passthrough({ row }) {
    if (row.type !== "pci")
        return null;
    if (row.eligible && row.handoff)
        return (
            <div data-eligible="true" data-handoff="true">
                <Label color="orange">{_("Eligible with a console hand-off")}</Label>
                <ul className="vfioctl-reasons vfioctl-losses">{row.handoff.host_loses.map(loss => <li key={loss}>{loss}</li>)}</ul>
            </div>
        );
    if (row.eligible)
        return <Label color="green" data-eligible="true">{_("Eligible")}</Label>;
    return (
        <div data-eligible="false">
            <Label color={row.bridge ? "grey" : "red"}>{_("Not eligible")}</Label>
            <ul className="vfioctl-reasons">{row.reasons.map(reason => <li key={reason}>{reason}</li>)}</ul>
        </div>
    );
}

function DeviceRow({ row, onSelect }) {
    const selectable = row.type === "pci";
    return (
        <Tr data-row-key={row.key} data-type={row.type} isClickable={selectable}
            onRowClick={selectable ? () => onSelect(row.pci) : undefined}
            className={row.level ? "vfioctl-child" : undefined}>
            <Td dataLabel={_("Group")} data-col="group">{row.level ? "" : row.group ?? _("none")}</Td>
            <Td dataLabel={_("Device")} data-col="id"><span className="vfioctl-id">{row.id}</span></Td>
            <Td dataLabel={_("Description")} data-col="name">{row.name}</Td>
            <Td dataLabel={_("Type")} data-col="type">{row.type.toUpperCase()}</Td>
            <Td dataLabel={_("Driver")} data-col="driver">{row.driver || (row.type === "pci" ? _("none") : "")}</Td>
            <Td dataLabel={_("Passthrough")} data-col="eligible"><Passthrough row={row} /></Td>
            <Td dataLabel={_("VM")} data-col="vms">
                {row.vms.length > 0 && <LabelGroup>{row.vms.map(vm => <Label key={vm}>{vm}</Label>)}</LabelGroup>}
            </Td>
            <Td dataLabel={_("Held by")} data-col="held">
                {row.heldBy && <span>{cockpit.format(_("$0 (was $1)"), row.heldBy, row.originalDriver || _("no driver"))}</span>}
            </Td>
        </Tr>
    );
}

// `rows` is null while the listing is on its way: the table is there already (its toolbar, its header) with a
// spinner for rows, so that the rows, when they come, are all there is left to draw.
export function DeviceTable({ rows, onSelect }) {
    const [filter, setFilter] = useState({ type: "all", eligibleOnly: false, search: "" });
    const [page, setPage] = useState(1);
    const [perPage, setPerPage] = useState(50);
    const shown = useMemo(() => rows ? filterRows(rows, filter) : [], [rows, filter]);
    const change = part => { setFilter({ ...filter, ...part }); setPage(1) };
    const first = (page - 1) * perPage;
    // When the first rows reach the screen, and when a search's rows do, for bench/cockpit_first_paint.py (the User
    // Timing API, no cost).
    // Every row's search text is made once the rows are on screen, not before.
    useEffect(() => {
        if (!rows)
            return undefined;
        let later = null;
        const frame = requestAnimationFrame(() => {
            if (rows.length > 0 && performance.getEntriesByName("vfioctl-rows-painted").length === 0)
                performance.mark("vfioctl-rows-painted");
            later = setTimeout(() => prepareSearch(rows), 0);
        });
        return () => { cancelAnimationFrame(frame); clearTimeout(later) };
    }, [rows]);
    useEffect(() => {
        if (filter.search)
            requestAnimationFrame(() => performance.mark("vfioctl-search-painted"));
    }, [shown, filter.search]);
    const pager = (
        <Pagination itemCount={shown.length} page={page} perPage={perPage} onSetPage={(_e, value) => setPage(value)}
                    onPerPageSelect={(_e, value) => { setPerPage(value); setPage(1) }} isCompact
                    data-testid="pagination" />
    );
    return (
        <>
            <Toolbar>
                <ToolbarContent>
                    <ToolbarItem>
                        <SearchInput placeholder={_("Search devices")} value={filter.search} data-testid="search"
                                     onChange={(_e, value) => { performance.mark("vfioctl-search-typed"); change({ search: value }) }}
                                     onClear={() => change({ search: "" })} />
                    </ToolbarItem>
                    <ToolbarItem>
                        <ToggleGroup aria-label={_("Device type")}>
                            {["all", ...TYPES].map(type => (
                                <ToggleGroupItem key={type} text={type === "all" ? _("All") : type.toUpperCase()}
                                                 buttonId={"type-" + type} isSelected={filter.type === type}
                                                 onChange={() => change({ type })} />
                            ))}
                        </ToggleGroup>
                    </ToolbarItem>
                    <ToolbarItem>
                        <Checkbox id="eligible-only" label={_("Eligible only")} isChecked={filter.eligibleOnly}
                                  onChange={(_e, value) => change({ eligibleOnly: value })} />
                    </ToolbarItem>
                    <ToolbarItem variant="pagination">{pager}</ToolbarItem>
                </ToolbarContent>
            </Toolbar>
            <Table aria-label={_("Host devices")} variant="compact" data-testid={rows ? "devices" : "devices-loading"}
                   data-count={shown.length}>
                <Thead>
                    <Tr>
                        <Th>{_("Group")}</Th><Th>{_("Device")}</Th><Th>{_("Description")}</Th><Th>{_("Type")}</Th>
                        <Th>{_("Driver")}</Th><Th>{_("Passthrough")}</Th><Th>{_("VM")}</Th><Th>{_("Held by")}</Th>
                    </Tr>
                </Thead>
                <Tbody>
                    {rows ? shown.slice(first, first + perPage).map(row => <DeviceRow key={row.key} row={row} onSelect={onSelect} />)
                        : <Tr><Td colSpan={8}><Bullseye><Spinner size="xl" /></Bullseye></Td></Tr>}
                </Tbody>
            </Table>
        </>
    );
}
