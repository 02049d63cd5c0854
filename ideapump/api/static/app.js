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

// The quoted passage of a citation chip: a pop-up next to its chip, kept inside the message
// pane so it never covers the composer; closes on Escape, on a click outside it, or its button.
let quoteAnchor = null;
function showQuote(c, anchor) {
  const q = $("quote"); quoteAnchor = anchor;
  q.innerHTML = `<b>${esc(c.title)}</b>, p. ${c.page}<p>${esc(c.quote)}</p><button type="button">close</button>`;
  q.querySelector("button").onclick = hideQuote;
  q.hidden = false; placeQuote();
}
function hideQuote() { $("quote").hidden = true; quoteAnchor = null; }
function placeQuote() {
  const q = $("quote"); if (q.hidden || !quoteAnchor) return;
  const pane = $("messages").getBoundingClientRect(), a = quoteAnchor.getBoundingClientRect(), pad = 8, gap = 6;
  q.style.maxWidth = Math.max(160, pane.width - 2 * pad) + "px";
  q.style.maxHeight = Math.max(80, pane.height - 2 * pad) + "px";
  const w = q.offsetWidth, h = q.offsetHeight;
  let top = a.top - gap - h;                                    // above the chip
  if (top < pane.top + pad) top = a.bottom + gap;               // no room: below it
  top = Math.min(Math.max(top, pane.top + pad), pane.bottom - pad - h);
  const left = Math.min(Math.max(a.left, pane.left + pad), pane.right - pad - w);
  q.style.top = top + "px"; q.style.left = left + "px";
}
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !$("quote").hidden) hideQuote(); });
document.addEventListener("click", (e) => { if (!$("quote").hidden && !e.target.closest("#quote, .chip")) hideQuote(); });
$("messages").addEventListener("scroll", placeQuote);
window.addEventListener("resize", placeQuote);

function chip(c) { const s = document.createElement("span"); s.className = "chip"; s.textContent = `[${c.n}] ${c.title}, p. ${c.page}`; s.onclick = () => showQuote(c, s); return s; }
const citeKey = (c) => `${c.doc_id}|${c.page}|${c.quote}`;
const field = (label, value) => (value ? `<p><b>${label}:</b> ${esc(value)}</p>` : "");
const items = (label, list) => ((list || []).length ? `<b>${label}:</b><ul>${list.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>` : "");
function proposalCard(p, citations) {  // the whole proposal, once; its citations as chips
  const d = document.createElement("div"); d.className = "card";
  const s = p.sample_size || {}, r = p.reflection, n = p.novelty || {};
  const size = s.total_n ? `${s.size} (${s.test}, ${s.effect_size_metric} = ${s.effect_size}, alpha = ${s.alpha}, power = ${s.power})` : "";
  const elo = p.comparisons ? `<span class="meta">Elo ${Math.round(p.score)}; won ${p.wins} of ${p.comparisons}</span>` : "";
  d.innerHTML = `<h3>${p.rank ? p.rank + ". " : ""}${esc(p.title || "Proposal")}</h3>${elo}` +
    field("Hypothesis", p.hypothesis) + field("Design", p.design) + field("Primary measure", p.primary_measure) + field("Sample size", size) +
    "<details><summary>Rationale, conditions, controls, expected results, risks, review</summary>" +
    field("Rationale", p.rationale) + items("Conditions", p.conditions) + items("Controls", p.controls) +
    field("Effect size from", s.effect_source) + field("Note", s.note) +
    field("If the hypothesis holds", p.expected_if_true) + field("If it fails", p.expected_if_false) + items("Risks", p.risks) +
    (r ? field("Review", `feasibility ${r.feasibility_score}/5, novelty ${r.novelty_score}/5. ${r.feasibility}`) + items("Confounds", r.confounds) + items("Add controls", r.missing_controls) : "") +
    field("How it differs from the closest passage", n.how_it_differs) + "</details>";
  if (citations.length) { const c = document.createElement("div"); c.className = "cites"; citations.forEach((x) => c.appendChild(chip(x))); d.appendChild(c); }
  return d;
}
function statsTable(findings) {
  const t = document.createElement("table"); t.className = "stats";
  for (const f of findings) { const tr = t.insertRow(); if (f.severity === "problem") tr.className = "problem"; tr.insertCell().textContent = f.quote || ""; tr.insertCell().textContent = f.message || ""; }
  return t;
}

// A reply's text ends with each proposal written out for text-only clients; the page shows
// each proposal once, as its card, and keeps the text before them (the reply's prose).
function prose(text, proposals) {
  if (!proposals.length) return text;
  const heads = proposals.map((p, i) => `${p.rank || i + 1}. ${p.title}`);
  const lines = text.split("\n"), last = lines.length - 1;  // the last line may still be streaming
  const cut = lines.findIndex((l, i) => l && heads.some((h) => l.startsWith(h) || (i === last && h.startsWith(l))));
  return cut < 0 ? text : lines.slice(0, cut).join("\n");
}

function addMessage(role, text = "", extras = {}) {
  const div = document.createElement("div"); div.className = "msg " + role;
  const body = document.createElement("div"); div.appendChild(body);
  const side = document.createElement("div"); div.appendChild(side);
  const out = { div, body, side, proposals: [], shown: new Set(), cited: 0 };
  (extras.proposals || []).forEach((p) => addProposal(out, p));
  (extras.citations || []).forEach((c) => addCitation(out, c));
  if ((extras.stats_findings || []).length) side.appendChild(statsTable(extras.stats_findings));
  showText(out, text);
  if (extras.error) body.innerHTML += `<p class="error">No reply: ${esc(extras.error.message)}</p>`;
  $("messages").appendChild(div); div.scrollIntoView();
  return out;
}
function showText(out, text) { out.body.innerHTML = markdown(prose(text, out.proposals)); }
function addProposal(out, p) {  // its citations are numbered as the reply's citation events are
  const cites = (p.citations || []).map((c) => ({ ...c, n: ++out.cited }));
  cites.forEach((c) => out.shown.add(citeKey(c)));
  out.proposals.push(p); out.side.appendChild(proposalCard(p, cites));
}
// A question's evidence arrives before the model's first token: shown at once as a folded
// list (each sentence verbatim, with its paper and page), while the answer is written.
function addEvidence(out, items) {
  if (!items.length) return;
  const d = document.createElement("details"); d.className = "evidence";
  d.innerHTML = `<summary>Found in the library (${items.length}); writing the answer…</summary>`;
  const ol = document.createElement("ol");
  for (const c of items) { const li = document.createElement("li"); li.value = c.n; li.textContent = `${c.title}, p. ${c.page}: “${c.quote}”`; ol.appendChild(li); }
  d.appendChild(ol); out.side.appendChild(d); out.evidence = d;
}

function addCitation(out, c) { if (!out.shown.has(citeKey(c))) { out.shown.add(citeKey(c)); out.side.appendChild(chip(c)); } }

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
  const out = addMessage("assistant"); out.div.classList.add("streaming"); let acc = ""; const findings = [];
  try {
    const r = await fetch(`/conversations/${current}/messages`, { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify({ content: text }) });
    if (!r.ok) { const err = await r.json(); out.body.innerHTML = `<span class="error">${esc(err.error.message)}</span>`; return; }
    for await (const [ev, d] of sse(r)) {
      if (ev === "token") { acc += d.text; showText(out, acc); }
      else if (ev === "citation") addCitation(out, d);
      else if (ev === "evidence") addEvidence(out, d.items);
      else if (ev === "proposal") addProposal(out, d.proposal);
      else if (ev === "stats_finding") findings.push(d.finding);
      else if (ev === "progress") $("progress").textContent = `${d.stage} ${d.done}/${d.total} ${d.message}`;
      else if (ev === "error") out.body.innerHTML += `<p class="error">${esc(d.error.message)}</p>`;
      else if (ev === "done") { if (out.evidence) out.evidence.querySelector("summary").textContent = `Found in the library (${out.evidence.querySelectorAll("li").length})`; showText(out, d.text || acc); if (findings.length) out.side.appendChild(statsTable(findings)); }
    }
  } finally { out.div.classList.remove("streaming"); }
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
// A citation link from a chat client (Open WebUI, LibreChat...): /?doc=<id>&page=<p>&q=<quote>
// opens that page of the document here, with the quoted passage marked.
async function showCitedPage(params) {
  const view = document.createElement("div"); view.className = "msg assistant cited-page";
  $("messages").appendChild(view);
  try {
    const p = await api(`/documents/${encodeURIComponent(params.get("doc"))}/pages/${encodeURIComponent(params.get("page"))}`);
    const q = (params.get("q") || "").trim();
    const words = q.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const hit = words.length ? p.text.match(new RegExp(words.join("\\s+"))) : null;  // line breaks may differ
    const marked = hit ? esc(p.text.slice(0, hit.index)) + "<mark>" + esc(hit[0]) + "</mark>" + esc(p.text.slice(hit.index + hit[0].length)) : esc(p.text);
    view.innerHTML = `<h3>${esc(p.title)}</h3><p class="meta">page ${p.page} of ${p.pages}</p>` +
      (q && !hit ? `<blockquote>${esc(q)}</blockquote>` : "") + `<div class="page-text">${marked.replace(/\n/g, "<br>")}</div>`;
    const m = view.querySelector("mark"); if (m) m.scrollIntoView({ block: "center" });
  } catch (e) { view.innerHTML = `<span class="error">${esc(e.message)} (set the API key on the left, then reload)</span>`; }
}
refresh();
const cited = new URLSearchParams(location.search);
if (cited.get("doc") && cited.get("page")) showCitedPage(cited);
