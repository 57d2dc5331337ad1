// The ap-intake console: renders each page from the REST API (/api/v1) in the shell ConsolePages serves.
// No framework and nothing from another server; text is always set with textContent, never as HTML.
"use strict";

(function () {
  const body = document.body;
  const context = body.dataset.context || "";
  const roles = (body.dataset.roles || "").split(" ").filter(Boolean);
  const main = document.getElementById("page");
  const token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const can = (role) => roles.includes(role);
  const approver = can("ap-approver");

  // ---- small DOM helpers -------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const missing = (why) => h("span", { class: "missing" }, why || "not available");
  const section = (title, ...content) => h("section", {}, h("h2", {}, title), ...content);
  const message = (text, kind) => h("p", { class: kind || "note", role: kind === "error" ? "alert" : "status" }, text);

  // ---- formatting: numbers always with units, a missing figure says so -----------------------------
  const isNum = (v) => typeof v === "number" && isFinite(v);
  function num(v, unit, digits) {
    if (!isNum(v)) return missing();
    const d = digits === undefined ? (Number.isInteger(v) ? 0 : 2) : digits;
    const text = v.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
    return unit ? text + " " + unit : text;
  }
  function percent(ratio, digits) {
    return isNum(ratio) ? num(ratio * 100, "%", digits === undefined ? 2 : digits) : missing();
  }
  function bytes(v) {
    if (!isNum(v)) return missing();
    const units = ["B", "kB", "MB", "GB", "TB"];
    let i = 0;
    let x = v;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return num(x, units[i], i === 0 ? 0 : 1);
  }
  function millis(v) {
    if (!isNum(v)) return missing();
    return v >= 10000 ? num(v / 1000, "s", 1) : num(v, "ms", v < 10 ? 2 : 0);
  }
  function when(v) {
    if (!v) return missing("—");
    const d = new Date(v);
    if (isNaN(d)) return String(v);
    return h("time", { datetime: d.toISOString() }, d.toISOString().replace("T", " ").slice(0, 19) + " UTC");
  }
  function money(v, currency) {
    if (v === null || v === undefined) return missing();
    // Amounts arrive as JSON numbers (exact decimals, trailing zeros dropped): show cents.
    const shown = typeof v === "number" ? v.toFixed(2) : String(v);
    return shown + (currency ? " " + currency : "");
  }
  const text = (v) => (v === null || v === undefined || v === "" ? missing("—") : String(v));

  function table(rows, columns, attrs) {
    if (!rows || rows.length === 0) return message("None.");
    return h(
      "table",
      attrs || {},
      h("thead", {}, h("tr", {}, columns.map(([title]) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell]) => h("td", {}, cell(row))))))
    );
  }
  function facts(pairs) {
    return h("dl", { class: "facts" }, pairs.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  }

  // ---- the API -------------------------------------------------------------------------------------
  async function api(method, path, body, contentType) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (method !== "GET") headers["X-CSRF-Token"] = token;
    let payload = body;
    if (body !== undefined && !(body instanceof Blob) && typeof body !== "string") {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    } else if (contentType) {
      headers["Content-Type"] = contentType;
    }
    let response;
    try {
      response = await fetch(context + "/api/v1" + path, { method, headers, body: payload, credentials: "same-origin" });
    } catch (e) {
      return { ok: false, status: 0, problem: { detail: "The server did not answer (" + e.message + ")." } };
    }
    if (response.status === 401) {
      location.href = context + "/console/login?next=" + encodeURIComponent(location.pathname);
      return { ok: false, status: 401, problem: { detail: "Your session has ended; please sign in again." } };
    }
    const type = response.headers.get("Content-Type") || "";
    let data = null;
    if (type.includes("json")) data = await response.json();
    else if (response.status !== 204) data = await response.text();
    if (!response.ok) {
      const problem = data && typeof data === "object" ? data : { detail: String(data || response.statusText) };
      if (response.status === 503 && response.headers.get("Retry-After")) {
        problem.detail = (problem.detail || "") + " (try again in " + response.headers.get("Retry-After") + " s)";
      }
      return { ok: false, status: response.status, problem };
    }
    return { ok: true, status: response.status, data };
  }
  const problemText = (answer) =>
    (answer.status ? answer.status + " " : "") + ((answer.problem && (answer.problem.detail || answer.problem.title)) || "failed");
  const unavailable = (what, answer) => message(what + " is not available: " + problemText(answer), "error");

  // Replaces the content of a region; keeps the page's h1.
  function region(id) {
    let el = document.getElementById(id);
    if (!el) {
      el = h("div", { id, "aria-live": "polite" });
      main.append(el);
    }
    return {
      el,
      set(...nodes) {
        el.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined));
      },
    };
  }

  // ---- AP pages ------------------------------------------------------------------------------------
  const STATUSES = [
    "RECEIVED", "EXTRACTED", "VALIDATED", "EXCEPTIONS_FOUND", "SUSPECTED_DUPLICATE", "PENDING_APPROVAL",
    "APPROVED", "STAGED", "EXPORTED", "CONFIRMED_DUPLICATE", "REJECTED",
  ];
  const invoiceLink = (id) => h("a", { href: context + "/console/invoice/" + id }, "#" + id);

  function contentTypeOf(file) {
    if (file.type) return file.type;
    const name = file.name.toLowerCase();
    if (name.endsWith(".pdf")) return "application/pdf";
    if (name.endsWith(".xml")) return "application/xml";
    return "application/octet-stream";
  }

  function uploadOne(file, row) {
    return new Promise((resolve) => {
      const bar = h("progress", { max: "100", value: "0", "aria-label": "upload of " + file.name });
      const status = h("span", { class: "upload-status" }, "uploading…");
      row.replaceChildren(h("span", { class: "file" }, file.name + " (" + bytes(file.size) + ")"), bar, status);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", context + "/api/v1/invoices?filename=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("Content-Type", contentTypeOf(file));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = () => {
        bar.value = 100;
        let data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (e) {
          data = null;
        }
        if (xhr.status === 201 || xhr.status === 200) {
          row.classList.add("done");
          status.replaceChildren(
            xhr.status === 201 ? "received as " : "already received: ",
            invoiceLink(data.id),
            " · " + data.workflowStatus + (data.openExceptions ? " · " + data.openExceptions + " open exception(s)" : "")
          );
        } else {
          row.classList.add("failed");
          status.textContent = "refused: " + xhr.status + " " + ((data && data.detail) || xhr.statusText);
        }
        resolve();
      };
      xhr.onerror = () => {
        row.classList.add("failed");
        status.textContent = "the upload did not reach the server";
        resolve();
      };
      xhr.send(file);
    });
  }

  function uploader(onDone) {
    const results = h("ul", { id: "upload-results", class: "uploads" });
    const input = h("input", { type: "file", id: "upload-files", multiple: true, accept: ".xml,.pdf,application/xml,application/pdf" });
    async function send(files) {
      const list = Array.from(files);
      const rows = list.map(() => h("li", {}));
      results.replaceChildren(...rows);
      for (let i = 0; i < list.length; i++) await uploadOne(list[i], rows[i]); // one after the other: gentle on the server
      onDone();
    }
    input.addEventListener("change", () => send(input.files));
    const zone = h(
      "div",
      { class: "dropzone", id: "dropzone", tabindex: "0", role: "button", "aria-label": "Upload invoice files" },
      "Drop invoice files here (UBL, CII, Factur-X PDF; several at once), or ",
      h("label", { for: "upload-files", class: "linklike" }, "choose files"),
      input
    );
    zone.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        input.click();
      }
    });
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      send(e.dataTransfer.files);
    });
    return section("Upload", zone, results);
  }

  async function invoicesPage() {
    const params = new URLSearchParams(location.search);
    const list = region("invoice-list");
    const form = h(
      "form",
      { id: "filters", class: "filters" },
      h("label", {}, "Status ", h("select", { name: "workflowStatus" }, h("option", { value: "" }, "all"),
        STATUSES.map((s) => h("option", { value: s, selected: params.get("workflowStatus") === s }, s)))),
      h("label", {}, "Vendor id ", h("input", { name: "vendorId", inputmode: "numeric", size: "6", value: params.get("vendorId") || "" })),
      h("label", {}, "From ", h("input", { name: "from", type: "date", value: params.get("from") || "" })),
      h("label", {}, "To ", h("input", { name: "to", type: "date", value: params.get("to") || "" })),
      h("button", { type: "submit" }, "Filter")
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form).entries()) if (v) q.set(k, v);
      history.replaceState(null, "", "?" + q.toString());
      load("/invoices?" + q.toString() + "&limit=50");
    });
    main.append(uploader(() => load(currentQuery)), section("Invoices", form, list.el));
    let currentQuery = null;
    async function load(path) {
      currentQuery = path;
      list.set(message("Loading…"));
      const answer = await api("GET", path);
      if (!answer.ok) return list.set(unavailable("The invoice list", answer));
      const page = answer.data;
      const next = page.next ? page.next.slice(page.next.indexOf("/api/v1") + 7) : null;
      list.set(
        table(page.items, [
          ["Invoice", (r) => invoiceLink(r.id)],
          ["Number", (r) => text(r.invoiceNumber)],
          ["Vendor", (r) => (r.vendorId ? "#" + r.vendorId : missing("unknown"))],
          ["Issued", (r) => text(r.issueDate)],
          ["Gross", (r) => money(r.totalGross, r.currency)],
          ["Workflow", (r) => h("span", { class: "status status-" + r.workflowStatus }, r.workflowStatus)],
          ["Open exceptions", (r) => num(r.openExceptions)],
          ["Received", (r) => when(r.createdAt)],
        ], { id: "invoices" }),
        h("p", { class: "paging" },
          path.includes("after=") ? h("button", { type: "button", onclick: () => load(first) }, "First page") : null,
          next ? h("button", { type: "button", id: "next-page", onclick: () => load(next) }, "Next page") : null)
      );
    }
    const q = new URLSearchParams(params);
    q.set("limit", "50");
    const first = "/invoices?" + q.toString();
    load(first);
  }

  function confidenceCell(value) {
    if (!isNum(value)) return missing("—");
    const cls = value < 0.5 ? "conf low" : value < 1 ? "conf medium" : "conf high";
    return h("span", { class: cls, title: "extraction confidence" }, num(value * 100, "%", 0));
  }

  function fieldValue(v) {
    if (v === null || v === undefined) return missing("—");
    if (typeof v === "object") return h("code", {}, JSON.stringify(v));
    return String(v);
  }

  async function invoicePage() {
    const id = main.dataset.id;
    const [invoice, extraction, validations, exceptions] = await Promise.all([
      api("GET", "/invoices/" + id),
      api("GET", "/invoices/" + id + "/extraction"),
      api("GET", "/invoices/" + id + "/validations"),
      api("GET", "/invoices/" + id + "/exceptions"),
    ]);
    if (!invoice.ok) return main.append(unavailable("Invoice " + id, invoice));
    const inv = invoice.data;
    const decision = region("decision");
    main.append(
      section("Summary", facts([
        ["Number", text(inv.invoiceNumber)],
        ["Workflow status", h("span", { id: "workflow-status", class: "status status-" + inv.workflowStatus }, inv.workflowStatus)],
        ["Vendor", inv.vendorId ? "#" + inv.vendorId : missing("not matched")],
        ["Issued / due", [text(inv.issueDate), " / ", text(inv.dueDate)]],
        ["Net / VAT / gross", [money(inv.totalNet, inv.currency), " / ", money(inv.totalVat, inv.currency), " / ", money(inv.totalGross, inv.currency)]],
        ["Amount due", money(inv.amountDue, inv.currency)],
        ["Open exceptions", num(inv.openExceptions)],
        ["Duplicate of", inv.duplicateOf ? invoiceLink(inv.duplicateOf) : "—"],
        ["File", [text(inv.originalFilename), " · ", text(inv.contentType), " · ", bytes(inv.sizeBytes)]],
        ["SHA-256", h("code", {}, inv.fileHash)],
        ["Received", when(inv.createdAt)],
      ])),
      decision.el
    );
    renderDecision(decision, inv);
    main.append(documentSection(id, inv));

    const fields = extraction.ok ? extraction.data : null;
    main.append(section("Extracted fields",
      !extraction.ok ? unavailable("The extraction", extraction)
        : h("div", {},
          facts([["Format", text(fields.format)], ["Overall confidence", confidenceCell(fields.confidence && fields.confidence.overall)]]),
          table(Object.keys(fields.fields || {}).map((k) => ({ k, v: fields.fields[k], c: (fields.confidence || {})[k] })), [
            ["Field", (r) => r.k],
            ["Value", (r) => fieldValue(r.v)],
            ["Confidence", (r) => confidenceCell(r.c)],
          ], { id: "fields" }),
          message("Confidence below 100 % is highlighted; below 50 % in red."))));
    main.append(section("Validations",
      !validations.ok ? unavailable("The validations", validations)
        : table(validations.data, [
          ["Rule", (r) => h("code", {}, r.rule)],
          ["Result", (r) => h("span", { class: r.passed ? "pass" : "fail" }, r.passed ? "passed" : "failed")],
          ["Rule text and finding", (r) => text(r.detail)],
        ], { id: "validations" })));
    const exc = region("exceptions");
    main.append(section("Exceptions", exc.el));
    renderExceptions(exc, exceptions, id);
  }

  function documentSection(id, inv) {
    const url = context + "/api/v1/invoices/" + id + "/document";
    const view = h("div", { id: "document-view" });
    const show = h("button", { type: "button", id: "show-document" }, "View here");
    show.addEventListener("click", async () => {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return view.replaceChildren(message("The document is not available: " + response.status, "error"));
      const blob = await response.blob();
      if ((inv.contentType || "").includes("pdf")) {
        const obj = URL.createObjectURL(blob);
        view.replaceChildren(h("object", { data: obj, type: "application/pdf", class: "pdf" }, "This browser cannot show PDFs inline."));
      } else {
        view.replaceChildren(h("pre", { class: "document" }, await blob.text()));
      }
    });
    return section("Original document", h("p", {}, h("a", { href: url, download: inv.originalFilename || "invoice-" + id }, "Download"), " ", show), view);
  }

  function renderDecision(region, inv) {
    const out = h("div", { id: "decision-result", "aria-live": "polite" });
    if (!approver) {
      return region.set(section("Decision", message("Approving, rejecting and resolving exceptions need the ap-approver role.")));
    }
    const reason = h("input", { id: "reject-reason", placeholder: "reason for a rejection", size: "30" });
    async function decide(action) {
      const answer = await api("POST", "/invoices/" + inv.id + "/" + action, action === "reject" ? { reason: reason.value || null } : {});
      if (answer.ok) {
        out.replaceChildren(message((action === "approve" ? "Approved" : "Rejected") + ": now " + answer.data.workflowStatus + "."));
        document.getElementById("workflow-status").textContent = answer.data.workflowStatus;
      } else if (answer.status === 409) {
        out.replaceChildren(message(
          "Not possible now: " + problemText(answer) + " An invoice can be approved only in PENDING_APPROVAL, which it reaches " +
          "when its last exception is resolved; approved, exported, rejected and confirmed-duplicate invoices cannot be decided again.",
          "error"));
      } else {
        out.replaceChildren(message(problemText(answer), "error"));
      }
    }
    region.set(section("Decision",
      h("p", {},
        h("button", { type: "button", id: "approve", onclick: () => decide("approve") }, "Approve"), " ",
        reason, " ",
        h("button", { type: "button", id: "reject", onclick: () => decide("reject") }, "Reject")),
      out));
  }

  function renderExceptions(exc, answer, invoiceId) {
    if (!answer.ok) return exc.set(unavailable("The exceptions", answer));
    const rows = answer.data;
    exc.set(table(rows, [
      ["Type", (r) => h("code", {}, r.type)],
      ["Detail", (r) => text(r.detail)],
      ["Raised", (r) => when(r.createdAt)],
      ["State", (r) => r.resolved ? ["resolved by ", text(r.resolvedBy), " ", when(r.resolvedAt), ": ", text(r.resolution)] : h("strong", {}, "open")],
      ["Action", (r) => (r.resolved ? "—" : approver ? resolveForm(r, invoiceId, exc) : missing("needs ap-approver"))],
    ], { id: "exception-table" }));
  }

  function resolveForm(r, invoiceId, exc) {
    const note = h("input", { class: "resolution", "aria-label": "resolution of exception " + r.id, placeholder: "resolution", size: "24" });
    const vendor = r.type === "UNKNOWN_VENDOR" ? h("input", { class: "vendor-id", "aria-label": "vendor id to link", placeholder: "vendor id (optional)", size: "10", inputmode: "numeric" }) : null;
    const out = h("span", { class: "result" });
    async function send(action) {
      const body = { resolution: note.value || (action === "CONFIRM" ? "confirmed duplicate" : action === "DISMISS" ? "not a duplicate" : "resolved in the console") };
      if (action) body.action = action;
      if (vendor && vendor.value) body.vendorId = Number(vendor.value);
      const answer = await api("POST", "/exceptions/" + r.id + "/resolve", body);
      if (!answer.ok) return out.replaceChildren(message(problemText(answer), "error"));
      const [inv, list] = await Promise.all([api("GET", "/invoices/" + invoiceId), api("GET", "/invoices/" + invoiceId + "/exceptions")]);
      if (inv.ok) document.getElementById("workflow-status").textContent = inv.data.workflowStatus;
      renderExceptions(exc, list, invoiceId);
    }
    const buttons = r.type === "SUSPECTED_DUPLICATE"
      ? [h("button", { type: "button", class: "confirm", onclick: () => send("CONFIRM") }, "Confirm duplicate"), " ",
         h("button", { type: "button", class: "dismiss", onclick: () => send("DISMISS") }, "Dismiss")]
      : [h("button", { type: "button", class: "resolve", onclick: () => send(null) }, "Resolve")];
    return h("span", { class: "resolve-form" }, note, " ", vendor, " ", buttons, out);
  }

  async function exportsPage() {
    const out = region("export-result");
    const list = region("batches");
    async function load() {
      const answer = await api("GET", "/exports?limit=10");
      if (!answer.ok) return list.set(unavailable("The export batches", answer));
      list.set(table(answer.data, [
        ["Batch", (r) => h("code", {}, r.id)],
        ["Written", (r) => when(r.exportedAt)],
        ["By", (r) => text(r.exportedBy)],
        ["Invoices", (r) => [num(r.invoices), ": ", [...r.invoiceIds].sort((a, b) => b - a).slice(0, 50).map((i) => [invoiceLink(i), " "]), r.invoiceIds.length > 50 ? "… (newest 50 shown; all are in the batch files)" : ""]],
        ["Files", (r) => [h("code", {}, r.csvFile), h("br"), h("code", {}, r.jsonFile)]],
      ], { id: "batch-table" }));
    }
    const run = approver
      ? h("button", {
        type: "button", id: "run-export", onclick: async () => {
          const answer = await api("POST", "/exports/run");
          if (!answer.ok) out.set(message(problemText(answer), "error"));
          else if (answer.status === 204) out.set(message("Nothing was waiting for export."));
          else out.set(message("Batch " + answer.data.id + " written with " + answer.data.invoices + " invoice(s)."));
          load();
        },
      }, "Run export now")
      : message("Running an export needs the ap-approver role; the timer exports approved invoices periodically.");
    main.append(section("Export now", run, out.el), section("Batches, newest first", list.el));
    load();
  }

  async function vendorsPage() {
    const list = region("vendor-list");
    let offset = 0;
    const name = h("input", { name: "name", placeholder: "name contains" });
    async function load() {
      const q = new URLSearchParams({ limit: "100", offset: String(offset) });
      if (name.value) q.set("name", name.value);
      const answer = await api("GET", "/vendors?" + q);
      if (!answer.ok) return list.set(unavailable("The vendors", answer));
      list.set(
        table(answer.data, [
          ["Id", (r) => "#" + r.id],
          ["Name", (r) => text(r.name)],
          ["VAT id", (r) => text(r.vatId)],
          ["Seller id", (r) => text(r.sellerIdentifier)],
          ["IBAN", (r) => (r.iban ? h("code", {}, r.iban) : approver ? missing("—") : missing("hidden: needs ap-approver"))],
          ["Account holder", (r) => (r.accountHolder ? r.accountHolder : missing("—"))],
          ["Updated", (r) => when(r.updatedAt)],
        ], { id: "vendors" }),
        h("p", { class: "paging" },
          offset > 0 ? h("button", { type: "button", onclick: () => { offset = Math.max(0, offset - 100); load(); } }, "Previous") : null,
          answer.data.length === 100 ? h("button", { type: "button", onclick: () => { offset += 100; load(); } }, "Next") : null)
      );
    }
    const search = h("form", { class: "filters" }, name, h("button", { type: "submit" }, "Search"));
    search.addEventListener("submit", (e) => {
      e.preventDefault();
      offset = 0;
      load();
    });
    main.append(section("Vendor master", search, list.el));
    if (approver) main.append(vendorForm(load));
    load();
  }

  function vendorForm(reload) {
    const out = h("div", { "aria-live": "polite" });
    const form = h("form", { class: "filters", id: "vendor-form" },
      h("label", {}, "Name ", h("input", { name: "name", required: true })),
      h("label", {}, "VAT id ", h("input", { name: "vatId" })),
      h("label", {}, "IBAN ", h("input", { name: "iban" })),
      h("label", {}, "Account holder ", h("input", { name: "accountHolder" })),
      h("button", { type: "submit" }, "Add vendor"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {};
      for (const [k, v] of new FormData(form).entries()) if (v) body[k] = v;
      const answer = await api("POST", "/vendors", body);
      out.replaceChildren(answer.ok ? message("Vendor #" + answer.data.id + " added.") : message(problemText(answer), "error"));
      if (answer.ok) {
        form.reset();
        reload();
      }
    });
    return section("Add a vendor", form, out);
  }

  // ---- DBA pages -----------------------------------------------------------------------------------
  function componentValue(c) {
    if (!isNum(c.value)) return missing("not measured" + (c.note ? ": " + c.note : ""));
    return num(c.value, c.unit, 2);
  }

  async function databasePage() {
    const [health, connections, metrics, trend] = await Promise.all([
      api("GET", "/database/health"),
      api("GET", "/database/connections"),
      api("GET", "/database/metrics"),
      api("GET", "/database/trends?metric=score&window=24h"),
    ]);
    if (!health.ok) main.append(section("Health score", unavailable("The health score", health)));
    else {
      const r = health.data;
      main.append(section("Health score",
        h("p", { class: "score score-" + r.status },
          h("span", { id: "health-score" }, String(r.score)), " / 100 · ", h("span", { id: "health-status" }, r.status),
          " · measured ", when(r.measuredAt)),
        table(r.components, [
          ["Component", (c) => h("code", {}, c.name)],
          ["Value", componentValue],
          ["Warn at", (c) => num(c.warnAt, c.unit)],
          ["Critical at", (c) => num(c.critAt, c.unit)],
          ["Weight", (c) => num(c.weight, "points", 1)],
          ["Penalty", (c) => h("span", { class: c.penalty > 0 ? "fail" : "pass" }, num(c.penalty, "points", 1))],
          ["Note", (c) => text(c.note)],
        ], { id: "components" })));
    }
    main.append(section("Score, last 24 hours", trendChart(trend)));
    if (!connections.ok) main.append(section("Pool", unavailable("The pool figures", connections)));
    else {
      const p = connections.data.pool || {};
      const d = connections.data.database;
      main.append(section("Pool " + (p.name || ""),
        p.monitored ? null : message("Pool monitoring is not up yet: the figures below are zero until it is.", "error"),
        facts([
          ["In use / free", [num(p.used, "connections"), " / ", num(p.free, "connections")]],
          ["Steady / max size", [num(p.steadyPoolSize, "connections"), " / ", num(p.maxPoolSize, "connections")]],
          ["Utilisation", percent(p.utilization, 1)],
          ["High-water mark", num(p.highWaterMark, "connections")],
          ["Waiting now", num(p.waitQueueLength, "requests")],
          ["Average / longest wait", [millis(p.averageWaitMillis), " / ", millis(p.maxWaitObservedMillis)]],
          ["Timed out", num(p.timedOut, "requests")],
          ["Potential leaks", num(p.potentialLeaks, "connections")],
          ["Failed validations", num(p.failedValidations, "connections")],
          ["Max wait configured", millis(p.maxWaitMillis)],
        ])));
      main.append(section("Connections by application",
        !d ? message("PostgreSQL's side is not available: " + (connections.data.databaseError || "no answer"), "error")
          : h("div", {},
            facts([
              ["Connections / usable", [num(d.currentConnections, "connections"), " / ", num(d.usableConnections, "connections"), " (max_connections " + d.maxConnections + ", " + d.reservedConnections + " reserved)"]],
              ["Headroom", num(d.headroom, "connections")],
              ["Pool fits", d.poolFits ? "yes" : h("strong", { class: "fail" }, "no: max-pool-size exceeds the usable connections")],
              ["Idle in transaction", d.idleInTransaction ? [num(d.idleInTransaction.count, "sessions"), ", oldest ", num(d.idleInTransaction.oldestSeconds, "s", 0)] : missing()],
            ]),
            table(d.byApplication, [
              ["Application", (s) => text(s.applicationName)],
              ["State", (s) => text(s.state)],
              ["Sessions", (s) => num(s.count)],
              ["Oldest in state", (s) => num(s.oldestStateSeconds, "s", 0)],
            ], { id: "by-application" }))));
    }
    if (!metrics.ok) main.append(section("Cache and activity", unavailable("The database metrics", metrics)));
    else {
      const m = metrics.data;
      const st = m.statementTime || {};
      main.append(section("Cache and activity", facts([
        ["Cache hit ratio", h("span", { id: "cache-hit" }, percent(m.cacheHitRatio))],
        ["Table / index hit ratio", [percent(m.tableHitRatio), " / ", h("span", { id: "index-hit" }, percent(m.indexHitRatio))]],
        ["Database size", bytes(m.databaseSizeBytes)],
        ["Commits / rollbacks", [num(m.commits, "transactions"), " / ", num(m.rollbacks, "transactions")]],
        ["Deadlocks", num(m.deadlocks)],
        ["Temporary files", [num(m.tempFiles, "files"), ", ", bytes(m.tempBytes)]],
        ["Statement time mean / recent / p95", [millis(st.meanMillis), " / ", millis(st.recentMeanMillis), " / ", millis(st.p95Millis)]],
        ["Transaction id age", num(m.xidAge, "transactions")],
        ["Statistics since", when(m.statsReset)],
      ])));
    }
  }

  function trendChart(answer) {
    if (!answer.ok) return unavailable("The trend", answer);
    const points = (answer.data.points || []).filter((p) => isNum(p.value));
    if (points.length < 2) return message("Not enough snapshots yet for a trend (" + points.length + " in the last 24 hours).");
    if (typeof window.uPlot !== "function") return message("The chart library did not load.", "error");
    const el = h("div", { id: "trend-chart", role: "img", "aria-label": "health score over the last 24 hours" });
    const xs = points.map((p) => new Date(p.at).getTime() / 1000);
    const ys = points.map((p) => p.value);
    setTimeout(() => {
      // eslint-disable-next-line no-new
      new window.uPlot({
        width: Math.min(900, main.clientWidth - 20), height: 220,
        scales: { y: { range: [0, 100] } },
        series: [{}, { label: "score", stroke: "#2b6cb0", width: 2 }],
        axes: [{}, { label: "score (0-100)" }],
      }, [xs, ys], el);
    });
    return el;
  }

  async function slowQueriesPage() {
    const out = region("slow");
    const plan = region("slow-plan-region");
    const select = h("select", { id: "window" }, ["1h", "6h", "24h", "7d"].map((w) => h("option", { value: w }, w)));
    select.addEventListener("change", load);
    main.append(h("p", {}, h("label", {}, "Window ", select)), out.el);
    async function load() {
      out.set(message("Loading…"));
      const answer = await api("GET", "/database/slow-queries?window=" + select.value + "&limit=50");
      if (!answer.ok) return out.set(unavailable("Slow queries", answer));
      const w = answer.data.statements || {};
      out.set(
        section("From pg_stat_statements",
          w.available === false ? message("pg_stat_statements is not installed: no statement figures.", "error") : null,
          message("Slow: mean above " + w.thresholdMillis + " ms with at least " + w.minCalls + " calls. Since " +
            (w.since || "?") + (w.partial ? " (snapshots do not reach back to the window start: partial)" : "") + "."),
          table(w.slow, [
            ["Statement", (s) => h("code", { class: "sql" }, s.query)],
            ["Calls", (s) => num(s.calls)],
            ["Mean", (s) => millis(s.meanMillis)],
            ["Total", (s) => millis(s.totalMillis)],
            ["Rows", (s) => num(s.rows)],
            ["Reset in window", (s) => (s.resetInWindow ? "yes" : "no")],
            ["Plan", (s) => (s.explain ? explainButton(s) : "")],
          ], { id: "slow-statements" }),
          plan.el),
        section("Payara's slow-SQL log (with the code path)",
          table(answer.data.payara, [
            ["At", (e) => when(e.at)],
            ["Took", (e) => millis(e.tookMillis)],
            ["Threshold", (e) => millis(e.thresholdMillis)],
            ["Statement", (e) => h("code", { class: "sql" }, e.sql)],
            ["Call site", (e) => h("code", {}, text(e.callSite))],
          ])),
        message("Explain shows the generic plan (every $n parameter NULL, never executed); for actual figures run" +
          " EXPLAIN (ANALYZE, BUFFERS) with real values in psql.")
      );
    }
    // The queryid is a 64-bit number JavaScript cannot hold exactly: the entry's own link is used.
    function explainButton(s) {
      return h("button", {
        type: "button", class: "explain", onclick: async () => {
          plan.set(message("Planning…"));
          const answer = await api("POST", s.explain.substring(s.explain.indexOf("/api/v1") + "/api/v1".length));
          if (!answer.ok) return plan.set(unavailable("The plan", answer));
          plan.set(section("Generic plan", h("code", { class: "sql" }, answer.data.query),
            h("pre", { id: "slow-plan" }, answer.data.plan.text)));
        },
      }, "Explain");
    }
    load();
  }

  async function recommendationsPage() {
    const answer = await api("GET", "/database/recommendations");
    if (!answer.ok) return main.append(unavailable("The recommendations", answer));
    if (answer.data.length === 0) return main.append(message("Nothing to recommend."));
    main.append(h("div", { id: "recommendations" }, answer.data.map((r) => {
      const code = h("pre", { class: "fix" }, r.fix || "");
      const copy = h("button", {
        type: "button", onclick: async () => {
          try {
            await navigator.clipboard.writeText(r.fix || "");
            copy.textContent = "Copied";
          } catch (e) {
            const range = document.createRange();
            range.selectNodeContents(code);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            copy.textContent = "Selected: press Ctrl+C";
          }
        },
      }, r.fixType === "liquibase" ? "Copy changeSet" : "Copy");
      return h("article", { class: "card severity-" + r.severity },
        h("h2", {}, r.severity + " · " + r.kind + " · ", h("code", {}, text(r.object))),
        facts(Object.entries(r.evidence || {}).map(([k, v]) => [k, fieldValue(v)])),
        h("p", {}, "Fix (" + r.fixType + ")", r.fixType === "liquibase" ? ": add as a new file under liquibase/changes/ " : " ", copy),
        code);
    })));
  }

  async function alertsPage() {
    const answer = await api("GET", "/database/alerts?hours=24&limit=100");
    if (!answer.ok) return main.append(unavailable("The alerts", answer));
    const cols = [
      ["Condition", (a) => h("code", {}, a.condition)],
      ["Severity", (a) => h("span", { class: "severity-" + a.severity }, a.severity)],
      ["Status", (a) => text(a.status)],
      ["Summary", (a) => text(a.summary)],
      ["Value / threshold", (a) => [isNum(a.value) ? num(a.value) : missing(), " / ", isNum(a.threshold) ? num(a.threshold) : missing()]],
      ["Opened", (a) => when(a.openedAt)],
      ["Resolved", (a) => (a.resolvedAt ? when(a.resolvedAt) : "—")],
      ["History", (a) => h("ul", { class: "history" }, (a.history || []).map((e) => h("li", {}, when(e.at), " " + e.event + " (" + e.severity + ")")))],
    ];
    main.append(section("Open", table(answer.data.open, cols, { id: "open-alerts" })), section("Last 24 hours", table(answer.data.recent, cols)));
  }

  async function backupsPage() {
    const out = region("backup-result");
    const list = region("backup-list");
    const wal = region("wal");
    const kind = h("select", { id: "backup-kind" }, ["full", "schema", "data", "critical", "base"].map((k) => h("option", { value: k }, k)));
    async function load() {
      const [backups, archive] = await Promise.all([api("GET", "/database/backups?limit=50"), api("GET", "/database/backups/wal")]);
      if (!backups.ok) list.set(unavailable("The backups", backups));
      else list.set(table(backups.data, [
        ["Id", (b) => "#" + b.id],
        ["Kind", (b) => b.kind],
        ["Status", (b) => h("span", { class: b.usable ? "pass" : b.status === "FAILED" ? "fail" : "" }, b.status)],
        ["Started", (b) => when(b.startedAt)],
        ["Took", (b) => millis(b.durationMillis)],
        ["Size", (b) => bytes(b.sizeBytes)],
        ["Encrypted", (b) => (b.encrypted ? "yes" : "no")],
        ["Restore drill", (b) => (b.verifiedAt ? [when(b.verifiedAt), " in ", millis(b.restoreMillis)] : b.verifyFailure ? h("span", { class: "fail" }, b.verifyFailure) : missing("not drilled"))],
        ["Failure", (b) => text(b.failureReason)],
        ["", (b) => (b.usable && b.kind !== "base" ? h("button", { type: "button", onclick: () => verify(b.id) }, "Verify (restore drill)") : "")],
      ], { id: "backups" }));
      wal.set(archive.ok ? facts(Object.entries(archive.data).map(([k, v]) => [k, fieldValue(v)])) : unavailable("The WAL archive status", archive));
    }
    async function verify(id) {
      const answer = await api("POST", "/database/backups/" + id + "/verify");
      out.set(answer.ok ? message("Restore drill of backup #" + id + " started.") : message(problemText(answer), "error"));
      setTimeout(load, 2000);
    }
    const start = h("button", {
      type: "button", id: "start-backup", onclick: async () => {
        const answer = await api("POST", "/database/backups", { kind: kind.value });
        out.set(answer.ok ? message("Backup #" + answer.data.id + " (" + answer.data.kind + ") started.") : message(problemText(answer), "error"));
        setTimeout(load, 2000);
      },
    }, "Start backup");
    main.append(section("Start", h("p", {}, h("label", {}, "Kind ", kind), " ", start), out.el),
      section("Backups, newest first", list.el), section("WAL archive", wal.el));
    load();
  }

  async function maintenancePage() {
    const out = region("maintenance-result");
    const runs = region("runs");
    const reports = region("reports");
    async function load() {
      const [r, p] = await Promise.all([api("GET", "/database/maintenance?limit=50"), api("GET", "/database/reports?limit=50")]);
      runs.set(!r.ok ? unavailable("The maintenance runs", r) : table(r.data, [
        ["Run", (x) => "#" + x.id],
        ["Kind", (x) => x.kind],
        ["Trigger", (x) => text(x.trigger)],
        ["Started", (x) => when(x.startedAt)],
        ["Took", (x) => (x.finishedAt ? millis(new Date(x.finishedAt) - new Date(x.startedAt)) : missing("running"))],
        ["Outcome", (x) => text(x.outcome)],
        ["Actions", (x) => h("ul", {}, (x.actions || []).map((a) => h("li", {}, fieldValue(a))))],
        ["Error", (x) => text(x.error)],
      ], { id: "maintenance-runs" }));
      reports.set(!p.ok ? unavailable("The reports", p) : table(p.data, [
        ["Report", (x) => "#" + x.id],
        ["Kind", (x) => x.kind],
        ["Period", (x) => [when(x.periodStart), " – ", when(x.periodEnd)]],
        ["Open", (x) => [
          h("a", { href: context + "/api/v1/database/reports/" + x.id + "?format=html" }, "HTML"), " · ",
          h("a", { href: context + "/api/v1/database/reports/" + x.id + "?format=markdown" }, "Markdown"), " · ",
          h("a", { href: context + "/api/v1/database/reports/" + x.id }, "JSON")]],
      ]));
    }
    const run = (kind) => h("button", {
      type: "button", onclick: async () => {
        out.set(message("Running the " + kind + " maintenance…"));
        const answer = await api("POST", "/database/maintenance/run?kind=" + kind);
        out.set(answer.ok ? message("Run #" + answer.data.id + ": " + answer.data.outcome + ".") : message(problemText(answer), "error"));
        load();
      },
    }, "Run " + kind + " now");
    main.append(section("Run now", h("p", {}, run("weekly"), " ", run("daily")), out.el),
      section("Runs, newest first", runs.el), section("Stored reports", reports.el));
    load();
  }

  function apiDocsPage() {
    main.append(h("div", { id: "swagger" }));
    if (typeof window.SwaggerUIBundle !== "function") return main.append(message("Swagger UI did not load.", "error"));
    window.SwaggerUIBundle({ url: "/openapi", dom_id: "#swagger", deepLinking: true, withCredentials: true });
  }

  const pages = {
    invoices: invoicesPage,
    invoice: invoicePage,
    exports: exportsPage,
    vendors: vendorsPage,
    database: databasePage,
    "slow-queries": slowQueriesPage,
    recommendations: recommendationsPage,
    alerts: alertsPage,
    backups: backupsPage,
    maintenance: maintenancePage,
    "api-docs": apiDocsPage,
  };
  const render = pages[main.dataset.page];
  if (render) {
    Promise.resolve(render()).finally(() => body.setAttribute("data-ready", "true"));
  } else {
    body.setAttribute("data-ready", "true");
  }
})();
