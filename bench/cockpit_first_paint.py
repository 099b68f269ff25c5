#!/usr/bin/python3
"""The Cockpit page, timed in headless Chromium under Cockpit's own web server (the harness of tests/cockpit):
- first paint: from navigation to the first rows of the device table on screen (the page's "vfioctl-rows-painted"
  mark), on the workstation and on a host of FUNCTIONS, with `vfioctl list --type all --json` on the same host as
  the yardstick (the page cannot be faster than what it shows);
- a state change: from the moment the hook's work is on disk (a VM started: a device on vfio-pci, the VM's journal;
  then stopped) to the moment the table shows it, on the same host;
- a search over the rows of a host of SEARCH_FUNCTIONS: from the keystroke ("vfioctl-search-typed") to its rows on
  screen ("vfioctl-search-painted");
- the floor page: a page of the same package that only loads Cockpit's script and the page's own early.js (which
  starts the same listing through the bridge as the page reads), parses that listing and paints a line (what any
  Cockpit page pays for this listing at load).
The page, the floor page and the yardstick run in turns, each on an idle machine, so that a drift of the machine's
speed over the minutes of the run is seen by all three.
Prints one line: "workstation_s bench_s list_s change_median_s change_max_s search_median_s search_max_s rows floor_s"
(medians of 5, the state change over 5 starts and 5 stops, the search over 6 searches).
Usage: cockpit_first_paint.py VFIOCTL MAKE_SYNTHETIC_HOST SOURCE_DIR [FUNCTIONS [SEARCH_FUNCTIONS]]"""
import os
import statistics
import sys
import time

source = sys.argv[3]
sys.path.insert(0, os.path.join(source, "tests/cockpit"))
from cockpit_session import CockpitSession, browser, start_vm_as_the_hook, stop_vm_as_the_hook  # noqa: E402
from page import Page  # noqa: E402

MARK = "return (performance.getEntriesByName('vfioctl-rows-painted')[0] || {}).startTime || null"
SEARCH = """
const typed = performance.getEntriesByName('vfioctl-search-typed');
const painted = performance.getEntriesByName('vfioctl-search-painted');
if (!typed.length || !painted.length) return null;
const last = typed[typed.length - 1].startTime;
const after = painted.filter(mark => mark.startTime >= last);
return after.length ? after[after.length - 1].startTime - last : null;
"""
UUID = "0d8e5b7c-8e0a-4f5e-b7c1-5a2d9e4f6a10"
FLOOR_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>floor</title>
<script src="../base1/cockpit.js"></script><script src="../manifests.js"></script><script src="early.js"></script>
<script src="floor.js"></script>
</head><body><div id="app"></div></body></html>
"""
FLOOR_JS = """/* global cockpit */
const started = window.vfioctlStarted;
const listing = started[Object.keys(started).find(args => args.startsWith("list "))];
listing.then(out => {
    document.getElementById("app").textContent = JSON.parse(out).pci.length + " functions";
    requestAnimationFrame(() => performance.mark("vfioctl-rows-painted"));
});
"""


def add_floor_page(session):
    """floor.html beside the page in the package the session serves; its URL."""
    package = os.path.join(session.work, "data/cockpit/vfioctl")
    for name, text in (("floor.html", FLOOR_HTML), ("floor.js", FLOOR_JS)):
        with open(os.path.join(package, name), "w") as out:
            out.write(text)
    return session.page_url.replace("index.html", "floor.html")


def first_paint(driver, url):
    """Seconds from navigation to the first rows, on an idle machine: the previous page's last reads (the check,
    the persisted list) have ended before it."""
    time.sleep(3)
    driver.get(url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        painted = driver.execute_script(MARK)
        if painted:
            return painted / 1000
        time.sleep(0.05)
    raise RuntimeError("the table was not painted within 120 s")


def listing_alone(session):
    """Seconds of `vfioctl list --type all --json` run by the page's user and its JSON parsed, on an idle machine."""
    time.sleep(3)
    start = time.monotonic()
    session.vfioctl_json("list", "--type", "all")
    return time.monotonic() - start


def shown_within(page, address, held, timeout=20):
    """Seconds until the row of `address` shows `held` in its Held by column, polled as fast as the browser answers."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if page.row(address)["held"] == held:
                return time.monotonic() - start
        except StopIteration:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{address} did not show {held!r} within {timeout} s")


def state_changes(session, page, root):
    """A VM started and stopped 5 times by the hook's work, each timed until the table shows it."""
    first = next(row for row in page.rows() if row["key"].startswith("pci:") and row["driver"] not in ("", "none"))
    address, driver = first["key"][4:], first["driver"]
    times = []
    for _ in range(5):
        start = time.monotonic()
        start_vm_as_the_hook(root, "bench-vm", UUID, {address: driver})
        times.append(time.monotonic() - start + shown_within(page, address, f"bench-vm (was {driver})"))
        time.sleep(0.3)
        start = time.monotonic()
        stop_vm_as_the_hook(root, UUID, {address: driver})
        times.append(time.monotonic() - start + shown_within(page, address, ""))
        time.sleep(0.3)
    return times


def searches(driver):
    """Six searches typed into the table's search box: each one's time from keystroke to its rows on screen."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    box = driver.find_element(By.CSS_SELECTOR, "[data-testid='search'] input")
    times = []
    for query in ("iavf", "0000:0a", "nvme", "ethernet virtual", "vfio", "zzz-nothing"):
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE)
        time.sleep(0.3)
        box.send_keys(query)
        deadline = time.monotonic() + 20
        answered = None
        while time.monotonic() < deadline:
            time.sleep(0.3)  # every keystroke answered
            answered = driver.execute_script(SEARCH)
            if answered is not None:
                break
        if answered is None:
            raise RuntimeError(f"the search {query!r} did not answer")
        times.append(answered / 1000)
    return times


def main():
    vfioctl, make_host = sys.argv[1:3]
    functions = sys.argv[4] if len(sys.argv) > 4 else "10000"
    search_functions = sys.argv[5] if len(sys.argv) > 5 else "50000"
    session = CockpitSession(vfioctl, make_host, source)
    driver = None
    try:
        session.add_host("workstation", "workstation")
        root = session.add_host("bench", functions)
        session.add_host("search", search_functions)
        floor_url = add_floor_page(session)
        session.start()
        driver = browser()
        figures = []
        session.use_host("workstation")
        first_paint(driver, session.page_url)  # warm: the browser's cache and the page cache of the tree
        figures.append(statistics.median(first_paint(driver, session.page_url) for _ in range(5)))
        session.use_host("bench")
        # The page and the floor page in turns, so that both see the machine as it is at the time.
        page_times, floor_times, list_times = [], [], []
        first_paint(driver, session.page_url)
        first_paint(driver, floor_url)
        for _ in range(5):
            page_times.append(first_paint(driver, session.page_url))
            floor_times.append(first_paint(driver, floor_url))
            list_times.append(listing_alone(session))
        figures.append(statistics.median(page_times))
        figures.append(statistics.median(list_times))
        page = Page(driver, session.page_url)
        page.load()
        changes = state_changes(session, page, root)
        figures += [statistics.median(changes), max(changes)]
        session.use_host("search")
        first_paint(driver, session.page_url)
        rows = page.count()
        found = searches(driver)
        figures += [statistics.median(found), max(found)]
        print(" ".join(f"{figure:.3f}" for figure in figures), rows, f"{statistics.median(floor_times):.3f}")
    finally:
        if driver:
            driver.quit()
        session.stop()


if __name__ == "__main__":
    main()
