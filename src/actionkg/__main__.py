"""`python -m actionkg` runs the command line."""

from .cli import run

run()
