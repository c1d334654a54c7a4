"""The bad-input campaign prints how many inputs each target got (docs/nonfunctional.md §7)."""

from .harness import COUNTS


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    write = terminalreporter.write_line
    write("")
    write("bad-input campaign: inputs per target")
    write(f"{'target':<28}{'inputs':>8}{'refused':>9}{'accepted':>10}")
    for name in sorted(COUNTS):
        counts = COUNTS[name]
        write(f"{name:<28}{counts['inputs']:>8}{counts['refused']:>9}{counts['accepted']:>10}")
    write(f"{'total':<28}{sum(c['inputs'] for c in COUNTS.values()):>8}")
