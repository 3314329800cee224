"""Stand-in for absl.app.run: parse the flags, call main, exit with its status."""
import sys

from absl import flags


def run(main, argv=None):
    argv = list(sys.argv if argv is None else argv)
    try:
        rest = flags.parse(argv)
    except flags.Error as e:
        print(f"FATAL Flags parsing error: {e}", file=sys.stderr)
        sys.exit(1)
    sys.exit(main(rest))
