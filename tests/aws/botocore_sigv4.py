#!/usr/bin/python3
"""Signs requests with botocore's SigV4 signers, for Marketlink's cross-check test.

Usage: /usr/bin/python3 botocore_sigv4.py REQUESTS.json

REQUESTS.json is a list of objects:
  {"method", "url" (as sent: scheme://host[:port]/path?query, already percent-encoded),
   "headers": [[name, value], ...], "body" (UTF-8 text), "service", "region", "access_key",
   "secret_key", "token" (may be empty), "amz_date" ("20150830T123600Z"), "s3" (bool),
   "unsigned_payload" (bool, S3 only)}
Prints {"botocore_version", "results"}: one result per request, {"authorization", "x_amz_date",
"x_amz_content_sha256" (or null), "x_amz_security_token" (or null)}.

Exits 3 when botocore cannot be imported: the test that runs this must fail, never skip.
"""
import datetime
import json
import sys
import types

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover - the point is to fail loudly
    print(f"botocore is not importable from {sys.executable}: {e}", file=sys.stderr)
    sys.exit(3)


def pin_clock(amz_date):
    fixed = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    # botocore.auth reads the time as datetime.datetime.utcnow(); give it a pinned clock without
    # touching the real datetime module.
    botocore.auth.datetime = types.SimpleNamespace(datetime=FixedDatetime)


def sign(case):
    pin_clock(case["amz_date"])
    request = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode("utf-8"))
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names are kept
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    if case["s3"]:
        signer = botocore.auth.S3SigV4Auth(credentials, case["service"], case["region"])
        if case.get("unsigned_payload"):
            request.context["client_config"] = types.SimpleNamespace(
                s3={"payload_signing_enabled": False})
    else:
        signer = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
    signer.add_auth(request)
    return {
        "authorization": request.headers["Authorization"],
        "x_amz_date": request.headers["X-Amz-Date"],
        "x_amz_content_sha256": request.headers.get("X-Amz-Content-SHA256"),
        "x_amz_security_token": request.headers.get("X-Amz-Security-Token"),
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    json.dump({"botocore_version": botocore.__version__, "results": [sign(c) for c in cases]},
              sys.stdout)


if __name__ == "__main__":
    main()
