"""`python -m sitegen` runs the CLI."""

import sys

from sitegen.cli import main

sys.exit(main())
