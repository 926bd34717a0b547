"""Make `contracts` in the contract tests the real package, not this project directory.

pytest's importlib import mode names these modules `contracts.tests.<file>` after their path
from the repository root and, when the real package is not imported yet, registers the
`contracts/` project directory as an empty namespace package called `contracts`, which hides
`contracts/src/contracts`. Put the real package back before any test module imports from it.
"""

from __future__ import annotations

import importlib
import sys

_registered = sys.modules.get("contracts")
if _registered is not None and getattr(_registered, "__file__", None) is None:
    del sys.modules["contracts"]
    importlib.import_module("contracts")
