"""The baseline: a bare Flask form POST under the same gunicorn settings as the real app."""

from flask import Flask, redirect, request

app = Flask(__name__)


@app.post("/field/<int:round_id>/<code>")
def submit(round_id: int, code: str):  # noqa: ANN201
    request.form.get("submission_id")  # parse the body, as the real endpoint must
    return redirect(f"/field/sheets/{round_id}", 303)
