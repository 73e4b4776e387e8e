"""Starts `marketlink sim` for a conformance suite and talks to its control API.

Used by the suites in this folder (run with /usr/bin/python3). The binary comes from
MARKETLINK_BINARY (set by ctest). Nothing here reaches beyond 127.0.0.1.
"""
import base64
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

SELLER_ACCOUNT = "111122223333"
SELLER_KEY = "AKIAMARKETLINKSIM001"
SELLER_SECRET = "marketlink-sim-secret-0000000000000000000"
REGION = "us-east-1"


class Simulator:
    """One `marketlink sim --listen 127.0.0.1:0` process."""

    def __init__(self, extra_args=()):
        binary = os.environ.get("MARKETLINK_BINARY")
        if not binary or not os.path.exists(binary):
            raise RuntimeError("MARKETLINK_BINARY must name the built marketlink binary")
        self.proc = subprocess.Popen(
            [binary, "sim", "--listen", "127.0.0.1:0", "--log-level", "warn", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"simulator did not start: {line!r}")
        self.url = match.group(1)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self):
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None

    # ---- control API ----
    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode()
                return resp.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text else None)

    def post(self, path, body=None):
        status, out = self.call("POST", path, body if body is not None else {})
        if status >= 300:
            raise AssertionError(f"POST {path} -> {status} {out}")
        return out

    def get(self, path):
        status, out = self.call("GET", path)
        if status >= 300:
            raise AssertionError(f"GET {path} -> {status} {out}")
        return out

    def now(self):
        """The simulator's business time, as epoch seconds."""
        text = self.get("/_sim/clock")["now"]
        return time.mktime(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone

    def advance(self, seconds):
        return self.post("/_sim/clock/advance", {"seconds": seconds})

    def new_account(self, **kwargs):
        return self.post("/_sim/accounts", kwargs)

    def new_product(self, code, pricing_model="subscription", dimensions=("users",), **kwargs):
        body = {"product_code": code, "name": f"Product {code}", "pricing_model": pricing_model,
                "dimensions": [{"name": d} for d in dimensions],
                "fulfillment_url": "http://127.0.0.1:9/aws/fulfillment"}
        body.update(kwargs)
        return self.post("/_sim/products", body)

    def subscribe(self, buyer, code, **kwargs):
        body = {"buyer_account_id": buyer, "product_code": code}
        body.update(kwargs)
        return self.post("/_sim/subscriptions", body)


class Recorder:
    """A tiny HTTP listener on 127.0.0.1 that records POSTs; answers the statuses queued in
    `answers` first, then 200."""

    def __init__(self):
        self.received = []
        self.answers = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                with outer.cond:
                    status = outer.answers.pop(0) if outer.answers else 200
                    outer.received.append({"path": self.path, "headers": dict(self.headers),
                                           "body": body, "status": status})
                    outer.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                found = [r for r in self.received if predicate(r)]
                if found:
                    return found
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"nothing matching arrived; got {self.received}")
                self.cond.wait(left)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def sns_string_to_sign(message):
    if message["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{message[k]}\n" for k in keys if k in message).encode()


def verify_sns_signature(message, certificate_pem):
    """True when `message` (a parsed SNS JSON body) carries a valid signature."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    digest = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    try:
        cert.public_key().verify(base64.b64decode(message["Signature"]),
                                 sns_string_to_sign(message), padding.PKCS1v15(), digest)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not valid"
        return False


def fetch(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(req, timeout=15) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
