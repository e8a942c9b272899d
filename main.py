"""ConvStudio entry point.

No arguments: start the desktop app. A subcommand (train, predict, augment,
convcalc) or --help: run headless through core.cli.
"""

from __future__ import annotations

import sys

SUBCOMMANDS = ("train", "predict", "augment", "convcalc", "evaluate", "export", "runs", "lr-find")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # A bare word is a subcommand (a mistyped one gets the CLI's one-line error);
    # options such as --data go to the window.
    if argv and (not argv[0].startswith("-") or argv[0] in ("-h", "--help", "--version")):
        from core.cli import main as cli_main

        return cli_main(argv)
    from gui.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
