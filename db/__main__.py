"""python -m db ...: the operator's command line (see db/cli)."""

import sys

from db.cli import main

if __name__ == "__main__":
    sys.exit(main())
