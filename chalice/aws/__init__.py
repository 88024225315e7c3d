"""Thin, typed wrappers over botocore, one module per AWS service.

Every AWS call chalice makes goes through a wrapper here so that errors are
translated once (``AWSError``: service, operation, code, message) and the
retry/wait policy (``retry.py``) is applied in one place. The wrappers hold no
deploy logic and never decide *whether* to call AWS; that is the planners'
job. Only ``chalice.deploy.executor`` (through planner steps) calls the
mutating methods. Code outside this package names the protocols of
``protocols.py`` (``Clients`` and one per service), not these classes.
"""

from chalice.aws.errors import AWSError
from chalice.aws.session import AWSClients, create_clients

__all__ = ["AWSClients", "AWSError", "create_clients"]
