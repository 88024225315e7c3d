"""Plan: the human-readable diff and counts."""

from __future__ import annotations

from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Change, Plan, Step, diff


def test_diff_keeps_only_changed_fields() -> None:
    assert diff({"a": (1, 1), "b": (1, 2)}) == (Change("b", 1, 2),)


def test_render() -> None:
    plan = Plan(
        stage="dev",
        steps=(
            Step("default-role", "iam_role", Action.CREATE),
            Step(
                "api_handler",
                "lambda_function",
                Action.UPDATE,
                changes=(
                    Change("memory_size", 128, 256),
                    Change("layers", [], [KNOWN_AFTER_APPLY]),
                ),
            ),
            Step("old", "lambda_function", Action.DELETE),
            Step("rest_api", "rest_api", Action.UNCHANGED),
        ),
    )
    assert plan.render() == (
        "Plan for stage 'dev':\n"
        "  + create    iam_role default-role\n"
        "  ~ update    lambda_function api_handler\n"
        "      memory_size: 128 -> 256\n"
        '      layers: [] -> ["(known after apply)"]\n'
        "  - delete    lambda_function old\n"
        "  = unchanged rest_api rest_api\n"
        "Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.\n"
    )
    assert plan.mutates


def test_unchanged_plan_does_not_mutate() -> None:
    plan = Plan("dev", (Step("a", "iam_role", Action.UNCHANGED),))
    assert not plan.mutates
    assert Plan("dev", ()).render().startswith("Plan for stage 'dev':\n  (no resources)\n")
