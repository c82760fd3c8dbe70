// REQUIRES: nvcc
// RUN: rm -rf %t && mkdir -p %t
// RUN: dl-translate --dl-to-cuda %S/layers.mlir -o %t/layers.cu
// RUN: %nvcc %cuda_cxxflags -c %t/layers.cu -o %t/layers.o
// RUN: nm -C %t/layers.o | FileCheck %s --check-prefix=CUDNN
// RUN: %nvcc %cuda_cxxflags -DDL_NO_CUDNN -c %t/layers.cu -o %t/own.o
// RUN: nm -C %t/own.o | FileCheck %s --check-prefix=OWN
// RUN: dl-translate --dl-to-cuda %S/comm.mlir -o %t/comm.cu
// RUN: %nvcc %cuda_cxxflags -DDL_USE_NCCL -c %t/comm.cu -o %t/comm.o
// RUN: nm -C %t/comm.o | FileCheck %s --check-prefix=NCCL

// The emitted programs compile with nvcc: with cuDNN (the default when its
// header is found), with own kernels only (-DDL_NO_CUDNN), and with the
// NCCL collectives (-DDL_USE_NCCL). The undefined symbols show which
// libraries each variant calls.

// CUDNN-DAG: U cublasSgemm_v2
// CUDNN-DAG: U cublasSgemmStridedBatched
// CUDNN-DAG: U cudnnConvolutionForward
// CUDNN-DAG: U cudnnPoolingForward
// CUDNN-DAG: U cudnnSoftmaxForward
// CUDNN-DAG: U cudnnActivationForward
// CUDNN-DAG: U dlrt_weights_get
// CUDNN-DAG: U cudaMalloc

// OWN-NOT: cudnn
// OWN: U cublasSgemm_v2
// OWN-NOT: cudnn

// NCCL-DAG: U dlrt_nccl_all_reduce_sum
// NCCL-DAG: U dlrt_nccl_broadcast
// NCCL-DAG: U dlrt_nccl_all_gather
// The broadcast and the uneven all_gather over groups with the CPU rank 2
// and the other collectives still go through MPI.
// NCCL-DAG: U dlrt_broadcast
// NCCL-DAG: U dlrt_all_gather
// NCCL-DAG: U dlrt_halo_exchange
// The all_reduce between the two GPUs keeps its MPI staging for the case
// where NCCL cannot serve the group (both ranks on one GPU).
// NCCL-DAG: U dlrt_all_reduce_sum
