// The dashboard: plain DOM over the operator API (docs/api.md), no build step. Every text from the
// server goes in through textContent, never as HTML: log lines and names are not ours to trust.

const API = "/api/v1/";
const main = document.getElementById("main");
const errorBox = document.getElementById("error");
let refresh = 0;
let stopLog = () => {};

/** An element with attributes (on* are listeners) and children (strings become text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return el;
}

function headers() {
  const token = localStorage.getItem("runnerpool-admin-token");
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function api(path, body) {
  const init =
    body === undefined
      ? { headers: headers() }
      : { method: "POST", headers: { ...headers(), "content-type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch(API + path, init);
  const answer = await res.json();
  if (!res.ok) throw new Error(`${answer.error?.message ?? res.status} [${answer.error?.code ?? "HTTP"}]`);
  return answer;
}

/** Runs a write and shows its error, if any, where the operator looks. */
async function act(what, fn) {
  errorBox.textContent = "";
  try {
    return await fn();
  } catch (err) {
    errorBox.textContent = `${what}: ${err.message}`;
    return undefined;
  }
}

const status = (s) => h("span", { class: `status-${s}` }, s);
const ago = (iso) => (iso ? `${Math.round((Date.now() - Date.parse(iso)) / 1000)}s ago` : "-");
const took = (from, to) =>
  from ? `${Math.round(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000)}s` : "-";

function chart(title, series, data) {
  const box = h("div", { class: "chart" });
  const opts = {
    title,
    width: 460,
    height: 200,
    series: [{}, ...series.map((label) => ({ label, width: 2 }))],
    scales: { x: { time: true } },
  };
  if (globalThis.uPlot && data[0].length > 0) new globalThis.uPlot(opts, data, box);
  else box.append(h("p", {}, `${title}: no samples yet`));
  return box;
}

/** Queue wait and slot utilisation per role over the samples `up` keeps. */
function charts(history) {
  const roles = [...new Set(history.samples.flatMap((s) => Object.keys(s.roles)))];
  const xs = history.samples.map((s) => s.at / 1000);
  const wait = roles.map((r) => history.samples.map((s) => s.roles[r]?.waitS ?? 0));
  const used = roles.map((r) =>
    history.samples.map((s) => {
      const v = s.roles[r];
      return v && v.busy + v.idle > 0 ? (100 * v.busy) / (v.busy + v.idle) : 0;
    }),
  );
  return h(
    "div",
    { class: "charts" },
    chart("oldest queue wait (s)", roles, [xs, ...wait]),
    chart("slots busy (%)", roles, [xs, ...used]),
  );
}

async function poolPage() {
  const [pool, { queue }, history] = await Promise.all([api("pool"), api("queue"), api("history")]);
  const drain = (target) =>
    h("button", { onclick: () => act(`drain ${target}`, () => api("drain", { target })) }, "drain");
  const roles = h(
    "table",
    {},
    h(
      "tr",
      {},
      ["role", "labels", "backend", "instances", "slots busy/idle", "state", ""].map((t) => h("th", {}, t)),
    ),
    pool.roles.map((r) =>
      h(
        "tr",
        {},
        h("td", {}, r.name),
        h("td", {}, r.labels.join(", ")),
        h("td", {}, r.backend),
        h("td", {}, `${r.instances.length} (${r.min}–${r.max})`),
        h("td", {}, `${r.busySlots}/${r.idleSlots}`),
        h("td", {}, r.paused ? "drained" : (r.lastError ?? "ok")),
        h("td", {}, drain(r.name)),
      ),
    ),
  );
  const instances = h(
    "table",
    {},
    h(
      "tr",
      {},
      ["instance", "role", "state", "running", "since", ""].map((t) => h("th", {}, t)),
    ),
    pool.roles
      .flatMap((r) => r.instances)
      .map((i) =>
        h(
          "tr",
          {},
          h("td", {}, i.name),
          h("td", {}, i.role),
          h("td", {}, i.state),
          h(
            "td",
            {},
            (i.jobs ?? []).map((j) => h("div", {}, h("a", { href: `#/jobs/${j.id}` }, `${j.name} (run ${j.runId})`))),
          ),
          h("td", {}, ago(i.since)),
          h("td", {}, drain(i.name)),
        ),
      ),
  );
  const waiting = h(
    "table",
    { id: "queue" },
    h(
      "tr",
      {},
      ["job", "runs-on", "status", "waiting", "why"].map((t) => h("th", {}, t)),
    ),
    queue.map((q) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/runs/${q.runId}` }, `${q.name} (run ${q.runId})`)),
        h("td", {}, q.runsOn.join(", ")),
        h("td", {}, status(q.status)),
        h("td", {}, ago(q.queuedAt)),
        h("td", { class: "why" }, q.reason),
      ),
    ),
  );
  return [
    h("p", {}, `forge: ${pool.forge}${pool.embedded ? " (embedded coordinator)" : ""}`),
    charts(history),
    h("h2", {}, "Roles"),
    roles,
    h("h2", {}, "Instances"),
    instances,
    h("h2", {}, `Queue (${queue.length})`),
    queue.length ? waiting : h("p", {}, "nothing waits"),
  ];
}

async function runsPage() {
  const { runs } = await api("runs?limit=100");
  return [
    h("h2", {}, "Runs"),
    h(
      "table",
      { id: "runs" },
      h(
        "tr",
        {},
        ["run", "workflow", "event", "ref", "status", "duration", "jobs"].map((t) => h("th", {}, t)),
      ),
      runs.map((r) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/runs/${r.id}` }, `#${r.id}`)),
          h("td", {}, `${r.workflowName} #${r.runNumber}`),
          h("td", {}, r.event),
          h("td", {}, r.ref.replace(/^refs\/(heads|tags)\//, "")),
          h("td", {}, status(r.result ?? r.status)),
          h("td", {}, `${Math.round(r.durationMs / 1000)}s`),
          h("td", {}, r.jobs.failed ? `${r.jobs.failed}/${r.jobs.total} failed` : r.jobs.total),
        ),
      ),
    ),
  ];
}

async function runPage(id) {
  const [run, { queue }] = await Promise.all([api(`runs/${id}`), api("queue")]);
  const why = new Map(queue.map((q) => [q.id, q.reason]));
  const go = (r) => {
    if (r) location.hash = `#/runs/${r.runId}`;
  };
  const buttons = [
    h("button", { id: "cancel", onclick: () => act("cancel", () => api(`runs/${id}/cancel`, {})) }, "cancel"),
    h("button", { onclick: () => act("re-run", () => api(`runs/${id}/rerun`, {})).then(go) }, "re-run"),
    h(
      "button",
      { onclick: () => act("re-run failed", () => api(`runs/${id}/rerun`, { failed: true })).then(go) },
      "re-run failed jobs",
    ),
  ];
  const jobs = run.jobs.map((j) =>
    h(
      "tr",
      {},
      h("td", {}, h("a", { href: `#/jobs/${j.id}` }, j.name)),
      h("td", {}, status(j.result ?? j.status)),
      h("td", {}, j.role ?? ""),
      h("td", {}, j.runnerName ?? ""),
      h("td", {}, took(j.queuedAt, j.startedAt)),
      h("td", {}, took(j.startedAt, j.stoppedAt)),
      h(
        "td",
        {},
        j.steps.map((s) => h("div", {}, `${s.name}: `, status(s.result ?? s.status))),
      ),
      h("td", { class: "why" }, j.unservable ?? why.get(j.id) ?? ""),
    ),
  );
  return [
    h(
      "h2",
      {},
      `Run #${run.id}: ${run.workflowName} #${run.runNumber} (${run.event} ${run.ref} ${run.sha.slice(0, 10)})`,
    ),
    h("p", {}, status(run.result ?? run.status), ` created ${ago(run.createdAt)} `, ...buttons),
    h(
      "table",
      {},
      h(
        "tr",
        {},
        ["job", "status", "role", "runner", "waited", "ran", "steps", ""].map((t) => h("th", {}, t)),
      ),
      jobs,
    ),
  ];
}

/** Appends log lines, folding `::group::` … `::endgroup::` into a details element. */
function logWriter(pre) {
  let target = pre;
  return (text) => {
    const group = /^::group::(.*)$/.exec(text);
    if (group) {
      const details = h("details", { open: true }, h("summary", {}, group[1]));
      pre.append(details);
      target = details;
    } else if (text.startsWith("::endgroup::")) target = pre;
    else target.append(`${text}\n`);
  };
}

async function jobPage(id) {
  const job = await api(`jobs/${id}`);
  const pre = h("pre", { class: "log", id: "log" });
  const state = h("span", { id: "job-status" }, status(job.result ?? job.status));
  const write = logWriter(pre);
  const controller = new AbortController();
  stopLog = () => controller.abort();
  // fetch, not EventSource: it can carry the admin token when the dashboard is used from afar.
  fetch(`${API}jobs/${id}/logs?follow=1`, { headers: headers(), signal: controller.signal })
    .then(async (res) => {
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let rest = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += value;
        const lines = rest.split("\n");
        rest = lines.pop();
        for (const line of lines.filter(Boolean).map((l) => JSON.parse(l))) {
          if ("text" in line) write(line.text);
          else state.replaceChildren(status(line.result ?? line.status));
        }
      }
    })
    .catch(() => {});
  const cancel = h("button", { onclick: () => act("cancel", () => api(`runs/${job.runId}/cancel`, {})) }, "cancel run");
  return [
    h("h2", {}, `Job ${job.name} `, h("a", { href: `#/runs/${job.runId}` }, `(run #${job.runId})`)),
    h("p", {}, state, " ", cancel),
    pre,
  ];
}

function dispatchPage() {
  const form = h(
    "form",
    { id: "dispatch" },
    h("label", {}, "workflow ", h("input", { name: "workflow", placeholder: "deploy.yml", required: true })),
    h("label", {}, "repository ", h("input", { name: "repo", placeholder: "owner/name (if several)" })),
    h("label", {}, "ref ", h("input", { name: "ref", placeholder: "default branch" })),
    h("label", {}, "inputs (K=V a line) ", h("textarea", { name: "inputs", rows: 4 })),
    h("button", { type: "submit" }, "dispatch"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const inputs = Object.fromEntries(
      String(f.get("inputs"))
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")).trim(), l.slice(l.indexOf("=") + 1)]),
    );
    const body = {
      workflow: f.get("workflow"),
      inputs,
      ...(f.get("repo") ? { repo: f.get("repo") } : {}),
      ...(f.get("ref") ? { ref: f.get("ref") } : {}),
    };
    const r = await act("dispatch", () => api("dispatch", body));
    if (r) location.hash = `#/runs/${r.runId}`;
  });
  return [h("h2", {}, "Dispatch a workflow"), form];
}

/** Draws the page of the current hash; pool and run pages redraw every 2 s, logs stream. */
async function route() {
  clearTimeout(refresh);
  stopLog();
  stopLog = () => {};
  const hash = location.hash.replace(/^#/, "") || "/";
  const run = /^\/runs\/(\d+)$/.exec(hash);
  const job = /^\/jobs\/(\d+)$/.exec(hash);
  try {
    const page = run
      ? await runPage(run[1])
      : job
        ? await jobPage(job[1])
        : hash === "/runs"
          ? await runsPage()
          : hash === "/dispatch"
            ? dispatchPage()
            : await poolPage();
    main.replaceChildren(...page);
  } catch (err) {
    main.replaceChildren(h("p", { class: "why" }, err.message));
  }
  if (!job && hash !== "/dispatch") refresh = setTimeout(route, 2000);
}

document.getElementById("token").addEventListener("click", () => {
  const token = prompt("admin token (the file <state_dir>/admin-token); empty to forget it");
  if (token === null) return;
  if (token.trim() === "") localStorage.removeItem("runnerpool-admin-token");
  else localStorage.setItem("runnerpool-admin-token", token.trim());
});
window.addEventListener("hashchange", route);
route();
