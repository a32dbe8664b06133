"""Hostile options to `actionkg serve`: each is refused (exit 2, one line) before anything listens."""

from __future__ import annotations

from .harness import Case

CASES = [
    Case("serve-base-javascript", ["serve", "--base", "javascript:alert(1)//"], 2, "--base"),
    Case("serve-base-no-slash", ["serve", "--base", "https://example.org/kg"], 2, "--base"),
    Case("serve-timeout-zero", ["serve", "--timeout", "0"], 2, "--timeout"),
    Case("serve-timeout-nan", ["serve", "--timeout", "nan"], 2, "--timeout"),
    Case("serve-request-size-nonsense", ["serve", "--max-request-bytes", "lots"], 2, "--max-request-bytes"),
    Case("serve-max-queries-zero", ["serve", "--max-queries", "0"], 2, "--max-queries"),
    Case("serve-max-rows-negative", ["serve", "--max-rows", "-1"], 2, "--max-rows"),
    Case("serve-port-out-of-range", ["serve", "--port", "70000"], 2, "--port"),
    Case("serve-graph-is-a-folder", ["serve", "--graph", "build"], 2, "is a directory"),
    Case("serve-graph-over-cap", ["serve", "--max-bytes", "1K"], 2, "over the limit"),
]
