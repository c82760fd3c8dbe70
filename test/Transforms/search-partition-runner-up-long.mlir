// Runner-ups are reported for every layer of a long model (a generated
// chain of 160 conv/relu layers), not only for small ones, and none is
// cheaper than the chosen plan.
// RUN: %python -c "import sys; sys.path.insert(0, '%dl_src_root/bench'); \
// RUN:   import search_scaling; print(search_scaling.chain(160))" > %t.mlir
// RUN: dl-opt %t.mlir --dl-search-partition="cluster=local-4 report=%t.json" \
// RUN:   -o /dev/null
// RUN: %python -c "import json, sys; r = json.load(open(sys.argv[1])); \
// RUN:   named = [l for l in r['layers'] if 'runner_up' in l]; \
// RUN:   print('layers', len(r['layers'])); \
// RUN:   print('runner-ups', len(named)); \
// RUN:   print('last', r['layers'][-1]['layer'], r['layers'][-1]['runner_up']); \
// RUN:   print('none cheaper', all(l['runner_up_cost'] >= r['cost'] for l in named))" \
// RUN:   %t.json | FileCheck %s
// CHECK: layers [[N:[0-9]+]]
// CHECK-NEXT: runner-ups [[N]]
// CHECK-NEXT: last {{conv2d|relu}}#{{[0-9]+}} {{[a-z]+}}
// CHECK-NEXT: none cheaper True
