"""`manage.py rate [FILE|-]` without Django's app registry (issue #20 item 4; D-7r2).

The calculator needs the settings' language and the compiled catalogues, not the models,
admin and history of every app: setting those up was a tenth of a 100,000-branch run.
So manage.py hands a plain run — `rate`, `rate FILE` or `rate -`, no option — to `main`,
and everything else (an option, `--help`, any other command) to Django as ever. The run
is the command's (scoring/management/commands/rate.py): the same `calculate`, the same
collector pause, the same output and exit status (tests compare the two on every shared
example and on bad input). Only the lookup differs: Python's gettext over the project's
catalogue (LOCALE_PATHS), falling back to Django's own, in the order Django merges them;
a test holds every msgid the engine marks translated alike.
"""

import gettext
import sys
from pathlib import Path


def plain_run(argv: list[str]) -> str | None:
    """The FILE of a plain `manage.py rate` run (``-``: standard input), or None when
    Django should run the command (another command, an option, more arguments)."""
    if argv[1:2] != ["rate"] or len(argv) > 3:
        return None
    name = argv[2] if len(argv) == 3 else "-"
    if name.startswith("-") and name != "-":
        return None
    return name


def main(name: str) -> int:
    """Run the calculator on FILE *name*; the exit status (2 on bad input)."""
    from django.conf import settings

    from scoring.rules import InvalidInput
    from scoring.rules.calculator import Remembered, calculate
    from starrating import collector

    translate = Remembered(catalogue(settings.LANGUAGE_CODE, settings.LOCALE_PATHS)).__getitem__
    out = sys.stdout.buffer

    def write(text: str) -> None:
        out.write(text.encode("utf-8"))

    with collector.paused():
        try:
            calculate(name, write, translate)
        except InvalidInput as exc:
            message = exc.render(translate)
            sys.stderr.write(message if message.endswith("\n") else message + "\n")
            return 2
    return 0


def catalogue(language: str, locale_paths) -> gettext.NullTranslations:
    """gettext for *language* (a Django language code): the LOCALE_PATHS catalogues,
    the first found first, then Django's own, then the msgid itself."""
    import django

    locale = _to_locale(language)
    folders = [*map(str, locale_paths), str(Path(django.__file__).parent / "conf" / "locale")]
    found = gettext.NullTranslations()
    chain = None
    for folder in folders:
        step = gettext.translation("django", folder, languages=[locale], fallback=True)
        if type(step) is gettext.NullTranslations:
            continue
        if chain is None:
            found = chain = step
        else:
            chain.add_fallback(step)
            chain = step
    return found.gettext


def _to_locale(language: str) -> str:
    """Django's `to_locale`: zh-hans → zh_Hans, en-us → en_US, sr-latn → sr_Latn."""
    lang, _, country = language.lower().partition("-")
    if not country:
        return language[:3].lower() + language[3:]
    country, _, tail = country.partition("-")
    country = country.title() if len(country) > 2 else country.upper()
    return f"{lang}_{country}" + (f"-{tail}" if tail else "")
