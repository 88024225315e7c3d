"""``chalice generate-pipeline``: a CloudFormation template for a CI/CD pipeline.

The pipeline pulls the app from CodeCommit (created by the template) or GitHub,
runs ``chalice package`` in CodeBuild, then deploys the packaged SAM template with
CloudFormation change sets. Everything here is pure: functions return the
template and buildspec as data; the CLI writes the files. Two template versions
exist, as upstream: ``v1`` (buildspec 0.1; GitHub token passed as a NoEcho
parameter) and ``v2`` (buildspec 0.2 with a pinned Python runtime; GitHub token
read from Secrets Manager).

The parameters live in ``chalice.pipeline_params`` and the buildspec in
``chalice.pipeline_buildspec``; their public names are re-exported here.
"""

from __future__ import annotations

from typing import Any

from chalice.pipeline_buildspec import (
    InvalidChaliceRequirementError,
    buildspec_yaml,
    create_buildspec,
    default_chalice_requirement,
    pip_install_command,
)
from chalice.pipeline_params import (
    PipelineParameters,
    PipelineVersion,
    SourceProvider,
    default_codebuild_image,
)

__all__ = [
    "InvalidChaliceRequirementError",
    "PipelineParameters",
    "PipelineVersion",
    "SourceProvider",
    "buildspec_yaml",
    "create_buildspec",
    "create_pipeline_template",
    "default_chalice_requirement",
    "default_codebuild_image",
    "pip_install_command",
]


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
