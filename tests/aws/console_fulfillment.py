#!/usr/bin/python3
"""The simulator's buyer console, driven as a browser without JavaScript would: sign in as a
buyer, subscribe (with a free trial), "Set up product", then submit the "Click here to set up
your account" form to the product's fulfillment URL, and cancel. Also checks that
`marketlink serve --sandbox` starts the simulator with a demo product whose fulfillment URL is the
hub's /aws/fulfillment, and that the console's form reaches it."""
import html.parser
import os
import re
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import boto3
except ImportError as e:
    print(f"boto3 is not importable from {sys.executable}: {e}", file=sys.stderr)
    sys.exit(1)

import simharness as h


class Forms(html.parser.HTMLParser):
    """Collects forms (action, method, inputs, button text) and links of a page."""

    def __init__(self):
        super().__init__()
        self.forms, self.links, self._form, self._button = [], [], None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action"), "method": a.get("method", "get"),
                          "inputs": {}, "buttons": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            if a.get("type") != "checkbox":
                self._form["inputs"][a["name"]] = a.get("value", "")
        elif tag == "button":
            self._button = True
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_data(self, data):
        if self._button and self._form is not None and data.strip():
            self._form["buttons"].append(data.strip())

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._button = False


def parse(page):
    p = Forms()
    p.feed(page)
    return p


class Browser:
    """Keeps the console's cookie and follows nothing by itself."""

    def __init__(self, base):
        self.base, self.cookie = base, None

    def request(self, path, form=None):
        url = path if path.startswith("http") else self.base + path
        headers = {"Accept": "text/html"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, resp_headers, body = h.fetch(url, data=data, headers=headers,
                                             method="POST" if form is not None else "GET")
        cookie = resp_headers.get("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        return status, resp_headers, body

    def follow(self, status, headers):
        assert status == 303, status
        return self.request(headers["Location"])


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)
        cls.sim = h.Simulator()
        cls.hub = h.Recorder()

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()
        cls.sim.stop()

    def assert_clean_page(self, headers, body):
        self.assertNotRegex(body, r"<script|\sstyle=|\son[a-z]+=")
        self.assertIn("form-action 'self'", headers["Content-Security-Policy"])

    def test_subscribe_set_up_and_cancel(self):
        sim = self.sim
        sim.new_product("consoleprod", dimensions=("users",),
                        fulfillment_url=self.hub.url + "/aws/fulfillment", free_trial=True)
        b = Browser(sim.url)
        status, headers, page = b.request("/console")
        self.assertEqual(status, 200)
        self.assert_clean_page(headers, page)
        self.assertIn("Create a new AWS account", page)
        status, headers, page = b.follow(*b.request("/console/accounts", {"email": ""})[:2])
        self.assertEqual(status, 200)
        buyer = re.search(r"Account ID <span class=\"mono\">(\d{12})</span>", page).group(1)
        self.assertIn("consoleprod", page)
        status, headers, page = b.request("/console/marketplace/products/consoleprod")
        subscribe = [f for f in parse(page).forms if f["action"].endswith("/subscribe")][0]
        status, headers, page = b.follow(*b.request(subscribe["action"], {"free_trial": "1"})[:2])
        self.assertIn("Your subscriptions", page)
        self.assertIn("Free trial", page)
        setup = [l for l in parse(page).links if l.endswith("/setup")][0]

        status, headers, page = b.request(setup)
        self.assertEqual(status, 200)
        self.assert_clean_page(headers, page)
        self.assertIn(self.hub.url, headers["Content-Security-Policy"])
        form = [f for f in parse(page).forms if f["action"] == self.hub.url + "/aws/fulfillment"][0]
        self.assertEqual(form["method"], "post")
        self.assertEqual(form["buttons"], ["Click here to set up your account"])
        self.assertEqual(form["inputs"]["x-amzn-marketplace-offer-type"], "free-trial")
        status, _, _ = b.request(form["action"], form["inputs"])
        self.assertEqual(status, 200)
        arrived = self.hub.wait_for(lambda r: r["path"] == "/aws/fulfillment")[0]
        self.assertEqual(arrived["headers"]["Content-Type"], "application/x-www-form-urlencoded")
        fields = dict(urllib.parse.parse_qsl(arrived["body"]))
        self.assertEqual(fields["x-amzn-marketplace-offer-type"], "free-trial")
        metering = boto3.client("meteringmarketplace", endpoint_url=sim.url, region_name=h.REGION,
                                aws_access_key_id=h.SELLER_KEY,
                                aws_secret_access_key=h.SELLER_SECRET)
        resolved = metering.resolve_customer(RegistrationToken=fields["x-amzn-marketplace-token"])
        self.assertEqual(resolved["CustomerAWSAccountId"], buyer)
        self.assertEqual(resolved["ProductCode"], "consoleprod")

        status, headers, page = b.request("/console/marketplace/subscriptions")
        cancel = [l for l in parse(page).links if l.endswith("/cancel")][0]
        status, headers, page = b.request(cancel)
        self.assertIn("Cancel your subscription", page)
        status, headers, page = b.follow(*b.request(cancel, {})[:2])
        self.assertIn("Cancellation pending", page)

    def test_static_and_signed_out(self):
        b = Browser(self.sim.url)
        status, headers, css = b.request("/console/static/console.css")
        self.assertEqual(status, 200)
        self.assertIn("text/css", headers["Content-Type"])
        status, headers, _ = b.request("/console/marketplace/subscriptions")
        self.assertEqual((status, headers["Location"]), (303, "/console"))


class SandboxTest(unittest.TestCase):
    def test_sandbox_console_reaches_the_hub(self):
        binary = os.environ["MARKETLINK_BINARY"]
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.Popen(
                [binary, "serve", "--sandbox", "--listen", "127.0.0.1:0",
                 "--db", f"sqlite:{tmp}/sandbox.db", "--log-level", "warn"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp)
            try:
                hub = sim = None
                for _ in range(40):
                    line = proc.stdout.readline()
                    if not line:
                        break
                    m = re.search(r"marketlink: listening on (http://\S+)", line)
                    hub = m.group(1) if m else hub
                    m = re.search(r"simulated AWS on (http://\S+)", line)
                    sim = m.group(1) if m else sim
                    if "Buyer console:" in line:
                        self.assertIn(f"{sim}/console", line)
                        break
                self.assertTrue(hub and sim, "serve --sandbox printed no URLs")
                status, _, _ = h.fetch(hub + "/healthz")
                self.assertEqual(status, 200)
                b = Browser(sim)
                b.request("/console/signin", {"account_id": "444455556666"})
                status, _, page = b.request("/console/marketplace")
                self.assertIn("Marketlink Demo (SaaS)", page)
                link = [l for l in parse(page).links if "/products/" in l][0]
                status, _, page = b.request(link)
                action = [f for f in parse(page).forms if f["action"].endswith("/subscribe")][0]
                b.request(action["action"], {})
                status, _, page = b.request("/console/marketplace/subscriptions")
                setup = [l for l in parse(page).links if l.endswith("/setup")][0]
                status, _, page = b.request(setup)
                form = [f for f in parse(page).forms if "x-amzn-marketplace-token" in f["inputs"]][0]
                self.assertEqual(form["action"], hub + "/aws/fulfillment")
                # The hub resolves the token and sends the buyer to onboarding.
                status, headers, _ = b.request(form["action"], form["inputs"])
                self.assertEqual(status, 303)
                self.assertTrue(headers["Location"].startswith("/onboarding/"), headers)
                status, _, page = b.request(hub + headers["Location"])
                self.assertEqual(status, 200)
                self.assertIn("Set up Marketlink Demo (SaaS)", page)
            finally:
                proc.terminate()
                self.assertEqual(proc.wait(timeout=30), 0)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
