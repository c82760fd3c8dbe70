//===- Passes.td - dl passes -------------------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Every pass of dl, grouped by purpose and alphabetical within a group.
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_TD
#define DL_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Cluster
//===----------------------------------------------------------------------===//

def DLAttachCluster : Pass<"dl-attach-cluster", "ModuleOp"> {
  let summary = "Attach the target cluster (a YAML file or a preset) to the "
                "module";
  let description = [{
    Loads the cluster named by the `cluster` option and sets it as the
    `dl.cluster` module attribute, replacing any cluster already there. The
    option is a path to a YAML cluster file (docs/cluster-format.md) or, if
    no such file exists, a preset name: `local-N`, `edge-pi4-N`, `gpu-N`,
    `hetero-edge-3` or `cluster-NxM`. Loading errors are reported on the
    module with the file's `FILE:LINE:COL` position.

    `dl-opt --dl-attach-cluster=cluster=local-2` on
    ```mlir
    module {}
    ```
    gives
    ```mlir
    module attributes {dl.cluster = #dl.cluster<name = "local-2",
        topology = full, bandwidth = 1.000000e+10,
        latency = 9.9999999999999995E-7,
        devices = [#dl.device<name = "cpu0", kind = cpu, ...>,
                   #dl.device<name = "cpu1", kind = cpu, ...>]>} {}
    ```
  }];
  let dependentDialects = ["::mlir::dl::DLDialect"];
  let options = [
    Option<"cluster", "cluster", "std::string", /*default=*/"\"\"",
           "A YAML cluster file, or a preset name">
  ];
}

//===----------------------------------------------------------------------===//
// Analysis and reporting
//===----------------------------------------------------------------------===//

def DLPrintModelStats : Pass<"dl-print-model-stats", "ModuleOp"> {
  let summary = "Print a per-layer table of shapes, parameters, FLOPs and "
                "activation bytes";
  let description = [{
    Walks every function of the module and prints, for each layer that
    implements `PartitionableOpInterface`, its result shape, parameter
    count, MACs, FLOPs and output activation bytes, followed by totals.
    The IR is left unchanged.

    ```mlir
    %y = dl.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>)
        -> tensor<1x4x6x6xf32>
    ```
    prints
    ```
    #  layer      output     params  MACs  FLOPs  act bytes
    0  dl.conv2d  1x4x6x6    108     3888  7776   576
    ```
  }];
  let options = [
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the table ('-' for stdout)">,
    Option<"format", "format", "std::string", /*default=*/"\"table\"",
           "Output format: 'table' or 'json'">
  ];
}

//===----------------------------------------------------------------------===//
// Partitioning
//===----------------------------------------------------------------------===//

def DLApplyPartition : Pass<"dl-apply-partition", "ModuleOp"> {
  let summary = "Materialize layer plans as per-device programs with "
                "explicit communication";
  let description = [{
    Replaces the function to partition by one function per device
    (`@<name>_rank<k>`, attribute `dl.device = k`). Every layer runs as its
    `dl.plan` says (layers without a plan run on device 0): each part's
    operand regions are obtained from the producers' placements with the
    cheapest applicable redistribution (all-reduce of partial sums, halo
    exchange for 1-D spatial splits, all-gather when every holder needs the
    whole tensor, otherwise point-to-point transfers of exactly the missing
    pieces). Parameters are sliced by name (`name#lo:hi,...`), never
    communicated. LSTM gate/hidden splits are unrolled per step; fused-tile
    groups are computed per tile with no communication inside the group.
    Model inputs live on device 0, which also assembles the outputs. With
    `microbatches = M > 1` the batch is processed in M slices so that
    pipeline stages overlap. Without the option, M is the module's
    `search.microbatches` attribute (written by dl-search-partition's
    throughput objective), else 1; an explicit M that differs from that
    attribute is an error.

    Before:
    ```mlir
    %y = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1],
        splits = [#dl.split<dim = out_channel, bounds = [0, 5, 10]>]>}
        : (tensor<1x8xf32>, tensor<10x8xf32>) -> tensor<1x10xf32>
    ```
    After (device 1):
    ```mlir
    %x = dl.recv from 0 tag 0 : tensor<1x8xf32>
    %w = dl.param "w#5:10,0:8" : tensor<5x8xf32>
    %y = dl.dense %x, %w : (tensor<1x8xf32>, tensor<5x8xf32>) -> tensor<1x5xf32>
    dl.send %y to 0 tag 1 : tensor<1x5xf32>
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"\"",
           "The function to partition (default: the only one)">,
    Option<"numDevices", "devices", "int64_t", /*default=*/"0",
           "Number of devices when the module has no dl.cluster "
           "(default: as many as the plans use)">,
    Option<"microbatches", "microbatches", "int64_t", /*default=*/"0",
           "Split the batch into this many micro-batches (pipelining); 0: "
           "the module's search.microbatches attribute, else 1">
  ];
}

def DLForceScheme : Pass<"dl-force-scheme", "ModuleOp"> {
  let summary = "Plan every layer with one named partitioning scheme";
  let description = [{
    Writes a `dl.plan` on every layer so that one scheme can be run and
    measured alone. Schemes: `data` (batch split), `pipeline` (contiguous
    stages balanced by FLOPs, one device each), `out-channel`, `in-channel`
    (conv/dense/matmul), `spatial` (height strips), `spatial-biased` (strips
    proportional to device FLOP/s, MoDNN BODP), `modnn` (`spatial-biased`
    for conv/pool layers and dense output rows proportional to device
    FLOP/s: MoDNN's BODP plus its FC split), `ftp:NxM` (the leading chain
    of conv/pool layers fused and cut into an N x M grid, the rest on
    device 0), `lstm-gate`, `lstm-hidden`, `dense-out`, `dense-in`,
    `dense-pair` (alternating output and input splits), `replicate`,
    `single` and `heuristic` (height strips for conv/pool, hidden units for
    LSTMs, output rows for dense: "spatial early, channels late"). Splits are even (the first parts take the remainder) over as
    many devices as the dim has entries. A layer the scheme does not apply
    to is computed on every device (replicated compute). Devices and speeds
    come from the module's `dl.cluster`, else from `devices`.

    ```mlir
    // --dl-force-scheme=scheme=dense-out devices=2
    %y = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1],
        splits = [#dl.split<dim = out_channel, bounds = [0, 5, 10]>]>} ...
    ```
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"single\"",
           "The scheme to force">,
    Option<"numDevices", "devices", "int64_t", /*default=*/"1",
           "Number of equal devices when the module has no dl.cluster">
  ];
}

def DLSearchPartition : Pass<"dl-search-partition", "ModuleOp"> {
  let summary = "Choose the plan of every layer by an exact search under "
                "the cost model";
  let description = [{
    Builds, for every layer, the candidates PartitionableOpInterface
    offers (single device, replicated compute, data parallel, every split
    dimension over 2..P devices with even and speed-biased bounds, LSTM
    gate and hidden-unit splits, and fused-tile groups over runs of
    conv/pool layers with N x M grids as composite candidates), prices
    each with the cost model of lib/Cost (roofline compute, alpha-beta
    collectives, shared-medium serialisation, redistribution exactly as
    dl-apply-partition emits it, memory with liveness, energy) and finds
    the optimum by a dynamic program over the frontier of live tensors
    (exact on chains and DAGs; see docs/search.md). Writes a `dl.plan` on
    every layer; with `report`, writes a table (or JSON if the name ends in
    `.json`) with per-layer schemes, times, bytes and runner-ups and
    per-device compute, communication, idle time, peak memory and energy.
    Fails with an error naming the layer, device and bytes when no plan
    fits the memory limit.

    ```mlir
    // --dl-search-partition=cluster=edge-pi4-4 objective=latency
    %y = dl.conv2d ... {dl.plan = #dl.plan<devices = [0, 1, 2, 3],
        splits = [#dl.split<dim = height, bounds = [0, 56, 112, 168, 224]>]>}
    ```
  }];
  let options = [
    Option<"cluster", "cluster", "std::string", /*default=*/"\"\"",
           "A YAML cluster file or preset (default: the module's "
           "dl.cluster)">,
    Option<"objective", "objective", "std::string",
           /*default=*/"\"latency\"",
           "latency, throughput, energy or memory">,
    Option<"memoryLimit", "memory-limit", "int64_t", /*default=*/"0",
           "Per-device memory limit in bytes (0: each device's capacity)">,
    Option<"workBudget", "work-budget", "int64_t",
           /*default=*/"30000000",
           "Label visits the exact memory-mode DP may spend before the "
           "best bounded plan is reported with a proven lower bound and "
           "gap (0: unlimited)">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write the report to this file (.json: JSON, else a table)">
  ];
}

def DLVerifyComm : Pass<"dl-verify-comm", "ModuleOp"> {
  let summary = "Prove device programs match sends, receives and "
                "collectives without deadlock";
  let description = [{
    Simulates all device functions (`dl.device`) together: a send completes
    only with its receive (same peer, tag and type), a collective only when
    every member of its group reaches the same collective, a halo exchange
    when its neighbours reach theirs with agreeing counts. Any op that can
    never complete is reported (the first as an error, the others as
    remarks). With `report`, emits one remark per device with the bytes it
    will send and receive, counted exactly as libdlrt counts them.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Report the predicted bytes per device as remarks">
  ];
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def DLGenerateTraining : Pass<"dl-generate-training", "ModuleOp"> {
  let summary = "Turn a forward model into one training-step function";
  let description = [{
    Replaces the module's function (one input `x`, one result: the logits
    `[B, C]`) by `@<name>_train_step(x, targets, step, params...,
    states...) -> (loss, logits, new params..., new states...)`:

    * every `dl.param "name"` becomes an argument (attribute `dl.param`);
    * the loss is `dl.softmax_cross_entropy` of the logits and the targets;
    * the backward pass walks the forward ops in reverse and asks each layer
      for the gradients of its operands (`GradientOpInterface`), adding up
      the gradients of values used more than once;
    * with `data-parallel = P > 1` each parameter's gradient, once final, is
      put in a bucket; a full bucket (`bucket-elements`) is flattened,
      concatenated and summed over ranks `0..P-1` with one all-reduce
      started right there in the backward pass (`dl.all_reduce_start`,
      completed by a `dl.all_reduce_wait` just before the bucket's
      optimizer updates; `overlap-comm=false`: one blocking
      `dl.all_reduce`), and the loss gradient is scaled by `1/(B*P)` so
      the sum is the global batch's mean gradient;
    * one `dl.sgd_update` (optimizer `sgd` or `momentum`, one state: the
      velocity) or `dl.adam_update` (`adam`, two states: m and v) per
      parameter.

    A `dl.batch_norm` is trained as PyTorch's in training mode: it
    normalizes with the batch statistics (`dl.batch_norm_train`), and its
    running mean and variance parameters are updated with momentum 0.1 and
    the unbiased batch variance (`dl.batch_norm_running_stats`) instead of
    being optimized (their optimizer states pass through unchanged).

    `batch` rewrites the batch size (dim 0 of every activation). The
    function gets `dl.train = {optimizer, states_per_param, data_parallel,
    batch, classes, params, gradients_only}` and the optimizer's
    hyperparameters, which `dl-to-cpp` turns into a training program
    (docs/training.md).

    With `gradients-only` the function is `@<name>_grad_step(x, targets,
    params...) -> (loss, logits, gradients...)` for the workers of a
    parameter server, which applies the optimizer itself: no all-reduce and
    no update is built, and `data-parallel = P` only scales the loss
    gradient by `1/(B*P)` (the server sums the gradients of P workers).

    With `tensor-parallel = P > 1` (intra-layer training) every rank runs
    the step on the whole batch with its slices of the weights: each conv
    (one group) or dense layer whose result reaches another such layer
    through ReLU, pooling or flatten only is split by output channels, the
    other by input channels; one `dl.all_reduce` adds the partial sums of
    the pair in the forward pass and one the partial gradients of the first
    layer's input in the backward pass. The parameter arguments carry
    `dl.split_dim`/`dl.split_parts` (the rank's piece of the full tensor)
    or `dl.rank0_only` (the input-split layer's bias, zero on other ranks).
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let options = [
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd, momentum or adam">,
    Option<"lr", "lr", "double", /*default=*/"0.01", "learning rate">,
    Option<"momentum", "momentum", "double", /*default=*/"0.9",
           "momentum of the `momentum` optimizer">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.0",
           "L2 weight decay (sgd and momentum)">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "Adam beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "Adam beta2">,
    Option<"epsilon", "epsilon", "double", /*default=*/"1e-8",
           "Adam epsilon">,
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "per-rank batch size (0: keep the model's)">,
    Option<"dataParallel", "data-parallel", "int64_t", /*default=*/"1",
           "ranks the gradients are summed over">,
    Option<"bucketElements", "bucket-elements", "int64_t",
           /*default=*/"262144",
           "gradient elements per all-reduce bucket">,
    Option<"gradientsOnly", "gradients-only", "bool", /*default=*/"false",
           "return the gradients instead of applying the optimizer "
           "(parameter-server workers)">,
    Option<"tensorParallel", "tensor-parallel", "int64_t", /*default=*/"1",
           "ranks of the intra-layer (m) split: output/input channel pairs "
           "of conv and dense layers">,
    Option<"overlapComm", "overlap-comm", "bool", /*default=*/"true",
           "start each bucket's all-reduce without blocking and wait just "
           "before its optimizer updates (false: blocking all-reduces)">
  ];
}

def DLGeneratePipelineTraining
    : Pass<"dl-generate-pipeline-training", "ModuleOp"> {
  let summary = "Cut a forward model into pipeline stages and build each "
                "stage's forward, backward and update functions";
  let description = [{
    Cuts the module's forward function (one input, one result: the logits
    `[B, C]`) into K contiguous stages of layers, one per rank, and
    replaces it by three functions per stage k, marked `dl.pipeline`:

    * `@<name>_stage<k>_forward(in, [targets,] params...) -> (out, saved...)`:
      the stage's layers on one micro-batch; `in` is the model input on
      stage 0, else the previous stage's activation; `out` is the
      activation for the next stage, or `(loss, logits)` on the last stage
      (which also takes the targets);
    * `@<name>_stage<k>_backward(params..., [dout,] saved...) ->
      ([din,] grads...)`: the gradient of the stage's input (not on stage
      0) and of its parameters, from the gradient of its output (not on the
      last stage, which starts from the loss) and the forward values the
      backward needs (`saved`, returned by the forward);
    * `@<name>_stage<k>_update(step, params..., grads..., states...) ->
      (params..., states...)`: the optimizer step of the stage's
      parameters with the gradients summed over the micro-batches.

    The gradients are the layers' GradientOpInterface, as in
    dl-generate-training. The loss gradient is scaled by `1/(b*M)` (`b` the
    micro-batch, `M` the micro-batches), so the gradients summed over the M
    micro-batches are the mean gradient of the global batch `b*M`.

    `stages` lists the K-1 cut points as layer indices (layers are the
    function's ops other than `dl.param`, counted from 0; cut `i` starts a
    stage at layer `i`); when empty, `num-stages` stages are balanced by
    the layers' FLOPs (PartitionableOpInterface work). Exactly one tensor
    may cross each cut, and a parameter may be used by one stage only.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let options = [
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd, momentum or adam">,
    Option<"lr", "lr", "double", /*default=*/"0.01", "learning rate">,
    Option<"momentum", "momentum", "double", /*default=*/"0.9",
           "momentum of the `momentum` optimizer">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.0",
           "L2 weight decay (sgd and momentum)">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "Adam beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "Adam beta2">,
    Option<"epsilon", "epsilon", "double", /*default=*/"1e-8",
           "Adam epsilon">,
    Option<"stages", "stages", "std::string", /*default=*/"\"\"",
           "cut points: comma-separated layer indices (K-1 of them)">,
    Option<"numStages", "num-stages", "int64_t", /*default=*/"2",
           "stages balanced by FLOPs when `stages` is empty">,
    Option<"microBatch", "micro-batch", "int64_t", /*default=*/"0",
           "samples per micro-batch (0: keep the model's batch)">,
    Option<"microBatches", "micro-batches", "int64_t", /*default=*/"1",
           "micro-batches per step (M)">
  ];
}

//===----------------------------------------------------------------------===//
// Testing
//===----------------------------------------------------------------------===//

def DLTestPartitionInterface
    : Pass<"dl-test-partition-interface", "ModuleOp"> {
  let summary = "Report PartitionableOpInterface answers as remarks";
  let description = [{
    For every layer carrying a `dl.plan`, emits one remark per part with the
    device, the iteration ranges, the operand and result regions (offsets,
    sizes and the border padding they still need), the result kind and the
    part's work. For every other layer, emits one remark with its splittable
    dims and whole-layer work. Used by the lit tests of the interface.
  }];
}

#endif // DL_PASSES_TD
