"""python -m db ...: the operator's command line, kept under this name (see cli/)."""

import sys

from cli import main

if __name__ == "__main__":
    sys.exit(main())
