#!/usr/bin/python3
"""Serializes requests and parses responses with botocore, for Marketlink's codec cross-check.

Usage: /usr/bin/python3 botocore_codec.py MODELS_DIR CASES.json

CASES.json is a list of objects:
  {"model": "meteringmarketplace.json" (a file in MODELS_DIR) or "botocore:sqs" (botocore's own
   model, for the query flavour of SQS Debian's clients speak),
   "protocol": optional override (the entitlement model now lists CBOR first),
   "operation": "BatchMeterUsage",
   "params": {...} (botocore member names; validated against the model, then serialized),
   "response": {"status": 200, "headers": [[k, v], ...], "body": "..."} (to parse)}
Prints {"results": [...]}, one per case: {"request": {"method", "path", "query": [[k, v]...],
"headers": [[k, v]...], "body"}, "parsed": {...}} where timestamps are epoch seconds and blobs
base64; or {"error": "..."} when botocore rejects the params.

Exits 3 when botocore cannot be imported: the test that runs this must fail, never skip.
"""
import base64
import datetime
import json
import os
import sys
from urllib.parse import parse_qsl, urlsplit

try:
    import botocore
    import botocore.exceptions
    import botocore.loaders
    import botocore.model
    import botocore.parsers
    import botocore.serialize
    import botocore.validate
    from botocore.awsrequest import AWSRequest, prepare_request_dict
except ImportError as e:  # pragma: no cover - the point is to fail loudly
    print(f"botocore is not importable from {sys.executable}: {e}", file=sys.stderr)
    sys.exit(3)


def load_model(models_dir, name, protocol):
    if name.startswith("botocore:"):
        data = botocore.loaders.Loader().load_service_model(name.split(":", 1)[1], "service-2")
    else:
        with open(os.path.join(models_dir, name), encoding="utf-8") as f:
            data = json.load(f)
    if protocol:
        data["metadata"]["protocol"] = protocol
        data["metadata"].pop("protocols", None)
    return botocore.model.ServiceModel(data)


def plain(value):
    if isinstance(value, datetime.datetime):
        seconds = value.timestamp()
        return int(seconds) if seconds == int(seconds) else seconds
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def run(models_dir, case):
    model = load_model(models_dir, case["model"], case.get("protocol"))
    operation = model.operation_model(case["operation"])
    protocol = model.metadata["protocol"]
    try:
        if operation.input_shape is not None:
            botocore.validate.validate_parameters(case["params"], operation.input_shape)
        elif case["params"]:
            return {"error": f"{operation.name} takes no input"}
    except botocore.exceptions.ParamValidationError as e:
        return {"error": str(e)}
    serializer = botocore.serialize.create_serializer(protocol, include_validation=False)
    request_dict = serializer.serialize_to_request(case["params"], operation)
    prepare_request_dict(request_dict, endpoint_url="https://example.amazonaws.com")
    prepared = AWSRequest(method=request_dict["method"], url=request_dict["url"],
                          data=request_dict["body"], headers=request_dict["headers"]).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = {
        "method": prepared.method,
        "path": url.path,
        "query": parse_qsl(url.query, keep_blank_values=True),
        "headers": [[k, v if isinstance(v, str) else v.decode("utf-8")]
                    for k, v in prepared.headers.items()],
        "body": body.decode("utf-8"),
    }
    response = case["response"]
    parser = botocore.parsers.create_parser(protocol)
    parsed = parser.parse({"status_code": response["status"],
                           "headers": {k: v for k, v in response["headers"]},
                           "body": response["body"].encode("utf-8"),
                           "context": {"operation_name": operation.name}},
                          operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    return {"request": request, "parsed": plain(parsed)}


def main():
    models_dir, cases_path = sys.argv[1], sys.argv[2]
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    json.dump({"botocore_version": botocore.__version__,
               "results": [run(models_dir, c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
