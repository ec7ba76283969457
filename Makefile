# ClassChat Lab. `make help` lists the targets. Every target installs the dependencies first
# (npm ci) when node_modules is missing or older than package-lock.json.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE  ?= node
CLI   := $(NODE) --import tsx kit/cli.ts
STAMP := node_modules/.classchat-installed

# Passed through to the programs and suites: TARGET=solutions, GUIDE=0, HOST=, PORT=, SERVER_CMD=…
export TARGET GUIDE SERVER_CMD CLIENT_CMD WATCH CACHED FORCE YES UNSANDBOXED
# Tells the kit's command line that its flags cannot be typed: usage errors then say `make help`.
export CLASSCHAT_VIA_MAKE := 1
# The kit's own checks start thousands of Node processes and make no TLS connection, but Node
# parses every certificate in NODE_EXTRA_CA_CERTS when it starts (60 ms each on a slow machine, a
# quarter of the mutation table's time). npm ci keeps it: behind a TLS proxy it needs it.
CHECKS := env -u NODE_EXTRA_CA_CERTS

$(STAMP): package.json package-lock.json
	@echo "Installing dependencies (npm ci)…"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: sandbox-tools help install test test-under-load typecheck selfcheck kit-tests mutation progress watch server client bench bench-feedback grade gradescope-bundle bench-grade
.PHONY: guide guide-check dist-student solutions-present

OUT ?= grades
# Where the final programs come from: your stages/ by default, TARGET=solutions for the reference.
FINAL := $(or $(TARGET),stages)/06-final
ENDPOINT = $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

help: $(STAMP) ## show this list
	@$(CLI) make-help $(MAKEFILE_LIST)

install: $(STAMP) sandbox-tools ## install the dependencies (npm ci; bubblewrap for the grader when root)

# The grader's sandbox (bubblewrap): installed when missing and root on Debian/Ubuntu, else skipped.
sandbox-tools:
	@sh kit/grader/install-sandbox.sh

stage-%: $(STAMP) ## chapter N (all of it the first time), then stage N graded; WATCH=1 stays
	@$(CLI) stage "$*"

guide-%: $(STAMP) ## chapter N in a pager (guide-protocol: the protocol)
	@$(CLI) guide "$*"

hint-%: $(STAMP) ## the next hint level for stage N's first failing test
	@$(CLI) hint "$*"

solution-%: $(STAMP) ## the reference solution as a diff with yours, once stage N passes (FORCE=1)
	@$(CLI) solution "$*"

try-%: $(STAMP) ## run your stage N code by hand (PORT=), before grading it
	@PORT=$(PORT) HOST=$(HOST) $(CLI) try "$*"

reset-%: $(STAMP) ## put stage N's starter back, after asking; your files are backed up
	@$(CLI) reset "$*"

# `make stage-` and friends: no stage number, so the pattern rules above do not match.
stage- guide- hint- solution- try- reset- demo-: $(STAMP)
	@$(CLI) $(@:-=) ""

watch: $(STAMP) ## grade your current stage on every save, with keys for hints and more
	@$(CLI) watch

# make reads `--cached` as its own option and stops; `make progress -- --cached` or CACHED=1 work.
progress: $(STAMP) ## every stage graded, row by row (CACHED=1: the last results at once)
	@$(CLI) progress $(filter --cached,$(MAKECMDGOALS))

--cached:
	@:

test: $(STAMP) solutions-present typecheck selfcheck kit-tests mutation guide-check ## the kit's own checks (what CI runs)

test-under-load: $(STAMP) solutions-present ## grades hold on a busy machine: 4 CPU hogs, ROUNDS=20 runs of every solution (STAGES=), then make test
	@$(CHECKS) $(NODE) --import tsx kit/run/under-load.ts --rounds $(or $(ROUNDS),20) --hogs $(or $(HOGS),4) $(if $(STAGES),--stages $(STAGES))

typecheck: $(STAMP) solutions-present ## type-check everything (tsc --noEmit)
	@$(CHECKS) node_modules/.bin/tsc --noEmit && echo "typecheck: 1 passed, 0 failed"

selfcheck: $(STAMP) solutions-present ## solutions pass, starters fail, chapters render
	@$(CHECKS) $(CLI) check

mutation: $(STAMP) solutions-present ## mutants of the solutions lose points, rewrites keep them all [STAGES=1-3] [JOBS=3]
	@$(CHECKS) $(NODE) --import tsx kit/mutation/main.ts $(if $(STAGES),--stages $(STAGES)) $(if $(JOBS),--jobs $(JOBS))

kit-tests: $(STAMP) solutions-present sandbox-tools ## unit tests of the kit's own tooling
	@$(CHECKS) node_modules/.bin/vitest run --config kit/vitest.config.ts

server: $(STAMP) ## run the final server (TARGET=solutions for the reference; PORT=, HOST=)
	@$(NODE) --import tsx $(FINAL)/server.ts $(ENDPOINT)

client: $(STAMP) ## run the final client (TARGET=solutions for the reference; PORT=, HOST=)
	@$(NODE) --import tsx $(FINAL)/client.ts $(ENDPOINT)

grade: $(STAMP) sandbox-tools ## grade a class: make grade SUBMISSIONS=dir [STAGES=1-3] [JOBS=n] [OUT=grades] [UNSANDBOXED=1]
	@if [ -z "$(SUBMISSIONS)" ]; then echo "Usage: make grade SUBMISSIONS=dir (each entry: a folder, .zip or .tar.gz)"; exit 2; fi
	@$(CLI) grade "$(SUBMISSIONS)" --out "$(OUT)" $(if $(STAGES),--stages $(STAGES)) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIME_LIMIT),--time-limit $(TIME_LIMIT)) $(if $(filter 1,$(UNSANDBOXED)),--unsandboxed)

gradescope-bundle: $(STAMP) ## write dist/gradescope-autograder.zip (upload it to Gradescope)
	@$(CLI) gradescope-bundle

bench-grade: $(STAMP) solutions-present sandbox-tools ## grading speed, with and without the sandbox in turns: N=20 generated submissions (N=100 for the target) [STAGES=] [JOBS=]
	@$(NODE) --import tsx kit/grader/bench.ts --count $(or $(N),20) $(if $(JOBS),--jobs $(JOBS)) $(if $(STAGES),--stages $(STAGES))

bench-feedback: $(STAMP) solutions-present ## how long make stage-N takes per stage, next to a bare vitest run [RUNS=7] [STAGES=1-9] [BEFORE=dir of an older checkout]
	@$(NODE) --import tsx kit/bench/feedback.ts --runs $(or $(RUNS),7) --stages $(or $(STAGES),1-9) $(if $(BEFORE),--before $(BEFORE))

bench: $(STAMP) solutions-present ## round trips/s, latency and pipelined lines/s next to a bare echo server; many clients next to a bare fan-out server
	@$(NODE) --import tsx kit/bench/roundtrip.ts
	@$(NODE) --import tsx kit/bench/many-clients.ts

# The guide as a web site, and its check in a real browser (Debian's chromium; never downloaded).
CHROMIUM := /usr/bin/chromium

guide: $(STAMP) ## the guide as a web site in dist/guide/ (open dist/guide/index.html)
	@$(NODE) --import tsx kit/site/build.ts

guide-check: $(STAMP) $(CHROMIUM) ## open every page of the web guide in headless Chromium; screenshots in dist/guide-shots/
	@$(CHECKS) $(NODE) --import tsx kit/site/check.ts

$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then echo "The guide check needs Chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu), then try again."; exit 2; fi
	@echo "Installing Chromium for the guide check (apt-get install chromium)…"
	@apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

demo-%: $(STAMP) ## a scripted session of your stage N programs: dist/demo/stage-N.svg and .txt, for your report
	@$(NODE) --import tsx kit/demo/run.ts $*

# The student release (make dist-student) has no solutions/: the kit's own checks say so there.
solutions-present:
	@test -d solutions || { echo "make $(firstword $(MAKECMDGOALS)) needs the reference solutions (solutions/), which this student release of the kit leaves out. Grade your own code with make stage-N or make progress."; exit 2; }

dist-student: $(STAMP) solutions-present ## write dist/student/: the kit without solutions, for a course's template repository
	@$(NODE) --import tsx kit/release/student.ts
