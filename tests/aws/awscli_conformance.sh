#!/usr/bin/env bash
# Conformance of `marketlink sim` with Debian's awscli v2 (/usr/bin/aws, never whatever `aws`
# comes first on PATH): every operation Marketlink uses, with their error cases.
# Fails (never skips) when /usr/bin/aws is missing. Needs MARKETLINK_BINARY.
set -uo pipefail

AWS=/usr/bin/aws
PY=/usr/bin/python3
if [ ! -x "$AWS" ]; then
  echo "awscli: $AWS is missing (scripts/install-deps.sh installs Debian's awscli)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if [ -z "${MARKETLINK_BINARY:-}" ] || [ ! -x "$MARKETLINK_BINARY" ]; then
  echo "awscli: MARKETLINK_BINARY must name the built marketlink binary" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

work=$(mktemp -d /tmp/marketlink-awscli.XXXXXX)
"$MARKETLINK_BINARY" sim --listen 127.0.0.1:0 --log-level warn >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
cleanup() {
  kill "$sim_pid" 2>/dev/null
  wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$work/sim.out" 2>/dev/null && break
  sleep 0.05
done
SIM=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sim.out" | head -n1)
if [ -z "$SIM" ]; then
  echo "awscli: the simulator did not start" >&2
  cat "$work/sim.err" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

export AWS_ACCESS_KEY_ID=AKIAMARKETLINKSIM001
export AWS_SECRET_ACCESS_KEY=marketlink-sim-secret-0000000000000000000
export AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
SELLER=111122223333

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1" >&2; }

aws_() { "$AWS" --endpoint-url "$SIM" --region us-east-1 --output json "$@"; }
# json FIELD...: reads JSON on stdin and prints the value at the path (keys or indexes).
json() { "$PY" -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1:]:
    v=v[int(k)] if isinstance(v,list) else v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$@"; }
control() { # METHOD PATH [BODY]
  curl -s -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SIM$2"
}
# check NAME EXPECTED ACTUAL
check() { if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi; }
# expect_error NAME CODE COMMAND...: the command must fail with the AWS error CODE.
expect_error() {
  local name=$1 code=$2
  shift 2
  local err
  if err=$("$@" 2>&1 >/dev/null); then
    fail "$name: succeeded, expected $code"
  elif grep -q "($code)" <<<"$err"; then
    pass "$name"
  else
    fail "$name: expected $code, got: $err"
  fi
}
with_keys() { # ACCOUNT_JSON COMMAND...: runs COMMAND with that account's keys
  local keys=$1
  shift
  AWS_ACCESS_KEY_ID=$(json access_key_id <<<"$keys") \
    AWS_SECRET_ACCESS_KEY=$(json secret_access_key <<<"$keys") "$@"
}
sim_now_iso() { control GET /_sim/clock | json now | cut -c1-19 | sed 's/$/Z/'; }

# ---- STS and signatures ----
check "sts get-caller-identity" "$SELLER" "$(aws_ sts get-caller-identity | json Account)"
expect_error "wrong secret" SignatureDoesNotMatch \
  env AWS_SECRET_ACCESS_KEY=wrong "$AWS" --endpoint-url "$SIM" sts get-caller-identity
expect_error "unknown key" InvalidClientTokenId \
  env AWS_ACCESS_KEY_ID=AKIAUNKNOWN000000000 "$AWS" --endpoint-url "$SIM" sts get-caller-identity
expect_error "wrong secret on a json service" InvalidSignatureException \
  env AWS_SECRET_ACCESS_KEY=wrong "$AWS" --endpoint-url "$SIM" organizations describe-organization

# ---- IAM ----
acct=$(control POST /_sim/accounts '{}')
acct_id=$(json account_id <<<"$acct")
check "iam create-user" "arn:aws:iam::$acct_id:user/ops" \
  "$(with_keys "$acct" aws_ iam create-user --user-name ops | json User Arn)"
check "iam get-user" "ops" "$(with_keys "$acct" aws_ iam get-user --user-name ops | json User UserName)"
expect_error "iam create-user twice" EntityAlreadyExists with_keys "$acct" aws_ iam create-user --user-name ops
check "iam create-login-profile" "True" \
  "$(with_keys "$acct" aws_ iam create-login-profile --user-name ops --password 'Sup3r-secret!' --password-reset-required | json LoginProfile PasswordResetRequired)"
with_keys "$acct" aws_ iam attach-user-policy --user-name ops \
  --policy-arn arn:aws:iam::aws:policy/AdministratorAccess && pass "iam attach-user-policy" || fail "iam attach-user-policy"
alias="alias-$acct_id"
with_keys "$acct" aws_ iam create-account-alias --account-alias "$alias" && pass "iam create-account-alias" || fail "iam create-account-alias"
check "iam list-account-aliases" "$alias" "$(with_keys "$acct" aws_ iam list-account-aliases | json AccountAliases 0)"
other=$(control POST /_sim/accounts '{}')
expect_error "alias taken" EntityAlreadyExists with_keys "$other" aws_ iam create-account-alias --account-alias "$alias"

# ---- S3 and CUR ----
bucket="cur-$acct_id"
with_keys "$acct" aws_ s3api create-bucket --bucket "$bucket" >/dev/null && pass "s3api create-bucket" || fail "s3api create-bucket"
with_keys "$acct" aws_ s3api head-bucket --bucket "$bucket" && pass "s3api head-bucket" || fail "s3api head-bucket"
check "s3api list-buckets" "$bucket" "$(with_keys "$acct" aws_ s3api list-buckets | json Buckets 0 Name)"
expect_error "bucket exists" BucketAlreadyExists with_keys "$other" aws_ s3api create-bucket --bucket "$bucket"
expect_error "head-bucket absent" 404 with_keys "$acct" aws_ s3api head-bucket --bucket "absent-$acct_id"
expect_error "head-bucket of someone else" 403 with_keys "$other" aws_ s3api head-bucket --bucket "$bucket"
policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"billingreports.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:GetBucketPolicy","s3:PutObject"],"Resource":["arn:aws:s3:::'$bucket'","arn:aws:s3:::'$bucket'/*"]}]}'
with_keys "$acct" aws_ s3api put-bucket-policy --bucket "$bucket" --policy "$policy" && pass "s3api put-bucket-policy" || fail "s3api put-bucket-policy"
report='{"ReportName":"hourly","TimeUnit":"HOURLY","Format":"textORcsv","Compression":"GZIP","AdditionalSchemaElements":["RESOURCES"],"S3Bucket":"'$bucket'","S3Prefix":"cur","S3Region":"us-east-1"}'
with_keys "$acct" aws_ cur put-report-definition --report-definition "$report" && pass "cur put-report-definition" || fail "cur put-report-definition"
expect_error "cur duplicate report" DuplicateReportNameException with_keys "$acct" aws_ cur put-report-definition --report-definition "$report"
check "cur describe-report-definitions" "hourly" \
  "$(with_keys "$acct" aws_ cur describe-report-definitions --max-results 5 | json ReportDefinitions 0 ReportName)"
with_keys "$acct" aws_ cur delete-report-definition --report-name hourly >/dev/null && pass "cur delete-report-definition" || fail "cur delete-report-definition"

# ---- Organizations, STS AssumeRole, Account ----
mgmt=$(control POST /_sim/accounts '{}')
mgmt_id=$(json account_id <<<"$mgmt")
expect_error "organizations not in use" AWSOrganizationsNotInUseException with_keys "$mgmt" aws_ organizations describe-organization
check "organizations create-organization" "$mgmt_id" \
  "$(with_keys "$mgmt" aws_ organizations create-organization --feature-set ALL | json Organization MasterAccountId)"
check "organizations describe-organization" "$mgmt_id" \
  "$(with_keys "$mgmt" aws_ organizations describe-organization | json Organization MasterAccountId)"
car=$(with_keys "$mgmt" aws_ organizations create-account --email "member-$mgmt_id@example.com" --account-name Member)
check "organizations create-account" "IN_PROGRESS" "$(json CreateAccountStatus State <<<"$car")"
car_id=$(json CreateAccountStatus Id <<<"$car")
control POST /_sim/clock/advance '{"seconds": 10}' >/dev/null
status=$(with_keys "$mgmt" aws_ organizations describe-create-account-status --create-account-request-id "$car_id")
check "organizations describe-create-account-status" "SUCCEEDED" "$(json CreateAccountStatus State <<<"$status")"
member=$(json CreateAccountStatus AccountId <<<"$status")
check "organizations list-create-account-status" "$car_id" \
  "$(with_keys "$mgmt" aws_ organizations list-create-account-status --states SUCCEEDED | json CreateAccountStatuses 0 Id)"
check "organizations list-accounts" "2" \
  "$(with_keys "$mgmt" aws_ organizations list-accounts | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["Accounts"]))')"
check "organizations describe-account" "member-$mgmt_id@example.com" \
  "$(with_keys "$mgmt" aws_ organizations describe-account --account-id "$member" | json Account Email)"
car2=$(with_keys "$mgmt" aws_ organizations create-account --email "member-$mgmt_id@example.com" --account-name Again | json CreateAccountStatus Id)
control POST /_sim/clock/advance '{"seconds": 10}' >/dev/null
check "create-account with a used e-mail" "EMAIL_ALREADY_EXISTS" \
  "$(with_keys "$mgmt" aws_ organizations describe-create-account-status --create-account-request-id "$car2" | json CreateAccountStatus FailureReason)"
creds=$(with_keys "$mgmt" aws_ sts assume-role --role-arn "arn:aws:iam::$member:role/OrganizationAccountAccessRole" --role-session-name marketlink)
check "sts assume-role then get-caller-identity" "$member" \
  "$(AWS_ACCESS_KEY_ID=$(json Credentials AccessKeyId <<<"$creds") AWS_SECRET_ACCESS_KEY=$(json Credentials SecretAccessKey <<<"$creds") AWS_SESSION_TOKEN=$(json Credentials SessionToken <<<"$creds") aws_ sts get-caller-identity | json Account)"
expect_error "assume-role without trust" AccessDenied with_keys "$other" aws_ sts assume-role \
  --role-arn "arn:aws:iam::$member:role/OrganizationAccountAccessRole" --role-session-name x1
with_keys "$mgmt" aws_ account put-alternate-contact --account-id "$member" --alternate-contact-type BILLING \
  --name "Ada Lovelace" --title CFO --email-address billing@example.com --phone-number "+1 555 0100" &&
  pass "account put-alternate-contact" || fail "account put-alternate-contact"
check "account get-alternate-contact" "Ada Lovelace" \
  "$(with_keys "$mgmt" aws_ account get-alternate-contact --account-id "$member" --alternate-contact-type BILLING | json AlternateContact Name)"
expect_error "account get-alternate-contact absent" ResourceNotFoundException \
  with_keys "$mgmt" aws_ account get-alternate-contact --alternate-contact-type SECURITY

# ---- Marketplace: metering, entitlements, SQS ----
code="awscli$acct_id"
control POST /_sim/products '{"product_code":"'$code'","name":"CLI product","pricing_model":"contract_with_consumption","dimensions":[{"name":"users"},{"name":"seats"}],"fulfillment_url":"http://127.0.0.1:9/aws/fulfillment"}' >/dev/null
control POST /_sim/notifications/subscribe '{"topic":"subscription","product_code":"'$code'","sqs_queue":"events"}' >/dev/null
buyer=$(control POST /_sim/accounts '{}')
buyer_id=$(json account_id <<<"$buyer")
sub=$(control POST /_sim/subscriptions '{"buyer_account_id":"'$buyer_id'","product_code":"'$code'","entitlements":{"seats":7}}')
token=$(json registration_token <<<"$sub")
customer=$(json customer_identifier <<<"$sub")
check "meteringmarketplace resolve-customer" "$customer" \
  "$(aws_ meteringmarketplace resolve-customer --registration-token "$token" | json CustomerIdentifier)"
check "resolve-customer again within 4 h" "$buyer_id" \
  "$(aws_ meteringmarketplace resolve-customer --registration-token "$token" | json CustomerAWSAccountId)"
expect_error "invalid token" InvalidTokenException aws_ meteringmarketplace resolve-customer --registration-token garbage
now=$(sim_now_iso)
records="Timestamp=$now,CustomerIdentifier=$customer,Dimension=users,Quantity=3"
first=$(aws_ meteringmarketplace batch-meter-usage --product-code "$code" --usage-records "$records")
check "batch-meter-usage" "Success" "$(json Results 0 Status <<<"$first")"
check "batch-meter-usage same quantity" "$(json Results 0 MeteringRecordId <<<"$first")" \
  "$(aws_ meteringmarketplace batch-meter-usage --product-code "$code" --usage-records "$records" | json Results 0 MeteringRecordId)"
check "batch-meter-usage different quantity" "DuplicateRecord" \
  "$(aws_ meteringmarketplace batch-meter-usage --product-code "$code" --usage-records "Timestamp=$now,CustomerIdentifier=$customer,Dimension=users,Quantity=4" | json Results 0 Status)"
expect_error "timestamp out of bounds" TimestampOutOfBoundsException aws_ meteringmarketplace batch-meter-usage \
  --product-code "$code" --usage-records "Timestamp=2001-01-01T00:00:00Z,CustomerIdentifier=$customer,Dimension=users,Quantity=1"
check "meter-usage from the buyer" "True" \
  "$(with_keys "$buyer" aws_ meteringmarketplace meter-usage --product-code "$code" --timestamp "$now" --usage-dimension seats --usage-quantity 1 | "$PY" -c 'import json,sys; print(bool(json.load(sys.stdin)["MeteringRecordId"]))')"
check "marketplace-entitlement get-entitlements" "7" \
  "$(aws_ marketplace-entitlement get-entitlements --product-code "$code" --filter "CUSTOMER_IDENTIFIER=$customer" | json Entitlements 0 Value IntegerValue)"
control POST /_sim/clock/advance '{"seconds": 14500}' >/dev/null
expect_error "expired token" ExpiredTokenException aws_ meteringmarketplace resolve-customer --registration-token "$token"
queue="$SIM/$SELLER/events"
msg=$(aws_ sqs receive-message --queue-url "$queue" --max-number-of-messages 10)
check "sqs receive-message" "subscribe-success" \
  "$(json Messages 0 Body <<<"$msg" | json Message | json action)"
aws_ sqs delete-message --queue-url "$queue" --receipt-handle "$(json Messages 0 ReceiptHandle <<<"$msg")" &&
  pass "sqs delete-message" || fail "sqs delete-message"
check "queue empty after delete" "" "$(aws_ sqs receive-message --queue-url "$queue")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
