"""`python -m exercises coverage` — per chapter: catalogued, live, with widget, machine-verified, conceptual."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("coverage", help="print exercise coverage per chapter")
    args = parser.parse_args(argv)
    if args.command == "coverage":
        from exercises.coverage import coverage, format_table

        print(format_table(coverage()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
