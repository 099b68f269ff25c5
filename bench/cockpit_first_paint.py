#!/usr/bin/python3
"""The Cockpit page's first paint of the device table, in headless Chromium under Cockpit's own web server (the
harness of tests/cockpit): from navigation to the moment the first rows reach the screen (the page's
"vfioctl-rows-painted" mark), on the workstation and on a 10,000-function host, with `vfioctl list --type all --json`
on the same host as the yardstick (the page cannot be faster than what it shows). Prints one line:
"workstation_s bench_s list_s" (medians of 5).
Usage: cockpit_first_paint.py VFIOCTL MAKE_SYNTHETIC_HOST SOURCE_DIR [FUNCTIONS]"""
import os
import statistics
import sys
import time

source = sys.argv[3]
sys.path.insert(0, os.path.join(source, "tests/cockpit"))
from cockpit_session import CockpitSession, browser  # noqa: E402

MARK = "return (performance.getEntriesByName('vfioctl-rows-painted')[0] || {}).startTime || null"


def first_paint(driver, url):
    driver.get(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        painted = driver.execute_script(MARK)
        if painted:
            return painted / 1000
        time.sleep(0.05)
    raise RuntimeError("the table was not painted within 60 s")


def main():
    vfioctl, make_host = sys.argv[1:3]
    functions = sys.argv[4] if len(sys.argv) > 4 else "10000"
    session = CockpitSession(vfioctl, make_host, source)
    driver = None
    try:
        session.add_host("workstation", "workstation")
        session.add_host("bench", functions)
        session.start()
        driver = browser()
        figures = []
        for host in ("workstation", "bench"):
            session.use_host(host)
            first_paint(driver, session.page_url)  # warm: the browser's cache and the page cache of the tree
            figures.append(statistics.median(first_paint(driver, session.page_url) for _ in range(5)))
        session.use_host("bench")
        times = []
        for _ in range(5):
            start = time.monotonic()
            session.vfioctl_json("list", "--type", "all")
            times.append(time.monotonic() - start)
        figures.append(statistics.median(times))
        print(" ".join(f"{figure:.3f}" for figure in figures))
    finally:
        if driver:
            driver.quit()
        session.stop()


if __name__ == "__main__":
    main()
