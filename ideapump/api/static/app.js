// IdeaPump lab chat page: plain JS, no build step. Talks to the same API as the client.
const $ = (id) => document.getElementById(id);
let current = null;
const keyInput = $("key");
keyInput.value = localStorage.getItem("ideapump-key") || "";
keyInput.onchange = () => { localStorage.setItem("ideapump-key", keyInput.value); refresh(); };
const headers = (extra = {}) => (keyInput.value ? { ...extra, Authorization: "Bearer " + keyInput.value } : extra);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

function markdown(text) {  // a small, safe subset: escape first, then bold, code, paragraphs, lists
  let h = esc(text).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>");
  h = h.replace(/^\s*[-*] (.*)$/gm, "<li>$1</li>").replace(/^#+ (.*)$/gm, "<b>$1</b>");
  return h.split(/\n{2,}/).map((p) => "<p>" + p.replace(/\n/g, "<br>") + "</p>").join("");
}

async function api(path, opts = {}) {
  const r = await fetch(path, { ...opts, headers: headers(opts.headers || {}) });
  if (!r.ok) { const e = await r.json().catch(() => ({ error: { message: r.statusText } })); throw new Error(e.error.message); }
  return r.status === 204 ? null : r.json();
}

async function* sse(response) {  // yields [event, payload] from a text/event-stream body
  const reader = response.body.getReader(); const dec = new TextDecoder(); let buf = "";
  for (;;) {
    const { value, done } = await reader.read(); if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i); buf = buf.slice(i + 2);
      const ev = (block.match(/^event: (.*)$/m) || [])[1] || "message";
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("");
      if (data) yield [ev, JSON.parse(data)];
    }
  }
}

function showQuote(c) { const q = $("quote"); q.hidden = false; q.innerHTML = `<b>${esc(c.title)}</b>, p. ${c.page}<p>${esc(c.quote)}</p><button onclick="this.parentNode.hidden=true">close</button>`; }
function chip(c) { const s = document.createElement("span"); s.className = "chip"; s.textContent = `[${c.n}] ${c.title}, p. ${c.page}`; s.onclick = () => showQuote(c); return s; }
function proposalCard(p) { const d = document.createElement("div"); d.className = "card"; d.innerHTML = `<b>${esc(p.title || p.hypothesis || "Proposal")}</b><p>${esc(p.hypothesis || p.design || "")}</p>`; return d; }
function statsTable(findings) {
  const t = document.createElement("table"); t.className = "stats";
  for (const f of findings) { const tr = t.insertRow(); if (f.severity === "problem") tr.className = "problem"; tr.insertCell().textContent = f.quote || ""; tr.insertCell().textContent = f.message || ""; }
  return t;
}

function addMessage(role, text = "", extras = {}) {
  const div = document.createElement("div"); div.className = "msg " + role;
  const body = document.createElement("div"); body.innerHTML = markdown(text); div.appendChild(body);
  const side = document.createElement("div"); div.appendChild(side);
  (extras.citations || []).forEach((c) => side.appendChild(chip(c)));
  (extras.proposals || []).forEach((p) => side.appendChild(proposalCard(p)));
  if ((extras.stats_findings || []).length) side.appendChild(statsTable(extras.stats_findings));
  $("messages").appendChild(div); div.scrollIntoView();
  return { div, body, side };
}

async function openConversation(id) {
  current = id; $("messages").innerHTML = "";
  const c = await api("/conversations/" + id);
  for (const m of c.messages) addMessage(m.role, m.content, m);
}

async function refresh() {
  try {
    const convs = await api("/conversations"); const ul = $("convs"); ul.innerHTML = "";
    for (const c of convs) { const li = document.createElement("li"); li.textContent = c.title || "(new)"; li.onclick = () => openConversation(c.conv_id); ul.appendChild(li); }
    const papers = await api("/documents"); const pl = $("papers"); pl.innerHTML = "";
    for (const d of papers) { const li = document.createElement("li"); li.textContent = `${d.title} (${d.pages} p.)`; pl.appendChild(li); }
  } catch (e) { $("progress").innerHTML = `<span class="error">${esc(e.message)}</span>`; }
}

$("new").onclick = async () => { const c = await api("/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }); await refresh(); openConversation(c.conv_id); };

$("ask").onsubmit = async (e) => {
  e.preventDefault(); const text = $("text").value.trim(); if (!text) return;
  if (!current) { const c = await api("/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }); current = c.conv_id; }
  $("text").value = ""; addMessage("user", text);
  const out = addMessage("assistant"); let acc = ""; const findings = [];
  const r = await fetch(`/conversations/${current}/messages`, { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify({ content: text }) });
  if (!r.ok) { const err = await r.json(); out.body.innerHTML = `<span class="error">${esc(err.error.message)}</span>`; return; }
  for await (const [ev, d] of sse(r)) {
    if (ev === "token") { acc += d.text; out.body.innerHTML = markdown(acc); }
    else if (ev === "citation") out.side.appendChild(chip(d));
    else if (ev === "proposal") out.side.appendChild(proposalCard(d.proposal));
    else if (ev === "stats_finding") findings.push(d.finding);
    else if (ev === "error") out.body.innerHTML += `<p class="error">${esc(d.error.message)}</p>`;
    else if (ev === "done") { out.body.innerHTML = markdown(d.text || acc); if (findings.length) out.side.appendChild(statsTable(findings)); }
  }
  refresh();
};

async function upload(files) {
  const form = new FormData(); for (const f of files) form.append("files", f);
  const r = await fetch("/documents?stream=true", { method: "POST", headers: headers(), body: form });
  if (!r.ok) { const err = await r.json(); $("progress").innerHTML = `<span class="error">${esc(err.error.message)}</span>`; return; }
  for await (const [ev, d] of sse(r)) {
    $("progress").textContent = ev === "done" ? "done" : `${ev} ${d.file || ""} ${d.n ?? ""}`;
    if (ev === "error") $("progress").innerHTML = `<span class="error">${esc(d.error.message)}</span>`;
  }
  refresh();
}
const drop = $("drop");
drop.ondragover = (e) => { e.preventDefault(); drop.classList.add("over"); };
drop.ondragleave = () => drop.classList.remove("over");
drop.ondrop = (e) => { e.preventDefault(); drop.classList.remove("over"); upload(e.dataTransfer.files); };
$("file").onchange = (e) => upload(e.target.files);
refresh();
