"""Read the highlighted texts off a Label Studio or doccano labelling page (run by check_peer_formats.py).

Run with a python that has playwright, which drives Debian's chromium (no browser download):
    PY peer_page.py labelstudio|doccano URL '{"url": LOGIN_URL, ...credentials}'
Prints a JSON list with the text of every region the page draws, one entry per region.
"""

from __future__ import annotations

import json
import os
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("PEER_CHROMIUM", "/usr/bin/chromium")

# Label Studio: every region is one or more <span class="htx-highlight htx-highlight-ID">, nested
# where regions overlap; a region's text is its spans' text in document order.
LABEL_STUDIO_REGIONS = """() => {
  const groups = new Map();
  for (const el of document.querySelectorAll('span.htx-highlight')) {
    const id = [...el.classList].find(c => c.startsWith('htx-highlight-'));
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id).push(el);
  }
  return [...groups.values()].map(els => els.filter(e => !els.some(o => o !== e && o.contains(e)))
                                            .map(e => e.textContent).join(''));
}"""


def label_studio(page, url: str, login: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(login["url"])
    page.fill("input[name=email]", login["email"])
    page.fill("input[name=password]", login["password"])
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    page.goto(url)
    page.wait_for_selector("span.htx-highlight", timeout=120_000)
    page.wait_for_timeout(2000)
    return list(page.evaluate(LABEL_STUDIO_REGIONS))


def main() -> int:
    tool, url, login = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            regions = label_studio(page, url, login) if tool == "labelstudio" else doccano(page, url, login)
            if os.environ.get("PEER_SCREENSHOT"):
                page.screenshot(path=os.environ["PEER_SCREENSHOT"], full_page=True)
        finally:
            browser.close()
    print(json.dumps(regions, ensure_ascii=False))
    return 0


def doccano(page, url: str, login: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
