#!/usr/bin/env python3
"""Seeds a moto server for the many-accounts end-to-end test, as each account itself: boto3
assumes `arn:aws:iam::<account>:role/aws-realtime-reader` (moto acts in the role's account with
the credentials it hands out), then in each Region writes one log event and imports one Security
Hub finding, each naming its `<account>/<region>`.

usage: seed_moto_targets.py ENDPOINT LOG_GROUP REGIONS ACCOUNT...
(REGIONS comma-separated). Prints {"seeded": ["<account>/<region>", ...]} on success.
"""
import datetime
import json
import sys
import time

import boto3

BASE = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}


def main():
    endpoint, group, regions, accounts = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4:]
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", **BASE)
    seeded = []
    for account in accounts:
        role = "arn:aws:iam::%s:role/aws-realtime-reader" % account
        credentials = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
        for region in regions:
            tag = "%s/%s" % (account, region)
            logs = boto3.client("logs", endpoint_url=endpoint, region_name=region, **keys)
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName="app")
            logs.put_log_events(
                logGroupName=group, logStreamName="app",
                logEvents=[{"timestamp": int(time.time() * 1000) - 30_000, "message": "hello from " + tag}])
            hub = boto3.client("securityhub", endpoint_url=endpoint, region_name=region, **keys)
            hub.enable_security_hub()
            updated = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z")
            hub.batch_import_findings(Findings=[{
                "SchemaVersion": "2018-10-08", "Id": "finding-%s-%s" % (account, region),
                "ProductArn": "arn:aws:securityhub:%s:%s:product/%s/default" % (region, account, account),
                "GeneratorId": "aws-realtime-test", "AwsAccountId": account, "Region": region,
                "Types": ["Software and Configuration Checks"], "CreatedAt": updated, "UpdatedAt": updated,
                "Severity": {"Label": "HIGH"}, "Title": "Finding in " + tag, "Description": "Seeded by the test",
                "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE",
                "Resources": [{"Type": "AwsAccount", "Id": "AWS::::Account:" + account}],
            }])
            seeded.append(tag)
    print(json.dumps({"seeded": seeded}), flush=True)


if __name__ == "__main__":
    main()
