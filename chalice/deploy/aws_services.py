"""Which AWS services a deploy or a delete will call, known before it calls any.

The deployer creates those botocore clients before the first call (while the
zips build, see ``deployer.deploy``) instead of on first use between two
calls. Each type's descriptor says which services its planner and steps use
(``aws_services``: botocore names; the ``AWSClients`` wrappers ``lambda_``
and ``function_urls`` are ``lambda``, ``httpapi`` is ``apigatewayv2``). A
client left out is only slower: it is still created on first use.
``tests/deploy/test_descriptors.py`` and ``test_aws_services.py`` check the names. Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalice.deploy.descriptors import descriptor_of_type

# Every planner that builds an ARN asks for the account id (STS), once.
IDENTITY = "sts"


def services_for(resource_types: Iterable[str], *, identity: bool) -> list[str]:
    """The services of ``resource_types``, each once, in the order first needed.

    ``identity``: the account id will be asked (a deploy's planners do; a
    delete knows its ARNs from the state file). Unknown types add nothing.

    >>> services_for(["iam_role", "lambda_function", "cloudwatch_event"], identity=True)
    ['sts', 'iam', 'lambda', 'events']
    """
    names = [IDENTITY] if identity else []
    for resource_type in resource_types:
        descriptor = descriptor_of_type(resource_type)
        for name in descriptor.aws_services if descriptor is not None else ():
            if name not in names:
                names.append(name)
    return names
