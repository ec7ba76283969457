# ClassChat Lab. `make help` lists the targets. Every target installs the dependencies first
# (npm ci) when node_modules is missing or older than package-lock.json.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE  ?= node
CLI   := $(NODE) --import tsx kit/cli.ts
STAMP := node_modules/.classchat-installed

# Passed through to the programs and suites: TARGET=solutions, GUIDE=0, HOST=, PORT=, SERVER_CMD=…
export TARGET GUIDE SERVER_CMD CLIENT_CMD

$(STAMP): package.json package-lock.json
	@echo "Installing dependencies (npm ci)…"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: help install test test-under-load typecheck selfcheck kit-tests progress server client bench grade gradescope-bundle bench-grade
.PHONY: guide guide-check dist-student solutions-present

OUT ?= grades
# Where the final programs come from: your stages/ by default, TARGET=solutions for the reference.
FINAL := $(or $(TARGET),stages)/06-final
ENDPOINT = $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

help: ## show this list
	@echo "ClassChat Lab: build the ClassChat TCP server and client, stage by stage."
	@echo
	@echo "  make stage-N      read chapter N and grade your stage N (N = 1…6)"
	@echo "  make guide-N      read chapter N only (guide-protocol: the protocol)"
	@echo "  make demo-N       a scripted session of your stage N programs, as dist/demo/stage-N.svg and .txt"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20
	@echo
	@echo "Variables: TARGET=solutions|DIR (code to grade), GUIDE=0 (skip the chapter), HOST=, PORT="

install: $(STAMP) ## install the dependencies (npm ci)

stage-%: $(STAMP)
	@$(CLI) stage $*

guide-%: $(STAMP)
	@$(CLI) guide $*

progress: $(STAMP) ## grade every stage of your code and show a table
	@$(CLI) progress

test: $(STAMP) solutions-present typecheck selfcheck kit-tests guide-check ## the kit's own checks (what CI runs)

test-under-load: $(STAMP) solutions-present ## grades hold on a busy machine: 4 CPU hogs, ROUNDS=20 runs of every solution, then make test
	@$(NODE) --import tsx kit/run/under-load.ts --rounds $(or $(ROUNDS),20) --hogs $(or $(HOGS),4)

typecheck: $(STAMP) solutions-present ## type-check everything (tsc --noEmit)
	@node_modules/.bin/tsc --noEmit && echo "typecheck: 1 passed, 0 failed"

selfcheck: $(STAMP) solutions-present ## solutions pass, starters fail, chapters render
	@$(CLI) check

kit-tests: $(STAMP) solutions-present ## unit tests of the kit's own tooling
	@node_modules/.bin/vitest run --config kit/vitest.config.ts

server: $(STAMP) ## run the final server (TARGET=solutions for the reference; PORT=, HOST=)
	@$(NODE) --import tsx $(FINAL)/server.ts $(ENDPOINT)

client: $(STAMP) ## run the final client (TARGET=solutions for the reference; PORT=, HOST=)
	@$(NODE) --import tsx $(FINAL)/client.ts $(ENDPOINT)

grade: $(STAMP) ## grade a class: make grade SUBMISSIONS=dir [STAGES=1-3] [JOBS=n] [OUT=grades]
	@if [ -z "$(SUBMISSIONS)" ]; then echo "Usage: make grade SUBMISSIONS=dir (each entry: a folder, .zip or .tar.gz)"; exit 2; fi
	@$(CLI) grade "$(SUBMISSIONS)" --out "$(OUT)" $(if $(STAGES),--stages $(STAGES)) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIME_LIMIT),--time-limit $(TIME_LIMIT))

gradescope-bundle: $(STAMP) ## write dist/gradescope-autograder.zip (upload it to Gradescope)
	@$(CLI) gradescope-bundle

bench-grade: $(STAMP) solutions-present ## grading speed: N=20 generated submissions (N=100 for the target)
	@$(NODE) --import tsx kit/grader/bench.ts --count $(or $(N),20) $(if $(JOBS),--jobs $(JOBS)) $(if $(STAGES),--stages $(STAGES))

bench: $(STAMP) solutions-present ## round trips/s and latency of the reference server next to a bare echo server
	@$(NODE) --import tsx kit/bench/roundtrip.ts

# The guide as a web site, and its check in a real browser (Debian's chromium; never downloaded).
CHROMIUM := /usr/bin/chromium

guide: $(STAMP) ## the guide as a web site in dist/guide/ (open dist/guide/index.html)
	@$(NODE) --import tsx kit/site/build.ts

guide-check: $(STAMP) $(CHROMIUM) ## open every page of the web guide in headless Chromium; screenshots in dist/guide-shots/
	@$(NODE) --import tsx kit/site/check.ts

$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then echo "The guide check needs Chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu), then try again."; exit 2; fi
	@echo "Installing Chromium for the guide check (apt-get install chromium)…"
	@apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

demo-%: $(STAMP)
	@$(NODE) --import tsx kit/demo/run.ts $*

# The student release (make dist-student) has no solutions/: the kit's own checks say so there.
solutions-present:
	@test -d solutions || { echo "make $(firstword $(MAKECMDGOALS)) needs the reference solutions (solutions/), which this student release of the kit leaves out. Grade your own code with make stage-N or make progress."; exit 2; }

dist-student: $(STAMP) solutions-present ## write dist/student/: the kit without solutions, for a course's template repository
	@$(NODE) --import tsx kit/release/student.ts
