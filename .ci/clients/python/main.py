"""A Python client generated from openapi/enkash.yaml (openapi-python-client) makes the calls every
integration starts with against the standalone sandbox: a token, an order, and the order's
look-up. If a spec change breaks a Python client, the imports or this program fail here first.
Environment: ENKASH_SANDBOX_URL, ENKASH_SANDBOX_ACCESS_KEY, ENKASH_SANDBOX_SECRET_KEY.
"""
import os
import sys
import time

from enkash_client import AuthenticatedClient, Client
from enkash_client.api.authorisation import generate_token
from enkash_client.api.order import create_order, get_order_status
from enkash_client.models import Amount, CreateOrderRequest, Currency, OrderStatusType0, TokenRequest


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"set {name}")
    return value


url, access_key = env("ENKASH_SANDBOX_URL"), env("ENKASH_SANDBOX_ACCESS_KEY")

token = generate_token.sync(
    client=Client(base_url=url),
    body=TokenRequest(access_key=access_key, secret_key=env("ENKASH_SANDBOX_SECRET_KEY")),
)
if not getattr(token, "token", None):
    sys.exit(f"no token: {token}")

client = AuthenticatedClient(base_url=url, token=token.token, headers={"merchantAccessKey": access_key})
merchant_order_id = f"PY{time.time_ns()}"
# 1499.5 is exact in binary; a real client converts money at the edge (README: format decimal).
created = create_order.sync(
    client=client,
    body=CreateOrderRequest(
        order_id=merchant_order_id,
        amount=Amount(value=1499.5, currency=Currency.INR),
        description="python client",
    ),
)
if getattr(created, "response_code", None) != 0 or not created.payload.order_id:
    sys.exit(f"create_order failed: {created}")

found = get_order_status.sync(created.payload.order_id, client=client)
order = getattr(found, "payload", None)
if found.response_code != 0 or order.merchant_order_id != merchant_order_id or order.status != OrderStatusType0.CREATED:
    sys.exit(f"get_order_status: unexpected answer {found}")
print(f"python client: token, then order {order.order_id} ({order.merchant_order_id}) is {order.status.value}")
