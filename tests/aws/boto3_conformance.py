#!/usr/bin/python3
"""Conformance of `marketlink sim` with Debian's boto3 (/usr/bin/python3): every operation
Marketlink uses, with their error cases. Fails (never skips) when boto3 cannot be imported."""
import atexit
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
import types
import unittest
import urllib.request
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import boto3
    import botocore
    import botocore.auth
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError as e:
    print(f"boto3 is not importable from {sys.executable}: {e}", file=sys.stderr)
    sys.exit(1)

import simharness as h

SIM = None


def setUpModule():
    global SIM
    warnings.simplefilter("ignore", ResourceWarning)
    SIM = h.Simulator()


def tearDownModule():
    assert SIM.stop() == 0, "the simulator did not shut down cleanly"


def client(service, key=h.SELLER_KEY, secret=h.SELLER_SECRET, token=None, retries=0):
    return boto3.client(service, endpoint_url=SIM.url, region_name=h.REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"max_attempts": retries, "mode": "legacy"}))


def keys_of(account):
    return {"key": account["access_key_id"], "secret": account["secret_access_key"]}


def error_code(cm):
    return cm.exception.response["Error"]["Code"]


class Signatures(unittest.TestCase):
    def test_caller_identity(self):
        out = client("sts").get_caller_identity()
        self.assertEqual(out["Account"], h.SELLER_ACCOUNT)
        self.assertEqual(out["Arn"], f"arn:aws:iam::{h.SELLER_ACCOUNT}:root")
        self.assertTrue(out["ResponseMetadata"]["RequestId"])

    def test_wrong_secret_query(self):
        with self.assertRaises(ClientError) as cm:
            client("sts", secret="wrong-secret").get_caller_identity()
        self.assertEqual(error_code(cm), "SignatureDoesNotMatch")

    def test_wrong_secret_json(self):
        with self.assertRaises(ClientError) as cm:
            client("organizations", secret="wrong-secret").describe_organization()
        self.assertEqual(error_code(cm), "InvalidSignatureException")

    def test_wrong_secret_s3(self):
        with self.assertRaises(ClientError) as cm:
            client("s3", secret="wrong-secret").list_buckets()
        self.assertEqual(error_code(cm), "SignatureDoesNotMatch")

    def test_unknown_key(self):
        with self.assertRaises(ClientError) as cm:
            client("iam", key="AKIAUNKNOWNKEY000000").list_account_aliases()
        self.assertEqual(error_code(cm), "InvalidClientTokenId")
        with self.assertRaises(ClientError) as cm:
            client("meteringmarketplace", key="AKIAUNKNOWNKEY000000").resolve_customer(
                RegistrationToken="x")
        self.assertEqual(error_code(cm), "UnrecognizedClientException")

    def test_wrong_service_in_scope(self):
        c = client("meteringmarketplace")
        c._request_signer._signing_name = "organizations"
        with self.assertRaises(ClientError) as cm:
            c.resolve_customer(RegistrationToken="x")
        self.assertEqual(error_code(cm), "InvalidSignatureException")
        i = client("iam")
        i._request_signer._signing_name = "sts"
        with self.assertRaises(ClientError) as cm:
            i.list_account_aliases()
        self.assertEqual(error_code(cm), "SignatureDoesNotMatch")

    def test_request_older_than_15_minutes(self):
        old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)

        class Fixed(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return old

        # botocore signs with awscrt when it is installed (Debian's awscli pulls it in).
        modules = [botocore.auth]
        try:
            from botocore.crt import auth as crt_auth
            modules.append(crt_auth)
        except ImportError:
            pass
        saved = [m.datetime for m in modules]
        for m in modules:
            m.datetime = types.SimpleNamespace(datetime=Fixed, timezone=datetime.timezone)
        try:
            with self.assertRaises(ClientError) as cm:
                client("sts").get_caller_identity()
            self.assertEqual(error_code(cm), "RequestExpired")
            with self.assertRaises(ClientError) as cm:
                client("cur").describe_report_definitions()
            self.assertEqual(error_code(cm), "InvalidSignatureException")
        finally:
            for m, d in zip(modules, saved):
                m.datetime = d


class Organizations(unittest.TestCase):
    def setUp(self):
        self.mgmt = SIM.new_account()
        self.orgs = client("organizations", **keys_of(self.mgmt))

    def test_not_in_organization(self):
        with self.assertRaises(ClientError) as cm:
            self.orgs.describe_organization()
        self.assertEqual(error_code(cm), "AWSOrganizationsNotInUseException")

    def test_create_account_lifecycle(self):
        org = self.orgs.create_organization(FeatureSet="ALL")["Organization"]
        self.assertTrue(org["Id"].startswith("o-"))
        self.assertEqual(self.orgs.describe_organization()["Organization"]["MasterAccountId"],
                         self.mgmt["account_id"])
        with self.assertRaises(ClientError) as cm:
            self.orgs.create_organization()
        self.assertEqual(error_code(cm), "AlreadyInOrganizationException")

        email = f"member+{time.time_ns()}@example.com"
        status = self.orgs.create_account(Email=email, AccountName="Member")["CreateAccountStatus"]
        self.assertEqual(status["State"], "IN_PROGRESS")
        self.assertTrue(status["Id"].startswith("car-"))
        same = self.orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])
        self.assertEqual(same["CreateAccountStatus"]["State"], "IN_PROGRESS")
        SIM.advance(10)
        done = self.orgs.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        self.assertEqual(done["State"], "SUCCEEDED")
        member = done["AccountId"]
        self.assertRegex(member, r"^\d{12}$")
        self.assertIn("CompletedTimestamp", done)

        again = self.orgs.create_account(Email=email.upper(), AccountName="Again")
        SIM.advance(10)
        failed = self.orgs.describe_create_account_status(
            CreateAccountRequestId=again["CreateAccountStatus"]["Id"])["CreateAccountStatus"]
        self.assertEqual(failed["State"], "FAILED")
        self.assertEqual(failed["FailureReason"], "EMAIL_ALREADY_EXISTS")

        listed = self.orgs.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
        self.assertEqual([s["Id"] for s in listed], [again["CreateAccountStatus"]["Id"]])
        accounts = self.orgs.list_accounts()["Accounts"]
        self.assertEqual(sorted(a["Id"] for a in accounts), sorted([self.mgmt["account_id"], member]))
        described = self.orgs.describe_account(AccountId=member)["Account"]
        self.assertEqual(described["Email"], email)
        self.assertEqual(described["Status"], "ACTIVE")
        with self.assertRaises(ClientError) as cm:
            self.orgs.describe_account(AccountId="000000000000")
        self.assertEqual(error_code(cm), "AccountNotFoundException")
        with self.assertRaises(ClientError) as cm:
            self.orgs.describe_create_account_status(CreateAccountRequestId="car-00000000000000")
        self.assertEqual(error_code(cm), "CreateAccountStatusNotFoundException")

        # The management account assumes OrganizationAccountAccessRole in the new member.
        sts = client("sts", **keys_of(self.mgmt))
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                                RoleSessionName="marketlink")["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        as_member = client("sts", creds["AccessKeyId"], creds["SecretAccessKey"],
                           creds["SessionToken"]).get_caller_identity()
        self.assertEqual(as_member["Account"], member)
        self.assertIn(":assumed-role/OrganizationAccountAccessRole/marketlink", as_member["Arn"])
        # Without the session token the temporary key is refused.
        with self.assertRaises(ClientError) as cm:
            client("sts", creds["AccessKeyId"], creds["SecretAccessKey"]).get_caller_identity()
        self.assertEqual(error_code(cm), "InvalidClientTokenId")

        # Another account may not assume the role; nor may a member call management operations.
        stranger = SIM.new_account()
        with self.assertRaises(ClientError) as cm:
            client("sts", **keys_of(stranger)).assume_role(
                RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                RoleSessionName="x1")
        self.assertEqual(error_code(cm), "AccessDenied")
        member_orgs = client("organizations", creds["AccessKeyId"], creds["SecretAccessKey"],
                             creds["SessionToken"])
        with self.assertRaises(ClientError) as cm:
            member_orgs.list_accounts()
        self.assertEqual(error_code(cm), "AccessDeniedException")

    def test_invalid_email(self):
        self.orgs.create_organization()
        with self.assertRaises(ClientError) as cm:
            self.orgs.create_account(Email="not-an-email", AccountName="x")
        self.assertEqual(error_code(cm), "InvalidInputException")


class AccountContacts(unittest.TestCase):
    def test_own_and_member_contacts(self):
        mgmt = SIM.new_account(organization="management")
        member = SIM.new_account(organization="member-of-other",
                                 management_account_id=mgmt["account_id"])
        acct = client("account", **keys_of(mgmt))
        contact = {"AlternateContactType": "BILLING", "Name": "Ada Lovelace", "Title": "CFO",
                   "EmailAddress": "billing@example.com", "PhoneNumber": "+1 (555) 010-0000"}
        acct.put_alternate_contact(**contact)
        got = acct.get_alternate_contact(AlternateContactType="BILLING")["AlternateContact"]
        self.assertEqual(got["Name"], "Ada Lovelace")
        acct.put_alternate_contact(AccountId=member["account_id"],
                                   **dict(contact, AlternateContactType="SECURITY"))
        got = acct.get_alternate_contact(AccountId=member["account_id"],
                                         AlternateContactType="SECURITY")["AlternateContact"]
        self.assertEqual(got["EmailAddress"], "billing@example.com")
        held = SIM.get(f"/_sim/accounts/{member['account_id']}")
        self.assertEqual(held["contacts"]["SECURITY"]["title"], "CFO")
        with self.assertRaises(ClientError) as cm:
            acct.get_alternate_contact(AlternateContactType="OPERATIONS")
        self.assertEqual(error_code(cm), "ResourceNotFoundException")
        with self.assertRaises(ClientError) as cm:
            client("account", **keys_of(member)).put_alternate_contact(
                AccountId=mgmt["account_id"], **contact)
        self.assertEqual(error_code(cm), "AccessDeniedException")
        with self.assertRaises(ClientError) as cm:
            acct.put_alternate_contact(**dict(contact, PhoneNumber="call me"))
        self.assertEqual(error_code(cm), "ValidationException")


class Iam(unittest.TestCase):
    def test_users_and_alias(self):
        a = SIM.new_account()
        iam = client("iam", **keys_of(a))
        user = iam.create_user(UserName="ops")["User"]
        self.assertEqual(user["Arn"], f"arn:aws:iam::{a['account_id']}:user/ops")
        with self.assertRaises(ClientError) as cm:
            iam.create_user(UserName="ops")
        self.assertEqual(error_code(cm), "EntityAlreadyExists")
        self.assertEqual(iam.get_user(UserName="ops")["User"]["UserId"], user["UserId"])
        with self.assertRaises(ClientError) as cm:
            iam.get_user(UserName="nobody")
        self.assertEqual(error_code(cm), "NoSuchEntity")
        profile = iam.create_login_profile(UserName="ops", Password="Sup3r-secret!",
                                           PasswordResetRequired=True)["LoginProfile"]
        self.assertTrue(profile["PasswordResetRequired"])
        with self.assertRaises(ClientError) as cm:
            iam.create_login_profile(UserName="ops", Password="Sup3r-secret!")
        self.assertEqual(error_code(cm), "EntityAlreadyExists")
        iam.attach_user_policy(UserName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        held = SIM.get(f"/_sim/accounts/{a['account_id']}")
        self.assertEqual(held["users"][0]["policies"], ["arn:aws:iam::aws:policy/AdministratorAccess"])

        alias = f"alias-{time.time_ns()}"
        iam.create_account_alias(AccountAlias=alias)
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], [alias])
        other = client("iam", **keys_of(SIM.new_account()))
        with self.assertRaises(ClientError) as cm:
            other.create_account_alias(AccountAlias=alias)
        self.assertEqual(error_code(cm), "EntityAlreadyExists")
        with self.assertRaises(ClientError) as cm:
            other.create_account_alias(AccountAlias="Bad_Alias")
        self.assertEqual(error_code(cm), "ValidationError")
        self.assertEqual(other.list_account_aliases()["AccountAliases"], [])


class S3AndCur(unittest.TestCase):
    def test_buckets_policy_and_reports(self):
        a = SIM.new_account()
        s3 = client("s3", **keys_of(a))
        bucket = f"cur-{time.time_ns()}"
        s3.create_bucket(Bucket=bucket)
        s3.head_bucket(Bucket=bucket)
        self.assertIn(bucket, [b["Name"] for b in s3.list_buckets()["Buckets"]])
        with self.assertRaises(ClientError) as cm:
            s3.head_bucket(Bucket="no-such-bucket-here")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        other = client("s3", **keys_of(SIM.new_account()))
        with self.assertRaises(ClientError) as cm:
            other.head_bucket(Bucket=bucket)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        with self.assertRaises(ClientError) as cm:
            other.create_bucket(Bucket=bucket)
        self.assertEqual(error_code(cm), "BucketAlreadyExists")
        with self.assertRaises(ClientError) as cm:
            other.put_bucket_policy(Bucket=bucket, Policy="{}")
        self.assertEqual(error_code(cm), "AccessDenied")

        cur = client("cur", **keys_of(a))
        report = {"ReportName": "hourly", "TimeUnit": "HOURLY", "Format": "textORcsv",
                  "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"],
                  "S3Bucket": bucket, "S3Prefix": "cur", "S3Region": "us-east-1"}
        with self.assertRaises(ClientError) as cm:
            cur.put_report_definition(ReportDefinition=report)
        self.assertEqual(error_code(cm), "ValidationException")
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "billingreports.amazonaws.com"},
             "Action": ["s3:GetBucketAcl", "s3:GetBucketPolicy"], "Resource": f"arn:aws:s3:::{bucket}"},
            {"Effect": "Allow", "Principal": {"Service": "billingreports.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        self.assertEqual(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]), policy)
        cur.put_report_definition(ReportDefinition=report)
        with self.assertRaises(ClientError) as cm:
            cur.put_report_definition(ReportDefinition=report)
        self.assertEqual(error_code(cm), "DuplicateReportNameException")
        listed = cur.describe_report_definitions(MaxResults=5)["ReportDefinitions"]
        self.assertEqual([r["ReportName"] for r in listed], ["hourly"])
        cur.delete_report_definition(ReportName="hourly")
        self.assertEqual(cur.describe_report_definitions()["ReportDefinitions"], [])


class Metering(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.code = f"prod{time.time_ns()}"
        SIM.new_product(cls.code, dimensions=("users", "api_calls"))
        cls.buyer = SIM.new_account()
        cls.sub = SIM.subscribe(cls.buyer["account_id"], cls.code)
        cls.metering = client("meteringmarketplace")

    def record(self, quantity, dimension="users", customer=None, at=None):
        return {"Timestamp": datetime.datetime.utcfromtimestamp(at or SIM.now()),
                "CustomerIdentifier": customer or self.sub["customer_identifier"],
                "Dimension": dimension, "Quantity": quantity}

    def test_resolve_customer(self):
        token = SIM.post(f"/_sim/subscriptions/{self.sub['agreement_id']}/token")["registration_token"]
        first = self.metering.resolve_customer(RegistrationToken=token)
        self.assertEqual(first["CustomerIdentifier"], self.sub["customer_identifier"])
        self.assertEqual(first["ProductCode"], self.code)
        self.assertEqual(first["CustomerAWSAccountId"], self.buyer["account_id"])
        # Debian's botocore model predates LicenseArn; the field is checked in the C++ tests.
        again = self.metering.resolve_customer(RegistrationToken=token)
        self.assertEqual(again["CustomerIdentifier"], first["CustomerIdentifier"])
        with self.assertRaises(ClientError) as cm:
            self.metering.resolve_customer(RegistrationToken="garbage")
        self.assertEqual(error_code(cm), "InvalidTokenException")
        other_seller = SIM.new_account()
        with self.assertRaises(ClientError) as cm:
            client("meteringmarketplace", **keys_of(other_seller)).resolve_customer(
                RegistrationToken=token)
        self.assertEqual(error_code(cm), "InvalidTokenException")

    def test_expired_token(self):
        token = SIM.post(f"/_sim/subscriptions/{self.sub['agreement_id']}/token")["registration_token"]
        SIM.advance(3 * 3600 + 3500)
        self.metering.resolve_customer(RegistrationToken=token)
        SIM.advance(200)
        with self.assertRaises(ClientError) as cm:
            self.metering.resolve_customer(RegistrationToken=token)
        self.assertEqual(error_code(cm), "ExpiredTokenException")

    def test_deduplication(self):
        # Early in an hour two hours back, so that a minute later is still the same hour.
        at = (int(SIM.now()) // 3600 - 2) * 3600 + 60
        out = self.metering.batch_meter_usage(ProductCode=self.code,
                                              UsageRecords=[self.record(5, "api_calls", at=at)])
        first = out["Results"][0]
        self.assertEqual(first["Status"], "Success")
        self.assertEqual(out["UnprocessedRecords"], [])
        same = self.metering.batch_meter_usage(
            ProductCode=self.code, UsageRecords=[self.record(5, "api_calls", at=at + 60)])["Results"][0]
        self.assertEqual(same["Status"], "Success")
        self.assertEqual(same["MeteringRecordId"], first["MeteringRecordId"])
        different = self.metering.batch_meter_usage(
            ProductCode=self.code, UsageRecords=[self.record(6, "api_calls", at=at)])["Results"][0]
        self.assertEqual(different["Status"], "DuplicateRecord")
        records = [r for r in SIM.get("/_sim/metering-records")["records"]
                   if r["product_code"] == self.code and r["dimension"] == "api_calls"]
        self.assertEqual([(r["quantity"], r["status"]) for r in records],
                         [(5, "Success"), (6, "DuplicateRecord")])

    def test_not_subscribed_and_limits(self):
        out = self.metering.batch_meter_usage(
            ProductCode=self.code, UsageRecords=[self.record(1, customer="unknowncust")])
        self.assertEqual(out["Results"][0]["Status"], "CustomerNotSubscribed")
        with self.assertRaises(ClientError) as cm:
            self.metering.batch_meter_usage(ProductCode=self.code,
                                            UsageRecords=[self.record(1)] * 26)
        self.assertEqual(error_code(cm), "ValidationException")
        with self.assertRaises(ClientError) as cm:
            self.metering.batch_meter_usage(
                ProductCode=self.code,
                UsageRecords=[self.record(1), self.record(1, at=SIM.now() - 7 * 3600)])
        self.assertEqual(error_code(cm), "TimestampOutOfBoundsException")
        with self.assertRaises(ClientError) as cm:
            self.metering.batch_meter_usage(ProductCode=self.code,
                                            UsageRecords=[self.record(1, "unknown_dim")])
        self.assertEqual(error_code(cm), "InvalidUsageDimensionException")
        with self.assertRaises(ClientError) as cm:
            self.metering.batch_meter_usage(ProductCode="not-ours", UsageRecords=[self.record(1)])
        self.assertEqual(error_code(cm), "InvalidProductCodeException")

    def test_meter_usage_from_buyer(self):
        m = client("meteringmarketplace", **keys_of(self.buyer))
        at = datetime.datetime.utcfromtimestamp(SIM.now() - 3 * 3600)
        first = m.meter_usage(ProductCode=self.code, Timestamp=at, UsageDimension="users",
                              UsageQuantity=3)["MeteringRecordId"]
        self.assertEqual(m.meter_usage(ProductCode=self.code, Timestamp=at, UsageDimension="users",
                                       UsageQuantity=3)["MeteringRecordId"], first)
        with self.assertRaises(ClientError) as cm:
            m.meter_usage(ProductCode=self.code, Timestamp=at, UsageDimension="users",
                          UsageQuantity=4)
        self.assertEqual(error_code(cm), "DuplicateRequestException")
        with self.assertRaises(ClientError) as cm:
            client("meteringmarketplace", **keys_of(SIM.new_account())).meter_usage(
                ProductCode=self.code, Timestamp=at, UsageDimension="users", UsageQuantity=1)
        self.assertEqual(error_code(cm), "CustomerNotEntitledException")


class Lifecycle(unittest.TestCase):
    def test_unsubscribe_and_resubscribe(self):
        code = f"life{time.time_ns()}"
        SIM.new_product(code)
        SIM.post("/_sim/notifications/subscribe",
                 {"topic": "subscription", "product_code": code, "sqs_queue": f"q-{code}"})
        buyer = SIM.new_account()["account_id"]
        sub = SIM.subscribe(buyer, code)
        metering = client("meteringmarketplace")
        rec = lambda q: [{"Timestamp": datetime.datetime.utcfromtimestamp(SIM.now()),
                          "CustomerIdentifier": sub["customer_identifier"], "Dimension": "users",
                          "Quantity": q}]
        self.assertEqual(metering.batch_meter_usage(ProductCode=code, UsageRecords=rec(1))
                         ["Results"][0]["Status"], "Success")
        self.assertEqual(SIM.post(f"/_sim/subscriptions/{sub['agreement_id']}/cancel")["status"],
                         "unsubscribe-pending")
        # Resubscribing before unsubscribe-success keeps the subscription.
        again = SIM.subscribe(buyer, code)
        self.assertEqual(again["agreement_id"], sub["agreement_id"])
        SIM.post(f"/_sim/subscriptions/{sub['agreement_id']}/cancel")
        SIM.advance(61)
        SIM.advance(3600)
        out = metering.batch_meter_usage(ProductCode=code, UsageRecords=rec(2))
        self.assertEqual(out["Results"][0]["Status"], "CustomerNotSubscribed")

        sqs = client("sqs")
        queue_url = f"{SIM.url}/{h.SELLER_ACCOUNT}/q-{code}"
        actions = []
        cert = urllib.request.urlopen(SIM.url + "/_sim/sns/SimpleNotificationService.pem").read().decode()
        for _ in range(5):
            msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                       AttributeNames=["All"]).get("Messages", [])
            for m in msgs:
                envelope = json.loads(m["Body"])
                self.assertTrue(h.verify_sns_signature(envelope, cert))
                actions.append(json.loads(envelope["Message"])["action"])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            if not msgs:
                break
        self.assertEqual(actions, ["subscribe-success", "unsubscribe-pending", "subscribe-success",
                                   "unsubscribe-pending", "unsubscribe-success"])
        with self.assertRaises(ClientError) as cm:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle="bogus")
        self.assertEqual(error_code(cm), "ReceiptHandleIsInvalid")
        with self.assertRaises(ClientError) as cm:
            client("sqs", **keys_of(SIM.new_account())).receive_message(QueueUrl=queue_url)
        self.assertEqual(error_code(cm), "AccessDenied")


class Entitlements(unittest.TestCase):
    def test_filters_and_pages(self):
        code = f"contract{time.time_ns()}"
        SIM.new_product(code, pricing_model="contract", dimensions=("seats", "tier"))
        b1 = SIM.new_account()["account_id"]
        b2 = SIM.new_account()["account_id"]
        s1 = SIM.subscribe(b1, code, entitlements={"seats": 10, "tier": "gold"})
        s2 = SIM.subscribe(b2, code, entitlements={"seats": 5})
        ent = client("marketplace-entitlement")
        mine = ent.get_entitlements(ProductCode=code,
                                    Filter={"CUSTOMER_IDENTIFIER": [s1["customer_identifier"]]})
        values = {e["Dimension"]: e["Value"] for e in mine["Entitlements"]}
        self.assertEqual(values, {"seats": {"IntegerValue": 10}, "tier": {"StringValue": "gold"}})
        self.assertIsInstance(mine["Entitlements"][0]["ExpirationDate"], datetime.datetime)
        seats = ent.get_entitlements(ProductCode=code, Filter={"DIMENSION": ["seats"]})
        self.assertEqual(len(seats["Entitlements"]), 2)
        # Pages of one, following NextToken; the first agreement's rows end once it is cancelled.
        SIM.post(f"/_sim/subscriptions/{s1['agreement_id']}/cancel")
        SIM.advance(61)
        seen, pages, token = [], 0, None
        while True:
            kwargs = {"ProductCode": code, "MaxResults": 1}
            if token:
                kwargs["NextToken"] = token
            page = ent.get_entitlements(**kwargs)
            pages += 1
            seen += page["Entitlements"]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual([e["CustomerIdentifier"] for e in seen], [s2["customer_identifier"]])
        with self.assertRaises(ClientError) as cm:
            ent.get_entitlements(ProductCode=code, MaxResults=26)
        self.assertEqual(error_code(cm), "InvalidParameterException")


class Events(unittest.TestCase):
    def setUp(self):
        self.recorder = h.Recorder()
        self.cert = urllib.request.urlopen(
            SIM.url + "/_sim/sns/SimpleNotificationService.pem").read().decode()

    def tearDown(self):
        self.recorder.close()

    def test_sns_http_confirmation_signatures_and_retries(self):
        code = f"sns{time.time_ns()}"
        SIM.new_product(code)
        SIM.post("/_sim/settings", {"delivery_backoff_ms": 50})
        for version in ("1", "2"):
            SIM.post("/_sim/notifications/subscribe",
                     {"topic": "subscription", "product_code": code, "signature_version": version,
                      "endpoint": f"{self.recorder.url}/aws/sns/v{version}"})
            conf = self.recorder.wait_for(lambda r, v=version: r["path"] == f"/aws/sns/v{v}")[0]
            self.assertEqual(conf["headers"]["x-amz-sns-message-type"], "SubscriptionConfirmation")
            body = json.loads(conf["body"])
            self.assertEqual(body["SignatureVersion"], version)
            self.assertTrue(h.verify_sns_signature(body, self.cert))
            self.assertTrue(body["SigningCertURL"].endswith(".pem"))
            status, _, text = h.fetch(body["SubscribeURL"])
            self.assertEqual(status, 200, text)
            self.assertIn("ConfirmSubscriptionResult", text)
        self.recorder.answers = [500]  # the first notification fails once and is retried
        sub = SIM.subscribe(SIM.new_account()["account_id"], code, free_trial=True)
        notes = self.recorder.wait_for(
            lambda r: r["headers"].get("x-amz-sns-message-type") == "Notification"
            and r["status"] == 200, timeout=15)
        notes = self.recorder.wait_for(
            lambda r: r["headers"].get("x-amz-sns-message-type") == "Notification"
            and r["status"] == 200 and len([x for x in self.recorder.received if x["status"] == 200
                                            and x["headers"].get("x-amz-sns-message-type") == "Notification"]) >= 2,
            timeout=15)
        for n in notes:
            body = json.loads(n["body"])
            self.assertTrue(h.verify_sns_signature(body, self.cert))
            self.assertEqual(n["headers"]["x-amz-sns-topic-arn"],
                             f"arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-{code}")
            message = json.loads(body["Message"])
            self.assertEqual(message["action"], "subscribe-success")
            self.assertEqual(message["customer-identifier"], sub["customer_identifier"])
            self.assertEqual(message["isFreeTrialTermPresent"], "true")
        failed = [r for r in self.recorder.received if r["status"] == 500]
        self.assertEqual(len(failed), 1)
        retried = [r for r in self.recorder.received
                   if r["headers"].get("x-amz-sns-message-id") == failed[0]["headers"]["x-amz-sns-message-id"]]
        self.assertEqual([r["status"] for r in retried], [500, 200])
        tampered = json.loads(notes[0]["body"])
        tampered["Message"] = tampered["Message"].replace("subscribe-success", "unsubscribe-success")
        self.assertFalse(h.verify_sns_signature(tampered, self.cert))

    def test_eventbridge_destination(self):
        code = f"eb{time.time_ns()}"
        SIM.new_product(code)
        SIM.post("/_sim/eventbridge/destinations",
                 {"endpoint": f"{self.recorder.url}/aws/events", "secret": "s3cret"})
        sub = SIM.subscribe(SIM.new_account()["account_id"], code)
        events = self.recorder.wait_for(
            lambda r: json.loads(r["body"])["detail"]["agreement"]["id"] == sub["agreement_id"])
        created = [json.loads(e["body"]) for e in events]
        self.assertEqual(events[0]["headers"]["X-Marketlink-Events-Secret"], "s3cret")
        self.assertEqual(created[0]["source"], "aws.agreement-marketplace")
        self.assertEqual(created[0]["detail-type"], "Purchase Agreement Created - Manufacturer")
        self.assertEqual(created[0]["detail"]["license"]["arn"], sub["license_arn"])


    def test_eventbridge_sqs_target_and_entitlement_changes(self):
        code = f"ebq{time.time_ns()}"
        SIM.new_product(code, dimensions=("users", "seats"), legacy_identity=False)
        SIM.post("/_sim/notifications/subscribe",
                 {"topic": "entitlement", "product_code": code, "sqs_queue": f"ent-{code}"})
        dest = SIM.post("/_sim/eventbridge/destinations", {"sqs_queue": f"events-{code}"})
        queue_url = dest["queue_url"]
        self.assertEqual(queue_url, f"{SIM.url}/{h.SELLER_ACCOUNT}/events-{code}")
        sub = SIM.subscribe(SIM.new_account()["account_id"], code, entitlements={"seats": 2})
        changed = SIM.post(f"/_sim/subscriptions/{sub['agreement_id']}/entitlements", {"seats": 7})
        self.assertEqual(changed["entitlements"], {"seats": 7})
        SIM.post(f"/_sim/subscriptions/{sub['agreement_id']}/cancel")
        SIM.advance(3600)
        sqs = client("sqs")

        def drain(url):
            bodies = []
            while True:
                msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not msgs:
                    return bodies
                for m in msgs:
                    bodies.append(json.loads(m["Body"]))
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        events = [e for e in drain(queue_url) if e["detail"]["agreement"]["id"] == sub["agreement_id"]]
        self.assertEqual([(e["detail-type"], e["detail"]["agreement"]["intent"]) for e in events],
                         [("Purchase Agreement Created - Manufacturer", "NEW"),
                          ("License Updated - Manufacturer", "NEW"),
                          ("Purchase Agreement Amended - Manufacturer", "AMEND"),
                          ("License Updated - Manufacturer", "AMEND"),
                          ("Purchase Agreement Ended - Manufacturer", "CANCEL"),
                          ("License Deprovisioned - Manufacturer", "CANCEL")])
        self.assertEqual(events[0]["source"], "aws.agreement-marketplace")
        self.assertEqual(events[0]["detail"]["license"]["arn"], sub["license_arn"])
        self.assertEqual(events[-1]["detail"]["agreement"]["status"], "CANCELLED")
        notes = drain(f"{SIM.url}/{h.SELLER_ACCOUNT}/ent-{code}")
        self.assertEqual([json.loads(n["Message"])["action"] for n in notes],
                         ["entitlement-updated"] * 3)
        self.assertTrue(all(h.verify_sns_signature(n, self.cert) for n in notes))
        status, _, text = h.fetch(f"{SIM.url}/_sim/subscriptions/agmt-nope/entitlements",
                                  data=b'{"seats": 1}', method="POST",
                                  headers={"Content-Type": "application/json"})
        self.assertEqual(status, 404, text)


def agreement_client(key=h.SELLER_KEY, secret=h.SELLER_SECRET):
    """A botocore client for marketplace-agreement, from the model in ../shared/aws/models
    (Debian's botocore does not ship this service)."""
    models = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                          "aws", "models")
    data = tempfile.mkdtemp(prefix="marketlink-models-")
    atexit.register(shutil.rmtree, data, True)
    os.makedirs(os.path.join(data, "marketplace-agreement", "2020-03-01"))
    shutil.copy(os.path.join(models, "marketplace-agreement.json"),
                os.path.join(data, "marketplace-agreement", "2020-03-01", "service-2.json"))
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, data)
    return session.create_client("marketplace-agreement", endpoint_url=SIM.url,
                                 region_name=h.REGION, aws_access_key_id=key,
                                 aws_secret_access_key=secret,
                                 config=Config(retries={"max_attempts": 0, "mode": "legacy"}))


class Agreements(unittest.TestCase):
    def test_describe_agreement_and_terms(self):
        code = f"agr{time.time_ns()}"
        SIM.new_product(code, pricing_model="contract_with_consumption",
                        dimensions=("users", "seats"), legacy_identity=False)
        buyer = SIM.new_account()
        sub = SIM.subscribe(buyer["account_id"], code, free_trial=True, free_trial_days=10,
                            entitlements={"seats": 3})
        c = agreement_client()
        described = c.describe_agreement(agreementId=sub["agreement_id"])
        self.assertEqual(described["status"], "ACTIVE")
        self.assertEqual(described["acceptor"]["accountId"], buyer["account_id"])
        self.assertEqual(described["proposer"]["accountId"], h.SELLER_ACCOUNT)
        self.assertLess(described["startTime"], described["endTime"])
        terms = []
        kwargs = {"agreementId": sub["agreement_id"], "maxResults": 4}
        while True:
            page = c.get_agreement_terms(**kwargs)
            terms += page["acceptedTerms"]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        trial = [t["freeTrialPricingTerm"] for t in terms if "freeTrialPricingTerm" in t]
        self.assertEqual(len(trial), 1)
        self.assertEqual(trial[0]["duration"], "P10D")
        self.assertEqual(trial[0]["grants"], [{"dimensionKey": "users"},
                                              {"dimensionKey": "seats", "maxQuantity": 3}])
        self.assertIn("validityTerm", terms[-1])
        SIM.post(f"/_sim/subscriptions/{sub['agreement_id']}/cancel")
        self.assertEqual(c.describe_agreement(agreementId=sub["agreement_id"])["status"],
                         "CANCELLED")
        stranger = SIM.new_account()
        with self.assertRaises(ClientError) as cm:
            agreement_client(stranger["access_key_id"], stranger["secret_access_key"]) \
                .describe_agreement(agreementId=sub["agreement_id"])
        self.assertEqual(error_code(cm), "ResourceNotFoundException")


class Faults(unittest.TestCase):
    def tearDown(self):
        SIM.call("DELETE", "/_sim/faults")

    def test_throttling_is_retried_by_the_client(self):
        SIM.post("/_sim/faults", {"operation": "ListAccountAliases", "error": "Throttling",
                                  "count": 2})
        before = len(SIM.get("/_sim/calls?operation=ListAccountAliases")["calls"])
        client("iam", retries=4).list_account_aliases()
        calls = SIM.get("/_sim/calls?operation=ListAccountAliases")["calls"][before:]
        self.assertEqual([c["error_code"] for c in calls], ["Throttling", "Throttling", None])

    def test_permanent_error(self):
        SIM.post("/_sim/faults", {"operation": "GetCallerIdentity", "error": "AccessDenied",
                                  "status": 403})
        with self.assertRaises(ClientError) as cm:
            client("sts", retries=4).get_caller_identity()
        self.assertEqual(error_code(cm), "AccessDenied")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
