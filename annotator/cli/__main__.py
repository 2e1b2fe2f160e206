"""`python -m annotator.cli`: the headless command line without the GUI's start-up."""

from annotator.cli import main

raise SystemExit(main())
