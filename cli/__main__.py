"""`python -m cli`: the same as the `baton` command (used by `baton up --detach`)."""

import sys

from cli.main import main

sys.exit(main())
