"""The `huikuan` command: the same as `manage.py`."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huikuan.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["huikuan", *(argv if argv is not None else sys.argv[1:])])
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader stopped early (`huikuan export_matches | head`): stop quietly, as other Unix tools do;
        # stdout now leads nowhere, so flushing it at exit raises nothing more (a command that streams a query
        # closes it itself when writing fails, while the database is still open: export_matches)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(128 + 13)  # as if killed by SIGPIPE


if __name__ == "__main__":
    main()
