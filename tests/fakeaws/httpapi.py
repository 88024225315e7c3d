"""Fake API Gateway v2 HTTP APIs: the API, authorizers, integrations, routes, stages.

HTTP APIs and websocket APIs are one kind of resource in AWS (``GetApis``
lists both, ids come from one space), so ``FakeHttpApis`` keeps its APIs,
integrations, routes and stages in the dicts of the ``FakeAPIGatewayV2`` it
is given, under its lock, and answers the operations both share
(``GetApi``, ``DeleteApi``, ``GetRoutes``...) through it.

What AWS does and the fake reproduces (AWS CLI reference,
https://docs.aws.amazon.com/cli/latest/reference/apigatewayv2/):

* ``Update*`` operations change only the members they are given; a nested
  object given (``CorsConfiguration``, ``DefaultRouteSettings``,
  ``AccessLogSettings``) replaces the old one;
* an authorizer or integration that a route still uses cannot be deleted
  (409 ``ConflictException``, "Cannot delete authorizer 'x', is referenced in
  route: GET /");
* a route's ``JWT``/``CUSTOM`` authorization names an existing authorizer of
  the matching type (``JWT``/``REQUEST``); setting ``NONE`` or ``AWS_IAM``
  detaches the authorizer, and scopes stay until replaced (an empty list
  clears them);
* a Lambda ``REQUEST`` authorizer of an HTTP API needs a payload format
  version, and simple responses only exist in format 2.0.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping
from typing import Any

from chalice.aws.errors import AWSError
from tests.fakeaws.apigateway import FakeAPIGatewayV2
from tests.fakeaws.core import REGION, CallLog, FakeService

# "GET /users/{id}", "ANY /{proxy+}" or "$default" (create-route: RouteKey).
_ROUTE_KEY = re.compile(r"^(\$default|(ANY|GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) /\S*)$")
# The authorizer type a route's AuthorizationType needs.
_AUTHORIZER_OF_ROUTE = {"JWT": "JWT", "CUSTOM": "REQUEST"}
_ROUTE_MEMBERS = ("RouteKey", "Target", "AuthorizationType", "AuthorizerId", "AuthorizationScopes")
_AUTHORIZER_MEMBERS = (
    "Name",
    "AuthorizerType",
    "IdentitySource",
    "JwtConfiguration",
    "AuthorizerUri",
    "AuthorizerPayloadFormatVersion",
    "EnableSimpleResponses",
    "AuthorizerResultTtlInSeconds",
    "AuthorizerCredentialsArn",
)


class FakeHttpApis(FakeService):
    """The HTTP API operations of ``apigatewayv2`` (``chalice.aws.protocols.HttpApiService``)."""

    service = "apigatewayv2"
    not_found_code = "NotFoundException"

    def __init__(self, log: CallLog, ids: itertools.count[int], v2: FakeAPIGatewayV2) -> None:
        super().__init__(log, ids)
        self.v2 = v2
        self.lock = v2.lock  # one API space, one lock

    def _api(self, operation: str, api_id: str) -> dict[str, Any]:
        api = self.v2.apis.get(api_id)
        if api is None or api.get("ProtocolType") != "HTTP":
            raise self.missing(operation, f"Invalid API identifier specified {api_id}")
        return api

    def _part(
        self, operation: str, table: dict[str, dict[str, dict[str, Any]]], api_id: str, key: str
    ) -> dict[str, Any]:
        """An authorizer or route of an API (NotFoundException for either missing)."""
        self._api(operation, api_id)
        found = table[api_id].get(key)
        if found is None:
            raise self.missing(operation, f"Invalid identifier specified {key}")
        return found

    def bad_request(self, operation: str, message: str) -> AWSError:
        return self.error(operation, "BadRequestException", message)

    # -- the API ------------------------------------------------------------------------
    def get_api(self, api_id: str) -> dict[str, Any] | None:
        return self.v2.get_api(api_id)

    def create_api(
        self, name: str, *, cors: dict[str, Any] | None, tags: dict[str, str] | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"Name": name, "ProtocolType": "HTTP"}
        if cors:
            params["CorsConfiguration"] = cors
        if tags:
            params["Tags"] = tags
        self._log("CreateApi", **params)
        with self.lock:
            api_id = self.new_id()
            api: dict[str, Any] = {
                "ApiId": api_id,
                "Name": name,
                "ProtocolType": "HTTP",
                "ApiEndpoint": f"https://{api_id}.execute-api.{REGION}.amazonaws.com",
                "ApiKeySelectionExpression": "$request.header.x-api-key",
                "RouteSelectionExpression": "${request.method} ${request.path}",
                "DisableExecuteApiEndpoint": False,
                "Tags": dict(tags or {}),
            }
            if cors:
                api["CorsConfiguration"] = copy.deepcopy(cors)
            self.v2.add_api(api)
            return copy.deepcopy(api)

    def update_cors(self, api_id: str, cors: dict[str, Any] | None) -> None:
        if not cors:
            self._log("DeleteCorsConfiguration", ApiId=api_id)
            with self.lock:
                if api_id not in self.v2.apis:
                    return  # the wrapper takes NotFoundException as done
                self.v2.apis[api_id].pop("CorsConfiguration", None)
            return
        self._log("UpdateApi", ApiId=api_id, CorsConfiguration=cors)
        with self.lock:
            self._api("UpdateApi", api_id)["CorsConfiguration"] = copy.deepcopy(cors)

    def delete_api(self, api_id: str) -> bool:
        return self.v2.delete_api(api_id)

    # -- authorizers ----------------------------------------------------------------------
    def list_authorizers(self, api_id: str) -> list[dict[str, Any]]:
        self._log("GetAuthorizers", ApiId=api_id)
        with self.lock:
            self._api("GetAuthorizers", api_id)
            return [copy.deepcopy(a) for a in self.v2.authorizers[api_id].values()]

    def _check_authorizer(self, operation: str, auth: Mapping[str, Any]) -> None:
        kind = auth.get("AuthorizerType")
        if kind == "JWT":
            if not (auth.get("JwtConfiguration") or {}).get("Issuer"):
                raise self.bad_request(operation, "JwtConfiguration.Issuer is required")
            if not auth.get("IdentitySource"):
                raise self.bad_request(operation, "IdentitySource is required for JWT")
            return
        if kind != "REQUEST":
            raise self.bad_request(operation, f"Invalid authorizer type {kind}")
        version = auth.get("AuthorizerPayloadFormatVersion")
        if not auth.get("AuthorizerUri") or version not in ("1.0", "2.0"):
            raise self.bad_request(
                operation, "AuthorizerUri and AuthorizerPayloadFormatVersion are required"
            )
        if auth.get("EnableSimpleResponses") and version != "2.0":
            raise self.bad_request(operation, "Simple responses need payload format 2.0")
        ttl = int(auth.get("AuthorizerResultTtlInSeconds") or 0)
        if not 0 <= ttl <= 3600 or (ttl and not auth.get("IdentitySource")):
            raise self.bad_request(operation, "Invalid AuthorizerResultTtlInSeconds")

    def create_authorizer(self, api_id: str, params: dict[str, Any]) -> str:
        self._log("CreateAuthorizer", ApiId=api_id, **params)
        with self.lock:
            self._api("CreateAuthorizer", api_id)
            self._check_authorizer("CreateAuthorizer", params)
            current = self.v2.authorizers[api_id]
            if any(a["Name"] == params["Name"] for a in current.values()):
                raise self.error(
                    "CreateAuthorizer", "ConflictException", f"{params['Name']} already exists"
                )
            auth_id = self.new_id(6)
            current[auth_id] = {
                "AuthorizerId": auth_id,
                **{k: copy.deepcopy(params[k]) for k in _AUTHORIZER_MEMBERS if k in params},
            }
            return auth_id

    def update_authorizer(self, api_id: str, authorizer_id: str, params: dict[str, Any]) -> None:
        self._log("UpdateAuthorizer", ApiId=api_id, AuthorizerId=authorizer_id, **params)
        with self.lock:
            auth = self._part("UpdateAuthorizer", self.v2.authorizers, api_id, authorizer_id)
            changed = _updated(auth, params)
            self._check_authorizer("UpdateAuthorizer", changed)
            auth.update(changed)

    def delete_authorizer(self, api_id: str, authorizer_id: str) -> bool:
        self._log("DeleteAuthorizer", ApiId=api_id, AuthorizerId=authorizer_id)
        with self.lock:
            auth = self.v2.authorizers.get(api_id, {}).get(authorizer_id)
            if auth is None:
                return False
            self._refuse_if_used("DeleteAuthorizer", api_id, "AuthorizerId", authorizer_id)
            del self.v2.authorizers[api_id][authorizer_id]
            return True

    def _refuse_if_used(self, operation: str, api_id: str, member: str, value: str) -> None:
        for route in self.v2.routes[api_id].values():
            if route.get(member) == value:
                what = "authorizer" if member == "AuthorizerId" else "Integration"
                raise self.error(
                    operation,
                    "ConflictException",
                    f"Cannot delete {what} '{value}', is referenced in route: {route['RouteKey']}",
                )

    # -- integrations ---------------------------------------------------------------------
    def list_integrations(self, api_id: str) -> list[dict[str, Any]]:
        return self.v2.list_integrations(api_id)

    def create_proxy_integration(self, api_id: str, function_arn: str) -> str:
        self._log(
            "CreateIntegration",
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=function_arn,
            PayloadFormatVersion="2.0",
        )
        with self.lock:
            self._api("CreateIntegration", api_id)
            iid = self.new_id(7)
            self.v2.integrations[api_id][iid] = {
                "IntegrationId": iid,
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": function_arn,
                "IntegrationMethod": "POST",
                "ConnectionType": "INTERNET",
                "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": 30000,
            }
            return iid

    def delete_integration(self, api_id: str, integration_id: str) -> bool:
        self._log("DeleteIntegration", ApiId=api_id, IntegrationId=integration_id)
        with self.lock:
            if integration_id not in self.v2.integrations.get(api_id, {}):
                return False
            target = f"integrations/{integration_id}"
            self._refuse_if_used("DeleteIntegration", api_id, "Target", target)
            del self.v2.integrations[api_id][integration_id]
            return True

    # -- routes ---------------------------------------------------------------------------
    def list_routes(self, api_id: str) -> list[dict[str, Any]]:
        return self.v2.list_routes(api_id)

    def _check_route(self, operation: str, api_id: str, route: Mapping[str, Any]) -> None:
        if not _ROUTE_KEY.match(str(route.get("RouteKey", ""))):
            raise self.bad_request(operation, f"Invalid route key {route.get('RouteKey')}")
        target = str(route.get("Target", ""))
        if target and target.removeprefix("integrations/") not in self.v2.integrations[api_id]:
            raise self.bad_request(operation, f"Invalid integration target {target}")
        wanted_type = _AUTHORIZER_OF_ROUTE.get(str(route.get("AuthorizationType")))
        if wanted_type is None:
            return
        auth = self.v2.authorizers[api_id].get(str(route.get("AuthorizerId")))
        if auth is None or auth["AuthorizerType"] != wanted_type:
            raise self.bad_request(
                operation,
                f"{route['AuthorizationType']} routes need an authorizer of type {wanted_type}",
            )

    def create_route(self, api_id: str, params: dict[str, Any]) -> None:
        self._log("CreateRoute", ApiId=api_id, **params)
        with self.lock:
            self._api("CreateRoute", api_id)
            route: dict[str, Any] = {
                "AuthorizationType": "NONE",
                "ApiKeyRequired": False,
                **{k: copy.deepcopy(params[k]) for k in _ROUTE_MEMBERS if k in params},
            }
            self._check_route("CreateRoute", api_id, route)
            routes = self.v2.routes[api_id]
            if any(r["RouteKey"] == route["RouteKey"] for r in routes.values()):
                raise self.error(
                    "CreateRoute", "ConflictException", f"Route {route['RouteKey']} exists"
                )
            rid = self.new_id(7)
            routes[rid] = {"RouteId": rid, **route}

    def update_route(self, api_id: str, route_id: str, params: dict[str, Any]) -> None:
        self._log("UpdateRoute", ApiId=api_id, RouteId=route_id, **params)
        with self.lock:
            changed = _updated(self._part("UpdateRoute", self.v2.routes, api_id, route_id), params)
            if changed["AuthorizationType"] in ("NONE", "AWS_IAM"):
                changed.pop("AuthorizerId", None)
            if changed.get("AuthorizationScopes") == []:
                del changed["AuthorizationScopes"]
            self._check_route("UpdateRoute", api_id, changed)
            self.v2.routes[api_id][route_id] = changed

    def delete_route(self, api_id: str, route_id: str) -> bool:
        return self.v2.delete_route(api_id, route_id)

    # -- stages ---------------------------------------------------------------------------
    def list_stages(self, api_id: str) -> list[dict[str, Any]]:
        self._log("GetStages", ApiId=api_id)
        with self.lock:
            self._api("GetStages", api_id)
            return [copy.deepcopy(s) for (a, _), s in self.v2.stages.items() if a == api_id]

    def create_stage(
        self,
        api_id: str,
        stage: str,
        *,
        access_log: dict[str, str] | None,
        throttling: dict[str, Any],
    ) -> None:
        params: dict[str, Any] = {"ApiId": api_id, "StageName": stage, "AutoDeploy": True}
        if access_log:
            params["AccessLogSettings"] = access_log
        if throttling:
            params["DefaultRouteSettings"] = throttling
        self._log("CreateStage", **params)
        with self.lock:
            self._api("CreateStage", api_id)
            if (api_id, stage) in self.v2.stages:
                raise self.error("CreateStage", "ConflictException", f"Stage {stage} exists")
            # AutoDeploy: API Gateway deploys at once and after every change.
            self.v2.stages[(api_id, stage)] = {
                "StageName": stage,
                "AutoDeploy": True,
                "DeploymentId": self.new_id(6),
                "DefaultRouteSettings": _route_settings(throttling),
                "RouteSettings": {},
                "StageVariables": {},
                "Tags": {},
                **({"AccessLogSettings": dict(access_log)} if access_log else {}),
            }

    def _stage(self, operation: str, api_id: str, stage: str) -> dict[str, Any]:
        found = self.v2.stages.get((api_id, stage))
        if found is None:
            raise self.missing(operation, f"Invalid stage identifier specified {stage}")
        return found

    def update_stage_settings(
        self,
        api_id: str,
        stage: str,
        *,
        access_log: dict[str, str] | None,
        throttling: dict[str, Any],
    ) -> None:
        params: dict[str, Any] = {
            "ApiId": api_id,
            "StageName": stage,
            "DefaultRouteSettings": throttling,
        }
        if access_log:
            params["AccessLogSettings"] = access_log
        self._log("UpdateStage", **params)
        with self.lock:
            current = self._stage("UpdateStage", api_id, stage)
            current["DefaultRouteSettings"] = _route_settings(throttling)
            if access_log:
                current["AccessLogSettings"] = dict(access_log)

    def delete_access_log_settings(self, api_id: str, stage: str) -> bool:
        self._log("DeleteAccessLogSettings", ApiId=api_id, StageName=stage)
        with self.lock:
            found = self.v2.stages.get((api_id, stage))
            if found is None:
                return False
            found.pop("AccessLogSettings", None)
            return True

    def delete_stage(self, api_id: str, stage: str) -> bool:
        self._log("DeleteStage", ApiId=api_id, StageName=stage)
        with self.lock:
            return self.v2.stages.pop((api_id, stage), None) is not None


def _updated(current: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with the members ``params`` gives replaced (an ``Update*`` call)."""
    return {**current, **copy.deepcopy(dict(params))}


def _route_settings(throttling: Mapping[str, Any]) -> dict[str, Any]:
    """``DefaultRouteSettings`` as GetStage answers it (metrics off unless asked)."""
    return {"DetailedMetricsEnabled": False, **copy.deepcopy(dict(throttling))}
