// On a long chain (120 generated conv/relu layers) the exact memory-mode
// DP (Pareto fronts of per-device byte vectors) is cut off by its work
// budget; the report then gives the best plan the bounded runs found, a
// proven lower bound and the gap, in the table, the JSON report and a
// remark. A short chain is searched exactly: gap 0, bound = cost.
// RUN: %python -c "import sys; sys.path.insert(0, '%dl_src_root/bench'); \
// RUN:   import search_scaling; print(search_scaling.chain(120))" > %t.mlir

// Memory objective, a small budget (deterministic cut-off).
// RUN: dl-opt %t.mlir --dl-search-partition="cluster=local-4 objective=memory work-budget=1000 report=%t.txt" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: FileCheck %s --check-prefix=TABLE < %t.txt
// RUN: dl-opt %t.mlir --dl-search-partition="cluster=local-4 objective=memory work-budget=1000 report=%t.json" \
// RUN:   -o /dev/null 2>/dev/null
// RUN: %python -c "import json, sys; r = json.load(open(sys.argv[1])); \
// RUN:   print('exact', r['exact']); \
// RUN:   print('bound below cost', 0 < r['lower_bound'] < r['cost']); \
// RUN:   print('gap', r['gap_abs'] == r['cost'] - r['lower_bound'], \
// RUN:         abs(r['gap_rel'] - r['gap_abs'] / r['lower_bound']) < 1e-12); \
// RUN:   print('cost is the peak', r['cost'] == r['peak_memory_bytes']); \
// RUN:   print('notes', bool(r['gap_note']), bool(r['lower_bound_method']))" \
// RUN:   %t.json | FileCheck %s --check-prefix=JSON
// REMARK: remark: plan not proven optimal: cost {{.*}}, lower bound {{.*}} ({{.*}}), gap {{.*}} ({{[0-9.]+}} %); the exact memory-mode DP would exceed its work budget of 1000 label visits
// TABLE: objective: memory  cluster: local-4 (4 devices)
// TABLE: method: {{.*}} (bounded)
// TABLE-NEXT: not proven optimal: the exact memory-mode DP would exceed its work budget of 1000 label visits
// TABLE-NEXT: lower bound: {{[0-9]+}} B ({{.*}})
// TABLE-NEXT: gap: {{[0-9]+}} B ({{[0-9]+\.[0-9][0-9]}} % above the lower bound)
// JSON: exact False
// JSON-NEXT: bound below cost True
// JSON-NEXT: gap True True
// JSON-NEXT: cost is the peak True
// JSON-NEXT: notes True True

// Latency under a limit that binds (0.9 x the 606208 B peak of the
// unconstrained plan), default budget: a plan within the limit, its
// latency at least the lower bound.
// RUN: dl-opt %t.mlir --dl-search-partition="cluster=local-4 memory-limit=545587 report=%t.lat.json" \
// RUN:   -o /dev/null 2>/dev/null
// RUN: %python -c "import json, sys; r = json.load(open(sys.argv[1])); \
// RUN:   print('fits', r['peak_memory_bytes'] <= 545587); \
// RUN:   print('bound', 0 < r['lower_bound'] <= r['cost'] == r['latency_s']); \
// RUN:   print('gap', r['gap_abs'] == (0 if r['exact'] else r['cost'] - r['lower_bound']))" \
// RUN:   %t.lat.json | FileCheck %s --check-prefix=LAT
// LAT: fits True
// LAT-NEXT: bound True
// LAT-NEXT: gap True

// A short chain: exact, gap 0.
// RUN: %python -c "import sys; sys.path.insert(0, '%dl_src_root/bench'); \
// RUN:   import search_scaling; print(search_scaling.chain(6))" > %t.short.mlir
// RUN: dl-opt %t.short.mlir --dl-search-partition="cluster=local-4 objective=memory report=%t.short.json" \
// RUN:   -o /dev/null
// RUN: %python -c "import json, sys; r = json.load(open(sys.argv[1])); \
// RUN:   print('exact', r['exact'], r['gap_abs'], r['gap_rel'], r['lower_bound'] == r['cost'])" \
// RUN:   %t.short.json | FileCheck %s --check-prefix=SHORT
// SHORT: exact True 0 0 True

// RUN: not dl-opt %t.short.mlir --dl-search-partition="cluster=local-4 work-budget=-1" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=NEG
// NEG: error: work-budget must be >= 0, got -1
