"""VPC sample for the realism scenarios: subnet_ids/security_group_ids come from config."""

from chalice import Chalice

app = Chalice(app_name="realvpc")

VERSION = "v1"


@app.lambda_function()
def in_vpc(event, context):
    return {"version": VERSION}


@app.lambda_function()
def outside(event, context):
    return {"version": VERSION}
