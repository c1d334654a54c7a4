#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "starrating.settings.base")
    # A plain `rate [FILE|-]` needs no app registry (starrating/calculator.py, D-7r2).
    from starrating.calculator import main as calculate
    from starrating.calculator import plain_run

    name = plain_run(sys.argv)
    if name is not None:
        sys.exit(calculate(name))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
