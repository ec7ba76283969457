# ClassChat Lab. `make help` lists the targets. Every target installs the dependencies first
# (npm ci) when node_modules is missing or older than package-lock.json.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE  ?= node
CLI   := $(NODE) --import tsx kit/cli.ts
STAMP := node_modules/.classchat-installed

# Passed through to the programs and suites: TARGET=solutions, GUIDE=0, HOST=, PORT=, SERVER_CMD=…
export TARGET GUIDE SERVER_CMD CLIENT_CMD UNSANDBOXED

$(STAMP): package.json package-lock.json
	@echo "Installing dependencies (npm ci)…"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: sandbox-tools help install test typecheck selfcheck kit-tests progress server client bench grade gradescope-bundle bench-grade

OUT ?= grades
# Where the final programs come from: your stages/ by default, TARGET=solutions for the reference.
FINAL := $(or $(TARGET),stages)/06-final
ENDPOINT = $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

help: ## show this list
	@echo "ClassChat Lab: build the ClassChat TCP server and client, stage by stage."
	@echo
	@echo "  make stage-N      read chapter N and grade your stage N (N = 1…6)"
	@echo "  make guide-N      read chapter N only (guide-protocol: the protocol)"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20
	@echo
	@echo "Variables: TARGET=solutions|DIR (code to grade), GUIDE=0 (skip the chapter), HOST=, PORT="

install: $(STAMP) sandbox-tools ## install the dependencies (npm ci; bubblewrap for the grader when root)

# The grader's sandbox (bubblewrap): installed when missing and root on Debian/Ubuntu, else skipped.
sandbox-tools:
	@sh kit/grader/install-sandbox.sh

stage-%: $(STAMP)
	@$(CLI) stage $*

guide-%: $(STAMP)
	@$(CLI) guide $*

progress: $(STAMP) ## grade every stage of your code and show a table
	@$(CLI) progress

test: $(STAMP) typecheck selfcheck kit-tests ## the kit's own checks (what CI runs)

typecheck: $(STAMP) ## type-check everything (tsc --noEmit)
	@node_modules/.bin/tsc --noEmit && echo "typecheck: 1 passed, 0 failed"

selfcheck: $(STAMP) ## solutions pass, starters fail, chapters render
	@$(CLI) check

kit-tests: $(STAMP) sandbox-tools ## unit tests of the kit's own tooling
	@node_modules/.bin/vitest run --config kit/vitest.config.ts

server: $(STAMP) ## run the final server (TARGET=solutions for the reference; PORT=, HOST=)
	@$(NODE) --import tsx $(FINAL)/server.ts $(ENDPOINT)

client: $(STAMP) ## run the final client (TARGET=solutions for the reference; PORT=, HOST=)
	@$(NODE) --import tsx $(FINAL)/client.ts $(ENDPOINT)

grade: $(STAMP) sandbox-tools ## grade a class: make grade SUBMISSIONS=dir [STAGES=1-3] [JOBS=n] [OUT=grades] [UNSANDBOXED=1]
	@if [ -z "$(SUBMISSIONS)" ]; then echo "Usage: make grade SUBMISSIONS=dir (each entry: a folder, .zip or .tar.gz)"; exit 2; fi
	@$(CLI) grade "$(SUBMISSIONS)" --out "$(OUT)" $(if $(STAGES),--stages $(STAGES)) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIME_LIMIT),--time-limit $(TIME_LIMIT)) $(if $(filter 1,$(UNSANDBOXED)),--unsandboxed)

gradescope-bundle: $(STAMP) ## write dist/gradescope-autograder.zip (upload it to Gradescope)
	@$(CLI) gradescope-bundle

bench-grade: $(STAMP) sandbox-tools ## grading speed: N=20 generated submissions (N=100 for the target)
	@$(NODE) --import tsx kit/grader/bench.ts --count $(or $(N),20) $(if $(JOBS),--jobs $(JOBS)) $(if $(STAGES),--stages $(STAGES))

bench: $(STAMP) ## round trips/s and latency of the reference server next to a bare echo server
	@$(NODE) --import tsx kit/bench/roundtrip.ts
