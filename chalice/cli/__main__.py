"""``python -m chalice.cli``: the same entry point as the console script."""

from __future__ import annotations

from chalice.cli.root import main

if __name__ == "__main__":
    main()
