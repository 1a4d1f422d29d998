"""``python -m appwrite_widgets.server`` = ``appwrite-widgets serve`` (without the CLI)."""

from __future__ import annotations

import sys

from appwrite_widgets.server.command import main

if __name__ == "__main__":
    sys.exit(main())
