"""The package version, in one place (pyproject.toml reads it: `dynamic = ["version"]`).

A constant rather than ``importlib.metadata.version()``, which costs ~17 ms at import. This
module imports nothing, so ``appwrite_widgets`` and ``appwrite_widgets.client`` can both import
it without a cycle.
"""

__version__ = "0.2.0"
