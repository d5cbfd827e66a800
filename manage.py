#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llecommend_site.settings")
    # Not Django's own runner: ours speaks the terminal's language (see the module).
    from llecommend_site.cli import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
