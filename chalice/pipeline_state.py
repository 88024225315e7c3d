"""``generate-pipeline --state-backend s3``: a pipeline whose build runs ``chalice deploy``.

The default pipeline packages the app and lets CloudFormation deploy it. This
variant deploys with chalice itself from CodeBuild, keeping the stage's state
in a versioned S3 bucket the template creates (``ChaliceStateBucket``), named
to chalice by ``CHALICE_STATE_BACKEND``. So every build sees what the previous
ones deployed (removed handlers are swept, URLs stay the same) and nothing
has to be committed. The build role gets the state bucket's permissions and
a managed policy the user names (``DeployPolicyArn``) for the deploy itself.

Pure functions over the template's data; they never call AWS.
"""

from __future__ import annotations

from typing import Any

STATE_PREFIX = "chalice"


def deploy_commands() -> list[str]:
    """The build's deploy step (the stage comes from the ``CHALICE_STAGE`` variable)."""
    return ["chalice deploy --stage ${CHALICE_STAGE}"]


def parameters() -> dict[str, Any]:
    """The template parameters this variant adds."""
    return {
        "ChaliceStage": {
            "Type": "String",
            "Default": "dev",
            "Description": "The chalice stage the pipeline deploys.",
        },
        "DeployPolicyArn": {
            "Type": "String",
            "Description": "A managed IAM policy allowing 'chalice deploy' of this app "
            "(see docs/iam-policies.rst).",
        },
    }


def state_bucket() -> dict[str, Any]:
    """A private, encrypted, versioned bucket for the stages' state (history = versions)."""
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        },
    }


def state_statements() -> list[dict[str, Any]]:
    """What the state backend needs of its bucket (docs/teams.rst lists the same)."""
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ChaliceStateBucket}/*"},
        },
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketVersioning"],
            "Resource": {"Fn::GetAtt": ["ChaliceStateBucket", "Arn"]},
        },
    ]


def apply(template: dict[str, Any]) -> dict[str, Any]:
    """Turn the packaging pipeline ``template`` into the deploying one (in place)."""
    resources = template["Resources"]
    template["Parameters"].update(parameters())
    resources["ChaliceStateBucket"] = state_bucket()
    role = resources["CodeBuildRole"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"].extend(state_statements())
    role["ManagedPolicyArns"] = [{"Ref": "DeployPolicyArn"}]
    env = resources["AppPackageBuild"]["Properties"]["Environment"]["EnvironmentVariables"]
    env.extend(
        [
            {
                "Name": "CHALICE_STATE_BACKEND",
                "Value": {"Fn::Sub": f"s3://${{ChaliceStateBucket}}/{STATE_PREFIX}"},
            },
            {"Name": "CHALICE_STAGE", "Value": {"Ref": "ChaliceStage"}},
        ]
    )
    # The build deploys: no template to hand over, no CloudFormation stage.
    stages = resources["AppPipeline"]["Properties"]["Stages"]
    stages[:] = [s for s in stages if s["Name"] in ("Source", "Build")]
    for action in stages[-1]["Actions"]:
        action.pop("OutputArtifacts", None)
    template["Outputs"]["ChaliceStateBucket"] = {"Value": {"Ref": "ChaliceStateBucket"}}
    return template
