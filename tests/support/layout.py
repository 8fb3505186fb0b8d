"""Whether a page is laid out as a person can read it, from the boxes Chromium drew.

- crowded(page): every two boxes of the header and the page's content (buttons,
  links, fields, labels, headings, the QR code, messages) that overlap or come
  closer than MIN_GAP_PX, neither inside the other: a screenshot shows such a fault,
  this names it.
- laid_out(page, name): crowded() and sideways scrolling at a desktop's width and a
  phone's, on the page as it is (no new request); an AssertionError names each fault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The site's smallest space between two things (0.5rem): a word space between two
# buttons is about half of it, and reads as one run of text.
MIN_GAP_PX = 8
WIDTHS = {"desktop": 1280, "phone": 390}
# Links that stand alone, not those within a sentence or a list of links.
BOXES = (
    ".site-header :is(a, button, #signed-in-as),"
    " main :is(h1, h2, label, input:not([type=hidden]), textarea, select, button, svg,"
    " .message, a:not(p a, li a))"
)

CROWDED = """([selector, gap]) => {
  const describe = (element) => {
    const text = (element.innerText || element.value || "").trim().split("\\n")[0];
    return `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}>`
      + (text ? ` "${text.slice(0, 40)}"` : "");
  };
  // An inline element that wraps has a box a line: the text after a radio button
  // goes on under it, apart from it.
  const boxes = [...document.querySelectorAll(selector)]
    .filter((element) => getComputedStyle(element).visibility !== "hidden")
    .map((element) => [element, [...element.getClientRects()]
      .filter((box) => box.width > 0 && box.height > 0)])
    .filter(([, rects]) => rects.length);
  // Half a pixel of rounding: 0.5rem between two boxes is 7.99 or 8.01 as well.
  const apart = (r, s) => r.right + gap <= s.left + 0.5 || s.right + gap <= r.left + 0.5
    || r.bottom + gap <= s.top + 0.5 || s.bottom + gap <= r.top + 0.5;
  const found = [];
  boxes.forEach(([a, rs], i) => boxes.slice(i + 1).forEach(([b, ss]) => {
    if (a.contains(b) || b.contains(a)) return;
    if (!rs.every((r) => ss.every((s) => apart(r, s)))) {
      found.push(`${describe(a)} and ${describe(b)}`);
    }
  }));
  return found;
}"""


def crowded(page: Page) -> list[str]:
    return page.evaluate(CROWDED, [BOXES, MIN_GAP_PX])


def laid_out(page: Page, name: str) -> None:
    """At each of WIDTHS, nothing crowded() and no sideways scrolling; the page is
    given back its own size."""
    size = page.viewport_size or {"width": WIDTHS["desktop"], "height": 800}
    faults = []
    try:
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": size["height"]})
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                faults.append(f"{name} ({label}): scrolls sideways ({scroll_width}px)")
            faults += [f"{name} ({label}): {pair} touch" for pair in crowded(page)]
    finally:
        page.set_viewport_size(size)
    assert not faults, "\n".join(faults)
