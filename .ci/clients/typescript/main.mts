// A TypeScript client generated from openapi/enkash.yaml (openapi-typescript types, openapi-fetch
// calls) makes the calls every integration starts with against the standalone sandbox: a token,
// an order, and the order's look-up. If a spec change breaks a TypeScript client, `tsc` or this
// program fails here first. Environment: ENKASH_SANDBOX_URL, ENKASH_SANDBOX_ACCESS_KEY,
// ENKASH_SANDBOX_SECRET_KEY (what .ci/run reads from the sandbox's output).
import createClient from "openapi-fetch";
import type { paths } from "./generated/enkash.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const accessKey = env("ENKASH_SANDBOX_ACCESS_KEY");
const client = createClient<paths>({ baseUrl: env("ENKASH_SANDBOX_URL") });

const token = await client.POST("/api/v0/merchant/token", {
  body: { accessKey, secretKey: env("ENKASH_SANDBOX_SECRET_KEY") },
});
if (!token.data?.token) throw new Error(`no token: ${JSON.stringify(token.error ?? token.data)}`);
const headers = { Authorization: `Bearer ${token.data.token}`, merchantAccessKey: accessKey };

const merchantOrderId = `TS${Date.now()}`;
const created = await client.POST("/api/v0/orders", {
  headers,
  body: { orderId: merchantOrderId, amount: { value: 1499.5, currency: "INR" }, description: "typescript client" },
});
const orderId = created.data?.payload?.orderId;
if (created.data?.response_code !== 0 || !orderId) {
  throw new Error(`create_order failed: ${JSON.stringify(created.error ?? created.data)}`);
}

const found = await client.GET("/api/v0/orders/{orderId}", { headers, params: { path: { orderId } } });
const order = found.data?.payload;
if (found.data?.response_code !== 0 || order?.merchantOrderId !== merchantOrderId || order?.status !== "CREATED") {
  throw new Error(`get_order_status: unexpected answer ${JSON.stringify(found.error ?? found.data)}`);
}
console.log(`typescript client: token, then order ${orderId} (${order.merchantOrderId}) is ${order.status}`);
