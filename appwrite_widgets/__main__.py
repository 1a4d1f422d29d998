"""``python -m appwrite_widgets``."""

from __future__ import annotations

import sys

from appwrite_widgets.cli import main

if __name__ == "__main__":
    sys.exit(main())
