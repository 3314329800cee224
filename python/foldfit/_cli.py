"""The `foldfit` command of the package: runs the foldfit binary shipped inside it, so that
`foldfit ...` in a venv is exactly the command line the project builds."""
import os
import sys


def binary():
    """The path of the foldfit binary inside the package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "foldfit")


def main():
    path = binary()
    try:
        os.execv(path, ["foldfit", *sys.argv[1:]])
    except OSError as e:
        print(f"foldfit: cannot run {path}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
