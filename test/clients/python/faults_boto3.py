#!/usr/bin/env python3
"""Calls ListDomains CALLS times with a plain boto3 client (only ``endpoint_url`` overridden) and the given
retry configuration, and reports what each call saw, for the fault-injection suite.

Usage: faults_boto3.py --endpoint URL --calls N --mode standard|legacy|adaptive --max-attempts N

``--max-attempts`` is botocore's ``max_attempts``: retries after the first attempt (standard mode makes
``max_attempts + 1`` attempts in all).

Prints one JSON object: {"botocore": VERSION, "calls": [{"ok": true, "retryAttempts": N}
| {"ok": false, "code": ..., "status": ..., "retryAfter": header, "retryAfterSeconds": member, "retryAttempts": N,
"message": ...}]}. Exit status 0 (the caller judges the calls), 2 on bad usage.
"""
import argparse
import json

import boto3
import botocore
import botocore.exceptions
from botocore.config import Config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--endpoint', required=True)
    parser.add_argument('--calls', type=int, required=True)
    parser.add_argument('--mode', default='standard')
    parser.add_argument('--max-attempts', type=int, required=True)
    args = parser.parse_args()

    client = boto3.client(
        'codeartifact',
        endpoint_url=args.endpoint,
        config=Config(retries={'mode': args.mode, 'max_attempts': args.max_attempts}),
    )
    calls = []
    for _ in range(args.calls):
        try:
            response = client.list_domains()
            calls.append({'ok': True, 'retryAttempts': response['ResponseMetadata']['RetryAttempts']})
        except botocore.exceptions.ClientError as e:
            meta = e.response.get('ResponseMetadata', {})
            calls.append({
                'ok': False,
                'code': e.response.get('Error', {}).get('Code'),
                'status': meta.get('HTTPStatusCode'),
                'retryAfter': meta.get('HTTPHeaders', {}).get('retry-after'),
                'retryAfterSeconds': e.response.get('retryAfterSeconds'),
                'retryAttempts': meta.get('RetryAttempts'),
                'message': e.response.get('Error', {}).get('Message'),
            })
    print(json.dumps({'botocore': botocore.__version__, 'calls': calls}))


if __name__ == '__main__':
    main()
