"""`python -m pipeline.cli`: homeclerk where its script is not on PATH (`own_command`)."""

import sys

from pipeline.cli.main import main

sys.exit(main())
