from chalice import Chalice, Rate

app = Chalice(app_name="sample")


@app.route("/")
def index():
    return {"hello": "world"}


@app.route("/items/{item}", methods=["GET", "PUT"], cors=True)
def item(item):
    return {"item": item}


@app.authorizer()
def auth(auth_request):
    from chalice import AuthResponse

    return AuthResponse(routes=["*"], principal_id="user")


@app.route("/private", authorizer=auth)
def private():
    return {"private": True}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def every_five(event):
    return {}


@app.lambda_function()
def pure(event, context):
    return {"pure": True}


@app.on_sns_message(topic="sample-topic")
def on_sns(event):
    return None


@app.on_sqs_message(queue="sample-queue", batch_size=5)
def on_sqs(event):
    return None


@app.on_s3_event(bucket="sample-bucket", events=["s3:ObjectCreated:*"], prefix="in/")
def on_s3(event):
    return None
