#!/usr/bin/env python3
"""Registers the benchmark's backend as an external server and has it approved, as on a real
appliance: the ADMIN registers it (POST /admin/externals), the DPOs the policy asks for approve its
review, then the operator token activates it. The accounts come from `airlock admin bootstrap`,
whose output is read on standard input; each one-time password is replaced at first sign-in.

usage: approve-external.py PORT MODEL ENDPOINT OPERATOR_TOKEN < bootstrap-output
"""
import json
import re
import sys
import urllib.request

port, model, endpoint, operator = sys.argv[1:5]
base = f"http://127.0.0.1:{port}"


def call(method, path, token, body=None, ok=(200, 201, 202)):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")


def sign_in(user, one_time):
    token = call("POST", "/admin/session", "", {"username": user, "password": one_time})["token"]
    chosen = one_time + "-bench-chosen"
    call("POST", "/admin/session/password", token, {"current": one_time, "next": chosen})
    return call("POST", "/admin/session", "", {"username": user, "password": chosen})["token"]


accounts = re.findall(r"username:\s+(\S+).*?\n\s+one-time password:\s+(\S+)", sys.stdin.read())
tokens = {user: sign_in(user, password) for user, password in accounts}
admin = tokens.pop(accounts[0][0])
registered = call("POST", "/admin/externals", admin, {
    "model": model, "version": "bench", "endpoints": [endpoint], "publisher": "Airlock benchmark",
    "originCountry": "FR", "license": "Apache-2.0"})
version = registered["catalogVersionId"]
for dpo in list(tokens.values())[:registered["requiredApprovals"]]:
    call("POST", f"/admin/reviews/{version}/approve", dpo, {"justification": "benchmark backend, Apache-2.0"})
call("PUT", f"/admin/models/{model}", operator, {"catalogVersionId": version})
