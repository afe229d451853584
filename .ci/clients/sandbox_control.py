"""Drives the standalone sandbox through its control API with a client generated from
openapi/sandbox-control.yaml by openapi-python-client, as a team testing in Python would.

    python sandbox_control.py CLIENT_DIR BASE_URL ACCESS_KEY SECRET_KEY

CLIENT_DIR holds the generated package `sandbox_control_client`. The gateway calls (token,
order, payment, look-ups) are plain HTTP with urllib; the control calls go through the
generated client. Three scenarios, each checked from the gateway's side:

1. a fault: the next `get_transaction_status` answers 503, and a `takenAnswerLost` payment
   drops the connection, is absent from the books, and lands once business time moves;
2. a settlement: a UPI payment waiting for the bank becomes SUCCESS, its notification arrives;
3. a redelivery: the same notification arrives again at a receiver this script runs on
   127.0.0.1.

Exits non-zero on the first thing that is not as it should be.
"""

import http.client
import http.server
import json
import queue
import sys
import threading
import time
import urllib.error
import urllib.request

client_dir, base_url, access_key, secret_key = sys.argv[1:5]
sys.path.insert(0, client_dir)

from sandbox_control_client import Client  # noqa: E402
from sandbox_control_client.api.clock import advance_clock  # noqa: E402
from sandbox_control_client.api.faults import get_pending_faults, inject_fault  # noqa: E402
from sandbox_control_client.api.inspection import get_counters, get_order  # noqa: E402
from sandbox_control_client.api.payments import (  # noqa: E402
    redeliver_notification,
    settle_transaction,
)
from sandbox_control_client.models import (  # noqa: E402
    CallFaults,
    GetPendingFaultsOperationId,
    InjectFaultOperationId,
    Seconds,
    Settle,
    StatusFault,
    StatusFaultKind,
    TakenAnswerLostFault,
    TakenAnswerLostFaultKind,
)

BOUND = 30  # seconds: every wait for something to happen is bounded by this
control = Client(base_url=base_url, raise_on_unexpected_status=True, timeout=10.0)


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


# --- the merchant's side: a webhook receiver on 127.0.0.1 -------------------------------
notifications = queue.Queue()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        notifications.put(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
notify_url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks/enkash"


def next_notification():
    try:
        return notifications.get(timeout=BOUND)
    except queue.Empty:
        check(False, f"no notification within {BOUND} s")


# --- the gateway, over plain HTTP --------------------------------------------------------
def gateway(method, path, body=None, token=None):
    """(HTTP status, JSON body) of a gateway call."""
    headers = {"content-type": "application/json"}
    if token:
        headers.update({"Authorization": f"Bearer {token}", "merchantAccessKey": access_key})
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


status, answer = gateway("POST", "/api/v0/merchant/token",
                         {"accessKey": access_key, "secretKey": secret_key})
check(status == 200 and answer["resultCode"] == 0, f"token: {status} {answer}")
token = answer["token"]


def new_order(merchant_id, with_notify_url):
    body = {"orderId": merchant_id, "amount": {"value": 820.00, "currency": "INR"}}
    if with_notify_url:
        body["notifyUrl"] = notify_url
    status, answer = gateway("POST", "/api/v0/orders", body, token)
    check(status == 200 and answer["response_code"] == 0, f"create_order: {status} {answer}")
    return answer["payload"]["orderId"]


def upi_payment(order_id, vpa):
    return {"orderId": order_id, "paymentDetail": {"paymentMode": "UPI", "vpa": vpa}}


# --- 1. faults ---------------------------------------------------------------------------
# A 503 for the next transaction look-up, seen by the gateway call.
pending = inject_fault.sync(
    InjectFaultOperationId.GET_TRANSACTION_STATUS, client=control,
    body=CallFaults(faults=[StatusFault(kind=StatusFaultKind.STATUS, status=503)]))
check(pending.pending == 1, f"one fault queued: {pending}")
status, answer = gateway("GET", "/api/v0/payment/TXN_ANY", token=token)
check(status == 503, f"the injected 503 answers the look-up: {status} {answer}")
left = get_pending_faults.sync(GetPendingFaultsOperationId.GET_TRANSACTION_STATUS, client=control)
check(left.pending == 0, f"the fault was used: {left}")
print("fault: get_transaction_status answered the injected 503")

# A payment the gateway takes while the answer is lost: absent, then there once time moves.
lost_order = new_order("PYLOST1", with_notify_url=False)
inject_fault.sync(
    InjectFaultOperationId.SUBMIT_PAYMENT, client=control,
    body=CallFaults(faults=[TakenAnswerLostFault(
        kind=TakenAnswerLostFaultKind.TAKENANSWERLOST, lands_after_milliseconds=3_600_000)]))
try:
    status, answer = gateway("POST", "/api/v0/payment/submit",
                             upi_payment(lost_order, "asha.verma@okbank"), token)
    check(False, f"the payment's answer was not lost: {status} {answer}")
except (http.client.HTTPException, ConnectionError, urllib.error.URLError) as lost:
    print(f"fault: the payment's answer was lost ({type(lost).__name__})")
# An order without payment attempts has no `transactions` (UNSET, which is falsy).
check(not get_order.sync(lost_order, client=control).transactions,
      "the taken payment is not in the books before business time moves")
check(get_counters.sync(client=control).landings_pending == 1, "one landing pending")
advance_clock.sync(client=control, body=Seconds(seconds=3600))
deadline = time.monotonic() + BOUND
while get_counters.sync(client=control).landings_pending and time.monotonic() < deadline:
    time.sleep(0.05)
status, answer = gateway("GET", f"/api/v0/orders/{lost_order}", token=token)
payments = answer["payload"]["transactions"]
check(len(payments) == 1 and payments[0]["status"] == "SUCCESS",
      f"the taken payment landed once: {payments}")
print("fault: the taken payment landed after advance_clock, once")

# --- 2. settlement -----------------------------------------------------------------------
order_id = new_order("PYSETTLE1", with_notify_url=True)
status, answer = gateway("POST", "/api/v0/payment/submit",
                         upi_payment(order_id, "asha@pending"), token)
check(answer["payload"]["status"] == "PENDING_WITH_BANK", f"pending payment: {answer}")
transaction_id = answer["payload"]["transactionId"]
settled = settle_transaction.sync(transaction_id, client=control, body=Settle(succeeded=True))
check(settled.status == "SUCCESS", f"settled: {settled}")
status, answer = gateway("GET", f"/api/v0/payment/{transaction_id}", token=token)
check(answer["payload"]["status"] == "SUCCESS", f"the gateway shows it settled: {answer}")
first = next_notification()
check(first["transactionId"] == transaction_id and first["status"] == "SUCCESS",
      f"the settlement's notification: {first}")
print(f"settlement: {transaction_id} is SUCCESS, notified")

# --- 3. redelivery -----------------------------------------------------------------------
again = redeliver_notification.sync(transaction_id, client=control)
check(again.transaction_id == transaction_id, f"redelivery accepted: {again}")
second = next_notification()
check(second == first, f"the same notification again: {second} != {first}")
counters = get_counters.sync(client=control)
check(counters.notifications_sent == 2, f"two notifications sent: {counters}")
check(counters.attempts.additional_properties.get("submit_payment") == 2,
      f"two payments reached the sandbox: {counters}")
print("redelivery: the same notification arrived again")

receiver.shutdown()
print("sandbox control API: 3 scenarios passed with the generated Python client")
