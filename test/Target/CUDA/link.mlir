// REQUIRES: nvcc, dl-cuda
// RUN: rm -rf %t && mkdir -p %t
// RUN: dl-translate --dl-to-cuda %S/layers.mlir -o %t/layers.cu
// RUN: %nvcc %cuda_cxxflags %t/layers.cu -o %t/layers %cuda_ldflags
// RUN: ldd %t/layers | FileCheck %s
// RUN: dl-translate --dl-to-cuda %S/comm.mlir -o %t/comm.cu
// RUN: %nvcc %cuda_cxxflags %t/comm.cu -o %t/comm %cuda_ldflags
// RUN: ldd %t/comm | FileCheck %s

// With the libraries this build found (DL_ENABLE_CUDA), the programs link
// against dlrt and cuBLAS (the CUDA runtime is linked statically); no GPU is needed to link.

// CHECK-DAG: libdlrt.so
// CHECK-DAG: libcublas.so
