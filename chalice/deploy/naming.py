"""Name mangling shared by the swagger generator and the template generators.

CloudFormation logical ids must be alphanumeric, while chalice resource names
use ``-`` and ``_`` (``default-role``, ``my_function``). The CamelCase rule
here (SPEC §5.1) is what existing stacks were created with, so changing it
would make CloudFormation replace every resource: it must never change.
Pure functions only.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_]")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def to_cfn_resource_name(name: str) -> str:
    """CloudFormation logical id for a chalice resource name.

    Split on ``-`` and ``_`` (dropping empty parts), upper-case the first letter
    of each part, join, then drop anything that is not alphanumeric::

        >>> to_cfn_resource_name("foo-sqs-event-source")
        'FooSqsEventSource'
        >>> to_cfn_resource_name("my_function")
        'MyFunction'
    """
    parts = [p for p in _SEPARATORS.split(name) if p]
    joined = "".join(p[0].upper() + p[1:] for p in parts)
    return _NON_ALNUM.sub("", joined)
