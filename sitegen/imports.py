"""Importing one module of a package without the package's `__init__`.

Some packages' `__init__` imports everything they offer: datasketch's brings its LSH
indexes and with them SciPy's integrator (for LSH parameters), 0.4 s of a command-line
edit's sources stage, which needs only the MinHash class (and numpy).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType


def import_alone(dotted: str) -> ModuleType:
    """The module `dotted`, imported without running the `__init__` of its package if
    the package is not imported yet (a top-level name is simply imported).

    The package stands in `sys.modules` as a bare module (its path, none of its code)
    while the submodule and its siblings load, and is taken out again: a later
    `import package` runs its `__init__` in full, which finds the submodule imported and
    uses the very same module (one MinHash class, whichever import came first)."""
    package, _, _ = dotted.rpartition(".")
    if not package or package in sys.modules or dotted in sys.modules:
        return importlib.import_module(dotted)
    spec = importlib.util.find_spec(package)
    if spec is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"no package named {package!r}", name=package)
    sys.modules[package] = importlib.util.module_from_spec(spec)
    try:
        return importlib.import_module(dotted)
    finally:
        del sys.modules[package]
