"""cfn-lint, run in-process on template text (it runs the real SAM translator).

Rules whose verdict depends on today's date (a Lambda runtime reaching its
deprecation date) are reported but never fail a test: the same template
would otherwise start failing on a calendar day.
"""

from __future__ import annotations

import cfnlint.api

DATE_DEPENDENT_RULES = frozenset({"E2531", "W2531", "E2533", "W2533"})


def lint_problems(template_text: str) -> list[str]:
    """cfn-lint findings (errors and warnings) except the date-dependent ones."""
    matches = cfnlint.api.lint(template_text, regions=["us-west-2"])
    return [
        f"{m.rule.id} {m.message} (line {m.linenumber})"
        for m in matches
        if m.rule.id not in DATE_DEPENDENT_RULES
    ]
