"""Screenshots of `kadmin ui`'s pages, for the README: ``python docs/ui_screenshots.py URL DIR``.

URL is what `kadmin ui specs/` printed (against the demo cluster `make demo` starts, with
some messages and a consumer group); each page is saved as DIR/ui-PAGE.png at 1000 px wide.
Uses Debian's chromium (KADMIN_TEST_CHROMIUM to use another), as the browser tests do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {"cluster": "", "topics": "topics", "topic": "topics/orders.cancelled", "groups": "groups",
         "group": "groups/billing", "plan": "plan"}  # fmt: skip


def main(url: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("KADMIN_TEST_CHROMIUM", "/usr/bin/chromium")
        )
        page = browser.new_page(viewport={"width": 1000, "height": 640})
        for name, path in PAGES.items():
            page.goto(url.rstrip("/") + "/" + path)
            page.screenshot(path=str(out / f"ui-{name}.png"))
            print(out / f"ui-{name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
