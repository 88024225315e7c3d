"""Which functions of an app the policy analyzer treats as entry points.

A function decorated by one of the runtime's registration decorators
(``@app.route``, ``@app.on_sqs_message``...) is called by Lambda, not by the
app, so the analyzer must follow its body even though nothing in the sources
calls it. The decorator names are read from the runtime's ``DecoratorAPI``
class; this module never imports the user's app.
"""

from __future__ import annotations

import ast

# Public methods of ``DecoratorAPI`` that are called, not used as decorators.
_NOT_DECORATORS = frozenset({"register_middleware"})


def _entry_decorators() -> frozenset[str]:
    """Every registration decorator of the runtime (``route``, ``on_sqs_message``...).

    Read from the runtime's ``DecoratorAPI`` rather than listed here, so a new
    decorator makes its handlers entry points without a second edit (a
    forgotten entry used to drop the handler's calls from the policy).
    """
    from chalice.app._decorators import DecoratorAPI

    return frozenset(
        name
        for name, value in vars(DecoratorAPI).items()
        if callable(value) and not name.startswith("_") and name not in _NOT_DECORATORS
    )


ENTRY_DECORATORS = _entry_decorators()


def decorator_name(node: ast.expr) -> str | None:
    """The name a decorator expression ends with: ``route`` for ``@app.route("/")``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None
