"""The vfioctl Cockpit page as a test drives it: what it shows (by the data attributes the page sets) and the
clicks a user makes. Every wait is bounded (20 s)."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

ROWS = """
return [...document.querySelectorAll('tr[data-row-key]')].map(tr => {
    const cell = name => tr.querySelector(`[data-col=${name}]`);
    const eligible = tr.querySelector('[data-eligible]');
    return { key: tr.dataset.rowKey, type: tr.dataset.type, group: cell('group').innerText.trim(),
             driver: cell('driver').innerText.trim(), eligible: eligible ? eligible.dataset.eligible : null,
             reasons: [...tr.querySelectorAll('.vfioctl-reasons:not(.vfioctl-losses) li')].map(li => li.innerText.trim()),
             losses: [...tr.querySelectorAll('.vfioctl-losses li')].map(li => li.innerText.trim()),
             vms: [...cell('vms').querySelectorAll('.pf-v5-c-label__text')].map(label => label.innerText.trim()),
             held: cell('held').innerText.trim() };
});
"""


class Page:
    def __init__(self, driver, url):
        self.driver, self.url = driver, url
        self.last_companions = None

    def wait(self, condition, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return True
            except Exception:  # the element is not there yet, or React replaced it
                pass
            time.sleep(0.1)
        return False

    def find(self, test_id):
        return self.driver.find_element(By.CSS_SELECTOR, f"[data-testid='{test_id}']")

    def present(self, test_id):
        return len(self.driver.find_elements(By.CSS_SELECTOR, f"[data-testid='{test_id}']")) > 0

    def load(self):
        self.driver.get(self.url)
        if not self.wait(lambda: self.present("devices") and self.present("check-panel")):
            raise RuntimeError("the page did not show its table and check: " + self.driver.find_element(By.TAG_NAME, "body").text[:500])

    def rows(self):
        return self.driver.execute_script(ROWS)

    def row(self, address):
        return next(row for row in self.rows() if row["key"] == "pci:" + address)

    def count(self):
        return int(self.find("devices").get_attribute("data-count"))

    def text(self, test_id):
        self.wait(lambda: self.present(test_id))
        return self.find(test_id).text.strip()

    def items(self, test_id):
        self.wait(lambda: self.present(test_id))
        return [item.text.strip() for item in self.find(test_id).find_elements(By.TAG_NAME, "li")]

    def scroll_to(self, address):
        """Puts the device's row in the middle of the window (for a screenshot)."""
        row = self.driver.find_element(By.CSS_SELECTOR, f"tr[data-row-key='pci:{address}']")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)

    def open_details(self, address):
        if self.present("details"):
            self.close_dialog("details")
        self.driver.find_element(By.CSS_SELECTOR, f"tr[data-row-key='pci:{address}']").click()
        if not self.wait(lambda: self.present("affected")):
            raise RuntimeError(f"the details of {address} did not open")

    def click(self, test_id):
        self.wait(lambda: self.present(test_id))
        self.find(test_id).click()

    def disabled(self, test_id):
        self.wait(lambda: self.present(test_id))
        return self.find(test_id).get_attribute("aria-disabled") == "true"

    def summary(self):
        """The check's one-line verdict (the alert's title, without its screen-reader prefix)."""
        self.wait(lambda: self.present("check-summary"))
        title = self.find("check-summary").find_element(By.CSS_SELECTOR, ".pf-v5-c-alert__title")
        return title.text.strip().split("\n")[-1]

    def frozen(self):
        return self.find("check-panel").get_attribute("data-frozen") == "true"

    def assign(self, vm):
        self.click("assign")
        self.wait(lambda: self.present("assign-vm"))
        Select(self.find("assign-vm")).select_by_value(vm)
        self.last_companions = self.items("assign-companions")
        self.click("assign-confirm")

    def filter(self, eligible_only=None, search=None):
        """Sets the table's filters as a user does (the checkbox, the search box) and waits for the table to follow."""
        if eligible_only is not None:
            box = self.driver.find_element(By.ID, "eligible-only")
            if box.is_selected() != eligible_only:
                box.click()
        if search is not None:
            field = self.driver.find_element(By.CSS_SELECTOR, "[data-testid='search'] input")
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys(Keys.BACKSPACE)
            if search:
                field.send_keys(search)
        time.sleep(0.3)  # React re-renders on the next frame

    def alert_text(self, test_id):
        """An alert's title as a user reads it (without the screen-reader prefix)."""
        self.wait(lambda: self.present(test_id))
        title = self.find(test_id).find_element(By.CSS_SELECTOR, ".pf-v5-c-alert__title")
        return title.text.strip().split("\n")[-1]

    def close_dialog(self, test_id):
        """Closes a dialog by its close button (PatternFly puts the test id on the dialog's body, the button above)."""
        self.driver.execute_script(
            f"document.querySelector(\"[data-testid='{test_id}']\").closest('.pf-v5-c-modal-box')"
            ".querySelector(\"button[aria-label='Close']\").click();")
        self.wait(lambda: not self.present(test_id))

    def background(self):
        """The page's background colour as the browser computes it, and whether the root has PatternFly's dark class."""
        return self.driver.execute_script(
            "const section = document.querySelector('.pf-v5-c-page__main-section');"
            "return [getComputedStyle(section).backgroundColor,"
            " document.documentElement.classList.contains('pf-v5-theme-dark')];")

    def follows_dark_style(self):
        """Cockpit's shell switches its style by localStorage and a 'cockpit-style' event: the page must go dark."""
        self.driver.execute_script("localStorage.setItem('shell:style', 'dark');"
                                   "window.dispatchEvent(new CustomEvent('cockpit-style', {detail: {style: 'dark'}}));")
        def dark():
            colour, flagged = self.background()
            channels = [int(part) for part in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
            return flagged and sum(channels) < 3 * 100
        result = self.wait(dark, 5)
        self.driver.execute_script("localStorage.setItem('shell:style', 'light');"
                                   "window.dispatchEvent(new CustomEvent('cockpit-style', {detail: {style: 'light'}}));")
        return result

    def alert(self, variant):
        """The text of the newest alert of that variant, once the action's progress is gone."""
        self.wait(lambda: self.present("alert-" + variant) and not self.present("progress"))
        alerts = self.driver.find_elements(By.CSS_SELECTOR, f"[data-testid='alert-{variant}'] .pf-v5-c-alert__title")
        return alerts[-1].text.strip().split("\n")[-1] if alerts else None
