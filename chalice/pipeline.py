"""``chalice generate-pipeline``: a CloudFormation template for a CI/CD pipeline.

The pipeline pulls the app from CodeCommit (created by the template) or GitHub,
runs ``chalice package`` in CodeBuild, then deploys the packaged SAM template with
CloudFormation change sets. Everything here is pure: functions return the
template and buildspec as data; the CLI writes the files. Two template versions
exist, as upstream: ``v1`` (buildspec 0.1; GitHub token passed as a NoEcho
parameter) and ``v2`` (buildspec 0.2 with a pinned Python runtime; GitHub token
read from Secrets Manager).
"""

from __future__ import annotations

import enum
import shlex
import sys
from typing import Any

import attrs

from chalice.errors import UserError


class PipelineVersion(enum.Enum):
    """Template generations accepted by ``--pipeline-version``."""

    V1 = "v1"
    V2 = "v2"


class SourceProvider(enum.Enum):
    """Where CodePipeline pulls the app's source from (``--source``)."""

    CODECOMMIT = "codecommit"
    GITHUB = "github"


@attrs.frozen
class PipelineParameters:
    """Everything the template depends on."""

    app_name: str
    chalice_version: str
    python_version: tuple[int, int] = (sys.version_info.major, sys.version_info.minor)
    version: PipelineVersion = PipelineVersion.V1
    source: SourceProvider = SourceProvider.CODECOMMIT
    codebuild_image: str | None = None
    buildspec_in_template: bool = True
    branch: str = "main"
    # What the build runs ``pip install`` with: None means this distribution at
    # exactly ``chalice_version`` (a release that exists on the index).
    chalice_requirement: str | None = None
    # The build runs ``chalice deploy`` with the state in S3 (chalice.pipeline_state).
    state_backend_s3: bool = False


class InvalidChaliceRequirementError(UserError):
    """``--chalice-requirement`` is empty or cannot be split into pip arguments."""

    exit_code = 2


def default_codebuild_image(params: PipelineParameters) -> str:
    """The CodeBuild managed image both template versions build with.

    Upstream's documentation states that the v2 pipeline builds on the Amazon
    Linux 2 standard image, picking Python through ``runtime-versions``; v1
    uses the same image. Pass ``-i`` for a Python that image lacks.
    """
    return "aws/codebuild/amazonlinux2-x86_64-standard:5.0"


def default_chalice_requirement(chalice_version: str) -> str:
    """This distribution pinned to the version that generated the template.

    Upstream's ``chalice`` on PyPI is another project: the build must install
    the same tool that wrote the template, or it packages a different app.
    """
    from chalice import __distribution__

    return f"{__distribution__}=={chalice_version}"


def pip_install_command(requirement: str) -> str:
    """``pip install`` with ``requirement`` split like a shell and each part quoted.

    ``requirement`` may carry pip options (``--index-url URL``, ``--find-links
    DIR``) next to the specifier; quoting each part keeps ``<`` and ``>`` away
    from the build's shell.
    """
    try:
        parts = shlex.split(requirement)
    except ValueError as err:
        raise InvalidChaliceRequirementError(
            f"Cannot read --chalice-requirement {requirement!r}: {err}.",
            fix="Balance the quotes, e.g. --chalice-requirement 'chalice-ng==1.35.0'.",
        ) from None
    if not parts:
        raise InvalidChaliceRequirementError(
            "--chalice-requirement is empty.",
            fix="Pass what the build should 'pip install', e.g. 'chalice-ng==1.35.0' or "
            "'--index-url https://pypi.example.com/simple chalice-ng==1.35.0'.",
        )
    return "pip install " + " ".join(shlex.quote(part) for part in parts)


def create_buildspec(params: PipelineParameters) -> dict[str, Any]:
    """The CodeBuild buildspec: install chalice and the app's requirements, package, upload."""
    package = [
        "chalice package /tmp/packaged",
        "aws cloudformation package --template-file /tmp/packaged/sam.json "
        "--s3-bucket ${APP_S3_BUCKET} --output-template-file transformed.yaml",
    ]
    if params.state_backend_s3:
        from chalice.pipeline_state import deploy_commands

        package = deploy_commands()
    install = [
        pip_install_command(
            default_chalice_requirement(params.chalice_version)
            if params.chalice_requirement is None
            else params.chalice_requirement
        ),
        "pip install -r requirements.txt",
    ]
    artifacts = {"type": "zip", "files": ["transformed.yaml"]}
    if params.version is PipelineVersion.V1:
        spec: dict[str, Any] = {
            "version": "0.1",
            "phases": {
                "install": {"commands": ["pip install --upgrade awscli", *install, *package]}
            },
            "artifacts": artifacts,
        }
    else:
        major, minor = params.python_version
        spec = {
            "version": "0.2",
            "phases": {
                "install": {"runtime-versions": {"python": f"{major}.{minor}"}, "commands": install},
                "build": {"commands": package},
            },
            "artifacts": artifacts,
        }
    if params.state_backend_s3:
        del spec["artifacts"]  # the build deploys; nothing is handed on
    return spec


def buildspec_yaml(buildspec: dict[str, Any]) -> str:
    """The buildspec as YAML text (what CodeBuild reads from the repo or the template)."""
    import yaml

    return str(yaml.safe_dump(buildspec, sort_keys=False, default_flow_style=False))


def _parameters(params: PipelineParameters) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ApplicationName": {
            "Type": "String",
            "Default": params.app_name,
            "Description": "Name of the application, used to name the pipeline's resources.",
        },
        "CodeBuildImage": {
            "Type": "String",
            "Default": params.codebuild_image or default_codebuild_image(params),
            "Description": "CodeBuild image used to run 'chalice package'.",
        },
    }
    if params.source is SourceProvider.GITHUB:
        result["GithubOwner"] = {"Type": "String", "Description": "Owner of the GitHub repository."}
        result["GithubRepoName"] = {
            "Type": "String",
            "Description": "Name of the GitHub repository.",
        }
        if params.version is PipelineVersion.V1:
            result["GithubPersonalToken"] = {
                "Type": "String",
                "NoEcho": True,
                "Description": "A GitHub personal access token with access to the repository.",
            }
        else:
            result["GithubRepoSecretId"] = {
                "Type": "String",
                "Default": "GithubRepoAccess",
                "Description": "Secrets Manager secret holding a GitHub OAuth token.",
            }
            result["GithubRepoSecretJSONKey"] = {
                "Type": "String",
                "Default": "OAuthToken",
                "Description": "Key of the token inside the secret's JSON.",
            }
    return result


def _assume_role(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def _bucket_objects(bucket_ref: str) -> dict[str, Any]:
    return {"Fn::Sub": "arn:${AWS::Partition}:s3:::${" + bucket_ref + "}/*"}


def _codebuild_role() -> dict[str, Any]:
    statements = [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:*:*:*"},
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": [
                _bucket_objects("ApplicationBucket"),
                _bucket_objects("ArtifactBucketStore"),
            ],
        },
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": _assume_role("codebuild.amazonaws.com"),
            "Policies": [
                {
                    "PolicyName": "DefaultPolicy",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def _codepipeline_role(params: PipelineParameters) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": [
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:GetBucketVersioning",
                "s3:PutObject",
            ],
            "Resource": [
                {"Fn::GetAtt": ["ArtifactBucketStore", "Arn"]},
                _bucket_objects("ArtifactBucketStore"),
            ],
        },
        {
            "Effect": "Allow",
            "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            "Resource": {"Fn::GetAtt": ["AppPackageBuild", "Arn"]},
        },
        {
            "Effect": "Allow",
            "Action": [
                "cloudformation:CreateChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DescribeStacks",
                "cloudformation:ExecuteChangeSet",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": {"Fn::GetAtt": ["CFNDeployRole", "Arn"]},
        },
    ]
    if params.source is SourceProvider.CODECOMMIT:
        statements.append(
            {
                "Effect": "Allow",
                "Action": [
                    "codecommit:GetBranch",
                    "codecommit:GetCommit",
                    "codecommit:GetUploadArchiveStatus",
                    "codecommit:UploadArchive",
                    "codecommit:CancelUploadArchive",
                ],
                "Resource": {"Fn::GetAtt": ["SourceRepository", "Arn"]},
            }
        )
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": _assume_role("codepipeline.amazonaws.com"),
            "Policies": [
                {
                    "PolicyName": "DefaultPolicy",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def _cfn_deploy_role() -> dict[str, Any]:
    # CloudFormation creates whatever the app's SAM template declares; these are the
    # services a chalice app can use.
    statement = {
        "Effect": "Allow",
        "Action": [
            "apigateway:*",
            "lambda:*",
            "iam:*",
            "events:*",
            "sns:*",
            "sqs:*",
            "kinesis:*",
            "dynamodb:*",
            "logs:*",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetBucketNotification",
            "s3:PutBucketNotification",
            "cloudformation:CreateChangeSet",
            "route53:*",
            "acm:*",
        ],
        "Resource": "*",
    }
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": _assume_role("cloudformation.amazonaws.com"),
            "Policies": [
                {
                    "PolicyName": "DeployAccess",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                }
            ],
        },
    }


def _codebuild_project(params: PipelineParameters) -> dict[str, Any]:
    source: dict[str, Any] = {"Type": "CODEPIPELINE"}
    if params.buildspec_in_template:
        source["BuildSpec"] = buildspec_yaml(create_buildspec(params))
    return {
        "Type": "AWS::CodeBuild::Project",
        "Properties": {
            "Name": {"Fn::Sub": "${ApplicationName}Build"},
            "Artifacts": {"Type": "CODEPIPELINE"},
            "Environment": {
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "Image": {"Ref": "CodeBuildImage"},
                "Type": "LINUX_CONTAINER",
                "EnvironmentVariables": [
                    {"Name": "APP_S3_BUCKET", "Value": {"Ref": "ApplicationBucket"}}
                ],
            },
            "ServiceRole": {"Fn::GetAtt": ["CodeBuildRole", "Arn"]},
            "Source": source,
        },
    }


def _source_action(params: PipelineParameters) -> dict[str, Any]:
    if params.source is SourceProvider.CODECOMMIT:
        return {
            "Name": "Source",
            "ActionTypeId": {
                "Category": "Source",
                "Owner": "AWS",
                "Provider": "CodeCommit",
                "Version": "1",
            },
            "Configuration": {
                "RepositoryName": {"Fn::GetAtt": ["SourceRepository", "Name"]},
                "BranchName": params.branch,
            },
            "OutputArtifacts": [{"Name": "SourceRepo"}],
            "RunOrder": 1,
        }
    if params.version is PipelineVersion.V1:
        token: Any = {"Ref": "GithubPersonalToken"}
    else:
        token = {
            "Fn::Join": [
                "",
                [
                    "{{resolve:secretsmanager:",
                    {"Ref": "GithubRepoSecretId"},
                    ":SecretString:",
                    {"Ref": "GithubRepoSecretJSONKey"},
                    "}}",
                ],
            ]
        }
    return {
        "Name": "Source",
        "ActionTypeId": {
            "Category": "Source",
            "Owner": "ThirdParty",
            "Provider": "GitHub",
            "Version": "1",
        },
        "Configuration": {
            "Owner": {"Ref": "GithubOwner"},
            "Repo": {"Ref": "GithubRepoName"},
            "Branch": params.branch,
            "OAuthToken": token,
            "PollForSourceChanges": True,
        },
        "OutputArtifacts": [{"Name": "SourceRepo"}],
        "RunOrder": 1,
    }


def _pipeline(params: PipelineParameters) -> dict[str, Any]:
    stack_name = {"Fn::Sub": "${ApplicationName}BetaStack"}
    deploy_actions = [
        {
            "Name": "CreateBetaChangeSet",
            "ActionTypeId": {
                "Category": "Deploy",
                "Owner": "AWS",
                "Provider": "CloudFormation",
                "Version": "1",
            },
            "Configuration": {
                "ActionMode": "CHANGE_SET_REPLACE",
                "ChangeSetName": {"Fn::Sub": "${ApplicationName}ChangeSet"},
                "RoleArn": {"Fn::GetAtt": ["CFNDeployRole", "Arn"]},
                "Capabilities": "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND",
                "StackName": stack_name,
                "TemplatePath": "CompiledCFNTemplate::transformed.yaml",
            },
            "InputArtifacts": [{"Name": "CompiledCFNTemplate"}],
            "RunOrder": 1,
        },
        {
            "Name": "ExecuteChangeSet",
            "ActionTypeId": {
                "Category": "Deploy",
                "Owner": "AWS",
                "Provider": "CloudFormation",
                "Version": "1",
            },
            "Configuration": {
                "ActionMode": "CHANGE_SET_EXECUTE",
                "ChangeSetName": {"Fn::Sub": "${ApplicationName}ChangeSet"},
                "StackName": stack_name,
                "OutputFileName": "StackOutputs.json",
            },
            "OutputArtifacts": [{"Name": "AppDeploymentValues"}],
            "RunOrder": 2,
        },
    ]
    return {
        "Type": "AWS::CodePipeline::Pipeline",
        "Properties": {
            "Name": {"Fn::Sub": "${ApplicationName}Pipeline"},
            "RoleArn": {"Fn::GetAtt": ["CodePipelineRole", "Arn"]},
            "ArtifactStore": {"Type": "S3", "Location": {"Ref": "ArtifactBucketStore"}},
            "Stages": [
                {"Name": "Source", "Actions": [_source_action(params)]},
                {
                    "Name": "Build",
                    "Actions": [
                        {
                            "Name": "CodeBuild",
                            "ActionTypeId": {
                                "Category": "Build",
                                "Owner": "AWS",
                                "Provider": "CodeBuild",
                                "Version": "1",
                            },
                            "Configuration": {"ProjectName": {"Ref": "AppPackageBuild"}},
                            "InputArtifacts": [{"Name": "SourceRepo"}],
                            "OutputArtifacts": [{"Name": "CompiledCFNTemplate"}],
                            "RunOrder": 1,
                        }
                    ],
                },
                {"Name": "Beta", "Actions": deploy_actions},
            ],
        },
    }


def create_pipeline_template(params: PipelineParameters) -> dict[str, Any]:
    """The whole CloudFormation template as a dict (dump it as JSON)."""
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    if params.source is SourceProvider.CODECOMMIT:
        resources["SourceRepository"] = {
            "Type": "AWS::CodeCommit::Repository",
            "Properties": {
                "RepositoryName": {"Ref": "ApplicationName"},
                "RepositoryDescription": {"Fn::Sub": "Source code for ${ApplicationName}"},
            },
        }
        outputs["SourceRepoURL"] = {"Value": {"Fn::GetAtt": ["SourceRepository", "CloneUrlHttp"]}}
    resources["ApplicationBucket"] = {"Type": "AWS::S3::Bucket"}
    resources["ArtifactBucketStore"] = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
    }
    resources["CodeBuildRole"] = _codebuild_role()
    resources["AppPackageBuild"] = _codebuild_project(params)
    resources["CodePipelineRole"] = _codepipeline_role(params)
    resources["CFNDeployRole"] = _cfn_deploy_role()
    resources["AppPipeline"] = _pipeline(params)
    outputs.update(
        {
            "S3ApplicationBucket": {"Value": {"Ref": "ApplicationBucket"}},
            "CodeBuildRoleArn": {"Value": {"Fn::GetAtt": ["CodeBuildRole", "Arn"]}},
            "S3PipelineBucket": {"Value": {"Ref": "ArtifactBucketStore"}},
            "CodePipelineRoleArn": {"Value": {"Fn::GetAtt": ["CodePipelineRole", "Arn"]}},
            "CFNDeployRoleArn": {"Value": {"Fn::GetAtt": ["CFNDeployRole", "Arn"]}},
        }
    )
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"CI/CD pipeline for the chalice app {params.app_name}",
        "Parameters": _parameters(params),
        "Resources": resources,
        "Outputs": outputs,
    }
    if params.state_backend_s3:
        from chalice.pipeline_state import apply

        apply(template)
    return template
