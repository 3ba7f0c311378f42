"""The same reply agent in Python, standard library only: the bus's HTTP contract needs no SDK.

    npx fleet-bus server --db :memory:     # in another terminal
    python3 examples/reply_agent.py        # this agent, named "echo-py"

Environment: FLEET_BUS_URL (default http://127.0.0.1:8650), FLEET_BUS_TOKEN, AGENT (default "echo-py").
"""

import http.client
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request

URL = os.environ.get("FLEET_BUS_URL", "http://127.0.0.1:8650").rstrip("/")
TOKEN = os.environ.get("FLEET_BUS_TOKEN")
AGENT = os.environ.get("AGENT", "echo-py")
stopping = threading.Event()


class BusError(RuntimeError):
    """An error answer from the bus, or from a proxy in front of it; `status` is its HTTP status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


# What a bus that is down, restarting or cut off mid-answer raises: worth retrying.
UNREACHABLE = (OSError, ValueError, http.client.HTTPException)


def call(method, path, body=None, timeout=30):
    """One request to the bus; returns the decoded JSON, raises BusError on an error answer."""
    headers = {"content-type": "application/json"}
    if TOKEN:
        headers["authorization"] = "Bearer " + TOKEN
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        try:
            envelope = json.loads(text)["error"]
            message = f"{envelope['code']}: {envelope['message']}"
        except (ValueError, KeyError, TypeError):  # not the bus's envelope: a proxy's error page, say
            message = f"HTTP {error.code}: {' '.join(text[:200].split())}"
        raise BusError(error.code, message) from None


def stop(*_):
    stopping.set()


def main():
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"{AGENT} is consuming its queue", flush=True)
    delay = 1
    while not stopping.is_set():
        try:
            # Long poll: the bus answers as soon as a message arrives, or after 2 s with none.
            result = call("POST", "/receive", {"agent": AGENT, "limit": 10, "leaseSeconds": 30, "waitSeconds": 2})
        except (BusError, *UNREACHABLE) as error:
            if isinstance(error, BusError) and error.status < 500 and error.status != 429:
                print(f"{AGENT} stopped: {error}", file=sys.stderr, flush=True)  # a wrong token: retrying won't help
                return 1
            print(f"receive failed: {error}; retrying in {delay} s", file=sys.stderr, flush=True)
            stopping.wait(delay)
            delay = min(delay * 2, 30)
            continue
        delay = 1
        for delivery in result["deliveries"]:
            message, operation = delivery["message"], "send"
            try:
                # Answering replies too, two agents pointed at each other would answer each other for ever.
                if message.get("type") != "reply":
                    # The key makes the bus drop a second reply when an ack is lost and the message comes back.
                    call("POST", "/message", {
                        "from": AGENT,
                        "to": message["from"],
                        "type": "reply",
                        "payload": {"inReplyTo": message["id"], "echo": message["payload"]},
                        "idempotencyKey": f"reply:{message['id']}",
                    })
                    print(f"replied to {message['from']} ({message['id']})", flush=True)
                operation = "ack"
                call("POST", "/ack", {"receipts": [delivery["receipt"]]})
            except Exception as error:  # give the message back; the bus retries with backoff
                print(f"{operation} failed: {error}", file=sys.stderr, flush=True)
                try:
                    call("POST", "/nack", {"receipt": delivery["receipt"], "reason": str(error)[:1000]})
                except Exception as nack_error:  # then its lease runs out and the bus delivers it again
                    print(f"nack failed: {nack_error}", file=sys.stderr, flush=True)
    print(f"{AGENT} stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
