"""REST sample for the realism scenarios: a custom and a Cognito authorizer, CORS."""

from chalice import AuthResponse, Chalice, CognitoUserPoolAuthorizer, CORSConfig

app = Chalice(app_name="realrest")

cognito = CognitoUserPoolAuthorizer(
    "pool", provider_arns=["arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc"]
)


@app.authorizer()
def token_auth(auth_request):
    return AuthResponse(routes=["*"], principal_id="user")


@app.route("/")
def index():
    return {"version": "v1"}


@app.route(
    "/items/{item}",
    methods=["GET", "PUT"],
    cors=CORSConfig(allow_origin="https://example.com", max_age=600),
)
def item(item):
    return {"item": item}


@app.route("/private", authorizer=token_auth)
def private():
    return {"private": True}


@app.route("/members", authorizer=cognito, cors=True)
def members():
    return {"members": True}
