"""What every picture shares: the attribution, the palette, HTML escaping and the inlined browser library.

Both the Graphviz/DOT writer and the offline HTML view use these; one home keeps them from importing
each other.
"""

from __future__ import annotations

import html
import re
from importlib.resources import files

from ..core.errors import OutsideError

ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
COLOURS = {  # Okabe–Ito
    "action": "#0072B2", "organisation": "#E69F00", "government body": "#56B4E9", "working group": "#009E73",
    "partnership": "#CC79A7", "document": "#F0E442", "edition": "#D55E00", "referenced action": "#999999",
}  # fmt: skip
OTHER = "#BBBBBB"


# The browser libraries the HTML view inlines, in load order: cytoscape, then the fcose layout and the
# two libraries it is built on. They are committed in src/actionkg/vendor/ (refreshed from package-lock.json
# by scripts/vendor.mjs), so a plain `pip install` has them; tests/test_vendor.py keeps them equal to npm's.
VENDOR_FILES = ("cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js")


def vendor_file(name: str) -> bytes:
    """A shipped browser library (or its licence); one missing is a broken installation, not a user error."""
    path = files("actionkg") / "vendor" / name
    if not path.is_file():
        raise OutsideError("html", f"{name} is missing from the actionkg installation; reinstall actionkg")
    return path.read_bytes()


def vendor_scripts() -> list[str]:
    """The inlined libraries' text, its line ends made "\n" (layout-base.js has "\r\n"; the page's CSP hashes
    the text as it is written)."""
    return [vendor_file(name).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n") for name in VENDOR_FILES]


_SUBJECT = re.compile(r"^(?:the welsh government|welsh government|we)\s+will\s+", re.IGNORECASE)


def short_title(commitment: str, width: int = 40) -> str:
    """An action's commitment cut to its first words and "…", for a picture's box or a hover label.

    Nearly every commitment opens "The Welsh Government will"; those words say nothing about the
    action, so the title starts after them ("Join and be represented on the UK Council…").
    """
    text = _SUBJECT.sub("", " ".join(commitment.split()))
    text = text[:1].upper() + text[1:]
    if len(text) <= width:
        return text
    words, out = text.split(" "), ""
    for word in words:
        if out and len(out) + 1 + len(word) > width:
            break
        out = f"{out} {word}".strip()
    return out[:width].rstrip(",;:.") + "…"


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)
