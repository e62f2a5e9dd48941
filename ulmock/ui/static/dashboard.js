// The ulmock dashboard's only script: keep the live region fresh, and turn buttons into
// control-API calls. No framework, nothing fetched from outside this server.
"use strict";

(function () {
  const token = (document.querySelector('meta[name="ulmock-admin-token"]') || {}).content || "";
  const POLL_MS = 1000; // at most one refresh a second

  // -- talking to the control API (and, for billing, to /api with an account's key) -----
  async function call(method, path, body, bearer) {
    const headers = {};
    const auth = bearer || token;
    if (auth) headers["Authorization"] = "Bearer " + auth;
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (!response.ok || (json && json.success === false)) {
      const message = json && json.error ? json.error.message : response.status + " " + response.statusText;
      throw new Error(message);
    }
    return { json, response };
  }

  function toast(message, bad) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.className = bad ? "show bad" : "show";
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.className = ""; }, bad ? 6000 : 2500);
  }

  // -- the live region ----------------------------------------------------------------
  const live = document.getElementById("live");
  let lastHtml = live ? live.innerHTML : "";
  let inFlight = false;

  async function refresh() {
    if (!live || inFlight) return;
    inFlight = true;
    try {
      const r = await fetch(live.dataset.liveSrc, { credentials: "same-origin", cache: "no-store" });
      if (r.ok) {
        const html = await r.text();
        if (html !== lastHtml) {
          live.innerHTML = html;
          lastHtml = html;
        }
        document.body.classList.remove("stale");
      } else {
        document.body.classList.add("stale");
      }
    } catch (e) {
      document.body.classList.add("stale");
    } finally {
      inFlight = false;
    }
  }
  if (live) {
    setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  }

  async function act(label, work) {
    try {
      const message = await work();
      toast(message || label + ": done");
    } catch (e) {
      toast(label + ": " + e.message, true);
    }
    await refresh();
  }

  function num(value) {
    return value === "" || value === null || value === undefined ? undefined : Number(value);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain-http hosts other than localhost have no clipboard API.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  }

  // -- buttons ------------------------------------------------------------------------
  const clicks = {
    advance: (el) => advance(Number(el.dataset.seconds)),
    "advance-custom": () => {
      const amount = Number(document.getElementById("advance-amount").value);
      const unit = Number(document.getElementById("advance-unit").value);
      if (!(amount >= 0)) return toast("Advance: give a number of seconds, minutes, hours or days", true);
      return advance(amount * unit);
    },
    "clock-mode": (el) => act("Clock", async () => {
      const { json } = await call("POST", "/_ulmock/clock", { mode: el.dataset.mode });
      return "Clock: " + json.data.mode;
    }),
    "clock-speed": () => act("Speed", async () => {
      const speed = Number(document.getElementById("clock-speed").value);
      const { json } = await call("POST", "/_ulmock/clock", { mode: "realtime", speed });
      return "Clock: real time ×" + json.data.speed;
    }),
    reset: () => {
      if (!confirm("Reset the world to the scenario's start? Everything since is lost.")) return;
      return act("Reset", async () => { await call("POST", "/_ulmock/reset"); return "Reset to the scenario's start"; });
    },
    "faults-clear": () => act("Faults", async () => {
      const { json } = await call("DELETE", "/_ulmock/faults");
      return "Cleared " + json.data.cleared + " fault(s)";
    }),
    "journal-clear": () => act("Journal", async () => {
      const { json } = await call("DELETE", "/_ulmock/requests");
      return "Cleared " + json.data.cleared + " request(s)";
    }),
    "snapshot-download": () => act("Snapshot", async () => {
      const { json } = await call("GET", "/_ulmock/snapshot");
      const blob = new Blob([JSON.stringify(json.data)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "ulmock-snapshot-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-") + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      return "Snapshot downloaded";
    }),
    copy: (el) => copyText(el.dataset.copy).then(() => toast("Copied"), () => toast("Could not copy", true)),
    checkout: (el) => billing(el, "/api/billing/checkout-session",
                              { amount: Number(document.getElementById("topup-amount").value) }),
    subscribe: (el) => billing(el, "/api/billing/subscription-checkout"),
    portal: (el) => billing(el, "/api/billing/portal-session"),
  };

  function advance(seconds) {
    return act("Advance", async () => {
      const { json } = await call("POST", "/_ulmock/clock/advance", { seconds });
      return "Clock now " + json.data.now.slice(0, 19).replace("T", " ");
    });
  }

  function billing(el, path, body) {
    // A new tab now, while the click still counts as the user's: pop-up blockers allow it.
    const tab = window.open("about:blank", "_blank");
    return act("Billing", async () => {
      try {
        const { json } = await call("POST", path, body === undefined ? {} : body, el.dataset.key);
        if (tab) tab.location = json.data.url; else window.location = json.data.url;
        return "Opened " + json.data.url;
      } catch (e) {
        if (tab) tab.close();
        throw e;
      }
    });
  }

  const submits = {
    scenario: (form) => act("Scenario", async () => {
      const { json } = await call("POST", "/_ulmock/scenario", { name: form.elements.name.value });
      return "Loaded '" + json.data.scenario + "': " + json.data.accounts.join(", ");
    }),
    "account-create": (form) => act("Account", async () => {
      const body = { username: form.elements.username.value.trim(), plan: form.elements.plan.value };
      const balance = num(form.elements.balance.value);
      if (balance !== undefined) body.balance = balance;
      const { json } = await call("POST", "/_ulmock/accounts", body);
      form.reset();
      return "Created " + json.data.username + ", key " + json.data.apiKey;
    }),
    "fault-add": (form) => act("Fault", async () => {
      const f = form.elements;
      const body = { path: f.path.value.trim() };
      if (f.method.value) body.method = f.method.value;
      for (const name of ["status", "latencyMs", "probability", "times"]) {
        const value = num(f[name].value);
        if (value !== undefined) body[name] = value;
      }
      const { json } = await call("POST", "/_ulmock/faults", body);
      return "Fault " + json.data.id + " on " + json.data.path;
    }),
    predict: () => predict(),
  };

  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-action]");
    if (!el || el.tagName === "FORM" || el.tagName === "INPUT") return;
    const handler = clicks[el.dataset.action];
    if (handler) {
      event.preventDefault();
      handler(el);
    }
  });
  document.addEventListener("submit", (event) => {
    const handler = submits[event.target.dataset.action];
    if (handler) {
      event.preventDefault();
      handler(event.target);
    }
  });
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.dataset && el.dataset.action === "snapshot-upload" && el.files.length) {
      const file = el.files[0];
      act("Snapshot", async () => {
        const { json } = await call("PUT", "/_ulmock/snapshot", await file.text());
        return "Snapshot loaded; clock at " + json.data.now.slice(0, 19).replace("T", " ");
      }).finally(() => { el.value = ""; });
    }
    if (el.id === "predict-file" && el.files.length) predict();
  });

  // -- the predict playground ----------------------------------------------------------
  const SVG = "http://www.w3.org/2000/svg";
  const drop = document.getElementById("drop");
  if (drop) {
    ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      if (e.dataTransfer.files.length) {
        document.getElementById("predict-file").files = e.dataTransfer.files;
        predict();
      }
    });
  }

  async function predict() {
    const form = document.getElementById("predict-form");
    const file = document.getElementById("predict-file").files[0];
    const status = document.getElementById("predict-status");
    if (!file) return;
    status.textContent = "Predicting…";
    const data = new FormData(form);
    try {
      const { json, response } = await call("POST", form.dataset.src || "/_ulmock/ui/api/predict", data);
      const [w, h] = (response.headers.get("X-Image-Size") || "0x0").split("x").map(Number);
      show(file, json.predictions, w, h);
      status.textContent = json.predictions.length + " detection(s) by " + response.headers.get("X-Ulmock-Network") +
        " in " + response.headers.get("X-Inference-Ms") + " ms";
    } catch (e) {
      status.textContent = "Predict failed: " + e.message;
      document.getElementById("predict-result").hidden = true;
    }
  }

  function show(file, predictions, width, height) {
    const img = document.getElementById("predict-image");
    if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
    img.dataset.url = URL.createObjectURL(file);
    img.src = img.dataset.url;
    const svg = document.getElementById("predict-boxes");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.replaceChildren();
    const frame = document.getElementById("predict-frame");
    frame.querySelectorAll(".tag").forEach((t) => t.remove());
    const list = document.getElementById("predict-list");
    list.replaceChildren();
    const colours = {};
    predictions.forEach((p) => {
      if (!(p.class in colours)) colours[p.class] = Object.keys(colours).length % 10;
      const c = "c" + colours[p.class];
      const g = document.createElementNS(SVG, "g");
      g.setAttribute("class", "box " + c);
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", p.box.x1);
      rect.setAttribute("y", p.box.y1);
      rect.setAttribute("width", p.box.x2 - p.box.x1);
      rect.setAttribute("height", p.box.y2 - p.box.y1);
      rect.setAttribute("vector-effect", "non-scaling-stroke");
      g.appendChild(rect);
      svg.appendChild(g);
      const tag = document.createElement("span");
      tag.className = "tag " + c + (p.box.y1 < height * 0.06 ? " inside" : "");
      tag.style.left = (100 * p.box.x1 / width) + "%";
      tag.style.top = (100 * p.box.y1 / height) + "%";
      tag.textContent = p.class + " " + p.confidence.toFixed(2);
      frame.appendChild(tag);
      const item = document.createElement("li");
      item.textContent = p.class + " — " + (100 * p.confidence).toFixed(1) + "% at (" +
        Math.round(p.box.x1) + ", " + Math.round(p.box.y1) + ")–(" + Math.round(p.box.x2) + ", " + Math.round(p.box.y2) + ")";
      list.appendChild(item);
    });
    if (!predictions.length) {
      const item = document.createElement("li");
      item.textContent = "Nothing found above the confidence threshold.";
      list.appendChild(item);
    }
    document.getElementById("predict-result").hidden = false;
  }
})();
