// A fake HubSpot on loopback for the integration tests in the browser: it serves the fixtures of
// tests/fixtures/crm/hubspot (deals named after partners of the demo organization), refuses
// page 2 once with a 429, and accepts write-backs.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const PORT = Number(process.env.FAKE_CRM_PORT ?? 3199);
const dir = join(import.meta.dirname, "..", "tests", "fixtures", "crm", "hubspot");
const names = { "{{A}}": "Apex Cloud Partners", "{{B}}": "Cobalt Digital" };
let limited = false;

function fixture(file) {
  let body = readFileSync(join(dir, file), "utf8");
  for (const [from, to] of Object.entries(names)) body = body.replaceAll(from, to);
  return body;
}

createServer((req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${PORT}`);
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };
  if (url.pathname === "/healthz") return send(200, "{}");
  if (req.headers.authorization !== "Bearer pat-e2e-token") {
    return send(401, JSON.stringify({ status: "error", message: "Authentication credentials not found.", category: "INVALID_AUTHENTICATION" }));
  }
  if (req.method === "GET" && url.pathname === "/crm/v3/objects/deals") {
    if (url.searchParams.get("archived") === "true") return send(200, fixture("archived.json"));
    if (url.searchParams.has("after")) {
      if (!limited) {
        limited = true;
        return send(429, JSON.stringify({ status: "error", message: "You have reached your secondly limit.", errorType: "RATE_LIMIT" }), { "retry-after": "1" });
      }
      return send(200, fixture("deals-2.json"));
    }
    return send(200, fixture("deals-1.json"));
  }
  if (req.method === "POST" && url.pathname === "/crm/v3/objects/deals/search") return send(200, fixture("search-1.json"));
  if (req.method === "POST" && url.pathname === "/crm/v4/associations/deals/companies/batch/read") return send(200, fixture("deal-companies.json"));
  if (req.method === "POST" && url.pathname === "/crm/v3/objects/companies/batch/read") return send(200, fixture("companies.json"));
  if (req.method === "PATCH" && url.pathname.startsWith("/crm/v3/objects/deals/")) return send(200, JSON.stringify({ id: url.pathname.split("/").pop() }));
  send(404, JSON.stringify({ message: "no such route" }));
}).listen(PORT, "127.0.0.1");
