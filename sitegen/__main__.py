"""`python -m sitegen` runs the CLI."""

from sitegen.cli import console

console()
