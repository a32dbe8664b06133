"""`python -m actionkg` runs the command line."""

from .cli import main

main()
