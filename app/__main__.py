"""``python -m app`` runs the studio, as ``humanseg-studio`` does (same options)."""

import sys

from app.main import main

sys.exit(main())
