"""Event-handler sample for the realism scenarios: SQS, SNS, S3 and a schedule."""

from chalice import Chalice, Rate

app = Chalice(app_name="realevents")

VERSION = "v1"


@app.schedule(Rate(5, unit=Rate.MINUTES))
def every_five(event):
    return {"version": VERSION}


@app.on_sns_message(topic="realevents-topic")
def on_sns(event):
    return None


@app.on_sqs_message(queue="realevents-queue", batch_size=5)
def on_sqs(event):
    return None


@app.on_s3_event(bucket="realevents-bucket", events=["s3:ObjectCreated:*"], prefix="in/")
def on_s3(event):
    return None
