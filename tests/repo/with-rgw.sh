#!/bin/bash
# with-rgw.sh CMD ARGS...: run CMD against a private RADOS Gateway started
# for it (tests/repo/rgw.sh), torn down afterwards whatever CMD does.
# CMD gets AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_REGION, CAIRN_TEST_RGW (rgw.sh and its dir, to kill/restart the
# gateway) and a bucket per test: CAIRN_TEST_S3_BUCKET.
# Exit 77 (skip) when Ceph's packages are not installed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for t in ceph-mon ceph-osd radosgw radosgw-admin uuidgen curl; do
    if ! command -v "$t" >/dev/null; then
        echo "SKIP: $t not installed (make deps installs ceph-mon ceph-osd radosgw uuid-runtime)"
        exit 77
    fi
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/cairn-rgw.XXXXXX")
trap 'bash "$here/rgw.sh" stop "$dir"' EXIT
trap 'exit 130' INT TERM
if ! port=$(bash "$here/rgw.sh" start "$dir"); then
    echo "cannot start the RADOS Gateway; its logs:" >&2
    tail -n 20 "$dir"/log/*.log >&2
    exit 1
fi
read -r access secret < <(bash "$here/rgw.sh" keys)
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=$access
export AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1
export CAIRN_TEST_RGW="$here/rgw.sh $dir"
unset AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
for b in cairn-test cairn-other; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 \
        -u "$access:$secret" -H "x-amz-content-sha256: $empty" -X PUT "$AWS_ENDPOINT_URL/$b")
    [ "$code" = 200 ] || { echo "cannot create bucket $b: HTTP $code" >&2; exit 1; }
done
"$@"
