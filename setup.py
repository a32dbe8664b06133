"""Build hook: a wheel must carry the browser library the HTML view inlines (see package.json)."""

from pathlib import Path

from setuptools import setup

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

VENDORED = Path(__file__).parent / "src" / "actionkg" / "vendor" / "cytoscape.min.js"


class WheelWithVendor(bdist_wheel):  # type: ignore[misc]
    def run(self) -> None:
        if not VENDORED.is_file():
            raise SystemExit(
                "error: src/actionkg/vendor/cytoscape.min.js is missing; run `npm ci && npm run vendor` "
                "(bash scripts/dev.sh setup does both) before building a wheel"
            )
        super().run()


setup(cmdclass={"bdist_wheel": WheelWithVendor})
