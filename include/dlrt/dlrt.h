//===- dlrt.h - C ABI of the dl runtime library -----------------*- C -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The C ABI that programs emitted by the dl code generator call. One such
/// program runs per device (MPI rank). Tensors are plain row-major `float`
/// buffers; shapes are `const int64_t *` plus a rank where needed.
///
/// Error model: unless noted otherwise, functions return nothing and abort
/// the whole job on error after printing `dlrt: rank R: <message>` to stderr
/// (MPI_Abort when MPI is up, abort() otherwise). A communication operation
/// that cannot complete within the timeout (env `DLRT_TIMEOUT_S`, default
/// 10 s) prints `dlrt: rank R: timed out after Ns in OP waiting for rank P
/// (peer may have died)` and calls `MPI_Abort(MPI_COMM_WORLD, 3)`.
///
/// Groups are arrays of world ranks, given in the same order by every
/// member; a member's position in the array is its index in the group.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_DLRT_H
#define DLRT_DLRT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Lifecycle and options
//===----------------------------------------------------------------------===//

/// Initializes MPI (MPI_Init_thread, MPI_THREAD_FUNNELED) and the runtime.
/// Reads `DLRT_TIMEOUT_S` from the environment and removes the runtime
/// options `--trace PATH` and `--stats PATH` (also `--trace=PATH`) from
/// argv, updating *argc. Must be called once, before any other dlrt call
/// except the kernels and the format functions, which work without it.
void dlrt_init(int *argc, char ***argv);

/// Writes the trace/stats files requested at init (collective over all
/// ranks), frees communicators and finalizes MPI.
void dlrt_finalize(void);

/// Start-up check of a generated program (collective over MPI_COMM_WORLD,
/// right after dlrt_init): `rank` is the rank the program was emitted for,
/// `num_ranks` the number of rank programs of its plan and `plan_hash` a
/// hash of the partitioned module, the same in every rank program of one
/// compilation. If the job's size differs from `num_ranks` (a cluster file
/// or launch that does not match the plan), or some rank runs the program
/// of another rank or of another compilation (a stale or wrong binary),
/// every rank prints `dlrt: rank R: error: ...` naming what differs and
/// exits with status 4. A rank that never arrives (a foreign binary) ends
/// the job after the communication timeout (DLRT_TIMEOUT_S).
void dlrt_check_plan(int rank, int num_ranks, uint64_t plan_hash);

/// Rank of this process in MPI_COMM_WORLD (0 before dlrt_init).
int dlrt_rank(void);

/// Number of processes in MPI_COMM_WORLD (1 before dlrt_init).
int dlrt_size(void);

/// Monotonic wall-clock time in seconds.
double dlrt_now(void);

/// Whether a CUDA backend is available. Always 0 for now.
int dlrt_cuda_available(void);

/// Frees memory returned by the runtime (e.g. by dlrt_npy_load).
void dlrt_free(void *ptr);

//===----------------------------------------------------------------------===//
// Communication (MPI). All calls block until done or abort on timeout.
//===----------------------------------------------------------------------===//

/// Sends n floats to world rank `peer` with `tag`.
void dlrt_send(const float *buf, int64_t n, int peer, int tag);

/// Receives exactly n floats from world rank `peer` with `tag`.
void dlrt_recv(float *buf, int64_t n, int peer, int tag);

/// Starts sending n floats to world rank `peer` with `tag` and returns at
/// once; `buf` must stay unchanged until dlrt_wait_send with the returned
/// handle (or dlrt_comm_wait), which completes the send (or aborts after
/// the timeout). Sends and started all-reduces share one table of pending
/// operations, which dlrt_comm_progress drives.
int64_t dlrt_isend(const float *buf, int64_t n, int peer, int tag);
void dlrt_wait_send(int64_t handle);

/// All-gather along dimension `dim`. `in` is this member's slice of shape
/// `in_shape` (rank `rank`), with in_shape[dim] == sizes_along_dim[i] for
/// this member's group index i. `out` receives the full tensor: in_shape
/// with dimension `dim` replaced by the sum of sizes_along_dim, the slices
/// concatenated in group order. Uneven sizes are allowed.
void dlrt_all_gather(const float *in, const int64_t *in_shape, int rank,
                     int dim, float *out, const int64_t *sizes_along_dim,
                     const int *group, int group_size);

/// In-place element-wise sum of n floats over the group.
void dlrt_all_reduce_sum(float *inout, int64_t n, const int *group,
                         int group_size);

/// Non-blocking dlrt_all_reduce_sum: starts the same reduction (the same
/// MPI_Iallreduce, so the result is bitwise identical) and returns a
/// handle for dlrt_comm_wait. `inout` must stay untouched until then.
int64_t dlrt_all_reduce_sum_start(float *inout, int64_t n, const int *group,
                                  int group_size);

/// Drives the started operations that are still pending, sends and
/// all-reduces (one MPI_Test each): Open MPI progresses non-blocking
/// operations only inside MPI calls, so the emitted programs call this
/// between kernels.
void dlrt_comm_progress(void);

/// Completes a started operation (dlrt_all_reduce_sum_start or
/// dlrt_isend) with the DLRT_TIMEOUT_S timeout of the blocking calls; an
/// all-reduce's buffer holds the result afterwards. A handle completes
/// once; an unknown or completed one aborts the job.
void dlrt_comm_wait(int64_t handle);

/// Reduce-scatter (sum) along `dim`. `in` is the full-size partial tensor
/// of shape `in_shape`; in_shape[dim] must equal the sum of
/// sizes_along_dim. `out` receives this member's slice (sizes_along_dim[i]
/// along dim, group index i) of the element-wise sum over the group.
void dlrt_reduce_scatter_sum(const float *in, const int64_t *in_shape, int rank,
                             int dim, float *out,
                             const int64_t *sizes_along_dim, const int *group,
                             int group_size);

/// Broadcasts n floats from world rank `root` (a member of the group) to
/// all group members, in place.
void dlrt_broadcast(float *buf, int64_t n, int root, const int *group,
                    int group_size);

/// Halo exchange along `dim`. `in` (shape in_shape) is this rank's own slice.
/// `out` has the shape of `in` except `recv_lo + in_shape[dim] + recv_hi`
/// along dim: the first recv_lo slabs come from world rank `prev`, then a
/// copy of `in`, then recv_hi slabs from world rank `next`. This rank sends
/// its first send_lo slabs to `prev` and its last send_hi slabs to `next`.
/// prev/next == -1 means no neighbour (the matching counts must be 0).
/// The counts must match the neighbours' (my send_hi == next's recv_lo...).
void dlrt_halo_exchange(const float *in, const int64_t *in_shape, int rank,
                        int dim, float *out, int64_t recv_lo, int64_t recv_hi,
                        int64_t send_lo, int64_t send_hi, int prev, int next);

/// All-to-all with per-member counts (in floats). For group index j,
/// send_counts[j] floats starting at send_offsets[j] in `in` go to member j,
/// and recv_counts[j] floats from member j land at recv_offsets[j] in `out`.
void dlrt_all_to_all(const float *in, const int64_t *send_counts,
                     const int64_t *send_offsets, float *out,
                     const int64_t *recv_counts, const int64_t *recv_offsets,
                     const int *group, int group_size);

/// Barrier over the group.
void dlrt_barrier(const int *group, int group_size);

/// Bytes this rank has sent to world rank `peer` so far (see
/// docs/runtime.md for the accounting of collectives).
int64_t dlrt_bytes_sent_to(int peer);

/// Bytes this rank has received from world rank `peer` so far.
int64_t dlrt_bytes_received_from(int peer);

/// Total bytes this rank has sent to all peers.
int64_t dlrt_bytes_sent_total(void);

//===----------------------------------------------------------------------===//
// CPU kernels (NCHW, row-major). None needs dlrt_init.
//===----------------------------------------------------------------------===//

/// 2-D convolution. in: [n,c,h,w]; weight: [oc, c/groups, kh, kw]; bias:
/// [oc] or NULL; out: [n,oc,oh,ow]. Padding may be asymmetric. dil_h/dil_w
/// use the PyTorch/ONNX convention (1 = dense). act: 0 none, 1 ReLU.
void dlrt_conv2d(const float *in, int64_t n, int64_t c, int64_t h, int64_t w,
                 const float *weight, const float *bias, int64_t oc, int64_t kh,
                 int64_t kw, int64_t stride_h, int64_t stride_w, int64_t pad_t,
                 int64_t pad_l, int64_t pad_b, int64_t pad_r, int64_t dil_h,
                 int64_t dil_w, int64_t groups, int act, float *out, int64_t oh,
                 int64_t ow);

/// 2-D pooling. kind: 0 max, 1 average. Padded positions never win a max;
/// for average they count iff count_include_pad != 0. oh/ow must equal
/// (h + pad_t + pad_b - kh) / sh + 1 (resp. w); for ceil-mode pooling pass
/// the extra padding in pad_b/pad_r.
void dlrt_pool2d(int kind, const float *in, int64_t n, int64_t c, int64_t h,
                 int64_t w, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                 int64_t pad_t, int64_t pad_l, int64_t pad_b, int64_t pad_r,
                 float *out, int64_t oh, int64_t ow, int count_include_pad);

/// Global average pooling: [n,c,h,w] -> [n,c].
void dlrt_global_avg_pool(const float *in, int64_t n, int64_t c, int64_t h,
                          int64_t w, float *out);

/// Inference batch normalization over channel c of [n,c,h,w] (h = w = 1
/// for 2-D input): out = (in - mean) / sqrt(var + eps) * scale + shift.
void dlrt_batch_norm(const float *in, int64_t n, int64_t c, int64_t h,
                     int64_t w, const float *scale, const float *shift,
                     const float *mean, const float *var, float eps,
                     float *out);

/// Dense layer: y[m,n] = x[m,k] * w[n,k]^T + bias[n] (bias may be NULL).
void dlrt_dense(const float *x, int64_t m, int64_t k, const float *w,
                const float *bias, int64_t n, float *y);

/// Matrix product: y[m,n] = a[m,k] * b[k,n].
void dlrt_matmul(const float *a, int64_t m, int64_t k, const float *b,
                 int64_t n, float *y);

/// Batched matrix product: y[i] = a[i] * b[i] for i < batch, with a:
/// [batch,m,k], b: [batch,k,n] (or [k,n] shared when b_batched == 0),
/// y: [batch,m,n].
void dlrt_matmul_batched(const float *a, int64_t batch, int64_t m, int64_t k,
                         const float *b, int b_batched, int64_t n, float *y);

/// out[i] = max(in[i], 0). in may equal out.
void dlrt_relu(const float *in, float *out, int64_t n);

/// out[i] = 1 / (1 + exp(-in[i])). in may equal out.
void dlrt_sigmoid(const float *in, float *out, int64_t n);

/// out[i] = tanh(in[i]). in may equal out.
void dlrt_tanh(const float *in, float *out, int64_t n);

/// out[i] = GELU(in[i]) with the exact erf formulation. in may equal out.
void dlrt_gelu(const float *in, float *out, int64_t n);

/// out[i] = min(max(in[i], lo), hi) (lo <= hi, either may be infinite).
/// in may equal out.
void dlrt_clip(const float *in, float *out, int64_t n, float lo, float hi);

/// Softmax over the middle axis of a tensor viewed as [outer,axis_len,inner].
void dlrt_softmax(const float *in, int64_t outer, int64_t axis_len,
                  int64_t inner, float *out);

/// out[i] = a[i] + b[i].
void dlrt_add(const float *a, const float *b, float *out, int64_t n);

/// out[i] = a[i] * b[i].
void dlrt_mul(const float *a, const float *b, float *out, int64_t n);

/// Copies the box of shape box_shape at src_offsets in src (shape
/// src_shape) to dst_offsets in dst (shape dst_shape). All arrays have
/// `rank` entries; the box must lie inside both tensors.
void dlrt_copy_box(const float *src, const int64_t *src_shape,
                   const int64_t *src_offsets, float *dst,
                   const int64_t *dst_shape, const int64_t *dst_offsets,
                   const int64_t *box_shape, int rank);

/// out[i] = value for i < n.
void dlrt_fill(float *out, int64_t n, float value);

/// One LSTM layer (PyTorch gate order i, f, g, o; zero initial state).
/// x: [t,n,xdim]; w_ih: [4*hidden, xdim]; w_hh: [4*hidden, hidden];
/// bias: [4*hidden] (= b_ih + b_hh) or NULL; y: [t,n,hidden].
void dlrt_lstm(const float *x, int64_t t, int64_t n, int64_t xdim,
               const float *w_ih, const float *w_hh, const float *bias,
               int64_t hidden, float *y);

/// Gate pre-activations for a subset of gate rows:
/// out[n,rows] = x_t[n,xdim] * w_ih_rows[rows,xdim]^T
///             + h[n,hidden] * w_hh_rows[rows,hidden]^T + b_rows[rows].
/// h may be NULL (zero state); b_rows may be NULL.
void dlrt_lstm_gates(const float *x_t, const float *h, int64_t n, int64_t xdim,
                     int64_t hidden, const float *w_ih_rows,
                     const float *w_hh_rows, const float *b_rows, int64_t rows,
                     float *out);

/// LSTM cell update for `units` units. gi/gf/gg/go point at the gate
/// pre-activations of unit 0 of batch row 0; batch row b of a gate starts
/// ld_gates floats after row b-1. c ([n,units]) is updated in place:
/// c = sigmoid(f) * c + sigmoid(i) * tanh(g); h_out[n,units] =
/// sigmoid(o) * tanh(c).
void dlrt_lstm_cell(const float *gi, const float *gf, const float *gg,
                    const float *go, int64_t ld_gates, float *c, float *h_out,
                    int64_t n, int64_t units);

//===----------------------------------------------------------------------===//
// Weights (format: docs/weights-format.md)
//===----------------------------------------------------------------------===//

/// Maps a DLW1 weight file and validates header, sizes and checksums.
/// Aborts with a message naming the file (and tensor) on any error.
void *dlrt_weights_open(const char *path);

/// Collective over the world: every rank calls it, with the path of its
/// own weight file or NULL on a rank without weights. Opens and validates
/// the file as dlrt_weights_open does; if any rank's file is missing or
/// damaged, every rank prints `dlrt: rank R: error: the job cannot start:
/// rank Q: weight file '...': ...` and exits with status 4 (bounded by the
/// communication timeout). Returns NULL where `path` is NULL.
void *dlrt_weights_open_all(const char *path);

/// Returns the data of tensor `name`, checking its shape against
/// expected_shape (rank entries). Aborts if missing or mismatched.
/// The pointer stays valid until dlrt_weights_close.
const float *dlrt_weights_get(void *store, const char *name,
                              const int64_t *expected_shape, int rank);

/// Unmaps the weight file. NULL is ignored.
void dlrt_weights_close(void *store);

//===----------------------------------------------------------------------===//
// .npy files (float32, C order)
//===----------------------------------------------------------------------===//

/// Loads a float32 C-order .npy file (rank <= 8). Returns a buffer to be
/// released with dlrt_free; writes the shape to shape_out[0..rank) and the
/// rank to *rank_out. Aborts on error.
float *dlrt_npy_load(const char *path, int64_t *shape_out, int *rank_out);

/// Writes data (shape[0..rank)) as a version 1.0 float32 C-order .npy file.
/// Aborts on error.
void dlrt_npy_save(const char *path, const float *data, const int64_t *shape,
                   int rank);

//===----------------------------------------------------------------------===//
// Observability
//===----------------------------------------------------------------------===//

/// Opens a span named `name` (copied). Spans nest.
void dlrt_trace_begin(const char *name);

/// Closes the innermost open span.
void dlrt_trace_end(void);

/// Prints this rank's statistics as one compact JSON line to stdout.
void dlrt_print_stats_line(void);

//===----------------------------------------------------------------------===//
// Training (runtime/Training.cpp, docs/training.md)
//===----------------------------------------------------------------------===//

/// Gradient of dlrt_conv2d with respect to its input: `dy` is
/// `[n, oc, oh, ow]`, `weight` `[oc, c/groups, kh, kw]`, `dx` `[n, c, h, w]`
/// (overwritten). Same stride/padding/dilation/groups as the forward.
void dlrt_conv2d_backward_data(const float *dy, int64_t n, int64_t oc,
                               int64_t oh, int64_t ow, const float *weight,
                               int64_t c, int64_t kh, int64_t kw,
                               int64_t stride_h, int64_t stride_w,
                               int64_t pad_t, int64_t pad_l, int64_t pad_b,
                               int64_t pad_r, int64_t dil_h, int64_t dil_w,
                               int64_t groups, float *dx, int64_t h,
                               int64_t w);

/// Gradients of dlrt_conv2d's weight (`[oc, c/groups, kh, kw]`) and bias
/// (`[oc]`, may be NULL) from the input `x` `[n, c, h, w]` and `dy`
/// `[n, oc, oh, ow]` (overwritten, not accumulated).
void dlrt_conv2d_backward_weights(const float *x, int64_t n, int64_t c,
                                  int64_t h, int64_t w, const float *dy,
                                  int64_t oc, int64_t oh, int64_t ow,
                                  int64_t kh, int64_t kw, int64_t stride_h,
                                  int64_t stride_w, int64_t pad_t,
                                  int64_t pad_l, int64_t pad_b, int64_t pad_r,
                                  int64_t dil_h, int64_t dil_w, int64_t groups,
                                  float *dweight, float *dbias);

/// dx = dy * W for dy `[m, n]`, W `[n, k]`; dx is `[m, k]`.
void dlrt_dense_backward_data(const float *dy, int64_t m, int64_t n,
                              const float *weight, int64_t k, float *dx);

/// dW = dy^T * x (`[n, k]`) and db = column sums of dy (`[n]`, may be NULL)
/// for x `[m, k]`, dy `[m, n]`.
void dlrt_dense_backward_weights(const float *x, int64_t m, int64_t k,
                                 const float *dy, int64_t n, float *dweight,
                                 float *dbias);

/// dx = y > 0 ? dy : 0 (y is the ReLU's output). dx may alias dy.
void dlrt_relu_backward(const float *y, const float *dy, float *dx,
                        int64_t n);

/// Gradient of dlrt_pool2d (same arguments as the forward, `dy` of the
/// forward output's shape). Max: each dy entry goes to the first maximum
/// of its window in `x`; average: spread with the forward's divisor.
void dlrt_pool2d_backward(int kind, const float *x, int64_t n, int64_t c,
                          int64_t h, int64_t w, int64_t kh, int64_t kw,
                          int64_t stride_h, int64_t stride_w, int64_t pad_t,
                          int64_t pad_l, int64_t pad_b, int64_t pad_r,
                          const float *dy, int64_t oh, int64_t ow,
                          int count_include_pad, float *dx);

/// dx = dy * y * (1 - y) (y is the sigmoid's output). dx may alias dy.
void dlrt_sigmoid_backward(const float *y, const float *dy, float *dx,
                           int64_t n);

/// dx = dy * (1 - y^2) (y is the tanh's output). dx may alias dy.
void dlrt_tanh_backward(const float *y, const float *dy, float *dx, int64_t n);

/// Gradient of dlrt_gelu (exact erf form) from its input x. dx may alias dy.
void dlrt_gelu_backward(const float *x, const float *dy, float *dx, int64_t n);

/// dx = lo <= x <= hi ? dy : 0 (PyTorch's clamp; x is the clip's input).
/// dx may alias dy.
void dlrt_clip_backward(const float *x, const float *dy, float *dx, int64_t n,
                        float lo, float hi);

/// Gradient of dlrt_softmax from its output y (same view [outer, axis_len,
/// inner]): dx = y * (dy - sum_axis(dy * y)).
void dlrt_softmax_backward(const float *y, const float *dy, int64_t outer,
                           int64_t axis_len, int64_t inner, float *dx);

/// Gradient of dlrt_matmul_batched (b batched; batch = 1 for dlrt_matmul)
/// with respect to a: da[i] = dy[i] * b[i]^T, `[batch, m, k]`.
void dlrt_matmul_backward_lhs(const float *dy, int64_t batch, int64_t m,
                              int64_t n, const float *b, int64_t k, float *da);

/// ... and with respect to b: db[i] = a[i]^T * dy[i], `[batch, k, n]`.
void dlrt_matmul_backward_rhs(const float *a, int64_t batch, int64_t m,
                              int64_t k, const float *dy, int64_t n, float *db);

/// Training-mode batch normalization of x `[n, c, h, w]` (h = w = 1 for
/// `[n, c]`) over channel c with the batch mean and biased variance:
/// y = (x - mean) / sqrt(var + eps) * scale + shift (oneDNN).
void dlrt_batch_norm_train(const float *x, int64_t n, int64_t c, int64_t h,
                           int64_t w, const float *scale, const float *shift,
                           float eps, float *y);

/// Gradients of dlrt_batch_norm_train (the batch statistics recomputed from
/// x): dx `[n, c, h, w]`, dscale and dshift `[c]`; any output may be NULL.
void dlrt_batch_norm_backward(const float *x, int64_t n, int64_t c, int64_t h,
                              int64_t w, const float *scale, const float *dy,
                              float eps, float *dx, float *dscale,
                              float *dshift);

/// PyTorch's running statistics update: new_mean = (1 - momentum) mean +
/// momentum batch_mean; new_var = (1 - momentum) var + momentum
/// unbiased_batch_var (over the n*h*w values of each channel).
void dlrt_batch_norm_running_stats(const float *x, int64_t n, int64_t c,
                                   int64_t h, int64_t w, const float *mean,
                                   const float *var, float momentum,
                                   float *new_mean, float *new_var);

/// Gradients of dlrt_lstm (same forward arguments; backprop through all t
/// steps, the forward recomputed) from dy `[t, n, hidden]`, the gradient of
/// every step's output: dx `[t, n, xdim]`, dw_ih `[4*hidden, xdim]`, dw_hh
/// `[4*hidden, hidden]`, dbias `[4*hidden]`; any output may be NULL.
void dlrt_lstm_backward(const float *x, int64_t t, int64_t n, int64_t xdim,
                        const float *w_ih, const float *w_hh, const float *bias,
                        int64_t hidden, const float *dy, float *dx,
                        float *dw_ih, float *dw_hh, float *dbias);

/// loss[0] = mean over the b rows of -sum_c t * log_softmax(logits).
void dlrt_softmax_cross_entropy(const float *logits, const float *targets,
                                int64_t b, int64_t c, float *loss);

/// dlogits = scale * (softmax(logits) - targets), `[b, c]`.
void dlrt_softmax_cross_entropy_backward(const float *logits,
                                         const float *targets, int64_t b,
                                         int64_t c, float scale,
                                         float *dlogits);

/// PyTorch SGD: g' = g + wd p; v' = momentum v + g'; p' = p - lr v'.
/// Outputs may alias the corresponding inputs.
void dlrt_sgd_update(const float *p, const float *g, const float *v,
                     int64_t n, float lr, float momentum, float weight_decay,
                     float *p_out, float *v_out);

/// PyTorch Adam at 1-based step `step[0]`. Outputs may alias inputs.
void dlrt_adam_update(const float *p, const float *g, const float *m,
                      const float *v, const float *step, int64_t n, float lr,
                      float beta1, float beta2, float epsilon, float *p_out,
                      float *m_out, float *v_out);

/// One trainable tensor of a training program: this rank's piece. With
/// `split_parts` > 1 the ranks form groups of `split_parts` consecutive
/// ranks (intra-layer splits): with `split_dim` >= 0 the full tensor is
/// `split_parts` times larger along `split_dim` and the group's rank r
/// holds piece r; with `rank0_only` the group's rank 0 holds the whole
/// tensor and its other ranks hold zeros. Zero-initialized fields: a whole
/// tensor on every rank.
typedef struct dlrt_train_tensor {
  const char *name;
  int rank;
  const int64_t *shape;
  int64_t elements;
  int split_dim;
  int split_parts;
  int rank0_only;
  int init_ones; /* default initialization 1 (batch norm scale, variance) */
} dlrt_train_tensor;

/// A training program emitted by dl-to-cpp from a `dl.train` function.
/// `run` takes (x, targets, step, params..., states...) and stores
/// (loss, logits, new params..., new states...) to `out`, each output
/// released with `free_output`. With `gradients_only`, `run` takes
/// (x, targets, params...) and stores (loss, logits, gradients...): the
/// parameter server applies the optimizer (with the hyperparameters below)
/// and `data_parallel` is the number of workers whose gradients it sums.
typedef struct dlrt_train_program {
  int64_t batch;   /* per-rank batch */
  int64_t classes; /* logits per sample */
  int input_rank;
  const int64_t *input_shape; /* [batch, ...] */
  int num_params;
  const dlrt_train_tensor *params;
  int states_per_param;
  const char *const *state_suffixes; /* states_per_param names */
  int data_parallel; /* ranks the step all-reduces gradients over */
  const char *optimizer;
  void (*run)(float *const *in, float **out);
  void (*free_output)(float *buf, int64_t n);
  int gradients_only;
  /* The optimizer's hyperparameters (momentum is 0 for plain sgd). */
  float lr, momentum, weight_decay, beta1, beta2, epsilon;
  /* Ranks of the intra-layer (m) split; every rank runs the whole batch. */
  int tensor_parallel;
} dlrt_train_program;

/// The training loop (data, epochs, evaluation, checkpoints, progress):
/// parses the program's command line (see --help and docs/training.md) and
/// returns the exit status. Call between dlrt_init and dlrt_finalize.
int dlrt_train_main(const dlrt_train_program *program, int argc, char **argv);

/// One stage of a pipeline-training program (dl-generate-pipeline-training,
/// docs/training.md). Per micro-batch, `forward` takes (in, [targets on the
/// last stage], params...) and stores (out, saved...) or, on the last
/// stage, (loss, logits, saved...); `backward` takes (params..., [dout
/// except on the last stage], saved...) and stores ([din except on stage
/// 0], grads...); `update` takes (step, params..., grads..., states...) and
/// stores (params..., states...).
typedef struct dlrt_pipeline_stage {
  int num_params;
  const int *param_index; /* into the program's parameter table */
  int num_saved;
  const int64_t *saved_elements;
  int64_t in_elements;  /* the input of one micro-batch */
  int64_t out_elements; /* the output (the logits on the last stage) */
  const char *layers;   /* "first-last" layer indices, for reports */
  void (*forward)(float *const *in, float **out);
  void (*backward)(float *const *in, float **out);
  void (*update)(float *const *in, float **out);
} dlrt_pipeline_stage;

/// A pipeline-training program: one stage per MPI rank.
typedef struct dlrt_pipeline_program {
  int num_stages;
  const dlrt_pipeline_stage *stages;
  int64_t micro_batch;   /* samples per micro-batch */
  int64_t micro_batches; /* per step (M); the global batch is their product */
  int64_t classes;
  int input_rank;
  const int64_t *input_shape; /* one micro-batch of the model input */
  int num_params;             /* the whole model's, in first-use order */
  const dlrt_train_tensor *params;
  int states_per_param;
  const char *const *state_suffixes;
  const char *optimizer;
  const char *schedule; /* default schedule: "gpipe" or "1f1b" */
  void (*free_output)(float *buf, int64_t n);
} dlrt_pipeline_program;

/// The pipeline-training loop (runtime/TrainPipeline.cpp): the options of
/// dlrt_train_main plus --schedule and --bubble-report; rank k runs stage
/// k. Call between dlrt_init and dlrt_finalize.
int dlrt_pipeline_main(const dlrt_pipeline_program *program, int argc,
                       char **argv);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // DLRT_DLRT_H
