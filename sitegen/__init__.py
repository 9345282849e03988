"""sitegen: a static site generator for briefing digests."""

import os

__version__ = "0.1.0"

# sitegen spreads its work over processes of its own, one a core. numpy and SciPy each load
# an OpenBLAS that starts a thread a core when imported, and those threads spin waiting for
# matrix products sitegen never asks for (it sorts and counts with numpy): 60-80 ms of CPU in
# every process that imports numpy, taken from the build's own processes on a machine of two
# cores. Set before either is imported (OpenBLAS reads it when it loads); a value the user
# set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
