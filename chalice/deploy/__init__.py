"""The deploy pipeline: app -> graph -> build -> plan -> execute -> state.

See ``/docs/deploy.rst`` and DESIGN.md. Submodules are imported on demand by
the CLI so that ``chalice --help`` stays fast.
"""
