"""What every picture shares: the attribution, the palette, HTML escaping and the inlined browser library.

Both the Graphviz/DOT writer and the offline HTML view use these; one home keeps them from importing
each other.
"""

from __future__ import annotations

import html
from importlib.resources import files

from ..core.errors import OutsideError

ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
COLOURS = {  # Okabe–Ito
    "action": "#0072B2", "organisation": "#E69F00", "government body": "#56B4E9", "working group": "#009E73",
    "partnership": "#CC79A7", "document": "#F0E442", "edition": "#D55E00", "referenced action": "#999999",
}  # fmt: skip
OTHER = "#BBBBBB"


def vendor_script() -> str:
    path = files("actionkg") / "vendor" / "cytoscape.min.js"
    if not path.is_file():
        raise OutsideError("html", "cytoscape.min.js is not installed with actionkg; run `npm ci && npm run vendor`")
    return path.read_text(encoding="utf-8")


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)
