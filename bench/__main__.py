"""`python -m bench` — one line per benchmark: `name: ours=… reference=… ratio=…`, both sides measured in this run.

`--no-pages` skips the demo rerun measurements. `--startup` adds cold start and memory of the real server
(needs Debian's chromium).
"""

from __future__ import annotations

import sys

from bench import checking


def main(argv: list[str]) -> int:
    for line in checking.run():
        print(line, flush=True)
    from bench import training

    for line in training.run():
        print(line, flush=True)
    if "--no-pages" not in argv:
        from bench import pages

        for line in pages.run():
            print(line, flush=True)
    if "--startup" in argv:
        from bench import startup

        startup.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
