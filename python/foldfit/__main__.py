"""python -m foldfit: the foldfit command."""
import sys

from foldfit._cli import main

sys.exit(main())
