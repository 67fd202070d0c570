#!/usr/bin/env python3
"""Writes the capture scenarios of the incremental collectors' tests (Tests/Captures/collectors-*).

Responses are the shipped captures' (Tests/Captures/{logs,cloudtrail,security,health}: moto 5.2.1
and AWS CLI examples, see ../SOURCE.md) extended by hand with the later polls a cursor test needs
(events sharing the boundary timestamp, updates of a finding or event). Requests are what the
collectors send (botocore member names; times and tokens are ignored when matching). Each file's
"note" says which is which.

Usage: python3 Tests/Captures/collectors-tools/make_collector_captures.py
"""
import email.utils
import json
import os
import shutil
import uuid
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.dirname(HERE)
DATE = email.utils.formatdate(1795745585, usegmt=True)

JSON11 = "application/x-amz-json-1.1"
TARGETS = {
    "logs": ("logs.eu-west-1.amazonaws.com", "Logs_20140328.FilterLogEvents", "FilterLogEvents"),
    "cloudtrail": (
        "cloudtrail.eu-west-1.amazonaws.com",
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
        "LookupEvents",
    ),
    "health": ("health.us-east-1.amazonaws.com", "AWSHealth_20160804.DescribeEvents", "DescribeEvents"),
}


def authorization(service, region):
    return (
        f"AWS4-HMAC-SHA256 Credential=REDACTED/20261127/{region}/{service}/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=REDACTED"
    )


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def write(folder, number, service, note, request_body, response_body, status=200):
    os.makedirs(folder, exist_ok=True)
    label = f"{os.path.basename(folder)}/{number}"
    body = compact(response_body)
    if service == "securityhub":
        operation = "GetFindings"
        request = {
            "method": "POST",
            "host": "securityhub.eu-west-1.amazonaws.com",
            "path": "/findings",
            "headers": [
                ["Content-Type", "application/json"],
                ["X-Amz-Date", "20261127T021338Z"],
                ["Authorization", authorization("securityhub", "eu-west-1").replace(";x-amz-target", "")],
            ],
            "body": {"text": json.dumps(request_body)},
        }
        content_type = "application/json"
    else:
        host, target, operation = TARGETS[service]
        region = host.split(".")[1]
        request = {
            "method": "POST",
            "host": host,
            "path": "/",
            "headers": [
                ["X-Amz-Target", target],
                ["Content-Type", JSON11],
                ["X-Amz-Date", "20261127T021338Z"],
                ["Authorization", authorization(service, region)],
            ],
            "body": {"text": json.dumps(request_body)},
        }
        content_type = JSON11
    capture = {
        "format": "aws-realtime-capture/1",
        "note": note,
        "request": request,
        "response": {
            "status": status,
            "headers": [
                ["x-amzn-RequestId", str(uuid.uuid5(uuid.NAMESPACE_URL, "aws-realtime-capture/" + label))],
                ["Content-Type", content_type],
                ["Content-Length", str(len(body.encode("utf-8")))],
                ["Date", DATE],
            ],
            "body": {"json": response_body},
        },
    }
    name = f"{number:04d}-{service}-{operation}.json"
    with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
        handle.write(json.dumps(capture, indent=2, ensure_ascii=False) + "\n")


def load(path):
    with open(os.path.join(CAPTURES, path), encoding="utf-8") as handle:
        capture = json.load(handle)
    body = capture["response"]["body"]
    return body["json"] if "json" in body else json.loads(body["text"])


def fresh(name):
    folder = os.path.join(CAPTURES, name)
    shutil.rmtree(folder, ignore_errors=True)
    return folder


# ------------------------------------------------------------------------------------------- logs
GROUP = "/aws/lambda/orders"
STREAM = "2026/11/27/[$LATEST]4f1c2a9e0b7d"
T0 = 1795744980000


def log_event(event_id, timestamp, message):
    return {"eventId": event_id, "ingestionTime": 1795745618119, "message": message, "timestamp": timestamp,
            "logStreamName": STREAM}


def logs():
    shipped = [load(f"logs/000{n}-logs-FilterLogEvents.json") for n in (1, 2, 3)]
    folder = fresh("collectors-logs/incremental")
    request = lambda limit: {"logGroupName": GROUP, "limit": limit}
    note = "Poll 1, page {} of 3: the shipped capture logs/000{} (moto 5.2.1){}."
    write(folder, 1, "logs", note.format(1, 1, ""), request(100), shipped[0])
    write(folder, 2, "logs", note.format(2, 2, ""), request(98), shipped[1])
    page3 = dict(shipped[2])
    page3["events"] = shipped[2]["events"] + [log_event("5", T0 + 4000, "INFO order 1044 queued")]
    write(folder, 3, "logs", note.format(3, 3, ", plus event 5 sharing event 4's timestamp (by hand)"), request(96), page3)
    write(folder, 4, "logs",
          "Poll 2, by hand: events 4 and 5 again (the boundary, already published), 6 with the same timestamp "
          "(arrived late), 7 later.",
          request(100),
          {"events": [page3["events"][0], page3["events"][1], log_event("6", T0 + 4000, "WARN order 1045 retried"),
                      log_event("7", T0 + 5000, "INFO order 1046 done")],
           "searchedLogStreams": [{"logStreamName": STREAM, "searchedCompletely": True}]})
    write(folder, 5, "logs", "Poll 3, by hand: only event 7, already published.", request(100),
          {"events": [log_event("7", T0 + 5000, "INFO order 1046 done")]})

    folder = fresh("collectors-logs/bounded")
    events = [e for page in shipped for e in page["events"]]
    write(folder, 1, "logs", "maxEventsPerPoll 3, poll 1 page 1: events 0 and 1 of the shipped capture.", request(3),
          {"events": events[0:2], "nextToken": shipped[0]["nextToken"]})
    write(folder, 2, "logs", "Poll 1 page 2 (limit 1, what is left of the 3): event 2; more pages remain.", request(1),
          {"events": events[2:3], "nextToken": shipped[1]["nextToken"]})
    write(folder, 3, "logs", "Poll 2 from the cursor: event 2 again (published), 3 and 4.", request(3),
          {"events": events[2:5]})


# ------------------------------------------------------------------------------------- cloudtrail
T = 1795338760


def trail_event(event_id, time, name, source, record, username=None, resources=None, read_only=None):
    event = {"EventId": event_id, "EventName": name, "EventTime": time, "EventSource": source}
    if read_only is not None:
        event["ReadOnly"] = read_only
    if username:
        event["Username"] = username
    event["Resources"] = resources or []
    event["CloudTrailEvent"] = record if isinstance(record, str) else compact(record)
    return event


def trail_record(event_id, time, name, source, identity, **extra):
    record = {"eventVersion": "1.08", "userIdentity": identity,
              "eventTime": datetime.fromtimestamp(time, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "eventSource": source, "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.7",
              "userAgent": "aws-cli/2.15.0", "eventID": event_id, "eventType": "AwsApiCall",
              "recipientAccountId": "123456789012"}
    record.update(extra)
    return record


def cloudtrail():
    folder = fresh("collectors-activity/boundary")
    request = {"StartTime": 1, "EndTime": 2, "MaxResults": 50}
    role = {"type": "AssumedRole", "principalId": "AROAEXAMPLEID:ci", "arn": "arn:aws:sts::123456789012:assumed-role/deploy/ci",
            "accountId": "123456789012", "accessKeyId": "ASIAREDACTEDREDACTED",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID",
                                                 "arn": "arn:aws:iam::123456789012:role/deploy", "accountId": "123456789012",
                                                 "userName": "deploy"}}}
    user = {"type": "IAMUser", "principalId": "AIDAEXAMPLEID", "arn": "arn:aws:iam::123456789012:user/alice",
            "accountId": "123456789012", "userName": "alice"}
    a = trail_event("a0000000-0000-4000-8000-000000000001", T - 10, "DescribeInstances", "ec2.amazonaws.com",
                    trail_record("a0000000-0000-4000-8000-000000000001", T - 10, "DescribeInstances", "ec2.amazonaws.com",
                                 user, readOnly=True), username="alice", read_only="true")
    b = trail_event("b0000000-0000-4000-8000-000000000002", T, "PutBucketPolicy", "s3.amazonaws.com",
                    "{not a CloudTrail record", username="alice", read_only="false",
                    resources=[{"ResourceType": "AWS::S3::Bucket", "ResourceName": "orders-archive"}])
    c = trail_event("c0000000-0000-4000-8000-000000000003", T + 5, "StopInstances", "ec2.amazonaws.com",
                    trail_record("c0000000-0000-4000-8000-000000000003", T + 5, "StopInstances", "ec2.amazonaws.com", role,
                                 readOnly=False, errorCode="Client.UnauthorizedOperation",
                                 errorMessage="You are not authorized to perform this operation."),
                    username="ci", read_only="false",
                    resources=[{"ResourceType": "AWS::EC2::Instance", "ResourceName": "i-0123456789abcdef0"}])
    d = trail_event("0d000000-0000-4000-8000-000000000004", T + 5, "StartInstances", "ec2.amazonaws.com",
                    trail_record("0d000000-0000-4000-8000-000000000004", T + 5, "StartInstances", "ec2.amazonaws.com", role,
                                 readOnly=False, resources=[{"ARN": "arn:aws:ec2:eu-west-1:123456789012:instance/i-0fedcba",
                                                             "accountId": "123456789012", "type": "AWS::EC2::Instance"}]),
                    username="ci", read_only="false")
    write(folder, 1, "cloudtrail",
          "Poll 1 page 1 (newest first), by hand after the shipped cloudtrail/0002 (LookupEvents Response Syntax).",
          request, {"Events": [c, b], "NextToken": "page-2-of-poll-1"})
    write(folder, 2, "cloudtrail", "Poll 1 page 2: the oldest event.", request, {"Events": [a]})
    write(folder, 3, "cloudtrail",
          "Poll 2: event d at the boundary second of c (published), which comes again.", request, {"Events": [d, c]})
    write(folder, 4, "cloudtrail", "Poll 3: nothing new.", request, {"Events": [d, c]})


# ---------------------------------------------------------------------------------------- security
def security():
    shipped = [load(f"security/000{n}-securityhub-GetFindings.json") for n in (1, 2, 3)]
    folder = fresh("collectors-security/incremental")

    def request(max_results, filters=None):
        body = {"Filters": filters or {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
                                        "UpdatedAt": [{"Start": "x", "End": "y"}]},
                "SortCriteria": [{"Field": "UpdatedAt", "SortOrder": "asc"}], "MaxResults": max_results}
        return body

    first = json.loads(json.dumps(shipped[0]))
    first["Findings"][1]["Severity"] = {"Label": "MEDIUM", "Normalized": 40, "Original": "MEDIUM"}
    first["Findings"][1]["ProductName"] = "Security Hub"
    first["Findings"][1]["Compliance"] = {"Status": "FAILED"}
    first["Findings"][1]["Region"] = "eu-west-1"
    write(folder, 1, "securityhub", "Poll 1 page 1: shipped security/0001 (moto 5.2.1); finding 2 given a normalized "
          "score, a product name, a compliance status and a region by hand.", request(100), first)
    write(folder, 2, "securityhub", "Poll 1 page 2: shipped security/0002 (moto 5.2.1).", request(98), shipped[1])
    write(folder, 3, "securityhub", "Poll 1 page 3: shipped security/0003 (moto 5.2.1).", request(96), shipped[2])
    last = shipped[2]["Findings"][0]
    tie = json.loads(json.dumps(last))
    tie["Id"] = last["Id"].replace("EC2.5", "EC2.6").replace("fadd0000", "fadd0006")
    tie["GeneratorId"] = last["GeneratorId"].replace("EC2.5", "EC2.6")
    tie["Title"] = "EC2.6 VPC default security group allows traffic"
    tie["Severity"] = {"Normalized": 90}
    updated = json.loads(json.dumps(shipped[0]["Findings"][0]))
    updated["UpdatedAt"] = "2026-11-27T02:00:00.000Z"
    updated["Workflow"] = {"Status": "NOTIFIED"}
    write(folder, 4, "securityhub", "Poll 2, by hand: finding 5 again (the boundary), finding 6 updated at the same "
          "instant, finding 1 updated again later (an update is published again).", request(100),
          {"Findings": [last, tie, updated]})
    write(folder, 5, "securityhub", "Poll 3, by hand: only finding 1's update, already published.", request(100),
          {"Findings": [updated]})

    folder = fresh("collectors-security/filtered")
    filters = {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
               "SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}, {"Value": "CRITICAL", "Comparison": "EQUALS"}],
               "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}],
               "UpdatedAt": [{"Start": "x", "End": "y"}]}
    write(folder, 1, "securityhub", "The severity and workflow filters of the settings; findings 3 and 4 of the shipped "
          "security/0002 (moto 5.2.1).", request(100, filters), {"Findings": shipped[1]["Findings"]})


# ------------------------------------------------------------------------------------------ health
def health():
    shipped = [load(f"health/000{n}-health-DescribeEvents.json") for n in (1, 2)]
    folder = fresh("collectors-health/incremental")
    request = {"filter": {"lastUpdatedTimes": [{"from": 1}]}, "maxResults": 100}
    write(folder, 1, "health", "Poll 1 page 1: shipped health/0001 (AWS CLI example).", request, shipped[0])
    write(folder, 2, "health", "Poll 1 page 2: shipped health/0002 (AWS CLI example).", request, shipped[1])
    newest = shipped[0]["events"][0]
    tie = dict(newest)
    tie["arn"] = newest["arn"].replace("KWQPY", "ZZTOP")
    tie["region"] = "us-west-2"
    tie["availabilityZone"] = "usw2-az1"
    tie.pop("endTime")
    tie["statusCode"] = "open"
    billing = dict(shipped[0]["events"][1])
    billing["lastUpdatedTime"] = 1589090000.0
    billing["statusCode"] = "closed"
    billing["endTime"] = 1589089000.25
    write(folder, 3, "health", "Poll 2, by hand: the newest event again (the boundary), another updated at the same "
          "instant, the billing notification updated again later.", request, {"events": [billing, tie, newest]})
    write(folder, 4, "health", "Poll 3, by hand: only the billing update, already published.", request,
          {"events": [billing]})


if __name__ == "__main__":
    logs()
    cloudtrail()
    security()
    health()
