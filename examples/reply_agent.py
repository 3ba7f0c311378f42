"""The same reply agent in Python, standard library only: the bus's HTTP contract needs no SDK.

    npx fleet-bus server --db :memory:     # in another terminal
    python3 examples/reply_agent.py        # this agent, named "echo-py"

Environment: FLEET_BUS_URL (default http://127.0.0.1:8650), FLEET_BUS_TOKEN, AGENT (default "echo-py").
"""

import json
import os
import signal
import sys
import urllib.error
import urllib.request

URL = os.environ.get("FLEET_BUS_URL", "http://127.0.0.1:8650").rstrip("/")
TOKEN = os.environ.get("FLEET_BUS_TOKEN")
AGENT = os.environ.get("AGENT", "echo-py")
running = True


def call(method, path, body=None, timeout=30):
    """One request to the bus; returns the decoded JSON, raises on an error envelope."""
    headers = {"content-type": "application/json"}
    if TOKEN:
        headers["authorization"] = "Bearer " + TOKEN
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        envelope = json.load(error)["error"]
        raise RuntimeError(f"{envelope['code']}: {envelope['message']}") from None


def stop(*_):
    global running
    running = False


def main():
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"{AGENT} is consuming its queue", flush=True)
    while running:
        # Long poll: the bus answers as soon as a message arrives, or after 2 s with none.
        result = call("POST", "/receive", {"agent": AGENT, "limit": 10, "leaseSeconds": 30, "waitSeconds": 2})
        for delivery in result["deliveries"]:
            message = delivery["message"]
            try:
                call("POST", "/message", {
                    "from": AGENT,
                    "to": message["from"],
                    "type": "reply",
                    "payload": {"inReplyTo": message["id"], "echo": message["payload"]},
                })
                call("POST", "/ack", {"receipts": [delivery["receipt"]]})
                print(f"replied to {message['from']} ({message['id']})", flush=True)
            except Exception as error:  # give the message back; the bus retries with backoff
                call("POST", "/nack", {"receipt": delivery["receipt"], "reason": str(error)})
    print(f"{AGENT} stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
