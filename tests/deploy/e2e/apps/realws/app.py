"""Websocket sample for the realism scenarios."""

from chalice import Chalice

app = Chalice(app_name="realws")
app.experimental_feature_flags.update(["WEBSOCKETS"])

VERSION = "v1"


@app.on_ws_connect()
def connect(event):
    return None


@app.on_ws_message()
def message(event):
    return {"version": VERSION}


@app.on_ws_disconnect()
def disconnect(event):
    return None
